"""Every change in the points app goes through a `do_*` action (or `sync_ledger`) here: permission
check (`rules.py`), validation, save and audit row (codes ``points.*``) in one transaction. A
refused call raises a `minyi.core.errors.DomainError` with a Chinese message and changes nothing.

The ledger is never edited by hand: `sync_ledger` rebuilds one congress-year from the sources
(`engine.compute_year`) and writes the difference, with one audit row listing it. The actions of this
app whose outcome changes points (approving a manual entry, deciding an objection, changing a rule)
rebuild the affected years in the same transaction; events of other apps (a suggestion accepted, an
award published, an event attended…) reach the ledger at the next synchronisation — `sync_all`, the
``points`` job of ``manage.py run_periodic``; the staff's "重新计算" button; or ``manage.py points
--recompute``.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import unicodedata
import uuid
from collections.abc import Iterable
from typing import Any

import filetype
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi import audit
from minyi.congress.models import Congress, Deputy
from minyi.core.errors import NotPermitted, ValidationFailed
from minyi.core.kit import Actor, authorize, clean_text, same_congress

from .engine import Diff, Entry, compute_year, diff
from .events import DEFAULT_RULES, DEFAULT_VALID_FROM, EVENT_BY_CODE, CapPeriod, PointsRole
from .models import LedgerEntry, LedgerSync, ManualEntry, MonthlyExpectation, Objection, PointsRule
from .states import INITIAL, MANUAL_ENTRY, OBJECTION, check_action, decide_action, review_action

RULE_FIELDS = ["event", "role", "points", "cap", "cap_period", "valid_from", "valid_to", "note"]
SIGNATURE_BYTES = 8192


# --- the ledger ------------------------------------------------------------------------------------


def _apply(congress: Congress, year: int, result: Diff, now: datetime.datetime) -> None:
    removed = [e.key for e in result.removed]
    if removed:
        LedgerEntry.objects.filter(congress=congress, year=year, key__in=removed).delete()
    updates = [new for _old, new in result.changed]
    moved = {
        r.key: r
        for r in LedgerEntry.objects.filter(congress=congress, key__in=[e.key for e in result.added]).exclude(
            year=year
        )
    }
    fresh = []
    for e in result.added:
        if e.key in moved:
            updates.append(e)
        else:
            fresh.append(
                LedgerEntry(congress=congress, key=e.key, created_at=now, updated_at=now, **_fields(e))
            )
    LedgerEntry.objects.bulk_create(fresh)
    for e in updates:
        LedgerEntry.objects.filter(congress=congress, key=e.key).update(updated_at=now, **_fields(e))


def _fields(e: Entry) -> dict[str, Any]:
    return {
        "deputy_id": e.deputy_id,
        "event": e.event,
        "role": e.role,
        "date": e.date,
        "year": e.year,
        "quarter": e.quarter,
        "points": e.points,
        "raw_points": e.raw_points,
        "rule_id": e.rule_id,
        "adjustment": e.adjustment,
        "description": e.description,
        "source": e.source,
    }


@transaction.atomic
def sync_ledger(
    congress: Congress,
    year: int,
    *,
    actor: Actor = None,
    today: datetime.date | None = None,
    correlation_id: uuid.UUID | None = None,
) -> Diff:
    """Rebuild the ledger of `congress` for `year` from the sources and write the difference (one
    audit row ``points.ledger_synced`` listing it, none when nothing changed). Returns the
    difference between the ledger as it was and the recomputation."""
    LedgerSync.objects.get_or_create(congress=congress, year=year)
    state = LedgerSync.objects.select_for_update().get(congress=congress, year=year)
    ensure_default_rules(congress)
    computed = compute_year(congress, year, today=today)
    stored = [Entry.from_row(r) for r in LedgerEntry.objects.filter(congress=congress, year=year)]
    result = diff(stored, computed)
    now = timezone.now()
    _apply(congress, year, result, now)
    state.synced_at, state.entries = now, len(computed)
    state.save(update_fields=["synced_at", "entries"])
    if result:
        audit.record(
            "points.ledger_synced",
            actor=actor,
            congress=congress,
            obj=state,
            new={"year": year, "difference": result.count, **result.as_dict()},
            correlation_id=correlation_id,
        )
    return result


def _sync_years(
    congress: Congress, years: Iterable[int], actor: Actor, correlation_id: uuid.UUID | None = None
) -> None:
    for year in sorted(set(years)):
        sync_ledger(congress, year, actor=actor, correlation_id=correlation_id)


def sync_all(*, today: datetime.date | None = None) -> dict[str, int]:
    """For the periodic job: rebuild the current year (and, in January, the last one) of every
    active congress. Returns the number of changed entries per congress code."""
    today = today or timezone.localdate()
    years = [today.year - 1, today.year] if today.month == 1 else [today.year]
    out = {}
    for congress in Congress.objects.filter(active=True).order_by("code"):
        out[congress.code] = sum(sync_ledger(congress, y, today=today).count for y in years)
    return out


# --- rules -----------------------------------------------------------------------------------------


@transaction.atomic
def ensure_default_rules(congress: Congress, *, actor: Actor = None) -> list[PointsRule]:
    """The default rule table (`events.DEFAULT_RULES`) for a congress that has no rules yet."""
    if PointsRule.objects.filter(congress=congress).exists():
        return []
    created = [
        PointsRule.objects.create(
            congress=congress,
            event=r.event,
            role=r.role,
            points=r.points,
            cap=r.cap,
            cap_period=r.cap_period,
            valid_from=DEFAULT_VALID_FROM,
            note=_("默认规则"),
            created_by=actor,
        )
        for r in DEFAULT_RULES
    ]
    audit.record(
        "points.rules_seeded",
        actor=actor,
        congress=congress,
        new=[audit.snapshot(r, RULE_FIELDS) for r in created],
    )
    return created


def _check_rule(rule: PointsRule) -> None:  # noqa: C901
    event = EVENT_BY_CODE.get(rule.event)
    if event is None:
        raise ValidationFailed(_("请选择履职事项。"), code="bad_event")
    if rule.role not in event.roles:
        raise ValidationFailed(
            _("“%(e)s”只能按以下角色计分：%(r)s。")
            % {"e": event.label, "r": "、".join(str(PointsRole(r).label) for r in event.roles)},
            code="bad_role",
        )
    if (
        isinstance(rule.points, bool)
        or not isinstance(rule.points, int)
        or rule.points == 0
        or not -100 <= rule.points <= 100
    ):
        raise ValidationFailed(_("分值须为-100至100之间、不为0的整数（扣分填负数）。"), code="bad_points")
    if rule.cap is not None:
        if isinstance(rule.cap, bool) or not isinstance(rule.cap, int) or not 1 <= rule.cap <= 1000:
            raise ValidationFailed(_("上限须为1至1000的整数。"), code="bad_cap")
        if rule.cap_period not in CapPeriod.values:
            raise ValidationFailed(
                _("设了上限，请选择上限周期（每季度或每年）。"), code="cap_period_required"
            )
    elif rule.cap_period:
        raise ValidationFailed(_("选了上限周期，请填写上限分数。"), code="cap_required")
    if rule.valid_from is None:
        raise ValidationFailed(_("请填写生效日期。"), code="valid_from_required")
    if rule.valid_to is not None and rule.valid_to < rule.valid_from:
        raise ValidationFailed(_("失效日期不能早于生效日期。"), code="dates_reversed")
    roles = Q(role=rule.role) | Q(role=PointsRole.ANY) if rule.role != PointsRole.ANY else Q()
    overlapping = (
        PointsRule.objects.filter(congress=rule.congress, event=rule.event)
        .filter(roles)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=rule.valid_from))
        .exclude(pk=rule.pk)
    )
    if rule.valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=rule.valid_to)
    clash = overlapping.first()
    if clash is not None:
        raise ValidationFailed(
            _("与现行规则（%(r)s，自%(f)s起）的有效期重叠：请先为原规则设定失效日期，或使用“调整分值”。")
            % {"r": clash, "f": clash.valid_from.isoformat()},
            code="overlap",
        )


def _affected_years(congress: Congress, start: datetime.date, end: datetime.date | None) -> set[int]:
    """Years of the congress's ledger that a rule valid from `start` to `end` touches: those already
    synchronised, and the current one."""
    today = timezone.localdate()
    last = min(end or today, today).year if (end or today) >= start else start.year
    known = set(LedgerSync.objects.filter(congress=congress).values_list("year", flat=True))
    years = {y for y in known if start.year <= y <= max(last, start.year)}
    if start <= today and (end is None or end >= datetime.date(today.year, 1, 1)):
        years.add(today.year)
    return years


@transaction.atomic
def do_add_rule(
    congress: Congress,
    *,
    actor: Actor,
    event: str,
    role: str,
    points: int,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    cap: int | None = None,
    cap_period: str = "",
    note: str = "",
) -> PointsRule:
    """A new rule. Its validity may not overlap another rule of the same event and role (a rule for
    "any role" overlaps every role)."""
    authorize(actor, "points.manage_rules", congress, _("只有人大管理员可以设定积分规则。"))
    ensure_default_rules(congress)
    rule = PointsRule(
        congress=congress,
        event=event,
        role=role,
        points=points,
        valid_from=valid_from,
        valid_to=valid_to,
        cap=cap,
        cap_period=cap_period or "",
        note=(note or "").strip()[:200],
        created_by=actor,
    )
    _check_rule(rule)
    rule.save()
    correlation_id = uuid.uuid4()
    audit.record(
        "points.rule_added",
        actor=actor,
        congress=congress,
        obj=rule,
        new=audit.snapshot(rule, RULE_FIELDS),
        correlation_id=correlation_id,
    )
    _sync_years(congress, _affected_years(congress, rule.valid_from, rule.valid_to), actor, correlation_id)
    return rule


@transaction.atomic
def do_end_rule(rule: PointsRule, *, actor: Actor, valid_to: datetime.date) -> PointsRule:
    """Set the last day on which `rule` applies."""
    rule = PointsRule.objects.select_for_update(of=("self",)).select_related("congress").get(pk=rule.pk)
    congress = rule.congress
    authorize(actor, "points.manage_rules", congress, _("只有人大管理员可以设定积分规则。"))
    if valid_to is None:
        raise ValidationFailed(_("请填写失效日期。"), code="valid_to_required")
    if valid_to < rule.valid_from:
        raise ValidationFailed(
            _("失效日期不能早于生效日期（%(d)s）。") % {"d": rule.valid_from.isoformat()},
            code="dates_reversed",
        )
    old = rule.valid_to
    if old == valid_to:
        return rule
    rule.valid_to = valid_to
    _check_rule(rule)
    rule.save(update_fields=["valid_to"])
    correlation_id = uuid.uuid4()
    audit.record(
        "points.rule_ended",
        actor=actor,
        congress=congress,
        obj=rule,
        old={"valid_to": old},
        new={"valid_to": valid_to},
        correlation_id=correlation_id,
    )
    start = min(valid_to, old) if old else valid_to
    _sync_years(congress, _affected_years(congress, start, None), actor, correlation_id)
    return rule


@transaction.atomic
def do_replace_rule(
    rule: PointsRule,
    *,
    actor: Actor,
    from_date: datetime.date,
    points: int,
    cap: int | None = None,
    cap_period: str = "",
    note: str = "",
) -> PointsRule:
    """调整分值: `rule` ends the day before `from_date` and a new rule with the new values starts
    then (same event and role, same end as the old rule)."""
    rule = PointsRule.objects.select_for_update(of=("self",)).select_related("congress").get(pk=rule.pk)
    congress = rule.congress
    authorize(actor, "points.manage_rules", congress, _("只有人大管理员可以设定积分规则。"))
    if from_date is None or from_date <= rule.valid_from:
        raise ValidationFailed(
            _("新分值的生效日期须晚于原规则的生效日期（%(d)s）。") % {"d": rule.valid_from.isoformat()},
            code="bad_from_date",
        )
    if rule.valid_to is not None and from_date > rule.valid_to:
        raise ValidationFailed(_("原规则在该日期前已失效。"), code="bad_from_date")
    old_end = rule.valid_to
    rule.valid_to = from_date - datetime.timedelta(days=1)
    rule.save(update_fields=["valid_to"])
    new = PointsRule(
        congress=congress,
        event=rule.event,
        role=rule.role,
        points=points,
        cap=cap,
        cap_period=cap_period or "",
        valid_from=from_date,
        valid_to=old_end,
        note=(note or "").strip()[:200],
        created_by=actor,
    )
    _check_rule(new)
    new.save()
    correlation_id = uuid.uuid4()
    audit.record(
        "points.rule_ended",
        actor=actor,
        congress=congress,
        obj=rule,
        old={"valid_to": old_end},
        new={"valid_to": rule.valid_to},
        correlation_id=correlation_id,
    )
    audit.record(
        "points.rule_added",
        actor=actor,
        congress=congress,
        obj=new,
        new=audit.snapshot(new, RULE_FIELDS),
        correlation_id=correlation_id,
    )
    _sync_years(congress, _affected_years(congress, from_date, old_end), actor, correlation_id)
    return new


# --- manual entries --------------------------------------------------------------------------------


def _display_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return base.strip()[:200] or _("佐证材料")


def inspect_evidence(upload: File) -> tuple[str, int, str]:
    """(MIME type, size, sha256) of an acceptable evidence file (checked on its content)."""
    from minyi.suggestions.models import ATTACHMENT_TYPES

    if upload is None:
        raise ValidationFailed(_("请上传佐证材料（照片、签到表或通知等）。"), code="evidence_required")
    limit = settings.MINYI_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size > limit:
        raise ValidationFailed(
            _("文件过大：最大%(mb)sMB。") % {"mb": round(limit / 1024 / 1024, 1)}, code="file_too_large"
        )
    if size == 0:
        raise ValidationFailed(_("文件是空的。"), code="file_empty")
    upload.seek(0)
    kind = filetype.guess(upload.read(SIGNATURE_BYTES))
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise ValidationFailed(
            _(
                "不支持的文件类型：只能上传PDF、Word、Excel、PowerPoint文档或图片（JPG、PNG、GIF、WebP、HEIC）。"
            ),
            code="file_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind.mime, size, digest.hexdigest()


@transaction.atomic
def do_submit_manual_entry(
    deputy: Deputy,
    *,
    actor: Actor,
    event: str,
    activity_date: datetime.date,
    title: str,
    evidence: File,
    description: str = "",
) -> ManualEntry:
    """Register an offline activity (线下履职) of `deputy` with evidence, for 初审 and 复核."""
    deputy = Deputy.objects.select_related("congress", "group").get(pk=deputy.pk)
    congress = deputy.congress
    authorize(
        actor,
        "points.submit_manual",
        deputy,
        _("只有代表本人、所在代表小组的联络站工作人员或代表工委工作人员可以登记。"),
    )
    move = MANUAL_ENTRY.check_move(INITIAL, "submit", actor=actor, congress=congress)
    spec = EVENT_BY_CODE.get(event)
    if spec is None or not spec.manual:
        raise ValidationFailed(_("请选择活动类别。"), code="bad_event")
    today = timezone.localdate()
    if activity_date is None:
        raise ValidationFailed(_("请填写活动日期。"), code="date_required")
    if activity_date > today:
        raise ValidationFailed(_("活动日期不能晚于今天。"), code="date_in_future")
    if not deputy.in_office_on(activity_date):
        raise ValidationFailed(
            _("%(d)s在%(day)s不在代表任期内。") % {"d": deputy.name, "day": activity_date.isoformat()},
            code="not_in_office",
        )
    title = clean_text(title, _("请填写活动名称。"), code="title_required", limit=100)
    mime, _size, sha256 = inspect_evidence(evidence)
    entry = ManualEntry(
        congress=congress,
        deputy=deputy,
        event=event,
        activity_date=activity_date,
        title=title,
        description=(description or "").strip(),
        evidence_name=_display_name(getattr(evidence, "name", "") or ""),
        evidence_type=mime,
        evidence_sha256=sha256,
        state=move.target,
        submitted_by=actor,
    )
    entry.evidence.save("evidence", evidence, save=False)
    stored = entry.evidence.name or ""
    entry.save()
    audit.record(
        "points.manual_submitted",
        actor=actor,
        congress=congress,
        obj=entry,
        target_user=deputy.user,
        new={
            "deputy": deputy.pk,
            "event": event,
            "activity_date": activity_date,
            "title": title,
            "evidence": {"name": entry.evidence_name, "sha256": sha256, "path": stored},
        },
    )
    return entry


def _lock_manual(entry: ManualEntry) -> ManualEntry:
    return (
        ManualEntry.objects.select_for_update(of=("self",))
        .select_related("congress", "deputy__congress", "deputy__group")
        .get(pk=entry.pk)
    )


@transaction.atomic
def do_check_manual_entry(entry: ManualEntry, *, actor: Actor, approve: bool, note: str = "") -> ManualEntry:
    """初审 by a clerk of the deputy's group (or a congress clerk): pass to 复核, or reject with a note."""
    entry = _lock_manual(entry)
    authorize(
        actor, "points.check_manual", entry, _("只有代表所在小组的联络站工作人员或代表工委工作人员可以初审。")
    )
    move = MANUAL_ENTRY.check_move(entry.state, check_action(approve), actor=actor, congress=entry.congress)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed(_("不通过时请写明理由。"), code="note_required")
    entry.checked_by, entry.checked_at, entry.check_note = actor, timezone.now(), note
    MANUAL_ENTRY.apply(entry, move, timezone.now())
    entry.save()
    audit.record(
        "points.manual_checked" if approve else "points.manual_rejected",
        actor=actor,
        congress=entry.congress,
        obj=entry,
        target_user=entry.deputy.user,
        old={"state": ManualEntry.State.SUBMITTED},
        new={"state": entry.state, "step": "check"},
        note=note,
    )
    return entry


@transaction.atomic
def do_review_manual_entry(entry: ManualEntry, *, actor: Actor, approve: bool, note: str = "") -> ManualEntry:
    """复核 by a congress clerk other than the one who did 初审: approve (the entry enters the ledger
    at once) or reject with a note."""
    entry = _lock_manual(entry)
    authorize(actor, "points.review_manual", entry, _("只有代表工委工作人员可以复核。"))
    assert actor is not None  # authorize refuses the system
    move = MANUAL_ENTRY.check_move(entry.state, review_action(approve), actor=actor, congress=entry.congress)
    if entry.checked_by_id == actor.pk:
        raise NotPermitted(_("复核须由初审以外的工作人员进行。"), code="same_reviewer")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed(_("不通过时请写明理由。"), code="note_required")
    entry.reviewed_by, entry.reviewed_at, entry.review_note = actor, timezone.now(), note
    MANUAL_ENTRY.apply(entry, move, timezone.now())
    entry.save()
    correlation_id = uuid.uuid4()
    audit.record(
        "points.manual_approved" if approve else "points.manual_rejected",
        actor=actor,
        congress=entry.congress,
        obj=entry,
        target_user=entry.deputy.user,
        old={"state": ManualEntry.State.CHECKED},
        new={"state": entry.state, "step": "review"},
        note=note,
        correlation_id=correlation_id,
    )
    if approve:
        sync_ledger(entry.congress, entry.activity_date.year, actor=actor, correlation_id=correlation_id)
    return entry


# --- objections ------------------------------------------------------------------------------------


@transaction.atomic
def do_raise_objection(entry: LedgerEntry, *, actor: Actor, reason: str) -> Objection:
    """The deputy objects to one entry of their record (异议), saying why."""
    entry = LedgerEntry.objects.select_related("deputy__congress", "congress").get(pk=entry.pk)
    authorize(actor, "points.object", entry.deputy, _("只有代表本人可以对自己的积分记录提出异议。"))
    assert actor is not None  # authorize refuses the system
    move = OBJECTION.check_move(INITIAL, "raise_objection", actor=actor, congress=entry.congress)
    reason = clean_text(reason, _("请写明异议理由。"), code="reason_required", limit=1000)
    if Objection.objects.filter(
        congress=entry.congress, entry_key=entry.key, state=Objection.State.PENDING
    ).exists():
        raise ValidationFailed(_("对这条记录的异议正在处理中。"), code="already_pending")
    objection = Objection.objects.create(
        congress=entry.congress,
        deputy=entry.deputy,
        entry_key=entry.key,
        entry={
            "event": entry.event,
            "date": entry.date.isoformat(),
            "points": entry.points,
            "description": entry.description,
        },
        reason=reason,
        state=move.target,
        raised_by=actor,
    )
    audit.record(
        "points.objection_raised",
        actor=actor,
        congress=entry.congress,
        obj=objection,
        target_user=entry.deputy.user,
        new={"entry": entry.key, "points": entry.points},
        note=reason,
    )
    return objection


@transaction.atomic
def do_decide_objection(
    objection: Objection,
    *,
    actor: Actor,
    accept: bool,
    reason: str,
    corrected_points: int | None = None,
) -> Objection:
    """Decide an objection: keep the entry (reject the objection) or correct its points (0 takes
    the entry's points away). The reason is required either way; a correction enters the ledger at
    once and stays through every later recomputation."""
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("congress", "deputy")
        .get(pk=objection.pk)
    )
    congress = objection.congress
    authorize(actor, "points.decide_objections", congress, _("只有代表工委工作人员可以处理积分异议。"))
    move = OBJECTION.check_move(objection.state, decide_action(accept), actor=actor, congress=congress)
    reason = clean_text(reason, _("请写明处理理由。"), code="reason_required", limit=1000)
    if accept:
        if (
            isinstance(corrected_points, bool)
            or not isinstance(corrected_points, int)
            or not -100 <= corrected_points <= 100
        ):
            raise ValidationFailed(
                _("请填写更正后的积分（-100至100的整数，0为不计分）。"), code="points_required"
            )
        objection.corrected_points = corrected_points
    OBJECTION.apply(objection, move, timezone.now())
    objection.decided_by, objection.decided_at, objection.decision_reason = actor, timezone.now(), reason
    objection.save()
    correlation_id = uuid.uuid4()
    audit.record(
        "points.objection_decided",
        actor=actor,
        congress=congress,
        obj=objection,
        target_user=objection.deputy.user,
        old={"state": Objection.State.PENDING, "points": objection.entry.get("points")},
        new={"state": objection.state, "points": objection.corrected_points},
        note=reason,
        correlation_id=correlation_id,
    )
    if accept:
        current = (
            LedgerEntry.objects.filter(congress=congress, key=objection.entry_key)
            .values_list("year", flat=True)
            .first()
        )
        year = current or datetime.date.fromisoformat(objection.entry["date"]).year
        sync_ledger(congress, year, actor=actor, correlation_id=correlation_id)
    return objection


# --- monthly expectations --------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _previous_month(day: datetime.date) -> datetime.date:
    return first_of_month(first_of_month(day) - datetime.timedelta(days=1))


@transaction.atomic
def do_set_expectation(
    congress: Congress,
    *,
    actor: Actor,
    deputy: Deputy,
    per_month: int,
    start_month: datetime.date,
    note: str = "",
) -> MonthlyExpectation:
    """Expect `deputy` to write `per_month` suggestions a month from `start_month` on. An expectation
    of the deputy still running then ends the month before."""
    authorize(actor, "points.manage_expectations", congress, _("只有人大管理员可以设定每月建议要求。"))
    same_congress(congress, deputy, _("代表"), required=True)
    if isinstance(per_month, bool) or not isinstance(per_month, int) or not 1 <= per_month <= 10:
        raise ValidationFailed(_("每月件数须为1至10的整数。"), code="bad_count")
    if start_month is None:
        raise ValidationFailed(_("请选择起始月份。"), code="start_required")
    start_month = first_of_month(start_month)
    later = MonthlyExpectation.objects.filter(
        congress=congress, deputy=deputy, start_month__gte=start_month
    ).first()
    if later is not None:
        raise ValidationFailed(
            _("%(d)s自%(m)s起已有要求，请先结束或调整该要求。")
            % {"d": deputy.name, "m": later.start_month.strftime("%Y-%m")},
            code="overlap",
        )
    correlation_id = uuid.uuid4()
    for running in MonthlyExpectation.objects.select_for_update().filter(
        Q(end_month__isnull=True) | Q(end_month__gte=start_month), congress=congress, deputy=deputy
    ):
        old = running.end_month
        running.end_month = _previous_month(start_month)
        running.save(update_fields=["end_month"])
        audit.record(
            "points.expectation_ended",
            actor=actor,
            congress=congress,
            obj=running,
            target_user=deputy.user,
            old={"end_month": old},
            new={"end_month": running.end_month},
            correlation_id=correlation_id,
        )
    expectation = MonthlyExpectation.objects.create(
        congress=congress,
        deputy=deputy,
        per_month=per_month,
        start_month=start_month,
        note=(note or "").strip()[:200],
        created_by=actor,
    )
    audit.record(
        "points.expectation_set",
        actor=actor,
        congress=congress,
        obj=expectation,
        target_user=deputy.user,
        new={"deputy": deputy.pk, "per_month": per_month, "start_month": start_month},
        note=expectation.note,
        correlation_id=correlation_id,
    )
    return expectation


@transaction.atomic
def do_end_expectation(
    expectation: MonthlyExpectation, *, actor: Actor, end_month: datetime.date
) -> MonthlyExpectation:
    """The last month in which the expectation applies."""
    expectation = (
        MonthlyExpectation.objects.select_for_update(of=("self",))
        .select_related("congress", "deputy")
        .get(pk=expectation.pk)
    )
    congress = expectation.congress
    authorize(actor, "points.manage_expectations", congress, _("只有人大管理员可以设定每月建议要求。"))
    if end_month is None:
        raise ValidationFailed(_("请选择截止月份。"), code="end_required")
    end_month = first_of_month(end_month)
    if end_month < expectation.start_month:
        raise ValidationFailed(_("截止月份不能早于起始月份。"), code="dates_reversed")
    old = expectation.end_month
    expectation.end_month = end_month
    expectation.save(update_fields=["end_month"])
    audit.record(
        "points.expectation_ended",
        actor=actor,
        congress=congress,
        obj=expectation,
        target_user=expectation.deputy.user,
        old={"end_month": old},
        new={"end_month": end_month},
    )
    return expectation
