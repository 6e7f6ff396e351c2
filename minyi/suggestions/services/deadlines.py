"""Moving stored deadlines — the write half of supervision's recalculation (`do_recalculate_deadlines`)
and calendar recomputation (`do_recompute_deadlines`). Supervision decides which deadlines move and
to which date and writes the audit rows; this module locks the suggestions and writes the
`Deadline` row and the assignment's reply date."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from minyi.congress.models import Congress

from ..models import Assignment, Deadline, Suggestion


def lock_suggestions(ids: Iterable[int]) -> None:
    """Lock the suggestions `ids` in the order every suggestion action locks them (suggestions
    first, by id; their rows after)."""
    list(
        Suggestion.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
        .values_list("pk")
    )


def lock_open_deadline_suggestions(congress: Congress) -> None:
    """Lock every suggestion of `congress` that has an open deadline."""
    lock_suggestions(
        Deadline.objects.filter(congress=congress, closed_at__isnull=True)
        .values_list("suggestion_id", flat=True)
        .distinct()
    )


@dataclass
class Moved:
    """A deadline after `move_deadline`, with what it was before (for the caller's audit row)."""

    deadline: Deadline
    old_due_on: datetime.date
    old_rule: str
    old_calendar_revisions: Any


def move_deadline(
    deadline: Deadline,
    *,
    new_due: datetime.date,
    old_due: datetime.date,
    calendar: Any,
    rule: str | None = None,
) -> Moved:
    """Store `new_due` (and `rule`, when given) on the open `deadline`, computed with `calendar`
    (its version and the revisions used between start and due date are kept). A unit's reply date
    follows its reply deadline when it still equals `old_due`. The caller holds the suggestion's
    lock (`lock_suggestions`)."""
    d = Deadline.objects.select_for_update(of=("self",)).get(pk=deadline.pk)
    moved = Moved(d, d.due_on, d.rule, d.calendar_revisions)
    fields = ["due_on", "calendar_version", "calendar_revisions"]
    d.due_on, d.calendar_version = new_due, calendar.version
    if rule is not None:
        d.rule = rule
        fields.insert(1, "rule")
    d.calendar_revisions = calendar.revisions(d.started_on, d.due_on)
    d.save(update_fields=fields)
    assignment = deadline.assignment
    if (
        assignment is not None
        and d.kind in (Deadline.Kind.REPLY, Deadline.Kind.REHANDLE_REPLY)
        and assignment.reply_due_on == old_due
    ):
        Assignment.objects.filter(pk=assignment.pk).update(reply_due_on=new_due)
    return moved
