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
    complete: bool = False
    source_notice: str = ""


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
                    complete=row.complete,
                    source_notice=row.source_notice,
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


@dataclass
class UsedRevision:
    """One line of "which calendar a deadline used", in words (never a code or hash)."""

    text: str
    outdated: bool = False  # the calendar has been edited since
    provisional: bool = False  # that year is not (or was not, at that revision) complete


def describe_revisions(revisions: dict, congress_id: int | None, start: datetime.date, end: datetime.date):  # noqa: C901
    """The calendar revisions a deadline was computed with (`Deadline.calendar_revisions`), in words:
    "2026年日历 第3版（国务院办公厅关于2026年部分节假日安排的通知）". One or two queries."""
    from django.utils.translation import gettext as _

    from .models import LocalCalendarYear

    national = {int(y): v for y, v in (revisions or {}).get("national", {}).items()}
    local = {int(y): v for y, v in (revisions or {}).get("local", {}).items()}
    years = range(min(start, end).year, max(start, end).year + 1)
    rows = {y.year: y for y in CalendarYear.objects.filter(year__in=list(years))}
    out: list[UsedRevision] = []
    recorded = bool(revisions)
    for year in years:
        row = rows.get(year)
        used = national.get(year)
        if not recorded:
            continue
        if used is None:
            out.append(
                UsedRevision(
                    _("%(year)s年日历：计算时尚未录入（只按周末计算，暂定）") % {"year": year},
                    provisional=True,
                )
            )
            continue
        outdated = row is None or row.version != used
        if row is not None and not outdated and row.complete:
            text = _("%(year)s年日历 第%(n)s版（%(notice)s）") % {
                "year": year,
                "n": used,
                "notice": row.source_notice,
            }
        elif not outdated:
            text = _("%(year)s年日历 第%(n)s版（暂定：尚未确认完整）") % {"year": year, "n": used}
        else:
            text = _("%(year)s年日历 第%(n)s版") % {"year": year, "n": used}
            if row is not None:
                text += _("；现为第%(n)s版") % {"n": row.version}
                if row.complete:
                    text += _("（%(notice)s）") % {"notice": row.source_notice}
        provisional = row is None or not row.complete
        out.append(UsedRevision(text, outdated, provisional))
    if local and congress_id:
        current = dict(
            LocalCalendarYear.objects.filter(congress_id=congress_id, year__in=list(local)).values_list(
                "year", "version"
            )
        )
        for year, used in sorted(local.items()):
            text = _("本人大%(year)s年停止办公安排 第%(n)s版") % {"year": year, "n": used}
            outdated = current.get(year) != used
            if outdated:
                text += _("；现为第%(n)s版") % {"n": current.get(year, 0)}
            out.append(UsedRevision(text, outdated))
    return out
