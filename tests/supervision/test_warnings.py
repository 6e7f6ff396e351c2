"""The warning colours (预警) at their boundaries, over the seeded official 2026 calendar:
Mid-Autumn 25–27 September, National Day 1–7 October, make-up workdays Sunday 20 September and
Saturday 10 October. Yellow exactly when the working days left reach the policy's threshold, red the
day after the due date, and a year without calendar data warns instead of failing."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minyi.congress.models import Policy
from minyi.suggestions.models import Deadline
from minyi.supervision.warnings import (
    GREEN,
    GREY,
    RED,
    YELLOW,
    WarningClock,
    colour_bounds,
    deadline_status,
    deadline_statuses,
    status_for,
)
from minyi.workdays.services import WorkCalendar, get_calendar

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def cal() -> WorkCalendar:
    return get_calendar()


def policy(warning_days: int = 3) -> Policy:
    return Policy(warning_days=warning_days)


def dl(start: datetime.date, due: datetime.date, **kw) -> Deadline:
    return Deadline(kind=Deadline.Kind.FIRST_CONTACT, started_on=start, due_on=due, rule="", **kw)


def test_the_seeded_2026_calendar_has_the_days_these_tests_rely_on(cal):
    assert not cal.is_workday(D(2026, 10, 1)) and not cal.is_workday(D(2026, 10, 7))
    assert not cal.is_workday(D(2026, 9, 25))
    assert cal.is_workday(D(2026, 9, 20)) and D(2026, 9, 20).weekday() == 6  # a Sunday
    assert cal.is_workday(D(2026, 10, 10)) and D(2026, 10, 10).weekday() == 5  # a Saturday
    # 10 working days after Thursday 24 September: the holidays are skipped, 10 October counts.
    assert cal.add_working_days(D(2026, 9, 24), 10) == D(2026, 10, 15)


@pytest.mark.parametrize(
    ("today", "colour", "left", "label"),
    [
        # due Thursday 15 October 2026, warning threshold 3 working days
        (D(2026, 9, 24), GREEN, 10, "还剩 10 个工作日"),
        (D(2026, 10, 9), GREEN, 5, "还剩 5 个工作日"),  # Sat 10 Oct (make-up) counts
        (D(2026, 10, 10), GREEN, 4, "还剩 4 个工作日"),
        (D(2026, 10, 11), GREEN, 4, "还剩 4 个工作日"),  # Sunday: 12, 13, 14, 15 left
        (D(2026, 10, 12), YELLOW, 3, "还剩 3 个工作日"),  # exactly at the threshold
        (D(2026, 10, 14), YELLOW, 1, "还剩 1 个工作日"),
        (D(2026, 10, 15), YELLOW, 0, "今天到期"),
        (D(2026, 10, 16), RED, -1, "已逾期 1 个工作日"),  # the day after the due date
        (D(2026, 10, 17), RED, -1, "已逾期 1 个工作日"),  # Saturday: no working day more
        (D(2026, 10, 19), RED, -2, "已逾期 2 个工作日"),
    ],
)
def test_colours_around_a_due_date_after_national_day(cal, today, colour, left, label):
    status = deadline_status(dl(D(2026, 9, 24), D(2026, 10, 15)), today=today, calendar=cal, policy=policy())
    assert (status.colour, status.working_days_left, status.label) == (colour, left, label)
    assert status.working_days_total == 10
    assert status.missing_years == ()


def test_holidays_between_today_and_the_due_date_make_it_yellow_early(cal):
    # Due Friday 9 October: on 30 September only 8 and 9 October are working days before it.
    due = D(2026, 10, 9)
    start = D(2026, 9, 1)
    colours = {
        day: status_for(started_on=start, due_on=due, today=day, calendar=cal, policy=policy()).colour
        for day in [D(2026, 9, 28), D(2026, 9, 29), D(2026, 9, 30), D(2026, 10, 3)]
    }
    assert colours == {
        D(2026, 9, 28): GREEN,
        D(2026, 9, 29): YELLOW,
        D(2026, 9, 30): YELLOW,
        D(2026, 10, 3): YELLOW,
    }


def test_a_make_up_workday_counts_as_a_working_day_left(cal):
    # Saturday 19 September, due Wednesday 23: Sunday 20 is a make-up workday → 4 left (green);
    # on a plain calendar it would be 3 (yellow).
    status = status_for(
        started_on=D(2026, 9, 1), due_on=D(2026, 9, 23), today=D(2026, 9, 19), calendar=cal, policy=policy()
    )
    assert (status.colour, status.working_days_left) == (GREEN, 4)
    plain = WorkCalendar(known_years=frozenset({2026}))
    status = status_for(
        started_on=D(2026, 9, 1), due_on=D(2026, 9, 23), today=D(2026, 9, 19), calendar=plain, policy=policy()
    )
    assert (status.colour, status.working_days_left) == (YELLOW, 3)


def test_the_threshold_comes_from_the_policy(cal):
    d = dl(D(2026, 9, 24), D(2026, 10, 15))
    assert deadline_status(d, today=D(2026, 10, 9), calendar=cal, policy=policy(5)).colour == YELLOW
    assert deadline_status(d, today=D(2026, 10, 9), calendar=cal, policy=policy(4)).colour == GREEN


def test_working_days_used(cal):
    d = dl(D(2026, 9, 24), D(2026, 10, 15))
    status = deadline_status(d, today=D(2026, 10, 9), calendar=cal, policy=policy())
    # used: 28, 29, 30 September and 8, 9 October
    assert (status.working_days_used, status.working_days_left, status.working_days_total) == (5, 5, 10)
    overdue = deadline_status(d, today=D(2026, 10, 19), calendar=cal, policy=policy())
    assert (overdue.working_days_used, overdue.days_overdue) == (12, 4)
    before_start = deadline_status(d, today=D(2026, 9, 20), calendar=cal, policy=policy())
    assert before_start.working_days_used == 0


def test_closed_deadlines_are_grey_with_how_they_ended(cal):
    tz_noon = datetime.datetime(2026, 10, 12, 4, tzinfo=datetime.UTC)  # 12:00 in Shanghai
    met = dl(D(2026, 9, 24), D(2026, 10, 15), closed_at=tz_noon, close_reason="done", closed_on_time=True)
    late = dl(D(2026, 9, 24), D(2026, 10, 9), closed_at=tz_noon, close_reason="done", closed_on_time=False)
    gone = dl(D(2026, 9, 24), D(2026, 10, 9), closed_at=tz_noon, close_reason="superseded")
    statuses = [
        s
        for _d, s in deadline_statuses([met, late, gone], today=D(2026, 11, 1), calendar=cal, policy=policy())
    ]
    assert [s.colour for s in statuses] == [GREY, GREY, GREY]
    assert [s.label for s in statuses] == ["按期完成", "逾期完成", "已被新期限取代"]
    assert statuses[0].working_days_left is None
    assert statuses[0].working_days_used == 7  # 28–30 Sep, 8–12 Oct with the Saturday make-up day
    assert not statuses[0].is_open


def test_a_year_without_calendar_data_warns_and_counts_weekends_only(cal):
    # 2027 is not in the calendar: the status is still computed (Monday–Friday) and says so.
    assert 2027 not in cal.known_years
    d = dl(D(2026, 12, 21), D(2027, 1, 8))
    status = deadline_status(d, today=D(2027, 1, 4), calendar=cal, policy=policy())
    assert status.missing_years == (2027,)
    assert (status.colour, status.working_days_left) == (GREEN, 4)  # 5, 6, 7, 8 January
    assert deadline_status(d, today=D(2027, 1, 5), calendar=cal, policy=policy()).colour == YELLOW


def test_the_clock_loads_policy_and_calendar_once(loop, django_assert_num_queries):
    clock = WarningClock.for_congress(loop.w.congress, today=D(2026, 10, 12))
    deadlines = [dl(D(2026, 9, 24), D(2026, 10, 15)) for _ in range(50)]
    with django_assert_num_queries(0):
        assert {s.colour for _d, s in clock.statuses(deadlines)} == {YELLOW}
    assert clock.bounds.colour_of(D(2026, 10, 15)) == YELLOW


@settings(max_examples=200, deadline=None)
@given(
    today=st.dates(D(2026, 1, 1), D(2026, 12, 20)),
    offset=st.integers(-20, 40),
    warning_days=st.integers(1, 10),
)
def test_the_sql_bounds_give_the_same_colour_as_the_status(today, offset, warning_days):
    cal = get_calendar()
    due = today + datetime.timedelta(days=offset)
    p = policy(warning_days)
    status = status_for(started_on=min(today, due), due_on=due, today=today, calendar=cal, policy=p)
    assert colour_bounds(today=today, calendar=cal, policy=p).colour_of(due) == status.colour


def test_a_passed_window_for_a_request_lapses_instead_of_turning_red(cal):
    window = Deadline(
        kind=Deadline.Kind.REASSIGN_WINDOW, started_on=D(2026, 9, 24), due_on=D(2026, 10, 9), rule=""
    )
    assert deadline_status(window, today=D(2026, 10, 9), calendar=cal, policy=policy()).colour == YELLOW
    lapsed = deadline_status(window, today=D(2026, 10, 12), calendar=cal, policy=policy())
    assert (lapsed.colour, lapsed.label) == (GREY, "申请期限已过")
