"""The national holiday calendar and working-day arithmetic (read-only), for every signed-in member of
some congress, as on the calendar pages."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from minyi.core.errors import ValidationFailed
from minyi.workdays import selectors
from minyi.workdays.explain import Explained, explain_months, explain_working_days, weekday_name
from minyi.workdays.models import SpecialDay
from minyi.workdays.rules import can_view_calendar
from minyi.workdays.services import MAX_YEAR, MIN_YEAR, calendar_warnings, get_calendar

from ..common import READ_ERRORS, label

router = Router(tags=["workdays"])

#: The calculator's limits on the calendar pages.
MAX_WORKING_DAYS = 1000
MAX_MONTHS = 120


def _require_viewer(request: HttpRequest) -> None:
    if not can_view_calendar(request.user):
        raise Http404("no calendar for this user")


class WarningOut(Schema):
    level: str = Field(description='"danger": this year has no official data; "warning": next year.')
    message: str


class SpecialDayOut(Schema):
    date: datetime.date
    weekday: str
    kind: str = Field(description='"holiday" (放假) or "workday" (调休上班, a make-up working day).')
    kind_label: str
    name: str


class CalendarYearOut(Schema):
    year: int
    known: bool = Field(
        description="The year is confirmed complete by a platform administrator (same as `complete`)."
    )
    complete: bool = Field(
        description="A platform administrator confirmed the year's arrangement in full; otherwise every "
        "date in it is provisional (暂定), even when some days are entered."
    )
    source_notice: str = Field(
        description="The notice the complete year comes from, e.g. 国办发明电〔2025〕7号."
    )
    source: str | None
    version: int | None
    calendar_version: str = Field(description="Token of the whole calendar's data, as stored with deadlines.")
    special_days: list[SpecialDayOut]
    warnings: list[WarningOut]


class CalculationOut(Schema):
    start: datetime.date
    n: int
    unit: str
    result: datetime.date
    weekday: str
    explanation: list[str]
    warnings: list[str]
    calendar_version: str


@router.get(
    "add-working-days",
    response={200: CalculationOut, **READ_ERRORS},
    summary="加工作日 · Add working days",
)
def add_working_days(
    request,
    start: datetime.date,
    n: int = Query(..., ge=0, le=MAX_WORKING_DAYS, description="Working days to add (start not counted)."),
):
    """The n-th working day after `start` (the start day itself is not counted; n=0 gives start), with
    the explanation the calculator shows: skipped weekends and holidays, make-up days, the calendar
    used, and a warning for years without official data."""
    _require_viewer(request)
    return _calculation(start, n, "days")


@router.get(
    "add-months",
    response={200: CalculationOut, **READ_ERRORS},
    summary="加月数 · Add calendar months",
)
def add_months(
    request,
    start: datetime.date,
    n: int = Query(..., ge=0, le=MAX_MONTHS, description="Calendar months to add."),
):
    """`start` plus n calendar months, moved to the next working day when it falls on a rest day (how
    reply deadlines are computed)."""
    _require_viewer(request)
    return _calculation(start, n, "months")


def _calculation(start: datetime.date, n: int, unit: str) -> dict:
    if not MIN_YEAR <= start.year <= MAX_YEAR:
        raise ValidationFailed(
            _("日期须在 %(min)s 年至 %(max)s 年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}, code="bad_date"
        )
    cal = get_calendar()
    names = selectors.day_names(start.year, min(start.year + 11, MAX_YEAR))
    explained: Explained = (explain_working_days if unit == "days" else explain_months)(cal, start, n, names)
    return {
        "start": start,
        "n": n,
        "unit": unit,
        "result": explained.result,
        "weekday": weekday_name(explained.result),
        "explanation": explained.lines,
        "warnings": explained.warnings,
        "calendar_version": explained.calendar_version,
    }


@router.get(
    "{year}",
    response={200: CalendarYearOut, **READ_ERRORS},
    summary="年度节假日安排 · Holidays and make-up workdays of a year",
)
def calendar_year(request, year: int):
    """The special days of `year` (holidays and make-up workdays), whether the year has official
    data, and the calendar warnings (404 for years outside 2000–2100)."""
    _require_viewer(request)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("year out of range")
    cal = get_calendar()
    row = selectors.calendar_year(year)
    return {
        "year": year,
        "known": year in cal.known_years,
        "complete": year in cal.known_years,
        "source_notice": row.source_notice if row else "",
        "source": row.source if row else None,
        "version": row.version if row else None,
        "calendar_version": cal.version,
        "special_days": [
            {
                "date": d.date,
                "weekday": weekday_name(d.date),
                "kind": d.kind,
                "kind_label": label(SpecialDay.Kind, d.kind),
                "name": d.name,
            }
            for d in selectors.special_days(year)
        ],
        "warnings": [
            {"level": w.level, "message": str(w)}
            for w in calendar_warnings(timezone.localdate(), calendar=cal)
        ],
    }
