"""The clerk's publication pages below /c/<code>/publication/ (namespace "publication"), and the
handling unit's withhold request (docs/user-guide/publication.md).

- ``/``: 公开审定 — tabs: awaiting a decision (with batch publication), units' withhold requests,
  published, withheld, retracted; and the year's figures to publish;
- ``<pk>/``: one suggestion: every text to publish with the personal data found in it marked, the
  masked text to confirm or edit, and the decisions (publish, withhold, retract, decide requests);
- ``batch/``: the batch's confirmation page (each suggestion with what will be masked), then publish;
- ``<pk>/withhold-request/``: a unit's request not to publish (units that handle the suggestion).

Every view goes through `congress_view()`; the suggestion is fetched with
`suggestions.selectors.access_suggestion` (404 for missing and forbidden).
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.errors import DomainError, FieldErrors
from minyi.core.pages import act, paginate
from minyi.suggestions.selectors import access_suggestion

from . import actions as A
from . import review
from .forms import DecideRequestForm, FiguresForm, ReasonForm, WithholdRequestForm
from .models import PublicationState, PublishedFigures, WithholdRequest

TABS = [
    "pending",
    "requests",
    PublicationState.PUBLISHED,
    PublicationState.WITHHELD,
    PublicationState.RETRACTED,
]
PER_PAGE = 30


def _index_url(request: CongressRequest, tab: str = "") -> str:
    url = reverse("publication:index", args=[request.congress.code])
    return f"{url}?tab={tab}" if tab else url


def _review_url(request: CongressRequest, pk: int) -> str:
    return reverse("publication:review", args=[request.congress.code, pk])


def _figure_years(request: CongressRequest) -> list[int]:
    """This year and the five before it (the years whose figures the clerk may publish)."""
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


@congress_view("publication.decide")
@require_http_methods(["GET"])
def index(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    tab = request.GET.get("tab") or "pending"
    if tab not in TABS:
        tab = "pending"
    if tab == "pending":
        items: Any = review.publishable(congress)
    elif tab == "requests":
        items = review.pending_withhold_requests(congress)
    else:
        items = review.decided(congress, tab)
    figures = PublishedFigures.objects.filter(congress=congress).select_related("published_by")[:10]
    return render(
        request,
        "publication/index.html",
        {
            "tab": tab,
            "tabs": TABS,
            "counts": review.counts(congress),
            "page": paginate(request, items, PER_PAGE),
            "figures": figures,
            "figures_form": FiguresForm(years=_figure_years(request)),
            "site_url": reverse("public:home", args=[congress.code]),
        },
    )


def _review_context(request: CongressRequest, suggestion: Any, **extra: Any) -> dict[str, Any]:
    confirmed = extra.pop("confirmed", "")
    public = tuple(line.strip() for line in confirmed.splitlines() if line.strip())
    parts = review.draft(suggestion, public=public)
    posted = extra.pop("texts", {})
    for part in parts:
        part.text = posted.get(part.key, part.masked)  # type: ignore[attr-defined]
    return {
        "suggestion": suggestion,
        "parts": parts,
        "publication": review.publication_of(suggestion),
        "publishable": review.is_publishable(suggestion, _policy(request)),
        "requests": review.withhold_requests_of(suggestion),
        "reason_form": ReasonForm(),
        "decide_form": DecideRequestForm(),
        "confirmed": confirmed,
        "errors": extra.pop("errors", {}),
        **extra,
    }


def _policy(request: CongressRequest) -> Any:
    from minyi.congress.actions import ensure_policy

    return ensure_policy(request.congress)


@congress_view("publication.decide")
@require_http_methods(["GET", "POST"])
def review_page(request: CongressRequest, pk: int) -> HttpResponse:
    """GET: the review; POST: publish with the texts as confirmed on the page."""
    suggestion = access_suggestion(request.user, request.congress, pk)
    if request.method != "POST":
        return render(request, "publication/review.html", _review_context(request, suggestion))
    texts = {key[5:]: str(value) for key, value in request.POST.items() if key.startswith("text-")}
    confirmed = request.POST.get("confirmed_public", "")
    try:
        A.do_publish(
            suggestion,
            actor=request.user,
            texts=texts,
            confirmed_public=[line for line in confirmed.splitlines() if line.strip()],
        )
    except FieldErrors as exc:
        context = _review_context(request, suggestion, texts=texts, confirmed=confirmed, errors=exc.errors)
        messages.error(request, _("未能公开：请按提示修改后再确认。"))
        return render(request, "publication/review.html", context, status=422)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect(_review_url(request, suggestion.pk))
    messages.success(request, _("已公开：%(n)s。公众现在可以在公开网站上查阅。") % {"n": suggestion.number})
    return redirect(_review_url(request, suggestion.pk))


def _reasoned(request: CongressRequest, pk: int, run: Any, success: str) -> HttpResponse:
    suggestion = access_suggestion(request.user, request.congress, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写理由。"))
        return redirect(_review_url(request, suggestion.pk))
    return act(
        request,
        lambda: run(suggestion, actor=request.user, reason=form.cleaned_data["reason"]),
        success=success,
        next=_review_url(request, suggestion.pk),
    )


@congress_view("publication.decide")
@require_POST
def withhold(request: CongressRequest, pk: int) -> HttpResponse:
    return _reasoned(request, pk, A.do_withhold, _("已决定不予公开。"))


@congress_view("publication.decide")
@require_POST
def retract(request: CongressRequest, pk: int) -> HttpResponse:
    return _reasoned(request, pk, A.do_retract, _("已撤回公开，公开网站上不再显示该建议。"))


@congress_view("publication.decide")
@require_POST
def decide_request(request: CongressRequest, pk: int) -> HttpResponse:
    found = WithholdRequest.objects.filter(pk=pk, congress=request.congress).first()
    if found is None:
        raise Http404
    form = DecideRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意。"))
        return redirect(_review_url(request, found.suggestion_id))
    grant = form.cleaned_data["grant"]
    return act(
        request,
        lambda: A.do_decide_withhold_request(
            found, actor=request.user, grant=grant, note=form.cleaned_data["note"]
        ),
        success=_("已同意不予公开。") if grant else _("已不同意申请，可以公开。"),
        next=_review_url(request, found.suggestion_id),
    )


@congress_view("publication.decide")
@require_POST
def batch(request: CongressRequest) -> HttpResponse:
    """First POST (from the list's checkboxes): the confirmation page. Second (confirm=1): publish."""
    ids = [int(v) for v in request.POST.getlist("s") if v.isdigit()]
    chosen = list(review.publishable(request.congress).filter(pk__in=ids))
    if not chosen:
        messages.error(request, _("请先勾选要公开的建议。"))
        return redirect(_index_url(request))
    if request.POST.get("confirm") != "1":
        rows = [(s, review.draft(s)) for s in chosen]
        return render(request, "publication/batch.html", {"rows": rows})
    result = A.do_publish_batch(chosen, actor=request.user)
    if result.published:
        messages.success(request, _("已公开%(n)s件建议。") % {"n": len(result.published)})
    for suggestion, why in result.refused:
        messages.error(request, f"{suggestion.number}：{why}")
    return redirect(_index_url(request))


@congress_view("publication.decide")
@require_POST
def publish_figures(request: CongressRequest) -> HttpResponse:
    form = FiguresForm(request.POST, years=_figure_years(request))
    if not form.is_valid():
        messages.error(request, _("请选择年度。"))
        return redirect(_index_url(request))
    year = form.cleaned_data["year"]
    return act(
        request,
        lambda: A.do_publish_figures(request.congress, actor=request.user, year=year),
        success=_("已公布%(y)s年度办理统计。") % {"y": year},
        next=_index_url(request) + "#figures",
    )


@congress_view()
@require_http_methods(["GET", "POST"])
def request_withhold(request: CongressRequest, pk: int) -> HttpResponse:
    """A handling unit asks the clerk not to publish the suggestion."""
    suggestion = access_suggestion(request.user, request.congress, pk)
    if not rules.has_perm("publication.request_withhold", request.user, suggestion):
        raise Http404
    detail = reverse("suggestions:detail", args=[request.congress.code, suggestion.pk])
    form = WithholdRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                A.do_request_withhold(suggestion, actor=request.user, **form.cleaned_data)
            except FieldErrors as exc:
                for field, errs in exc.errors.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("已提交不予公开申请，等待代表工委审定。"))
                return redirect(detail)
        status = 422
    return render(
        request,
        "publication/request_withhold.html",
        {
            "suggestion": suggestion,
            "form": form,
            "requests": review.withhold_requests_of(suggestion),
            "back": detail,
        },
        status=status,
    )
