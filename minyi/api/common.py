"""What every router shares: the error and page schemas, the congress lookup, turning ids from a
request body into rows of the same congress, and page-number pagination.

Ids in a request body that do not name a row of the congress (missing, or another congress's) are
refused alike with 422 ``unknown_<field>``, so a body cannot be used to probe other congresses' ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.renderers import JSONRenderer

from minyi.congress.models import Congress
from minyi.core.errors import ValidationFailed
from minyi.core.kept_pages import kept
from minyi.core.tenancy import congress_for

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Bounds of the numbers a list filter accepts: a larger page or id is bad input (422), not a number
#: that overflows the database's 64-bit integers (a 500) — issue #10.
MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1949, 2100

M = TypeVar("M", bound=Model)


def IdFilter(description: str) -> Any:  # noqa: N802 - reads like the Field it is
    """An optional filter by a row's id: a positive number the database can hold."""
    return Field(None, ge=1, le=MAX_ID, description=description)


# --- error bodies ----------------------------------------------------------------------------------


class ErrorOut(Schema):
    """A refused action (a `DomainError`): a stable machine `code` and a translated `detail`.
    `fields` appears only when the error concerns named input fields."""

    code: str
    detail: str
    fields: dict[str, list[str]] | None = None


class NotFoundOut(Schema):
    detail: str = "Not Found"


#: Error responses of an operation that reads one congress's data.
READ_ERRORS: dict[int, Any] = {404: NotFoundOut}
#: Error responses of an operation that calls a `do_*` action.
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut, 409: ErrorOut, 422: ErrorOut}


# --- small reference objects ----------------------------------------------------------------------


class Ref(Schema):
    """A row named by id and name (a unit, a category, a group…)."""

    id: int
    name: str


def ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": str(getattr(obj, "name", obj))}


def label(choices: Any, value: str) -> str:
    """The translated label of a choice value ("" for an empty value)."""
    if not value:
        return ""
    return str(dict(choices.choices).get(value, value))


# --- congress and references -----------------------------------------------------------------------


def congress_of(request: HttpRequest, code: str) -> Congress:
    """The congress `code` if the signed-in user belongs to it, else 404 (`core.tenancy.congress_for`)."""
    return congress_for(request.user, code)


def pick(queryset: QuerySet, pk: int | None, field: str, what: str) -> Any:
    """The row `pk` of `queryset` (already limited to one congress), None for None, else 422
    ``unknown_<field>``."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(_("所选%(what)s不存在。") % {"what": what}, code=f"unknown_{field}")
    return obj


def pick_many(queryset: QuerySet[M], pks: Iterable[int], field: str, what: str) -> list[M]:
    """The rows `pks` of `queryset`, in the order given (duplicates kept, for the action to refuse)."""
    pks = list(pks)
    if not pks:
        return []
    found = {obj.pk: obj for obj in queryset.filter(pk__in=set(pks))}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise ValidationFailed(
            _("所选%(what)s不存在：%(ids)s。") % {"what": what, "ids": "、".join(map(str, missing))},
            code=f"unknown_{field}",
        )
    return [found[pk] for pk in pks]


# --- pages -----------------------------------------------------------------------------------------


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"Page number, from 1 (at most {MAX_PAGE}).")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Rows per page (at most {MAX_PAGE_SIZE})."
    )


def kept_json(
    request: HttpRequest, congress: Congress, name: str, schema: type[Schema], build: Callable[[], Any]
) -> HttpResponse:
    """The 200 answer `schema` of `build()`, as the API's renderer (django-ninja's JSON renderer)
    writes it, kept under the congress's data version like a page (`core.kept_pages`: per user,
    language, day and query string)."""

    def respond() -> HttpResponse:
        data = schema.model_validate(build()).model_dump()
        body = JSONRenderer().render(request, data, response_status=200)
        return HttpResponse(body, content_type=f"{JSONRenderer.media_type}; charset=utf-8")

    request.congress = congress  # type: ignore[attr-defined]
    return kept(request, name, respond)


def page_of(
    queryset: QuerySet, query: PageQuery, *, count: Callable[[], int] | None = None
) -> dict[str, Any]:
    """One page of `queryset`: ``{"count", "page", "page_size", "items"}`` (two queries). A page past
    the end is empty, not an error. `count` gives the total when it is kept elsewhere (under the
    data version) instead of counted here."""
    offset = (query.page - 1) * query.page_size
    items = list(queryset[offset : offset + query.page_size])
    # A short page (or the first, empty one) tells the total without counting.
    short = len(items) < query.page_size and (items or query.page == 1)
    total = offset + len(items) if short else (count or queryset.count)()
    return {"count": total, "page": query.page, "page_size": query.page_size, "items": items}
