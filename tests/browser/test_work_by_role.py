"""Every role reaches its work from the home page (issue #12), on a phone (390×844) and on a desktop
(1366×768): the home card lists each open section of the role's 待办 with its count and nearest due
date, and the counts equal the 待办 page's; a section's link (action 1) opens its list on the 待办
page, whose first item (action 2) opens the task itself; the roles whose work lives on pages of its
own (leaders and the inspection office: the supervision board; judges: the award rounds; liaison
clerks: the station's opinions; units: the opinions forwarded to them) reach it from a home card in
one action. Screenshots of each role's home on both sizes and of a task page are saved under
test-artifacts/screenshots/test_work_by_role/."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from minyi.accounts.models import Role
from minyi.awards import actions as AW
from minyi.intake import actions as IA
from minyi.points import actions as PA
from minyi.supervision import actions as SV
from tests.awards.conftest import new_round
from tests.factories import DeputyFactory, MembershipFactory, UserFactory
from tests.suggestions.conftest import Driver, make_taxa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
HOME = "/"


@pytest.fixture
def scene(daytime, world):
    """Work for every role: a submitted suggestion (clerk), a replied one (deputy), one assigned to
    unit A (its handler, with a leader's instruction the inspection office follows) and an accepted one in an award round being scored (judge); an open opinion
    at the liaison clerk's station and one forwarded to unit A; the standing-committee leader, also a
    deputy, expected to write one suggestion a month."""
    w = world
    taxa = make_taxa(w.congress)
    leader_b = UserFactory(username="leader_b", full_name="leader_b")
    MembershipFactory(user=leader_b, congress=w.congress, role=Role.UNIT_LEADER, unit=w.unit_b)
    drive = Driver(w, taxa, leader_b)
    drive.to("submitted")
    drive.to("replied")
    assigned = drive.to("assigned", direct=True)
    SV.do_record_instruction(
        assigned,
        actor=w.inspector,
        leader_name="李某某",
        instructed_on=datetime.date.today(),
        text="请抓紧解决。",
        due_on=datetime.date.today() + datetime.timedelta(days=20),
    )
    # the task force inspected unit A's handling and requires action: in the unit's 待办 until answered
    SV.do_add_task_force_member(w.congress, actor=w.admin, user=w.inspector)
    SV.do_record_inspection(
        assigned.assignments.get(unit=w.unit_a),
        actor=w.inspector,
        kind="surprise",
        inspected_on=datetime.date.today(),
        contacted="no",
        reply_real="unclear",
        solved="no",
        findings="承办单位尚未与代表联系。",
        required_action="三个工作日内联系代表并报告。",
        due_on=datetime.date.today() + datetime.timedelta(days=5),
    )
    nominee = drive.to("accepted", title="关于增设社区养老服务站的建议")
    r = new_round(w, min_scores=1)
    AW.do_open_nominations(r, actor=w.admin)
    AW.do_add_nominee(r, actor=w.admin, suggestion=nominee, reason="选题贴近民生")
    AW.do_assign_judge(r, actor=w.admin, judge=w.judge)
    AW.do_start_scoring(r, actor=w.admin)
    station = w.liaison.memberships.get().station
    deputy_row = w.deputy.deputy_records.get()
    IA.do_record_opinion(
        w.congress,
        actor=w.liaison,
        data=IA.OpinionInput(
            content="小区路灯坏了很久，晚上出行不安全。", station=station, deputy=deputy_row
        ),
    )
    forwarded = IA.do_record_opinion(
        w.congress,
        actor=w.liaison,
        data=IA.OpinionInput(content="菜市场门口占道经营，早高峰堵车。", station=station),
    )
    IA.do_forward_opinion(forwarded, actor=w.liaison, unit=w.unit_a, note="请核实处理")
    MembershipFactory(user=w.supervisor, congress=w.congress, role=Role.DEPUTY)
    leader_row = DeputyFactory(congress=w.congress, user=w.supervisor, name="常委会领导", number="A009")
    PA.do_set_expectation(
        w.congress,
        actor=w.admin,
        deputy=leader_row,
        per_month=1,
        start_month=datetime.date.today().replace(day=1),
    )
    return w


#: role → (username, [(home section key, URL the section's first item opens)], [main-work URLs])
ROLES = {
    "clerk": ("clerk", [("to_review", r"/suggestions/\d+/$")], []),
    "deputy": ("deputy", [("to_evaluate", r"/suggestions/\d+/replies/\d+/evaluate/")], []),
    "unit_handler": (
        "handler_a",
        [
            ("to_sign", r"/suggestions/\d+/#assignment-\d+"),
            ("forwarded_opinions", r"/intake/opinions/\d+/$"),
            ("inspections_to_answer", r"/supervision/inspections/\d+/$"),
        ],
        [r"/intake/forwarded/$"],
    ),
    "leader": ("supervisor", [("monthly_expectation", r"/suggestions/new/$")], [r"/supervision/$"]),
    "judge": ("judge", [("to_score", r"/awards/\d+/score/\d+/$")], [r"/awards/$"]),
    "liaison": ("liaison", [("station_opinions", r"/intake/opinions/\d+/$")], [r"/intake/opinions/$"]),
    "inspector": (
        "inspector",
        [("instructions", r"/supervision/instructions/\d+/$")],
        [r"/supervision/$", r"/supervision/instructions/$"],
    ),
}


def _home_counts(page: Page) -> dict[str, int]:
    rows = page.locator("[data-home-section]")
    return {
        rows.nth(i).get_attribute("data-home-section"): int(
            rows.nth(i).locator("[data-home-count]").get_attribute("data-home-count")
        )
        for i in range(rows.count())
    }


def _worklist_counts(page: Page) -> dict[str, int]:
    sections = page.locator("section[id^=todo-]:not([data-info-section])")
    out = {}
    for i in range(sections.count()):
        section = sections.nth(i)
        key = section.get_attribute("id").removeprefix("todo-")
        out[key] = int(section.locator(".card-header .badge").inner_text())
    return out


def _visit(page: Page, role: str, size: str, shot) -> None:
    username, sections, main = ROLES[role]
    page.goto(HOME)
    expect(page).to_have_url(re.compile(r"/c/alpha/$"))  # one congress: home is its page
    home = _home_counts(page)
    assert {key for key, _url in sections} <= set(home), home
    shot(page, f"{role}-{size}-home")
    # the counts on the home page equal the 待办 list
    page.goto("/c/alpha/suggestions/todo/")
    assert _worklist_counts(page) == home
    if size == "phone":
        shot(page, f"{role}-{size}-todo")
    if home:
        badge = page.locator("#nav-worklist [data-work-total]")
        assert int(badge.get_attribute("data-work-total")) == sum(home.values())
        if size == "phone":  # the menu is folded: the total shows on its button
            toggler = page.locator("button.navbar-toggler [data-toggler-work-total]")
            expect(toggler).to_be_visible()
            assert int(toggler.get_attribute("data-toggler-work-total")) == sum(home.values())
    for key, target in sections:
        page.goto(HOME)
        page.locator(f'[data-home-section="{key}"] a').click()  # action 1: the section
        expect(page).to_have_url(re.compile(rf"/suggestions/todo/#todo-{key}$"))
        section = page.locator(f"#todo-{key}")
        expect(section).to_be_visible()
        section.locator("a.btn").first.click()  # action 2: the task
        expect(page).to_have_url(re.compile(target))
        if size == "phone":
            shot(page, f"{role}-{size}-{key}")
    for target in main:
        page.goto(HOME)
        links = page.locator("a[data-main-work]")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        href = next(h for h in hrefs if re.search(target, h))
        page.locator(f'a[data-main-work][href="{href}"]').click()  # action 1: the main work
        expect(page).to_have_url(re.compile(target))


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_reaches_its_work_from_home(scene, browser_context, login, shot, role):
    phone = browser_context(phone=True).new_page()
    login(phone, ROLES[role][0])
    _visit(phone, role, "phone", shot)
    desktop = browser_context().new_page()
    desktop.set_viewport_size(DESKTOP)
    login(desktop, ROLES[role][0])
    _visit(desktop, role, "desktop", shot)
