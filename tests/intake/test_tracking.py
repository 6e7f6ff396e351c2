"""Residents follow their opinion (issue #14): the tracking code given when the opinion is recorded
(by SMS after commit, outside quiet hours, and on the printed slip), the progress the public page
shows for the code and the phone's last 4 digits — and nothing else — and the throttle on guesses.

Every test pins "now": `daytime` (through `sms`) or `time_machine`, since the SMS, the dates and
the throttle's window depend on it."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.core.errors import ValidationFailed
from minyi.intake import actions as A
from minyi.intake.models import TRACKING_ALPHABET, Opinion, OutcomeNotice
from minyi.intake.selectors import normalise_tracking_code, opinion_progress
from minyi.intake.tasks import send_due
from minyi.publication import tracking
from minyi.suggestions import actions as SA
from minyi.suggestions.models import Suggestion
from tests.factories import MembershipFactory, UserFactory

from .conftest import NAME, PHONE, last_row
from .test_outcome import adopted, notify, to_replied

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CODE_RE = re.compile(rf"[{TRACKING_ALPHABET}]{{8}}")
CONTENT = "小区路灯坏了很久，晚上出行不安全。"
LAST4 = PHONE[-4:]


def at(hour: int, minute: int = 0, day: int = 16):
    return time_machine.travel(datetime.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI), tick=False)


def track_url(code: str = "alpha") -> str:
    return reverse("public:track", args=[code])


def look_up(client, code: str, last4: str = LAST4, *, congress: str = "alpha", ip: str = "10.1.1.1"):
    return client.post(track_url(congress), {"code": code, "last4": last4}, REMOTE_ADDR=ip)


def body(response) -> str:
    return response.content.decode()


# --- the code --------------------------------------------------------------------------------------


def test_an_opinion_with_a_phone_gets_a_unique_unambiguous_code(intake, sms):
    opinions = [intake.record() for _i in range(6)]
    codes = [o.tracking_code for o in opinions]
    assert all(CODE_RE.fullmatch(c) for c in codes), codes
    assert len(set(codes)) == len(codes)
    assert not set("01OIL") & set("".join(codes))
    o = opinions[0]
    assert o.tracking_display == f"{o.tracking_code[:4]}-{o.tracking_code[4:]}"
    # typed by hand: any case, with or without the dash or spaces
    for typed in (
        o.tracking_display.lower(),
        o.tracking_code.lower(),
        f" {o.tracking_code[:4]} {o.tracking_code[4:]} ",
    ):
        assert normalise_tracking_code(typed) == o.tracking_code
    for bad in ("", "ABCD-234", "ABCD-23456", "ABCD-2340", "ABCO-2345", "ABCD_23!5"):
        assert normalise_tracking_code(bad) is None


def test_no_code_without_a_phone_and_codes_are_unique_per_congress(
    intake, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        anonymous = intake.record(constituent_name="", constituent_phone="")
        named_only = intake.record(constituent_phone="")
    assert anonymous.tracking_code == "" and named_only.tracking_code == ""
    assert sms == [] and not OutcomeNotice.objects.exists()
    assert not AuditEvent.objects.filter(code="intake.opinion.tracking_sent").exists()
    # the database refuses a second opinion of the congress with the same code
    first = intake.record()
    second = intake.record()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.filter(pk=second.pk).update(tracking_code=first.tracking_code)


def test_the_code_goes_out_by_sms_after_commit(intake, sms, sms_codes, django_capture_on_commit_callbacks):
    data = A.OpinionInput(
        content=CONTENT, station=intake.station, constituent_name=NAME, constituent_phone=PHONE
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        opinion = A.do_record_opinion(intake.w.congress, actor=intake.w.liaison, data=data)
    assert sms_codes == []  # nothing before the commit
    notice = OutcomeNotice.objects.get(opinion=opinion)
    assert notice.key == f"intake:{opinion.pk}:tracking" and notice.status == "pending"
    for callback in callbacks:
        callback()
    notice.refresh_from_db()
    assert notice.status == "sent"
    [(phone, text)] = sms_codes
    assert phone == PHONE and text == notice.text
    assert opinion.tracking_display in text and "/p/alpha/track/" in text and "后四位" in text
    assert NAME not in text and CONTENT[:6] not in text
    row = last_row("intake.opinion.tracking_sent")
    assert row.new["notice"] == notice.pk and row.actor == intake.w.liaison
    recorded = last_row("intake.opinion.recorded")
    assert row.correlation_id == recorded.correlation_id
    for value in (opinion.tracking_code, opinion.tracking_display, PHONE, NAME):
        assert value not in f"{row.old} {row.new} {row.note} {recorded.new}"
    # not an outcome: nothing else to send, nobody's 待办 thinks the resident was told the outcome
    assert send_due() == 0 and sms == [] and len(sms_codes) == 1


def test_quiet_hours_hold_the_code_until_morning(intake, sms, sms_codes):
    with at(22, 15):
        opinion = intake.record()  # committed (the helper runs the commit's callbacks)
    notice = OutcomeNotice.objects.get(opinion=opinion)
    assert notice.send_after == datetime.datetime(2026, 3, 17, 8, 0, tzinfo=SHANGHAI)
    assert notice.status == "pending" and sms_codes == []
    with at(7, 59, day=17):
        assert send_due() == 0
    with at(8, 1, day=17):
        assert send_due() == 1
        assert send_due() == 0
    assert sms_codes == [(PHONE, notice.text)] and sms == []


def test_a_landline_gets_a_code_on_the_slip_but_no_sms(intake, sms, sms_codes):
    opinion = intake.record(constituent_phone="010-62345678")
    assert CODE_RE.fullmatch(opinion.tracking_code)
    assert sms == sms_codes == [] and not OutcomeNotice.objects.exists()
    assert opinion_progress(intake.w.congress.pk, opinion.tracking_code, "5678") is not None


def test_a_refused_recording_gives_no_code_and_sends_nothing(intake, sms, sms_codes):
    with pytest.raises(ValidationFailed):
        intake.record(constituent_phone="12345")
    assert sms == sms_codes == [] and not Opinion.objects.exists()


# --- the slip --------------------------------------------------------------------------------------


def slip_url(opinion: Opinion, congress: str = "alpha") -> str:
    return reverse("intake:opinion_slip", args=[congress, opinion.pk])


def test_the_station_prints_a_slip_without_name_or_phone(intake, sms, client):
    opinion = intake.record()
    client.force_login(intake.w.liaison)
    page = body(client.get(reverse("intake:opinion", args=["alpha", opinion.pk])))
    assert slip_url(opinion) in page and "打印回执" in page
    response = client.get(slip_url(opinion))
    assert response.status_code == 200
    html = body(response)
    assert opinion.tracking_display in html and "/p/alpha/track/" in html
    assert intake.station.name in html and intake.w.congress.name in html and "2026-03-17" in html
    assert "后四位" in html
    assert NAME not in html and PHONE not in html and LAST4 not in html
    client.force_login(intake.w.deputy)  # the opinion's deputy may see the contact: the slip too
    assert client.get(slip_url(opinion)).status_code == 200


def test_the_slip_is_404_for_everybody_else(intake, sms, client):
    opinion = intake.record()
    no_code = intake.record(constituent_phone="")
    other_clerk = UserFactory(username="clerk2")
    MembershipFactory(
        user=other_clerk, congress=intake.w.congress, role=Role.LIAISON_CLERK, station=intake.other_station
    )
    for user in (other_clerk, intake.w.outsider, intake.w.clerk, intake.w.handler_a):
        client.force_login(user)
        assert client.get(slip_url(opinion)).status_code == 404, user
    client.force_login(intake.w.outsider)
    assert client.get(slip_url(opinion, "beta")).status_code == 404
    client.force_login(intake.w.liaison)
    assert client.get(slip_url(no_code)).status_code == 404
    page = body(client.get(reverse("intake:opinion", args=["alpha", no_code.pk])))
    assert "打印回执" not in page
    client.logout()
    assert client.get(slip_url(opinion)).status_code == 302  # to the sign-in page


# --- the public page -------------------------------------------------------------------------------


def test_the_form_and_a_right_answer(intake, sms, client):
    opinion = intake.record()
    form = client.get(track_url())
    assert form.status_code == 200 and 'name="code"' in body(form) and 'name="last4"' in body(form)
    assert "no-store" in form["Cache-Control"]
    typed = opinion.tracking_display.lower().replace("-", " ")
    response = look_up(client, typed)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = body(response)
    assert "已收到" in html and opinion.tracking_display in html and intake.station.name in html
    assert "没有找到" not in html


def test_wrong_code_wrong_digits_and_another_congress_look_the_same(
    intake, sms, client, world_beta_site=None
):
    opinion = intake.record()
    wrong_code = "ABCD2345" if opinion.tracking_code != "ABCD2345" else "ABCD2346"
    answers = [
        look_up(client, wrong_code),
        look_up(client, opinion.tracking_code, "0000" if LAST4 != "0000" else "1111"),
        look_up(client, opinion.tracking_code, congress="beta"),
    ]
    for response in answers:
        assert response.status_code == 404
        assert "没有找到，请核对查询码和手机号后四位" in body(response)
    assert (
        len({body(r).replace("beta", "alpha").replace("乙区", "甲区") for r in answers[:2]}) == 2
    )  # the typed values differ only
    assert client.post(track_url("nowhere"), {"code": wrong_code, "last4": LAST4}).status_code == 404


@pytest.mark.parametrize(
    ("code", "last4", "message"),
    [
        ("", LAST4, "请填写查询码。"),
        ("ABC", LAST4, "查询码是8位字母和数字"),
        ("ABCD-2345", "", "请填写您登记时留下的电话号码的后四位。"),
        ("ABCD-2345", "56a8", "请填写4位数字"),
        ("ABCD-2345", "345678", "请填写4位数字"),
    ],
)
def test_every_bad_input_has_a_clear_message(intake, sms, client, code, last4, message):
    response = look_up(client, code, last4)
    assert response.status_code == 422
    assert message in body(response)


def test_the_page_shows_nothing_else(intake, sms, client, django_capture_on_commit_callbacks):
    w = intake.w
    opinion = intake.record(place="人民路口")
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a, note="内部：请加急，联系人老王")
    A.do_return_forwarded_opinion(opinion, actor=w.handler_a, reason="退回理由：不属于本单位职责")
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a, note="转办说明：请核实")
    A.do_answer_forwarded_opinion(opinion, actor=w.handler_a, answer="内部答复原文：已安排维修队下周更换")
    html = body(look_up(client, opinion.tracking_code))
    for secret in (
        NAME,
        PHONE,
        CONTENT,
        CONTENT[:8],
        "人民路口",
        "老王",
        "退回理由",
        "转办说明",
        "内部答复原文",
        w.liaison.full_name,
    ):
        assert secret not in html, secret
    assert w.unit_a.name in html and "已答复" in html
    # the answer appears once the station approved the text sent to the resident
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            intake, opinion, text=f"【民意】您好！您反映的“{CONTENT[:10]}”问题，甲区住建局已于本周修复路灯。"
        )
    html = body(look_up(client, opinion.tracking_code))
    assert "甲区住建局已于本周修复路灯" in html
    assert CONTENT[:10] not in html and "内部答复原文" not in html and NAME not in html


# --- the throttle ----------------------------------------------------------------------------------


def test_guessing_one_code_is_throttled(intake, sms, client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI), tick=False)
    opinion = intake.record()
    other = intake.record(constituent_phone="13800001234")
    for n in range(tracking.TRACK_CODE_LIMIT):
        assert look_up(client, opinion.tracking_code, f"{n:04d}", ip=f"10.0.0.{n}").status_code == 404
    # the right answer is refused now, from any address, without even looking
    refused = look_up(client, opinion.tracking_code, ip="10.9.9.9")
    assert refused.status_code == 429
    html = body(refused)
    assert "查询次数过多" in html and "11:00" in html and "没有找到" not in html
    assert int(refused["Retry-After"]) == 3600
    assert (
        look_up(client, opinion.tracking_display.lower(), ip="10.9.9.9").status_code == 429
    )  # same code, typed otherwise
    # another code is not affected
    assert look_up(client, other.tracking_code, "1234", ip="10.9.9.9").status_code == 200
    time_machine.move_to(datetime.datetime(2026, 3, 17, 11, 0, 1, tzinfo=SHANGHAI), tick=False)
    assert look_up(client, opinion.tracking_code, ip="10.9.9.9").status_code == 200


def test_guessing_from_one_address_is_throttled(intake, sms, client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI), tick=False)
    opinion = intake.record()
    guesses = [f"ABCD{n:04d}" for n in range(2222, 9999) if not set(str(n)) & set("01")]
    guesses = [g for g in guesses if g != opinion.tracking_code][: tracking.TRACK_IP_LIMIT]
    assert len(guesses) == tracking.TRACK_IP_LIMIT and all(CODE_RE.fullmatch(g) for g in guesses)
    for guess in guesses:
        assert look_up(client, guess, ip="10.2.2.2").status_code == 404
    # blocked before the form is read: a right answer, or a forged X-Forwarded-For, changes nothing
    assert look_up(client, opinion.tracking_code, ip="10.2.2.2").status_code == 429
    forged = client.post(
        track_url(),
        {"code": opinion.tracking_code, "last4": LAST4},
        REMOTE_ADDR="10.2.2.2",
        HTTP_X_FORWARDED_FOR="10.3.3.3",
    )
    assert forged.status_code == 429
    assert look_up(client, "", ip="10.2.2.2").status_code == 429
    # another address is not
    assert look_up(client, opinion.tracking_code, ip="10.4.4.4").status_code == 200
    # malformed input does not count
    for _i in range(tracking.TRACK_IP_LIMIT + 1):
        assert look_up(client, "bad", ip="10.5.5.5").status_code == 422
    assert look_up(client, opinion.tracking_code, ip="10.5.5.5").status_code == 200


def test_the_limits_are_settings(intake, sms, client, settings, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI), tick=False)
    settings.MINYI_TRACK_CODE_LIMIT = 2
    settings.MINYI_TRACK_WINDOW = 600
    opinion = intake.record()
    for n in range(2):
        look_up(client, opinion.tracking_code, f"{n:04d}")
    refused = look_up(client, opinion.tracking_code)
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 600


# --- the selector, state by state ------------------------------------------------------------------


def progress_of(intake, opinion, last4: str = LAST4):
    return opinion_progress(intake.w.congress.pk, opinion.tracking_code, last4)


def kinds(progress) -> list[str]:
    return [s.kind for s in progress.steps]


def test_progress_none_unless_code_and_digits_match(intake, sms):
    opinion = intake.record()
    pk = intake.w.congress.pk
    assert opinion_progress(pk, opinion.tracking_code, LAST4) is not None
    assert opinion_progress(pk, opinion.tracking_code, "9999" if LAST4 != "9999" else "8888") is None
    assert opinion_progress(intake.w.other_congress.pk, opinion.tracking_code, LAST4) is None
    assert opinion_progress(pk, "", LAST4) is None and opinion_progress(pk, opinion.tracking_code, "") is None
    assert opinion_progress(pk, None, None) is None


def test_progress_open_answered_forwarded_returned(intake, sms):
    w = intake.w
    opinion = intake.record()
    p = progress_of(intake, opinion)
    assert kinds(p) == ["received"] and p.steps[0].on == opinion.collected_on and not p.answered
    assert p.steps[0].detail == intake.station.name

    spot = intake.record()
    A.do_answer_opinion_on_spot(spot, actor=w.liaison, answer="已联系物业，明天修复。")
    p = progress_of(intake, spot)
    assert kinds(p) == ["received", "answered"] and p.steps[1].text == "已联系物业，明天修复。" and p.answered

    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a, note="内部说明")
    p = progress_of(intake, opinion)
    assert kinds(p) == ["received", "forwarded"] and p.steps[1].detail == w.unit_a.name
    assert "内部说明" not in str(p)

    A.do_return_forwarded_opinion(opinion, actor=w.handler_a, reason="不归我们管")
    p = progress_of(intake, opinion)
    assert kinds(p) == ["received"] and "不归我们管" not in str(p)


def test_progress_unit_answer_shows_only_the_approved_text(intake, sms, django_capture_on_commit_callbacks):
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a)
    A.do_answer_forwarded_opinion(opinion, actor=w.handler_a, answer="单位原文答复：已列入维修计划")
    p = progress_of(intake, opinion)
    assert kinds(p) == ["received", "forwarded", "answered"] and p.steps[2].text == "" and p.answered
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify(intake, opinion)  # the default text: it quotes the content at its start
    p = progress_of(intake, opinion)
    text = p.steps[2].text
    assert "已列入维修计划" in text and CONTENT[:10] not in text and NAME not in text
    assert text in notice.text  # the station's text, only without the opening quoting the content


def test_progress_merged_follows_the_main_opinion(intake, sms):
    w = intake.w
    main = intake.record(constituent_phone="13800009999")
    opinion = intake.record()
    A.do_merge_opinion(opinion, actor=w.liaison, into=main)
    A.do_forward_opinion(main, actor=w.liaison, unit=w.unit_a)
    p = progress_of(intake, opinion)
    assert kinds(p) == ["received", "merged", "forwarded"]
    spot_main = intake.record(constituent_phone="13800008888")
    other = intake.record()
    A.do_merge_opinion(other, actor=w.liaison, into=spot_main)
    A.do_answer_opinion_on_spot(spot_main, actor=w.liaison, answer="给另一位居民的答复")
    p = progress_of(intake, other)
    assert kinds(p) == ["received", "merged", "answered"] and p.steps[2].text == ""


def test_progress_adopted_declined_and_replied(intake, sms, django_capture_on_commit_callbacks):
    opinion, s = adopted(intake)
    p = progress_of(intake, opinion)
    assert kinds(p) == ["received", "adopted"] and p.suggestion_pk == s.pk and p.suggestion_number == ""
    s = to_replied(intake, s)
    assert s.number
    p = progress_of(intake, opinion)
    assert kinds(p) == ["received", "adopted", "answered"] and p.suggestion_number == s.number
    assert p.steps[2].text == ""
    with django_capture_on_commit_callbacks(execute=True):
        notify(intake, opinion)
    p = progress_of(intake, opinion)
    assert s.number in p.steps[2].text and CONTENT[:10] not in p.steps[2].text

    declined, d = adopted(intake, intake.record())
    d = SA.do_submit_suggestion(d, actor=intake.w.deputy)
    SA.do_decline_suggestion(
        d, actor=intake.w.clerk, reason=intake.loop.taxa.exclusion, disposition="for_reference", note=""
    )
    p = progress_of(intake, declined)
    assert kinds(p) == ["received", "adopted", "declined"] and p.answered
    assert Suggestion.objects.get(pk=d.pk).state == "declined"
