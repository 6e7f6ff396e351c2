"""Tenancy for every congress-scoped operation, taken from the OpenAPI schema so that a new endpoint
is covered the day it is added: a member of another congress gets 404 — under this congress's code
and under their own congress's code with this congress's ids — and nothing is written."""

import datetime
import re

import pytest
from django.utils import timezone

from minyi.suggestions import actions as act
from minyi.suggestions.models import Assignment
from tests.audit.support import domain_event_count

from .conftest import not_found, ok

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

#: A valid body for each operation that needs one (validation runs before the view, so an invalid
#: body would be refused with 422 before tenancy is checked).
BODIES = {
    "create_suggestion": {"title": "越权建议"},
    "update_suggestion": {"title": "越权修改"},
    "invite_cosigner": {"deputy_id": 1},
    "withdraw_suggestion": {"reason": "x"},
    "request_withdrawal": {"reason": "x"},
    "answer_withdrawal": {"agree": True},
    "return_suggestion": {"reason": "x"},
    "decline_suggestion": {"reason_id": 1, "disposition": "returned"},
    "merge_suggestion": {"into_id": 1},
    "forward_suggestion": {"body_id": 1},
    "evaluate_reply": {
        "attitude": "satisfied",
        "result": "satisfied",
        "overall": "satisfied",
        "contact_happened": True,
    },
    "order_rehandling": {"note": "x"},
    "record_coordination_meeting": {"held_on": TODAY.isoformat(), "participants": "x", "outcome": "x"},
    "dispute_contact": {"note": "x"},
    "request_reassignment": {"reason": "x"},
    "refuse_reassignment": {"note": "x"},
    "log_contact": {
        "phase": "before",
        "method": "phone",
        "contacted_on": TODAY.isoformat(),
        "people": "x",
        "summary": "x",
    },
    "submit_opinion": {"opinion": "x"},
    "draft_reply": {"body": "x", "result_class_id": 1},
    "send_back_reply": {"reason": "x"},
    "request_extension": {"reason": "x", "until": (TODAY + datetime.timedelta(days=40)).isoformat()},
    "refuse_extension": {"note": "x"},
    "update_policy": {"review_days": 4},
    "report_commitment_progress": {"text": "x"},
    "fulfil_commitment": {"note": "x"},
    "explain_commitment": {"explanation": "x"},
}


def congress_operations(api):
    schema = ok(api.get(None, "/openapi.json"))
    for path, ops in schema["paths"].items():
        if "/congresses/{code}" not in path:
            continue
        for method, op in ops.items():
            yield method, path.removeprefix("/api/v1"), op["operationId"]


@pytest.fixture
def ids(loop):
    """A suggestion with every kind of record an id in a path can name."""
    w, drive = loop.w, loop.drive
    s = drive.to("replied", co=True, cosign=True, result="B")
    a = s.assignments.get(role="lead")
    contact = a.contacts.get()
    extension_for = drive.to("signed")
    b = extension_for.assignments.get(role="lead")
    extension = act.do_request_extension(
        b, actor=w.handler_a, reason="x", until=b.reply_due_on + datetime.timedelta(days=5)
    )
    joint = drive.to("submitted", cosign=True)
    withdrawal = act.do_request_withdrawal(joint, actor=w.deputy, reason="x")
    return {
        "suggestion_id": s.pk,
        "assignment_id": a.pk,
        "cosigner_id": s.cosigners.get().pk,
        "reply_id": a.reply.pk,
        "contact_id": contact.pk,
        "commitment_id": a.reply.commitments.get().pk,
        "request_id": extension.pk,
        "_extension_assignment": b.pk,
        "_withdrawal": (joint.pk, withdrawal.pk),
    }


def fill(path: str, code: str, ids: dict) -> str:
    values = dict(ids)
    if "extension-requests/{request_id}" in path:
        values["assignment_id"] = ids["_extension_assignment"]
    if "withdrawal-requests/{request_id}" in path:
        values["suggestion_id"], values["request_id"] = ids["_withdrawal"]
    return path.format(code=code, **{k: v for k, v in values.items() if not k.startswith("_")})


def test_every_congress_operation_is_404_for_a_member_of_another_congress(api, loop, ids):
    outsider = loop.w.outsider
    operations = list(congress_operations(api))
    assert len(operations) > 40
    before = domain_event_count()
    states = list(Assignment.objects.order_by("pk").values_list("state", flat=True))
    checked = 0
    for method, path, operation_id in operations:
        name = next((n for n in BODIES if operation_id.endswith("_" + n)), None)
        body = BODIES.get(name, {})
        # Under their own congress's code only paths naming one of our records can be probed.
        own_ids = set(re.findall(r"{(\w+)}", path)) != {"code"}
        for code in ("alpha", "beta") if own_ids else ("alpha",):
            url = fill(path, code, ids)
            response = (
                api.get(outsider, url) if method == "get" else getattr(api, method)(outsider, url, body)
            )
            assert response.status_code == 404, (method, url, response.status_code, response.content[:300])
            not_found(response)
            checked += 1
    assert checked >= 80
    assert domain_event_count() == before
    assert list(Assignment.objects.order_by("pk").values_list("state", flat=True)) == states


def test_a_member_cannot_reach_records_through_another_suggestion(api, loop, ids):
    """Child ids (co-signer, reply, contact, request) only resolve under their own parent."""
    w = loop.w
    other = loop.drive.to("replied")
    other_a = other.assignments.get(role="lead")
    evaluation = BODIES["evaluate_reply"]
    not_found(
        api.post(
            w.deputy,
            f"/congresses/alpha/suggestions/{other.pk}/replies/{ids['reply_id']}/evaluate",
            evaluation,
        )
    )
    not_found(
        api.post(
            w.deputy, f"/congresses/alpha/suggestions/{other.pk}/contacts/{ids['contact_id']}/confirm", {}
        )
    )
    not_found(
        api.post(
            w.cosigner, f"/congresses/alpha/suggestions/{other.pk}/cosigners/{ids['cosigner_id']}/confirm", {}
        )
    )
    not_found(
        api.post(
            w.clerk,
            f"/congresses/alpha/assignments/{other_a.pk}/extension-requests/{ids['request_id']}/refuse",
            {"note": "x"},
        )
    )
