"""Signing in and out, wrong passwords, lockout after repeated failures (per username and address),
and the Django admin being for superusers only."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "pw-for-tests-123"
LOGIN = reverse("accounts:login")
LOCKED = "账号已暂时锁定"
WRONG = "用户名或密码不正确"


def attempt(client, username, password=PASSWORD, ip="10.0.0.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=ip)


def fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = attempt(client, username, "wrong-password", ip=ip)
        assert response.status_code == 200
        assert WRONG in response.content.decode()


def test_login_page_renders_for_anonymous_users(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录民意平台" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_pages_need_signing_in(client, world):
    for url in ("/", f"/c/{world.congress.code}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(LOGIN + "?next=")


def test_login_works_and_lands_on_the_dashboard(client, world):
    response = attempt(client, "deputy")
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == reverse("congress:dashboard", args=[world.congress.code])
    assert client.get(response.url).status_code == 200


def test_login_follows_next_only_within_the_site(client, world):
    dashboard = reverse("congress:dashboard", args=[world.congress.code])
    response = attempt(client, "deputy", next=dashboard)
    assert response.url == dashboard
    client.post(reverse("accounts:logout"))
    response = attempt(client, "deputy", next="https://evil.example.com/")
    assert response.url == reverse("core:home")


def test_signed_in_users_skip_the_login_page(client, world):
    client.force_login(world.deputy)
    response = client.get(LOGIN)
    assert response.status_code == 302


def test_wrong_password_shows_the_message_and_keeps_the_username(client, world):
    response = attempt(client, "deputy", "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert WRONG in html
    assert 'value="deputy"' in html
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, world):
    """No hint whether the username exists."""
    response = attempt(client, "nobody-here", "wrong-password")
    assert response.status_code == 200
    assert WRONG in response.content.decode()


def test_inactive_account_cannot_sign_in(client, world):
    world.deputy.is_active = False
    world.deputy.save()
    response = attempt(client, "deputy")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_signs_out(client, world):
    client.force_login(world.deputy)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == LOGIN
    assert "_auth_user_id" not in client.session


def test_lockout_after_the_failure_limit(client, world):
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, "deputy", limit - 1)
    response = attempt(client, "deputy", "wrong-password")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    # The right password does not help while locked.
    response = attempt(client, "deputy")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_says_how_long(client, world):
    fail(client, "deputy", settings.AXES_FAILURE_LIMIT - 1)
    html = attempt(client, "deputy", "wrong-password").content.decode()
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert f"{minutes} 分钟后再试" in html
    assert "返回登录页" in html


def test_lockout_is_per_username_and_address(client, world):
    """An attacker guessing one deputy's password locks out neither that deputy elsewhere nor others
    at the same address."""
    fail(client, "deputy", settings.AXES_FAILURE_LIMIT - 1, ip="10.0.0.1")
    assert attempt(client, "deputy", "wrong-password", ip="10.0.0.1").status_code == 429
    # The same account from another address.
    response = attempt(client, "deputy", ip="10.0.0.2")
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    # Another account from the locked address.
    response = attempt(client, "cosigner", ip="10.0.0.1")
    assert response.status_code == 302


def test_lockout_ends_after_the_cool_off(client, world):
    fail(client, "deputy", settings.AXES_FAILURE_LIMIT - 1)
    assert attempt(client, "deputy", "wrong-password").status_code == 429
    assert attempt(client, "deputy").status_code == 429
    later = timezone.now() + datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with time_machine.travel(later):
        response = attempt(client, "deputy")
    assert response.status_code == 302


def test_success_resets_the_failure_count(client, world):
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, "deputy", limit - 1)
    assert attempt(client, "deputy").status_code == 302
    client.post(reverse("accounts:logout"))
    # A fresh count: another limit-1 failures still do not lock.
    fail(client, "deputy", limit - 1)
    assert attempt(client, "deputy").status_code == 302


# --- The Django admin: superusers only ------------------------------------------------------------

ADMIN = "/django-admin/"


def test_congress_admin_cannot_use_the_django_admin(client, world):
    assert not world.admin.is_staff
    client.force_login(world.admin)
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url.startswith(ADMIN + "login/")


def test_congress_admin_cannot_sign_in_to_the_django_admin(client, world):
    response = client.post(
        ADMIN + "login/", {"username": "admin", "password": PASSWORD, "next": ADMIN}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


def test_superuser_can_use_the_django_admin(client, db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get(ADMIN).status_code == 200


@pytest.mark.parametrize("path", ["", "accounts/user/", "congress/congress/"])
def test_anonymous_users_are_sent_to_the_admin_login(client, db, path):
    response = client.get(ADMIN + path)
    assert response.status_code == 302
    assert response.url.startswith(ADMIN + "login/")
