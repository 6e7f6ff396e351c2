"""Page-shaped reads that `selectors.py` does not (yet) offer. Each one builds on the selectors'
visibility rules; none widens what a user may see. Candidates for moving into `selectors.py`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Assignment, AssignmentRole, CoSigner, Deadline, Suggestion
from ..states import AssignmentState, CoSignerState

#: Deadlines that are limits for a request rather than duties; the kinds that tell when an answer is
#: due (defined with the 待办 counts in `selectors`).
NOT_DUTIES = selectors.NOT_DUTIES
REPLY_KINDS = selectors.REPLY_KINDS
deputy_progress = selectors.deputy_progress
entered_drafts = selectors.entered_drafts


def missing_for_submit(suggestion: Suggestion) -> list[str]:
    """What a draft still lacks before it can be submitted (the submit action checks the same)."""
    missing = []
    if not suggestion.facts:
        missing.append(_("情况与问题"))
    if not suggestion.proposals:
        missing.append(_("具体建议"))
    if suggestion.category_id is None:
        missing.append(_("分类"))
    if suggestion.channel_id is None:
        missing.append(_("收集渠道"))
    if suggestion.collected_on is None:
        missing.append(_("民意收集日期"))
    return missing


def open_deadlines_for(
    *,
    suggestions: Iterable[int] = (),
    assignments: Iterable[int] = (),
    commitments: Iterable[int] = (),
) -> list[Deadline]:
    """Open deadlines of these suggestions (their own, not a unit's), assignments and commitments, in
    one query."""
    s, a, c = set(suggestions), set(assignments), set(commitments)
    q = Q(pk__in=[])
    if s:
        q |= Q(suggestion_id__in=s, assignment__isnull=True, commitment__isnull=True)
    if a:
        q |= Q(assignment_id__in=a, commitment__isnull=True)
    if c:
        q |= Q(commitment_id__in=c)
    if not (s or a or c):
        return []
    return list(Deadline.objects.filter(q, closed_at__isnull=True).order_by("due_on", "id"))


def index_deadlines(deadlines: list[Deadline]) -> dict[str, dict[int, list[Deadline]]]:
    by: dict[str, dict[int, list[Deadline]]] = {
        "suggestion": defaultdict(list),
        "assignment": defaultdict(list),
        "commitment": defaultdict(list),
    }
    for d in deadlines:
        if d.commitment_id:
            by["commitment"][d.commitment_id].append(d)
        elif d.assignment_id:
            by["assignment"][d.assignment_id].append(d)
        else:
            by["suggestion"][d.suggestion_id].append(d)
    return by


def first_duty(deadlines: list[Deadline]) -> Deadline | None:
    """The earliest open deadline that is a duty (not a window for a request)."""
    for d in deadlines:
        if d.kind not in NOT_DUTIES:
            return d
    return None


def confirmed_cosignings(user: Any, suggestions: Sequence[Suggestion]) -> set[int]:
    """Which of these suggestions the user has confirmed as co-signer (one query, none for an
    empty page), so that a co-signer's list says so."""
    if not suggestions:
        return set()
    return set(
        CoSigner.objects.filter(
            suggestion__in=[s.pk for s in suggestions], deputy__user=user, state=CoSignerState.CONFIRMED
        ).values_list("suggestion_id", flat=True)
    )


def current_assignments(suggestions: Sequence[Suggestion]) -> dict[int, list[Assignment]]:
    """The active assignments of each suggestion's current round (for "who handles it"), one query."""
    rounds = {s.pk: s.round for s in suggestions}
    out: dict[int, list[Assignment]] = defaultdict(list)
    if not rounds:
        return out
    qs = (
        Assignment.objects.filter(suggestion_id__in=rounds)
        .exclude(state=AssignmentState.CANCELLED)
        .select_related("unit")
        .order_by("id")
    )
    for a in qs:
        if a.round == rounds[a.suggestion_id]:
            out[a.suggestion_id].append(a)
    for rows in out.values():  # the answering units (lead, split) before the co-units
        rows.sort(key=lambda a: (a.role == AssignmentRole.CO, a.pk))
    return out


def suggestion_years(qs: QuerySet[Suggestion]) -> list[int]:
    """The years (of acceptance, or of drafting before that) that the user's suggestions span."""
    years = {d.year for d in qs.order_by().dates("created_at", "year")}
    accepted = qs.order_by().exclude(year__isnull=True).values_list("year", flat=True).distinct()
    years |= {y for y in accepted if y is not None}  # none is: `year__isnull` excluded them
    return sorted(years, reverse=True)
