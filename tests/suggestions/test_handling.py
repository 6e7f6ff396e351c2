"""办理: sign, re-assignment, contacts, co-unit opinions, reply drafting and sign-off, extensions."""

import datetime

import time_machine
from django.utils import timezone

from minyi.congress.models import ResultClass
from minyi.core.errors import DeadlinePassed, InvalidTransition, NotPermitted, ValidationFailed
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Deadline, ExtensionRequest, ReassignRequest
from minyi.workdays.services import get_calendar

from .conftest import codes, refresh, refused


def lead_of(s):
    return Assignment.objects.get(
        suggestion=s, role__in=["lead", "split"], unit__name__contains="住房", round=s.round
    )


def co_of(s):
    return Assignment.objects.get(suggestion=s, role="co", round=s.round)


def later(days: int):
    return time_machine.travel(timezone.now() + datetime.timedelta(days=days), tick=False)


def contact(a, actor, **kw):
    values = {
        "phase": "before",
        "method": "phone",
        "contacted_on": timezone.localdate(),
        "people": "承办人",
        "summary": "电话沟通",
    }
    values.update(kw)
    return A.do_log_contact(a, actor=actor, **values)


# --- sign ----------------------------------------------------------------------------------------


def test_sign(loop):
    w = loop.w
    s = loop.drive.to("assigned", co=True)
    lead = lead_of(s)
    for actor in (w.handler_b, w.deputy, w.clerk, w.coordinator, w.outsider):
        with refused(NotPermitted):
            A.do_sign_assignment(lead, actor=actor)
    lead = A.do_sign_assignment(lead, actor=w.handler_a)
    assert (lead.state, lead.signed_by) == ("signed", w.handler_a)
    with refused(InvalidTransition, match="已签收"):
        A.do_sign_assignment(lead, actor=w.leader_a)
    assert codes(s)[-1] == "assignment.signed"


# --- re-assignment -------------------------------------------------------------------------------


def test_reassignment_within_window_approved_sends_back_to_dispatcher(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = lead_of(s)
    with refused(ValidationFailed, code="reason_required"):
        A.do_request_reassignment(lead, actor=w.handler_a, reason="")
    with refused(NotPermitted):
        A.do_request_reassignment(lead, actor=w.handler_b, reason="不归我们管")
    request = A.do_request_reassignment(
        lead, actor=w.handler_a, reason="属教育局职责", suggested_unit=w.unit_b
    )
    assert refresh(lead).state == "reassign_requested" and request.status == "pending"
    window = Deadline.objects.get(assignment=lead, kind="reassign_window")
    assert window.closed_on_time is True
    for actor in (w.handler_a, w.leader_a, w.deputy):
        with refused(NotPermitted):
            A.do_approve_reassignment(lead, actor=actor)
    lead = A.do_approve_reassignment(lead, actor=w.coordinator, note="同意")
    assert lead.state == "cancelled" and refresh(request).status == "approved"
    s = refresh(s)
    assert s.state == "reassigning"
    assert not Deadline.objects.filter(assignment=lead, closed_at__isnull=True).exists()
    assert (
        Deadline.objects.get(suggestion=s, kind="assign", closed_at__isnull=True).rule
        == "同意调整后5个工作日内重新交办"
    )
    A.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_b])
    assert refresh(s).state == "assigned"
    assert codes(s)[-5:] == [
        "assignment.reassignment_requested",
        "assignment.reassignment_approved",
        "suggestion.reassigning",
        "suggestion.assigned",
        "assignment.created",
    ]


def test_reassignment_refused_keeps_the_unit(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = lead_of(s)
    A.do_request_reassignment(lead, actor=w.handler_a, reason="不归我们管")
    with refused(ValidationFailed, code="reason_required"):
        A.do_refuse_reassignment(lead, actor=w.clerk, note="")
    lead = A.do_refuse_reassignment(lead, actor=w.clerk, note="属你局职责")
    assert lead.state == "handling" and refresh(s).state == "assigned"
    assert ReassignRequest.objects.get(assignment=lead).status == "refused"
    with refused(InvalidTransition):
        A.do_approve_reassignment(lead, actor=w.clerk)


def test_co_unit_relieved_does_not_move_the_suggestion(loop):
    w = loop.w
    s = loop.drive.to("signed", co=True)
    co = co_of(s)
    A.do_request_reassignment(co, actor=w.handler_b, reason="与我局无关")
    A.do_approve_reassignment(co, actor=w.clerk)
    assert refresh(s).state == "assigned" and refresh(co).state == "cancelled"


def test_reassignment_refusals_unsigned_and_late(loop):
    w = loop.w
    s = loop.drive.to("assigned")
    lead = lead_of(s)
    with refused(InvalidTransition, match="待签收"):  # sign for receipt first
        A.do_request_reassignment(lead, actor=w.handler_a, reason="x")
    A.do_sign_assignment(lead, actor=w.handler_a)
    last = get_calendar().add_working_days(lead.assigned_on, 5)
    day_after = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(9)).astimezone()
    with (
        time_machine.travel(day_after, tick=False),
        refused(DeadlinePassed, code="deadline_passed", match="5个工作日内"),
    ):
        A.do_request_reassignment(lead, actor=w.handler_a, reason="晚了")


def test_reassignment_on_the_last_day_of_the_window_is_allowed(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = lead_of(s)
    last = get_calendar().add_working_days(lead.assigned_on, 5)
    with time_machine.travel(datetime.datetime.combine(last, datetime.time(15)).astimezone(), tick=False):
        A.do_request_reassignment(lead, actor=w.handler_a, reason="最后一天")
    assert refresh(lead).state == "reassign_requested"


# --- contacts --------------------------------------------------------------------------------------


def test_contacts_move_to_handling_and_meet_first_contact_deadline(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = lead_of(s)
    c = contact(lead, w.handler_a, method="visit", people="局长、承办人", summary="上门走访")
    assert refresh(lead).state == "handling" and c.state == "pending"
    first = Deadline.objects.get(assignment=lead, kind="first_contact")
    assert first.closed_on_time is True
    contact(lead, w.leader_a, phase="during")
    assert codes(s)[-2:] == ["contact.logged", "contact.logged"]
    c = A.do_confirm_contact(c, actor=w.deputy)
    assert c.state == "confirmed" and c.answered_by == w.deputy
    with refused(InvalidTransition, match="代表已确认"):
        A.do_dispute_contact(c, actor=w.deputy, note="x")


def test_contact_refusals(loop):
    w = loop.w
    s = loop.drive.to("assigned")
    lead = lead_of(s)
    with refused(InvalidTransition, match="待签收"):
        contact(lead, w.handler_a)
    A.do_sign_assignment(lead, actor=w.handler_a)
    with refused(NotPermitted):
        contact(lead, w.handler_b)
    with refused(ValidationFailed, code="bad_phase"):
        contact(lead, w.handler_a, phase="whenever")
    with refused(ValidationFailed, code="bad_method"):
        contact(lead, w.handler_a, method="telepathy")
    with refused(ValidationFailed, code="contacted_in_future"):
        contact(lead, w.handler_a, contacted_on=timezone.localdate() + datetime.timedelta(days=1))
    with refused(ValidationFailed, code="contacted_before_assignment"):
        contact(lead, w.handler_a, contacted_on=lead.assigned_on - datetime.timedelta(days=1))
    with refused(ValidationFailed, code="summary_required"):
        contact(lead, w.handler_a, summary=" ")
    c = contact(lead, w.handler_a)
    for actor in (w.cosigner, w.handler_a, w.clerk):
        with refused(NotPermitted):
            A.do_confirm_contact(c, actor=actor)
    with refused(ValidationFailed, code="reason_required"):
        A.do_dispute_contact(c, actor=w.deputy, note="")
    assert A.do_dispute_contact(c, actor=w.deputy, note="并未联系我").state == "disputed"


def test_late_first_contact_is_recorded_as_late(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = lead_of(s)
    with later(30):
        contact(lead, w.handler_a)
    assert Deadline.objects.get(assignment=lead, kind="first_contact").closed_on_time is False


# --- co-unit opinion -------------------------------------------------------------------------------


def test_co_unit_opinion(loop):
    w = loop.w
    s = loop.drive.to("signed", co=True)
    co, lead = co_of(s), lead_of(s)
    with refused(ValidationFailed, code="not_a_co_unit"):
        A.do_submit_opinion(lead, actor=w.handler_a, opinion="x")
    with refused(NotPermitted):
        A.do_submit_opinion(co, actor=w.handler_a, opinion="x")
    with refused(ValidationFailed, code="opinion_required"):
        A.do_submit_opinion(co, actor=w.handler_b, opinion="")
    with refused(ValidationFailed, code="co_unit_does_not_reply"):
        loop.drive.draft_reply(co)
    co = A.do_submit_opinion(co, actor=w.handler_b, opinion="建议结合学区规划统筹考虑")
    assert co.state == "opinion_submitted" and co.opinion_submitted_at is not None
    assert Deadline.objects.get(assignment=co, kind="co_opinion").closed_on_time is True
    assert not Deadline.objects.filter(assignment=co, closed_at__isnull=True).exists()


# --- reply ---------------------------------------------------------------------------------------


def test_draft_send_back_redraft_sign_off(loop):
    w = loop.w
    s = loop.drive.to("contacted")
    lead = lead_of(s)
    reply = loop.drive.draft_reply(lead, result="B")
    assert refresh(lead).state == "reply_drafted" and reply.commitments.count() == 1
    for actor in (w.handler_a, w.handler_b, loop.leader_b, w.clerk):
        with refused(NotPermitted):
            A.do_sign_off_reply(lead, actor=actor)
    with refused(ValidationFailed, code="reason_required"):
        A.do_send_back_reply(lead, actor=w.leader_a, reason="")
    A.do_send_back_reply(lead, actor=w.leader_a, reason="请写明完成时间")
    assert refresh(lead).state == "handling" and refresh(reply).sent_back_reason == "请写明完成时间"
    with refused(InvalidTransition):
        A.do_sign_off_reply(lead, actor=w.leader_a)
    reply = loop.drive.draft_reply(lead, result="A")  # rewritten: class A, no commitments
    assert reply.commitments.count() == 0
    reply = A.do_sign_off_reply(lead, actor=w.leader_a)
    assert reply.signed_off_by == w.leader_a and refresh(lead).state == "replied"
    s = refresh(s)
    assert s.state == "replied"
    assert {d.kind: d.close_reason for d in Deadline.objects.filter(assignment=lead)} == {
        "reassign_window": "cancelled",
        "first_contact": "done",
        "reply": "done",
        "reply_statutory": "done",
    }
    evaluation = Deadline.objects.get(suggestion=s, kind="evaluation")
    assert evaluation.is_open and evaluation.rule == "答复后10个工作日内测评"
    assert codes(s)[-6:] == [
        "contact.logged",
        "reply.drafted",
        "reply.sent_back",
        "reply.drafted",
        "reply.signed_off",
        "suggestion.replied",
    ]


def test_draft_reply_refusals(loop):
    w = loop.w
    s = loop.drive.to("assigned")
    lead = lead_of(s)
    with refused(InvalidTransition, match="待签收"):
        loop.drive.draft_reply(lead)
    A.do_sign_assignment(lead, actor=w.handler_a)
    with refused(NotPermitted):
        A.do_draft_reply(lead, actor=w.handler_b, body="x", result_class=loop.taxa.result_a)
    with refused(ValidationFailed, code="body_required"):
        A.do_draft_reply(lead, actor=w.handler_a, body="", result_class=loop.taxa.result_a)
    with refused(ValidationFailed, code="commitments_required", match="须写明承诺事项"):
        A.do_draft_reply(lead, actor=w.handler_a, body="x", result_class=loop.taxa.result_b)
    with refused(ValidationFailed, code="commitment_due_past"):
        A.do_draft_reply(
            lead,
            actor=w.handler_a,
            body="x",
            result_class=loop.taxa.result_b,
            commitments=[A.CommitmentInput("改造", timezone.localdate() - datetime.timedelta(days=1))],
        )
    foreign = ResultClass.objects.create(congress=w.other_congress, code="A", name="外区A")
    with refused(ValidationFailed, code="wrong_congress"):
        A.do_draft_reply(lead, actor=w.handler_a, body="x", result_class=foreign)
    with refused(ValidationFailed, code="result_class_required"):
        A.do_draft_reply(lead, actor=w.handler_a, body="x", result_class=None)


def test_sign_off_needs_a_contact(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = lead_of(s)
    loop.drive.draft_reply(lead)
    with refused(ValidationFailed, code="contact_missing"):
        A.do_sign_off_reply(lead, actor=w.leader_a)
    after = contact(lead, w.handler_a, phase="after")  # an after-handling contact does not count
    with refused(ValidationFailed, code="contact_missing"):
        A.do_sign_off_reply(lead, actor=w.leader_a)
    disputed = contact(lead, w.handler_a, phase="during")
    A.do_dispute_contact(disputed, actor=w.deputy, note="没有联系过我")
    with refused(ValidationFailed, code="contact_missing"):
        A.do_sign_off_reply(lead, actor=w.leader_a)
    del after
    contact(lead, w.handler_a, phase="before")
    A.do_sign_off_reply(lead, actor=w.leader_a)
    assert refresh(lead).state == "replied"


def test_sign_off_without_contact_when_policy_allows(loop):
    w = loop.w
    policy = w.congress.policy
    policy.contact_required = False
    policy.save()
    s = loop.drive.to("signed")
    lead = lead_of(s)
    loop.drive.draft_reply(lead)
    A.do_sign_off_reply(lead, actor=w.leader_a)
    assert Deadline.objects.get(assignment=lead, kind="first_contact").close_reason == "missed"


def test_lead_sign_off_waits_for_co_unit_opinion(loop):
    w = loop.w
    s = loop.drive.to("assigned", co=True)
    lead, co = lead_of(s), co_of(s)
    A.do_sign_assignment(lead, actor=w.handler_a)
    contact(lead, w.handler_a)
    loop.drive.draft_reply(lead)
    with refused(ValidationFailed, code="co_opinions_pending", match="甲区教育局"):
        A.do_sign_off_reply(lead, actor=w.leader_a)
    A.do_sign_assignment(co, actor=w.handler_b)
    A.do_submit_opinion(co, actor=w.handler_b, opinion="同意")
    A.do_sign_off_reply(lead, actor=w.leader_a)
    assert refresh(s).state == "replied"


def test_split_is_replied_when_every_unit_has_replied(loop):
    w = loop.w
    s = loop.drive.to("reply_drafted", split=True)
    a, b = loop.drive.answering(s)
    A.do_sign_off_reply(a, actor=w.leader_a)
    assert refresh(s).state == "assigned"
    with refused(NotPermitted):  # leader of A cannot sign off B's reply
        A.do_sign_off_reply(b, actor=w.leader_a)
    A.do_sign_off_reply(b, actor=loop.leader_b)
    assert refresh(s).state == "replied"
    assert codes(s)[-3:] == ["reply.signed_off", "reply.signed_off", "suggestion.replied"]


def test_contact_after_reply(loop):
    w = loop.w
    s = loop.drive.to("replied")
    c = contact(lead_of(s), w.handler_a, phase="after", method="site", summary="回访")
    assert c.phase == "after" and refresh(lead_of(s)).state == "replied"


# --- extension -------------------------------------------------------------------------------------


def test_extension_approved_supersedes_reply_deadlines(loop):
    w = loop.w
    s = loop.drive.to("contacted")
    lead = lead_of(s)
    cal = get_calendar()
    until = cal.add_months(lead.assigned_on, 4)
    with refused(NotPermitted):
        A.do_request_extension(lead, actor=w.handler_b, reason="x", until=until)
    with refused(ValidationFailed, code="reason_required"):
        A.do_request_extension(lead, actor=w.handler_a, reason="", until=until)
    with refused(ValidationFailed, code="not_later"):
        A.do_request_extension(lead, actor=w.handler_a, reason="复杂", until=lead.reply_due_on)
    with refused(ValidationFailed, code="beyond_ceiling", match="6个月"):
        A.do_request_extension(
            lead, actor=w.handler_a, reason="复杂", until=cal.add_months(lead.assigned_on, 7)
        )
    request = A.do_request_extension(lead, actor=w.handler_a, reason="涉及多部门协调", until=until)
    with refused(ValidationFailed, code="extension_pending"):
        A.do_request_extension(lead, actor=w.handler_a, reason="again", until=until)
    for actor in (w.coordinator, w.handler_a, w.leader_a, w.deputy):
        with refused(NotPermitted):
            A.do_approve_extension(request, actor=actor)
    request = A.do_approve_extension(request, actor=w.clerk, note="同意")
    assert request.state == "approved" and request.approved_due_on == until
    lead = refresh(lead)
    assert lead.reply_due_on == until
    open_reply = Deadline.objects.filter(
        assignment=lead, kind__in=["reply", "reply_statutory"], closed_at__isnull=True
    )
    assert sorted((d.kind, d.due_on) for d in open_reply) == [("reply", until), ("reply_statutory", until)]
    superseded = Deadline.objects.filter(assignment=lead, close_reason="superseded")
    assert superseded.count() == 2 and all(d.closed_on_time is None for d in superseded)
    with refused(InvalidTransition, match="已批准"):
        A.do_approve_extension(request, actor=w.clerk)
    assert codes(s)[-2:] == ["extension.requested", "extension.approved"]


def test_extension_refused_and_late_request(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = lead_of(s)
    until = get_calendar().add_months(lead.assigned_on, 2)
    request = A.do_request_extension(lead, actor=w.handler_a, reason="复杂", until=until)
    with refused(ValidationFailed, code="reason_required"):
        A.do_refuse_extension(request, actor=w.clerk, note="")
    request = A.do_refuse_extension(request, actor=w.clerk, note="可以按期答复")
    assert request.state == "refused" and refresh(lead).reply_due_on < until
    with later(60), refused(DeadlinePassed, match="已过"):
        A.do_request_extension(
            lead, actor=w.handler_a, reason="晚了", until=until + datetime.timedelta(days=30)
        )
    co_s = loop.drive.to("signed", co=True)
    with refused(ValidationFailed, code="co_unit_does_not_reply"):
        A.do_request_extension(co_of(co_s), actor=w.handler_b, reason="x", until=until)
    assert ExtensionRequest.objects.filter(state="pending").count() == 0


def test_extension_approval_checks_the_ceiling_again(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = lead_of(s)
    cal = get_calendar()
    request = A.do_request_extension(
        lead, actor=w.handler_a, reason="复杂", until=cal.add_months(lead.assigned_on, 2)
    )
    with refused(ValidationFailed, code="beyond_ceiling"):
        A.do_approve_extension(request, actor=w.clerk, until=cal.add_months(lead.assigned_on, 8))
    request = A.do_approve_extension(request, actor=w.clerk, until=cal.add_months(lead.assigned_on, 3))
    assert refresh(lead).reply_due_on == cal.add_months(lead.assigned_on, 3)
