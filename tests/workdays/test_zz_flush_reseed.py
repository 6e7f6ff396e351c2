"""The calendar survives a transactional test's flush (see tests/conftest.py)."""

import datetime

import pytest

from minyi.workdays.models import SpecialDay
from minyi.workdays.services import load_calendar


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_calendar():
    assert not load_calendar().is_workday(datetime.date(2026, 10, 1))


@pytest.mark.django_db(transaction=True)
def test_a_second_transactional_test_still_sees_it_after_the_first_flush():
    assert SpecialDay.objects.filter(date=datetime.date(2026, 10, 10), kind="workday").exists()
