"""Every action refuses people of another congress and people without a role in the loop, and
changes nothing when it does."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from minyi.core.errors import NotPermitted
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Commitment, Contact, CoSigner, Reply

from .conftest import content, make_deputy, refused
from .test_attachments import PDF


def _calls(loop):
    """(name, function of the actor) for every action, on records in the state the action expects."""
    w, d, taxa = loop.w, loop.drive, loop.taxa
    today = timezone.localdate()
    draft = d.to("draft")
    invited = A.do_invite_cosigner(draft, actor=w.deputy, deputy=w.cosigner.deputy_records.get())
    submitted = d.to("submitted")
    joint = d.to("submitted", cosign=True)
    other = make_deputy(w.congress, "third")
    joint2 = d.to("draft", cosign=True)
    A.do_confirm_cosign(
        A.do_invite_cosigner(joint2, actor=w.deputy, deputy=other.deputy_records.get()), actor=other
    )
    joint2 = A.do_submit_suggestion(joint2, actor=w.deputy)
    withdrawal = A.do_request_withdrawal(joint2, actor=w.deputy, reason="撤回")
    accepted = d.to("accepted")
    forwarded = d.to("forwarded")
    assigned = d.to("assigned")
    signed = d.to("signed", co=True)
    lead = Assignment.objects.get(suggestion=signed, role="lead")
    co = Assignment.objects.get(suggestion=signed, role="co")
    asking = d.to("signed")
    asking_a = Assignment.objects.get(suggestion=asking)
    A.do_request_reassignment(asking_a, actor=w.handler_a, reason="x")
    drafted = d.to("reply_drafted", result="B")
    drafted_a = Assignment.objects.get(suggestion=drafted)
    extension = A.do_request_extension(
        drafted_a, actor=w.handler_a, reason="x", until=drafted_a.reply_due_on + datetime.timedelta(days=5)
    )
    contact = Contact.objects.filter(assignment=drafted_a).first()
    replied = d.to("replied", result="B")
    reply = Reply.objects.get(assignment__suggestion=replied)
    commitment = Commitment.objects.get(reply=reply)
    unhappy = d.to("evaluated", overall="unsatisfied")
    attachment = A.do_add_attachment(draft, actor=w.deputy, upload=ContentFile(PDF, name="a.pdf"))
    return [
        (
            "create",
            lambda u: A.do_create_suggestion(w.congress, actor=u, lead=draft.lead, content=content(taxa)),
        ),
        ("update", lambda u: A.do_update_suggestion(draft, actor=u, content=content(taxa))),
        ("attach", lambda u: A.do_add_attachment(draft, actor=u, upload=ContentFile(PDF, name="a.pdf"))),
        ("remove_attachment", lambda u: A.do_remove_attachment(attachment, actor=u)),
        ("invite", lambda u: A.do_invite_cosigner(draft, actor=u, deputy=other.deputy_records.get())),
        ("revoke", lambda u: A.do_revoke_cosigner(invited, actor=u)),
        ("confirm_cosign", lambda u: A.do_confirm_cosign(CoSigner.objects.get(pk=invited.pk), actor=u)),
        ("decline_cosign", lambda u: A.do_decline_cosign(invited, actor=u)),
        ("submit", lambda u: A.do_submit_suggestion(draft, actor=u)),
        ("withdraw", lambda u: A.do_withdraw_suggestion(submitted, actor=u, reason="x")),
        ("request_withdrawal", lambda u: A.do_request_withdrawal(joint, actor=u, reason="x")),
        ("answer_withdrawal", lambda u: A.do_answer_withdrawal(withdrawal, actor=u, agree=True)),
        ("accept", lambda u: A.do_accept_suggestion(submitted, actor=u)),
        ("return", lambda u: A.do_return_suggestion(submitted, actor=u, reason="x")),
        (
            "decline",
            lambda u: A.do_decline_suggestion(
                submitted, actor=u, reason=taxa.exclusion, disposition="returned"
            ),
        ),
        ("merge", lambda u: A.do_merge_suggestion(submitted, actor=u, into=accepted)),
        ("forward", lambda u: A.do_forward_suggestion(accepted, actor=u, body=w.gov)),
        ("assign", lambda u: A.do_assign_units(forwarded, actor=u, lead_units=[w.unit_a])),
        ("sign", lambda u: A.do_sign_assignment(Assignment.objects.get(suggestion=assigned), actor=u)),
        ("request_reassignment", lambda u: A.do_request_reassignment(lead, actor=u, reason="x")),
        ("approve_reassignment", lambda u: A.do_approve_reassignment(asking_a, actor=u)),
        ("refuse_reassignment", lambda u: A.do_refuse_reassignment(asking_a, actor=u, note="x")),
        (
            "log_contact",
            lambda u: A.do_log_contact(
                lead, actor=u, phase="before", method="phone", contacted_on=today, people="x", summary="x"
            ),
        ),
        ("confirm_contact", lambda u: A.do_confirm_contact(contact, actor=u)),
        ("dispute_contact", lambda u: A.do_dispute_contact(contact, actor=u, note="x")),
        ("submit_opinion", lambda u: A.do_submit_opinion(co, actor=u, opinion="x")),
        ("draft_reply", lambda u: A.do_draft_reply(lead, actor=u, body="x", result_class=taxa.result_a)),
        ("send_back", lambda u: A.do_send_back_reply(drafted_a, actor=u, reason="x")),
        ("sign_off", lambda u: A.do_sign_off_reply(drafted_a, actor=u)),
        (
            "request_extension",
            lambda u: A.do_request_extension(
                lead, actor=u, reason="x", until=lead.reply_due_on + datetime.timedelta(days=5)
            ),
        ),
        ("approve_extension", lambda u: A.do_approve_extension(extension, actor=u)),
        ("refuse_extension", lambda u: A.do_refuse_extension(extension, actor=u, note="x")),
        (
            "evaluate",
            lambda u: A.do_evaluate_reply(
                reply,
                actor=u,
                attitude="satisfied",
                result="satisfied",
                overall="satisfied",
                contact_happened=True,
            ),
        ),
        ("mark_no_feedback", lambda u: A.do_mark_no_feedback(replied, actor=u)),
        ("order_rehandling", lambda u: A.do_order_rehandling(unhappy, actor=u, note="x")),
        (
            "coordination",
            lambda u: A.do_record_coordination_meeting(
                unhappy, actor=u, held_on=today, participants="x", outcome="x"
            ),
        ),
        ("close", lambda u: A.do_close_suggestion(unhappy, actor=u, explanation="x")),
        ("progress", lambda u: A.do_report_commitment_progress(commitment, actor=u, text="x")),
        ("fulfil", lambda u: A.do_fulfil_commitment(commitment, actor=u, note="x")),
        ("explain", lambda u: A.do_explain_commitment(commitment, actor=u, explanation="x")),
    ]


@pytest.fixture
def media(settings, tmp_path):
    from .test_attachments import use_tmp_storage

    use_tmp_storage(settings, tmp_path)


@pytest.mark.usefixtures("media")
def test_every_action_refuses_strangers(loop):
    w = loop.w
    calls = _calls(loop)
    assert len(calls) == len([name for name in A.__all__ if name.startswith("do_")])
    for name, call in calls:
        for stranger in (w.outsider, w.judge):  # another congress's admin; a member with no part in it
            with refused(NotPermitted):
                try:
                    call(stranger)
                except NotPermitted:
                    raise
                except Exception as exc:  # pragma: no cover - shows which action misbehaved
                    raise AssertionError(f"{name}: {exc!r}") from exc
