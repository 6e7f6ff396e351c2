"""Excel export of a station's events (活动台账, issue #12): every event its page lists — all pages —
for whoever may open the station, through `minyi.core.list_export` (audited, formulas as text)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpResponse
from django.utils.translation import gettext as _

from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.list_export import MAX_ROWS, xlsx_download

from . import selectors

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import StationEvent

    # What `selectors.events_of` annotates on each event: the type checker's view of its rows.
    # Nothing is an instance of this class at run time; the rows are the model's own.
    class EventRow(StationEvent):
        opinion_count: int


@congress_view()
def event_list_export(request: CongressRequest, pk: int) -> HttpResponse:
    """The station's events as its ledger: date, kind, theme, place, topics, deputies, officials,
    the number of opinions recorded at it, and the minutes."""
    station = selectors.access_station(request.user, request.congress, pk)
    rows = (
        [
            e.date,
            e.get_kind_display(),
            e.title,
            e.place,
            e.topics,
            [d.name for d in e.deputies.all()],  # prefetched
            e.officials,
            e.opinion_count,
            e.minutes,
        ]
        for e in cast("QuerySet[EventRow]", selectors.events_of(station))[:MAX_ROWS]
    )
    headers = [
        _("活动日期"),
        _("活动类型"),
        _("活动主题"),
        _("地点"),
        _("议题"),
        _("参加代表"),
        _("出席的有关部门负责人"),
        _("收集意见数"),
        _("活动纪要"),
    ]
    title = _("%(s)s活动台账") % {"s": station.name}
    return xlsx_download(request, what="station_events", title=title, headers=headers, rows=rows, obj=station)


__all__ = ["event_list_export"]
