"""The calendar that migration 0002 seeds from the `chinese-calendar` package, and the dates that
deadlines depend on."""

import datetime

import pytest
import time_machine

from minyi.audit.models import AuditEvent
from minyi.workdays.models import CalendarYear, SpecialDay
from minyi.workdays.seeding import package_days
from minyi.workdays.services import calendar_warnings, get_calendar

D = datetime.date
pytestmark = pytest.mark.django_db


def test_migration_seeds_2004_to_2026_from_the_package_without_audit_rows():
    years = list(CalendarYear.objects.order_by("year").values_list("year", "source", "version"))
    assert years == [(y, CalendarYear.Source.PACKAGE, 1) for y in range(2004, 2027)]
    stored = {d.date: (d.kind, d.name) for d in SpecialDay.objects.all()}
    assert stored == package_days(range(2004, 2027))
    assert all(d.year_id == d.date.year for d in SpecialDay.objects.all())
    # Seeding by migration is not a user's act: no audit rows.
    assert not AuditEvent.objects.filter(code__startswith="calendar.").exists()


def test_names_are_chinese():
    names = set(SpecialDay.objects.values_list("name", flat=True))
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "国庆节", "中秋节"} <= names
    assert all(not any("a" <= ch.lower() <= "z" for ch in name) for name in names)


def test_2026_national_day_and_mid_autumn():
    cal = get_calendar()
    for day in range(1, 8):
        assert D(2026, 10, day) in cal.holidays
        assert not cal.is_workday(D(2026, 10, day))
    assert SpecialDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
    for day in (25, 26, 27):  # Mid-Autumn 2026: Friday 25 September to Sunday 27
        assert not cal.is_workday(D(2026, 9, day))
    assert SpecialDay.objects.get(date=D(2026, 9, 25)).name == "中秋节"
    # Make-up workdays: Sunday 20 September and Saturday 10 October.
    assert D(2026, 9, 20).weekday() == 6 and D(2026, 10, 10).weekday() == 5
    assert cal.is_workday(D(2026, 9, 20)) and cal.is_workday(D(2026, 10, 10))
    assert cal.is_workday(D(2026, 10, 8)) and not cal.is_workday(D(2026, 10, 11))


def test_2026_spring_festival():
    cal = get_calendar()
    festival = [D(2026, 2, 15) + datetime.timedelta(days=i) for i in range(9)]  # 15–23 February
    assert all(not cal.is_workday(d) for d in festival)
    assert {SpecialDay.objects.get(date=d).name for d in festival} == {"春节"}
    assert cal.is_workday(D(2026, 2, 14)) and cal.is_workday(D(2026, 2, 28))  # Saturdays, made up
    assert cal.is_workday(D(2026, 2, 24))
    # Accepted on the Friday before the festival: 5 working days are Sat 14 (made up) and 24–27 Feb.
    assert cal.add_working_days(D(2026, 2, 13), 5) == D(2026, 2, 27)
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_known_deadlines():
    cal = get_calendar()
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    # 10 working days after 18 September: 20 September (Sunday) counts, the holidays do not.
    assert cal.add_working_days(D(2026, 9, 18), 10) == D(2026, 10, 9)
    assert cal.add_months(D(2026, 8, 31), 1) == D(2026, 9, 30)
    # One month after 1 September is 1 October, a holiday: the period ends on 8 October.
    assert cal.add_months(D(2026, 9, 1), 1, roll_to_workday=False) == D(2026, 10, 1)
    assert cal.add_months(D(2026, 9, 1), 1) == D(2026, 10, 8)


def test_reply_due_across_new_year():
    cal = get_calendar()
    # Assigned 2 December 2025, reply within one month: 2 January 2026 is a New Year holiday and
    # the next working day is Sunday 4 January, a make-up workday.
    assert cal.add_months(D(2025, 12, 2), 1) == D(2026, 1, 4)
    assert D(2026, 1, 4).weekday() == 6
    # 3 working days after 30 December 2025: 31 Dec, (1–3 Jan holidays), Sun 4 Jan, Mon 5 Jan.
    assert cal.add_working_days(D(2025, 12, 30), 3) == D(2026, 1, 5)
    assert cal.working_days_between(D(2025, 12, 30), D(2026, 1, 5)) == 3
    # Statutory ceiling: 3 months after 15 November 2025.
    assert cal.add_months(D(2025, 11, 15), 3) == D(2026, 2, 24)  # 15 Feb falls in the festival


def test_a_year_without_data_falls_back_to_weekends_only_and_warns():
    cal = get_calendar()
    assert 2031 not in cal.known_years
    assert cal.missing_years([2030, 2031]) == [2030, 2031]
    # 1 October 2031 is a Wednesday: without data it is an ordinary working day.
    assert cal.add_working_days(D(2031, 9, 30), 1) == D(2031, 10, 1)
    assert cal.add_months(D(2031, 8, 31), 1) == D(2031, 9, 30)
    assert cal.add_working_days(D(2031, 10, 3), 1) == D(2031, 10, 6)  # Friday → Monday
    warnings = calendar_warnings(D(2031, 3, 1), calendar=cal)
    assert len(warnings) == 1
    assert warnings[0].level == "danger"
    assert "2031年" in warnings[0] and "只按周末" in warnings[0]


def test_warnings_by_date():
    assert calendar_warnings(D(2026, 10, 31)) == []
    gentle = calendar_warnings(D(2026, 11, 1))
    assert [w.level for w in gentle] == ["warning"]
    assert "2027年" in gentle[0]
    assert [w.level for w in calendar_warnings(D(2026, 12, 31))] == ["warning"]
    # The current year missing is loud; from November the next year is reminded as well.
    assert [w.level for w in calendar_warnings(D(2027, 1, 4))] == ["danger"]
    both = calendar_warnings(D(2027, 11, 2))
    assert [w.level for w in both] == ["danger", "warning"]
    assert "2027年" in both[0] and "2028年" in both[1]
    # Warnings are plain strings as well.
    assert all(isinstance(w, str) for w in both)


def test_warnings_default_to_today():
    with time_machine.travel(datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC), tick=False):
        assert [w.level for w in calendar_warnings()] == ["warning"]
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        assert calendar_warnings() == []


def test_empty_database_is_weekends_only_everywhere():
    CalendarYear.objects.all().delete()
    cal = get_calendar()
    assert cal.known_years == frozenset() and cal.holidays == frozenset()
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 1)
    assert [w.level for w in calendar_warnings(D(2026, 11, 28), calendar=cal)] == ["danger", "warning"]
