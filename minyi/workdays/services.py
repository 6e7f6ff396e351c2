"""Working-day arithmetic over the official calendar.

`WorkCalendar` is pure (no database): it knows the special days (holidays and make-up workdays) and
which years have official data. A year without data falls back to "Monday–Friday are working days";
`missing_years()` lets callers warn about that instead of guessing silently.

`get_calendar()` builds one from the database (cached until the calendar is edited).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache

Date = datetime.date


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[Date] = field(default_factory=frozenset)
    workdays: frozenset[Date] = field(default_factory=frozenset)  # make-up working days (调休上班)
    known_years: frozenset[int] = field(default_factory=frozenset)
    version: str = "0"

    def is_workday(self, day: Date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_workday(self, day: Date) -> Date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += datetime.timedelta(days=1)
        return day

    def add_working_days(self, start: Date, n: int) -> Date:
        """The n-th working day after `start` (start itself is not counted; n=0 gives start)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        remaining = n
        while remaining:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def working_days_between(self, start: Date, end: Date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def add_months(self, start: Date, n: int, *, roll_to_workday: bool = True) -> Date:
        """The same day n calendar months later (clamped to the month's end, e.g. 31 Jan + 1 → 28/29
        Feb). If that day is not a working day the period ends on the next working day, as with
        statutory periods whose last day is a holiday."""
        month_index = start.month - 1 + n
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, _stdlib_calendar.monthrange(year, month)[1])
        result = Date(year, month, day)
        return self.next_workday(result) if roll_to_workday else result

    def missing_years(self, years: Iterable[int]) -> list[int]:
        return sorted({y for y in years if y not in self.known_years})


_CACHE_KEY = "minyi.workdays.calendar"


def load_calendar() -> WorkCalendar:
    from .models import CalendarYear, SpecialDay

    years = dict(CalendarYear.objects.values_list("year", "version"))
    holidays, workdays = set(), set()
    for day, kind in SpecialDay.objects.values_list("date", "kind"):
        (holidays if kind == SpecialDay.Kind.HOLIDAY else workdays).add(day)
    version = ".".join(f"{y}:{v}" for y, v in sorted(years.items()))
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(years), version)


def get_calendar() -> WorkCalendar:
    """The current calendar, from the cache or the database."""
    cal = cache.get(_CACHE_KEY)
    if cal is None:
        cal = load_calendar()
        cache.set(_CACHE_KEY, cal, 3600)
    return cal


def invalidate_calendar() -> None:
    cache.delete(_CACHE_KEY)
