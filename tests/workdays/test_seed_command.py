"""`python manage.py seed_calendar`: idempotent, only adds, one audit row per run that changed
anything (actor: the system)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.workdays.models import CalendarYear, SpecialDay
from minyi.workdays.seeding import package_days
from minyi.workdays.services import get_calendar

D = datetime.date
pytestmark = pytest.mark.django_db


def _seed(*args):
    out, err = StringIO(), StringIO()
    call_command("seed_calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _events():
    return list(AuditEvent.objects.filter(code="calendar.seeded").order_by("seq"))


def _stored(year):
    return {d.date: (d.kind, d.name) for d in SpecialDay.objects.filter(year_id=year)}


def test_on_the_seeded_database_nothing_is_added_and_nothing_audited():
    out, _err = _seed()
    assert "Nothing to add" in out
    out, _err = _seed("--years", "2004-2026")
    assert "Nothing to add" in out
    assert _events() == []
    assert set(CalendarYear.objects.values_list("version", flat=True)) == {1}


def test_a_missing_year_is_created_whole_once():
    CalendarYear.objects.filter(year=2025).delete()
    assert 2025 not in get_calendar().known_years
    out, _err = _seed("--years", "2025")
    assert "2025" in out
    year = CalendarYear.objects.get(year=2025)
    assert (year.source, year.version) == (CalendarYear.Source.PACKAGE, 1)
    assert _stored(2025) == package_days([2025])
    [event] = _events()
    assert event.actor is None and event.congress is None
    assert event.new["years_created"] == [2025]
    assert event.new["days_added"] == len(package_days([2025]))
    assert event.new["added_per_year"] == {"2025": len(package_days([2025]))}
    # The calendar in this process sees it at once.
    cal = get_calendar()
    assert 2025 in cal.known_years and not cal.is_workday(D(2025, 10, 1))
    # Idempotent: a second run changes nothing and writes no audit row.
    out, _err = _seed("--years", "2025")
    assert "Nothing to add" in out
    assert len(_events()) == 1
    assert verify_chain().ok


def test_default_is_every_year_the_package_has():
    CalendarYear.objects.all().delete()
    _seed()
    assert list(CalendarYear.objects.order_by("year").values_list("year", flat=True)) == list(
        range(2004, 2027)
    )
    assert {d.date: (d.kind, d.name) for d in SpecialDay.objects.all()} == package_days()
    [event] = _events()
    assert event.new["years_created"] == list(range(2004, 2027))


def test_years_the_package_does_not_know_are_reported_never_guessed():
    out, err = _seed("--years", "2027-2028")
    assert "2027" in err and "2028" in err
    assert not CalendarYear.objects.filter(year__gte=2027).exists()
    assert _events() == []


def test_an_existing_year_is_never_changed_unless_asked_to_fill_gaps():
    # An admin removed a date and turned another into a make-up workday (on purpose, maybe).
    SpecialDay.objects.filter(date=D(2026, 10, 7)).delete()
    SpecialDay.objects.filter(date=D(2026, 9, 27)).update(kind=SpecialDay.Kind.WORKDAY, name="更正")
    out, err = _seed("--years", "2026")
    assert "2026-10-07" in err  # reported as missing
    assert "2026-09-27" in err  # reported as differing, kept
    assert not SpecialDay.objects.filter(date=D(2026, 10, 7)).exists()
    assert SpecialDay.objects.get(date=D(2026, 9, 27)).kind == SpecialDay.Kind.WORKDAY
    assert _events() == [] and CalendarYear.objects.get(year=2026).version == 1

    out, err = _seed("--years", "2026", "--fill-existing")
    assert SpecialDay.objects.get(date=D(2026, 10, 7)).kind == SpecialDay.Kind.HOLIDAY
    assert SpecialDay.objects.get(date=D(2026, 9, 27)).name == "更正"  # never overwritten
    year = CalendarYear.objects.get(year=2026)
    assert year.version == 2
    [event] = _events()
    assert event.new["days_added"] == 1 and event.new["years_created"] == []
    assert event.new["versions"] == {"2026": 2}
    assert not get_calendar().is_workday(D(2026, 10, 7))


@pytest.mark.parametrize("years", ["20x5", "2026-2004", "1999", "2099-2101", ",", "2026-"])
def test_bad_year_arguments_are_refused(years):
    with pytest.raises(CommandError):
        _seed("--years", years)
    assert _events() == []


def test_lists_of_years_are_accepted():
    CalendarYear.objects.filter(year__in=[2005, 2010, 2011]).delete()
    _seed("--years", "2005,2010-2011")
    assert set(CalendarYear.objects.filter(year__in=[2005, 2010, 2011]).values_list("year", flat=True)) == {
        2005,
        2010,
        2011,
    }
    assert len(_events()) == 1
