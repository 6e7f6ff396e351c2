"""Properties of the pure working-day arithmetic (no database): on the official calendar as the
`chinese-calendar` package ships it, and on an empty calendar (a year without data)."""

import datetime

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minyi.workdays.seeding import package_days, package_years
from minyi.workdays.services import WorkCalendar, month_day

D = datetime.date


def _official() -> WorkCalendar:
    days = package_days()
    return WorkCalendar(
        holidays=frozenset(d for d, (kind, _name) in days.items() if kind == "holiday"),
        workdays=frozenset(d for d, (kind, _name) in days.items() if kind == "workday"),
        known_years=frozenset(package_years()),
    )


OFFICIAL = _official()
EMPTY = WorkCalendar()
CALENDARS = st.sampled_from([OFFICIAL, EMPTY])
dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))
official_dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31))
counts = st.integers(min_value=0, max_value=300)


@given(cal=CALENDARS, start=dates, n=st.integers(min_value=1, max_value=300))
def test_add_working_days_lands_on_a_working_day_after_start(cal, start, n):
    result = cal.add_working_days(start, n)
    assert result > start
    assert cal.is_workday(result)


@given(cal=CALENDARS, start=dates, n=counts)
def test_working_days_between_inverts_add_working_days(cal, start, n):
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@given(cal=CALENDARS, start=dates, a=counts, b=counts)
def test_add_working_days_is_strictly_monotonic_in_n(cal, start, a, b):
    if a == b:
        assert cal.add_working_days(start, a) == cal.add_working_days(start, b)
    else:
        low, high = sorted((a, b))
        assert cal.add_working_days(start, low) < cal.add_working_days(start, high)


@given(cal=CALENDARS, start=dates, a=counts, b=counts)
def test_add_working_days_composes(cal, start, a, b):
    assert cal.add_working_days(cal.add_working_days(start, a), b) == cal.add_working_days(start, a + b)


@given(cal=CALENDARS, start=dates)
def test_zero_working_days_is_the_start_itself(cal, start):
    assert cal.add_working_days(start, 0) == start


@given(cal=CALENDARS, start=dates, end=dates)
def test_working_days_between_is_antisymmetric_and_bounded(cal, start, end):
    forward = cal.working_days_between(start, end)
    assert cal.working_days_between(end, start) == -forward
    assert abs(forward) <= abs((end - start).days)


def _walked(cal: WorkCalendar, start: D, end: D) -> int:
    """Working days in (start, end] counted one day at a time (what `working_days_between` computes
    by arithmetic and bisection, issue #13)."""
    if end < start:
        return -_walked(cal, end, start)
    return sum(cal.is_workday(start + datetime.timedelta(days=i)) for i in range(1, (end - start).days + 1))


special_days = st.frozensets(st.dates(min_value=D(2019, 1, 1), max_value=D(2022, 12, 31)), max_size=60)


@given(
    holidays=special_days,
    workdays=special_days,
    start=st.dates(min_value=D(2018, 6, 1), max_value=D(2023, 6, 30)),
    end=st.dates(min_value=D(2018, 6, 1), max_value=D(2023, 6, 30)),
)
def test_working_days_between_equals_walking_the_days(holidays, workdays, start, end):
    # any special days, on weekdays and weekends, a day even in both sets (a workday then)
    cal = WorkCalendar(holidays=holidays | frozenset(list(workdays)[:3]), workdays=workdays)
    assert cal.working_days_between(start, end) == _walked(cal, start, end)


@given(cal=CALENDARS, start=official_dates, end=official_dates)
def test_working_days_between_equals_walking_the_official_calendar(cal, start, end):
    assert cal.working_days_between(start, end) == _walked(cal, start, end)


@given(cal=CALENDARS, day=dates)
def test_next_workday_is_the_first_working_day_from_day(cal, day):
    result = cal.next_workday(day)
    assert result >= day and cal.is_workday(result)
    assert all(not cal.is_workday(day + datetime.timedelta(days=i)) for i in range((result - day).days))
    assert cal.next_workday(result) == result


@given(cal=CALENDARS, start=dates, n=st.integers(min_value=0, max_value=72))
def test_add_months_never_earlier_than_start_and_lands_on_a_working_day(cal, start, n):
    nominal = cal.add_months(start, n, roll_to_workday=False)
    result = cal.add_months(start, n)
    assert nominal == month_day(start, n)
    assert result >= start and result >= nominal
    assert cal.is_workday(result)
    assert result == cal.next_workday(nominal)
    # Rolling only ever skips a rest period (the longest official one is the Spring Festival).
    assert (result - nominal).days <= 10


@given(start=dates, n=st.integers(min_value=0, max_value=72))
def test_add_months_keeps_the_day_or_clamps_to_the_months_end(start, n):
    target = month_day(start, n)
    months = (target.year - start.year) * 12 + target.month - start.month
    assert months == n
    if target.day != start.day:
        assert target.day < start.day
        assert (target + datetime.timedelta(days=1)).day == 1  # clamped to the last day


@given(day=dates, start=dates, n=counts)
def test_without_data_the_calendar_is_monday_to_friday(day, start, n):
    assert EMPTY.is_workday(day) == (day.weekday() < 5)
    # Reference: walk the days and count Mondays to Fridays.
    result, left = start, n
    while left:
        result += datetime.timedelta(days=1)
        left -= result.weekday() < 5
    assert EMPTY.add_working_days(start, n) == result


@given(day=st.dates(min_value=D(2027, 1, 1), max_value=D(2040, 12, 31)), n=counts)
def test_years_the_package_does_not_know_fall_back_to_weekends_only(day, n):
    assert OFFICIAL.is_workday(day) == EMPTY.is_workday(day)
    assert OFFICIAL.add_working_days(day, n) == EMPTY.add_working_days(day, n)
    assert OFFICIAL.missing_years([day.year]) == [day.year]


@settings(max_examples=300)
@given(day=official_dates)
def test_official_calendar_agrees_with_the_package_itself(day):
    assert OFFICIAL.is_workday(day) == chinese_calendar.is_workday(day)


@given(cal=CALENDARS, start=dates, n=st.integers(min_value=-1000, max_value=-1))
def test_negative_counts_are_refused(cal, start, n):
    with pytest.raises(ValueError):
        cal.add_working_days(start, n)
    with pytest.raises(ValueError):
        cal.add_months(start, n)


def test_missing_years_and_missing_years_between():
    assert OFFICIAL.missing_years([2003, 2004, 2026, 2027, 2027]) == [2003, 2027]
    assert OFFICIAL.missing_years_between(D(2026, 12, 1), D(2028, 1, 10)) == [2027, 2028]
    assert OFFICIAL.missing_years_between(D(2028, 1, 10), D(2026, 12, 1)) == [2027, 2028]
    assert EMPTY.missing_years(range(2025, 2027)) == [2025, 2026]


def test_month_ends_clamp():
    assert month_day(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert month_day(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert month_day(D(2026, 8, 31), 1) == D(2026, 9, 30)
    assert month_day(D(2026, 12, 15), 1) == D(2027, 1, 15)
    assert month_day(D(2026, 3, 31), 11) == D(2027, 2, 28)
