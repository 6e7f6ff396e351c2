"""What every action shares: the call context, permission and transition checks, row locks, audit
rows and deadlines. Private to `actions/`."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import rules
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi import audit
from minyi.congress.actions import ensure_policy
from minyi.congress.models import Congress, Policy
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.workdays.services import WorkCalendar, get_calendar

from ..models import Assignment, Deadline, Suggestion
from ..rules import roles_of
from ..states import ACTION_LABELS, SYSTEM, Transition, state_label, transition_for

#: What a record of each machine is called in messages.
MACHINE_NOUNS = {
    "suggestion": gettext_lazy("该建议"),
    "assignment": gettext_lazy("该交办件"),
    "cosigner": gettext_lazy("该联名邀请"),
    "withdrawal": gettext_lazy("该撤回申请"),
    "extension": gettext_lazy("该延期申请"),
    "contact": gettext_lazy("该联系记录"),
    "commitment": gettext_lazy("该承诺事项"),
}


@dataclass
class Ctx:
    """One call of one action: who acts, in which congress, today's date, and one correlation id
    for all the audit rows the call writes."""

    actor: Any
    congress: Congress
    correlation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    now: datetime.datetime = field(default_factory=timezone.now)
    _policy: Policy | None = None
    _calendar: WorkCalendar | None = None

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = ensure_policy(self.congress)
        return self._policy

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = get_calendar(self.congress)  # national days + this congress's closures
        return self._calendar


def ctx_for(actor: Any, congress: Congress) -> Ctx:
    return Ctx(actor=actor, congress=congress)


# --- permission and transition checks --------------------------------------------------------------


def authorize(ctx: Ctx, perm: str, obj: Any, message: str | None = None) -> None:
    """The actor holds ``suggestions.<perm>`` on `obj` (role in the congress + relation), else
    NotPermitted with `message` (saying who may do it)."""
    if ctx.actor is None or not rules.has_perm(f"suggestions.{perm}", ctx.actor, obj):
        raise NotPermitted(message or _("您没有权限执行此操作。"))


def check_move(ctx: Ctx, machine: str, state: str, action: str) -> Transition:
    """The table allows `action` from `state`, for one of the actor's roles (SYSTEM for actor None)."""
    transition = transition_for(machine, state, action)
    if transition is None:
        raise wrong_state(machine, state, action)
    if ctx.actor is None:
        if SYSTEM not in transition.roles:
            raise NotPermitted(_("此操作须由有权限的人员执行。"))
    elif not roles_of(ctx.actor, ctx.congress) & transition.roles:
        raise NotPermitted(
            _("%(what)s当前状态为“%(state)s”，您的角色不能%(action)s。")
            % {
                "what": MACHINE_NOUNS[machine],
                "state": state_label(machine, state),
                "action": transition.label,
            }
        )
    return transition


def wrong_state(machine: str, state: str, action: str) -> InvalidTransition:
    return InvalidTransition(
        _("%(what)s当前状态为“%(state)s”，不能%(action)s。")
        % {
            "what": MACHINE_NOUNS[machine],
            "state": state_label(machine, state),
            "action": ACTION_LABELS[action],
        }
    )


def require_move(machine: str, state: str, action: str) -> None:
    """The table allows `action` from `state` (for checks that do not move this record)."""
    if transition_for(machine, state, action) is None:
        raise wrong_state(machine, state, action)


def apply(obj: Model, transition: Transition, ctx: Ctx) -> list[str]:
    """Set the target state; returns the fields to save."""
    obj.state = transition.target  # type: ignore[attr-defined]
    fields = ["state"]
    if hasattr(obj, "state_changed_at"):
        obj.state_changed_at = ctx.now  # type: ignore[attr-defined]
        fields.append("state_changed_at")
    return fields


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
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, code=code)
    return text


def same_congress(ctx: Ctx, obj: Any, what: str) -> None:
    if obj is not None and obj.congress_id != ctx.congress.pk:
        raise ValidationFailed(_("%(what)s不属于本人大。") % {"what": what}, code="wrong_congress")


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
    audit.record(
        code,
        actor=ctx.actor,
        congress=ctx.congress,
        obj=obj if obj is not None else (assignment if assignment is not None else suggestion),
        unit=unit,
        target_user=target_user,
        old=old,
        new=new,
        note=note,
        correlation_id=ctx.correlation_id,
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
