"""Sending the outcome SMS to constituents.

Constituents have no account, so these messages do not go through the notifications inbox (whose
`Notice` needs a recipient user); `OutcomeNotice` is their own small outbox, with the same
guarantees:

- **Once per outcome.** The notice row has a unique key (see `selectors.outcome_of`), written in the
  transaction of `do_notify_constituent_of_outcome`; a second request for the same outcome is refused.
- **Sent after commit.** `delivery.send_after_commit` sends it as soon as the transaction commits (robustly:
  a gateway error never breaks the page), unless the congress is in its quiet hours
  (`Policy.quiet_hours_*`, default 21:00–08:00): then it waits for the end of them.
- **Claimed before sending.** A sender first moves the row ``pending`` → ``sending`` with a
  conditional update, so two senders never send the same row; it is then marked ``sent`` (with the
  time). A failure puts it back to ``pending`` later (growing pause), until ``failed`` after
  `MAX_ATTEMPTS`. A row left in ``sending`` by a dead process goes back to ``pending`` after
  `STALE_AFTER` (so, as with every gateway, a crash between the gateway's acceptance and the mark can
  send one message twice — never more).
- Rows that wait (quiet hours, retries) are sent by the `send_outcome_notices` task, queued with
  ``run_after``; `send_due()` can also be called from anywhere (it is idempotent; the periodic run
  calls it).

The sending and the task that sends are here, in one module, because a failed send queues the task
again; `delivery.send_after_commit` (what an action calls) imports them.
"""

from __future__ import annotations

import datetime
import logging

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from minyi.core import sms

from .models import OutcomeNotice

logger = logging.getLogger("minyi.intake")

MAX_ATTEMPTS = 5
STALE_AFTER = datetime.timedelta(minutes=15)
S = OutcomeNotice.Status


@task()
def send_outcome_notices() -> int:
    """Idempotent: running it twice sends nothing twice (rows are claimed before sending)."""
    return send_due()


def enqueue(run_after: datetime.datetime | None = None) -> None:
    """Queue the sending task (never raises: the rows stay pending for the next run of `send_due`)."""
    try:
        task = send_outcome_notices.using(run_after=run_after) if run_after else send_outcome_notices
        task.enqueue()
    except Exception:  # noqa: BLE001 — a queue problem only delays the message
        logger.exception("could not queue the outcome-notice task")


def _claim(pk: int, now: datetime.datetime) -> bool:
    return bool(
        OutcomeNotice.objects.filter(pk=pk, status=S.PENDING, send_after__lte=now).update(
            status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def send_one(pk: int, *, now: datetime.datetime | None = None) -> bool:
    """Claim and send one due notice; True if it was sent now."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return False
    notice = OutcomeNotice.objects.select_related("opinion").get(pk=pk)
    mine = OutcomeNotice.objects.filter(pk=pk, status=S.SENDING, claimed_at=now)
    phone = notice.opinion.constituent_phone
    try:
        if not phone:
            raise ValueError("the opinion has no phone number any more")
        sms.get_backend().send(phone, notice.text)
    except Exception as exc:  # noqa: BLE001 — recorded on the row, retried
        message = f"{type(exc).__name__}: {exc}"[:2000]
        if notice.attempts >= MAX_ATTEMPTS:
            mine.update(status=S.FAILED, last_error=message)
            logger.error("outcome notice %s failed for good: %s", pk, message)
        else:
            retry_at = timezone.now() + datetime.timedelta(minutes=min(2**notice.attempts, 60))
            mine.update(status=S.PENDING, send_after=retry_at, claimed_at=None, last_error=message)
            logger.warning(
                "outcome notice %s failed (attempt %s), will retry: %s", pk, notice.attempts, message
            )
            enqueue(run_after=retry_at)
        return False
    mine.update(status=S.SENT, sent_at=timezone.now(), last_error="")
    return True


def send_due(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Send every due notice (and take back rows a dead sender left); returns how many were sent."""
    now = now or timezone.now()
    OutcomeNotice.objects.filter(status=S.SENDING, claimed_at__lt=now - STALE_AFTER).update(
        status=S.PENDING, claimed_at=None, send_after=now
    )
    ids = list(
        OutcomeNotice.objects.filter(status=S.PENDING, send_after__lte=now)
        .order_by("send_after", "id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(send_one(pk, now=now) for pk in ids)
