"""The statistics dashboard in a real browser: the congress clerk opens the overview of the
hand-counted year, clicks a bar of a chart and lands on the list of exactly the suggestions behind
it; the monthly replies bar opens its own list; on a phone the same numbers are cards and tables
whose links open the same lists; the charts draw without breaking the Content-Security-Policy.
Screenshots (overview, lists, phone, groups, bulletin, exports, history import) are saved under
test-artifacts/screenshots/test_dashboard/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.reports.conftest import Builder, make_taxa
from tests.reports.scenario import build_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERVIEW = "/c/alpha/reports/dashboard/?year=2025"


def _watch_csp(page: Page) -> list[str]:
    """Console errors and Content-Security-Policy violations of the page (the site has no favicon)."""
    problems: list[str] = []

    def on_console(message) -> None:
        if "favicon.ico" in (message.location or {}).get("url", ""):
            return
        if "Content Security Policy" in message.text or message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _click_bar(page: Page, chart: str, series: int, index: int) -> None:
    """Click the middle of one bar, where ECharts laid it out on its canvas."""
    el = page.locator(f'[data-chart="{chart}"]')
    expect(el).to_have_attribute("data-chart-ready", "1")
    el.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([chart, series, index]) => {
            const el = document.querySelector(`[data-chart="${chart}"]`);
            const bar = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(series).getData().getItemLayout(index);
            return [bar.x + bar.width / 2, bar.y + bar.height / 2];
        }""",
        [chart, series, index],
    )
    box = el.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)


def _total(page: Page) -> int:
    text = page.locator("text=/共 \\d+ 条/").first.inner_text()
    return int(re.search(r"共 (\d+) 条", text)[1])


def test_clicking_a_chart_segment_opens_its_list(world, browser_context, login, shot):
    build_year(Builder(world, make_taxa(world.congress)))
    page = browser_context().new_page()
    problems = _watch_csp(page)
    login(page, "clerk")
    page.goto(OVERVIEW)
    expect(page.get_by_role("heading", name="统计看板")).to_be_visible()
    for chart in ("monthly", "by_category", "by_channel", "by_body"):
        expect(page.locator(f'[data-chart="{chart}"]')).to_have_attribute("data-chart-ready", "1")
    expect(page.locator("#card-suggestions")).to_contain_text("6")
    expect(page.locator("#card-satisfaction_rate")).to_contain_text("100.0%")
    shot(page, "01-overview")

    # 教育 (the second category): S2 S3 S4 S5 S6
    _click_bar(page, "by_category", 0, 1)
    expect(page).to_have_url(re.compile(r"/reports/figure/suggestions/\?.*category=\d+"))
    expect(page.get_by_role("heading", name=re.compile("建议数（立案）"))).to_be_visible()
    assert _total(page) == 5
    expect(page.locator("table")).to_contain_text("S2")
    expect(page.locator("table")).not_to_contain_text("S1")
    shot(page, "02-category-list")

    # March's replies (series 1 of the monthly chart, month index 2): S1 and S3
    page.goto(OVERVIEW)
    _click_bar(page, "monthly", 1, 2)
    expect(page).to_have_url(re.compile(r"/reports/dashboard/list/\?.*segment=replied_month.*month=2025-03"))
    expect(page.get_by_role("heading", name=re.compile("当月答复的建议"))).to_be_visible()
    assert _total(page) == 2
    shot(page, "03-replies-in-march")
    assert not problems, "\n".join(problems)

    # the groups page and its chart
    page.goto("/c/alpha/reports/dashboard/groups/?year=2025")
    expect(page.locator("#groups-table")).to_be_visible()
    shot(page, "04-groups")


def test_a_phone_shows_cards_and_tables_that_open_the_same_lists(world, browser_context, login, shot):
    build_year(Builder(world, make_taxa(world.congress)))
    page = browser_context(phone=True).new_page()
    problems = _watch_csp(page)
    login(page, "supervisor")
    page.goto(OVERVIEW)
    expect(page.locator("#card-overdue")).to_be_visible()
    expect(page.locator('[data-chart="by_category"]')).to_be_hidden()  # no dense charts on phones
    table = page.locator("#table-by_category")
    expect(table).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "05-phone-overview")
    with page.expect_navigation():
        table.get_by_role("link", name="5").click()
    assert _total(page) == 5
    shot(page, "06-phone-list")
    assert not problems, "\n".join(problems)


def test_the_other_report_pages(world, browser_context, login, shot):
    build_year(Builder(world, make_taxa(world.congress)))
    page = browser_context().new_page()
    problems = _watch_csp(page)
    login(page, "admin")
    page.goto("/c/alpha/reports/bulletin/?year=2025&quarter=2")
    expect(page.get_by_role("heading", name="甲区2025年第2季度代表建议办理情况通报")).to_be_visible()
    shot(page, "07-bulletin")
    page.goto("/c/alpha/reports/exports/?year=2025")
    expect(page.get_by_role("button", name=re.compile("建议办理情况汇总表"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("建议办理情况汇总表")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto("/c/alpha/reports/exports/")
    expect(page.locator("#export-jobs")).to_contain_text("已完成")
    shot(page, "08-exports")
    page.goto("/c/alpha/reports/history/")
    expect(page.get_by_role("heading", name="历史数据导入")).to_be_visible()
    shot(page, "09-history")
    page.goto(f"/c/alpha/reports/dashboard/units/{world.unit_a.pk}/?year=2025")
    expect(page.locator('[data-chart="monthly"]')).to_have_attribute("data-chart-ready", "1")
    shot(page, "10-unit-dashboard")
    assert not problems, "\n".join(problems)
