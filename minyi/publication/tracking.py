"""查询我的意见: a resident follows their opinion on the public site, `/p/<code>/track/`, with the
tracking code of their slip or SMS and the last 4 digits of the phone they gave (issue #14).

- GET shows the form; POST looks up (`intake.selectors.opinion_progress`) and shows the progress on
  the same page, so the code never appears in an address, a log or the browser's history. Never
  kept and never cached (`never_cache`): the answer is for this visitor only.
- One neutral message for an unknown code and for wrong digits: a guess learns nothing.
- **Wrong guesses are throttled** with the default cache, in fixed windows of `TRACK_WINDOW` seconds:
  at most `TRACK_CODE_LIMIT` failed look-ups of one code (per congress) and `TRACK_IP_LIMIT` from one
  client address (over all codes and congresses). Once a limit is reached the page answers 429 with
  the time to try again, before it even reads the code — a right answer is refused as well until
  the window ends. Only look-ups that reach the database count (an empty or malformed code does not).
  The client address is the one django-axes uses for sign-in lockouts (`REMOTE_ADDR`, or
  X-Forwarded-For behind `TRUSTED_PROXY_COUNT` proxies). The limits are settings
  (`MINYI_TRACK_CODE_LIMIT`, `MINYI_TRACK_IP_LIMIT`, `MINYI_TRACK_WINDOW`) with these defaults.
"""

from __future__ import annotations

import datetime
import hashlib
import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from minyi.core.client_ip import client_ip
from minyi.intake.selectors import Progress, normalise_tracking_code, opinion_progress
from minyi.publication.models import Publication, PublicationState
from minyi.publication.site import PublicCongress, public_congress

#: Failed look-ups of one code (in one congress) per window.
TRACK_CODE_LIMIT = 5
#: Failed look-ups from one client address per window.
TRACK_IP_LIMIT = 20
#: The window, in seconds.
TRACK_WINDOW = 3600

TEMPLATE = "publication/public/track.html"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class TrackForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("查询码"),
        max_length=32,
        error_messages={"required": gettext_lazy("请填写查询码。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCD-2345",
            }
        ),
    )
    last4 = forms.CharField(
        label=gettext_lazy("手机号后四位"),
        error_messages={"required": gettext_lazy("请填写您登记时留下的电话号码的后四位。")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "4", "placeholder": "5678"}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_tracking_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("查询码是8位字母和数字（如 ABCD-2345），请按回执或短信上的填写。"), code="bad_code"
            )
        return code

    def clean_last4(self) -> str:
        digits = "".join(self.cleaned_data["last4"].split())
        if len(digits) != 4 or not digits.isascii() or not digits.isdigit():
            raise forms.ValidationError(_("请填写4位数字：您电话号码的最后四位。"), code="bad_last4")
        return digits


# --- the throttle ----------------------------------------------------------------------------------


def _key(kind: str, value: str) -> str:
    return f"minyi.v1:track:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def _blocked_until(key: str, limit: int) -> float | None:
    """When the window of `key` ends, if its failures reached `limit` (else None)."""
    count = cache.get(key)
    if count is None or count < limit:
        return None
    return cache.get(f"{key}:until") or time.time() + _setting("MINYI_TRACK_WINDOW", TRACK_WINDOW)


def _failed(key: str) -> None:
    """Count one failure in `key`'s window (a new window starts with the first failure)."""
    window = _setting("MINYI_TRACK_WINDOW", TRACK_WINDOW)
    if cache.add(key, 0, window):
        cache.set(f"{key}:until", time.time() + window, window)
    try:
        cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, window)


def _client(request: HttpRequest) -> str:
    return client_ip(request) or request.META.get("REMOTE_ADDR") or "unknown"


# --- the page --------------------------------------------------------------------------------------


def _published(site: PublicCongress, progress: Progress | None) -> int | None:
    """The publication of the opinion's suggestion, if the congress published it (for the link)."""
    if progress is None or progress.suggestion_pk is None:
        return None
    return (
        Publication.objects.filter(
            congress_id=site.pk, suggestion_id=progress.suggestion_pk, state=PublicationState.PUBLISHED
        )
        .values_list("pk", flat=True)
        .first()
    )


def _page(
    request: HttpRequest,
    site: PublicCongress,
    form: TrackForm,
    *,
    status: int = 200,
    progress: Progress | None = None,
    not_found: bool = False,
) -> HttpResponse:
    context = {
        "site": site,
        "here": request.path,  # the language switch comes back here (never the code in a query)
        "form": form,
        "progress": progress,
        "publication_pk": _published(site, progress),
        "not_found": not_found,
    }
    return render(request, TEMPLATE, context, status=status)


def _too_many(request: HttpRequest, site: PublicCongress, until: float) -> HttpResponse:
    when = timezone.localtime(datetime.datetime.fromtimestamp(until, tz=datetime.UTC))
    minutes = max(1, round((until - time.time()) / 60))
    context = {
        "site": site,
        "here": request.path,
        "throttled": True,
        "retry_at": when,
        "retry_minutes": minutes,
    }
    response = render(request, TEMPLATE, context, status=429)
    response["Retry-After"] = str(max(1, int(until - time.time())))
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, code: str) -> HttpResponse:
    site = public_congress(request, code)
    if request.method == "GET":
        return _page(request, site, TrackForm())
    ip_key = _key("ip", _client(request))
    until = _blocked_until(ip_key, _setting("MINYI_TRACK_IP_LIMIT", TRACK_IP_LIMIT))
    if until is not None:
        return _too_many(request, site, until)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _page(request, site, form, status=422)
    code_key = _key("code", f"{site.pk}:{form.cleaned_data['code']}")
    until = _blocked_until(code_key, _setting("MINYI_TRACK_CODE_LIMIT", TRACK_CODE_LIMIT))
    if until is not None:
        return _too_many(request, site, until)
    progress = opinion_progress(site.pk, form.cleaned_data["code"], form.cleaned_data["last4"])
    if progress is None:
        _failed(code_key)
        _failed(ip_key)
        return _page(request, site, form, status=404, not_found=True)
    return _page(request, site, TrackForm(), progress=progress)
