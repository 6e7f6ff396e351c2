"""One suggestion through the whole loop, as the real roles on their own pages (desktop and phone):
the deputy drafts and submits with a co-signer, the clerk accepts and forwards, the coordinator
assigns a lead and a co-unit, both units sign, the lead unit logs a contact, the co-unit gives its
opinion, the handler drafts and the leader signs off; the deputy rates 不满意, the clerk orders
re-handling, the unit replies again, the deputy rates 满意 and the clerk closes.

Every step goes through the pages only (buttons, forms, confirmation dialogs); screenshots of each
role's view are saved under test-artifacts/screenshots/test_suggestion_loop/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from minyi.suggestions.models import Suggestion
from tests.suggestions.conftest import make_deputy, make_taxa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Roles:
    """One signed-in page per persona, created on first use (desktop unless `phone`)."""

    def __init__(self, browser_context, login) -> None:
        self.browser_context, self.login, self.pages = browser_context, login, {}

    def __call__(self, username: str, *, phone: bool = False) -> Page:
        key = (username, phone)
        if key not in self.pages:
            page = self.browser_context(phone=phone).new_page()
            page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
            self.login(page, username)
            self.pages[key] = page
        return self.pages[key]


def press(page: Page, action: str) -> None:
    """Click the button or link of `action` (a states-table action name) and wait for the page."""
    with page.expect_navigation():
        page.locator(f'[data-action="{action}"]').first.click()


def submit(page: Page) -> None:
    """Submit the step form (its button carries the action name) and wait for the result."""
    with page.expect_navigation():
        page.locator("form.step-form button[type=submit]").click()


def open_todo(page: Page, title: str) -> None:
    """From the 待办 page, open the first item about the suggestion `title`."""
    page.goto("/c/alpha/suggestions/todo/")
    with page.expect_navigation():
        page.locator(".work-item", has_text=title).first.locator("a.btn").click()


def expect_message(page: Page, text: str) -> None:
    expect(page.locator(".alert-success[role=alert]")).to_contain_text(text)


TITLE = "关于加快老旧小区加装电梯的建议"


def test_one_suggestion_through_the_whole_loop(world, browser_context, login, shot):
    taxa = make_taxa(world.congress)
    make_deputy(world.congress, "王晓明", number="A003")
    as_ = Roles(browser_context, login)

    # --- the deputy drafts (desktop) ------------------------------------------------------------
    deputy = as_("deputy")
    deputy.goto("/c/alpha/")
    with deputy.expect_navigation():
        deputy.locator("main").get_by_role("link", name="待办").first.click()
    shot(deputy, "01-deputy-empty-worklist")
    with deputy.expect_navigation():
        deputy.get_by_role("link", name="提出建议").click()
    deputy.get_by_label("案由").fill(TITLE)
    deputy.get_by_label("情况与问题").fill("辖区内多个老旧小区居民年龄偏大，上下楼困难，加装电梯进展缓慢。")
    deputy.get_by_label("具体建议").fill("一、简化审批流程；二、加大财政补贴；三、由街道牵头协调居民意见。")
    deputy.get_by_label("分类").select_option(label=taxa.category.name)
    deputy.get_by_label("收集渠道").select_option(label=taxa.channel.name)
    deputy.get_by_label(taxa.theme.name).check()
    shot(deputy, "02-deputy-draft-form")
    with deputy.expect_navigation():
        deputy.get_by_role("button", name="保存草稿").click()
    # the collected date is missing: the page says what is still needed before submitting
    expect_message(deputy, "已保存")
    expect(deputy.locator("main")).to_contain_text("提交前还需填写：民意收集日期")
    press(deputy, "edit")
    deputy.get_by_label("民意收集日期").fill("2026-01-05")
    with deputy.expect_navigation():
        deputy.get_by_role("button", name="保存草稿").click()
    suggestion = Suggestion.objects.get(title=TITLE)
    detail = f"/c/alpha/suggestions/{suggestion.pk}/"

    # --- invites a co-signer, who confirms on a phone -----------------------------------------
    press(deputy, "invite_cosigner")
    choices = deputy.locator("#choices")
    expect(choices).to_contain_text("王晓明")
    deputy.get_by_label("查找代表").fill("联名")  # the list narrows as one types (htmx), no reload
    expect(choices).not_to_contain_text("王晓明")
    assert "q=" not in deputy.url
    deputy.get_by_label(re.compile("联名代表.*A002")).check()
    shot(deputy, "03-deputy-invite-cosigner")
    submit(deputy)
    expect_message(deputy, "已邀请联名代表联名")

    cosigner = as_("cosigner", phone=True)
    open_todo(cosigner, TITLE)
    shot(cosigner, "04-cosigner-phone-invitation")
    press(cosigner, "confirm_cosign")
    expect_message(cosigner, "已确认联名")
    expect(cosigner.locator("#cosigners")).to_contain_text("已确认联名")

    # --- the deputy submits -------------------------------------------------------------------
    deputy.goto(detail)
    shot(deputy, "05-deputy-draft-detail")
    press(deputy, "submit")
    expect_message(deputy, "已提交")
    expect(deputy.locator("header")).to_contain_text("待审查")

    # --- the clerk accepts and forwards --------------------------------------------------------
    clerk = as_("clerk")
    open_todo(clerk, TITLE)
    shot(clerk, "06-clerk-review")
    press(clerk, "accept")
    submit(clerk)
    expect_message(clerk, "已立案，编号为 甲区〔")
    press(clerk, "forward")
    clerk.get_by_label(world.gov.name).check()
    shot(clerk, "07-clerk-forward")
    submit(clerk)
    expect_message(clerk, "已转交协调员")

    # --- the coordinator assigns a lead unit and a co-unit -------------------------------------
    coordinator = as_("gov")
    open_todo(coordinator, TITLE)
    press(coordinator, "assign")
    coordinator.get_by_label("主办（可加协办单位）").check()
    coordinator.get_by_label("主办单位").select_option(str(world.unit_a.pk))
    coordinator.locator("#id_co_units").get_by_label(world.unit_b.name).check()
    shot(coordinator, "08-coordinator-assign")
    submit(coordinator)
    expect_message(coordinator, "已交办")
    shot(coordinator, "09-coordinator-assigned-detail")

    # --- both units sign; the lead unit logs a contact; the co-unit gives its opinion -----------
    handler_a = as_("handler_a")
    open_todo(handler_a, TITLE)
    shot(handler_a, "10-handler-a-to-sign")
    press(handler_a, "sign")
    expect_message(handler_a, "已签收")

    handler_b = as_("handler_b", phone=True)
    open_todo(handler_b, TITLE)
    press(handler_b, "sign")
    expect_message(handler_b, "已签收")
    press(handler_b, "submit_opinion")
    handler_b.get_by_label("协办意见").fill("我局将配合做好周边学校上下学时段的施工安排。")
    shot(handler_b, "11-co-unit-phone-opinion")
    submit(handler_b)
    expect_message(handler_b, "协办意见已送主办单位")

    # --- the clerk urges the lead unit from the suggestion page (the co-unit has answered) -------
    clerk.goto(detail)
    lead_row = clerk.locator(".assignment", has_text=world.unit_a.name)
    expect(lead_row.get_by_role("link", name="催办")).to_be_visible()
    expect(
        clerk.locator(".assignment", has_text=world.unit_b.name).get_by_role("link", name="催办")
    ).to_have_count(0)
    shot(clerk, "11b-clerk-urge-buttons")
    with clerk.expect_navigation():
        lead_row.get_by_role("link", name="催办").click()
    clerk.get_by_label("催办意见").fill("请尽快联系代表并按期答复。")
    shot(clerk, "11c-clerk-urge-form")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="发出催办").click()
    expect_message(clerk, "已催办")

    press(handler_a, "log_contact")
    handler_a.get_by_label("办前").check()
    handler_a.get_by_label("联系方式").select_option(label="走访")
    handler_a.get_by_label("参加人员").fill("住建局王科长、领衔代表")
    handler_a.get_by_label("情况摘要").fill("上门听取代表对加装电梯的具体意见，介绍了补贴政策。")
    shot(handler_a, "12-handler-a-contact")
    submit(handler_a)
    expect_message(handler_a, "已登记联系情况")

    # the deputy confirms the contact on a phone, from the 待办 list
    deputy_phone = as_("deputy", phone=True)
    open_todo(deputy_phone, TITLE)
    press(deputy_phone, "confirm_contact")
    expect(deputy_phone.locator("main")).to_contain_text("上门听取代表对加装电梯的具体意见")
    submit(deputy_phone)
    expect_message(deputy_phone, "已确认联系情况")

    # --- the handler drafts the reply; the leader signs it off ---------------------------------
    press(handler_a, "draft_reply")
    handler_a.get_by_label(re.compile("^A ")).check()
    handler_a.get_by_label("答复内容").fill("经研究，我局已会同街道简化审批流程，年内完成首批十部电梯加装。")
    shot(handler_a, "13-handler-a-reply")
    submit(handler_a)
    expect_message(handler_a, "答复已保存")

    leader = as_("leader_a")
    open_todo(leader, TITLE)
    press(leader, "sign_off_reply")
    shot(leader, "14-leader-sign-off")
    submit(leader)
    expect_message(leader, "答复已签发")

    # --- the deputy rates 不满意 (phone) ----------------------------------------------------------
    open_todo(deputy_phone, TITLE)
    shot(deputy_phone, "15-deputy-phone-evaluate")
    for name in ("attitude", "result", "overall"):
        deputy_phone.locator(f"input[name={name}][value=unsatisfied]").check()
    deputy_phone.locator("input[name=contact_happened][value=yes]").check()
    submit(deputy_phone)
    # opinion is required for 不满意: the form says so and keeps the choices
    expect(deputy_phone.locator(".invalid-feedback")).to_contain_text("请填写意见和建议")
    expect(deputy_phone.locator("input[name=overall][value=unsatisfied]")).to_be_checked()
    shot(deputy_phone, "16-deputy-phone-evaluate-error")
    deputy_phone.get_by_label("意见和建议").fill("电梯加装进度仍然太慢，补贴标准偏低。")
    submit(deputy_phone)
    expect_message(deputy_phone, "测评已提交")

    # --- the clerk orders re-handling ----------------------------------------------------------
    open_todo(clerk, TITLE)
    shot(clerk, "17-clerk-after-unsatisfied")
    press(clerk, "order_rehandling")
    clerk.get_by_label("重新办理的要求").fill("请进一步研究提高补贴标准，并明确加装进度。")
    submit(clerk)
    expect_message(clerk, "已要求重新办理")

    # --- the units handle it again: sign, contact, opinion, reply, sign-off ---------------------
    open_todo(handler_a, TITLE)
    press(handler_a, "sign")
    open_todo(handler_b, TITLE)
    press(handler_b, "sign")
    press(handler_b, "submit_opinion")
    handler_b.get_by_label("协办意见").fill("同意主办单位的重新办理意见。")
    submit(handler_b)
    handler_a.goto(detail)
    press(handler_a, "log_contact")
    handler_a.get_by_label("办中").check()
    handler_a.get_by_label("联系方式").select_option(label="座谈")
    handler_a.get_by_label("参加人员").fill("住建局李局长、领衔代表、居民代表")
    handler_a.get_by_label("情况摘要").fill("召开座谈会，逐项回应代表意见。")
    submit(handler_a)
    press(handler_a, "draft_reply")
    handler_a.get_by_label(re.compile("^B ")).check()
    handler_a.get_by_label("答复内容").fill("经再次研究，补贴标准提高至每部二十万元，明年六月前完成三十部。")
    handler_a.locator("textarea[name=c-0-text]").fill("明年六月前完成三十部电梯加装")
    handler_a.locator("input[name=c-0-due_on]").fill("2027-06-30")
    shot(handler_a, "18-handler-a-second-reply")
    submit(handler_a)
    expect_message(handler_a, "答复已保存")
    open_todo(leader, TITLE)
    press(leader, "sign_off_reply")
    submit(leader)
    expect_message(leader, "答复已签发")

    # --- the deputy rates 满意; the clerk closes -------------------------------------------------
    open_todo(deputy_phone, TITLE)
    for name in ("attitude", "result", "overall"):
        deputy_phone.locator(f"input[name={name}][value=satisfied]").check()
    deputy_phone.locator("input[name=contact_happened][value=yes]").check()
    submit(deputy_phone)
    expect_message(deputy_phone, "测评已提交")

    open_todo(clerk, TITLE)
    press(clerk, "close")
    shot(clerk, "19-clerk-close")
    submit(clerk)
    expect_message(clerk, "建议已办结")
    shot(clerk, "20-clerk-closed-detail")

    suggestion.refresh_from_db()
    assert suggestion.state == "closed" and suggestion.round == 2

    # Every role sees the finished case: the deputy (phone) with both rounds' evaluations and the
    # commitment on the ledger, the unit with its own work.
    deputy_phone.goto(detail)
    expect(deputy_phone.locator("#evaluations")).to_contain_text("第1轮测评")
    expect(deputy_phone.locator("#evaluations")).to_contain_text("第2轮测评")
    expect(deputy_phone.locator("#commitments")).to_contain_text("明年六月前完成三十部电梯加装")
    shot(deputy_phone, "21-deputy-phone-closed")
    handler_a.goto(detail)
    shot(handler_a, "22-handler-a-closed")
    # the lists on a phone
    clerk_phone = as_("clerk", phone=True)
    clerk_phone.goto("/c/alpha/suggestions/")
    expect(clerk_phone.locator("main")).to_contain_text(TITLE)
    shot(clerk_phone, "24-clerk-phone-list")
    handler_phone = as_("handler_a", phone=True)
    handler_phone.goto("/c/alpha/suggestions/todo/")
    expect(handler_phone.locator("#todo-commitments")).to_contain_text("明年六月前完成三十部电梯加装")
    shot(handler_phone, "25-handler-phone-worklist")
    # the printable reply letter
    with deputy.expect_navigation():
        deputy.goto(detail)
    letter = deputy.locator("#replies a", has_text="答复函").last
    with deputy.expect_navigation():
        letter.click()
    expect(deputy.locator("article.letter")).to_contain_text("领衔代表代表及联名代表联名代表")
    shot(deputy, "23-reply-letter")
