"""The figures pages below /c/<code>/reports/ (read-only).

- ``/``: every figure of the scope with numerator, denominator and definition; each number links
  to the list behind it. Unit members are sent to their own unit's page.
- ``figure/<key>/?…scope…&part=numerator|denominator``: the suggestions (deputies, commitments)
  behind one number, paginated.
- ``units/``: the unit league table with Wilson intervals.
- ``units/<pk>/``: one unit's figures.

Permissions (`rules.py`): ``reports.view_figures`` for the congress's staff roles; a unit's own
members see only that unit's page and the drill-down lists filtered to their unit. Everything else
is 404, so nobody learns which units or figures exist.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from minyi.congress.models import Unit
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.list_export import MAX_ROWS, xlsx_download
from minyi.core.tenancy import units_of
from minyi.suggestions.selectors import suggestions_visible_to

from .figures import (
    COMMITMENTS,
    DEPUTIES,
    PARTS,
    SPEC_BY_KEY,
    compute_figures,
    definitions,
    figure_commitments,
    figure_deputies,
    figure_members,
    policy_of,
)
from .forms import LeagueForm, ScopeForm
from .league import COUNT_DEFINITIONS, RATE_BY_KEY, RATES, unit_league
from .rules import UNIT_FIGURE_ROLES

PER_PAGE = 25


def _own_units(request: CongressRequest) -> list[int]:
    return sorted(units_of(request.user, request.congress, UNIT_FIGURE_ROLES))


def _render(
    request: CongressRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    user, congress = request.user, request.congress
    context.setdefault("can_view_figures", rules.has_perm("reports.view_figures", user, congress))
    return render(request, template, context, status=status)


def _scope_form(request: CongressRequest, *, unit: Unit | None = None) -> ScopeForm:
    return ScopeForm(request.congress, request.GET or None, fixed_unit=unit)


def _valid(form: ScopeForm) -> bool:
    """An empty form (no GET parameters) means "this year, no filters"."""
    if not form.is_bound:
        form.cleaned_data = {}
        return True
    return form.is_valid()


@congress_view()
def figures_page(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    if not rules.has_perm("reports.view_figures", request.user, congress):
        own = _own_units(request)
        if own:
            return redirect("reports:unit", congress.code, own[0])
        raise Http404("not permitted")
    form = _scope_form(request)
    context: dict[str, Any] = {"form": form}
    if not _valid(form):
        return _render(request, "reports/figures.html", context, status=400)
    context["figures"] = compute_figures(congress, form.scope())
    context["querystring"] = form.querystring()
    return _render(request, "reports/figures.html", context)


@congress_view()
def figure_detail(request: CongressRequest, key: str) -> HttpResponse:
    congress = request.congress
    spec = SPEC_BY_KEY.get(key)
    part = request.GET.get("part", "numerator")
    if spec is None or part not in PARTS or (part == "denominator" and not spec.rate):
        raise Http404("no such figure")
    form = _scope_form(request)
    valid = _valid(form)
    scope = form.scope() if valid else None
    allowed = rules.has_perm("reports.view_figures", request.user, congress)
    if not allowed and scope is not None and scope.unit is not None:
        unit = Unit.objects.filter(congress=congress, pk=scope.unit).first()
        allowed = unit is not None and rules.has_perm("reports.view_unit_figures", request.user, unit)
    if not allowed:
        raise Http404("not permitted")
    context: dict[str, Any] = {"form": form, "spec": spec, "part": part, "key": key}
    if not valid:
        return _render(request, "reports/figure_detail.html", context, status=400)
    assert scope is not None  # the form is valid, so it gave one
    policy = policy_of(congress)
    rows: QuerySet[Any]
    if spec.counts == DEPUTIES:
        rows = (
            figure_deputies(congress, scope, key, part, policy=policy)
            .select_related("group")
            .order_by("number")
        )
    elif spec.counts == COMMITMENTS:
        rows = (
            figure_commitments(congress, scope, key, part, policy=policy)
            .select_related("reply__assignment__unit", "reply__assignment__suggestion")
            .order_by("due_on", "id")
        )
    else:
        visible = suggestions_visible_to(request.user, congress).filter(pk=OuterRef("pk"))
        rows = (
            figure_members(congress, scope, key, part, policy=policy)
            .select_related("lead", "category")
            .annotate(visible=Exists(visible))
            .order_by("-accepted_at", "-submitted_at", "-id")
        )
    if request.GET.get("format") == "xlsx":  # the drill-down's rows, all pages (issue #12)
        label = spec.label if part == "numerator" else _("%(f)s（分母）") % {"f": spec.label}
        return drill_down_xlsx(
            request, counts=spec.counts, title=str(label), what=f"figure:{spec.key}:{part}", rows=rows
        )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    figure_definition = definitions(policy)[key]
    other = "denominator" if part == "numerator" else "numerator"
    context.update(
        page=page,
        scope=scope,
        definition=figure_definition,
        counts=spec.counts,
        querystring=form.querystring(part=part),
        other_part=other if spec.rate else None,
        other_querystring=form.querystring(part=other),
        back_querystring=form.querystring(),
        fixed_unit=scope.unit if not rules.has_perm("reports.view_figures", request.user, congress) else None,
    )
    return _render(request, "reports/figure_detail.html", context)


def drill_down_xlsx(
    request: CongressRequest, *, counts: str, title: str, what: str, rows: QuerySet[Any]
) -> HttpResponse:
    """The rows of a drill-down list (a figure's, or a dashboard segment's) as Excel — exactly what
    the page lists, every page of it (issue #12). `counts`: what a row is (suggestions, deputies or
    commitments)."""
    headers: list[Any]
    cells: Any
    if counts == DEPUTIES:
        headers = [_("代表证号"), _("姓名"), _("代表小组"), _("任职起"), _("任职止")]
        cells = ([d.number, d.name, d.group or "", d.in_office_from, d.in_office_to] for d in rows[:MAX_ROWS])
    elif counts == COMMITMENTS:
        headers = [_("承诺事项"), _("承诺完成时间"), _("状态"), _("承办单位"), _("建议编号"), _("案由")]
        cells = (
            [
                c.text,
                c.due_on,
                c.get_state_display(),
                str(c.reply.assignment.unit),
                c.reply.assignment.suggestion.number or "",
                c.reply.assignment.suggestion.title,
            ]
            for c in rows[:MAX_ROWS]
        )
    else:
        headers = [_("建议编号"), _("案由"), _("领衔代表"), _("分类"), _("状态"), _("立案时间")]
        cells = (
            [s.number or "", s.title, s.lead.name, s.category or "", s.get_state_display(), s.accepted_at]
            for s in rows[:MAX_ROWS]
        )
    return xlsx_download(request, what=what, title=title, headers=headers, rows=cells)


@congress_view("reports.view_figures")
def league_page(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    form = _scope_form(request)
    options = LeagueForm.for_request(request.GET)
    context: dict[str, Any] = {
        "form": form,
        "options": options,
        "rates": RATES,
        "count_definitions": COUNT_DEFINITIONS,
    }
    if _valid(form) and options.is_valid():
        rank_by, min_count = options.cleaned_data["rank_by"], options.cleaned_data["min_count"]
        context.update(
            league=unit_league(congress, form.scope(), min_count, rank_by=rank_by),
            rank_spec=RATE_BY_KEY[rank_by],
            querystring=form.querystring(),
        )
        return _render(request, "reports/league.html", context)
    return _render(request, "reports/league.html", context, status=400)


@congress_view()
def unit_page(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    unit = get_object_or_404(Unit.objects.select_related("body"), congress=congress, pk=pk)
    if not rules.has_perm("reports.view_unit_figures", request.user, unit):
        raise Http404("not permitted")
    form = _scope_form(request, unit=unit)
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "rates": RATES,
        "count_definitions": COUNT_DEFINITIONS,
    }
    if not _valid(form):
        return _render(request, "reports/unit.html", context, status=400)
    scope = form.scope()
    league = unit_league(congress, scope, 1)
    context.update(
        row=league.row_for(unit.pk),
        figures=compute_figures(congress, scope),
        querystring=form.querystring(),
        title=_("%(u)s办理情况") % {"u": unit},
    )
    return _render(request, "reports/unit.html", context)
