"""Working-day arithmetic over the official calendar.

`WorkCalendar` is pure (no database): it knows the special days (holidays and make-up workdays) and
which years are *complete* (`known_years`: a platform administrator confirmed the year's arrangement
in full, naming its notice). A year that is not complete — nothing entered, or only some days — is
provisional: its entered days count, Monday–Friday are working days otherwise, and
`missing_years()`, `is_provisional()` and `calendar_warnings()` let callers say so instead of
guessing silently. A congress's calendar (`get_calendar(congress)`) adds that congress's local
closures (`LocalClosure`) as rest days; other congresses do not see them.

`get_calendar()` builds one from the database. It is cached, but every call first reads a cheap
stamp of the calendar tables (one small query), so an edit made by another process (another web
worker, a management command, a task runner) is seen at once. Call it once per request or loop,
not once per row.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime
import hashlib
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

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
    #: (year, version) of every year with a calendar row (complete or not): its revision number.
    year_versions: tuple[tuple[int, int], ...] = ()
    #: Years with a calendar row (some days entered) — complete or not.
    entered_years: frozenset[int] = field(default_factory=frozenset)
    #: The congress's local closure days (already counted in `holidays`), and (year, version) of its
    #: local arrangement per year. Empty for the national calendar.
    closures: frozenset[Date] = field(default_factory=frozenset)
    local_versions: tuple[tuple[int, int], ...] = ()

    def is_provisional(self, day: Date | None) -> bool:
        """True if `day` falls in a year whose official calendar is not confirmed complete: a date
        shown to people in such a year is marked 暂定 (provisional)."""
        return day is not None and day.year not in self.known_years

    def revisions(self, start: Date, end: Date) -> dict:
        """Which revision of the calendar a result over `start`…`end` used, per year:
        ``{"national": {"2026": 3}, "local": {"2026": 1}}`` (stored with a deadline)."""
        low, high = sorted((start, end))
        years = range(low.year, high.year + 1)
        national, local = dict(self.year_versions), dict(self.local_versions)
        out: dict = {"national": {str(y): national[y] for y in years if y in national}}
        used_local = {str(y): local[y] for y in years if y in local}
        if used_local:
            out["local"] = used_local
        return out

    def with_closures(
        self, closures: Iterable[Date], local_versions: Iterable[tuple[int, int]]
    ) -> WorkCalendar:
        """This calendar plus one congress's local closures (rest days for that congress only)."""
        closed = frozenset(closures)
        local = tuple(sorted(local_versions))
        if not closed and not local:
            return self
        return WorkCalendar(
            self.holidays | closed,
            self.workdays - closed,
            self.known_years,
            make_version([(self.version,), *((f"L{y}", v) for y, v in local)]),
            self.year_versions,
            self.entered_years,
            closed,
            local,
        )

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
        """Working days in (start, end]; negative when end is before start.

        Counted, not walked (the supervision board asks it for every open deadline on every view):
        Monday–Friday by arithmetic, then the special days in the range found by bisection —
        minus the holidays that fall on a weekday, plus the make-up workdays on a weekend."""
        if end < start:
            return -self.working_days_between(end, start)
        lost, gained = self._exceptions
        lo, hi = start.toordinal(), end.toordinal()
        return (
            _weekdays_upto(hi)
            - _weekdays_upto(lo)
            - (bisect_right(lost, hi) - bisect_right(lost, lo))
            + (bisect_right(gained, hi) - bisect_right(gained, lo))
        )

    @cached_property
    def _exceptions(self) -> tuple[list[int], list[int]]:
        """Ordinals of the holidays on Monday–Friday and of the make-up workdays on weekends, sorted
        (`is_workday`: a day that is both a holiday and a workday is a workday)."""
        lost = sorted(d.toordinal() for d in self.holidays if d.weekday() < 5 and d not in self.workdays)
        gained = sorted(d.toordinal() for d in self.workdays if d.weekday() >= 5)
        return lost, gained

    def add_months(self, start: Date, n: int, *, roll_to_workday: bool = True) -> Date:
        """The same day n calendar months later (clamped to the month's end, e.g. 31 Jan + 1 → 28/29
        Feb). If that day is not a working day the period ends on the next working day, as with
        statutory periods whose last day is a holiday (民法典 art. 203)."""
        if n < 0:
            raise ValueError("n must not be negative")
        return self.next_workday(month_day(start, n)) if roll_to_workday else month_day(start, n)

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """The years among `years` that are not complete (nothing or only part entered)."""
        return sorted({y for y in years if y not in self.known_years})

    def missing_years_between(self, start: Date, end: Date) -> list[int]:
        """Years touched by the period from `start` to `end` whose official calendar is not complete."""
        low, high = sorted((start, end))
        return self.missing_years(range(low.year, high.year + 1))


def _weekdays_upto(ordinal: int) -> int:
    """Monday–Friday days among the ordinals 1…`ordinal` (ordinal 1, 1 January of year 1, was a
    Monday)."""
    return 5 * (ordinal // 7) + min(ordinal % 7, 5)


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

_CACHE_KEY = "minyi.workdays.calendar.v2"
_CACHE_SECONDS = 24 * 3600
# This process's last calendar and the stamp it was built for; saves unpickling from the cache.
_memo: tuple[tuple, CalendarSet] | None = None


def _db_stamp() -> tuple:
    """Changes whenever any year (national or a congress's local closures) is added, removed, edited
    or marked complete: every edit bumps the year's `version` and gives it a new random `revision`.
    One small query (one short row per year and per congress-year with local closures)."""
    from django.db.models import BooleanField, IntegerField, Value

    from .models import CalendarYear, LocalCalendarYear

    national = (
        CalendarYear.objects.order_by()
        .annotate(owner=Value(0, output_field=IntegerField()))
        .values_list("owner", "year", "version", "revision", "complete")
    )
    local = (
        LocalCalendarYear.objects.order_by()
        .annotate(done=Value(True, output_field=BooleanField()))
        .values_list("congress_id", "year", "version", "revision", "done")
    )
    return tuple(sorted((o, y, v, str(r), bool(c)) for o, y, v, r, c in national.union(local, all=True)))


@dataclass(frozen=True)
class CalendarSet:
    """The national calendar and every congress's local closures, as loaded at one stamp."""

    national: WorkCalendar
    closures: dict[int, frozenset[Date]] = field(default_factory=dict)
    local_versions: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def for_congress(self, congress_id: int | None) -> WorkCalendar:
        if not congress_id or (congress_id not in self.closures and congress_id not in self.local_versions):
            return self.national
        return self.national.with_closures(
            self.closures.get(congress_id, frozenset()), self.local_versions.get(congress_id, ())
        )


def load_calendar_set(stamp: tuple | None = None) -> CalendarSet:
    """A fresh calendar set from the database (no cache)."""
    from .models import LocalClosure, SpecialDay

    rows = _db_stamp() if stamp is None else stamp
    national_rows = [(y, v, r, c) for o, y, v, r, c in rows if o == 0]
    holidays: set[Date] = set()
    workdays: set[Date] = set()
    for day, kind in SpecialDay.objects.order_by().values_list("date", "kind"):
        (holidays if kind == SpecialDay.Kind.HOLIDAY else workdays).add(day)
    national = WorkCalendar(
        frozenset(holidays),
        frozenset(workdays),
        frozenset(year for year, _v, _r, complete in national_rows if complete),
        make_version([(y, v, r, c) for y, v, r, c in national_rows]),
        tuple((year, version) for year, version, _r, _c in national_rows),
        frozenset(year for year, _v, _r, _c in national_rows),
    )
    local_versions: dict[int, list[tuple[int, int]]] = {}
    for o, y, v, _r, _c in rows:
        if o:
            local_versions.setdefault(o, []).append((y, v))
    closures: dict[int, set[Date]] = {}
    if local_versions:
        for congress_id, day in LocalClosure.objects.order_by().values_list("congress_id", "date"):
            closures.setdefault(congress_id, set()).add(day)
    return CalendarSet(
        national,
        {c: frozenset(days) for c, days in closures.items()},
        {c: tuple(sorted(v)) for c, v in local_versions.items()},
    )


def load_calendar(stamp: tuple | None = None, congress=None) -> WorkCalendar:
    """A fresh calendar from the database (no cache); with `congress`, its local closures too."""
    return load_calendar_set(stamp).for_congress(getattr(congress, "pk", congress))


def _calendar_set() -> CalendarSet:
    global _memo
    stamp = _db_stamp()
    memo = _memo
    if memo is not None and memo[0] == stamp:
        return memo[1]
    cached = cache.get(_CACHE_KEY)
    if cached is not None and cached[0] == stamp:
        cal_set = cached[1]
    else:
        cal_set = load_calendar_set(stamp)
        cache.set(_CACHE_KEY, (stamp, cal_set), _CACHE_SECONDS)
    _memo = (stamp, cal_set)
    return cal_set


def get_calendar(congress=None) -> WorkCalendar:
    """The current calendar: from this process's memo or the cache when the database stamp still
    matches, else loaded from the database. With `congress` (a Congress or its id), that congress's
    local closures are rest days too — use it for everything computed for one congress."""
    return _calendar_set().for_congress(getattr(congress, "pk", congress))


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
        if today.year in cal.entered_years:
            message = _(
                "%(year)s年的节假日安排尚未确认完整：已录入的日期按录入计算，其余周一至周五均视为工作日，"
                "本年度的期限均为暂定。请平台管理员按国务院办公厅通知录入全部日期后标记为完整。"
            )
        else:
            message = _(
                "%(year)s年的法定节假日和调休安排尚未录入：本年度的办理期限暂时只按周末计算"
                "（周一至周五均视为工作日），遇节假日可能算错。请日历管理员尽快录入。"
            )
        out.append(CalendarWarning(message % {"year": today.year}, "danger"))
    if (today.month, today.day) >= REMIND_NEXT_YEAR_FROM and today.year + 1 not in cal.known_years:
        if today.year + 1 in cal.entered_years:
            message = _(
                "%(year)s年的节假日安排尚未确认完整（只录入了部分日期）：跨入%(year)s年的期限均为暂定。"
                "录入全部日期后，请平台管理员标记为完整并注明依据的通知。"
            )
        else:
            message = _(
                "%(year)s年的节假日安排尚未录入。国务院办公厅通常在年底前发布下一年度的放假安排，"
                "发布后请及时录入；在此之前，跨入%(year)s年的期限只按周末计算。"
            )
        out.append(CalendarWarning(message % {"year": today.year + 1}, "warning"))
    return out
