"""The public site's frame: which congress a `/p/<code>/` address names, and pages kept per data
version.

A public page is the same for every visitor of a congress (no sign-in, no per-visitor part: the
language switch is a link, not a form), so its HTML is kept under the congress's **data version**
(`core.versioned`), the language and the full path. One statement finds the congress by its code,
its policy's `public_site` switch and its data version (`SITE`, compiled once); a kept page then costs
that one round trip and a cache read — the bare one-query view's cost. A congress that closed its
public site, or an unknown code, answers 404.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation

from minyi.core import versioned
from minyi.core.prepared import Prepared

_CODE = "\x00minyi-public-code\x00"


def _site_query(code: str) -> Any:
    from minyi.audit.models import SHARED_DATA, AuditEvent
    from minyi.audit.services import READ_CODES
    from minyi.congress.models import Congress

    own = AuditEvent.objects.filter(~Q(code__in=READ_CODES), congress_id=OuterRef("pk")).order_by("-seq")
    shared = AuditEvent.objects.filter(SHARED_DATA).order_by("-seq")
    return (
        Congress.objects.filter(code=code, active=True, policy__public_site=True)
        .annotate(own=Subquery(own.values("seq")[:1]), shared=Subquery(shared.values("seq")[:1]))
        .values_list("pk", "code", "name", "short_name", "own", "shared")
    )


SITE = Prepared(_site_query, _CODE)


@dataclass(frozen=True)
class PublicCongress:
    """What a public page knows of its congress (no model instance: nothing else to leak)."""

    pk: int
    code: str
    name: str
    short_name: str
    version: int


def public_congress(request: HttpRequest, code: str) -> PublicCongress:
    """The congress of a public address, read once per request; 404 for an unknown code, an inactive
    congress or one whose policy closed its public site."""
    memo = getattr(request, "_minyi_public", None)
    if memo is not None and memo.code == code:
        return memo
    row = SITE.row(code)
    if row is None:
        raise Http404
    pk, code_, name, short_name, own, shared = row
    found = PublicCongress(pk, code_, name, short_name, max(own or 0, shared or 0))
    request._minyi_public = found  # type: ignore[attr-defined]
    return found


#: The query parameters a public page reads. A page is kept under these alone (sorted, each value
#: cut to `VALUE_MAX`), so made-up parameters (``?x=1``, ``?x=2``…) cannot force a page to be built
#: again and again; the pages' own links carry only these too.
PARAMS = ("q", "year", "category", "unit", "result", "satisfaction", "page")
VALUE_MAX = 60


def canonical_query(request: HttpRequest, *, without: tuple[str, ...] = ()) -> str:
    """The request's query string with only `PARAMS` (less `without`), sorted, values cut."""
    pairs = sorted(
        (name, value[:VALUE_MAX])
        for name in PARAMS
        if name not in without
        for value in request.GET.getlist(name)[-1:]  # the last, as QueryDict.get gives it
        if value
    )
    return urlencode(pairs)


def public_page(name: str) -> Callable:
    """Find the congress (`request.public`) and keep the view's 200 answers to GET under its data
    version, the language, the day, the path and the known parameters (`canonical_query`;
    `MINYI_KEEP_PAGES`, as signed-in pages)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
            site = public_congress(request, code)
            request.public = site  # type: ignore[attr-defined]
            if not settings.MINYI_KEEP_PAGES or request.method != "GET":
                return view(request, code, *args, **kwargs)
            parts = [
                translation.get_language() or "",
                timezone.localdate().isoformat(),
                request.path,
                canonical_query(request),
            ]
            digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
            key = f"minyi.v1:public:{name}:{site.pk}.{site.version}:{digest}"
            found = cache.get(key)
            if found is not None:
                request._minyi_kept_page = "hit"  # type: ignore[attr-defined]
                headers, body = found
                return HttpResponse(body, headers=headers)
            response = view(request, code, *args, **kwargs)
            request._minyi_kept_page = "miss"  # type: ignore[attr-defined]
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and {h.lower() for h in response.headers} <= {"content-type", "content-disposition"}
            ):
                cache.set(key, (dict(response.headers), response.content), versioned.TIMEOUT)
            return response

        return wrapper

    return decorator
