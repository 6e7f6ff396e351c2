"""Writes of the notifications app.

- `do_urge` (催办): a clerk, admin, leader or inspector urges the units handling a suggestion (or one
  unit's assignment), with a message. Audited (``suggestion.urged``); the notices and their e-mail/SMS
  rows are written in the same transaction, and sent after commit.
- `mark_read` / `mark_all_read`: the reader's own inbox state. Not audited: reading a notice changes
  nothing in the case (the audit trail records what was *done*, the notices what was *said*).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.accounts.models import UNIT_WORK_ROLES, Membership, Role
from minyi.core.errors import InvalidTransition, ValidationFailed
from minyi.core.kit import Actor, Ctx, authorize, clean_text, record
from minyi.suggestions.models import Assignment, Suggestion
from minyi.suggestions.selectors import assignment_with_unit, suggestion_for_update
from minyi.suggestions.states import OPEN_ASSIGNMENT_STATES, WAITING_FOR_COORDINATOR, SuggestionState

from .delivery import congress_policies, queue_deliveries
from .models import Notice

# Who can be urged about what: OPEN_ASSIGNMENT_STATES and WAITING_FOR_COORDINATOR (suggestions.states,
# which the suggestion page's urge buttons read too).
UNIT_ROLES = tuple(sorted(UNIT_WORK_ROLES))
MESSAGE_MAX = 500


def _recipients(suggestion: Suggestion, assignments: list[Assignment]) -> list[int]:
    """Active users of the assignments' units (clerks, handlers, leaders); with no assignment, the
    coordinators of the body the suggestion waits at."""
    members = Membership.objects.filter(congress=suggestion.congress, active=True, user__is_active=True)
    if assignments:
        members = members.filter(unit__in=[a.unit_id for a in assignments], role__in=UNIT_ROLES)
    else:
        members = members.filter(unit=suggestion.forwarded_to_id, role=Role.COORDINATOR)
    return sorted(set(members.values_list("user_id", flat=True)))


def urge_targets(suggestion: Suggestion, assignment: Assignment | None = None) -> list[Assignment]:
    """The open assignments an urge about `suggestion` (or about `assignment`) goes to — none when
    the suggestion waits for a coordinator to assign it; InvalidTransition when nothing is being
    handled (then there is nobody to urge)."""
    if assignment is not None:
        if assignment.state not in OPEN_ASSIGNMENT_STATES:
            raise InvalidTransition(
                _("该交办件当前为“%(s)s”，不需要催办。") % {"s": assignment.get_state_display()},
                code="not_open",
            )
        return [assignment]
    if suggestion.state in WAITING_FOR_COORDINATOR and suggestion.forwarded_to_id:
        return []
    if suggestion.state == SuggestionState.ASSIGNED:
        open_ones = list(
            suggestion.assignments.filter(round=suggestion.round, state__in=OPEN_ASSIGNMENT_STATES)
            .select_related("unit")
            .order_by("id")
        )
        if open_ones:
            return open_ones
    raise InvalidTransition(
        _("该建议当前为“%(s)s”，没有正在办理的单位可以催办。") % {"s": suggestion.get_state_display()},
        code="not_open",
    )


@transaction.atomic
def do_urge(target: Suggestion | Assignment, *, actor: Actor, message: str) -> list[Notice]:
    """催办: tell the units that handle `target` (a suggestion: every unit with an open assignment of
    the current round, or the coordinator while it waits to be assigned; an assignment: its unit) to
    hurry, with `message`. Returns the notices (one per person)."""
    assignment: Assignment | None
    if isinstance(target, Assignment):
        assignment = found = assignment_with_unit(target.pk)
        suggestion = suggestion_for_update(found.suggestion_id)
        found.suggestion = suggestion
    else:
        assignment = None
        suggestion = suggestion_for_update(target.pk)
    subject = assignment or suggestion
    authorize(
        actor,
        "notifications.urge",
        subject,
        _("只有代表工委工作人员、人大管理员、常委会领导和督查考核室可以催办。"),
    )
    message = clean_text(
        message,
        _("请填写催办意见。"),
        code="message_required",
        limit=MESSAGE_MAX,
        too_long=_("催办意见不能超过%(n)s个字（现有%(m)s个）。"),
        too_long_code="message_too_long",
    )
    assignments = urge_targets(suggestion, assignment)
    recipients = _recipients(suggestion, assignments)
    if not recipients:
        raise ValidationFailed(
            _("承办单位（或协调员）还没有可以接收通知的人员，请先在“成员与角色”中添加。"),
            code="no_recipients",
        )
    ctx = Ctx(actor=actor, congress=suggestion.congress)
    now = ctx.now
    units = [a.unit for a in assignments]
    event = record(
        ctx,
        "suggestion.urged",
        subject,
        unit=assignment.unit if assignment else (suggestion.forwarded_to if not assignments else None),
        suggestion=suggestion,
        assignment=assignment,
        new={"units": [u.pk for u in units], "recipients": recipients},
        note=message,
    )
    batch = uuid.uuid4()
    who = getattr(actor, "display_name", str(actor))
    unit_text = "、".join(u.name for u in units)
    body = _("%(who)s催办：%(message)s") % {"who": who, "message": message}
    if unit_text:
        body += "\n" + _("承办单位：%(units)s") % {"units": unit_text}
    if assignment is not None and assignment.reply_due_on:
        body += "\n" + _("答复期限：%(d)s") % {"d": assignment.reply_due_on.isoformat()}
    notices = Notice.objects.bulk_create(
        [
            Notice(
                key=f"urge:{event.seq}:{user_id}",
                congress=suggestion.congress,
                recipient_id=user_id,
                kind=Notice.Kind.URGED,
                suggestion=suggestion,
                assignment=assignment,
                event=event,
                title=(_("催办：") + suggestion.title)[:300],
                body=body,
                batch=batch,
                created_at=now,
            )
            for user_id in recipients
        ]
    )
    queued = queue_deliveries(batch, now=now, policies=congress_policies([suggestion.congress_id]))
    if queued.total:
        from .tasks import enqueue_delivery

        transaction.on_commit(enqueue_delivery)
    return notices


def mark_read(user: Any, notices: Iterable[Notice] | None = None) -> int:
    """Mark `notices` (all of `user`'s when None) read; only `user`'s own unread notices change."""
    qs = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notices is not None:
        qs = qs.filter(pk__in=[n.pk for n in notices])
    return qs.update(read_at=timezone.now())


def mark_all_read(user: Any) -> int:
    return mark_read(user, None)
