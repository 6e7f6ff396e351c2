"""The deputy's and the congress staff's steps through the API: each endpoint's happy path (same
audit rows as the action) and its refusals (wrong role, wrong state, bad input)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.congress.models import Category, ExclusionReason
from minyi.suggestions import actions as act
from minyi.suggestions.models import CoSigner, Suggestion
from tests.audit.support import domain_event_count, domain_events
from tests.factories import DeputyFactory, UnitFactory

from .conftest import A, codes, content_json, invalid, not_found, ok, refused

pytestmark = pytest.mark.django_db


def url(s, tail=""):
    return f"{A}/suggestions/{s.pk if hasattr(s, 'pk') else s}{tail}"


def last_codes(n):
    return list(domain_events().order_by("-seq").values_list("code", flat=True)[:n])[::-1]


# --- create / update -------------------------------------------------------------------------------


def test_deputy_creates_a_draft(api, loop):
    body = ok(api.post(loop.w.deputy, f"{A}/suggestions", content_json(loop.taxa)), 201)
    s = Suggestion.objects.get(pk=body["id"])
    assert body["state"] == "draft" and body["lead"]["name"] == "领衔代表"
    assert s.lead.user == loop.w.deputy and s.entered_by == loop.w.deputy
    assert list(s.theme_tags.all()) == [loop.taxa.theme]
    assert codes(s) == ["suggestion.created"]


def test_liaison_clerk_creates_a_draft_for_a_deputy(api, loop):
    lead = loop.w.deputy.deputy_records.get()
    body = ok(
        api.post(loop.w.liaison, f"{A}/suggestions", {"title": "代录入的建议", "lead_id": lead.pk}), 201
    )
    s = Suggestion.objects.get(pk=body["id"])
    assert s.lead == lead and s.entered_by == loop.w.liaison


def test_create_refusals(api, loop):
    w, taxa = loop.w, loop.taxa
    refused(
        api.post(
            w.handler_a, f"{A}/suggestions", {"title": "x", "lead_id": w.deputy.deputy_records.get().pk}
        ),
        403,
        "not_permitted",
    )
    refused(api.post(w.clerk, f"{A}/suggestions", {"title": "x"}), 422, "lead_required")
    invalid(api.post(w.deputy, f"{A}/suggestions", {"facts": "无案由"}))
    invalid(api.post(w.deputy, f"{A}/suggestions", {"title": "x", "kind": "weekly"}))
    invalid(api.post(w.deputy, f"{A}/suggestions", {"title": "x", "collected_on": "yesterday"}))
    invalid(api.post(w.deputy, f"{A}/suggestions", {"title": "x", "unknown": 1}))
    refused(api.post(w.deputy, f"{A}/suggestions", {"title": " "}), 422, "title_required")
    refused(api.post(w.deputy, f"{A}/suggestions", {"title": "长" * 201}), 422, "title_too_long")
    refused(
        api.post(w.deputy, f"{A}/suggestions", {"title": "x", "category_id": 999999}), 422, "unknown_category"
    )
    foreign = Category.objects.create(congress=w.other_congress, name="外区分类")
    refused(
        api.post(w.deputy, f"{A}/suggestions", {"title": "x", "category_id": foreign.pk}),
        422,
        "unknown_category",
    )
    refused(
        api.post(w.deputy, f"{A}/suggestions", {"title": "x", "theme_tag_ids": [taxa.theme.pk, 999999]}),
        422,
        "unknown_theme_tag",
    )
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused(
        api.post(w.deputy, f"{A}/suggestions", {"title": "x", "collected_on": tomorrow}),
        422,
        "collected_in_future",
    )
    foreign_deputy = DeputyFactory(congress=w.other_congress)
    refused(
        api.post(w.liaison, f"{A}/suggestions", {"title": "x", "lead_id": foreign_deputy.pk}),
        422,
        "unknown_lead",
    )
    assert not Suggestion.objects.exists()


def test_update_a_draft(api, loop):
    s = loop.drive.to("draft")
    body = ok(api.put(loop.w.deputy, url(s), content_json(loop.taxa, title="新的案由", theme_tag_ids=[])))
    assert body["title"] == "新的案由"
    event = AuditEvent.objects.get(code="suggestion.updated")
    assert event.old == {"title": s.title, "theme_tags": [loop.taxa.theme.pk]}
    assert event.new == {"title": "新的案由", "theme_tags": []}


def test_update_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("draft", cosign=True)
    refused(api.put(w.cosigner, url(s), content_json(loop.taxa)), 403, "not_permitted")
    invalid(api.put(w.deputy, url(s), {"title": 5, "facts": []}))
    act.do_submit_suggestion(s, actor=w.deputy)
    refused(api.put(w.deputy, url(s), content_json(loop.taxa)), 409, "invalid_transition")
    assert codes(s)[-1] == "suggestion.submitted"


# --- co-signers ------------------------------------------------------------------------------------


def test_invite_confirm_decline_revoke(api, loop):
    w = loop.w
    s = loop.drive.to("draft")
    cosigner_deputy = w.cosigner.deputy_records.get()
    invited = ok(api.post(w.deputy, url(s, "/cosigners"), {"deputy_id": cosigner_deputy.pk}))
    assert invited["state"] == "invited" and invited["deputy"]["id"] == cosigner_deputy.pk
    # The invited deputy now sees the suggestion, with the moves open to them.
    detail = ok(api.get(w.cosigner, url(s)))
    assert [a["action"] for a in detail["cosigners"][0]["actions"]] == ["confirm_cosign", "decline_cosign"]
    lead_view = ok(api.get(w.deputy, url(s)))["cosigners"][0]["actions"]
    assert [a["action"] for a in lead_view] == ["revoke_cosigner"]
    confirmed = ok(api.post(w.cosigner, url(s, f"/cosigners/{invited['id']}/confirm")))
    assert confirmed["state"] == "confirmed"
    declined = ok(api.post(w.cosigner, url(s, f"/cosigners/{invited['id']}/decline")))
    assert declined["state"] == "declined"
    again = ok(api.post(w.deputy, url(s, "/cosigners"), {"deputy_id": cosigner_deputy.pk}))
    revoked = ok(api.post(w.deputy, url(s, f"/cosigners/{again['id']}/revoke")))
    assert revoked["state"] == "revoked"
    steps = ["invited", "confirmed", "declined", "invited", "revoked"]
    assert codes(s) == ["suggestion.created", *(f"cosigner.{step}" for step in steps)]


def test_cosigner_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("draft")
    lead = w.deputy.deputy_records.get()
    refused(api.post(w.deputy, url(s, "/cosigners"), {"deputy_id": lead.pk}), 422, "lead_cannot_cosign")
    refused(api.post(w.deputy, url(s, "/cosigners"), {"deputy_id": 999999}), 422, "unknown_deputy")
    no_account = DeputyFactory(congress=w.congress, number="N001")
    refused(
        api.post(w.deputy, url(s, "/cosigners"), {"deputy_id": no_account.pk}), 422, "deputy_without_account"
    )
    invalid(api.post(w.deputy, url(s, "/cosigners"), {}))
    invitation = act.do_invite_cosigner(s, actor=w.deputy, deputy=w.cosigner.deputy_records.get())
    # Only the invited deputy answers; only the drafters invite or revoke.
    refused(api.post(w.deputy, url(s, f"/cosigners/{invitation.pk}/confirm")), 403, "not_permitted")
    refused(api.post(w.cosigner, url(s, "/cosigners"), {"deputy_id": lead.pk}), 403, "not_permitted")
    refused(api.post(w.cosigner, url(s, f"/cosigners/{invitation.pk}/revoke")), 403, "not_permitted")
    not_found(api.post(w.cosigner, url(s, "/cosigners/999999/confirm")))
    other = loop.drive.to("draft")
    not_found(api.post(w.deputy, url(other, f"/cosigners/{invitation.pk}/revoke")))
    assert CoSigner.objects.get(pk=invitation.pk).state == "invited"


# --- submit / withdraw -----------------------------------------------------------------------------


def test_submit(api, loop):
    s = loop.drive.to("draft")
    body = ok(api.post(loop.w.deputy, url(s, "/submit")))
    assert body["state"] == "submitted" and body["submitted_at"]
    assert codes(s) == ["suggestion.created", "suggestion.submitted"]


def test_submit_refusals(api, loop):
    w = loop.w
    lead = w.deputy.deputy_records.get()
    entered = act.do_create_suggestion(
        w.congress, actor=w.liaison, content=act.SuggestionContent(title="只有案由"), lead=lead
    )
    refused(api.post(w.liaison, url(entered, "/submit")), 403, "not_permitted")
    refused(api.post(w.deputy, url(entered, "/submit")), 422, "incomplete")
    s = loop.drive.to("submitted")
    refused(api.post(w.deputy, url(s, "/submit")), 409, "invalid_transition")
    not_found(api.post(w.clerk, url(entered, "/submit")))  # a draft the clerk cannot see


def test_withdraw(api, loop):
    s = loop.drive.to("submitted")
    body = ok(api.post(loop.w.deputy, url(s, "/withdraw"), {"reason": "问题已解决"}))
    assert body["state"] == "withdrawn"
    event = AuditEvent.objects.get(code="suggestion.withdrawn")
    assert event.note == "问题已解决"


def test_withdraw_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("submitted", cosign=True)
    refused(api.post(w.deputy, url(s, "/withdraw"), {"reason": ""}), 422, "reason_required")
    refused(api.post(w.deputy, url(s, "/withdraw"), {"reason": "不再需要"}), 422, "cosigners_must_agree")
    refused(api.post(w.clerk, url(s, "/withdraw"), {"reason": "x"}), 403, "not_permitted")
    assigned = loop.drive.to("assigned")
    refused(api.post(w.deputy, url(assigned, "/withdraw"), {"reason": "x"}), 409, "invalid_transition")


def test_joint_withdrawal_request_and_answer(api, loop):
    w = loop.w
    s = loop.drive.to("submitted", cosign=True)
    request = ok(api.post(w.deputy, url(s, "/withdrawal-requests"), {"reason": "情况已变化"}))
    assert request["state"] == "pending" and request["consents"][0]["answer"] == "pending"
    refused(
        api.post(w.deputy, url(s, f"/withdrawal-requests/{request['id']}/answer"), {"agree": True}),
        403,
        "not_permitted",
    )
    invalid(
        api.post(w.cosigner, url(s, f"/withdrawal-requests/{request['id']}/answer"), {"agree": "perhaps"})
    )
    answered = ok(
        api.post(w.cosigner, url(s, f"/withdrawal-requests/{request['id']}/answer"), {"agree": True})
    )
    assert answered["state"] == "agreed"
    assert Suggestion.objects.get(pk=s.pk).state == "withdrawn"
    assert codes(s)[-3:] == ["withdrawal.requested", "withdrawal.agreed", "suggestion.withdrawn"]
    not_found(api.post(w.cosigner, url(s, "/withdrawal-requests/999999/answer"), {"agree": True}))


def test_withdrawal_request_refusals(api, loop):
    s = loop.drive.to("submitted")
    refused(api.post(loop.w.deputy, url(s, "/withdrawal-requests"), {"reason": "x"}), 422, "no_cosigners")
    invalid(api.post(loop.w.deputy, url(s, "/withdrawal-requests"), {}))


# --- review ----------------------------------------------------------------------------------------


def test_accept(api, loop):
    s = loop.drive.to("submitted")
    body = ok(api.post(loop.w.clerk, url(s, "/accept"), {"note": "符合立案条件"}))
    assert body["state"] == "accepted"
    assert body["number"] == f"甲区〔{timezone.localdate().year}〕第1号"
    assert codes(s)[-1] == "suggestion.accepted"


def test_accept_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("submitted")
    for user in (w.deputy, w.supervisor):
        refused(api.post(user, url(s, "/accept")), 403, "not_permitted")
    not_found(api.post(w.handler_a, url(s, "/accept")))  # cannot see it at all
    not_found(api.post(w.viewer, url(s, "/accept")))  # nor the viewer: under review (decision 0009)
    invalid(api.post(w.clerk, url(s, "/accept"), {"note": ["a"]}))
    act.do_accept_suggestion(s, actor=w.clerk)
    refused(api.post(w.clerk, url(s, "/accept")), 409, "invalid_transition")


def test_return(api, loop):
    s = loop.drive.to("submitted")
    body = ok(api.post(loop.w.clerk, url(s, "/return"), {"reason": "请补充具体建议"}))
    assert body["state"] == "returned"
    assert ok(api.get(loop.w.deputy, url(s)))["return_reason"] == "请补充具体建议"
    # The deputy revises and submits again.
    ok(api.put(loop.w.deputy, url(s), content_json(loop.taxa, proposals="补充后的建议")))
    assert ok(api.post(loop.w.deputy, url(s, "/submit")))["state"] == "submitted"
    assert codes(s)[-3:] == ["suggestion.returned", "suggestion.updated", "suggestion.submitted"]


def test_return_refusals(api, loop):
    s = loop.drive.to("submitted")
    refused(api.post(loop.w.clerk, url(s, "/return"), {"reason": "  "}), 422, "reason_required")
    invalid(api.post(loop.w.clerk, url(s, "/return"), {}))
    refused(api.post(loop.w.deputy, url(s, "/return"), {"reason": "x"}), 403, "not_permitted")


def test_decline(api, loop):
    s = loop.drive.to("submitted")
    payload = {"reason_id": loop.taxa.exclusion.pk, "disposition": "for_reference", "note": "转有关部门参考"}
    body = ok(api.post(loop.w.clerk, url(s, "/decline"), payload))
    assert body["state"] == "declined"
    detail = ok(api.get(loop.w.deputy, url(s)))
    assert detail["decline_reason"]["name"] == "没有具体内容"
    assert detail["decline_disposition"] == "for_reference"
    assert codes(s)[-1] == "suggestion.declined"


def test_decline_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("submitted")
    invalid(
        api.post(w.clerk, url(s, "/decline"), {"reason_id": loop.taxa.exclusion.pk, "disposition": "shred"})
    )
    refused(
        api.post(w.clerk, url(s, "/decline"), {"reason_id": 999999, "disposition": "returned"}),
        422,
        "unknown_reason",
    )
    foreign = ExclusionReason.objects.create(congress=w.other_congress, name="外区情形")
    refused(
        api.post(w.clerk, url(s, "/decline"), {"reason_id": foreign.pk, "disposition": "returned"}),
        422,
        "unknown_reason",
    )
    inactive = ExclusionReason.objects.create(congress=w.congress, name="停用情形", active=False)
    refused(
        api.post(w.clerk, url(s, "/decline"), {"reason_id": inactive.pk, "disposition": "returned"}),
        422,
        "inactive",
    )
    refused(
        api.post(
            w.deputy, url(s, "/decline"), {"reason_id": loop.taxa.exclusion.pk, "disposition": "returned"}
        ),
        403,
        "not_permitted",
    )


def test_merge(api, loop):
    main = loop.drive.to("accepted")
    dup = loop.drive.to("submitted")
    body = ok(api.post(loop.w.clerk, url(dup, "/merge"), {"into_id": main.pk, "note": "内容相同"}))
    assert body["state"] == "merged"
    assert codes(dup)[-1] == "suggestion.merged" and codes(main)[-1] == "suggestion.merged_in"
    # The deputy of the merged suggestion can read the main one.
    assert ok(api.get(loop.w.deputy, url(main)))["id"] == main.pk


def test_merge_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("submitted")
    refused(api.post(w.clerk, url(s, "/merge"), {"into_id": s.pk}), 422, "merge_into_itself")
    refused(api.post(w.clerk, url(s, "/merge"), {"into_id": 999999}), 422, "unknown_into")
    other = loop.drive.to("submitted")
    refused(api.post(w.clerk, url(s, "/merge"), {"into_id": other.pk}), 422, "bad_main")
    draft = loop.drive.to("draft")
    refused(
        api.post(w.clerk, url(s, "/merge"), {"into_id": draft.pk}), 422, "unknown_into"
    )  # not visible to the clerk
    refused(api.post(w.deputy, url(s, "/merge"), {"into_id": other.pk}), 403, "not_permitted")
    invalid(api.post(w.clerk, url(s, "/merge"), {"into_id": "the other one"}))


def test_forward(api, loop):
    s = loop.drive.to("accepted")
    body = ok(api.post(loop.w.clerk, url(s, "/forward"), {"body_id": loop.w.gov.pk}))
    assert body["state"] == "forwarded" and body["forwarded_to"]["id"] == loop.w.gov.pk
    assert codes(s)[-1] == "suggestion.forwarded"
    # The body's coordinator now sees it.
    assert ok(api.get(loop.w.coordinator, url(s)))["state"] == "forwarded"


def test_forward_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("accepted")
    refused(api.post(w.clerk, url(s, "/forward"), {"body_id": w.unit_a.pk}), 422, "not_a_body")
    refused(api.post(w.clerk, url(s, "/forward"), {"body_id": 999999}), 422, "unknown_body")
    refused(api.post(w.deputy, url(s, "/forward"), {"body_id": w.gov.pk}), 403, "not_permitted")
    invalid(api.post(w.clerk, url(s, "/forward"), {}))


def test_assign_lead_and_co_units_by_the_coordinator(api, loop):
    w = loop.w
    s = loop.drive.to("forwarded")
    body = ok(
        api.post(
            w.coordinator, url(s, "/assign"), {"lead_unit_ids": [w.unit_a.pk], "co_unit_ids": [w.unit_b.pk]}
        )
    )
    assert body["suggestion"]["state"] == "assigned"
    assert [(a["unit"]["id"], a["role"], a["state"]) for a in body["assignments"]] == [
        (w.unit_a.pk, "lead", "assigned"),
        (w.unit_b.pk, "co", "assigned"),
    ]
    assert body["assignments"][0]["reply_due_on"]
    assert codes(s)[-3:] == ["suggestion.assigned", "assignment.created", "assignment.created"]


def test_assign_split_directly_by_the_clerk(api, loop):
    w = loop.w
    s = loop.drive.to("accepted")
    body = ok(
        api.post(w.clerk, url(s, "/assign"), {"lead_unit_ids": [w.unit_a.pk, w.unit_b.pk], "split": True})
    )
    assert [a["role"] for a in body["assignments"]] == ["split", "split"]


def test_assign_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("forwarded")
    refused(
        api.post(w.coordinator, url(s, "/assign"), {"lead_unit_ids": [w.unit_a.pk, w.unit_b.pk]}),
        422,
        "one_lead",
    )
    refused(
        api.post(w.coordinator, url(s, "/assign"), {"lead_unit_ids": [w.unit_a.pk], "split": True}),
        422,
        "split_needs_units",
    )
    refused(api.post(w.coordinator, url(s, "/assign"), {"lead_unit_ids": [999999]}), 422, "unknown_lead_unit")
    foreign = UnitFactory(congress=w.other_congress)
    refused(
        api.post(
            w.coordinator, url(s, "/assign"), {"lead_unit_ids": [w.unit_a.pk], "co_unit_ids": [foreign.pk]}
        ),
        422,
        "unknown_co_unit",
    )
    not_found(api.post(w.handler_a, url(s, "/assign"), {"lead_unit_ids": [w.unit_a.pk]}))  # not theirs yet
    refused(api.post(w.deputy, url(s, "/assign"), {"lead_unit_ids": [w.unit_a.pk]}), 403, "not_permitted")
    invalid(api.post(w.coordinator, url(s, "/assign"), {"lead_unit_ids": "unit a"}))
    assert Suggestion.objects.get(pk=s.pk).state == "forwarded"


# --- evaluation, re-handling, closing ------------------------------------------------------------------


def reply_id(s):
    return s.assignments.get(role="lead", round=s.round).reply.pk


EVALUATION = {
    "attitude": "satisfied",
    "result": "satisfied",
    "overall": "satisfied",
    "contact_happened": True,
}


def test_evaluate(api, loop):
    s = loop.drive.to("replied")
    body = ok(api.post(loop.w.deputy, url(s, f"/replies/{reply_id(s)}/evaluate"), EVALUATION))
    assert body["overall"] == "satisfied" and body["overall_label"] == "满意" and body["round"] == 1
    assert Suggestion.objects.get(pk=s.pk).state == "evaluated"
    assert codes(s)[-2:] == ["evaluation.recorded", "suggestion.evaluated"]


def test_evaluate_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("replied")
    path = url(s, f"/replies/{reply_id(s)}/evaluate")
    refused(api.post(w.deputy, path, {**EVALUATION, "overall": "unsatisfied"}), 422, "opinion_required")
    invalid(api.post(w.deputy, path, {**EVALUATION, "overall": "so-so"}))
    invalid(api.post(w.deputy, path, {"attitude": "satisfied"}))
    refused(api.post(w.clerk, path, EVALUATION), 403, "not_permitted")
    not_found(api.post(w.deputy, url(s, "/replies/999999/evaluate"), EVALUATION))
    drafted = loop.drive.to("reply_drafted")
    # A draft reply is not the deputy's to see, so not theirs to evaluate.
    not_found(api.post(w.deputy, url(drafted, f"/replies/{reply_id(drafted)}/evaluate"), EVALUATION))
    ok(api.post(w.deputy, path, EVALUATION))
    refused(api.post(w.deputy, path, EVALUATION), 409, "invalid_transition")


def test_rehandle_after_unsatisfied(api, loop):
    s = loop.drive.to("evaluated", overall="unsatisfied")
    body = ok(api.post(loop.w.clerk, url(s, "/rehandle"), {"note": "请重新研究"}))
    assert body["suggestion"]["state"] == "assigned" and body["suggestion"]["round"] == 2
    assert [(a["round"], a["role"]) for a in body["assignments"]] == [(2, "lead")]
    assert codes(s)[-2:] == ["suggestion.rehandling_ordered", "assignment.created"]


def test_rehandle_refusals(api, loop):
    w = loop.w
    satisfied = loop.drive.to("evaluated")
    refused(api.post(w.clerk, url(satisfied, "/rehandle"), {"note": "x"}), 422, "not_unsatisfied")
    s = loop.drive.to("evaluated", overall="unsatisfied")
    refused(api.post(w.clerk, url(s, "/rehandle"), {"note": ""}), 422, "note_required")
    invalid(api.post(w.clerk, url(s, "/rehandle"), {}))
    refused(api.post(w.deputy, url(s, "/rehandle"), {"note": "x"}), 403, "not_permitted")
    replied = loop.drive.to("replied")
    refused(api.post(w.clerk, url(replied, "/rehandle"), {"note": "x"}), 409, "invalid_transition")


def test_second_unsatisfied_needs_a_coordination_meeting_before_closing(api, loop):
    w = loop.w
    s = loop.drive.to("evaluated", overall="unsatisfied")
    act.do_order_rehandling(s, actor=w.clerk, note="重新办理")
    loop.drive.work(s)  # round 2: signed, contacted, replied
    loop.drive.evaluate(s, overall="unsatisfied")
    refused(api.post(w.clerk, url(s, "/close"), {"explanation": "已尽力"}), 422, "coordination_required")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    meeting = {"held_on": tomorrow, "participants": "工委、住建局、代表", "outcome": "达成共识"}
    refused(api.post(w.clerk, url(s, "/coordination-meeting"), meeting), 422, "held_in_future")
    invalid(api.post(w.clerk, url(s, "/coordination-meeting"), {"held_on": "soon"}))
    refused(
        api.post(
            w.deputy,
            url(s, "/coordination-meeting"),
            {**meeting, "held_on": timezone.localdate().isoformat()},
        ),
        403,
        "not_permitted",
    )
    body = ok(
        api.post(
            w.clerk, url(s, "/coordination-meeting"), {**meeting, "held_on": timezone.localdate().isoformat()}
        )
    )
    assert body["round"] == 2 and body["outcome"] == "达成共识"
    closed = ok(api.post(w.clerk, url(s, "/close"), {"explanation": "经协调会说明后办结"}))
    assert closed["state"] == "closed"
    assert codes(s)[-2:] == ["suggestion.coordination_recorded", "suggestion.closed"]


def test_close(api, loop):
    s = loop.drive.to("evaluated")
    body = ok(api.post(loop.w.clerk, url(s, "/close"), {}))
    assert body["state"] == "closed" and body["closed_at"]
    assert codes(s)[-1] == "suggestion.closed"


def test_close_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("evaluated", overall="unsatisfied")
    refused(api.post(w.clerk, url(s, "/close"), {}), 422, "explanation_required")
    refused(api.post(w.deputy, url(s, "/close"), {"explanation": "x"}), 403, "not_permitted")
    invalid(api.post(w.clerk, url(s, "/close"), {"explanation": {"a": 1}}))
    replied = loop.drive.to("replied")
    refused(api.post(w.clerk, url(replied, "/close"), {}), 409, "invalid_transition")


# --- the deputy answers a logged contact -------------------------------------------------------------


def contact_id(s):
    return s.assignments.get(role="lead").contacts.get().pk


def test_confirm_and_dispute_a_contact(api, loop):
    w = loop.w
    s = loop.drive.to("contacted")
    body = ok(api.post(w.deputy, url(s, f"/contacts/{contact_id(s)}/confirm"), {"note": "属实"}))
    assert body["state"] == "confirmed" and body["deputy_note"] == "属实"
    other = loop.drive.to("contacted")
    body = ok(api.post(w.deputy, url(other, f"/contacts/{contact_id(other)}/dispute"), {"note": "没有上门"}))
    assert body["state"] == "disputed"
    assert codes(s)[-1] == "contact.confirmed" and codes(other)[-1] == "contact.disputed"


def test_contact_answer_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("contacted")
    cid = contact_id(s)
    refused(api.post(w.handler_a, url(s, f"/contacts/{cid}/confirm"), {}), 403, "not_permitted")
    refused(api.post(w.deputy, url(s, f"/contacts/{cid}/dispute"), {"note": " "}), 422, "reason_required")
    invalid(api.post(w.deputy, url(s, f"/contacts/{cid}/dispute"), {}))
    not_found(api.post(w.deputy, url(s, "/contacts/999999/confirm"), {}))
    other = loop.drive.to("contacted")
    not_found(api.post(w.deputy, url(other, f"/contacts/{cid}/confirm"), {}))  # not that suggestion's
    ok(api.post(w.deputy, url(s, f"/contacts/{cid}/confirm"), {}))
    refused(
        api.post(w.deputy, url(s, f"/contacts/{cid}/dispute"), {"note": "改主意"}), 409, "invalid_transition"
    )


@time_machine.travel("2026-03-02 10:00 +0800", tick=True)
def test_nothing_is_written_when_refused(api, loop):
    s = loop.drive.to("submitted")
    before = domain_event_count()
    refused(api.post(loop.w.deputy, url(s, "/accept")), 403, "not_permitted")
    invalid(api.post(loop.w.clerk, url(s, "/decline"), {"disposition": "returned"}))
    assert domain_event_count() == before
    assert last_codes(1) == ["suggestion.submitted"]
