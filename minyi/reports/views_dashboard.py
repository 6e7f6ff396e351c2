"""Dashboard pages below /c/<code>/reports/ (read-only):

- ``dashboard/``: the congress overview — headline cards, monthly intake and replies, by category,
  by channel, by body, units with overdue items. Unit members are sent to their unit's dashboard.
- ``dashboard/units/<pk>/``: one unit's dashboard (the same, narrowed to the unit).
- ``dashboard/groups/``: the deputy groups.
- ``dashboard/list/?segment=…``: the suggestions (or deputies) behind a chart segment that is not an
  engine figure (`dashboard.SEGMENTS`); engine figures drill down to ``figure/<key>/``.

Charts are drawn by static/js/charts.js (ECharts, served locally) from a JSON block in the page; no
inline script (CSP). Phones see cards and short tables instead of charts.

Permissions as on the figures pages (`rules.py`): ``reports.view_figures`` for the congress's staff,
a unit's members only their own unit's dashboard and lists filtered to their unit; 404 otherwise.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from minyi.congress.models import DeputyGroup, Unit
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.kept_pages import kept_page
from minyi.core.tenancy import units_of
from minyi.suggestions.selectors import suggestions_visible_to

from . import dashboard as D
from . import rules_exports  # noqa: F401  (registers reports.export_figures, reports.import_history)
from .figures import policy_of
from .forms import ScopeForm
from .rules import UNIT_FIGURE_ROLES
from .views import drill_down_xlsx

PER_PAGE = 25


def _form(request: CongressRequest, *, unit: Unit | None = None) -> tuple[ScopeForm, bool]:
    form = ScopeForm(request.congress, request.GET or None, fixed_unit=unit)
    if not form.is_bound:
        form.cleaned_data = {}
        return form, True
    return form, form.is_valid()


def _context(request: CongressRequest, **extra: Any) -> dict[str, Any]:
    congress = request.congress
    extra.setdefault("can_view_figures", rules.has_perm("reports.view_figures", request.user, congress))
    extra.setdefault("can_export", rules.has_perm("reports.export_figures", request.user, congress))
    extra.setdefault("can_import_history", rules.has_perm("reports.import_history", request.user, congress))
    return extra


@congress_view()
@kept_page("figures")
def overview(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    if not rules.has_perm("reports.view_figures", request.user, congress):
        own = sorted(units_of(request.user, congress, UNIT_FIGURE_ROLES))
        if own:
            return redirect("reports:dashboard_unit", congress.code, own[0])
        raise Http404("not permitted")
    form, valid = _form(request)
    context = _context(request, form=form, tab="dashboard")
    if not valid:
        return render(request, "reports/dashboard/overview.html", context, status=400)
    querystring = form.querystring()
    result, cached = D.cached_overview(congress, form.scope(), querystring)
    context.update(overview=result, from_snapshot=cached, querystring=querystring)
    return render(request, "reports/dashboard/overview.html", context)


@congress_view()
def unit_dashboard(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    unit = get_object_or_404(Unit.objects.select_related("body"), congress=congress, pk=pk)
    if not rules.has_perm("reports.view_unit_figures", request.user, unit):
        raise Http404("not permitted")
    form, valid = _form(request, unit=unit)
    context = _context(request, form=form, unit=unit, tab="dashboard")
    if not valid:
        return render(request, "reports/dashboard/unit.html", context, status=400)
    scope = form.scope()
    querystring = form.querystring()
    result, cached = D.cached_overview(congress, scope, querystring, unit=unit)
    context.update(overview=result, from_snapshot=cached, querystring=querystring)
    return render(request, "reports/dashboard/unit.html", context)


@congress_view("reports.view_figures")
def groups(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    form, valid = _form(request)
    context = _context(request, form=form, tab="groups")
    if not valid:
        return render(request, "reports/dashboard/groups.html", context, status=400)
    querystring = form.querystring()
    scope = form.scope()
    rows, chart = D.group_rows(congress, scope, querystring)
    context.update(
        rows=rows, chart=chart, charts_json=[chart.as_json()], scope=scope, querystring=querystring
    )
    return render(request, "reports/dashboard/groups.html", context)


@congress_view()
def segment_list(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    key = request.GET.get("segment", "")
    spec = D.SEGMENTS.get(key)
    if spec is None:
        raise Http404("no such segment")
    form, valid = _form(request)
    scope = form.scope() if valid else None
    staff = rules.has_perm("reports.view_figures", request.user, congress)
    allowed = staff
    if not staff and scope is not None and scope.unit is not None and spec.counts == D.SUGGESTIONS:
        unit = Unit.objects.filter(congress=congress, pk=scope.unit).first()
        allowed = unit is not None and rules.has_perm("reports.view_unit_figures", request.user, unit)
    if not allowed:
        raise Http404("not permitted")
    context = _context(request, form=form, spec=spec, key=key)
    if not valid:
        return render(request, "reports/dashboard/list.html", context, status=400)
    assert scope is not None  # the form is valid, so it gave one
    policy = policy_of(congress)
    params = {name: request.GET.get(name) for name in ("month", "of", "group")}
    try:
        rows = D.segment_rows(congress, scope, key, params, policy=policy)
    except D.BadSegment:
        raise Http404("no such segment") from None
    if spec.counts == D.DEPUTIES:
        rows = D.deputies_of(rows)
    else:
        visible = suggestions_visible_to(request.user, congress).filter(pk=OuterRef("pk"))
        rows = (
            rows.select_related("lead", "category")
            .annotate(visible=Exists(visible))
            .order_by("-accepted_at", "-id")
        )
    if request.GET.get("format") == "xlsx":  # the segment's rows, every page (issue #12)
        subject = _subject(congress, key, params)
        return drill_down_xlsx(
            request,
            counts=spec.counts,
            title=f"{spec.label} {subject}".strip(),
            what=f"segment:{key}",
            rows=rows,
        )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    extra = {name: value for name, value in params.items() if value}
    back = form.querystring()
    context.update(
        page=page,
        scope=scope,
        querystring=form.querystring(segment=key, **extra),
        back_querystring=back,
        subject=_subject(congress, key, params),
        fixed_unit=scope.unit if not staff else None,
    )
    return render(request, "reports/dashboard/list.html", context)


def _subject(congress, key: str, params: dict[str, Any]) -> str:
    """What the list is about, in words (the month, the unit or the group)."""
    if key == "replied_month":
        return params.get("month") or ""
    if key == "unit_overdue":
        unit = Unit.objects.filter(congress=congress, pk=params["of"]).first() if params.get("of") else None
        return unit.name if unit else ""
    if key.startswith("group_"):
        if params.get("group") == D.NONE:
            return _("未编入代表小组")
        group = (
            DeputyGroup.objects.filter(congress=congress, pk=params["group"]).first()
            if params.get("group")
            else None
        )
        return group.name if group else ""
    return ""
