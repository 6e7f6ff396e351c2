"""A second contact record of the same method on the same day for the same assignment is held back
once with a warning naming the first (issue #12); confirmed, it is saved; another method or another
day goes through at once."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from minyi.suggestions.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_again():
    """A request in English leaves English active in this thread: later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


DAY = datetime.datetime(2026, 3, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def contacted(loop):
    """A suggestion whose unit logged a visit today (2026-03-17)."""
    with time_machine.travel(DAY, tick=False):
        s = loop.drive.to("contacted")
    return s, s.assignments.get()


def post(client, loop, a, at=DAY, **overrides):
    client.force_login(loop.w.handler_a)
    data = {
        "phase": "during",
        "method": "visit",
        "contacted_on": "2026-03-17",
        "people": "承办人、代表",
        "summary": "再次上门。",
        **overrides,
    }
    with time_machine.travel(at, tick=False):
        return client.post(reverse("suggestions:log_contact", args=["alpha", a.pk]), data)


def test_the_same_method_on_the_same_day_is_warned_once_then_saved(client, loop, contacted):
    _, a = contacted
    before = Contact.objects.filter(assignment=a).count()
    response = post(client, loop, a)
    assert response.status_code == 422
    text = response.content.decode()
    assert "2026-03-17已有一条走访的联系记录" in text and "上门听取代表意见" in text
    assert 'name="confirm_duplicate"' in text
    assert Contact.objects.filter(assignment=a).count() == before
    response = post(client, loop, a, confirm_duplicate="on")
    assert response.status_code == 302
    assert Contact.objects.filter(assignment=a).count() == before + 1


@pytest.mark.parametrize(
    "change",
    [{"method": "phone"}, {"contacted_on": "2026-03-18", "at": DAY + datetime.timedelta(days=1)}],
)
def test_another_method_or_day_is_not_a_duplicate(client, loop, contacted, change):
    _, a = contacted
    before = Contact.objects.filter(assignment=a).count()
    response = post(client, loop, a, **change)
    assert response.status_code == 302
    assert Contact.objects.filter(assignment=a).count() == before + 1


def test_the_warning_in_english(client, loop, contacted):
    _, a = contacted
    client.cookies["django_language"] = "en"
    text = post(client, loop, a).content.decode()
    assert "already has a contact record" in text and "17 Mar 2026" in text
