"""审查 and 交办: accept (with a gap-free number), return, decline, merge, forward to a body's
coordinator, and assign units.

Decisions (see docs/WORKFLOW.md):

- Numbers are per congress and calendar year of acceptance: the year's counter row is locked for
  update in the accepting transaction, so two clerks accepting at once get consecutive numbers and a
  rolled-back acceptance gives its number back.
- Merging (并案) is possible during review or after acceptance, into a suggestion that is accepted
  and not yet replied. The merged suggestion points at the main one (`main`); its lead deputy and
  confirmed co-signers can then see the main suggestion, its replies and its timeline. The main
  suggestion's lead deputy alone evaluates (one evaluation per reply and round).
- A lead (主办) assignment has co-units (协办) who send opinions to it; a split (分办) has two or
  more answering units and no co-units. After a lead or split unit is relieved (申请调整 approved)
  the suggestion waits in `reassigning` until the dispatcher assigns the replacement; co-units can
  be added while it is being handled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minyi.accounts.models import Role
from minyi.congress.models import ExclusionReason, Unit
from minyi.core.errors import NotPermitted, ValidationFailed

from ..models import Assignment, AssignmentRole, Deadline, Disposition, Suggestion, SuggestionCounter
from ..rules import coordinator_bodies, roles_of
from ..states import INITIAL, AssignmentState, SuggestionState
from ._common import (
    Ctx,
    active_item,
    apply,
    authorize,
    check_move,
    close_deadlines,
    ctx_for,
    lock_suggestion,
    open_deadline,
    open_deadlines,
    record,
    record_move,
    required_text,
    same_congress,
)
from .drafting import lapse_withdrawal_requests

#: States of a possible main suggestion for 并案.
MERGE_TARGET_STATES = (
    SuggestionState.ACCEPTED,
    SuggestionState.FORWARDED,
    SuggestionState.ASSIGNED,
    SuggestionState.REASSIGNING,
)


def _review_denied() -> str:
    return _("只有代表工委工作人员可以审查建议。")


def _next_number(ctx: Ctx) -> tuple[int, int, str]:
    year = ctx.today.year
    SuggestionCounter.objects.get_or_create(congress=ctx.congress, year=year)
    counter = SuggestionCounter.objects.select_for_update().get(congress=ctx.congress, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return year, counter.last, ctx.policy.format_number(year=year, seq=counter.last)


def _open_assign_deadline(ctx: Ctx, suggestion: Suggestion, rule: str) -> None:
    days = ctx.policy.assign_days
    open_deadline(
        ctx,
        suggestion=suggestion,
        kind=Deadline.Kind.ASSIGN,
        started_on=ctx.today,
        due_on=ctx.calendar.add_working_days(ctx.today, days),
        rule=rule % {"n": days},
    )


@transaction.atomic
def do_accept_suggestion(suggestion: Suggestion, *, actor: Any, note: str = "") -> Suggestion:
    """立案: give the next number of the year and start the assignment deadline."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "accept", suggestion, _review_denied())
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "accept")
    suggestion.year, suggestion.seq, suggestion.number = _next_number(ctx)
    suggestion.accepted_at = ctx.now
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "year", "seq", "number", "accepted_at", "updated_at"])
    close_deadlines(ctx, open_deadlines(suggestion, Deadline.Kind.REVIEW))
    _open_assign_deadline(ctx, suggestion, _("立案后%(n)s个工作日内交办"))
    record_move(
        ctx,
        "suggestion.accepted",
        transition,
        source,
        suggestion=suggestion,
        new={"number": suggestion.number},
        note=(note or "").strip(),
    )
    return suggestion


@transaction.atomic
def do_return_suggestion(suggestion: Suggestion, *, actor: Any, reason: str) -> Suggestion:
    """退回修改: back to the lead deputy with the reasons; they revise and submit again."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "return", suggestion, _review_denied())
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "return")
    reason = required_text(reason, _("请写明退回修改的理由。"), code="reason_required")
    suggestion.return_reason = reason
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "return_reason", "updated_at"])
    close_deadlines(ctx, open_deadlines(suggestion, Deadline.Kind.REVIEW))
    record_move(ctx, "suggestion.returned", transition, source, suggestion=suggestion, note=reason)
    return suggestion


@transaction.atomic
def do_decline_suggestion(
    suggestion: Suggestion, *, actor: Any, reason: ExclusionReason, disposition: str, note: str = ""
) -> Suggestion:
    """不予立案, with a reason from the congress's exclusion list and a disposition."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "decline", suggestion, _review_denied())
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "decline")
    if reason is None:
        raise ValidationFailed(_("请选择不予立案的情形。"), code="reason_required")
    active_item(ctx, reason, _("不予立案情形"))
    if disposition not in Disposition.values:
        raise ValidationFailed(
            _("请选择处理方式（转代表来信、转有关部门参考或退回）。"), code="bad_disposition"
        )
    suggestion.decline_reason = reason
    suggestion.decline_disposition = disposition
    suggestion.decline_note = (note or "").strip()
    fields = apply(suggestion, transition, ctx)
    suggestion.save(
        update_fields=[*fields, "decline_reason", "decline_disposition", "decline_note", "updated_at"]
    )
    close_deadlines(ctx, open_deadlines(suggestion, Deadline.Kind.REVIEW))
    record_move(
        ctx,
        "suggestion.declined",
        transition,
        source,
        suggestion=suggestion,
        new={"reason": reason.pk, "disposition": disposition},
        note=suggestion.decline_note,
    )
    lapse_withdrawal_requests(ctx, suggestion, "decline")
    return suggestion


@transaction.atomic
def do_merge_suggestion(
    suggestion: Suggestion, *, actor: Any, into: Suggestion, note: str = ""
) -> Suggestion:
    """并案: `suggestion` is merged into the accepted suggestion `into` and handled as part of it."""
    if into is None:
        raise ValidationFailed(_("请选择并入的主建议。"), code="main_required")
    if into.pk == suggestion.pk:
        raise ValidationFailed(_("不能把建议并入它自己。"), code="merge_into_itself")
    # Lock both rows in id order so that two merges cannot wait for each other.
    first, second = sorted([suggestion.pk, into.pk])
    locked = {first: lock_suggestion(first), second: lock_suggestion(second)}
    suggestion, into = locked[suggestion.pk], locked[into.pk]
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "merge", suggestion, _review_denied())
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "merge")
    same_congress(ctx, into, _("主建议"))
    if into.state not in MERGE_TARGET_STATES:
        raise ValidationFailed(
            _("只能并入已立案、尚未答复的建议（“%(t)s”当前为“%(s)s”）。")
            % {"t": into, "s": into.get_state_display()},
            code="bad_main",
        )
    if suggestion.merged.exists():
        raise ValidationFailed(_("已有其他建议并入本建议，不能再把它并入其他建议。"), code="has_merged")
    suggestion.main = into
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "main", "updated_at"])
    close_deadlines(ctx, open_deadlines(suggestion, Deadline.Kind.REVIEW))
    close_deadlines(ctx, open_deadlines(suggestion), reason=Deadline.CloseReason.CANCELLED)
    note = (note or "").strip()
    record_move(
        ctx, "suggestion.merged", transition, source, suggestion=suggestion, new={"main": into.pk}, note=note
    )
    record(ctx, "suggestion.merged_in", suggestion=into, new={"merged": suggestion.pk}, note=note)
    lapse_withdrawal_requests(ctx, suggestion, "merge")
    return suggestion


@transaction.atomic
def do_forward_suggestion(suggestion: Suggestion, *, actor: Any, body: Unit, note: str = "") -> Suggestion:
    """转交: hand an accepted suggestion to the coordinator of one of the four bodies, who assigns units."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "forward", suggestion, _("只有代表工委工作人员可以转交建议。"))
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "forward")
    if body is None or body.kind != Unit.Kind.BODY:
        raise ValidationFailed(_("请选择“一府一委两院”之一。"), code="not_a_body")
    active_item(ctx, body, _("机关"))
    if suggestion.forwarded_to_id == body.pk and source == SuggestionState.FORWARDED:
        raise ValidationFailed(_("该建议已转交%(b)s。") % {"b": body}, code="already_forwarded")
    old_body = suggestion.forwarded_to_id
    suggestion.forwarded_to = body
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "forwarded_to", "updated_at"])
    record(
        ctx,
        "suggestion.forwarded",
        suggestion=suggestion,
        old={"state": source, "forwarded_to": old_body},
        new={"state": transition.target, "forwarded_to": body.pk},
        unit=body,
        note=(note or "").strip(),
    )
    return suggestion


# --- assignment ------------------------------------------------------------------------------------


def open_assignment_deadlines(ctx: Ctx, suggestion: Suggestion, assignment: Assignment) -> None:
    """The time limits that start at 交办 (DOMAIN.md §4). Round 1: re-assignment window, first
    contact, reply (local target and statutory ceiling) or co-unit opinion. Re-handling rounds: the
    re-handling reply limit instead of the round-1 reply limits, and no re-assignment window."""
    policy, cal, day = ctx.policy, ctx.calendar, assignment.assigned_on

    def add(kind: str, due, rule: str) -> None:
        open_deadline(
            ctx,
            suggestion=suggestion,
            assignment=assignment,
            kind=kind,
            started_on=day,
            due_on=due,
            rule=rule,
        )

    if assignment.round == 1:
        n = policy.reassign_window_days
        add(
            Deadline.Kind.REASSIGN_WINDOW,
            cal.add_working_days(day, n),
            _("交办后%(n)s个工作日内可申请调整") % {"n": n},
        )
    if assignment.answers:
        n = policy.first_contact_days
        add(
            Deadline.Kind.FIRST_CONTACT,
            cal.add_working_days(day, n),
            _("交办后%(n)s个工作日内首次联系代表") % {"n": n},
        )
        if assignment.round == 1:
            n = policy.reply_months
            add(
                Deadline.Kind.REPLY,
                assignment.reply_due_on,
                _("交办后%(n)s个月内答复（本地目标）") % {"n": n},
            )
            n = policy.reply_statutory_months
            add(
                Deadline.Kind.REPLY_STATUTORY,
                cal.add_months(day, n),
                _("交办后%(n)s个月内答复（法定时限）") % {"n": n},
            )
        else:
            n = policy.rehandle_months
            add(
                Deadline.Kind.REHANDLE_REPLY,
                assignment.reply_due_on,
                _("决定重新办理后%(n)s个月内重新答复") % {"n": n},
            )
    else:
        n = policy.co_opinion_days
        add(
            Deadline.Kind.CO_OPINION,
            cal.add_working_days(day, n),
            _("交办后%(n)s个工作日内向主办单位提出协办意见") % {"n": n},
        )


def new_assignment(
    ctx: Ctx, suggestion: Suggestion, unit: Unit, role: str, *, action: str, note: str = ""
) -> Assignment:
    """Create one assignment (交办) of the suggestion's current round, with its deadlines and audit row."""
    transition = check_move(ctx, "assignment", INITIAL, action)
    assignment = Assignment(
        suggestion=suggestion,
        unit=unit,
        round=suggestion.round,
        role=role,
        assigned_by=ctx.actor,
        assigned_at=ctx.now,
        assigned_on=ctx.today,
        note=note,
    )
    if role != AssignmentRole.CO:
        months = ctx.policy.reply_months if suggestion.round == 1 else ctx.policy.rehandle_months
        assignment.reply_due_on = ctx.calendar.add_months(ctx.today, months)
    apply(assignment, transition, ctx)
    assignment.save()
    open_assignment_deadlines(ctx, suggestion, assignment)
    record_move(
        ctx,
        "assignment.created",
        transition,
        INITIAL,
        suggestion=suggestion,
        assignment=assignment,
        new={
            "unit": unit.pk,
            "role": role,
            "round": assignment.round,
            "reply_due_on": assignment.reply_due_on,
        },
    )
    return assignment


def _check_units(ctx: Ctx, suggestion: Suggestion, units: Sequence[Unit]) -> None:
    seen: set[int] = set()
    active_ids = set(
        suggestion.assignments.filter(round=suggestion.round)
        .exclude(state=AssignmentState.CANCELLED)
        .values_list("unit_id", flat=True)
    )
    is_staff = bool(roles_of(ctx.actor, ctx.congress) & {Role.CONGRESS_CLERK, Role.CONGRESS_ADMIN})
    bodies = coordinator_bodies(ctx.actor, ctx.congress)
    for unit in units:
        active_item(ctx, unit, _("承办单位"))
        if unit.pk in seen:
            raise ValidationFailed(_("%(u)s重复选择了。") % {"u": unit}, code="duplicate_unit")
        seen.add(unit.pk)
        if unit.pk in active_ids:
            raise ValidationFailed(_("%(u)s已在办理该建议。") % {"u": unit}, code="already_assigned")
        if not is_staff and unit.body_id not in bodies:
            raise NotPermitted(_("只能交办给本机关及其所属单位，%(u)s不在其中。") % {"u": unit})


@transaction.atomic
def do_assign_units(
    suggestion: Suggestion,
    *,
    actor: Any,
    lead_units: Sequence[Unit] = (),
    co_units: Sequence[Unit] = (),
    split: bool = False,
    note: str = "",
) -> list[Assignment]:
    """交办 to handling units. Either one lead unit (主办) with any co-units (协办), or — with
    `split=True` — two or more units that each answer their part (分办) and no co-units. The reply
    clock of each unit starts today.

    The congress clerk assigns accepted suggestions directly; the coordinator of the body a suggestion
    was forwarded to assigns units of that body. While a suggestion is being handled, co-units can be
    added (lead mode); after a lead or split unit was relieved (`reassigning`), the replacement is
    assigned here."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "assign", suggestion, _("只有代表工委工作人员或建议所转交机关的协调员可以交办。"))
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "assign")
    lead_units, co_units = list(lead_units), list(co_units)
    current = suggestion.assignments.filter(round=suggestion.round).exclude(state=AssignmentState.CANCELLED)
    existing_roles = set(current.values_list("role", flat=True))
    if AssignmentRole.SPLIT in existing_roles:
        split = True
    elif AssignmentRole.LEAD in existing_roles:
        split = False
    answering = existing_roles & {AssignmentRole.LEAD, AssignmentRole.SPLIT}
    if split:
        if co_units:
            raise ValidationFailed(_("分办时各单位分别答复，不设协办单位。"), code="split_without_co")
        needed = 1 if answering else 2
        if len(lead_units) < needed:
            raise ValidationFailed(
                _("分办须选择至少两个承办单位。") if needed == 2 else _("请选择接替的承办单位。"),
                code="split_needs_units",
            )
    else:
        if answering and lead_units:
            raise ValidationFailed(_("该建议已有主办单位，只能增加协办单位。"), code="lead_exists")
        if not answering and len(lead_units) != 1:
            raise ValidationFailed(_("请选择一个主办单位（多个单位分别答复请选择分办）。"), code="one_lead")
        if answering and not co_units:
            raise ValidationFailed(_("请选择要增加的协办单位。"), code="nothing_to_assign")
    _check_units(ctx, suggestion, [*lead_units, *co_units])
    note = (note or "").strip()
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "updated_at"])
    role = AssignmentRole.SPLIT if split else AssignmentRole.LEAD
    record_move(
        ctx,
        "suggestion.assigned",
        transition,
        source,
        suggestion=suggestion,
        new={"lead_units": [u.pk for u in lead_units], "co_units": [u.pk for u in co_units], "role": role},
        note=note,
    )
    if source != SuggestionState.ASSIGNED:
        close_deadlines(ctx, open_deadlines(suggestion, Deadline.Kind.ASSIGN))
    created = [new_assignment(ctx, suggestion, unit, role, action="assign", note=note) for unit in lead_units]
    created += [
        new_assignment(ctx, suggestion, unit, AssignmentRole.CO, action="assign", note=note)
        for unit in co_units
    ]
    lapse_withdrawal_requests(ctx, suggestion, "assign")
    return created
