"""An anonymous visitor reads the public site on a phone (issue #14): home → list → filter by year
and category → search a word → open a suggestion and its reply → the figures → the feed link →
English. axe-core checks every page (no serious or critical violation); screenshots under
test-artifacts/screenshots/test_public_site/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from minyi.publication import actions as P
from tests.publication.conftest import SECRET, site  # noqa: F401 - fixtures
from tests.suggestions.conftest import loop  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_secret(page: Page) -> None:
    body = page.content()
    for secret in SECRET.values():
        assert secret not in body
    assert "张秀英" not in body and "13812345678" not in body


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


def test_an_anonymous_visitor_reads_the_public_site_on_a_phone(site, phone_page, shot, axe):  # noqa: F811
    P.do_publish_figures(site.w.congress, actor=site.w.clerk, year=2026)
    page = phone_page

    page.goto(f"/p/{site.code}/")
    expect(page.get_by_role("heading", name="代表建议和答复公开")).to_be_visible()
    _no_sideways_scroll(page)
    _no_secret(page)
    axe(page, "home")
    shot(page, "01-home")

    page.get_by_role("link", name="全部建议和答复").click()
    expect(page.get_by_role("heading", name="建议和答复", exact=True)).to_be_visible()
    expect(page.get_by_text("共 2 件")).to_be_visible()
    axe(page, "list")
    shot(page, "02-list")

    page.get_by_text("筛选条件").click()
    page.get_by_label("年度").select_option("2026")
    page.get_by_label("分类").select_option(label="教育")
    with page.expect_navigation():
        page.get_by_role("button", name="查看结果").click()
    expect(page.get_by_text("共 1 件")).to_be_visible()
    expect(page.get_by_role("link", name="关于增加学校周边停车位的建议")).to_be_visible()
    expect(page.get_by_role("link", name="关于修缮幸福路路灯的建议")).to_have_count(0)
    _no_sideways_scroll(page)
    axe(page, "list filtered")
    shot(page, "03-filtered")

    page.get_by_role("link", name="清除条件").click()
    page.get_by_label("搜索（案由、内容、答复）").fill(
        "修缮 路灯"
    )  # two words, apart and out of order in the title
    with page.expect_navigation():
        page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.get_by_text("共 1 件")).to_be_visible()
    axe(page, "search")
    shot(page, "04-search")

    page.get_by_role("link", name="关于修缮幸福路路灯的建议").click()
    expect(page.get_by_role("heading", level=1, name="关于修缮幸福路路灯的建议")).to_be_visible()
    expect(page.get_by_role("heading", name="甲区住房和城乡建设局的答复")).to_be_visible()
    expect(page.get_by_text("经研究，答复如下……")).to_be_visible()
    expect(page.get_by_text("代表测评：满意")).to_be_visible()
    expect(page.get_by_text("居民张某某（电话138******78）", exact=False)).to_be_visible()
    _no_secret(page)
    _no_sideways_scroll(page)
    axe(page, "detail")
    shot(page, "05-detail")

    page.get_by_role("link", name="办理统计").click()
    expect(page.get_by_text("统计截至 2026-03-17").first).to_be_visible()
    expect(page.get_by_role("table")).to_be_visible()
    _no_sideways_scroll(page)
    axe(page, "figures")
    shot(page, "06-figures")

    feed = page.get_by_role("link", name="订阅最新答复")
    expect(feed).to_have_attribute("href", f"/p/{site.code}/feed.atom")
    assert page.locator('link[rel=alternate][type="application/atom+xml"]').count() == 1

    for name, heading, label in (
        ("重点督办", "重点督办建议", "themes"),
        ("评选结果", "季度评选结果", "awards"),
    ):
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        axe(page, label)
    page.get_by_role("link", name="开放数据").click()
    expect(page.get_by_role("heading", name="数据字典")).to_be_visible()
    axe(page, "data")
    shot(page, "07-data")

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(rf"/p/{site.code}/data/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"/p/{site.code}/s/{site.lamp.pk}/")
    assert page.locator("html").get_attribute("lang") == "en"
    axe(page, "detail in English")
    shot(page, "08-detail-en")
