"""Passwords: Django's validators, changing one's own password, the first-sign-in change after a
password chosen by someone else, and the one-time set-password link a congress admin hands over."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from minyi.accounts.models import Role, User
from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.congress import actions as congress_actions
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "pw-for-tests-123"
NEW = "Quiet-harbour-2026"
CHANGE = reverse("accounts:password_change")
LOGIN = reverse("accounts:login")
NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def sign_in(client, username, password=PASSWORD):
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302
    return response


def codes(**where):
    return list(AuditEvent.objects.filter(**where).order_by("seq").values_list("code", flat=True))


# --- validators --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        pytest.param("73920184615", "密码只包含数字", id="numeric"),
        pytest.param("k9#Lm2", "密码太短，至少需要 10 个字符", id="short"),
        pytest.param("password123", "这个密码太常见了", id="common"),
        pytest.param("zhangsan2026x", "太相似了", id="like-username"),
    ],
)
def test_password_validators_refuse_weak_passwords_in_chinese(db, password, message):
    user = User(username="zhangsan2026", full_name="张三")
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            validate_password(password, user)
        messages = [str(m) for m in caught.value.messages]
    assert any(message in m for m in messages), messages


def test_a_good_password_passes_and_the_minimum_is_ten(db):
    validate_password(NEW, User(username="lisi"))
    with pytest.raises(ValidationError):
        validate_password("k9#Lm2xQ!", User(username="lisi"))  # 9 characters
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] == 10


def test_demo_password_is_set_without_validators_deliberately(db):
    """`demo12345` is too short for the validators: seed_demo stores its hash directly (demo only)."""
    with pytest.raises(ValidationError):
        validate_password(settings.MINYI_DEMO_PASSWORD, User(username="deputy1"))


# --- changing one's own password ------------------------------------------------------------------


def post_change(client, old=PASSWORD, new=NEW, again=None):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new})


def test_user_menu_links_to_the_change_page(client, world):
    client.force_login(world.deputy)
    html = client.get(reverse("congress:dashboard", args=["alpha"])).content.decode()
    assert f'href="{CHANGE}"' in html and "修改密码" in html


def test_change_password_keeps_the_session_and_is_audited(client, world):
    sign_in(client, "deputy")
    response = post_change(client)
    assert response.status_code == 302
    world.deputy.refresh_from_db()
    assert world.deputy.check_password(NEW)
    # still signed in on this browser
    assert client.get(reverse("congress:dashboard", args=["alpha"])).status_code == 200
    event = AuditEvent.objects.filter(code="account.password_changed").get()
    assert (event.actor, event.target_user, event.congress) == (world.deputy, world.deputy, None)
    assert NEW not in str(event.new) and PASSWORD not in str(event.new)
    assert verify_chain().ok


def test_change_password_ends_other_sessions(client, world, django_user_model):
    from django.test import Client

    other = Client()
    sign_in(other, "deputy")
    sign_in(client, "deputy")
    post_change(client)
    assert other.get(reverse("congress:dashboard", args=["alpha"])).status_code == 302


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        pytest.param("wrong-password-1", NEW, None, "旧密码不正确", id="wrong-old"),
        pytest.param(PASSWORD, "73920184615", None, "密码只包含数字", id="numeric"),
        pytest.param(PASSWORD, "short1A", None, "密码太短，至少需要 10 个字符", id="short"),
        pytest.param(PASSWORD, NEW, NEW + "x", "输入的两个密码不一致", id="mismatch"),
    ],
)
def test_change_password_refusals(client, world, old, new, again, message):
    client.force_login(world.deputy)
    response = post_change(client, old, new, again)
    assert response.status_code == 200
    assert message in response.content.decode()
    world.deputy.refresh_from_db()
    assert world.deputy.check_password(PASSWORD)
    assert not codes(code="account.password_changed")


def test_change_page_needs_sign_in(client, db):
    response = client.get(CHANGE)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


# --- first sign-in after a password chosen by someone else ------------------------------------------


@pytest.fixture
def new_account(world):
    """An account opened by the congress admin, who typed its first password."""
    user = congress_actions.do_create_user(
        world.congress, actor=world.admin, username="wangwu", full_name="王五", password=PASSWORD
    )
    MembershipFactory(user=user, congress=world.congress, role=Role.VIEWER)
    return user


def test_admin_created_account_must_change_password(client, new_account):
    assert new_account.must_change_password
    sign_in(client, "wangwu")
    dashboard = reverse("congress:dashboard", args=["alpha"])
    response = client.get(dashboard)
    assert response.status_code == 302 and response.url == CHANGE
    page = client.get(CHANGE).content.decode()
    assert "您的密码由他人设置" in page
    # the API says so with a code
    response = client.get("/api/v1/congresses/alpha/suggestions/")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    # after the change everything is open again
    assert post_change(client).status_code == 302
    new_account.refresh_from_db()
    assert not new_account.must_change_password
    assert client.get(dashboard).status_code == 200
    assert AuditEvent.objects.get(code="account.password_changed").new == {"required": True}


def test_must_change_still_allows_signing_out_and_the_language(client, new_account):
    sign_in(client, "wangwu")
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == LOGIN
    assert "_auth_user_id" not in client.session


def test_posts_are_refused_too_while_a_change_is_due(client, new_account, world):
    sign_in(client, "wangwu")
    response = client.post(reverse("congress:member_grant", args=["alpha"]), {})
    assert response.status_code == 302 and response.url == CHANGE


# --- the set-password link ------------------------------------------------------------------------


@pytest.fixture
def roster_deputy(world):
    """A deputy's account made by the roster import: no usable password."""
    user = UserFactory(username="zhaoliu", full_name="赵六", password=None)
    user.set_unusable_password()
    user.save()
    MembershipFactory(user=user, congress=world.congress, role=Role.DEPUTY)
    return user


def issue(client, admin, user, code="alpha"):
    client.force_login(admin)
    return client.post(reverse("accounts_congress:password_link", args=[code, user.pk]))


def link_of(response) -> str:
    html = response.content.decode()
    start = html.index("http://testserver/accounts/set-password/")
    return html[start : html.index('"', start)].removeprefix("http://testserver")


def set_password(client, link, password=NEW, again=None):
    """Open the link (it redirects to the token-less form) and post the new password."""
    response = client.get(link)
    if response.status_code != 302:
        return response
    return client.post(response.url, {"new_password1": password, "new_password2": again or password})


def test_link_sets_the_password_once(client, world, roster_deputy):
    response = issue(client, world.admin, roster_deputy)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    link = link_of(response)
    event = AuditEvent.objects.get(code="account.password_link_issued")
    assert (event.congress, event.actor, event.target_user) == (world.congress, world.admin, roster_deputy)
    assert link not in str(event.new) and link.split("/")[-2] not in event.hash

    visitor = type(client)()
    response = set_password(visitor, link)
    assert response.status_code == 302 and response.url == LOGIN
    roster_deputy.refresh_from_db()
    assert roster_deputy.check_password(NEW) and not roster_deputy.must_change_password
    assert codes(code="account.password_set_by_link") == ["account.password_set_by_link"]
    # the deputy signs in with it
    assert visitor.post(LOGIN, {"username": "zhaoliu", "password": NEW}).status_code == 302
    # the link does not work a second time
    response = type(client)().get(link)
    assert response.status_code == 200
    assert "链接无效或已过期" in response.content.decode()
    assert verify_chain().ok


def test_link_expires(client, world, roster_deputy):
    link = link_of(issue(client, world.admin, roster_deputy))
    later = NOW + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = set_password(type(client)(), link)
    assert response.status_code == 200
    assert "链接无效或已过期" in response.content.decode()
    roster_deputy.refresh_from_db()
    assert not roster_deputy.has_usable_password()


def test_link_still_works_just_before_it_expires(client, world, roster_deputy):
    link = link_of(issue(client, world.admin, roster_deputy))
    with time_machine.travel(
        NOW + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60), tick=False
    ):
        assert set_password(type(client)(), link).status_code == 302


def test_link_expiry_default_is_three_days():
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 3600


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/accounts/set-password/MQ/not-a-token/", id="bad-token"),
        pytest.param("/accounts/set-password/!!!/abc-def/", id="bad-uid"),
        pytest.param("/accounts/set-password/OTk5OTk/abc-def/", id="no-such-user"),
    ],
)
def test_bad_links_get_a_clear_page(client, world, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "链接无效或已过期" in html and "请联系本人大的管理员重新生成链接" in html
    assert 'name="new_password1"' not in html


def test_the_set_page_applies_the_validators(client, world, roster_deputy):
    link = link_of(issue(client, world.admin, roster_deputy))
    visitor = type(client)()
    response = set_password(visitor, link, "73920184615")
    assert response.status_code == 200
    assert "密码只包含数字" in response.content.decode()
    roster_deputy.refresh_from_db()
    assert not roster_deputy.has_usable_password()
    assert not codes(code="account.password_set_by_link")


def test_another_congress_admin_cannot_issue_a_link(client, world, roster_deputy):
    response = issue(client, world.outsider, roster_deputy, code="beta")
    assert response.status_code == 404
    # nor through their own congress's address for a user of alpha, nor in alpha's
    assert issue(client, world.outsider, roster_deputy, code="alpha").status_code == 404
    assert not codes(code="account.password_link_issued")


@pytest.mark.parametrize("who", ["clerk", "deputy", "viewer"])
def test_only_congress_admins_issue_links(client, world, roster_deputy, who):
    assert issue(client, getattr(world, who), roster_deputy).status_code == 404


def test_no_link_for_platform_superusers(client, world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    MembershipFactory(user=root, congress=world.congress, role=Role.VIEWER)
    assert issue(client, world.admin, root).status_code == 404


def test_issuing_needs_post(client, world, roster_deputy):
    client.force_login(world.admin)
    response = client.get(reverse("accounts_congress:password_link", args=["alpha", roster_deputy.pk]))
    assert response.status_code == 405


def test_members_page_offers_the_link(client, world, roster_deputy):
    client.force_login(world.admin)
    html = client.get(reverse("congress:members", args=["alpha"])).content.decode()
    assert reverse("accounts_congress:password_link", args=["alpha", roster_deputy.pk]) in html
    assert reverse("accounts_congress:locked", args=["alpha"]) in html
