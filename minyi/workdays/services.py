"""Working-day arithmetic over the official calendar.

`WorkCalendar` is pure (no database): it knows the special days (holidays and make-up workdays) and
which years have official data. A year without data falls back to "Monday–Friday are working days";
`missing_years()` and `calendar_warnings()` let callers warn about that instead of guessing silently.

`get_calendar()` builds one from the database. It is cached, but every call first reads a cheap
stamp of the calendar tables (one small query), so an edit made by another process (another web
worker, a management command, a task runner) is seen at once. Call it once per request or loop,
not once per row.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

Date = datetime.date
_ONE_DAY = datetime.timedelta(days=1)

#: The years the calendar may hold: outside them dates are refused as typing mistakes.
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[Date] = field(default_factory=frozenset)
    workdays: frozenset[Date] = field(default_factory=frozenset)  # make-up working days (调休上班)
    known_years: frozenset[int] = field(default_factory=frozenset)
    #: An opaque short token (at most 16 characters): two calendars with the same token have the
    #: same data. "0" for the empty calendar. Store it next to a computed deadline.
    version: str = "0"
    #: (year, version) of every known year, for showing which calendar a result used.
    year_versions: tuple[tuple[int, int], ...] = ()

    def is_workday(self, day: Date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_workday(self, day: Date) -> Date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: Date, n: int) -> Date:
        """The n-th working day after `start` (start itself is not counted; n=0 gives start)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
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
            day += _ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def add_months(self, start: Date, n: int, *, roll_to_workday: bool = True) -> Date:
        """The same day n calendar months later (clamped to the month's end, e.g. 31 Jan + 1 → 28/29
        Feb). If that day is not a working day the period ends on the next working day, as with
        statutory periods whose last day is a holiday (民法典 art. 203)."""
        if n < 0:
            raise ValueError("n must not be negative")
        return self.next_workday(month_day(start, n)) if roll_to_workday else month_day(start, n)

    def missing_years(self, years: Iterable[int]) -> list[int]:
        return sorted({y for y in years if y not in self.known_years})

    def missing_years_between(self, start: Date, end: Date) -> list[int]:
        """Years touched by the period from `start` to `end` that have no official data."""
        low, high = sorted((start, end))
        return self.missing_years(range(low.year, high.year + 1))


def month_day(start: Date, n: int) -> Date:
    """The corresponding day n calendar months after `start`, clamped to the month's last day."""
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return Date(year, month, min(start.day, _stdlib_calendar.monthrange(year, month)[1]))


def make_version(rows: Iterable[tuple]) -> str:
    """A short token for the calendar's data state: "0" when empty, else 12 hex characters."""
    rows = sorted(rows)
    if not rows:
        return "0"
    text = ";".join(":".join(map(str, row)) for row in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# --- Loading and caching ---------------------------------------------------------------------------

_CACHE_KEY = "minyi.workdays.calendar"
_CACHE_SECONDS = 24 * 3600
# This process's last calendar and the stamp it was built for; saves unpickling from the cache.
_memo: tuple[tuple, WorkCalendar] | None = None


def _db_stamp() -> tuple:
    """Changes whenever any year is added, removed or edited: every edit bumps the year's `version`
    and gives it a new random `revision`. One small query (one short row per year)."""
    from .models import CalendarYear

    return tuple(CalendarYear.objects.order_by("year").values_list("year", "version", "revision"))


def load_calendar(stamp: tuple | None = None) -> WorkCalendar:
    """A fresh calendar from the database (no cache)."""
    from .models import SpecialDay

    rows = _db_stamp() if stamp is None else stamp
    holidays: set[Date] = set()
    workdays: set[Date] = set()
    for day, kind in SpecialDay.objects.order_by().values_list("date", "kind"):
        (holidays if kind == SpecialDay.Kind.HOLIDAY else workdays).add(day)
    return WorkCalendar(
        frozenset(holidays),
        frozenset(workdays),
        frozenset(year for year, _v, _r in rows),
        make_version(rows),
        tuple((year, version) for year, version, _r in rows),
    )


def get_calendar() -> WorkCalendar:
    """The current calendar: from this process's memo or the cache when the database stamp still
    matches, else loaded from the database."""
    global _memo
    stamp = _db_stamp()
    memo = _memo
    if memo is not None and memo[0] == stamp:
        return memo[1]
    cached = cache.get(_CACHE_KEY)
    if cached is not None and cached[0] == stamp:
        cal = cached[1]
    else:
        cal = load_calendar(stamp)
        cache.set(_CACHE_KEY, (stamp, cal), _CACHE_SECONDS)
    _memo = (stamp, cal)
    return cal


def invalidate_calendar() -> None:
    """Forget the cached calendar (the actions call this on commit; the stamp check in
    `get_calendar()` already keeps other processes correct)."""
    global _memo
    _memo = None
    cache.delete(_CACHE_KEY)


# --- Warnings ---------------------------------------------------------------------------------------


class CalendarWarning(str):
    """A human message (it *is* the string) with a `level`: "danger" when deadlines this year are
    computed without the official calendar, "warning" when next year's calendar is still missing."""

    level: str

    def __new__(cls, message: str, level: str) -> CalendarWarning:
        obj = super().__new__(cls, message)
        obj.level = level
        return obj

    def __reduce__(self):
        return (CalendarWarning, (str(self), self.level))


#: From this day of the year on, a missing calendar for next year is worth a reminder: the State
#: Council usually publishes next year's holiday arrangements in November.
REMIND_NEXT_YEAR_FROM = (11, 1)


def calendar_warnings(
    today: Date | None = None, *, calendar: WorkCalendar | None = None
) -> list[CalendarWarning]:
    """Messages for admins and clerks about missing calendar data, most serious first."""
    today = today or timezone.localdate()
    cal = calendar or get_calendar()
    out: list[CalendarWarning] = []
    if today.year not in cal.known_years:
        out.append(
            CalendarWarning(
                _(
                    "%(year)s年的法定节假日和调休安排尚未录入：本年度的办理期限暂时只按周末计算"
                    "（周一至周五均视为工作日），遇节假日可能算错。请日历管理员尽快录入。"
                )
                % {"year": today.year},
                "danger",
            )
        )
    if (today.month, today.day) >= REMIND_NEXT_YEAR_FROM and today.year + 1 not in cal.known_years:
        out.append(
            CalendarWarning(
                _(
                    "%(year)s年的节假日安排尚未录入。国务院办公厅通常在年底前发布下一年度的放假安排，"
                    "发布后请及时录入；在此之前，跨入%(year)s年的期限只按周末计算。"
                )
                % {"year": today.year + 1},
                "warning",
            )
        )
    return out
