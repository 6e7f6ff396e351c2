"""Values cached under the congress's *data version* (issue #13).

The data version of a congress is the sequence number of its latest audit row that records a change
(or of the latest row of shared data — the holiday calendar — that belongs to no congress). Every
change of records is an audited action that writes its audit row in the same transaction (house
rule 1), so any change gives a new version at once and a value cached under the old one is never
read again: nothing is invalidated by hand, nothing is ever stale. Readings (exports, downloads:
`audit.READ_CODES`) and sign-ins (`account.*` rows) move no version. The figures' summary table
(`reports.FigureSnapshot`) and the bulletin are kept the same way.

`cached(request, name, compute, *parts)` keeps `compute()` under (congress, version, name, parts):
whatever the value depends on besides the congress's records — the user, for anything that depends
on who is asking; the day, for anything judged against today — must be in `parts`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Q, Subquery

from minyi.core.prepared import Prepared

T = TypeVar("T")

#: Seconds a value is kept (a later version makes it unreachable long before).
TIMEOUT = 3600
_MISSING = object()


def _version_query(congress_pk: int, same_pk: int) -> Any:
    from minyi.audit.models import SHARED_DATA, AuditEvent
    from minyi.audit.services import READ_CODES
    from minyi.congress.models import Congress

    def latest(*where: Any, **kw: Any) -> Subquery:
        return Subquery(AuditEvent.objects.filter(*where, **kw).order_by("-seq").values("seq")[:1])

    return (
        Congress.objects.filter(pk=congress_pk)
        # exports and downloads (audit.READ_CODES) record a reading, not a change
        .annotate(own=latest(~Q(code__in=READ_CODES), congress_id=same_pk), shared=latest(SHARED_DATA))
        .values_list("own", "shared")
    )


def _latest_change_query() -> Any:
    from minyi.audit.models import AuditEvent
    from minyi.audit.services import READ_CODES

    return AuditEvent.objects.exclude(code__in=READ_CODES).order_by("-seq").values_list("seq")[:1]


# Read on every kept page: compiled once (core.prepared). The sentinels stand for the congress's pk.
VERSION = Prepared(_version_query, -7_130_001, -7_130_002)
#: The latest change of any congress or of shared data (pages above the congresses: the inbox).
LATEST_CHANGE = Prepared(_latest_change_query)


def data_version(congress: Any) -> int:
    """The congress's data version. One query, on the (congress, seq) index and the partial index of
    shared-data rows."""
    return version_of(VERSION.row(congress.pk, congress.pk))


def version_of(row: tuple[Any, ...] | None) -> int:
    """The data version from a row of `VERSION` (own and shared seq; None: no row)."""
    own, shared = row if row is not None else (None, None)
    return max(own or 0, shared or 0)


def request_version(request: Any, *, read: Callable[[], int] | None = None) -> int:
    """The data version of the request's congress, read once per request (by `read` if given: a
    caller that reads it together with other values)."""
    congress = request.congress
    memo = getattr(request, "_minyi_data_version", None)
    if memo is None or memo[0] != congress.pk:
        memo = (congress.pk, read() if read is not None else data_version(congress))
        request._minyi_data_version = memo
    return memo[1]


def digest(values: dict[str, Any]) -> str:
    """A short, cache-key-safe part for a dict of validated filters (model instances by their pk):
    the same filters give the same digest whatever their order; none give "-"."""
    items = sorted((k, str(getattr(v, "pk", v))) for k, v in values.items() if v not in (None, "", [], ()))
    return hashlib.sha1(repr(items).encode(), usedforsecurity=False).hexdigest()[:16] if items else "-"


def cached(request: Any, name: str, compute: Callable[[], T], *parts: Any) -> T:
    """`compute()`, kept under the request's congress and its data version, `name` and `parts`."""
    return _kept(request.congress, request_version(request), name, compute, parts)


def kept(congress: Any, name: str, compute: Callable[[], T], *parts: Any) -> T:
    """`cached` for code that has the congress but no page request (the API): the data version is
    read here (one query)."""
    return _kept(congress, data_version(congress), name, compute, parts)


def _kept(congress: Any, version: int, name: str, compute: Callable[[], T], parts: tuple[Any, ...]) -> T:
    key = ":".join(["minyi.v1", name, str(congress.pk), str(version), *map(str, parts)])
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value  # type: ignore[return-value]
