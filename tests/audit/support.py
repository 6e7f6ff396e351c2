"""Checking the audit row of a download (issue #10: downloads of personal data are audited)."""

from __future__ import annotations

from typing import Any

from minyi.audit.models import AuditEvent
from minyi.audit.services import READ_CODES, verify_chain


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def read_rows_after(since: int) -> list[AuditEvent]:
    """The rows after `since`, leaving out sign-ins (`account.*`: a test client signing in)."""
    return list(AuditEvent.objects.filter(seq__gt=since).exclude(code__startswith="account.").order_by("seq"))


def assert_one_read_row(since: int, code: str, *, actor: Any, congress: Any, obj: Any) -> AuditEvent:
    """Exactly one audit row after `since`: `code`, by `actor` in `congress`, naming `obj` by type
    and id only (no name: that may be personal data), tied to no suggestion (timelines skip it)."""
    assert code in READ_CODES
    rows = read_rows_after(since)
    assert [r.code for r in rows] == [code]
    row = rows[0]
    assert (row.actor, row.congress_id) == (actor, congress.pk)
    assert (row.object_type, row.object_id, row.object_repr) == (obj._meta.label_lower, str(obj.pk), "")
    assert row.suggestion_id is None and row.target_user_id is None
    assert verify_chain().ok
    return row


SIGN_INS = ("account.signed_in", "account.sign_in_failed")


def domain_events():
    """Every audit row but sign-ins, which a test client writes each time it signs in."""
    return AuditEvent.objects.exclude(code__in=SIGN_INS)


def domain_event_count() -> int:
    """How many audit rows record a change or a read — "nothing was written" means this did not
    move, whoever signed in meanwhile."""
    return domain_events().count()
