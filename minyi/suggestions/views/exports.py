"""Excel exports of the suggestion app's lists (issue #12): the list of suggestions with the filters
the user has chosen, and the user's 待办. Each holds exactly the rows the page shows the user (the
same selectors: `suggestions_visible_to`, and `core.work.sections` — every app's 待办 sections), through `minyi.core.list_export` (xlsx.py
only, audited as a download)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from minyi.core import work
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.list_export import MAX_ROWS, xlsx_download

from .. import selectors
from ..models import Suggestion
from . import _queries as Q_


def filtered_suggestions(request: CongressRequest) -> QuerySet[Suggestion]:
    """The suggestions of the list page for the filters in the query string (the list's own rule:
    `selectors.filter_suggestions`, shared with `pages.suggestion_list` and the API)."""
    from ..forms import SuggestionFilterForm

    visible = selectors.suggestions_visible_to(request.user, request.congress)
    form = SuggestionFilterForm(
        request.GET or None, congress=request.congress, years=Q_.suggestion_years(visible)
    )
    filters = form.values() if request.GET else {}
    qs = selectors.filter_suggestions(visible, filters, congress=request.congress)
    return qs.select_related("lead", "category").order_by("-created_at", "-pk")


def _suggestion_rows(rows: list[Suggestion]) -> Iterator[list[Any]]:
    current = Q_.current_assignments(rows)
    for s in rows:
        units = [f"{a.unit}（{a.get_role_display()}）" for a in current.get(s.pk, [])]
        yield [
            s.number or "",
            s.title,
            s.lead.name,
            s.category.name if s.category else "",
            units,
            s.get_state_display(),
            s.submitted_at,
            s.accepted_at,
            s.closed_at,
        ]


@congress_view()
def suggestion_list_export(request: CongressRequest) -> HttpResponse:
    """The list of suggestions (with the chosen filters) as Excel."""
    rows = list(filtered_suggestions(request)[: MAX_ROWS + 1])
    headers = [
        _("编号"),
        _("案由"),
        _("领衔代表"),
        _("分类"),
        _("承办单位"),
        _("状态"),
        _("提交时间"),
        _("立案时间"),
        _("办结时间"),
    ]
    return xlsx_download(
        request, what="suggestions", title=_("代表建议"), headers=headers, rows=_suggestion_rows(rows)
    )


#: How to reach the suggestion from a 待办 row, by the section's kind of rows.
PATHS = {
    "suggestion": (),
    "cosigner": ("suggestion",),
    "assignment": ("suggestion",),
    "reply": ("assignment", "suggestion"),
    "contact": ("assignment", "suggestion"),
    "extension": ("assignment", "suggestion"),
    "withdrawal_consent": ("request", "suggestion"),
    "commitment": ("reply", "assignment", "suggestion"),
}


def _suggestion_of(model: str, obj: Any) -> Suggestion | None:
    """The suggestion a 待办 row is about (a suggestion, or a record below one)."""
    path = PATHS.get(model)
    if path is None:
        return None
    for name in path:
        obj = getattr(obj, name)
    return obj


def _unit_of(model: str, obj: Any) -> Any:
    if model == "assignment":
        return obj.unit
    if model in ("reply", "contact", "extension"):
        return obj.assignment.unit
    if model == "commitment":
        return obj.reply.assignment.unit
    return None


def _work_rows(request: CongressRequest) -> Iterator[list[Any]]:
    for section in work.sections(request.user, request.congress):  # the 待办 page's own sections
        entry = getattr(section, "entry", None)
        for obj in section.queryset[:MAX_ROWS]:
            if entry is not None:
                e = entry(obj)
                yield [str(section.label), e.number, e.title, e.meta, e.state]
                continue
            s = _suggestion_of(section.model, obj)
            unit = _unit_of(section.model, obj)
            state = obj.get_state_display() if hasattr(obj, "get_state_display") else ""
            yield [
                str(section.label),
                s.number if s is not None else "",
                s.title if s is not None else str(obj),
                str(unit) if unit is not None else "",
                state,
            ]


@congress_view()
def worklist_export(request: CongressRequest) -> HttpResponse:
    """The user's 待办 (every section of their roles) as Excel."""
    headers = [_("待办事项"), _("编号"), _("案由"), _("单位"), _("状态")]
    return xlsx_download(request, what="worklist", title=_("待办"), headers=headers, rows=_work_rows(request))


__all__ = ["filtered_suggestions", "suggestion_list_export", "worklist_export"]
