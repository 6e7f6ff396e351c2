"""Reads for the calendar pages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import CalendarYear, SpecialDay


@dataclass
class YearRow:
    year: int
    holidays: int = 0
    workdays: int = 0
    source: str = ""
    source_label: str = ""
    version: int | None = None
    updated_at: datetime.datetime | None = None
    missing: bool = False
    current: bool = False


def year_rows(today: datetime.date) -> list[YearRow]:
    """Every year from the first known one to next year, newest first; years without data are
    included as `missing` rows so that gaps around today are visible. One query."""
    years = CalendarYear.objects.order_by().annotate(
        n_holidays=Count("days", filter=Q(days__kind=SpecialDay.Kind.HOLIDAY)),
        n_workdays=Count("days", filter=Q(days__kind=SpecialDay.Kind.WORKDAY)),
    )
    known = {y.year: y for y in years}
    low = min([*known, today.year - 1])
    high = max([*known, today.year + 1])
    rows = []
    for year in range(high, low - 1, -1):
        row = known.get(year)
        if row is None:
            rows.append(YearRow(year, missing=True, current=year == today.year))
        else:
            rows.append(
                YearRow(
                    year,
                    holidays=row.n_holidays,
                    workdays=row.n_workdays,
                    source=row.source,
                    source_label=row.get_source_display(),
                    version=row.version,
                    updated_at=row.updated_at,
                    current=year == today.year,
                )
            )
    return rows


def calendar_year(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()


def special_days(year: int) -> list[SpecialDay]:
    return list(SpecialDay.objects.filter(year_id=year).order_by("date"))


def day_names(from_year: int, to_year: int) -> dict[datetime.date, str]:
    """date → holiday name for the special days of these years. One query."""
    return dict(
        SpecialDay.objects.filter(year_id__gte=from_year, year_id__lte=to_year)
        .order_by()
        .values_list("date", "name")
    )
