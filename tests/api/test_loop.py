"""The whole loop through the API only, as automation would drive it: each persona signs in with its
own session, fetches a CSRF token and sends it on every unsafe request; each finds its next step in
its 待办. deputy (+ co-signer) → clerk → coordinator → units → leader → deputy → clerk closes."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from minyi.audit.services import verify_chain
from tests.suggestions.conftest import lead_and_co_round

from .conftest import PREFIX, A, codes, content_json

pytestmark = pytest.mark.django_db


class Session:
    """A persona's own browser-like session: cookie auth, CSRF enforced."""

    def __init__(self, user) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.token = self.get("/csrf")["csrf_token"]

    def get(self, path, params=None):
        response = self.client.get(PREFIX + path, params or {})
        assert response.status_code == 200, (path, response.content.decode()[:500])
        return response.json()

    def post(self, path, data=None, status=200):
        response = self.client.post(
            PREFIX + path, data or {}, content_type="application/json", HTTP_X_CSRFTOKEN=self.token
        )
        assert response.status_code == status, (path, response.status_code, response.content.decode()[:500])
        return response.json()

    def todo(self, key):
        return next(s for s in self.get(f"{A}/worklist") if s["key"] == key)["items"]


def test_the_whole_loop_through_the_api(loop):
    w, taxa = loop.w, loop.taxa
    deputy, cosigner, clerk = Session(w.deputy), Session(w.cosigner), Session(w.clerk)
    coordinator, handler_a, handler_b, leader_a = (
        Session(w.coordinator),
        Session(w.handler_a),
        Session(w.handler_b),
        Session(w.leader_a),
    )

    # The deputy drafts, invites a co-signer who confirms, and submits.
    s = deputy.post(f"{A}/suggestions", content_json(taxa), status=201)
    sid = s["id"]
    invitation = deputy.post(
        f"{A}/suggestions/{sid}/cosigners", {"deputy_id": w.cosigner.deputy_records.get().pk}
    )
    assert [i["id"] for i in cosigner.todo("cosign_invitations")] == [invitation["id"]]
    cosigner.post(f"{A}/suggestions/{sid}/cosigners/{invitation['id']}/confirm")
    assert deputy.post(f"{A}/suggestions/{sid}/submit")["state"] == "submitted"

    # The clerk reviews: accepts (numbered) and forwards to the government's coordinator.
    assert [i["suggestion"]["id"] for i in clerk.todo("to_review")] == [sid]
    accepted = clerk.post(f"{A}/suggestions/{sid}/accept", {"note": "符合立案条件"})
    assert accepted["number"] == f"甲区〔{timezone.localdate().year}〕第1号"
    clerk.post(f"{A}/suggestions/{sid}/forward", {"body_id": w.gov.pk})

    # The coordinator assigns a lead unit and a co-unit.
    assert [i["suggestion"]["id"] for i in coordinator.todo("to_dispatch")] == [sid]
    assigned = coordinator.post(
        f"{A}/suggestions/{sid}/assign", {"lead_unit_ids": [w.unit_a.pk], "co_unit_ids": [w.unit_b.pk]}
    )
    lead_id, co_id = (a["id"] for a in assigned["assignments"])

    # The units sign; the co-unit sends its opinion; the lead unit contacts the deputy, who confirms.
    assert [i["id"] for i in handler_a.todo("to_sign")] == [lead_id]
    handler_a.post(f"{A}/assignments/{lead_id}/sign")
    handler_b.post(f"{A}/assignments/{co_id}/sign")
    handler_b.post(f"{A}/assignments/{co_id}/opinion", {"opinion": "同意主办单位意见，配合做好工作。"})
    contact = handler_a.post(
        f"{A}/assignments/{lead_id}/contacts",
        {
            "phase": "before",
            "method": "visit",
            "contacted_on": timezone.localdate().isoformat(),
            "people": "住建局承办人、领衔代表",
            "summary": "上门听取代表意见，察看小区现场。",
        },
        status=201,
    )
    assert [i["id"] for i in deputy.todo("contacts_to_confirm")] == [contact["id"]]
    deputy.post(f"{A}/suggestions/{sid}/contacts/{contact['id']}/confirm", {"note": "属实"})

    # The handler drafts a class-B reply with a commitment; the leader signs it off.
    due = (timezone.localdate() + datetime.timedelta(days=120)).isoformat()
    handler_a.post(
        f"{A}/assignments/{lead_id}/reply",
        {
            "body": "经研究，已将老旧小区物业引入列入明年计划。",
            "result_class_id": taxa.result_b.pk,
            "commitments": [{"text": "明年六月前完成引入物业", "due_on": due}],
        },
    )
    assert [i["id"] for i in leader_a.todo("to_sign_off")] == [lead_id]
    reply = leader_a.post(f"{A}/assignments/{lead_id}/reply/sign-off", {"note": "同意签发"})

    # The deputy reads the reply and evaluates it.
    detail = deputy.get(f"{A}/suggestions/{sid}")
    assert detail["state"] == "replied"
    assert [r["id"] for r in detail["replies"]] == [reply["id"]]
    assert [i["id"] for i in deputy.todo("to_evaluate")] == [reply["id"]]
    deputy.post(
        f"{A}/suggestions/{sid}/replies/{reply['id']}/evaluate",
        {"attitude": "satisfied", "result": "basic", "overall": "satisfied", "contact_happened": True},
    )

    # The clerk closes; the commitment stays on the unit's ledger.
    assert [i["suggestion"]["id"] for i in clerk.todo("to_close")] == [sid]
    assert clerk.post(f"{A}/suggestions/{sid}/close", {})["state"] == "closed"
    assert [i["kind"] for i in handler_a.todo("commitments")] == ["commitment"]

    assert codes(sid) == [
        "suggestion.created",
        "cosigner.invited",
        "cosigner.confirmed",
        "suggestion.submitted",
        "suggestion.accepted",
        "suggestion.forwarded",
        "suggestion.assigned",
        *lead_and_co_round(confirmed=True),
        "suggestion.closed",
    ]
    timeline = [e["code"] for e in deputy.get(f"{A}/suggestions/{sid}/timeline")]
    assert timeline[0] == "suggestion.created" and timeline[-1] == "suggestion.closed"
    assert "reply.drafted" not in timeline  # the unit's internal step
    assert verify_chain().ok
