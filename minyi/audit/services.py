"""`record()` — the one writer of audit rows — and the chain verifier.

`register_listener(codes, callback)`: an app above (the search index, `minyi.textsearch`) asks to be
called with each new row of the given codes, right after `record()` wrote it, inside the same
transaction — so what it derives from the change commits or rolls back with it. Audit sits at the
bottom layer and imports no app; the apps register from their `AppConfig.ready()`."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from . import events
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64

#: Rows that record a *reading* of personal data, not a change: an export asked for, an export
#: file or a stored file (attachment, photo, evidence, import error list) handed out
#: (`minyi.core.pages.serve_file`, `record_download`). Who/what only — never the data itself.
#: They move no figure (`reports.dashboard.data_version` skips them) and are tied to no
#: suggestion, so no timeline shows them. The types flagged `read` in `events.TYPES`.
READ_CODES = events.READ_CODES
_NOT_HASHED = {"id", "hash"}

#: code → the callbacks `record()` calls with each new row of that code (`register_listener`).
_listeners: dict[str, list[Callable[[AuditEvent], None]]] = {}


def register_listener(codes: Iterable[str], callback: Callable[[AuditEvent], None]) -> None:
    """Call `callback(event)` after `record()` wrote a row of one of `codes`, inside the change's
    transaction (an exception rolls the change back). Each code must be declared in `events.TYPES`;
    registering the same callback twice for a code adds it once."""
    for code in codes:
        events.get(code)  # UndeclaredEventCode for a code nobody records
        callbacks = _listeners.setdefault(code, [])
        if callback not in callbacks:
            callbacks.append(callback)


def _normalise(value: Any) -> Any:
    """What a JSON field gives back after a round trip through the database."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _payload(event: AuditEvent) -> bytes:
    data: dict[str, Any] = {}
    for field in AuditEvent._meta.concrete_fields:
        if field.name in _NOT_HASHED:
            continue
        value = getattr(event, field.attname)
        if value is None or value == "":
            continue  # new nullable columns added later do not change old rows' hashes
        if field.attname == "created_at":
            value = value.astimezone(UTC).isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        data[field.attname] = value
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_payload(event)).hexdigest()


def describe(obj: models.Model | None) -> dict[str, str]:
    if obj is None:
        return {}
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk), "object_repr": str(obj)[:200]}


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON-ready values (foreign keys by id)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
    return _normalise(out)


def record(
    code: str,
    *,
    actor: Any,
    congress: Any = None,
    obj: models.Model | None = None,
    unit: Any = None,
    target_user: Any = None,
    old: Any = None,
    new: Any = None,
    note: str = "",
    correlation_id: uuid.UUID | None = None,
    **typed_fks: Any,
) -> AuditEvent:
    """Append one audit row. Must run inside the transaction of the change it records. `code` must
    be declared in `events.TYPES` (`UndeclaredEventCode` otherwise), and a row tied to a
    suggestion must be of a type that some timeline shows."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the transaction of the change")
    event_type = events.get(code)
    if typed_fks.get("suggestion") is not None and event_type.timeline is events.Timeline.NONE:
        raise events.EventCodeError(
            f"audit code {code!r} is declared on no timeline but was recorded with a suggestion"
        )
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    event = AuditEvent(
        seq=head.seq + 1,
        code=code,
        actor=actor if getattr(actor, "pk", None) else None,
        congress=congress,
        unit=unit,
        target_user=target_user,
        old=_normalise(old),
        new=_normalise(new),
        note=note,
        prev_hash=head.hash,
        **describe(obj),
        **typed_fks,
    )
    if correlation_id:
        event.correlation_id = correlation_id
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    for callback in _listeners.get(code, ()):
        callback(event)
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_hash: str
    problem: str = ""
    seq: int | None = None


def _iter_events(batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain() -> VerifyResult:
    """Walk the chain from the first row; report the first row altered, inserted or removed."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for event in _iter_events():
        if event.seq != expected_seq:
            return VerifyResult(
                False, checked, expected_prev, f"row {expected_seq} is missing (removed)", expected_seq
            )
        if event.prev_hash != expected_prev:
            return VerifyResult(
                False, checked, expected_prev, f"row {event.seq} does not follow its predecessor", event.seq
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(False, checked, expected_prev, f"row {event.seq} was altered", event.seq)
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != checked or head.hash != expected_prev):
        return VerifyResult(
            False,
            checked,
            expected_prev,
            f"the chain ends at row {checked} but the head says row {head.seq} (rows removed at the end)",
            checked + 1,
        )
    return VerifyResult(True, checked, expected_prev)
