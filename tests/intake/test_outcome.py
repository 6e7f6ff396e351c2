"""Closing the loop: the constituent is told the outcome by SMS — once per outcome, after the reply
(driven through the real suggestion actions), after the unit's answer, or after a decline; merged
opinions follow theirs; quiet hours and gateway failures delay, never duplicate."""

from __future__ import annotations

import datetime
import io
import json
import zoneinfo

import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from minyi.audit.models import AuditEvent
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.intake import actions as A
from minyi.intake.models import OutcomeNotice
from minyi.intake.selectors import outcome_of
from minyi.intake.tasks import send_due
from minyi.suggestions import actions as SA
from minyi.suggestions.models import Suggestion

from .conftest import PHONE, last_row, refused

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def adopted(intake, opinion=None):
    opinion = opinion or intake.record()
    s = A.do_adopt_opinion_as_suggestion(
        opinion,
        actor=intake.w.deputy,
        data=A.AdoptionInput(
            title="关于修复小区路灯的建议", proposals="尽快修复", category=intake.loop.taxa.category
        ),
    )
    opinion.refresh_from_db()
    return opinion, s


def to_replied(intake, s: Suggestion) -> Suggestion:
    """Submit → accept → forward → assign unit A → sign, contact, draft, sign off (real actions)."""
    w = intake.w
    s = SA.do_submit_suggestion(s, actor=w.deputy)
    s = SA.do_accept_suggestion(s, actor=w.clerk)
    s = SA.do_forward_suggestion(s, actor=w.clerk, body=w.gov)
    SA.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_a])
    intake.loop.drive.work(s, upto="replied")
    return Suggestion.objects.get(pk=s.pk)


def notify(intake, opinion, who="liaison", text=None):
    return A.do_notify_constituent_of_outcome(opinion, actor=getattr(intake.w, who), text=text)


def test_the_constituent_is_told_exactly_once_after_the_reply(
    intake, sms, django_capture_on_commit_callbacks
):
    opinion, s = adopted(intake)
    with refused(InvalidTransition, "no_outcome"):
        notify(intake, opinion)
    s = SA.do_submit_suggestion(s, actor=intake.w.deputy)
    with refused(InvalidTransition, "no_outcome"):
        notify(intake, opinion)
    s = SA.do_accept_suggestion(s, actor=intake.w.clerk)
    s = SA.do_forward_suggestion(s, actor=intake.w.clerk, body=intake.w.gov)
    SA.do_assign_units(s, actor=intake.w.coordinator, lead_units=[intake.w.unit_a])
    intake.loop.drive.work(s, upto="reply_drafted")
    with refused(InvalidTransition, "no_outcome"):  # drafted, not signed off
        notify(intake, opinion)
    intake.loop.drive.work(s, upto="replied")
    s.refresh_from_db()
    assert s.state == "replied"

    outcome = outcome_of(opinion)
    assert outcome.key == f"intake:{opinion.pk}:s{s.pk}:r1" and outcome.kind == "reply"
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify(intake, opinion)
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.sent_at is not None and notice.attempts == 1
    assert sms == [(PHONE, notice.text)]
    assert (
        s.number in notice.text
        and "甲区住房和城乡建设局" in notice.text
        and "已解决或基本解决" in notice.text
    )
    assert "赵秘密" not in notice.text  # the default text never names the constituent
    row = last_row("intake.opinion.notified")
    assert row.suggestion == s and row.new["key"] == outcome.key and row.new["notice"] == notice.pk
    assert PHONE not in str(row.new) and notice.text not in str(row.new)

    with refused(InvalidTransition, "already_notified"):
        notify(intake, opinion)
    with refused(InvalidTransition, "already_notified"):
        notify(intake, opinion, who="deputy")
    assert send_due() == 0
    assert len(sms) == 1


def test_a_new_round_of_handling_is_a_new_outcome(intake, sms, django_capture_on_commit_callbacks):
    opinion, s = adopted(intake)
    s = to_replied(intake, s)
    with django_capture_on_commit_callbacks(execute=True):
        notify(intake, opinion)
    intake.loop.drive.evaluate(s, overall="unsatisfied")
    SA.do_order_rehandling(Suggestion.objects.get(pk=s.pk), actor=intake.w.clerk, note="请重新办理")
    with refused(InvalidTransition, "no_outcome"):
        notify(intake, opinion, who="deputy")
    intake.loop.drive.work(s, upto="replied", result="B")
    with django_capture_on_commit_callbacks(execute=True):
        second = notify(
            intake, opinion, who="deputy", text="【民意】您反映的问题经重新办理，已列入计划解决。"
        )
    assert second.key.endswith(":r2")
    assert [text for _phone, text in sms][-1] == "【民意】您反映的问题经重新办理，已列入计划解决。"
    assert len(sms) == 2


def test_a_declined_suggestion_is_an_outcome_too(intake, sms, django_capture_on_commit_callbacks):
    opinion, s = adopted(intake)
    s = SA.do_submit_suggestion(s, actor=intake.w.deputy)
    SA.do_decline_suggestion(
        s, actor=intake.w.clerk, reason=intake.loop.taxa.exclusion, disposition="for_reference", note=""
    )
    assert outcome_of(opinion).kind == "declined"
    with django_capture_on_commit_callbacks(execute=True):
        notify(intake, opinion)
    assert "未予立案" in sms[0][1]


def test_merged_opinions_follow_the_main_one_and_each_constituent_is_told(
    intake, sms, django_capture_on_commit_callbacks
):
    main = intake.record()
    dup = intake.record(constituent_phone="13800001111", constituent_name="另一位")
    A.do_merge_opinion(dup, actor=intake.w.liaison, into=main)
    with refused(InvalidTransition, "no_outcome"):
        notify(intake, dup)
    _main, s = adopted(intake, main)
    to_replied(intake, s)
    with django_capture_on_commit_callbacks(execute=True):
        notify(intake, main)
        notify(intake, dup)
    assert sorted(phone for phone, _text in sms) == sorted([PHONE, "13800001111"])
    told = OutcomeNotice.objects.filter(opinion=dup).exclude(key__endswith=":tracking")
    assert told.get().key == f"intake:{dup.pk}:s{s.pk}:r1"


def test_a_suggestion_merged_into_another_is_answered_with_the_main(
    intake, sms, django_capture_on_commit_callbacks
):
    opinion, s = adopted(intake)
    s = SA.do_submit_suggestion(s, actor=intake.w.deputy)
    main = intake.loop.drive.to("accepted")
    SA.do_merge_suggestion(s, actor=intake.w.clerk, into=main)
    assert outcome_of(opinion) is None
    SA.do_forward_suggestion(main, actor=intake.w.clerk, body=intake.w.gov)
    SA.do_assign_units(main, actor=intake.w.coordinator, lead_units=[intake.w.unit_a])
    intake.loop.drive.work(main, upto="replied")
    outcome = outcome_of(opinion)
    assert outcome.suggestion == main and outcome.key == f"intake:{opinion.pk}:s{main.pk}:r1"
    with django_capture_on_commit_callbacks(execute=True):
        notify(intake, opinion)
    assert len(sms) == 1


def test_the_units_answer_to_a_forwarded_opinion(intake, sms, django_capture_on_commit_callbacks):
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=intake.w.liaison, unit=intake.w.unit_a)
    with refused(InvalidTransition):  # the table: nothing to tell while the unit has it
        notify(intake, opinion)
    A.do_answer_forwarded_opinion(opinion, actor=intake.w.handler_a, answer="已安排维修，本周内完成。")
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify(intake, opinion, who="deputy")
    assert notice.key == f"intake:{opinion.pk}:unit:{opinion.pk}"
    assert "已安排维修" in sms[0][1]
    assert last_row("intake.opinion.notified").suggestion is None


def test_notify_refusals(intake, sms):
    w = intake.w
    opinion, s = adopted(intake, intake.record(constituent_phone=""))
    to_replied(intake, s)
    with refused(ValidationFailed, "no_phone"):
        notify(intake, opinion)
    other, s2 = adopted(intake)
    to_replied(intake, s2)
    for who in ("clerk", "admin", "cosigner", "handler_a", "leader_a", "coordinator", "outsider"):
        with refused(NotPermitted):
            notify(intake, other, who=who)
    with refused(ValidationFailed, "text_required"):
        notify(intake, other, text="  ")
    with refused(ValidationFailed, "text_too_long"):
        notify(intake, other, text="长" * 501)
    answered = intake.record()
    A.do_answer_opinion_on_spot(answered, actor=w.liaison, answer="当场答复")
    with refused(InvalidTransition):
        notify(intake, answered)
    assert sms == []


def at(hour: int, minute: int = 0, day: int = 16):
    return time_machine.travel(datetime.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI), tick=False)


def test_quiet_hours_hold_the_message_until_morning(intake, sms, django_capture_on_commit_callbacks):
    from minyi.congress.models import Policy

    Policy.objects.filter(congress=intake.w.congress).update(
        quiet_hours_start=datetime.time(21, 0), quiet_hours_end=datetime.time(8, 0)
    )
    with at(10):
        opinion = intake.record()
        A.do_forward_opinion(opinion, actor=intake.w.liaison, unit=intake.w.unit_a)
        A.do_answer_forwarded_opinion(opinion, actor=intake.w.handler_a, answer="已处理")
    with at(22, 15), django_capture_on_commit_callbacks(execute=True):
        notice = notify(intake, opinion)
    notice.refresh_from_db()
    morning = datetime.datetime(2026, 3, 17, 8, 0, tzinfo=SHANGHAI)
    assert notice.status == "pending" and notice.send_after == morning and sms == []
    queued = DBTaskResult.objects.get(task_path="minyi.intake.tasks.send_outcome_notices")
    assert queued.run_after == morning
    with at(7, 59, day=17):
        assert send_due() == 0
    with at(8, 1, day=17):
        assert send_due() == 1
        assert send_due() == 0
    assert sms == [(PHONE, notice.text)]


def test_a_gateway_failure_is_retried_and_still_sent_once(intake, sms, django_capture_on_commit_callbacks):
    from .sms_backend import RecordingSmsBackend

    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=intake.w.liaison, unit=intake.w.unit_a)
    A.do_answer_forwarded_opinion(opinion, actor=intake.w.handler_a, answer="已处理")
    RecordingSmsBackend.fail = 1
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify(intake, opinion)  # the page does not break on a gateway error
    notice.refresh_from_db()
    assert notice.status == "pending" and notice.attempts == 1 and "gateway unavailable" in notice.last_error
    assert sms == []
    assert send_due() == 0  # not due yet (a pause grows with each attempt)
    with time_machine.travel(notice.send_after + datetime.timedelta(seconds=1), tick=False):
        assert send_due() == 1
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.attempts == 2 and notice.last_error == ""
    assert len(sms) == 1


def test_a_message_left_sending_by_a_dead_process_is_sent_again(
    intake, sms, django_capture_on_commit_callbacks
):
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=intake.w.liaison, unit=intake.w.unit_a)
    A.do_answer_forwarded_opinion(opinion, actor=intake.w.handler_a, answer="已处理")
    with django_capture_on_commit_callbacks(execute=False):
        notice = notify(intake, opinion)
    OutcomeNotice.objects.filter(pk=notice.pk).update(status="sending", claimed_at=notice.created_at)
    assert send_due() == 0  # still fresh: left alone for STALE_AFTER
    with time_machine.travel(notice.created_at + datetime.timedelta(minutes=16), tick=False):
        assert send_due() == 1
    assert len(sms) == 1


def test_audit_rows_of_the_loop_never_hold_the_phone(intake, sms, django_capture_on_commit_callbacks):
    opinion, s = adopted(intake)
    to_replied(intake, s)
    with django_capture_on_commit_callbacks(execute=True):
        notify(intake, opinion)
    for row in AuditEvent.objects.all():
        text = f"{row.old} {row.new} {row.note} {row.object_repr}"
        assert PHONE not in text and "赵秘密" not in text


def test_the_periodic_run_sends_the_message_held_by_quiet_hours_once(
    intake, sms, django_capture_on_commit_callbacks
):
    from minyi.congress.models import Policy

    Policy.objects.filter(congress=intake.w.congress).update(
        quiet_hours_start=datetime.time(21, 0), quiet_hours_end=datetime.time(8, 0)
    )
    with at(10):
        opinion = intake.record()
        A.do_forward_opinion(opinion, actor=intake.w.liaison, unit=intake.w.unit_a)
        A.do_answer_forwarded_opinion(opinion, actor=intake.w.handler_a, answer="已处理")
    with at(22, 15), django_capture_on_commit_callbacks(execute=True):
        notice = notify(intake, opinion)

    def periodic() -> dict:
        out = io.StringIO()
        call_command("run_periodic", "--json", "--job", "outcome_sms", stdout=out)
        return json.loads(out.getvalue())["outcome_sms"]

    with at(23, 0):
        assert periodic() == {"status": "done", "result": 0}
    with at(8, 1, day=17):
        assert periodic() == {"status": "done", "result": 1}
        assert periodic() == {"status": "done", "result": 0}  # nothing twice
    assert sms == [(PHONE, notice.text)]
