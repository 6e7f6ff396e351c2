"""Unit routing on the assignment page (issue #15): the coordinator sees the suggested units with
their reasons above the pickers, takes the first as lead unit with one click, and assigns."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from minyi.congress.actions import do_update_unit
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Suggestion
from tests.factories import UnitFactory
from tests.suggestions.conftest import content, make_taxa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "关于加强校园周边交通安全的建议"


def test_the_coordinator_assigns_with_the_suggested_unit(world, page, login, shot):
    w = world
    do_update_unit(w.unit_a, actor=w.admin, changes={"duties": "房屋安全，物业管理，老旧小区改造"})
    do_update_unit(w.unit_b, actor=w.admin, changes={"duties": "义务教育，中小学校，招生入学，教师队伍"})
    police = UnitFactory(
        congress=w.congress,
        parent=w.gov,
        name="甲区公安分局",
        short_name="公安分局",
        duties="社会治安，道路交通安全管理，交通秩序，校园周边治安与护学岗，户籍管理",
    )
    taxa = make_taxa(w.congress)
    s = A.do_create_suggestion(
        w.congress,
        actor=w.deputy,
        content=content(taxa, title=TITLE, facts="上下学时段学校门口车辆混杂，学生过马路不安全。"),
    )
    s = A.do_submit_suggestion(s, actor=w.deputy)
    s = A.do_accept_suggestion(s, actor=w.clerk)
    s = A.do_forward_suggestion(s, actor=w.clerk, body=w.gov)

    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm question
    login(page, "gov")
    page.goto(f"/c/alpha/suggestions/{s.pk}/")
    with page.expect_navigation():
        page.locator('[data-action="assign"]').first.click()
    panel = page.locator(".routing-panel")
    expect(panel).to_be_visible()
    first = panel.locator(".routed-unit").first
    expect(first).to_contain_text(police.name)
    expect(first).to_contain_text("匹配词")
    shot(page, "01-assign-with-suggested-units")
    first.get_by_role("button", name="设为主办单位").click()
    expect(page.get_by_label("主办单位")).to_have_value(str(police.pk))
    shot(page, "02-suggested-unit-chosen")
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()
    expect(page.locator(".alert-success[role=alert]")).to_contain_text("已交办")
    lead = Assignment.objects.get(suggestion=s, role="lead")
    assert lead.unit_id == police.pk


def test_the_dashboard_shows_the_hot_topics_and_opens_their_lists(world, page, login, shot):
    """Hot topics (issue #15, part 4): the dashboard's bar chart of the year's most frequent words,
    drawn without breaking the CSP; its table's link opens the list of exactly those suggestions."""
    w = world
    taxa = make_taxa(w.congress)
    for title in (
        "关于维修路灯的建议",
        "关于增设路灯的建议",
        "关于老旧路灯改造的建议",
        "关于增加停车场的建议",
    ):
        s = A.do_create_suggestion(
            w.congress, actor=w.deputy, content=content(taxa, title=title, facts=title)
        )
        A.do_accept_suggestion(A.do_submit_suggestion(s, actor=w.deputy), actor=w.clerk)
    year = Suggestion.objects.filter(congress=w.congress).values_list("year", flat=True).first()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "clerk")
    page.goto(f"/c/alpha/reports/dashboard/?year={year}")
    chart = page.locator('[data-chart="topics"]')
    expect(chart).to_have_attribute("data-chart-ready", "1")
    chart.scroll_into_view_if_needed()
    shot(page, "03-dashboard-hot-topics")
    spec = page.evaluate("JSON.parse(document.getElementById('dashboard-charts').textContent)")
    topics = next(c for c in spec if c["id"] == "topics")
    assert topics["categories"][0] == "路灯"
    assert topics["series"][0]["data"][0]["value"] == 3
    page.goto(topics["series"][0]["data"][0]["url"])
    expect(page.locator("text=/共 3 条/").first).to_be_visible()
    assert not problems
