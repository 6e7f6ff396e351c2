"""Whole pages kept under the congress's data version (issue #13).

A signed-in page costs 5–45 ms of Python to build (template rendering and ORM query building, not
waiting for the database); the bare one-query view costs 0.6 ms. The only way to the issue's goal is
not to build a page again while nothing it shows has changed. `@kept_page(name)` keeps the rendered
HTML of a GET under everything the page depends on:

- the congress and its **data version** (`core.versioned`): every change of records is an audited
  action that moves it in the same transaction, so a change makes every kept page unreachable at once;
- **who is asking**: the user, their name and platform flags, and their active memberships in every
  congress (the menu's congress switcher) — roles inside this congress move its version too;
- what other apps add with `register_key_part(name, KeyPart(...))`: the notifications app adds the user's **notices**
  (the menu's unread badge; the inbox: its newest notice too) — notices are not audited records, so
  they are read (one query) and put in the key;
- the **language** and the **day** (deadlines are judged against today; no kept page says
  "3 分钟前": the inbox shows when a notice came, not how long ago);
- the **full path with its query string** and the htmx request headers (a partial is another page).

Per request, not kept: the CSRF token and the CSP nonce are taken out of the kept HTML (placeholders)
and the request's own put back; a page that shows or adds a flash message is neither served from nor
stored in the cache; only a 200 text answer with no headers besides its type is kept. Everything else
of the request — sign-in, the password-change rule, membership and permission checks (`congress_view`
runs before this decorator), the CSRF cookie, security headers — runs as for any page.

Off with `MINYI_KEEP_PAGES=0` (the test suite turns it off by default: its factories write records
without audit rows, which a production installation never does; the kept-page tests turn it on).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token  # type: ignore[attr-defined]
from django.utils import timezone, translation

from minyi.core import versioned
from minyi.core.prepared import Prepared, together
from minyi.core.tenancy import memberships_of

#: Placeholders for the per-request parts of a kept page (never valid in a real page: "\x00").
CSRF_MARK = "\x00minyi-csrf\x00"
NONCE_MARK = "\x00minyi-nonce\x00"
#: A masked CSRF token as Django writes it (64 letters and digits).
_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_KEPT_CONTENT_TYPES = ("text/html", "application/json")


@dataclass(frozen=True)
class KeyPart:
    """A part of every kept page's key that an app above core gives: a query of at most one row
    (`core.prepared.Prepared`), its values for a request, and the text it puts in the key."""

    query: Prepared
    values: Callable[[HttpRequest], tuple[Any, ...]]
    text: Callable[[tuple[Any, ...]], str]


#: Registered in the apps' `AppConfig.ready()`, by name.
_KEY_PARTS: dict[str, KeyPart] = {}


def register_key_part(name: str, part: KeyPart) -> None:
    """Put `part` in every kept page's key (once per name). Its query runs in the same round trip
    as the data version's (`core.prepared.together`)."""
    _KEY_PARTS[name] = part


def kept_page(name: str) -> Callable:
    """Keep the view's 200 answers to GET under the key described above. Put it *below*
    `congress_view` / `login_required`: they run on every request."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return kept(request, name, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator


def kept(request: HttpRequest, name: str, respond: Callable[[], HttpResponse]) -> HttpResponse:
    """The kept answer to this GET if there is one, else `respond()` (kept if it may be): the body
    of `kept_page`, for views that find their congress themselves (the API)."""
    if not settings.MINYI_KEEP_PAGES or request.method != "GET" or _has_messages(request):
        return respond()
    key = page_key(request, name)
    found = cache.get(key)
    if found is not None:
        request._minyi_kept_page = "hit"  # type: ignore[attr-defined]
        return _serve(request, found)
    response = respond()
    request._minyi_kept_page = "miss"  # type: ignore[attr-defined]
    stored = _storable(request, response)
    if stored is not None:
        cache.set(key, stored, versioned.TIMEOUT)
    return response


def page_key(request: HttpRequest, name: str) -> str:
    """The cache key of this request's page (see the module's text for what is in it)."""
    user: Any = request.user
    congress = getattr(request, "congress", None)
    extra = [_KEY_PARTS[part] for part in sorted(_KEY_PARTS)]
    # the data version (or, above the congresses, the latest change anywhere) and every registered
    # part: one statement, one round trip
    first = (
        (versioned.VERSION, (congress.pk, congress.pk))
        if congress is not None
        else (versioned.LATEST_CHANGE, ())
    )
    rows = together(first, *((part.query, part.values(request)) for part in extra))
    if congress is not None:
        version = versioned.request_version(request, read=lambda: versioned.version_of(rows[0]))
        where = f"{congress.pk}.{version}"
    else:  # a page above the congresses (the inbox): every congress's changes
        where = f"*.{rows[0][0] or 0}"
    who = [
        user.pk,
        user.display_name,
        user.is_superuser,
        user.is_staff,
        sorted((m.pk, m.role, m.congress_id, m.unit_id, m.station_id) for m in memberships_of(user)),
    ]
    parts = [
        repr(who),
        *(part.text(row) for part, row in zip(extra, rows[1:], strict=True)),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        request.get_full_path(),
        repr(sorted((k, v) for k, v in request.headers.items() if k.lower().startswith("hx-"))),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"minyi.v1:page:{name}:{where}:{digest}"


def _has_messages(request: HttpRequest) -> bool:
    """Flash messages waiting (counting them does not mark them read)."""
    return len(get_messages(request)) > 0


def _storable(request: HttpRequest, response: HttpResponse) -> tuple[str, bytes] | None:
    """What is kept of `response`: its type and its body with the per-request parts taken out; None
    for anything that must not be kept."""
    content_type = response.get("Content-Type", "")
    if (
        response.status_code != 200
        or response.streaming
        or not content_type.startswith(_KEPT_CONTENT_TYPES)
        or {h.lower() for h in response.headers} != {"content-type"}
        or response.cookies
        or _has_messages(request)  # the view added one: it belongs to this answer only
    ):
        return None
    body = response.content.decode(response.charset)
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        body = _TOKEN_RE.sub(lambda m: CSRF_MARK if _is_token(m.group(0), secret) else m.group(0), body)
    nonce = getattr(request, "_csp_nonce", None)
    if isinstance(nonce, str) and nonce:
        body = body.replace(nonce, NONCE_MARK)
    return content_type, body.encode(response.charset)


def _is_token(candidate: str, secret: str) -> bool:
    try:
        return _unmask_cipher_token(candidate) == secret
    except Exception:  # noqa: BLE001 - not a token
        return False


def _serve(request: HttpRequest, kept: tuple[str, bytes]) -> HttpResponse:
    content_type, body = kept
    text = body.decode()
    if CSRF_MARK in text:
        text = text.replace(CSRF_MARK, get_token(request))
    if NONCE_MARK in text:
        text = text.replace(NONCE_MARK, str(request.csp_nonce))  # type: ignore[attr-defined]
    return HttpResponse(text, content_type=content_type)
