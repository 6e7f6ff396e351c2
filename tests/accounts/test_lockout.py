"""Lockout: per username + address (5 failures) and per address over all usernames (20), and the
congress admin's unlock page for the accounts of their own congress."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "pw-for-tests-123"
LOGIN = reverse("accounts:login")
NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))
LOCKED_PAGE = reverse("accounts_congress:locked", args=["alpha"])


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def attempt(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_one_username_at_one_address(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "deputy", "wrong-password").status_code == 200
    response = attempt(client, "deputy", "wrong-password")
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert attempt(client, "deputy").status_code == 429
    # others at this address are not affected
    assert attempt(client, "cosigner").status_code == 302


def test_many_usernames_from_one_address_lock_the_address(client, world):
    """20 failures spread over usernames (none reaching 5) lock every sign-in from that address."""
    limit = settings.MINYI_IP_FAILURE_LIMIT
    assert limit == 20
    for i in range(limit - 1):
        response = attempt(client, f"guess{i % 10}", "wrong-password")
        assert response.status_code == 200, i
    response = attempt(client, "guess-last", "wrong-password")
    assert response.status_code == 429
    assert "本网络地址登录失败次数过多" in response.content.decode()
    # even a right password for an untouched account is refused from here…
    assert attempt(client, "cosigner").status_code == 429
    # …but not from elsewhere
    assert attempt(client, "cosigner", ip="10.0.0.2").status_code == 302


def test_below_the_address_limit_others_still_sign_in(client, world):
    for i in range(settings.MINYI_IP_FAILURE_LIMIT - 2):
        attempt(client, f"guess{i % 10}", "wrong-password")
    assert attempt(client, "cosigner").status_code == 302


def test_address_lock_ends_after_the_cool_off(client, world):
    for i in range(settings.MINYI_IP_FAILURE_LIMIT):
        attempt(client, f"guess{i}", "wrong-password")
    assert attempt(client, "cosigner").status_code == 429
    later = NOW + datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with time_machine.travel(later, tick=False):
        assert attempt(client, "cosigner").status_code == 302


def test_own_sign_in_does_not_wipe_an_address_count(client, world):
    """Signing in to one's own account clears that account's failures only, not the failures the
    address piled up against other usernames."""
    for i in range(settings.MINYI_IP_FAILURE_LIMIT - 1):
        attempt(client, f"guess{i % 10}", "wrong-password")
    assert attempt(client, "cosigner").status_code == 302
    client.post(reverse("accounts:logout"))
    assert attempt(client, "guess-last", "wrong-password").status_code == 429


# --- the unlock page ------------------------------------------------------------------------------


def lock(client, username, ip="10.0.0.9"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, username, "wrong-password", ip=ip)


def test_admin_sees_and_unlocks_a_locked_account(client, world):
    lock(client, "deputy")
    assert attempt(client, "deputy", ip="10.0.0.9").status_code == 429
    client.force_login(world.admin)
    html = client.get(LOCKED_PAGE).content.decode()
    assert "领衔代表" in html or "deputy" in html
    unlock = reverse("accounts_congress:unlock", args=["alpha", world.deputy.pk])
    assert unlock in html
    response = client.post(unlock)
    assert response.status_code == 302 and response.url == LOCKED_PAGE
    assert not AccessAttempt.objects.filter(username="deputy").exists()
    event = AuditEvent.objects.get(code="account.unlocked")
    assert (event.congress, event.actor, event.target_user) == (world.congress, world.admin, world.deputy)
    assert event.old == {"failures": settings.AXES_FAILURE_LIMIT + 1}  # the refused attempt counts too
    client.post(reverse("accounts:logout"))
    assert attempt(client, "deputy", ip="10.0.0.9").status_code == 302


def test_unlock_page_lists_only_locked_accounts_of_the_congress(client, world):
    beta_user = UserFactory(username="beta_deputy")
    MembershipFactory(user=beta_user, congress=world.other_congress, role=Role.DEPUTY)
    lock(client, "beta_deputy")
    lock(client, "nobody-at-all")
    for _ in range(2):
        attempt(client, "cosigner", "wrong-password")  # failures, but not locked
    lock(client, "deputy")
    client.force_login(world.admin)
    html = client.get(LOCKED_PAGE).content.decode()
    assert ">deputy<" in html
    for absent in ("beta_deputy", "nobody-at-all", ">cosigner<"):
        assert absent not in html
    client.force_login(world.outsider)
    html = client.get(reverse("accounts_congress:locked", args=["beta"])).content.decode()
    assert "beta_deputy" in html and ">deputy<" not in html


def test_expired_locks_are_not_listed(client, world):
    lock(client, "deputy")
    client.force_login(world.admin)
    with time_machine.travel(
        NOW + datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1), tick=False
    ):
        assert ">deputy<" not in client.get(LOCKED_PAGE).content.decode()


def test_another_congress_admin_cannot_unlock(client, world):
    lock(client, "deputy")
    client.force_login(world.outsider)
    assert client.post(reverse("accounts_congress:unlock", args=["beta", world.deputy.pk])).status_code == 404
    assert (
        client.post(reverse("accounts_congress:unlock", args=["alpha", world.deputy.pk])).status_code == 404
    )
    assert client.get(reverse("accounts_congress:locked", args=["alpha"])).status_code == 404
    assert AccessAttempt.objects.filter(username="deputy").exists()
    assert not AuditEvent.objects.filter(code="account.unlocked").exists()


@pytest.mark.parametrize("who", ["clerk", "deputy", "viewer"])
def test_only_admins_see_the_unlock_page(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(LOCKED_PAGE).status_code == 404


def test_unlocking_an_account_that_is_not_locked_is_refused(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("accounts_congress:unlock", args=["alpha", world.cosigner.pk]), follow=True
    )
    assert "该账号没有被锁定" in response.content.decode()
    assert not AuditEvent.objects.filter(code="account.unlocked").exists()


def test_the_lockout_page_points_to_the_admin(client, world):
    lock(client, "deputy")
    html = attempt(client, "deputy", ip="10.0.0.9").content.decode()
    assert "联系人大管理员解锁" in html
