"""One whole loop, step by step through the real actions, with the exact audit sequence."""

import datetime

from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.suggestions import actions as A
from minyi.suggestions.models import Deadline

from .conftest import codes, content, lead_and_co_round


def test_full_loop_audit_sequence(loop):
    w, taxa = loop.w, loop.taxa
    today = timezone.localdate()
    deputy = w.deputy.deputy_records.get()
    cosigner = w.cosigner.deputy_records.get()

    s = A.do_create_suggestion(w.congress, actor=w.liaison, lead=deputy, content=content(taxa))
    A.do_update_suggestion(s, actor=w.deputy, content=content(taxa, proposals="建议引入物业并给予补贴。"))
    A.do_confirm_cosign(A.do_invite_cosigner(s, actor=w.deputy, deputy=cosigner), actor=w.cosigner)
    A.do_submit_suggestion(s, actor=w.deputy)
    A.do_return_suggestion(s, actor=w.clerk, reason="请补充小区名单")
    A.do_update_suggestion(s, actor=w.deputy, content=content(taxa, facts="涉及A、B、C三个小区。"))
    A.do_submit_suggestion(s, actor=w.deputy)
    A.do_accept_suggestion(s, actor=w.clerk)
    A.do_forward_suggestion(s, actor=w.clerk, body=w.gov)
    lead, co = A.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_a], co_units=[w.unit_b])
    A.do_sign_assignment(lead, actor=w.handler_a)
    A.do_sign_assignment(co, actor=w.handler_b)
    A.do_submit_opinion(co, actor=w.handler_b, opinion="配合做好")
    contact = A.do_log_contact(
        lead,
        actor=w.handler_a,
        phase="before",
        method="visit",
        contacted_on=today,
        people="承办人",
        summary="走访",
    )
    A.do_confirm_contact(contact, actor=w.deputy)
    reply = A.do_draft_reply(
        lead,
        actor=w.handler_a,
        body="列入明年计划",
        result_class=taxa.result_b,
        commitments=[A.CommitmentInput("明年完成改造", today + datetime.timedelta(days=200))],
    )
    A.do_send_back_reply(lead, actor=w.leader_a, reason="措辞")
    A.do_draft_reply(
        lead,
        actor=w.handler_a,
        body="列入明年计划（修改）",
        result_class=taxa.result_b,
        commitments=[A.CommitmentInput("明年完成改造", today + datetime.timedelta(days=200))],
    )
    A.do_sign_off_reply(lead, actor=w.leader_a)
    A.do_evaluate_reply(
        reply, actor=w.deputy, attitude="satisfied", result="unsatisfied", overall="unsatisfied",
        contact_happened=True, opinion="进度太慢",
    )  # fmt: skip
    lead2, co2 = A.do_order_rehandling(s, actor=w.clerk, note="请加快进度")
    loop.drive.work(s)
    loop.drive.evaluate(s, overall="satisfied")
    A.do_close_suggestion(s, actor=w.clerk, explanation="重新办理后代表满意")
    commitment = reply.commitments.get()
    A.do_report_commitment_progress(commitment, actor=w.handler_a, text="已立项")
    A.do_fulfil_commitment(commitment, actor=w.handler_a, note="已完工")

    assert codes(s) == [
        "suggestion.created",
        "suggestion.updated",
        "cosigner.invited",
        "cosigner.confirmed",
        "suggestion.submitted",
        "suggestion.returned",
        "suggestion.updated",
        "suggestion.submitted",
        "suggestion.accepted",
        "suggestion.forwarded",
        "suggestion.assigned",
        *lead_and_co_round(confirmed=True, sent_back=True),
        "suggestion.rehandling_ordered",
        # round 2, by the driver: no confirmation of the contact, no sending back
        *lead_and_co_round(),
        "suggestion.closed",
        "commitment.progress_reported",
        "commitment.fulfilled",
    ]
    events = list(AuditEvent.objects.filter(suggestion=s).order_by("seq"))
    # who did it, and the unit/assignment of the unit's steps
    by_code = {}
    for e in events:
        by_code.setdefault(e.code, e)
    assert by_code["suggestion.created"].actor == w.liaison
    assert by_code["suggestion.submitted"].actor == w.deputy
    assert by_code["assignment.signed"].unit == w.unit_a and by_code["assignment.signed"].assignment == lead
    assert by_code["reply.sent_back"].note == "措辞"
    assert by_code["suggestion.accepted"].old == {"state": "submitted"}
    assert by_code["suggestion.accepted"].new["state"] == "accepted"
    # one correlation id per call: assigning wrote three rows with one id
    assigned = [e for e in events if e.code in ("suggestion.assigned", "assignment.created")][:3]
    assert len({e.correlation_id for e in assigned}) == 1
    assert verify_chain().ok
    # every deadline of the loop is closed except none: the commitment was fulfilled
    assert not Deadline.objects.filter(suggestion=s, closed_at__isnull=True).exists()
    assert lead2.round == co2.round == 2
