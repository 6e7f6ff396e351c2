"""What every action shares: the call context, permission and transition checks, row locks, audit
rows and deadlines. Private to `actions/`. `Ctx`, `ctx_for` and the permission, text, tenant and
audit checks are the action kit's (`minyi.core.kit`, issue #11), kept here under the names the
suggestion actions use."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from minyi.core import kit
from minyi.core.errors import InvalidTransition, ValidationFailed
from minyi.core.kit import Ctx

from ..models import Assignment, Deadline, Suggestion
from ..states import MACHINE, Transition

#: The kit's call context, under the name the suggestion actions import.
ctx_for = kit.ctx_for


# --- permission and transition checks --------------------------------------------------------------


def authorize(ctx: Ctx, perm: str, obj: Any, message: str | None = None) -> None:
    """The actor holds ``suggestions.<perm>`` on `obj` (role in the congress + relation), else
    NotPermitted with `message` (saying who may do it); the system (actor None) is refused."""
    kit.authorize(ctx, f"suggestions.{perm}", obj, message or None)


def check_move(ctx: Ctx, machine: str, state: str, action: str) -> Transition:
    """The table allows `action` from `state`, for one of the actor's roles (SYSTEM for actor None)."""
    return MACHINE[machine].check_move(state, action, actor=ctx.actor, congress=ctx.congress)


def wrong_state(machine: str, state: str, action: str) -> InvalidTransition:
    return MACHINE[machine].wrong_state_error(state, action)


def require_move(machine: str, state: str, action: str) -> None:
    """The table allows `action` from `state` (for checks that do not move this record)."""
    MACHINE[machine].require_move(state, action)


def apply(obj: Model, transition: Transition, ctx: Ctx) -> list[str]:
    """Set the target state; returns the fields to save."""
    return MACHINE[transition.machine].apply(obj, transition, ctx.now)


def lock_suggestion(suggestion: Suggestion | int) -> Suggestion:
    """The suggestion row, locked until the transaction ends (IMMEDIATE transactions on SQLite
    serialise writers already). Always lock the suggestion before its assignments. Only the row
    itself is locked (`of=("self",)`), not the joined congress and deputy rows."""
    pk = suggestion if isinstance(suggestion, int) else suggestion.pk
    return (
        Suggestion.objects.select_for_update(no_key=True, of=("self",))
        .select_related("congress", "lead")
        .get(pk=pk)
    )


def lock_assignment(assignment: Assignment | int) -> tuple[Suggestion, Assignment]:
    """Lock the assignment's suggestion, then the assignment."""
    pk = assignment if isinstance(assignment, int) else assignment.pk
    suggestion_id = Assignment.objects.values_list("suggestion_id", flat=True).get(pk=pk)
    suggestion = lock_suggestion(suggestion_id)
    locked = Assignment.objects.select_for_update(no_key=True, of=("self",)).select_related("unit").get(pk=pk)
    locked.suggestion = suggestion
    return suggestion, locked


# --- input helpers ---------------------------------------------------------------------------------


def required_text(value: str | None, message: str, *, code: str = "required") -> str:
    return kit.clean_text(value, message, code=code)


def same_congress(ctx: Ctx, obj: Any, what: str) -> None:
    kit.same_congress(ctx, obj, what, message=_("%(what)s不属于本人大。"))


def active_item(ctx: Ctx, obj: Any, what: str) -> None:
    """A taxonomy row or unit that belongs to this congress and is still in use."""
    if obj is None:
        return
    same_congress(ctx, obj, what)
    if not obj.active:
        raise ValidationFailed(_("%(what)s“%(name)s”已停用。") % {"what": what, "name": obj}, code="inactive")


def date_text(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- audit ---------------------------------------------------------------------------------------


def record(
    ctx: Ctx,
    code: str,
    *,
    suggestion: Suggestion,
    obj: Model | None = None,
    assignment: Assignment | None = None,
    unit: Any = None,
    target_user: Any = None,
    old: Any = None,
    new: Any = None,
    note: str = "",
) -> None:
    """One audit row of this call. Rows about one unit's work carry `unit` (and `assignment`), which
    the timeline uses to keep a unit's internal steps from other units."""
    if assignment is not None and unit is None:
        unit = assignment.unit
    kit.record(
        ctx,
        code,
        obj if obj is not None else (assignment if assignment is not None else suggestion),
        unit=unit,
        target_user=target_user,
        old=old,
        new=new,
        note=note,
        suggestion=suggestion,
        assignment=assignment,
    )


def record_move(
    ctx: Ctx,
    code: str,
    transition: Transition,
    source: str,
    *,
    suggestion: Suggestion,
    obj: Model | None = None,
    assignment: Assignment | None = None,
    new: dict[str, Any] | None = None,
    note: str = "",
    target_user: Any = None,
) -> None:
    """The audit row of a state change: old and new state plus any other new values."""
    record(
        ctx,
        code,
        suggestion=suggestion,
        obj=obj,
        assignment=assignment,
        old={"state": source},
        new={"state": transition.target, **(new or {})},
        note=note,
        target_user=target_user,
    )


# --- deadlines -------------------------------------------------------------------------------------


def open_deadline(
    ctx: Ctx,
    *,
    suggestion: Suggestion,
    kind: str,
    started_on: datetime.date,
    due_on: datetime.date,
    rule: str,
    assignment: Assignment | None = None,
    commitment: Any = None,
    round: int | None = None,
) -> Deadline:
    return Deadline.objects.create(
        congress=ctx.congress,
        suggestion=suggestion,
        assignment=assignment,
        commitment=commitment,
        round=round if round is not None else (assignment.round if assignment else suggestion.round),
        kind=kind,
        started_on=started_on,
        due_on=due_on,
        rule=rule[:200],
        calendar_version=ctx.calendar.version,
        calendar_revisions=ctx.calendar.revisions(started_on, due_on),
        created_at=ctx.now,
    )


def close_deadlines(
    ctx: Ctx,
    deadlines: QuerySet[Deadline] | Iterable[Deadline],
    *,
    reason: str = Deadline.CloseReason.DONE,
    on: datetime.date | None = None,
) -> list[Deadline]:
    """Close the open ones among `deadlines`. For DONE and MISSED, `closed_on_time` compares `on`
    (default today) with the due date; superseded or cancelled deadlines were neither met nor missed."""
    closed = []
    day = on or ctx.today
    for deadline in deadlines:
        if deadline.closed_at is not None:
            continue
        deadline.closed_at = ctx.now
        deadline.close_reason = reason
        if reason == Deadline.CloseReason.DONE:
            deadline.closed_on_time = day <= deadline.due_on
        elif reason == Deadline.CloseReason.MISSED:
            deadline.closed_on_time = False
        else:
            deadline.closed_on_time = None
        deadline.save(update_fields=["closed_at", "close_reason", "closed_on_time"])
        closed.append(deadline)
    return closed


def open_deadlines(
    suggestion: Suggestion, *kinds: str, assignment: Assignment | None = None
) -> QuerySet[Deadline]:
    qs = Deadline.objects.filter(suggestion=suggestion, closed_at__isnull=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if assignment is not None:
        qs = qs.filter(assignment=assignment)
    return qs
