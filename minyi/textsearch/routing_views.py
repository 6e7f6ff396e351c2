"""The assignment page's panel (交办, issue #15): the handling units unit routing suggests for the
suggestion, loaded by htmx from the suggestion app's assignment page, which names this view only by
its URL (`textsearch:routing_panel`): the suggestion app imports nothing from here."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from minyi.core.decorators import CongressRequest, congress_view
from minyi.suggestions.selectors import access_suggestion

from .routing import choosable_units, route

TOP = 3


@congress_view()
def routing_panel(request: CongressRequest, pk: int) -> HttpResponse:
    """The top units for suggestion `pk` (title and facts), among the units the user could choose in
    its assignment form; 404 for a suggestion the user cannot see or a user who does not assign."""
    s = access_suggestion(request.user, request.congress, pk)
    units = choosable_units(request.user, request.congress, s)
    if units is not None and not units:
        raise Http404("not someone who assigns")
    routes = route(request.congress, f"{s.title}\n{s.facts}", top=TOP, units=units, exclude=s.pk)
    return render(request, "textsearch/_routing_panel.html", {"routes": routes, "s": s})
