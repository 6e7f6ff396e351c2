"""Unit routing (issue #15): the handling units suggested for a text, for those who assign (交办).

`GET /congresses/{code}/routing?text=…&top=3` answers ``{"units": [{"name", "short_name", "score",
"reasons"}, …]}`` — the same JSON as `manage.py route --json`. Congress staff get suggestions among
every active handling unit, a coordinator among the units of their bodies (as the assignment form
offers them); anyone else gets 404, as for a congress they do not belong to."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from minyi.core.errors import ValidationFailed
from minyi.textsearch.routing import choosable_units, route

from ..common import READ_ERRORS, congress_of

router = Router(tags=["routing"])

TEXT_MAX = 20000
TOP_MAX = 20


class RoutingQuery(Schema):
    # Not required here: who may ask is checked first (404 for anyone else, whatever they send); an
    # empty text is then refused with 422 like any bad input.
    text: str = Field("", max_length=TEXT_MAX, description="The suggestion's title (and facts).")
    top: int = Field(3, ge=1, le=TOP_MAX, description="How many units (default 3).")


class RoutedUnitOut(Schema):
    name: str
    short_name: str
    score: float = Field(
        description="0–1: the blend of the profile match and, with history, past assignments."
    )
    reasons: list[str] = Field(
        description="Why: the words that matched the unit's name and duties; similar past suggestions it led."
    )


class RoutingOut(Schema):
    units: list[RoutedUnitOut]


@router.get(
    "{code}/routing",
    response={200: RoutingOut, **READ_ERRORS},
    summary="推荐承办单位 · Suggest handling units",
)
def routing(request: HttpRequest, code: str, q: Query[RoutingQuery]) -> dict:
    """The `top` handling units for `text`, best first, each with its reasons. For congress staff and
    coordinators (404 for anyone else)."""
    congress = congress_of(request, code)
    units = choosable_units(request.user, congress)
    if units is not None and not units:
        raise Http404("not someone who assigns in this congress")
    if not q.text.strip():
        raise ValidationFailed(_("请填写要推荐承办单位的建议内容。"), code="empty_text")
    return {"units": [r.as_json() for r in route(congress, q.text, top=q.top, units=units)]}
