"""The supervision board (督办看板) and a key theme page in a real browser, on a desktop and on a
phone: a supervisor sees red and yellow items of the demo set as of today, drills down to a unit and
to how a due date was computed, and opens a key theme with its progress colour and records."""

from __future__ import annotations

import io
import random
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from minyi.accounts.models import Role
from minyi.supervision.demo import seed_demo_supervision
from minyi.supervision.models import KeyTheme
from tests.factories import MembershipFactory, UserFactory
from tests.suggestions.test_demo import demo_congress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    # A transactional test starts from flushed tables: put the official calendar back first.
    call_command("seed_calendar", "--years", "2025-2026", stdout=io.StringIO())
    congress = demo_congress()
    for username, role in [
        ("admin", Role.CONGRESS_ADMIN),
        ("supervisor", Role.SUPERVISOR),
        ("inspector", Role.INSPECTOR),
        ("viewer", Role.VIEWER),
    ]:
        MembershipFactory(
            user=UserFactory(username=username, full_name=username), congress=congress, role=role
        )
    seed_demo_supervision(congress, rng=random.Random(2026))
    return congress


def test_the_board_shows_red_and_yellow_items_and_a_theme_page(demo, any_page, login, shot):
    page = any_page
    login(page, "supervisor")
    page.goto("/c/demo/supervision/")
    expect(page.locator("h1")).to_have_text("督办看板")
    red = page.locator("#red-list tr[data-colour='red']")
    yellow = page.locator("#yellow-list tr[data-colour='yellow']")
    expect(red.first).to_be_visible()
    expect(yellow.first).to_be_visible()
    assert int(page.locator("[data-count='red']").inner_text()) == red.count() >= 3
    assert int(page.locator("[data-count='yellow']").inner_text()) == yellow.count() >= 2
    expect(page.locator("#red-list")).to_contain_text("已逾期")
    expect(page.locator("#yellow-list")).to_contain_text(re.compile("还剩|今天到期"))
    expect(page.locator("#bodies-h")).to_be_visible()
    shot(page, "board")

    # Drill down: the unit with the most red items, then how one due date was computed.
    page.locator("#units-h").locator("xpath=..").locator("tbody tr a").first.click()
    expect(page.locator(".alert-info")).to_contain_text("正在查看")
    shot(page, "board-unit")
    page.locator("#red-list tr[data-colour='red'] td a[title]").first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("到期日期是怎样算出来的")
    expect(page.locator("[data-field='rule']")).not_to_be_empty()
    shot(page, "deadline")

    # The key themes and one theme's page.
    page.goto("/c/demo/supervision/themes/")
    cards = page.locator("[data-theme]")
    expect(cards).to_have_count(10)  # the ten key themes of the district
    shot(page, "themes")
    theme = KeyTheme.objects.get(congress=demo, name="物业管理")
    page.locator(f"[data-theme='{theme.pk}']").click()
    expect(page.locator("h1")).to_contain_text("物业管理")
    expect(page.locator("#theme-colour")).to_have_attribute("data-colour", re.compile("red|yellow"))
    expect(page.locator("#records-h")).to_be_visible()
    expect(page.locator("[data-record]").first).to_contain_text("实地视察")
    expect(page.locator("tr[data-suggestion]").first).to_be_visible()
    shot(page, "theme")


def test_a_deputy_does_not_see_the_board(demo, page, login):
    login(page, "deputy1")
    expect(page.locator("nav")).not_to_contain_text("督办")
    response = page.goto("/c/demo/supervision/")
    assert response is not None and response.status == 404
