"""The handling unit's steps through the API (/assignments/{id}/…) and the staff's decisions on
its requests: happy paths with their audit rows, and every refusal."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from minyi.congress.models import ResultClass
from minyi.suggestions import actions as act
from minyi.suggestions.models import Assignment, Suggestion

from .conftest import A, codes, invalid, not_found, ok, refused

pytestmark = pytest.mark.django_db


def lead(s):
    return s.assignments.get(role="lead", round=s.round)


def co(s):
    return s.assignments.get(role="co", round=s.round)


def url(a, tail=""):
    return f"{A}/assignments/{a.pk}{tail}"


def today(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


CONTACT = {"phase": "before", "method": "phone", "people": "承办人、代表", "summary": "电话听取意见。"}


# --- detail ----------------------------------------------------------------------------------------


def test_assignment_detail_for_the_lead_unit(api, loop):
    w = loop.w
    s = loop.drive.to("reply_drafted", co=True)
    body = ok(api.get(w.handler_a, url(lead(s))))
    assert body["suggestion"]["id"] == s.pk and body["role"] == "lead" and body["state"] == "reply_drafted"
    assert [c["method"] for c in body["contacts"]] == ["visit"]
    assert body["reply"]["body"] == "经研究，答复如下……" and body["reply"]["signed_off_at"] is None
    assert body["co_opinions"] == [
        {
            "assignment_id": co(s).pk,
            "unit": {"id": w.unit_b.pk, "name": "甲区教育局"},
            "state": "opinion_submitted",
            "state_label": "已提交协办意见",
            "opinion": "同意主办单位意见，将配合做好相关工作。",
            "submitted_at": body["co_opinions"][0]["submitted_at"],
        }
    ]
    kinds = {d["kind"] for d in body["deadlines"]}
    assert {"reassign_window", "first_contact", "reply", "reply_statutory"} <= kinds
    assert {a["action"] for a in body["actions"]} >= {"draft_reply", "request_extension", "log_contact"}
    leader = ok(api.get(w.leader_a, url(lead(s))))
    assert {a["action"] for a in leader["actions"]} >= {"sign_off_reply", "send_back_reply"}


def test_assignment_detail_is_404_outside_the_unit(api, loop):
    w = loop.w
    s = loop.drive.to("assigned")
    for user in (w.handler_b, w.deputy, w.outsider):
        not_found(api.get(user, url(lead(s))))
    not_found(api.get(w.handler_a, f"{A}/assignments/999999"))
    not_found(api.get(w.outsider, f"/congresses/beta/assignments/{lead(s).pk}"))
    # Oversight and the body's coordinator may look.
    assert ok(api.get(w.clerk, url(lead(s))))["id"] == lead(s).pk
    assert ok(api.get(w.coordinator, url(lead(s))))["id"] == lead(s).pk


# --- sign, contact, opinion -------------------------------------------------------------------------


def test_sign(api, loop):
    s = loop.drive.to("assigned")
    body = ok(api.post(loop.w.handler_a, url(lead(s), "/sign")))
    assert body["state"] == "signed" and body["signed_at"]
    assert codes(s)[-1] == "assignment.signed"


def test_sign_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("assigned")
    refused(api.post(w.coordinator, url(lead(s), "/sign")), 403, "not_permitted")
    refused(api.post(w.clerk, url(lead(s), "/sign")), 403, "not_permitted")
    not_found(api.post(w.handler_b, url(lead(s), "/sign")))
    ok(api.post(w.handler_a, url(lead(s), "/sign")))
    refused(api.post(w.handler_a, url(lead(s), "/sign")), 409, "invalid_transition")


def test_log_contact(api, loop):
    s = loop.drive.to("signed")
    body = ok(
        api.post(loop.w.handler_a, url(lead(s), "/contacts"), {**CONTACT, "contacted_on": today()}), 201
    )
    assert body["method"] == "phone" and body["state"] == "pending" and body["unit"]["id"] == loop.w.unit_a.pk
    assert Assignment.objects.get(pk=lead(s).pk).state == "handling"
    assert codes(s)[-1] == "contact.logged"


def test_log_contact_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("signed")
    path = url(lead(s), "/contacts")
    refused(api.post(w.handler_a, path, {**CONTACT, "contacted_on": today(1)}), 422, "contacted_in_future")
    refused(
        api.post(w.handler_a, path, {**CONTACT, "contacted_on": today(-400)}),
        422,
        "contacted_before_assignment",
    )
    refused(
        api.post(w.handler_a, path, {**CONTACT, "people": "", "contacted_on": today()}),
        422,
        "people_required",
    )
    invalid(api.post(w.handler_a, path, {**CONTACT, "phase": "someday", "contacted_on": today()}))
    invalid(api.post(w.handler_a, path, {**CONTACT, "method": "pigeon", "contacted_on": today()}))
    invalid(api.post(w.handler_a, path, CONTACT))
    refused(api.post(w.coordinator, path, {**CONTACT, "contacted_on": today()}), 403, "not_permitted")
    unsigned = loop.drive.to("assigned")
    refused(
        api.post(w.handler_a, url(lead(unsigned), "/contacts"), {**CONTACT, "contacted_on": today()}),
        409,
        "invalid_transition",
    )


def test_co_unit_opinion(api, loop):
    s = loop.drive.to("signed", co=True)
    body = ok(api.post(loop.w.handler_b, url(co(s), "/opinion"), {"opinion": "建议一并考虑学校周边。"}))
    assert body["state"] == "opinion_submitted"
    assert Assignment.objects.get(pk=co(s).pk).opinion == "建议一并考虑学校周边。"
    assert codes(s)[-1] == "assignment.opinion_submitted"


def test_co_unit_opinion_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("signed", co=True)
    refused(api.post(w.handler_a, url(lead(s), "/opinion"), {"opinion": "x"}), 422, "not_a_co_unit")
    refused(api.post(w.handler_b, url(co(s), "/opinion"), {"opinion": " "}), 422, "opinion_required")
    invalid(api.post(w.handler_b, url(co(s), "/opinion"), {}))
    not_found(api.post(w.handler_a, url(co(s), "/opinion"), {"opinion": "x"}))  # another unit's assignment
    refused(api.post(w.clerk, url(co(s), "/opinion"), {"opinion": "x"}), 403, "not_permitted")


# --- reply ---------------------------------------------------------------------------------------


def test_draft_reply_with_commitments(api, loop):
    s = loop.drive.to("contacted")
    payload = {
        "body": "经研究，列入明年计划。",
        "result_class_id": loop.taxa.result_b.pk,
        "commitments": [{"text": "明年六月前完成", "due_on": today(120)}],
    }
    body = ok(api.post(loop.w.handler_a, url(lead(s), "/reply"), payload))
    assert body["result_class"]["code"] == "B" and body["signed_off_at"] is None
    assert [c["text"] for c in body["commitments"]] == ["明年六月前完成"]
    assert codes(s)[-1] == "reply.drafted"


def test_draft_reply_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("contacted", co=True)
    path = url(lead(s), "/reply")
    refused(
        api.post(w.handler_a, path, {"body": "x", "result_class_id": loop.taxa.result_b.pk}),
        422,
        "commitments_required",
    )
    refused(
        api.post(w.handler_a, path, {"body": " ", "result_class_id": loop.taxa.result_a.pk}),
        422,
        "body_required",
    )
    refused(
        api.post(w.handler_a, path, {"body": "x", "result_class_id": 999999}), 422, "unknown_result_class"
    )
    foreign = ResultClass.objects.create(congress=w.other_congress, code="A", name="外区")
    refused(
        api.post(w.handler_a, path, {"body": "x", "result_class_id": foreign.pk}), 422, "unknown_result_class"
    )
    past = {"text": "已过期", "due_on": today(-1)}
    refused(
        api.post(
            w.handler_a, path, {"body": "x", "result_class_id": loop.taxa.result_b.pk, "commitments": [past]}
        ),
        422,
        "commitment_due_past",
    )
    invalid(
        api.post(
            w.handler_a,
            path,
            {"body": "x", "result_class_id": loop.taxa.result_a.pk, "commitments": [{"text": "x"}]},
        )
    )
    signed = loop.drive.to("signed", co=True)
    refused(
        api.post(
            w.handler_b, url(co(signed), "/reply"), {"body": "x", "result_class_id": loop.taxa.result_a.pk}
        ),
        422,
        "co_unit_does_not_reply",
    )
    refused(
        api.post(w.coordinator, path, {"body": "x", "result_class_id": loop.taxa.result_a.pk}),
        403,
        "not_permitted",
    )


def test_sign_off_reply(api, loop):
    s = loop.drive.to("reply_drafted")
    body = ok(api.post(loop.w.leader_a, url(lead(s), "/reply/sign-off"), {"note": "同意"}))
    assert body["signed_off_at"]
    assert Suggestion.objects.get(pk=s.pk).state == "replied"
    assert codes(s)[-2:] == ["reply.signed_off", "suggestion.replied"]


def test_sign_off_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("reply_drafted")
    refused(api.post(w.handler_a, url(lead(s), "/reply/sign-off")), 403, "not_permitted")
    refused(api.post(w.clerk, url(lead(s), "/reply/sign-off")), 403, "not_permitted")
    # Without a logged contact (the default policy requires one).
    signed = loop.drive.to("signed")
    act.do_draft_reply(lead(signed), actor=w.handler_a, body="答复", result_class=loop.taxa.result_a)
    refused(api.post(w.leader_a, url(lead(signed), "/reply/sign-off")), 422, "contact_missing")
    ok(api.post(w.leader_a, url(lead(s), "/reply/sign-off")))
    refused(api.post(w.leader_a, url(lead(s), "/reply/sign-off")), 409, "invalid_transition")


def test_send_back_reply(api, loop):
    s = loop.drive.to("reply_drafted")
    body = ok(api.post(loop.w.leader_a, url(lead(s), "/reply/send-back"), {"reason": "请写明时间表"}))
    assert body["state"] == "handling"
    assert ok(api.get(loop.w.handler_a, url(lead(s))))["reply"]["sent_back_reason"] == "请写明时间表"
    assert codes(s)[-1] == "reply.sent_back"


def test_send_back_refusals(api, loop):
    s = loop.drive.to("reply_drafted")
    refused(
        api.post(loop.w.leader_a, url(lead(s), "/reply/send-back"), {"reason": ""}), 422, "reason_required"
    )
    invalid(api.post(loop.w.leader_a, url(lead(s), "/reply/send-back"), {}))
    refused(
        api.post(loop.w.handler_a, url(lead(s), "/reply/send-back"), {"reason": "x"}), 403, "not_permitted"
    )


# --- re-assignment ---------------------------------------------------------------------------------


def test_reassignment_requested_and_approved_by_the_coordinator(api, loop):
    w = loop.w
    s = loop.drive.to("signed")
    body = ok(
        api.post(
            w.handler_a,
            url(lead(s), "/reassignment-request"),
            {"reason": "不属于本单位职责", "suggested_unit_id": w.unit_b.pk},
        )
    )
    assert body["status"] == "pending" and body["suggested_unit"]["id"] == w.unit_b.pk
    approved = ok(api.post(w.coordinator, url(lead(s), "/reassignment-request/approve"), {"note": "同意"}))
    assert approved["state"] == "cancelled"
    assert Suggestion.objects.get(pk=s.pk).state == "reassigning"
    assert codes(s)[-3:] == [
        "assignment.reassignment_requested",
        "assignment.reassignment_approved",
        "suggestion.reassigning",
    ]
    # The coordinator assigns the replacement.
    again = ok(api.post(w.coordinator, f"{A}/suggestions/{s.pk}/assign", {"lead_unit_ids": [w.unit_b.pk]}))
    assert again["suggestion"]["state"] == "assigned"


def test_reassignment_refused_by_the_clerk(api, loop):
    w = loop.w
    s = loop.drive.to("signed")
    ok(api.post(w.handler_a, url(lead(s), "/reassignment-request"), {"reason": "不属于本单位职责"}))
    refused(
        api.post(w.clerk, url(lead(s), "/reassignment-request/refuse"), {"note": " "}), 422, "reason_required"
    )
    invalid(api.post(w.clerk, url(lead(s), "/reassignment-request/refuse"), {}))
    refused(api.post(w.handler_a, url(lead(s), "/reassignment-request/approve"), {}), 403, "not_permitted")
    body = ok(api.post(w.clerk, url(lead(s), "/reassignment-request/refuse"), {"note": "属于本单位职责"}))
    assert body["state"] == "handling"
    assert codes(s)[-1] == "assignment.reassignment_refused"


def test_reassignment_request_refusals(api, loop):
    w = loop.w
    with time_machine.travel("2026-03-02 10:00 +0800", tick=True):
        s = loop.drive.to("signed")
    path = url(lead(s), "/reassignment-request")
    with time_machine.travel("2026-03-03 10:00 +0800", tick=True):
        refused(api.post(w.handler_a, path, {"reason": " "}), 422, "reason_required")
        refused(
            api.post(w.handler_a, path, {"reason": "x", "suggested_unit_id": 999999}),
            422,
            "unknown_suggested_unit",
        )
        invalid(api.post(w.handler_a, path, {}))
        refused(api.post(w.coordinator, path, {"reason": "x"}), 403, "not_permitted")
        refused(
            api.post(w.clerk, url(lead(s), "/reassignment-request/approve"), {}), 409, "invalid_transition"
        )
    # Five working days after 交办 (2026-03-02) the window is closed.
    with time_machine.travel("2026-03-10 10:00 +0800", tick=True):
        from .conftest import Api

        refused(Api().post(w.handler_a, path, {"reason": "太晚了"}), 409, "deadline_passed")


# --- extensions ------------------------------------------------------------------------------------


def test_extension_requested_and_approved(api, loop):
    w = loop.w
    s = loop.drive.to("signed")
    a = lead(s)
    until = (a.reply_due_on + datetime.timedelta(days=30)).isoformat()
    request = ok(
        api.post(w.handler_a, url(a, "/extension-requests"), {"reason": "需要实地调查", "until": until})
    )
    assert request["state"] == "pending" and request["requested_due_on"] == until
    detail = ok(api.get(w.clerk, url(a)))
    assert [x["action"] for x in detail["extension_requests"][0]["actions"]] == [
        "approve_extension",
        "refuse_extension",
    ]
    body = ok(api.post(w.clerk, url(a, f"/extension-requests/{request['id']}/approve"), {"note": "同意"}))
    assert body["state"] == "approved" and body["approved_due_on"] == until
    assert Assignment.objects.get(pk=a.pk).reply_due_on.isoformat() == until
    assert codes(s)[-2:] == ["extension.requested", "extension.approved"]


def test_extension_refused(api, loop):
    w = loop.w
    a = lead(loop.drive.to("signed"))
    until = (a.reply_due_on + datetime.timedelta(days=10)).isoformat()
    request = ok(api.post(w.handler_a, url(a, "/extension-requests"), {"reason": "需要时间", "until": until}))
    refused(
        api.post(w.clerk, url(a, f"/extension-requests/{request['id']}/refuse"), {"note": ""}),
        422,
        "reason_required",
    )
    body = ok(
        api.post(w.clerk, url(a, f"/extension-requests/{request['id']}/refuse"), {"note": "理由不充分"})
    )
    assert body["state"] == "refused"
    refused(
        api.post(w.clerk, url(a, f"/extension-requests/{request['id']}/approve"), {}),
        409,
        "invalid_transition",
    )


def test_extension_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("signed", co=True)
    a = lead(s)
    path = url(a, "/extension-requests")
    refused(
        api.post(w.handler_a, path, {"reason": "x", "until": a.reply_due_on.isoformat()}), 422, "not_later"
    )
    far = (a.assigned_on + datetime.timedelta(days=400)).isoformat()
    refused(api.post(w.handler_a, path, {"reason": "x", "until": far}), 422, "beyond_ceiling")
    invalid(api.post(w.handler_a, path, {"reason": "x"}))
    refused(
        api.post(w.handler_b, url(co(s), "/extension-requests"), {"reason": "x", "until": far}),
        422,
        "co_unit_does_not_reply",
    )
    refused(api.post(w.coordinator, path, {"reason": "x", "until": far}), 403, "not_permitted")
    until = (a.reply_due_on + datetime.timedelta(days=10)).isoformat()
    request = ok(api.post(w.handler_a, path, {"reason": "需要时间", "until": until}))
    refused(api.post(w.handler_a, path, {"reason": "再来一次", "until": until}), 422, "extension_pending")
    refused(
        api.post(w.coordinator, url(a, f"/extension-requests/{request['id']}/approve"), {}),
        403,
        "not_permitted",
    )
    refused(
        api.post(w.handler_a, url(a, f"/extension-requests/{request['id']}/approve"), {}),
        403,
        "not_permitted",
    )
    refused(
        api.post(
            w.clerk,
            url(a, f"/extension-requests/{request['id']}/approve"),
            {"until": a.reply_due_on.isoformat()},
        ),
        422,
        "not_later",
    )
    invalid(api.post(w.clerk, url(a, f"/extension-requests/{request['id']}/approve"), {"until": "later"}))
    not_found(api.post(w.clerk, url(a, "/extension-requests/999999/approve"), {}))
    other = lead(loop.drive.to("signed"))
    not_found(api.post(w.clerk, url(other, f"/extension-requests/{request['id']}/approve"), {}))


# --- commitments -----------------------------------------------------------------------------------


def commitment_path(s, action):
    a = lead(s)
    return url(a, f"/commitments/{a.reply.commitments.get().pk}/{action}")


def test_commitment_progress_and_fulfilment(api, loop):
    w = loop.w
    s = loop.drive.to("replied", result="B")
    body = ok(api.post(w.handler_a, commitment_path(s, "progress"), {"text": "已完成招标"}))
    assert body["state"] == "open"
    body = ok(api.post(w.leader_a, commitment_path(s, "fulfil"), {"note": "物业已进驻"}))
    assert body["state"] == "fulfilled" and body["closing_note"] == "物业已进驻"
    assert codes(s)[-2:] == ["commitment.progress_reported", "commitment.fulfilled"]


def test_commitment_explained_by_the_clerk(api, loop):
    s = loop.drive.to("replied", result="B")
    body = ok(api.post(loop.w.clerk, commitment_path(s, "explain"), {"explanation": "规划调整，无法实施"}))
    assert body["state"] == "explained"
    assert codes(s)[-1] == "commitment.explained"


def test_commitment_refusals(api, loop):
    w = loop.w
    s = loop.drive.to("replied", result="B")
    refused(api.post(w.handler_a, commitment_path(s, "progress"), {"text": " "}), 422, "text_required")
    invalid(api.post(w.handler_a, commitment_path(s, "fulfil"), {}))
    refused(api.post(w.clerk, commitment_path(s, "fulfil"), {"note": "x"}), 403, "not_permitted")
    refused(
        api.post(w.coordinator, commitment_path(s, "explain"), {"explanation": "x"}), 403, "not_permitted"
    )
    not_found(api.post(w.handler_b, commitment_path(s, "progress"), {"text": "x"}))
    not_found(api.post(w.handler_a, url(lead(s), "/commitments/999999/progress"), {"text": "x"}))
    other = loop.drive.to("replied", result="B")
    not_found(
        api.post(
            w.handler_a,
            url(lead(other), f"/commitments/{lead(s).reply.commitments.get().pk}/progress"),
            {"text": "x"},
        )
    )
    ok(api.post(w.handler_a, commitment_path(s, "fulfil"), {"note": "已落实"}))
    refused(
        api.post(w.handler_a, commitment_path(s, "explain"), {"explanation": "x"}), 409, "invalid_transition"
    )
    # A draft reply's commitment is not yet in force.
    drafted = loop.drive.to("reply_drafted", result="B")
    refused(
        api.post(w.handler_a, commitment_path(drafted, "progress"), {"text": "x"}),
        409,
        "reply_not_signed_off",
    )
