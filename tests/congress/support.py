"""Helpers shared by the congress page and action tests."""

from __future__ import annotations

from typing import Any

from minyi.audit.models import AuditEvent

#: Personas of congress alpha (and beta's admin) who may not manage alpha's roster.
NOT_ROSTER_MANAGERS = [
    "deputy",
    "cosigner",
    "liaison",
    "coordinator",
    "handler_a",
    "leader_a",
    "supervisor",
    "inspector",
    "judge",
    "viewer",
    "outsider",
]
#: … nor its policy or members (the clerk manages the roster, not these).
NOT_ADMINS = ["clerk", *NOT_ROSTER_MANAGERS]


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def only_event_after(seq: int) -> AuditEvent:
    events = events_after(seq)
    assert len(events) == 1, [e.code for e in events]
    return events[0]


def assert_event(
    event: AuditEvent,
    code: str,
    *,
    actor: Any,
    congress: Any,
    obj: Any,
    old: Any = None,
    new: Any = None,
    **fks: Any,
) -> None:
    assert event.code == code
    assert event.actor_id == actor.pk
    assert event.congress_id == congress.pk
    assert event.object_type == obj._meta.label_lower
    assert event.object_id == str(obj.pk)
    assert event.old == old
    assert event.new == new
    for name, value in fks.items():
        assert getattr(event, f"{name}_id") == (value.pk if value is not None else None), name
