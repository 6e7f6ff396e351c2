"""Passwords in the browser: a roster-made deputy sets a password on a phone from the link the
congress admin issued, then signs in; a user changes their password from the user menu."""

import re

import pytest
from playwright.sync_api import expect

from minyi.accounts.models import Role
from tests.factories import MembershipFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "Quiet-harbour-2026"


def test_deputy_sets_a_password_from_an_admin_issued_link_on_a_phone(world, page, phone_page, login, shot):
    deputy = UserFactory(username="zhaoliu", full_name="赵六", password=None)
    deputy.set_unusable_password()
    deputy.save()
    MembershipFactory(user=deputy, congress=world.congress, role=Role.DEPUTY)

    # The admin issues the link from the member list (desktop).
    login(page, "admin")
    page.goto("/c/alpha/members/?q=zhaoliu")
    row = page.locator("tbody tr", has_text="zhaoliu")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        row.get_by_role("button", name="设置密码链接").click()
    expect(page.locator("h1")).to_have_text("设置密码链接")
    link = page.locator("#password-link").input_value()
    assert "/accounts/set-password/" in link
    shot(page, "admin-link")

    # The deputy opens it on a phone: a weak password is refused in Chinese, a good one is taken.
    phone = phone_page
    phone.goto(link)
    expect(phone.locator("h1")).to_have_text("设置密码")
    expect(phone.locator("main")).to_contain_text("zhaoliu")
    phone.locator("input[name=new_password1]").fill("12345678901")
    phone.locator("input[name=new_password2]").fill("12345678901")
    with phone.expect_navigation():
        phone.get_by_role("button", name="设置密码").click()
    expect(phone.locator("main")).to_contain_text("密码只包含数字")
    shot(phone, "weak-refused")
    phone.locator("input[name=new_password1]").fill(NEW)
    phone.locator("input[name=new_password2]").fill(NEW)
    with phone.expect_navigation():
        phone.get_by_role("button", name="设置密码").click()
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    expect(phone.get_by_role("alert").first).to_contain_text("密码已设置")
    shot(phone, "set")

    sign_in(phone, "zhaoliu", NEW)
    expect(phone).to_have_url(re.compile(r"/c/alpha/$"))
    shot(phone, "signed-in")

    # The link worked once.
    phone.goto(link)
    expect(phone.locator("h1")).to_contain_text("链接无效或已过期")
    shot(phone, "used-link")


def test_user_changes_the_password_from_the_menu(world, any_page, login, shot):
    page = any_page
    login(page, "deputy")
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # a phone: open the collapsed menu first
        toggler.click()
        expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))
    page.locator("#user-menu").click()
    item = page.get_by_role("link", name="修改密码")
    expect(item).to_be_visible()
    shot(page, "menu")
    with page.expect_navigation():
        item.click()
    expect(page.locator("h1")).to_have_text("修改密码")
    page.locator("input[name=old_password]").fill("pw-for-tests-123")
    page.locator("input[name=new_password1]").fill(NEW)
    page.locator("input[name=new_password2]").fill(NEW)
    shot(page, "form")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("alert").first).to_contain_text("密码已修改")
    expect(page).to_have_url(re.compile(r"/c/alpha/$"))  # still signed in
    shot(page, "changed")

    page.context.clear_cookies()
    sign_in(page, "deputy", NEW)
    expect(page).to_have_url(re.compile(r"/c/alpha/$"))
