"""Excel exports of the supervision pages (issue #12): the board's warned items (red and yellow,
with the board's drill-down filter), the list of leader instructions and the task force's
inspections — the rows the page shows the user, in the user's scope (a coordinator: their
bodies), through `minyi.core.list_export`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.list_export import MAX_ROWS, xlsx_download
from minyi.suggestions.views._common import clock_for

from . import selectors
from .views import _board_filters, _need
from .warnings import COLOUR_LABELS, RED, YELLOW


def _board_rows(request: CongressRequest) -> Iterator[list[Any]]:
    congress = request.congress
    scope = selectors.board_scope(request.user, congress)
    clock = clock_for(request)
    filters = _board_filters(request, scope)
    for colour in (RED, YELLOW):
        items = list(selectors.board_list(congress, clock.bounds, colour, bodies=scope, **filters)[:MAX_ROWS])
        for d in items:
            st = clock.status(d)
            s = d.suggestion
            unit = d.assignment.unit if d.assignment is not None else (s.forwarded_to or _("代表工委"))
            yield [
                st.colour_label,
                s.number or "",
                s.title,
                d.get_kind_display(),
                str(unit),
                d.started_on,
                d.due_on,
                st.working_days_left,
                st.days_overdue,
            ]


@congress_view()
def board_export(request: CongressRequest) -> HttpResponse:
    """督办看板: the red and yellow items as Excel."""
    _need(request, "supervision.view_board")
    headers = [
        _("颜色"),
        _("编号"),
        _("案由"),
        _("事项"),
        _("单位"),
        _("起算"),
        _("到期"),
        _("剩余工作日"),
        _("逾期天数"),
    ]
    return xlsx_download(
        request, what="supervision_board", title=_("督办看板"), headers=headers, rows=_board_rows(request)
    )


@congress_view()
def instruction_list_export(request: CongressRequest) -> HttpResponse:
    """领导批示: the instructions of the list page (its `show` filter) as Excel."""
    _need(request, "supervision.view_instructions")
    open_only = {"open": True, "closed": False}.get(request.GET.get("show", "open"))
    rows = (
        [
            i.leader_name,
            i.leader_title,
            i.instructed_on,
            i.suggestion.number or "",
            i.suggestion.title,
            i.text,
            i.due_on,
            _("进行中") if i.is_open else _("已结束"),
        ]
        for i in selectors.instructions_of(request.congress, open_only=open_only)[:MAX_ROWS]
    )
    headers = [
        _("批示领导"),
        _("职务"),
        _("批示日期"),
        _("编号"),
        _("案由"),
        _("批示内容"),
        _("专项督查办结时限"),
        _("状态"),
    ]
    return xlsx_download(request, what="instructions", title=_("领导批示"), headers=headers, rows=rows)


@congress_view()
def theme_export(request: CongressRequest, pk: int) -> HttpResponse:
    """A key theme's member suggestions (all pages) with their units, state and warning colour."""
    congress = request.congress
    theme = selectors.get_theme(request.user, congress, pk)
    clock = clock_for(request)
    members = list(selectors.theme_members(theme)[:MAX_ROWS])
    worst = selectors.worst_colours([m.suggestion_id for m in members], clock.bounds)
    rows = (
        [
            m.suggestion.number or "",
            m.suggestion.title,
            m.suggestion.lead.name,
            [str(a.unit) for a in getattr(m.suggestion, "answering", [])],  # prefetched (to_attr)
            m.suggestion.get_state_display(),
            COLOUR_LABELS.get(worst.get(m.suggestion_id) or "", ""),
        ]
        for m in members
    )
    headers = [_("编号"), _("案由"), _("领衔代表"), _("承办单位"), _("状态"), _("预警")]
    return xlsx_download(request, what="theme", title=str(theme), headers=headers, rows=rows, obj=theme)


@congress_view()
def inspection_list_export(request: CongressRequest) -> HttpResponse:
    """督导检查记录: every inspection the task-force page lists (all pages) as Excel — the ledger an
    office keeps of its checks, with the findings, what must be put right by when, the unit's
    answer and whether the deputy agrees."""
    _need(request, "supervision.view_task_force")
    rows = (
        [
            i.inspected_on,
            i.get_kind_display(),
            i.suggestion.number or "",
            i.suggestion.title,
            str(i.assignment.unit),
            i.get_contacted_display(),
            i.get_reply_real_display(),
            i.get_solved_display(),
            i.findings,
            i.required_action,
            i.due_on,
            i.unit_answer,
            i.get_deputy_view_display(),
            i.inspector.display_name,
        ]
        for i in selectors.inspections_of(congress=request.congress)[:MAX_ROWS]
    )
    headers = [
        _("检查日期"),
        _("检查方式"),
        _("编号"),
        _("案由"),
        _("被检查单位"),
        _("是否真正联系了代表"),
        _("答复内容是否属实"),
        _("问题是否解决"),
        _("检查发现"),
        _("整改要求"),
        _("整改反馈时限"),
        _("承办单位整改反馈"),
        _("代表是否认可"),
        _("检查人"),
    ]
    return xlsx_download(request, what="inspections", title=_("督导检查记录"), headers=headers, rows=rows)


__all__ = ["board_export", "inspection_list_export", "instruction_list_export", "theme_export"]
