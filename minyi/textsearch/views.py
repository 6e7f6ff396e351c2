"""The search page (`/c/<code>/search/`) and the similar-suggestions panel (htmx), both readers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from minyi.congress.models import Category
from minyi.core import versioned
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.pages import query_without
from minyi.suggestions.selectors import access_suggestion

from .models import SearchEntry
from .search import Filters, hits, search, similar

PER_PAGE = 20
#: At most this many hits are counted and paged (the count stops there: "1000+").
MAX_RESULTS = 1000
QUERY_MAX = 100
DRAFT_MAX = 20000


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=QUERY_MAX, required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("分类"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, congress: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self._choice
        choice("kind").choices = [("", _("全部")), *SearchEntry.Kind.choices]
        choice("year").choices = [("", _("全部")), *((y, str(y)) for y in years)]
        categories = (
            Category.objects.filter(congress=congress).order_by("order", "pk").values_list("pk", "name")
        )
        choice("category").choices = [("", _("全部")), *categories]
        self.fields["q"].widget.attrs.update(
            {"type": "search", "class": "form-control", "autocomplete": "off"}
        )
        for name in ("kind", "year", "category"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def _choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field


def _years(congress: Any) -> list[int]:
    """The years of the index's entries, newest first (kept under the data version: a DISTINCT
    over every entry costs ~100 ms at 100k)."""
    years = (
        SearchEntry.objects.filter(congress=congress, year__isnull=False)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return [y for y in years if y is not None]


@congress_view()
def search_page(request: CongressRequest) -> HttpResponse:
    """Ranked results with highlighted snippets; the filters narrow the query's hits."""
    congress = request.congress
    form = SearchForm(
        request.GET or None,
        congress=congress,
        years=versioned.cached(request, "search_years", lambda: _years(congress)),
    )
    context: dict[str, Any] = {"form": form, "q": ""}
    if form.is_valid() and (form.cleaned_data["q"] or "").strip():
        data = form.cleaned_data
        filters = Filters(kind=data["kind"] or "", year=data["year"], category=data["category"])
        results = search(request.user, congress, data["q"], filters)
        # one pass: the ids of the first MAX_RESULTS + 1 hits in order (the count stops there), then
        # the page's entries by id
        ids = results.ids(MAX_RESULTS + 1)
        total = len(ids)
        page = Paginator(ids[:MAX_RESULTS], PER_PAGE).get_page(request.GET.get("page"))
        shown = SearchEntry.objects.in_bulk(list(page.object_list))
        entries = [shown[pk] for pk in page.object_list if pk in shown]
        context.update(
            q=data["q"],
            words=[w.word for w in results.words],
            relaxed=results.relaxed,
            ranked=results.ranked,
            more=total > MAX_RESULTS,
            max_results=MAX_RESULTS,
            page=page,
            hits=hits(entries, results.tokens, congress.code),
            querystring=query_without(request, "page"),
        )
    return render(request, "textsearch/search.html", context)


def _panel(request: CongressRequest, title: str, text: str, exclude: int | None) -> HttpResponse:
    found = similar(request.congress, text[:DRAFT_MAX], title=title[:300], user=request.user, exclude=exclude)
    return render(
        request, "textsearch/_similar.html", {"found": found, "asked": bool((title + text).strip())}
    )


@require_http_methods(["POST"])
@congress_view()
def similar_draft(request: CongressRequest) -> HttpResponse:
    """The drafting form's panel: the suggestions most like what is typed (title, facts, proposals).
    POST because a draft can be long; it changes nothing."""
    title = request.POST.get("title", "")
    text = "\n".join(request.POST.get(name, "") for name in ("facts", "proposals"))
    exclude = request.POST.get("exclude") or ""
    return _panel(request, title, text, int(exclude) if exclude.isdigit() else None)


@congress_view()
def similar_to(request: CongressRequest, pk: int) -> HttpResponse:
    """The suggestion page's panel (the clerk's review): the suggestions most like this one."""
    s = access_suggestion(request.user, request.congress, pk)
    return _panel(request, s.title, f"{s.facts}\n{s.proposals}", s.pk)
