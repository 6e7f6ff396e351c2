"""Awards and points on the real pages: a judge scores a round on a phone (a judge who must abstain
sees why and gets no form); a deputy objects to an entry of their record on a phone and the clerk
decides it. Screenshots under test-artifacts/screenshots/test_awards_points/."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from minyi.awards import actions as AA
from minyi.awards.models import Score
from minyi.congress.models import Deputy, LiaisonStation
from minyi.intake import actions as IA
from minyi.points import actions as P
from minyi.points.models import LedgerEntry, Objection
from tests.factories import MembershipFactory, UserFactory
from tests.suggestions.conftest import Driver, make_taxa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser_context, login, username: str, *, phone: bool = False) -> Page:
    page = browser_context(phone=phone).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    login(page, username)
    return page


def go(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.locator("main")).to_be_visible()


def click(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_a_judge_scores_a_round(world, browser_context, login, shot):
    w = world
    taxa = make_taxa(w.congress)
    leader_b = UserFactory(username="leader_b")
    MembershipFactory(user=leader_b, congress=w.congress, role="unit_leader", unit=w.unit_b)
    s = Driver(w, taxa, leader_b).to("closed")
    judges = [w.judge]
    for name in ("judge2", "judge3"):
        user = UserFactory(username=name, full_name=f"评审{name[-1]}")
        MembershipFactory(user=user, congress=w.congress, role="judge")
        judges.append(user)
    MembershipFactory(user=w.deputy, congress=w.congress, role="judge")  # the lead deputy is also a judge
    today = timezone.localdate()
    r = AA.do_create_round(
        w.congress,
        actor=w.admin,
        year=today.year,
        quarter=(today.month - 1) // 3 + 1,
        scoring_deadline=timezone.now() + datetime.timedelta(days=7),
    )
    AA.do_open_nominations(r, actor=w.admin)
    for j in [*judges, w.deputy]:
        AA.do_assign_judge(r, actor=w.admin, judge=j)
    AA.do_start_scoring(r, actor=w.admin)

    admin = signed_in(browser_context, login, "admin")
    go(admin, f"/c/alpha/awards/{r.pk}/")
    expect(admin.locator(".nominee-table")).to_contain_text(s.title)
    expect(admin.locator(".nominee-table")).to_contain_text("领衔代表")  # the judge who must abstain
    shot(admin, "01-admin-round-scoring")

    judge = signed_in(browser_context, login, "judge", phone=True)
    go(judge, "/c/alpha/awards/")
    click(judge, judge.get_by_role("link", name="去评分"))
    expect(judge.locator(".nominee-card")).to_contain_text("待评分")
    shot(judge, "02-judge-list")
    click(judge, judge.locator(".nominee-card a.btn").first)
    inputs = judge.locator("form.score-form input[type=number]")
    expect(inputs).to_have_count(3)
    inputs.nth(0).fill("101")
    inputs.nth(1).fill("88")
    click(judge, judge.locator("form.score-form button[type=submit]"))
    expect(judge.locator("form.score-form")).to_contain_text("不能大于100")
    shot(judge, "03-judge-form-errors")
    for i, value in enumerate(["92", "88", "95"]):
        inputs.nth(i).fill(value)
    click(judge, judge.locator("form.score-form button[type=submit]"))
    expect(judge.locator(".alert-success")).to_contain_text("已保存")
    expect(judge.locator(".nominee-card")).to_contain_text("已评分")
    shot(judge, "04-judge-scored")
    assert sorted(Score.objects.filter(judge=w.judge).values_list("value", flat=True)) == [88, 92, 95]

    conflicted = signed_in(browser_context, login, "deputy", phone=True)
    go(conflicted, f"/c/alpha/awards/{r.pk}/score/")
    expect(conflicted.locator(".nominee-card")).to_contain_text("回避")
    go(conflicted, f"/c/alpha/awards/{r.pk}/score/{r.nominees.get().pk}/")
    expect(conflicted.locator(".alert-warning")).to_contain_text("您应当回避")
    expect(conflicted.locator("form.score-form")).to_have_count(0)
    shot(conflicted, "05-conflicted-judge")


def test_a_deputy_objects_and_the_clerk_decides(daytime, world, browser_context, login, shot):
    # The event two days ago and the ledger of "this year" must be in the same year: a pinned day.
    w = world
    d = Deputy.objects.get(user=w.deputy)
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    IA.do_record_event(
        station,
        actor=w.liaison,
        data=IA.EventInput(
            kind="face_to_face",
            date=timezone.localdate() - datetime.timedelta(days=2),
            title="局长·代表面对面",
            deputies=[d],
        ),
    )
    P.sync_ledger(w.congress, timezone.localdate().year)
    entry = LedgerEntry.objects.get(deputy=d)

    deputy = signed_in(browser_context, login, "deputy", phone=True)
    go(deputy, "/c/alpha/points/me/")
    expect(deputy.locator(".entry-table")).to_contain_text("局长·代表面对面")
    shot(deputy, "01-deputy-record")
    click(deputy, deputy.locator('[data-action="object"]').first)
    click(deputy, deputy.get_by_role("button", name="提交异议"))
    expect(deputy.locator("main form")).to_contain_text("请写明异议理由")
    deputy.get_by_label("异议理由").fill("当天我在外地参加培训，没有参加这次活动。")
    click(deputy, deputy.get_by_role("button", name="提交异议"))
    expect(deputy.locator(".alert-success")).to_contain_text("异议已提交")
    expect(deputy.locator(f"#entry-{entry.pk}")).to_contain_text("待处理")
    shot(deputy, "02-deputy-objected")

    clerk = signed_in(browser_context, login, "clerk")
    go(clerk, "/c/alpha/points/objections/")
    expect(clerk.locator("main")).to_contain_text("当天我在外地参加培训")
    shot(clerk, "03-clerk-objections")
    click(clerk, clerk.locator('[data-action="decide"]').first)
    clerk.get_by_label("更正积分").check()
    clerk.get_by_label("更正后积分").fill("0")
    clerk.get_by_label("处理理由").fill("经核实签到表，该代表未参加本次活动。")
    shot(clerk, "04-clerk-decides")
    click(clerk, clerk.get_by_role("button", name="提交处理结果"))
    expect(clerk.locator(".alert-success")).to_contain_text("异议已处理")

    objection = Objection.objects.get()
    assert (objection.state, objection.corrected_points, objection.decided_by) == ("corrected", 0, w.clerk)
    entry.refresh_from_db()
    assert (entry.points, entry.adjustment) == (0, "corrected")
    go(deputy, "/c/alpha/points/me/")
    expect(deputy.locator(f"#entry-{entry.pk}")).to_contain_text("已更正")
    shot(deputy, "05-deputy-sees-decision")
    click(deputy, deputy.locator(f"#entry-{entry.pk} a.badge"))
    expect(deputy.locator("main")).to_contain_text("经核实签到表")
    shot(deputy, "06-deputy-decision-detail")
