"""Kept pages in a real browser (issue #13), on a phone, with keeping on as in production: a unit
handler's 待办 and the suggestion page are served kept on the second visit, the buttons of a kept
page work (its CSRF token is the browser's own), and after the action the handler sees the new state
at once, not the kept page. Screenshots under test-artifacts/screenshots/test_kept_pages/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.suggestions.conftest import Driver, make_taxa

from .test_suggestion_loop import Roles, expect_message, open_todo, press

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "关于增设社区公交接驳线的建议"


def test_a_kept_page_acts_and_shows_the_change_at_once(
    daytime, world, settings, browser_context, login, shot
):
    settings.MINYI_KEEP_PAGES = True
    Driver(world, make_taxa(world.congress), None).to("assigned", direct=True, title=TITLE)
    handler = Roles(browser_context, login)("handler_a", phone=True)
    handler.goto("/c/alpha/suggestions/todo/")
    handler.reload()  # the second visit is served kept
    item = handler.locator(".work-item", has_text=TITLE)
    expect(item).to_contain_text("待签收")
    shot(handler, "01-todo-kept")
    open_todo(handler, TITLE)
    handler.reload()
    expect(handler.locator('[data-action="sign"]').first).to_be_visible()
    shot(handler, "02-suggestion-kept")
    press(handler, "sign")  # a form of a kept page: its CSRF token must be this browser's
    expect_message(handler, "已签收")
    expect(handler.locator('[data-action="sign"]')).to_have_count(0)
    handler.reload()  # kept again, without the message, with the new state
    expect(handler.locator(".alert-success[role=alert]")).to_have_count(0)
    expect(handler.locator('[data-action="sign"]')).to_have_count(0)
    handler.goto("/c/alpha/suggestions/todo/")
    expect(handler.locator(".work-item", has_text=TITLE)).not_to_contain_text("待签收")
    shot(handler, "03-todo-after-signing")
