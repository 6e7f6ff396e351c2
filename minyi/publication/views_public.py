"""The public site's pages, `/p/<code>/` (docs/user-guide/public.md): no sign-in.

Every page reads through `selectors.py` (the publication app's published rows only) and is wrapped in
`site.public_page`, which finds the congress by its code and keeps the page per data version. The
rate limits of search and downloads are checked *before* the kept page is looked up, so a kept page
never lets a client past them and a 429 is never kept.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from minyi.core.client_ip import client_ip

from . import selectors
from .models import Publication, PublishedReply
from .site import PublicCongress, canonical_query, public_congress, public_page

#: Searches (a list with `q`) per client address per minute.
SEARCHES_PER_MINUTE = 30
#: Open-data downloads per client address per minute.
DOWNLOADS_PER_MINUTE = 10
LANGUAGES = ("zh-hans", "en")


def _site(request: HttpRequest) -> PublicCongress:
    return request.public  # type: ignore[attr-defined]


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    query = canonical_query(request)
    here = f"{request.path}?{query}" if query else request.path  # what the page was kept under
    return render(request, template, {"site": _site(request), "here": here, **context}, status=status)


# --- rate limits -------------------------------------------------------------------------------------


def _client(request: HttpRequest) -> str:
    """The client's address as every per-address limit reads it (`core.client_ip`: behind
    `TRUSTED_PROXY_COUNT` proxies, the client's, not the proxy's)."""
    return client_ip(request) or "-"


def over_limit(request: HttpRequest, kind: str, per_minute: int) -> bool:
    """Count one more `kind` request of this client in the current minute (in the shared cache);
    True once the count passes `per_minute`."""
    key = f"minyi.v1:public-rate:{kind}:{_client(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, 90)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, 90)
        count = 1
    return count > per_minute


def _too_many(request: HttpRequest, code: str) -> HttpResponse:
    request.public = public_congress(request, code)  # type: ignore[attr-defined]
    response = _render(request, "publication/public/too_many.html", {}, status=429)
    response["Retry-After"] = "60"
    return response


def _limited(kind: str, per_minute: int, applies: Callable[[HttpRequest], bool]) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if applies(request):
                public_congress(request, code)  # an unknown congress is a 404, not a counted request
                if over_limit(request, kind, per_minute):
                    return _too_many(request, code)
            return view(request, code, *args, **kwargs)

        wrapper.__name__ = getattr(view, "__name__", "view")
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorator


# --- pages ---------------------------------------------------------------------------------------------


@public_page("home")
def home(request: HttpRequest, code: str) -> HttpResponse:
    site = _site(request)
    return _render(
        request,
        "publication/public/home.html",
        {
            "latest": selectors.latest(site.pk),
            "years": selectors.published_years(site.pk),
            "figures_years": selectors.figures_years(site.pk),
        },
    )


@_limited("search", SEARCHES_PER_MINUTE, lambda request: bool((request.GET.get("q") or "").strip()))
@public_page("list")
def suggestion_list(request: HttpRequest, code: str) -> HttpResponse:
    site = _site(request)
    filters = selectors.Filters.from_query(request.GET)
    page = selectors.page_of(site.pk, filters, request.GET.get("page"), version=site.version)
    return _render(
        request,
        "publication/public/list.html",
        {
            "page": page,
            "filters": filters,
            "choices": selectors.choices(site.pk),
            "querystring": canonical_query(request, without=("page",)),
        },
    )


@public_page("detail")
def suggestion_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    site = _site(request)
    publication = selectors.published_one(site.pk, pk)
    return _render(
        request,
        "publication/public/detail.html",
        {
            "p": publication,
            "units": selectors.handling_units(publication),
        },
    )


@public_page("figures")
def figures(request: HttpRequest, code: str) -> HttpResponse:
    site = _site(request)
    years = selectors.figures_years(site.pk)
    wanted = request.GET.get("year") or ""
    year = int(wanted) if wanted.isdigit() and int(wanted) in years else (years[0] if years else None)
    row = selectors.figures_of(site.pk, year) if year is not None else None
    rows = selectors.figure_rows(row.payload, translation.get_language()) if row else []
    return _render(
        request,
        "publication/public/figures.html",
        {"years": years, "year": year, "row": row, "rows": rows},
    )


@public_page("themes")
def themes(request: HttpRequest, code: str) -> HttpResponse:
    site = _site(request)
    years = selectors.theme_years(site.pk)
    wanted = request.GET.get("year") or ""
    year = int(wanted) if wanted.isdigit() and int(wanted) in years else (years[0] if years else None)
    return _render(
        request,
        "publication/public/themes.html",
        {"years": years, "year": year, "themes": selectors.public_themes(site.pk, year) if year else []},
    )


@public_page("awards")
def awards(request: HttpRequest, code: str) -> HttpResponse:
    return _render(
        request, "publication/public/awards.html", {"rounds": selectors.public_awards(_site(request).pk)}
    )


# --- the Atom feed ---------------------------------------------------------------------------------


class RepliesFeed(Feed):
    """The latest published replies of a congress (Atom 1.0)."""

    feed_type = Atom1Feed

    def __init__(self, site: PublicCongress) -> None:
        self.site = site

    def get_object(self, request: HttpRequest, code: str) -> PublicCongress:
        return self.site

    def title(self, obj: PublicCongress) -> str:
        return _("%(name)s · 代表建议最新答复") % {"name": obj.name}

    def subtitle(self, obj: PublicCongress) -> str:
        return _("已公开的代表建议及承办单位答复")

    def link(self, obj: PublicCongress) -> str:
        return reverse("public:list", args=[obj.code])

    def feed_url(self, obj: PublicCongress) -> str:
        return reverse("public:feed", args=[obj.code])

    def items(self, obj: PublicCongress) -> list[PublishedReply]:
        return selectors.recent_replies(obj.pk)

    def item_title(self, item: PublishedReply) -> str:
        p = item.publication
        return _("%(number)s %(title)s — %(unit)s的答复") % {
            "number": p.number,
            "title": p.title,
            "unit": item.unit.name,
        }

    def item_description(self, item: PublishedReply) -> str:
        return item.body

    def item_link(self, item: PublishedReply) -> str:
        p = item.publication
        return reverse("public:detail", args=[self.site.code, p.pk]) + f"#reply-{item.pk}"

    def item_guid(self, item: PublishedReply) -> str:
        return f"minyi-published-reply-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: PublishedReply) -> Any:
        return item.publication.published_at

    def item_updateddate(self, item: PublishedReply) -> Any:
        return item.publication.published_at

    def item_author_name(self, item: PublishedReply) -> str:
        return item.unit.name


@public_page("feed")
def feed(request: HttpRequest, code: str) -> HttpResponse:
    response = RepliesFeed(_site(request))(request, code)
    # The page is kept per data version; a Last-Modified header would stop it being kept.
    response.headers.pop("Last-Modified", None)
    return response


# --- open data -------------------------------------------------------------------------------------

#: The open data's fields, in order: name, type, meaning in Chinese, meaning in English. The data
#: dictionary shows both languages side by side whatever the page's language (not translated).
DATA_FIELDS: list[tuple[str, str, str, str]] = [
    ("number", "string", "建议编号", "Suggestion number"),
    ("year", "integer", "立案年度", "Year of acceptance"),
    ("title", "string", "案由（已做个人信息遮盖）", "Title (personal data masked)"),
    (
        "deputies",
        "string",
        "提出代表：领衔代表和联名代表的姓名",
        "Deputies: the lead deputy and the co-signers",
    ),
    ("category", "string", "建议分类", "Category"),
    ("accepted_on", "date (YYYY-MM-DD)", "立案日期", "Date accepted"),
    (
        "closed_on",
        "date (YYYY-MM-DD)",
        "办结日期（尚未办结的为空）",
        "Date closed (empty while being handled)",
    ),
    ("published_at", "datetime (ISO 8601)", "公开时间", "Time of publication"),
    ("facts", "string", "情况与问题（已做个人信息遮盖）", "Facts and problems (personal data masked)"),
    ("proposals", "string", "具体建议（已做个人信息遮盖）", "Proposals (personal data masked)"),
    (
        "units",
        "string / list",
        "答复的承办单位（CSV 中以“；”分隔）",
        "Handling units that replied (separated by “；” in the CSV)",
    ),
    (
        "result_classes",
        "string / list",
        "答复类别代码，如 A（CSV 中以“；”分隔）",
        "Result class codes of the replies, e.g. A (separated by “；” in the CSV)",
    ),
    (
        "satisfaction",
        "string / list",
        "代表测评：satisfied 满意、basic 基本满意、unsatisfied 不满意，未测评为空",
        "The deputy's rating: satisfied, basic (basically satisfied) or unsatisfied; empty if not rated",
    ),
    (
        "replies",
        "list (JSON)",
        "答复函：承办单位、答复类别、办理轮次、答复日期、代表测评和答复内容（仅 JSON）",
        "Reply letters: unit, result class, round, date signed, the deputy's rating and the text (JSON only)",
    ),
    ("url", "string (URL)", "本建议在公开网站上的地址", "The address of the suggestion on the public site"),
]
#: Characters that make a spreadsheet read a cell as a formula: such text is written with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _record(p: Publication, site: PublicCongress, request: HttpRequest) -> dict[str, Any]:
    replies = list(p.replies.all())
    return {
        "number": p.number,
        "year": p.year,
        "title": p.title,
        "deputies": p.deputies,
        "category": p.category.name if p.category else "",
        "accepted_on": p.accepted_on.isoformat() if p.accepted_on else None,
        "closed_on": p.closed_on.isoformat() if p.closed_on else None,
        "published_at": timezone.localtime(p.published_at).replace(microsecond=0).isoformat()
        if p.published_at
        else None,
        "facts": p.facts,
        "proposals": p.proposals,
        "units": [r.unit.name for r in replies],
        "result_classes": [r.result_class.code for r in replies],
        "satisfaction": [r.satisfaction for r in replies],
        "replies": [
            {
                "unit": r.unit.name,
                "result_class": r.result_class.code,
                "result_class_name": r.result_class.name,
                "round": r.round,
                "signed_on": r.signed_on.isoformat(),
                "satisfaction": r.satisfaction,
                "body": r.body,
            }
            for r in replies
        ],
        "url": request.build_absolute_uri(reverse("public:detail", args=[site.code, p.pk])),
    }


@public_page("data")
def data(request: HttpRequest, code: str) -> HttpResponse:
    site = _site(request)
    return _render(
        request,
        "publication/public/data.html",
        {"fields": DATA_FIELDS, "years": selectors.published_years(site.pk), "limit": DOWNLOADS_PER_MINUTE},
    )


def _download_year(request: HttpRequest, site: PublicCongress) -> int:
    years = selectors.published_years(site.pk)
    wanted = request.GET.get("year") or ""
    if not years:
        raise Http404
    if not wanted:
        return years[0]
    if not wanted.isdigit() or int(wanted) not in years:
        raise Http404
    return int(wanted)


def _csv_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = [name for name, *_rest in DATA_FIELDS if name != "replies"]
    yield "\ufeff"  # the byte-order mark: Excel then reads the file as UTF-8
    writer.writerow(names)
    for record in records:
        writer.writerow(
            [
                _cell("；".join(v for v in record[n] if v) if isinstance(record[n], list) else record[n])
                for n in names
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


@_limited("download", DOWNLOADS_PER_MINUTE, lambda request: True)
@public_page("data_download")
def data_download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    site = _site(request)
    if fmt not in ("csv", "json"):
        raise Http404
    year = _download_year(request, site)
    records = (_record(p, site, request) for p in selectors.year_rows(site.pk, year))
    filename = f"{site.code}-suggestions-{year}.{fmt}"
    disposition = f'attachment; filename="{filename}"'
    if fmt == "csv":
        response: HttpResponse = StreamingHttpResponse(
            _csv_lines(records), content_type="text/csv; charset=utf-8"
        )  # type: ignore[assignment]
    else:
        body = {
            "congress": site.name,
            "year": year,
            "fields": [
                {"name": n, "type": t, "description": zh, "description_en": en}
                for n, t, zh, en in DATA_FIELDS
            ],
            "suggestions": list(records),
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = disposition
    return response


# --- the language switch -----------------------------------------------------------------------------


def language(request: HttpRequest, code: str, lang: str) -> HttpResponse:
    """Switch the site's language (a link, no form): set the language cookie and go back to `next`
    if it is an address of this site, else to the home page."""
    site = public_congress(request, code)
    if lang not in LANGUAGES:
        raise Http404
    target = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("public:home", args=[site.code])
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        lang,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
