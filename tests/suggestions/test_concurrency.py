"""Two people act on the same record at the same moment: exactly one succeeds, the other gets a
clean domain error, and nothing is lost or written twice (SQLite and PostgreSQL).

On PostgreSQL the second action waits on the row lock (`select_for_update`) and then sees the new
state. On SQLite the IMMEDIATE transactions serialise writers: the second writer waits on the busy
timeout (the test database is a file, as in a real deployment — see config/settings_test.py).
"""

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.core.errors import DomainError
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Reply, Suggestion, SuggestionCounter

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; each result is the return value or the error."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        close_old_connections()
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the result is inspected by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_sign_offs_of_the_same_reply(loop):
    w = loop.w
    s = loop.drive.to("reply_drafted")
    lead = Assignment.objects.get(suggestion=s)
    results = race(
        lambda: A.do_sign_off_reply(Assignment.objects.get(pk=lead.pk), actor=w.leader_a),
        lambda: A.do_sign_off_reply(Assignment.objects.get(pk=lead.pk), actor=w.leader_a),
    )
    ok = [r for r in results if isinstance(r, Reply)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 1 and len(refused) == 1, results
    assert refused[0].code == "invalid_transition"
    assert AuditEvent.objects.filter(suggestion=s, code="reply.signed_off").count() == 1
    assert AuditEvent.objects.filter(suggestion=s, code="suggestion.replied").count() == 1
    assert Suggestion.objects.get(pk=s.pk).state == "replied"
    assert verify_chain().ok


def test_sign_off_against_relieving_the_co_unit(loop):
    """The lead's sign-off needs the co-unit's opinion unless the co-unit is relieved. Racing the
    two: approval first → both succeed; sign-off first → it is refused and the approval succeeds.
    Never a sign-off that overlooked a pending co-unit."""
    w = loop.w
    s = loop.drive.to("signed", co=True)
    lead = Assignment.objects.get(suggestion=s, role="lead")
    co = Assignment.objects.get(suggestion=s, role="co")
    A.do_log_contact(
        lead,
        actor=w.handler_a,
        phase="before",
        method="phone",
        contacted_on=lead.assigned_on,
        people="承办人",
        summary="电话",
    )
    loop.drive.draft_reply(lead)
    A.do_request_reassignment(co, actor=w.handler_b, reason="不归我局")
    results = race(
        lambda: A.do_sign_off_reply(Assignment.objects.get(pk=lead.pk), actor=w.leader_a),
        lambda: A.do_approve_reassignment(Assignment.objects.get(pk=co.pk), actor=w.clerk),
    )
    signed_off, approved = results
    assert isinstance(approved, Assignment) and approved.state == "cancelled", results
    events = {e.code: e.seq for e in AuditEvent.objects.filter(suggestion=s)}
    if isinstance(signed_off, Reply):
        assert events["assignment.reassignment_approved"] < events["reply.signed_off"]
        assert Suggestion.objects.get(pk=s.pk).state == "replied"
    else:
        assert isinstance(signed_off, DomainError) and signed_off.code == "co_opinions_pending", results
        assert "reply.signed_off" not in events
        assert Assignment.objects.get(pk=lead.pk).state == "reply_drafted"


def test_reassignment_request_against_drafting_the_reply(loop):
    w = loop.w
    s = loop.drive.to("signed")
    lead = Assignment.objects.get(suggestion=s)
    results = race(
        lambda: A.do_request_reassignment(
            Assignment.objects.get(pk=lead.pk), actor=w.handler_a, reason="不归我们"
        ),
        lambda: A.do_draft_reply(
            Assignment.objects.get(pk=lead.pk),
            actor=w.handler_a,
            body="答复",
            result_class=loop.taxa.result_a,
        ),
    )
    ok = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(ok) == 1 and len(refused) == 1 and isinstance(refused[0], DomainError), results
    assert refused[0].code == "invalid_transition"
    state = Assignment.objects.get(pk=lead.pk).state
    codes = list(AuditEvent.objects.filter(assignment=lead).values_list("code", flat=True))
    if state == "reassign_requested":
        assert "assignment.reassignment_requested" in codes and "reply.drafted" not in codes
        assert not Reply.objects.filter(assignment=lead).exists()
    else:
        assert state == "reply_drafted" and "reply.drafted" in codes
        assert "assignment.reassignment_requested" not in codes


def test_two_clerks_accept_at_once_get_consecutive_numbers(loop):
    w = loop.w
    first, second = loop.drive.to("submitted"), loop.drive.to("submitted")
    results = race(
        lambda: A.do_accept_suggestion(Suggestion.objects.get(pk=first.pk), actor=w.clerk),
        lambda: A.do_accept_suggestion(Suggestion.objects.get(pk=second.pk), actor=w.admin),
    )
    assert all(isinstance(r, Suggestion) for r in results), results
    assert sorted(r.seq for r in results) == [1, 2]
    assert SuggestionCounter.objects.get(congress=w.congress).last == 2
