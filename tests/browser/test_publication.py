"""The clerk's publication in a real browser (issue #14): a handling unit asks on a phone not to
publish one suggestion; the clerk finds both suggestions in 待办, refuses the unit's request with a
note, reviews the other suggestion with the residents' data marked, tries to put a name back (told
which), publishes, and opens the public page, where the masked text shows and the name does not.
Screenshots under test-artifacts/screenshots/test_publication/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from minyi.publication.models import Publication
from tests.suggestions.conftest import Driver, make_taxa

from .test_suggestion_loop import Roles, expect_message, open_todo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FACTS = "居民张秀英（电话13812345678）反映，幸福路12号3栋502室楼下的路灯坏了两个月。"
TITLE = "关于修复幸福路路灯的建议"
OTHER = "关于规范农贸市场摊位管理的建议"


def test_clerk_reviews_masks_and_publishes(daytime, world, browser_context, login, shot):
    drive = Driver(world, make_taxa(world.congress), None)
    lamp = drive.to("closed", title=TITLE, facts=FACTS)
    market = drive.to("closed", title=OTHER)
    roles = Roles(browser_context, login)

    unit = roles("handler_a", phone=True)
    unit.goto(f"/c/alpha/suggestions/{market.pk}/")
    with unit.expect_navigation():
        unit.get_by_role("link", name="申请不予公开").click()
    unit.get_by_label("理由类别").select_option("personal")
    unit.get_by_label("具体理由").fill("答复中有当事人家庭情况。")
    shot(unit, "01-unit-asks-on-phone")
    with unit.expect_navigation():
        unit.get_by_role("button", name="提交申请").click()
    expect_message(unit, "已提交不予公开申请")

    clerk = roles("clerk")
    clerk.goto("/c/alpha/suggestions/todo/")
    expect(clerk.locator(".work-item", has_text=TITLE)).to_contain_text("待公开审定")
    expect(clerk.locator(".work-item", has_text=OTHER).first).to_contain_text("申请不予公开")
    shot(clerk, "02-clerk-todo")
    open_todo(clerk, OTHER)
    request = clerk.locator("#requests")
    request.get_by_label("不同意，予以公开").check()
    request.get_by_label("审定意见").fill("答复已遮盖个人信息，可以公开。")
    with clerk.expect_navigation():
        request.get_by_role("button", name="提交审定").click()
    expect_message(clerk, "已不同意申请")

    open_todo(clerk, TITLE)
    expect(clerk.locator("mark.finding", has_text="张秀英")).to_be_visible()
    facts = clerk.get_by_label("将要公开的文本").nth(1)
    expect(facts).to_have_value("居民张某某（电话138******78）反映，幸福路**号*栋***室楼下的路灯坏了两个月。")
    shot(clerk, "03-review-findings")
    facts.fill(FACTS)  # put the resident back: refused, and told what
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="确认公开").click()
    expect(clerk.locator(".invalid-feedback")).to_contain_text("张秀英")
    assert not Publication.objects.filter(suggestion=lamp).exists()
    shot(clerk, "04-refused")
    clerk.get_by_label("将要公开的文本").nth(1).fill("居民张某某反映，幸福路楼下的路灯坏了两个月。")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="确认公开").click()
    expect_message(clerk, "已公开")
    expect(clerk.locator("#publication-state")).to_contain_text("已公开")
    shot(clerk, "05-published")

    public = browser_context(phone=True).new_page()  # nobody signed in
    public.goto(f"/p/alpha/s/{Publication.objects.get(suggestion=lamp).pk}/")
    expect(public.get_by_text("居民张某某反映")).to_be_visible()
    expect(public.locator("body")).not_to_contain_text("张秀英")
    expect(public.locator("body")).not_to_contain_text("13812345678")
    shot(public, "06-public-page")
