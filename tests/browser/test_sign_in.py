"""Signing in, on a desktop and on a phone: each role lands on its own dashboard and sees nothing of
another congress; the language can be switched; wrong passwords and lockout are explained."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from minyi.accounts.models import Role
from tests.factories import MembershipFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("username", "role_label"),
    [
        pytest.param("admin", "人大管理员", id="admin"),
        pytest.param("deputy", "人大代表", id="deputy"),
        pytest.param("handler_a", "承办人", id="handler"),
        pytest.param("viewer", "查阅人员", id="viewer"),
    ],
)
def test_each_role_lands_on_its_dashboard(world, any_page, login, shot, username, role_label):
    page = any_page
    login(page, username)

    # One congress only: straight to its dashboard, which names the congress and the role.
    expect(page).to_have_url(re.compile(r"/c/alpha/$"))
    expect(page.locator("h1")).to_have_text(world.congress.name)
    expect(page.locator("main")).to_contain_text(role_label)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert world.other_congress.name not in page.content()
    shot(page, "dashboard")

    # Nor can the other congress be reached by typing its address.
    response = page.goto(f"/c/{world.other_congress.code}/")
    assert response is not None and response.status == 404
    assert world.other_congress.name not in page.content()


def test_unit_handler_sees_the_unit(world, phone_page, login, shot):
    login(phone_page, "handler_a")
    expect(phone_page.locator("main")).to_contain_text(world.unit_a.name)
    shot(phone_page, "dashboard")


def test_switch_language_to_english_and_back(world, any_page, login, shot):
    page = any_page
    login(page, "deputy")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    switch = page.locator("footer form")
    switch.locator("select[name=language]").select_option("en")
    with page.expect_navigation():
        switch.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/c/alpha/$"))  # back on the same page
    shot(page, "english")

    # The choice sticks across pages…
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # …and can be undone.
    switch = page.locator("footer form")
    switch.locator("select[name=language]").select_option("zh-hans")
    with page.expect_navigation():
        switch.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_sign_in_page_before_signing_in(world, any_page, shot):
    page = any_page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("h1")).to_have_text("登录民意平台")
    shot(page, "login")


def test_wrong_password_is_explained(world, any_page, shot):
    page = any_page
    sign_in(page, "deputy", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    # The username is kept, the password is not.
    expect(page.locator("input[name=username]")).to_have_value("deputy")
    expect(page.locator("input[name=password]")).to_have_value("")
    shot(page, "wrong-password")


def test_lockout_after_repeated_failures(world, any_page, shot):
    page = any_page
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(page, "deputy", "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    sign_in(page, "deputy", "not-the-password")
    expect(page.locator("h1")).to_contain_text("账号已暂时锁定")
    shot(page, "locked")

    # Locked means locked: even the right password is refused until the cool-off ends.
    sign_in(page, "deputy")
    expect(page.locator("h1")).to_contain_text("账号已暂时锁定")
    # The lock is for this username: another deputy can still sign in from the same place.
    sign_in(page, "cosigner")
    expect(page).to_have_url(re.compile(r"/c/alpha/$"))


def test_member_of_two_congresses_chooses_one(world, any_page, login, shot):
    MembershipFactory(user=world.handler_b, congress=world.other_congress, role=Role.VIEWER)
    page = any_page
    login(page, "handler_b")
    expect(page).to_have_url(re.compile(r"/$"))
    cards = page.locator("main a.card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text=world.congress.name)).to_contain_text(f"承办人（{world.unit_b.name}）")
    expect(cards.filter(has_text=world.other_congress.name)).to_contain_text("查阅人员")
    shot(page, "home")
    with page.expect_navigation():
        cards.filter(has_text=world.other_congress.name).click()
    expect(page).to_have_url(re.compile(rf"/c/{world.other_congress.code}/$"))
    expect(page.locator("h1")).to_have_text(world.other_congress.name)
