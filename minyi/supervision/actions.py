"""Every change in 网上督办 is one `do_*` action here: keyword-only arguments with the `actor`, one
transaction, a permission check (`rules.py`), validation with a Chinese message for every refusal,
and audit rows (stable dotted codes, old and new values, the typed `suggestion` / `assignment` /
`unit` links) written in the same transaction.

Refusals raise `minyi.core.errors` errors: `NotPermitted`, `InvalidTransition` (wrong state),
`ValidationFailed` (bad input, with a `code`; `FieldErrors` when it is about one field, so a form can
show it next to the field). Nothing is changed when an action refuses.

Decisions and extensions of deadlines stay with the suggestion actions
(`do_approve_extension`, `do_approve_reassignment` …): the supervision board calls those.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rules
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi import audit
from minyi.accounts.models import Membership
from minyi.congress.actions import FieldErrors, ensure_policy
from minyi.congress.models import Congress, Deputy, Unit
from minyi.core import kit
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.core.kit import Actor, Ctx, authorize, clean_text, same_congress
from minyi.suggestions.models import Assignment, Suggestion
from minyi.suggestions.services import deadlines as deadline_writes
from minyi.suggestions.states import AssignmentState
from minyi.workdays.services import MAX_YEAR, MIN_YEAR, get_calendar

from . import selectors
from .models import (
    ATTACHMENT_KINDS,
    Check,
    DeputyView,
    Inspection,
    Instruction,
    KeyTheme,
    RecordAttachment,
    SupervisionRecord,
    TaskForceMember,
    ThemeSuggestion,
)
from .rules import forget_task_force_cache

if TYPE_CHECKING:
    from minyi.accounts.models import User

THEME_FIELDS = [
    "year",
    "name",
    "supervising_leader",
    "supervising_leader_name",
    "lead_unit",
    "plan",
    "active",
]


# --- helpers ---------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _text(value: str | None, field: str, message: str, *, code: str = "required", limit: int = 0) -> str:
    """Required text, as FieldErrors on `field` (`kit.clean_text`)."""
    return clean_text(value, message, code=code, limit=limit or None, field=field)


def _active_unit(congress: Congress, unit: Unit | None, field: str) -> None:
    if unit is None:
        return
    same_congress(congress, unit, _("单位"), field=field)
    if not unit.active:
        raise FieldErrors({field: _("单位“%(u)s”已停用。") % {"u": unit}}, code="inactive")


def _not_future(day: datetime.date | None, field: str, what: str) -> datetime.date:
    if day is None:
        raise FieldErrors({field: _("请填写%(what)s。") % {"what": what}}, code="date_required")
    if day > _today():
        raise FieldErrors({field: _("%(what)s不能晚于今天。") % {"what": what}}, code="date_in_future")
    return day


def _due(
    day: datetime.date | None, field: str, *, after: datetime.date, after_what: str
) -> datetime.date | None:
    if day is None:
        return None
    if day < _today():
        raise FieldErrors({field: _("时限不能早于今天。")}, code="due_in_past")
    if day < after:
        raise FieldErrors(
            {field: _("时限不能早于%(what)s（%(d)s）。") % {"what": after_what, "d": after}},
            code="due_before_start",
        )
    return day


def _supervisable(suggestion: Suggestion, field: str = "suggestion") -> None:
    if suggestion.state not in selectors.SUPERVISABLE_STATES:
        raise FieldErrors(
            {
                field: _("只有已立案的建议才能列入督办（该建议当前为“%(s)s”）。")
                % {"s": suggestion.get_state_display()}
            },
            code="not_accepted",
        )


# --- deadlines: explicit recalculation ---------------------------------------------------------------


@dataclass
class Recalculation:
    changed: list[selectors.Change]
    calendar_version: str


@transaction.atomic
def do_recalculate_deadlines(
    congress: Congress, *, actor: Actor, reason: str, expected: str | None = None
) -> Recalculation:
    """Recompute every open deadline of `congress` with today's policy and working-day calendar and
    store the new due dates (deadlines never move by themselves when the policy or the calendar
    changes). Fixed dates — commitments and approved extensions — are left alone. Each changed
    deadline gets an audit row ``deadline.recalculated`` (old → new due date, rule and calendar
    version); the run gets one ``deadlines.recalculated``. A unit's reply date follows its reply
    deadline. `expected` is the token of the preview the admin confirmed: if the outcome differs
    now (someone changed the policy, the calendar or a deadline meanwhile) nothing is changed."""
    authorize(actor, "supervision.recalculate_deadlines", congress, _("只有人大管理员可以重新计算期限。"))
    reason = _text(
        reason, "reason", _("请写明重新计算的原因（如“国务院公布了新的放假安排”）。"), code="reason_required"
    )
    policy, calendar, today = ensure_policy(congress), get_calendar(congress), _today()
    # Lock in the same order as the suggestion actions: suggestions first, then their rows.
    deadline_writes.lock_open_deadline_suggestions(congress)
    preview = selectors.recalculation_preview(congress, policy=policy, calendar=calendar, today=today)
    if expected is not None and expected != preview.token:
        raise ValidationFailed(
            _("预览之后，规则、日历或期限又有变化，请重新预览后再确认。"), code="preview_outdated"
        )
    if not preview.changes:
        raise ValidationFailed(
            _("按现行规则和日历计算，所有未到期的期限都无需改变。"), code="nothing_to_recalculate"
        )
    ctx = Ctx(actor=actor, congress=congress)
    kit.record(
        ctx,
        "deadlines.recalculated",
        obj=policy,
        new={
            "changed": len(preview.changes),
            "unchanged": preview.unchanged,
            "fixed": preview.fixed,
            "calendar_version": calendar.version,
            "policy": audit.snapshot(
                policy, [f for f in policy.EDITABLE if f.endswith(("_days", "_months"))]
            ),
        },
        note=reason,
    )
    for change in preview.changes:
        moved = deadline_writes.move_deadline(
            change.deadline,
            new_due=change.new_due,
            old_due=change.old_due,
            calendar=calendar,
            rule=change.new_rule,
        )
        d = moved.deadline
        old = {
            "due_on": moved.old_due_on,
            "rule": moved.old_rule,
            "calendar_revisions": moved.old_calendar_revisions,
        }
        _record_moved(ctx, change.deadline, d, old=old, reason=reason)
    return Recalculation(preview.changes, calendar.version)


def _record_moved(ctx: Ctx, deadline: Any, moved: Any, *, old: dict, reason: str, **extra: Any) -> None:
    """The audit row of one deadline moved by a recalculation or a calendar recomputation: the same
    code and shape for both (the recomputation adds whether an approved extension moved)."""
    assignment = deadline.assignment
    kit.record(
        ctx,
        "deadline.recalculated",
        obj=moved,
        unit=assignment.unit if assignment is not None else None,
        suggestion=deadline.suggestion,
        assignment=assignment,
        old=old,
        new={
            "due_on": moved.due_on,
            "rule": moved.rule,
            "calendar_revisions": moved.calendar_revisions,
            "kind": moved.kind,
            **extra,
        },
        note=reason,
    )


@dataclass
class CalendarRecomputation:
    changed: list[selectors.CalendarChange]
    congresses: list[Congress]


@transaction.atomic
def do_recompute_deadlines(
    *,
    actor: Actor,
    years: Iterable[int],
    reason: str,
    congress: Congress | None = None,
    expected: str | None = None,
) -> CalendarRecomputation:
    """After the calendar of `years` was completed or edited, move the open deadlines whose due date
    the current calendar changes (`selectors.calendar_recompute_preview`, which the admin saw:
    `expected` is its token — if the outcome differs now, nothing is changed). National (no
    `congress`): platform administrators, every congress; a congress's local closures: that
    congress's admins, that congress only. In each affected congress: one ``deadlines.recomputed``
    row for the run and one ``deadline.recalculated`` row per moved deadline (old → new date and the
    calendar revisions used) — the notification scan tells the unit and, for reply dates, the lead
    deputy from those rows, once each. A unit's reply date follows its reply deadline."""
    from minyi.workdays.rules import can_manage_calendar, can_manage_local_closures
    from minyi.workdays.services import get_calendar

    if congress is None:
        if actor is None or not can_manage_calendar(actor):
            raise NotPermitted(_("只有平台管理员可以按全国日历重新计算期限。"))
    elif actor is None or not (can_manage_local_closures(actor, congress) or can_manage_calendar(actor)):
        raise NotPermitted(_("只有本人大的管理员可以重新计算本人大的期限。"))
    years = sorted({int(y) for y in years if MIN_YEAR <= int(y) <= MAX_YEAR})
    if not years:
        raise ValidationFailed(_("请选择要重新计算的年度。"), code="years_required")
    reason = _text(
        reason, "reason", _("请写明重新计算的原因（如“国务院公布了新的放假安排”）。"), code="reason_required"
    )
    first = selectors.calendar_recompute_preview(years, congress=congress)
    # Lock in the same order as the suggestion actions: suggestions first, then their rows.
    deadline_writes.lock_suggestions(c.deadline.suggestion_id for c in first.changes)
    preview = selectors.calendar_recompute_preview(years, congress=congress)
    if expected is not None and expected != preview.token:
        raise ValidationFailed(
            _("预览之后，日历或期限又有变化，请重新预览后再确认。"), code="preview_outdated"
        )
    if not preview.changes:
        raise ValidationFailed(
            _("按现行日历计算，所有未结束的期限都无需改变。"), code="nothing_to_recalculate"
        )
    correlation_id = uuid.uuid4()
    by_congress: dict[int, list[selectors.CalendarChange]] = {}
    for change in preview.changes:
        by_congress.setdefault(change.deadline.congress_id, []).append(change)
    for changes in by_congress.values():
        where = changes[0].deadline.congress
        ctx = Ctx(actor=actor, congress=where, correlation_id=correlation_id)
        kit.record(
            ctx,
            "deadlines.recomputed",
            obj=where,
            new={
                "years": years,
                "scope": "local" if congress is not None else "national",
                "changed": [
                    {"deadline": c.deadline.pk, "old": c.old_due, "new": c.new_due, "extension": c.extension}
                    for c in changes
                ],
            },
            note=reason,
        )
        calendar = get_calendar(where)
        for change in changes:
            moved = deadline_writes.move_deadline(
                change.deadline, new_due=change.new_due, old_due=change.old_due, calendar=calendar
            )
            d = moved.deadline
            old = {"due_on": moved.old_due_on, "calendar_revisions": moved.old_calendar_revisions}
            _record_moved(ctx, change.deadline, d, old=old, reason=reason, extension=change.extension)
    return CalendarRecomputation(preview.changes, preview.congresses)


# --- key themes ------------------------------------------------------------------------------------


def _check_theme(congress: Congress, theme: KeyTheme, changed: Iterable[str] | None = None) -> None:
    """Validate a new or changed theme; references are checked only when they changed (an edit of
    the plan must not fail because the lead unit was deactivated since)."""
    changed = set(THEME_FIELDS if changed is None else changed)
    errors: dict[str, list[str]] = {}
    theme.name = (theme.name or "").strip()
    theme.supervising_leader_name = (theme.supervising_leader_name or "").strip()
    theme.plan = (theme.plan or "").strip()
    if not theme.name:
        errors["name"] = [_("请填写督办主题名称。")]
    elif len(theme.name) > 100:
        errors["name"] = [_("不能超过%(n)s个字。") % {"n": 100}]
    if not isinstance(theme.year, int) or not MIN_YEAR <= theme.year <= MAX_YEAR:
        errors["year"] = [_("请填写%(a)s至%(b)s之间的年度。") % {"a": MIN_YEAR, "b": MAX_YEAR}]
    if theme.supervising_leader_id is None and not theme.supervising_leader_name:
        errors["supervising_leader_name"] = [_("请填写领衔督办的领导（选择账号或填写姓名职务）。")]
    if len(theme.supervising_leader_name) > 100:
        errors["supervising_leader_name"] = [_("不能超过%(n)s个字。") % {"n": 100}]
    if (
        "supervising_leader" in changed
        and theme.supervising_leader_id is not None
        and not Membership.objects.filter(
            user_id=theme.supervising_leader_id, congress=congress, active=True
        ).exists()
    ):
        errors["supervising_leader"] = [_("所选领导在本人大没有账号角色。")]
    if errors:
        raise FieldErrors(errors, code="invalid_theme")
    if "lead_unit" in changed:
        _active_unit(congress, theme.lead_unit, "lead_unit")
    if (
        KeyTheme.objects.filter(congress=congress, year=theme.year, name=theme.name)
        .exclude(pk=theme.pk)
        .exists()
    ):
        raise FieldErrors(
            {"name": _("%(y)s年已有督办主题“%(n)s”。") % {"y": theme.year, "n": theme.name}},
            code="duplicate_theme",
        )


@transaction.atomic
def do_create_theme(
    congress: Congress,
    *,
    actor: Actor,
    year: int,
    name: str,
    supervising_leader: Any = None,
    supervising_leader_name: str = "",
    lead_unit: Unit | None = None,
    plan: str = "",
) -> KeyTheme:
    """A key theme of the year (重点督办), as the chair's meeting decided it."""
    authorize(actor, "supervision.manage_themes", congress, _("只有人大管理员可以设定重点督办主题。"))
    theme = KeyTheme(
        congress=congress,
        year=year,
        name=name,
        supervising_leader=supervising_leader,
        supervising_leader_name=supervising_leader_name,
        lead_unit=lead_unit,
        plan=plan,
        created_by=actor,
    )
    _check_theme(congress, theme)
    theme.save()
    kit.record(
        Ctx(actor=actor, congress=congress),
        "theme.created",
        obj=theme,
        unit=theme.lead_unit,
        new=audit.snapshot(theme, THEME_FIELDS),
    )
    return theme


@transaction.atomic
def do_update_theme(theme: KeyTheme, *, actor: Actor, changes: Mapping[str, Any]) -> KeyTheme:
    """Change a theme's fields (names in `THEME_FIELDS`; foreign keys as instances). Nothing changed:
    no audit row. Ending the supervision of a theme is `changes={"active": False}`."""
    theme = KeyTheme.objects.select_for_update(of=("self",)).select_related("congress").get(pk=theme.pk)
    congress = theme.congress
    authorize(actor, "supervision.manage_themes", congress, _("只有人大管理员可以修改重点督办主题。"))
    unknown = set(changes) - set(THEME_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("未知的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field"
        )
    old_values = audit.snapshot(theme, list(changes))
    for name, value in changes.items():
        setattr(theme, name, value.strip() if isinstance(value, str) else value)
    changed = [name for name in changes if audit.snapshot(theme, [name])[name] != old_values[name]]
    if not changed:
        return theme
    _check_theme(congress, theme, changed)
    theme.save()
    kit.record(
        Ctx(actor=actor, congress=congress),
        "theme.updated",
        obj=theme,
        unit=theme.lead_unit,
        old={k: old_values[k] for k in changed},
        new=audit.snapshot(theme, changed),
    )
    return theme


def _lock_theme(theme: KeyTheme) -> KeyTheme:
    return KeyTheme.objects.select_for_update(of=("self",)).select_related("congress").get(pk=theme.pk)


def _open_theme(theme: KeyTheme) -> None:
    if not theme.active:
        raise InvalidTransition(_("督办主题“%(t)s”已结束督办。") % {"t": theme.name}, code="theme_closed")


@transaction.atomic
def do_add_theme_suggestion(theme: KeyTheme, *, actor: Actor, suggestion: Suggestion) -> ThemeSuggestion:
    """Make an accepted suggestion a member of the theme (重点督办建议)."""
    theme = _lock_theme(theme)
    congress = theme.congress
    authorize(actor, "supervision.manage_themes", congress, _("只有人大管理员可以调整督办主题的建议。"))
    _open_theme(theme)
    if suggestion is None:
        raise FieldErrors({"suggestion": _("请选择建议。")}, code="suggestion_required")
    same_congress(congress, suggestion, _("建议"), field="suggestion")
    _supervisable(suggestion)
    if ThemeSuggestion.objects.filter(theme=theme, suggestion=suggestion).exists():
        raise FieldErrors(
            {"suggestion": _("该建议已在督办主题“%(t)s”中。") % {"t": theme.name}}, code="already_member"
        )
    member = ThemeSuggestion.objects.create(theme=theme, suggestion=suggestion, added_by=actor)
    kit.record(
        Ctx(actor=actor, congress=congress),
        "theme.suggestion_added",
        obj=theme,
        suggestion=suggestion,
        new={"theme": theme.pk, "name": theme.name, "year": theme.year},
    )
    return member


@transaction.atomic
def do_remove_theme_suggestion(
    theme: KeyTheme, *, actor: Actor, suggestion: Suggestion, reason: str = ""
) -> None:
    """Take a suggestion out of the theme."""
    theme = _lock_theme(theme)
    congress = theme.congress
    authorize(actor, "supervision.manage_themes", congress, _("只有人大管理员可以调整督办主题的建议。"))
    _open_theme(theme)
    member = ThemeSuggestion.objects.filter(theme=theme, suggestion=suggestion).first()
    if member is None:
        raise ValidationFailed(_("该建议不在督办主题“%(t)s”中。") % {"t": theme.name}, code="not_a_member")
    member.delete()
    kit.record(
        Ctx(actor=actor, congress=congress),
        "theme.suggestion_removed",
        obj=theme,
        suggestion=suggestion,
        old={"theme": theme.pk, "name": theme.name, "year": theme.year},
        note=(reason or "").strip(),
    )


# --- supervision records ---------------------------------------------------------------------------


@transaction.atomic
def do_add_supervision_record(  # noqa: C901, PLR0912
    target: KeyTheme | Suggestion | Instruction,
    *,
    actor: Actor,
    kind: str,
    held_on: datetime.date,
    participants: str,
    findings: str,
    requirements: str = "",
    deputies: Iterable[Deputy] = (),
    place: str = "",
    unit: Unit | None = None,
    respond_by: datetime.date | None = None,
) -> SupervisionRecord:
    """A supervision record (督办记录) on a key theme, a suggestion, or a leader's instruction (the
    inspection office's special supervision): method, date, who took part (deputies too), findings,
    requirements and — if the unit must answer — the unit and the time limit for its answer.
    Theme records default to the theme's lead unit."""
    record = SupervisionRecord(kind=kind, recorded_by=actor)
    if isinstance(target, KeyTheme):
        theme = _lock_theme(target)
        congress = theme.congress
        record.theme = theme
        if unit is None and respond_by is not None:
            unit = theme.lead_unit
    elif isinstance(target, Instruction):
        instruction = (
            Instruction.objects.select_for_update(of=("self",))
            .select_related("congress", "suggestion")
            .get(pk=target.pk)
        )
        congress = instruction.congress
        record.instruction, record.suggestion = instruction, instruction.suggestion
    elif isinstance(target, Suggestion):
        suggestion = Suggestion.objects.select_related("congress").get(pk=target.pk)
        congress = suggestion.congress
        record.suggestion = suggestion
    else:
        raise ValidationFailed(_("督办记录须针对督办主题、建议或领导批示。"), code="bad_target")
    record.congress = congress
    authorize(
        actor,
        "supervision.add_record",
        congress,
        _("只有常委会领导、代表工委、督查考核室或督导专班成员可以登记督办记录。"),
    )
    if record.theme is not None:
        _open_theme(record.theme)
    if record.instruction is not None and not record.instruction.is_open:
        raise InvalidTransition(_("该批示的专项督查已结束。"), code="instruction_concluded")
    if record.suggestion is not None and record.theme is None:
        _supervisable(record.suggestion, "__all__")
    if kind not in SupervisionRecord.Kind.values:
        raise FieldErrors({"kind": _("请选择督办方式。")}, code="bad_kind")
    record.held_on = _not_future(held_on, "held_on", _("督办日期"))
    record.participants = _text(
        participants, "participants", _("请填写参加人员。"), code="participants_required"
    )
    record.findings = _text(findings, "findings", _("请填写发现的问题。"), code="findings_required")
    record.requirements = (requirements or "").strip()
    record.place = (place or "").strip()[:200]
    _active_unit(congress, unit, "unit")
    record.unit = unit
    if respond_by is not None:
        if unit is None:
            raise FieldErrors({"unit": _("设定反馈时限时须选择被督办单位。")}, code="unit_required")
        if not record.requirements:
            raise FieldErrors(
                {"requirements": _("设定反馈时限时须写明督办要求。")}, code="requirements_required"
            )
    record.respond_by = _due(respond_by, "respond_by", after=record.held_on, after_what=_("督办日期"))
    deputies = list(deputies)
    for deputy in deputies:
        same_congress(congress, deputy, _("代表"), field="deputies")
    record.save()
    record.deputies.set(deputies)
    kit.record(
        Ctx(actor=actor, congress=congress),
        "supervision.recorded",
        obj=record,
        unit=record.unit,
        suggestion=record.suggestion,
        new={
            "kind": record.kind,
            "held_on": record.held_on,
            "theme": record.theme_id,
            "instruction": record.instruction_id,
            "unit": record.unit_id,
            "respond_by": record.respond_by,
            "deputies": [d.pk for d in deputies],
        },
        note=record.findings,
    )
    return record


@transaction.atomic
def do_record_unit_response(record: SupervisionRecord, *, actor: Actor, response: str) -> SupervisionRecord:
    """The supervised unit's answer (承办单位反馈) to a supervision record — written by the unit's staff,
    or entered for them by those who may record supervision. A later answer replaces the earlier
    one (both stay in the audit trail)."""
    record = (
        SupervisionRecord.objects.select_for_update(of=("self",))
        .select_related("congress", "unit", "suggestion")
        .get(pk=record.pk)
    )
    authorize(actor, "supervision.respond_record", record, _("只有被督办单位的工作人员可以反馈。"))
    if record.unit_id is None:
        raise ValidationFailed(_("该督办记录没有指定被督办单位，无需反馈。"), code="no_unit")
    response = _text(response, "response", _("请填写反馈内容。"), code="response_required")
    old = {"unit_response": record.unit_response, "responded_at": record.responded_at}
    record.unit_response, record.responded_by, record.responded_at = response, actor, timezone.now()
    record.save(update_fields=["unit_response", "responded_by", "responded_at"])
    on_time = record.respond_by is None or timezone.localdate(record.responded_at) <= record.respond_by
    kit.record(
        Ctx(actor=actor, congress=record.congress),
        "supervision.unit_responded",
        obj=record,
        unit=record.unit,
        suggestion=record.suggestion,
        old=old if old["responded_at"] else None,
        new={"unit_response": response, "on_time": on_time},
    )
    return record


@transaction.atomic
def do_add_record_attachment(
    record: SupervisionRecord, *, actor: Actor, upload: File, kind: str = "other", name: str | None = None
) -> RecordAttachment:
    """A photo or the minutes of a supervision record. The file is checked on its content like the
    suggestions' attachments (PDF, office documents, images) and stored under a generated name."""
    from minyi.suggestions.actions.attachments import _display_name, _inspect

    record = (
        SupervisionRecord.objects.select_for_update(of=("self",))
        .select_related("congress", "suggestion", "unit")
        .get(pk=record.pk)
    )
    if not (
        rules.has_perm("supervision.add_record", actor, record.congress)
        or rules.has_perm("supervision.respond_record", actor, record)
    ):
        raise NotPermitted(_("只有登记督办的人员或被督办单位可以上传材料。"))
    if kind not in dict(ATTACHMENT_KINDS):
        raise FieldErrors({"kind": _("请选择材料类型。")}, code="bad_kind")
    mime, size, sha256 = _inspect(upload)
    attachment = RecordAttachment(
        record=record,
        kind=kind,
        original_name=_display_name(name or getattr(upload, "name", "") or ""),
        content_type=mime,
        size=size,
        sha256=sha256,
        uploaded_by=actor,
    )
    attachment.file.save("upload", upload, save=False)
    stored = attachment.file.name or ""
    try:
        attachment.save()
        kit.record(
            Ctx(actor=actor, congress=record.congress),
            "supervision.attachment_added",
            obj=attachment,
            unit=record.unit,
            suggestion=record.suggestion,
            new={
                "record": record.pk,
                "name": attachment.original_name,
                "kind": kind,
                "type": mime,
                "size": size,
                "sha256": sha256,
            },
        )
    except BaseException:
        attachment.file.storage.delete(stored)
        raise
    return attachment


# --- task force ------------------------------------------------------------------------------------


@transaction.atomic
def do_add_task_force_member(
    congress: Congress, *, actor: Actor, user: Any, note: str = ""
) -> TaskForceMember:
    """Designate a member of the supervision task force (督导专班). They must hold a role in the congress."""
    authorize(actor, "supervision.manage_task_force", congress, _("只有人大管理员可以调整督导专班成员。"))
    if user is None:
        raise FieldErrors({"user": _("请选择成员。")}, code="user_required")
    if (
        not Membership.objects.filter(user=user, congress=congress, active=True).exists()
        or not user.is_active
    ):
        raise FieldErrors({"user": _("%(u)s在本人大没有有效的账号角色。") % {"u": user}}, code="not_a_member")
    if (
        TaskForceMember.objects.select_for_update(of=("self",))
        .filter(congress=congress, user=user, removed_at__isnull=True)
        .exists()
    ):
        raise FieldErrors({"user": _("%(u)s已是督导专班成员。") % {"u": user}}, code="already_member")
    member = TaskForceMember.objects.create(
        congress=congress, user=user, note=(note or "").strip()[:200], added_by=actor
    )
    forget_task_force_cache(user)
    kit.record(
        Ctx(actor=actor, congress=congress),
        "taskforce.member_added",
        obj=member,
        target_user=user,
        new={"user": user.pk, "note": member.note},
    )
    return member


@transaction.atomic
def do_remove_task_force_member(
    member: TaskForceMember, *, actor: Actor, reason: str = ""
) -> TaskForceMember:
    member = (
        TaskForceMember.objects.select_for_update(of=("self",))
        .select_related("congress", "user")
        .get(pk=member.pk)
    )
    authorize(
        actor, "supervision.manage_task_force", member.congress, _("只有人大管理员可以调整督导专班成员。")
    )
    if member.removed_at is not None:
        raise InvalidTransition(_("%(u)s已不在督导专班。") % {"u": member.user}, code="already_removed")
    member.removed_at, member.removed_by = timezone.now(), actor
    member.save(update_fields=["removed_at", "removed_by"])
    forget_task_force_cache(member.user)
    kit.record(
        Ctx(actor=actor, congress=member.congress),
        "taskforce.member_removed",
        obj=member,
        target_user=member.user,
        old={"user": member.user_id},
        note=(reason or "").strip(),
    )
    return member


# --- inspections -----------------------------------------------------------------------------------


def _check_value(value: str, field: str, what: str) -> str:
    if value not in Check.values:
        raise FieldErrors({field: _("请选择：%(what)s。") % {"what": what}}, code="check_required")
    return value


@transaction.atomic
def do_record_inspection(
    assignment: Assignment,
    *,
    actor: User,
    kind: str,
    inspected_on: datetime.date,
    contacted: str,
    reply_real: str,
    solved: str,
    findings: str,
    required_action: str = "",
    due_on: datetime.date | None = None,
    deputy_view: str = DeputyView.UNKNOWN,
    deputy_opinion: str = "",
) -> Inspection:
    """A task-force inspection (督导检查) of one unit's handling, routine or surprise: did the unit
    really contact the deputy, is the reply true, is the problem solved; what it must put right by
    when; and whether the deputy agrees."""
    assignment = Assignment.objects.select_related("suggestion__congress", "unit").get(pk=assignment.pk)
    suggestion = assignment.suggestion
    congress = suggestion.congress
    authorize(actor, "supervision.inspect", congress, _("只有督导专班成员可以登记督导检查。"))
    if assignment.state == AssignmentState.CANCELLED:
        raise InvalidTransition(_("该交办已调整撤销，不能再检查。"), code="assignment_cancelled")
    if kind not in Inspection.Kind.values:
        raise FieldErrors({"kind": _("请选择检查方式。")}, code="bad_kind")
    inspected_on = _not_future(inspected_on, "inspected_on", _("检查日期"))
    if inspected_on < assignment.assigned_on:
        raise FieldErrors(
            {"inspected_on": _("检查日期不能早于交办日期（%(d)s）。") % {"d": assignment.assigned_on}},
            code="before_assignment",
        )
    checks = {
        "contacted": _check_value(contacted, "contacted", _("是否真正联系了代表")),
        "reply_real": _check_value(reply_real, "reply_real", _("答复内容是否属实")),
        "solved": _check_value(solved, "solved", _("问题是否解决")),
    }
    findings = _text(findings, "findings", _("请填写检查发现。"), code="findings_required")
    required_action = (required_action or "").strip()
    if due_on is not None and not required_action:
        raise FieldErrors({"required_action": _("设定整改时限时须写明整改要求。")}, code="action_required")
    due_on = _due(due_on, "due_on", after=inspected_on, after_what=_("检查日期"))
    if deputy_view not in DeputyView.values:
        raise FieldErrors({"deputy_view": _("请选择代表是否认可。")}, code="bad_deputy_view")
    deputy_opinion = (deputy_opinion or "").strip()
    if deputy_view == DeputyView.DISAGREES and not deputy_opinion:
        raise FieldErrors({"deputy_opinion": _("代表不认可时，请记录代表的意见。")}, code="opinion_required")
    inspection = Inspection.objects.create(
        congress=congress,
        suggestion=suggestion,
        assignment=assignment,
        kind=kind,
        inspected_on=inspected_on,
        findings=findings,
        required_action=required_action,
        due_on=due_on,
        deputy_view=deputy_view,
        deputy_opinion=deputy_opinion,
        inspector=actor,
        **checks,
    )
    kit.record(
        Ctx(actor=actor, congress=congress),
        "inspection.recorded",
        obj=inspection,
        unit=assignment.unit,
        suggestion=suggestion,
        assignment=assignment,
        new={
            "kind": kind,
            "inspected_on": inspected_on,
            **checks,
            # what the unit must put right: the unit is told and it joins its 待办 (issue #12)
            "action_required": bool(required_action),
            "required_action": required_action,
            "due_on": due_on,
            "deputy_view": deputy_view,
        },
        note=findings,
    )
    return inspection


def _lock_inspection(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("congress", "suggestion", "assignment__unit")
        .get(pk=inspection.pk)
    )


@transaction.atomic
def do_answer_inspection(inspection: Inspection, *, actor: Actor, answer: str) -> Inspection:
    """The inspected unit's answer to what the task force required (整改反馈)."""
    inspection = _lock_inspection(inspection)
    authorize(
        actor, "supervision.answer_inspection", inspection, _("只有被检查单位的工作人员可以反馈整改情况。")
    )
    if not inspection.required_action:
        raise ValidationFailed(_("该检查没有整改要求，无需反馈。"), code="nothing_to_answer")
    answer = _text(answer, "answer", _("请填写整改情况。"), code="answer_required")
    old = {"unit_answer": inspection.unit_answer, "answered_at": inspection.answered_at}
    inspection.unit_answer, inspection.answered_by, inspection.answered_at = answer, actor, timezone.now()
    inspection.save(update_fields=["unit_answer", "answered_by", "answered_at"])
    on_time = inspection.due_on is None or timezone.localdate(inspection.answered_at) <= inspection.due_on
    kit.record(
        Ctx(actor=actor, congress=inspection.congress),
        "inspection.answered",
        obj=inspection,
        unit=inspection.assignment.unit,
        suggestion=inspection.suggestion,
        assignment=inspection.assignment,
        old=old if old["answered_at"] else None,
        new={"unit_answer": answer, "on_time": on_time},
    )
    return inspection


@transaction.atomic
def do_record_deputy_view(
    inspection: Inspection, *, actor: Actor, view: str, opinion: str = ""
) -> Inspection:
    """Whether the deputy agrees with the unit's handling (代表认不认可), as the task force heard it."""
    inspection = _lock_inspection(inspection)
    authorize(
        actor,
        "supervision.record_deputy_view",
        inspection.congress,
        _("只有督导专班成员或督查考核室可以登记代表意见。"),
    )
    if view not in DeputyView.values or view == DeputyView.UNKNOWN:
        raise FieldErrors({"view": _("请选择代表是否认可。")}, code="bad_deputy_view")
    opinion = (opinion or "").strip()
    if view == DeputyView.DISAGREES and not opinion:
        raise FieldErrors({"opinion": _("代表不认可时，请记录代表的意见。")}, code="opinion_required")
    old = {"deputy_view": inspection.deputy_view, "deputy_opinion": inspection.deputy_opinion}
    if old == {"deputy_view": view, "deputy_opinion": opinion}:
        return inspection
    inspection.deputy_view, inspection.deputy_opinion = view, opinion
    inspection.save(update_fields=["deputy_view", "deputy_opinion"])
    kit.record(
        Ctx(actor=actor, congress=inspection.congress),
        "inspection.deputy_view_recorded",
        obj=inspection,
        unit=inspection.assignment.unit,
        suggestion=inspection.suggestion,
        assignment=inspection.assignment,
        old=old,
        new={"deputy_view": view, "deputy_opinion": opinion},
    )
    return inspection


# --- leader instructions ---------------------------------------------------------------------------


@transaction.atomic
def do_record_instruction(
    suggestion: Suggestion,
    *,
    actor: User,
    leader_name: str,
    leader_title: str = "",
    instructed_on: datetime.date,
    text: str,
    due_on: datetime.date | None = None,
) -> Instruction:
    """A leader's written instruction (批示) on a suggestion: it puts the suggestion under special
    supervision by the inspection office until the office concludes it."""
    suggestion = (
        Suggestion.objects.select_for_update(no_key=True, of=("self",))
        .select_related("congress")
        .get(pk=suggestion.pk)
    )
    congress = suggestion.congress
    authorize(
        actor, "supervision.record_instruction", congress, _("只有督查考核室或代表工委可以登记领导批示。")
    )
    _supervisable(suggestion, "__all__")
    leader_name = _text(
        leader_name, "leader_name", _("请填写批示领导的姓名。"), code="leader_required", limit=64
    )
    leader_title = (leader_title or "").strip()[:100]
    instructed_on = _not_future(instructed_on, "instructed_on", _("批示日期"))
    text = _text(text, "text", _("请填写批示内容。"), code="text_required")
    due_on = _due(due_on, "due_on", after=instructed_on, after_what=_("批示日期"))
    instruction = Instruction.objects.create(
        congress=congress,
        suggestion=suggestion,
        leader_name=leader_name,
        leader_title=leader_title,
        instructed_on=instructed_on,
        text=text,
        due_on=due_on,
        recorded_by=actor,
    )
    kit.record(
        Ctx(actor=actor, congress=congress),
        "instruction.recorded",
        obj=instruction,
        suggestion=suggestion,
        new={
            "leader_name": leader_name,
            "leader_title": leader_title,
            "instructed_on": instructed_on,
            "due_on": due_on,
        },
        note=text,
    )
    return instruction


@transaction.atomic
def do_conclude_instruction(instruction: Instruction, *, actor: Actor, conclusion: str) -> Instruction:
    """The inspection office ends the special supervision with its conclusion."""
    instruction = (
        Instruction.objects.select_for_update(of=("self",))
        .select_related("congress", "suggestion")
        .get(pk=instruction.pk)
    )
    authorize(
        actor,
        "supervision.conclude_instruction",
        instruction.congress,
        _("只有督查考核室或人大管理员可以结束专项督查。"),
    )
    if not instruction.is_open:
        raise InvalidTransition(_("该批示的专项督查已经结束。"), code="already_concluded")
    conclusion = _text(conclusion, "conclusion", _("请填写督查结论。"), code="conclusion_required")
    instruction.concluded_at, instruction.concluded_by, instruction.conclusion = (
        timezone.now(),
        actor,
        conclusion,
    )
    instruction.save(update_fields=["concluded_at", "concluded_by", "conclusion"])
    kit.record(
        Ctx(actor=actor, congress=instruction.congress),
        "instruction.concluded",
        obj=instruction,
        suggestion=instruction.suggestion,
        new={"concluded_on": timezone.localdate(instruction.concluded_at)},
        note=conclusion,
    )
    return instruction


__all__ = [
    "Recalculation",
    "do_add_record_attachment",
    "do_add_supervision_record",
    "do_add_task_force_member",
    "do_add_theme_suggestion",
    "do_answer_inspection",
    "do_conclude_instruction",
    "do_create_theme",
    "do_recalculate_deadlines",
    "do_record_deputy_view",
    "do_record_inspection",
    "do_record_instruction",
    "do_record_unit_response",
    "do_remove_task_force_member",
    "do_remove_theme_suggestion",
    "do_update_theme",
]
