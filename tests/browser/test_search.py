"""Search and similar suggestions in the browser (issue #15): a deputy sees similar suggestions while
drafting; the top bar's search on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from minyi.suggestions import actions as A
from tests.browser.conftest import AXE
from tests.suggestions.conftest import content, make_taxa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_on(page, selectors: list[str], what: str) -> None:
    """axe-core's WCAG 2.0/2.1 A and AA rules on the parts of the page this feature adds (the
    signed-in frame around them — breadcrumbs, footer, menu button — has findings of its own, not
    this issue's): no serious or critical violation."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (include) => await axe.run({include: include.map((s) => [s])}, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })""",
        selectors,
    )
    grave = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not grave, (
        what + ": " + "; ".join(f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in grave)
    )


def test_a_deputy_sees_similar_suggestions_while_drafting(world, page, login, shot):
    w = world
    taxa = make_taxa(w.congress)
    earlier = A.do_create_suggestion(
        w.congress,
        actor=w.deputy,
        content=content(
            taxa,
            title="关于加快老旧小区加装电梯的建议",
            facts="我区老旧小区多为六层住宅，没有电梯，老年人上下楼困难。",
            proposals="简化加装电梯审批流程，加大财政补贴。",
        ),
    )
    A.do_submit_suggestion(earlier, actor=w.deputy)
    A.do_create_suggestion(
        w.congress,
        actor=w.deputy,
        content=content(taxa, title="关于整治河道污染的建议", facts="河水发臭，鱼虾死亡。"),
    )
    login(page, "deputy")
    page.goto("/c/alpha/suggestions/new/")
    page.get_by_label("案由").fill("关于既有住宅增设电梯的建议")
    page.get_by_label("情况与问题").fill("多层住宅没有电梯，老年人出行不便，加装电梯审批慢。")
    page.get_by_label("情况与问题").blur()
    panel = page.locator("#similar-draft .similar-panel")
    expect(panel).to_be_visible()
    hits = panel.locator(".similar-hit")
    expect(hits.first).to_contain_text("关于加快老旧小区加装电梯的建议")
    expect(hits).to_have_count(1)  # the river draft is not similar
    expect(hits.first.locator("mark").first).to_be_visible()
    shot(page, "01-drafting-with-similar-suggestions")
    axe_on(page, ["#similar-draft", "form .card-body"], "the drafting form with the similar suggestions")


def test_search_from_the_top_bar_on_a_phone(world, phone_page, login, shot):
    page = phone_page
    w = world
    taxa = make_taxa(w.congress)
    s = A.do_create_suggestion(
        w.congress,
        actor=w.deputy,
        content=content(taxa, title="关于老旧小区加装电梯的建议", facts="老旧小区没有电梯，老人上下楼难。"),
    )
    A.do_submit_suggestion(s, actor=w.deputy)
    login(page, "clerk")
    page.goto("/c/alpha/")
    page.get_by_role("button", name="展开菜单").click()
    box = page.get_by_label("检索建议、答复和社情民意")
    expect(box).to_be_visible()
    expect(page.locator("#mainnav.collapsing")).to_have_count(0)  # the menu has finished opening
    shot(page, "01-menu-with-search-box")
    box.fill("老旧小区电梯")
    with page.expect_navigation():
        box.press("Enter")
    results = page.locator("#search-results .search-hit")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("关于老旧小区加装电梯的建议")
    expect(results.first.locator("mark").first).to_have_text("老旧")  # 老旧 | 小区 | 电梯, each marked
    shot(page, "02-search-results-on-a-phone")
    axe_on(page, ["#main", ".top-search"], "the search results on a phone")
    with page.expect_navigation():
        results.first.get_by_role("link").click()
    expect(page).to_have_url(f"{page.url.split('/c/')[0]}/c/alpha/suggestions/{s.pk}/")
