"""Sign-ins and failed sign-ins are audited: one platform row each (no congress), with the username
and the address only — never the attempted password. They stay out of timelines and do not move
the dashboards' data version."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.reports.dashboard import data_version

PASSWORD = "pw-for-tests-123"
LOGIN = reverse("accounts:login")
NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def new_rows(before: int):
    return list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))


def head() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_a_sign_in_writes_one_row(client, world):
    before = head()
    response = client.post(LOGIN, {"username": "deputy", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    [row] = new_rows(before)
    assert row.code == "account.signed_in"
    assert (row.actor, row.target_user, row.congress) == (world.deputy, world.deputy, None)
    assert row.new == {"ip": "10.1.2.3"}
    assert PASSWORD not in row.hash + str(row.new) + row.note


@pytest.mark.parametrize("username", ["deputy", "no-such-user"])
def test_a_failed_sign_in_writes_one_row_without_the_password(client, world, username):
    before = head()
    secret = "my-Secret-guess-77"
    response = client.post(LOGIN, {"username": username, "password": secret}, REMOTE_ADDR="10.1.2.4")
    assert response.status_code == 200
    [row] = new_rows(before)
    assert row.code == "account.sign_in_failed"
    assert row.actor is None and row.target_user is None and row.congress is None
    assert row.new == {"username": username, "ip": "10.1.2.4"}
    assert secret not in str(row.new) + row.note + row.object_repr


def test_a_refused_sign_in_while_locked_is_marked(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "deputy", "password": "wrong-one-1"}, REMOTE_ADDR="10.1.2.5")
    before = head()
    client.post(LOGIN, {"username": "deputy", "password": PASSWORD}, REMOTE_ADDR="10.1.2.5")
    [row] = new_rows(before)
    assert row.code == "account.sign_in_failed" and row.new["locked"] is True


def test_the_chain_stays_whole(client, world):
    client.post(LOGIN, {"username": "deputy", "password": PASSWORD})
    client.post(LOGIN, {"username": "ghost", "password": "x"})
    assert verify_chain().ok
    call_command("verify_audit")


def test_sign_ins_do_not_move_the_data_version(client, world):
    version = data_version(world.congress)
    client.post(LOGIN, {"username": "deputy", "password": PASSWORD})
    client.post(LOGIN, {"username": "ghost", "password": "x"})
    assert data_version(world.congress) == version


def test_a_calendar_change_still_moves_the_data_version(world):
    from minyi.workdays.actions import do_set_special_day
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    version = data_version(world.congress)
    do_set_special_day(datetime.date(2026, 10, 12), actor=root, kind="holiday", name="测试假日")
    assert data_version(world.congress) > version


def test_sign_ins_stay_out_of_suggestion_timelines(client, world):
    from minyi.suggestions import actions as A
    from minyi.suggestions.selectors import timeline
    from tests.suggestions.conftest import content, make_taxa

    s = A.do_create_suggestion(world.congress, actor=world.deputy, content=content(make_taxa(world.congress)))
    s = A.do_submit_suggestion(s, actor=world.deputy)
    client.post(LOGIN, {"username": "deputy", "password": PASSWORD})
    type(client)().post(LOGIN, {"username": "deputy", "password": "wrong-one-2"})
    assert AuditEvent.objects.filter(code__startswith="account.").count() == 2
    for viewer in (world.clerk, world.deputy):
        shown = list(timeline(viewer, s).values_list("code", flat=True))
        assert shown and not [c for c in shown if c.startswith("account.")]
