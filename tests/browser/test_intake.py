"""From the grassroots to the reply and back, on the real pages: the liaison clerk records a
局长·代表面对面 event and, on a phone, a voter's opinion there (with the constituent's name and
phone); the deputy adopts it as a suggestion and submits it the same day; the clerk accepts and
forwards it, the coordinator assigns unit A, the handler signs, logs a contact and drafts the reply,
the leader signs it off; the liaison clerk tells the constituent the outcome by SMS — once.

Nobody but the station's clerk and the deputy sees the phone number on the way. Screenshots of each
role's view are saved under test-artifacts/screenshots/test_intake/."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from minyi.congress.models import Channel, Policy
from minyi.intake.models import Opinion, OutcomeNotice
from minyi.suggestions.models import Suggestion
from tests.intake.sms_backend import RecordingSmsBackend
from tests.suggestions.conftest import make_taxa

from .test_suggestion_loop import Roles, expect_message, open_todo, press, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"
NAME = "赵女士"
CONCERN = "人民路老旧小区的路灯坏了两个多月，晚上老人出门很不安全，希望尽快修好并定期检修。"
TITLE = "关于尽快修复人民路老旧小区路灯的建议"


def test_an_opinion_from_a_face_to_face_event_goes_through_the_loop_and_back(
    world, browser_context, login, shot, settings
):
    settings.MINYI_SMS_BACKEND = "tests.intake.sms_backend.RecordingSmsBackend"
    RecordingSmsBackend.sent, RecordingSmsBackend.fail = [], 0
    Policy.objects.update(quiet_hours_start=datetime.time(0, 0), quiet_hours_end=datetime.time(0, 0))
    taxa = make_taxa(world.congress)
    face = Channel.objects.create(congress=world.congress, name="局长·代表面对面", grassroots=True, order=5)
    as_ = Roles(browser_context, login)

    # --- the liaison clerk records the event (desktop) -----------------------------------------
    liaison = as_("liaison")
    liaison.goto("/c/alpha/intake/")
    shot(liaison, "01-liaison-stations")
    with liaison.expect_navigation():
        liaison.get_by_role("link", name="甲区第一联络站").click()
    press(liaison, "record_event")
    liaison.get_by_label("活动类型").select_option(label="局长·代表面对面")
    liaison.get_by_label("活动主题").fill("局长·代表面对面：老旧小区安全隐患")
    liaison.locator("[data-picker-filter]").fill("领衔")  # the participants picker (issue #12)
    liaison.get_by_label("领衔代表（A001）").check()
    liaison.get_by_label("出席的有关部门负责人").fill("区住建局局长 王某某")
    shot(liaison, "02-liaison-event-form")
    with liaison.expect_navigation():
        liaison.get_by_role("button", name="保存").click()
    expect_message(liaison, "活动已登记")
    event_url = liaison.url

    # --- …and, on a phone at the event, the voter's opinion -----------------------------------
    phone = as_("liaison", phone=True)
    phone.goto(event_url)
    shot(phone, "03-liaison-phone-event")
    press(phone, "record")
    expect(phone.get_by_label("收集日期")).to_have_value(datetime.date.today().isoformat())
    phone.get_by_label("意见内容").fill(CONCERN)
    phone.get_by_label("分类").select_option(label=taxa.category.name)
    phone.get_by_label("反映人姓名").fill(NAME)
    phone.get_by_label("反映人电话").fill("1391234")
    phone.get_by_label("负责代表").select_option(label="领衔代表（A001）")
    with phone.expect_navigation():
        phone.get_by_role("button", name="登记").click()
    # a wrong phone number: the form says so next to the field and keeps what was typed
    expect(phone.locator(".invalid-feedback")).to_contain_text("请填写11位手机号码")
    expect(phone.get_by_label("意见内容")).to_have_value(CONCERN)
    shot(phone, "04-liaison-phone-opinion-error")
    phone.get_by_label("反映人电话").fill(PHONE)
    shot(phone, "05-liaison-phone-opinion-form")
    with phone.expect_navigation():
        phone.get_by_role("button", name="登记").click()
    expect_message(phone, "社情民意已登记")
    expect(phone.locator("#contact")).to_contain_text(PHONE)
    shot(phone, "06-liaison-phone-opinion-recorded")
    opinion = Opinion.objects.get()
    assert opinion.event.kind == "face_to_face" and opinion.constituent_phone == PHONE

    # --- the deputy adopts it and submits the suggestion the same day -------------------------
    deputy = as_("deputy")
    deputy.goto("/c/alpha/intake/mine/")
    shot(deputy, "07-deputy-my-opinions")
    with deputy.expect_navigation():
        deputy.locator(f'tr[data-opinion="{opinion.pk}"] a').first.click()
    expect(deputy.locator("#contact")).to_contain_text(PHONE)  # the deputy may see who raised it
    press(deputy, "adopt")
    expect(deputy.get_by_label("收集渠道")).to_have_value(str(face.pk))  # from the event kind
    deputy.get_by_label("案由").fill(TITLE)
    deputy.get_by_label("具体建议").fill("一、立即修复损坏路灯；二、建立路灯定期巡检制度。")
    shot(deputy, "08-deputy-adopt")
    submit(deputy)
    expect_message(deputy, "已形成建议草稿")
    suggestion = Suggestion.objects.get(title=TITLE)
    assert suggestion.channel == face and suggestion.collected_on == opinion.collected_on
    shot(deputy, "09-deputy-draft-from-opinion")
    press(deputy, "submit")
    expect_message(deputy, "已提交")

    # --- the clerk accepts and forwards; the clerk never sees the phone ------------------------
    clerk = as_("clerk")
    open_todo(clerk, TITLE)
    assert PHONE not in clerk.content() and NAME not in clerk.content()
    press(clerk, "accept")
    submit(clerk)
    press(clerk, "forward")
    clerk.get_by_label(world.gov.name).check()
    submit(clerk)
    expect_message(clerk, "已转交协调员")
    clerk.goto(f"/c/alpha/intake/opinions/{opinion.pk}/")
    expect(clerk.locator("main")).to_contain_text("反映人留有联系方式，仅本站联络站工作人员和负责代表可见")
    assert PHONE not in clerk.content()
    shot(clerk, "10-clerk-sees-the-opinion-without-contact")

    # --- the coordinator assigns unit A; the unit handles and the leader signs off -------------
    coordinator = as_("gov")
    open_todo(coordinator, TITLE)
    press(coordinator, "assign")
    coordinator.get_by_label("主办（可加协办单位）").check()
    coordinator.get_by_label("主办单位").select_option(str(world.unit_a.pk))
    submit(coordinator)
    expect_message(coordinator, "已交办")

    handler = as_("handler_a")
    open_todo(handler, TITLE)
    press(handler, "sign")
    expect_message(handler, "已签收")
    press(handler, "log_contact")
    handler.get_by_label("办前").check()
    handler.get_by_label("联系方式").select_option(label="走访")
    handler.get_by_label("参加人员").fill("住建局王科长、领衔代表")
    handler.get_by_label("情况摘要").fill("与代表一起现场查看路灯损坏情况。")
    submit(handler)
    expect_message(handler, "已登记联系情况")
    press(handler, "draft_reply")
    handler.get_by_label("A 已解决或基本解决").check()
    handler.get_by_label("答复内容").fill("已于本周更换损坏路灯12盏，并建立每月巡检制度。")
    submit(handler)
    expect_message(handler, "答复已保存")
    assert PHONE not in handler.content() and NAME not in handler.content()
    shot(handler, "11-handler-reply-without-contact")

    leader = as_("leader_a")
    open_todo(leader, TITLE)
    press(leader, "sign_off_reply")
    submit(leader)
    expect_message(leader, "答复已签发")

    # --- the liaison clerk tells the constituent (phone) ---------------------------------------
    phone.goto(f"/c/alpha/intake/opinions/{opinion.pk}/")
    expect(phone.locator("main")).to_contain_text("可以告知反映人的结果")
    shot(phone, "12-liaison-phone-outcome")
    press(phone, "notify")
    expect(phone.get_by_label("短信内容")).to_have_value(re.compile("更换损坏路灯12盏"))
    shot(phone, "13-liaison-phone-notify")
    submit(phone)
    expect_message(phone, "短信已提交发送")
    # two messages on the page: the tracking code sent when the opinion was recorded (issue #14), then this one
    expect(phone.locator(".outcome-notice")).to_have_count(2)
    expect(phone.locator(".outcome-notice").last).to_contain_text("已发送")
    shot(phone, "14-liaison-phone-notified")
    notice = OutcomeNotice.objects.exclude(key__endswith=":tracking").get()
    assert notice.status == "sent"
    assert [text for _phone, text in RecordingSmsBackend.codes][-1:] == [
        OutcomeNotice.objects.get(key__endswith=":tracking").text
    ]
    assert RecordingSmsBackend.sent == [(PHONE, notice.text)]
    assert suggestion.number or Suggestion.objects.get(pk=suggestion.pk).number in notice.text

    # the constituent is told once: the step is not offered again, and asking for it is refused
    expect(phone.locator('[data-action="notify"]')).to_have_count(0)
    phone.goto(f"/c/alpha/intake/opinions/{opinion.pk}/notify/")
    expect(phone.locator(".alert-danger")).to_contain_text("已就这一结果告知过反映人")
    assert len(RecordingSmsBackend.sent) == 1

    # the station page shows what became of the opinion
    liaison.goto(event_url)
    expect(liaison.locator(f'tr[data-opinion="{opinion.pk}"]')).to_contain_text("已形成建议")
    shot(liaison, "15-liaison-event-with-outcome")
    deputy.goto(f"/c/alpha/suggestions/{suggestion.pk}/")
    assert PHONE not in deputy.content()
    _no_console_errors(deputy)


def _no_console_errors(page: Page) -> None:
    """The pages load without CSP violations or script errors."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.reload()
    assert errors == []
