"""测评, no feedback, 重新办理, 协调会, 办结 and the commitment ledger."""

import datetime

import time_machine
from django.utils import timezone

from minyi.core.errors import DeadlinePassed, InvalidTransition, NotPermitted, ValidationFailed
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Deadline, Evaluation, Reply
from minyi.suggestions.selectors import commitment_ledger, evaluation_results, suggestions_due_for_no_feedback
from minyi.workdays.services import get_calendar

from .conftest import codes, refresh, refused


def replies(s):
    return list(Reply.objects.filter(assignment__suggestion=s, assignment__round=s.round).order_by("id"))


def evaluate(reply, actor, overall="satisfied", **kw):
    values = {"attitude": "satisfied", "result": overall, "overall": overall, "contact_happened": True}
    values.update(kw)
    return A.do_evaluate_reply(reply, actor=actor, **values)


def travel_to(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10)).astimezone(), tick=False)


def test_evaluate_and_close(loop):
    w = loop.w
    s = loop.drive.to("replied")
    (reply,) = replies(s)
    evaluation = evaluate(reply, w.deputy, overall="basic", opinion="基本满意")
    assert (evaluation.round, evaluation.overall, evaluation.kind) == (1, "basic", "rated")
    s = refresh(s)
    assert s.state == "evaluated"
    assert Deadline.objects.get(suggestion=s, kind="evaluation").closed_on_time is True
    with refused(InvalidTransition):
        evaluate(reply, w.deputy)
    for actor in (w.deputy, w.coordinator, w.supervisor, w.outsider):
        with refused(NotPermitted):
            A.do_close_suggestion(s, actor=actor)
    s = A.do_close_suggestion(s, actor=w.clerk)
    assert s.state == "closed" and s.closed_at is not None
    assert not Deadline.objects.filter(suggestion=s, closed_at__isnull=True).exists()
    assert codes(s)[-3:] == ["evaluation.recorded", "suggestion.evaluated", "suggestion.closed"]
    results = evaluation_results(s)
    assert results.first == results.final == [evaluation]


def test_evaluation_refusals(loop):
    w = loop.w
    s = loop.drive.to("reply_drafted")
    reply = replies(s)[0]
    with refused(InvalidTransition, match="办理中"):
        evaluate(reply, w.deputy)
    A.do_sign_off_reply(reply.assignment, actor=w.leader_a)
    for actor in (w.cosigner, w.clerk, w.handler_a, w.outsider, w.liaison):
        with refused(NotPermitted, match="只有领衔代表本人"):
            evaluate(reply, actor)
    with refused(ValidationFailed, code="rating_required"):
        evaluate(reply, w.deputy, attitude="great")
    with refused(ValidationFailed, code="contact_answer_required"):
        evaluate(reply, w.deputy, contact_happened=None)
    with refused(ValidationFailed, code="opinion_required", match="不满意"):
        evaluate(reply, w.deputy, overall="unsatisfied")
    with refused(ValidationFailed, code="opinion_required"):  # any rating 不满意 needs an opinion
        evaluate(reply, w.deputy, overall="basic", attitude="unsatisfied")
    policy = w.congress.policy
    policy.opinion_required_if_unsatisfied = False
    policy.save()
    evaluate(reply, w.deputy, overall="unsatisfied")
    assert refresh(s).state == "evaluated"


def test_split_needs_every_reply_evaluated(loop):
    w = loop.w
    s = loop.drive.to("replied", split=True)
    first, second = replies(s)
    evaluate(first, w.deputy)
    assert refresh(s).state == "replied"
    evaluate(second, w.deputy, overall="basic")
    assert refresh(s).state == "evaluated"
    assert codes(s)[-3:] == ["evaluation.recorded", "evaluation.recorded", "suggestion.evaluated"]


def test_no_feedback_only_after_the_deadline(loop):
    w = loop.w
    s = loop.drive.to("replied", split=True)
    first, _second = replies(s)
    evaluate(first, w.deputy)
    due = Deadline.objects.get(suggestion=s, kind="evaluation").due_on
    with refused(NotPermitted):  # a person cannot record "no feedback"
        A.do_mark_no_feedback(s, actor=w.clerk)
    with travel_to(due), refused(ValidationFailed, code="deadline_not_passed"):
        A.do_mark_no_feedback(s)
    assert list(suggestions_due_for_no_feedback(due)) == []
    after = due + datetime.timedelta(days=1)
    assert list(suggestions_due_for_no_feedback(after)) == [s]
    with travel_to(after):
        s = A.do_mark_no_feedback(s)
    assert s.state == "evaluated"
    kinds = list(Evaluation.objects.filter(suggestion=s).order_by("id").values_list("kind", flat=True))
    assert kinds == ["rated", "no_feedback"]
    deadline = Deadline.objects.get(suggestion=s, kind="evaluation")
    assert (deadline.close_reason, deadline.closed_on_time) == ("missed", False)
    assert codes(s)[-1] == "suggestion.no_feedback"
    with refused(InvalidTransition):
        A.do_mark_no_feedback(s)


def test_rehandling_then_coordination_meeting_then_close(loop):
    w = loop.w
    s = loop.drive.to("evaluated", co=True, overall="unsatisfied")
    first_round = list(Evaluation.objects.filter(suggestion=s))
    with refused(ValidationFailed, code="note_required"):
        A.do_order_rehandling(s, actor=w.clerk, note="")
    with refused(NotPermitted):
        A.do_order_rehandling(s, actor=w.coordinator, note="x")
    with refused(ValidationFailed, code="explanation_required"):
        A.do_close_suggestion(s, actor=w.clerk)
    created = A.do_order_rehandling(s, actor=w.clerk, note="请重新研究，加快进度")
    s = refresh(s)
    assert (s.state, s.round) == ("assigned", 2)
    assert [(a.unit, a.role, a.round) for a in created] == [(w.unit_a, "lead", 2), (w.unit_b, "co", 2)]
    lead2 = created[0]
    assert lead2.reply_due_on == get_calendar().add_months(timezone.localdate(), 1)
    assert set(Deadline.objects.filter(assignment=lead2).values_list("kind", flat=True)) == {
        "first_contact",
        "rehandle_reply",
    }
    # the first round's assignments stay as they were
    assert Assignment.objects.filter(suggestion=s, round=1, state="replied").count() == 1
    A.do_sign_assignment(lead2, actor=w.handler_a)
    with refused(ValidationFailed, code="rehandling_round"):  # no re-assignment request in round 2
        A.do_request_reassignment(lead2, actor=w.handler_a, reason="x")
    loop.drive.work(s)
    s = refresh(s)
    assert s.state == "replied"
    loop.drive.evaluate(s, overall="unsatisfied")
    s = refresh(s)
    assert s.state == "evaluated"
    with refused(ValidationFailed, code="already_rehandled"):
        A.do_order_rehandling(s, actor=w.clerk, note="再来一次")
    with refused(ValidationFailed, code="coordination_required"):
        A.do_close_suggestion(s, actor=w.clerk, explanation="已尽力")
    with refused(ValidationFailed, code="held_in_future"):
        A.do_record_coordination_meeting(
            s,
            actor=w.clerk,
            held_on=timezone.localdate() + datetime.timedelta(days=1),
            participants="x",
            outcome="x",
        )
    meeting = A.do_record_coordination_meeting(
        s,
        actor=w.clerk,
        held_on=timezone.localdate(),
        participants="代表、住建局、代表工委",
        outcome="列入明年计划",
    )
    assert meeting.round == 2
    with refused(ValidationFailed, code="already_recorded"):
        A.do_record_coordination_meeting(
            s, actor=w.clerk, held_on=timezone.localdate(), participants="x", outcome="x"
        )
    s = A.do_close_suggestion(s, actor=w.clerk, explanation="经协调会研究，列入明年计划，办结。")
    assert s.state == "closed"
    results = evaluation_results(s)
    assert results.first == first_round
    assert [e.round for e in results.final] == [2] and results.final[0].overall == "unsatisfied"


def test_rehandling_and_coordination_need_dissatisfaction(loop):
    w = loop.w
    s = loop.drive.to("evaluated")
    with refused(ValidationFailed, code="not_unsatisfied"):
        A.do_order_rehandling(s, actor=w.clerk, note="x")
    with refused(ValidationFailed, code="not_unsatisfied"):
        A.do_record_coordination_meeting(
            s, actor=w.clerk, held_on=timezone.localdate(), participants="x", outcome="x"
        )
    replied = loop.drive.to("replied")
    with refused(InvalidTransition, match="已答复待测评"):
        A.do_close_suggestion(replied, actor=w.clerk)


def test_commitments_stay_on_the_ledger_after_closing(loop):
    w = loop.w
    s = loop.drive.to("closed", result="B")
    (commitment,) = commitment_ledger(w.congress)
    deadline = Deadline.objects.get(commitment=commitment)
    assert deadline.is_open and deadline.due_on == commitment.due_on
    with refused(NotPermitted):
        A.do_report_commitment_progress(commitment, actor=w.handler_b, text="x")
    with refused(ValidationFailed, code="text_required"):
        A.do_report_commitment_progress(commitment, actor=w.handler_a, text="")
    progress = A.do_report_commitment_progress(commitment, actor=w.handler_a, text="已完成设计招标")
    assert progress.commitment == commitment
    with refused(NotPermitted):  # the clerk may explain, not report fulfilment
        A.do_fulfil_commitment(commitment, actor=w.clerk, note="x")
    with refused(ValidationFailed, code="note_required"):
        A.do_fulfil_commitment(commitment, actor=w.handler_a, note="")
    commitment = A.do_fulfil_commitment(commitment, actor=w.handler_a, note="改造已完工")
    assert commitment.state == "fulfilled" and list(commitment_ledger(w.congress)) == []
    assert refresh(deadline).closed_on_time is True
    with refused(InvalidTransition, match="已落实"):
        A.do_explain_commitment(commitment, actor=w.clerk, explanation="x")
    assert codes(s)[-2:] == ["commitment.progress_reported", "commitment.fulfilled"]


def test_commitment_explained_by_clerk_and_not_before_sign_off(loop):
    w = loop.w
    s = loop.drive.to("reply_drafted", result="B")
    commitment = replies(s)[0].commitments.get()
    with refused(InvalidTransition, code="reply_not_signed_off"):
        A.do_report_commitment_progress(commitment, actor=w.handler_a, text="x")
    A.do_sign_off_reply(replies(s)[0].assignment, actor=w.leader_a)
    with refused(ValidationFailed, code="explanation_required"):
        A.do_explain_commitment(commitment, actor=w.clerk, explanation="")
    commitment = A.do_explain_commitment(commitment, actor=w.clerk, explanation="资金未落实")
    assert commitment.state == "explained"
    assert Deadline.objects.get(commitment=commitment).close_reason == "missed"


def test_time_passes_deadlines_stay_honest(loop):
    """A reply signed off after the local target is recorded as late; the statutory one as met."""
    w = loop.w
    s = loop.drive.to("reply_drafted")
    lead = replies(s)[0].assignment
    with time_machine.travel(timezone.now() + datetime.timedelta(days=45), tick=False):
        A.do_sign_off_reply(lead, actor=w.leader_a)
    result = dict(Deadline.objects.filter(assignment=lead).values_list("kind", "closed_on_time"))
    assert result["reply"] is False and result["reply_statutory"] is True


def test_late_extension_request_is_refused_with_deadline_passed(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = Assignment.objects.get(suggestion=s)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=40), tick=False),
        refused(DeadlinePassed),
    ):
        A.do_request_extension(
            lead, actor=w.handler_a, reason="x", until=get_calendar().add_months(lead.assigned_on, 3)
        )
