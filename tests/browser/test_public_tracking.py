"""A resident follows their opinion on a phone, without an account (issue #14): the station recorded
the opinion (with the resident's phone) and forwarded it, the unit answered and the station sent
the resident the answer; the resident opens /p/alpha/track/, mistypes the code, then types the code
of the slip and the last 4 digits of the phone and sees the progress with the station's answer —
and not their name, phone or words. axe-core checks the form, the error and the result; screenshots
under test-artifacts/screenshots/test_public_tracking/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from minyi.intake import actions as A
from minyi.intake.models import Opinion
from tests.intake.sms_backend import RecordingSmsBackend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"
NAME = "赵女士"
CONCERN = "人民路老旧小区的路灯坏了两个多月，晚上老人出门很不安全，希望尽快修好并定期检修。"
ANSWER = "区住建局已于本周更换人民路小区路灯12盏，并纳入每月巡查。"


def _answered_opinion(world) -> Opinion:
    """Recorded, forwarded, answered by unit A and the answer sent to the resident — real actions
    (the messages go to the recording gateway; whether they leave now or after quiet hours does not
    matter here: the page shows the text the station approved either way)."""
    opinion = A.do_record_opinion(
        world.congress,
        actor=world.liaison,
        data=A.OpinionInput(
            content=CONCERN,
            station=world.liaison.memberships.get().station,
            constituent_name=NAME,
            constituent_phone=PHONE,
        ),
    )
    A.do_forward_opinion(opinion, actor=world.liaison, unit=world.unit_a, note="请尽快核实")
    A.do_answer_forwarded_opinion(opinion, actor=world.handler_a, answer="单位内部答复：已派人维修。")
    A.do_notify_constituent_of_outcome(opinion, actor=world.liaison, text=f"【民意】您好！{ANSWER}")
    opinion.refresh_from_db()
    return opinion


def _ask(page: Page, code: str, last4: str) -> None:
    page.get_by_label("查询码").fill(code)
    page.get_by_label("手机号后四位").fill(last4)
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()


def test_a_resident_follows_their_opinion_on_a_phone(world, phone_page, shot, axe, settings):
    settings.MINYI_SMS_BACKEND = "tests.intake.sms_backend.RecordingSmsBackend"
    RecordingSmsBackend.sent, RecordingSmsBackend.fail = [], 0
    opinion = _answered_opinion(world)
    page = phone_page

    page.goto("/p/alpha/track/")
    expect(page.get_by_role("heading", name="查询我的意见")).to_be_visible()
    axe(page, "the tracking form")
    shot(page, "01-form")

    _ask(page, "ABCD-2345" if opinion.tracking_code != "ABCD2345" else "ABCD-2346", PHONE[-4:])
    expect(page.locator("#track-not-found")).to_have_text("没有找到，请核对查询码和手机号后四位")
    axe(page, "the not-found answer")
    shot(page, "02-not-found")

    _ask(page, "ABC", "12")
    expect(page.get_by_text("查询码是8位字母和数字")).to_be_visible()
    expect(page.get_by_text("请填写4位数字")).to_be_visible()
    axe(page, "the form with errors")
    shot(page, "03-bad-input")

    _ask(page, opinion.tracking_display.lower(), PHONE[-4:])
    result = page.locator("#track-result")
    expect(result).to_be_visible()
    expect(result.locator("[data-step=received]")).to_contain_text("已收到")
    expect(result.locator("[data-step=forwarded]")).to_contain_text(world.unit_a.name)
    expect(result.locator("[data-step=answered]")).to_contain_text(ANSWER)
    html = page.content()
    for secret in (NAME, PHONE, CONCERN[:8], "请尽快核实", "单位内部答复"):
        assert secret not in html, secret
    axe(page, "the progress")
    shot(page, "04-progress")


def test_the_station_prints_the_slip(world, page, login, shot, settings):
    settings.MINYI_SMS_BACKEND = "tests.intake.sms_backend.RecordingSmsBackend"
    RecordingSmsBackend.sent, RecordingSmsBackend.fail = [], 0
    opinion = _answered_opinion(world)
    login(page, "liaison")
    page.goto(f"/c/alpha/intake/opinions/{opinion.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="打印回执").click()
    expect(page.locator(".slip-code")).to_have_text(opinion.tracking_display)
    expect(page.locator(".slip")).to_contain_text("/p/alpha/track/")
    html = page.content()
    assert NAME not in html and PHONE not in html
    shot(page, "05-slip")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印回执")).to_be_hidden()
    shot(page, "06-slip-print")
