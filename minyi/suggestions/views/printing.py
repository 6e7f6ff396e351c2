"""The printable suggestion (issue #12): one A4 page with what the suggestion is — title, number,
deputies, category, facts and proposals — and where it stands: the units, the open deadlines and a
summary of the signed-off replies the user may see. Anyone who may open the suggestion may print it;
everyone else gets 404 (`access_suggestion`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from minyi.core.decorators import CongressRequest, congress_view

from .. import selectors
from ..states import AssignmentState, CoSignerState


@congress_view()
def print_suggestion(request: CongressRequest, pk: int) -> HttpResponse:
    s = selectors.access_suggestion(request.user, request.congress, pk)
    assignments = [
        a
        for a in s.assignments.select_related("unit")
        .exclude(state=AssignmentState.CANCELLED)
        .order_by("round", "id")
        if a.round == s.round
    ]
    replies = [r for r in selectors.replies_visible_to(request.user, s) if r.signed_off_at]
    return render(
        request,
        "suggestions/print.html",
        {
            "s": s,
            "cosigners": list(
                s.cosigners.filter(state=CoSignerState.CONFIRMED).select_related("deputy").order_by("pk")
            ),
            "theme_tags": list(s.theme_tags.all()),
            # the units: everyone who may open the suggestion sees who handles it (as on its page)
            "assignments": assignments,
            "deadlines": list(
                s.deadlines.filter(closed_at__isnull=True)
                .select_related("assignment__unit")
                .order_by("due_on")
            ),
            "replies": replies,
        },
    )


__all__ = ["print_suggestion"]
