"""The outbox: e-mail and SMS for notices, sent by workers after commit.

Guarantees (see docs/user-guide/notifications.md, "可靠性"):

- **Exactly once per key in the inbox.** A notice is a row with a unique key; its `Delivery` rows are
  written in the same transaction (`queue_deliveries`), so a notice never exists without them.
- **At least once at the transport.** A worker *claims* due rows (``pending`` → ``sending``, with
  its id and the time; `select_for_update(skip_locked=True)` on PostgreSQL so two workers never take
  the same row, IMMEDIATE transactions on SQLite), sends each, and marks it ``sent`` at once. A worker
  killed between the SMTP server accepting a message and that mark leaves the row in ``sending``;
  `sweep` puts it back to ``pending`` after `stale_after()`, and it is sent again — so a message can
  arrive twice, at most once more per crash, and only the one in flight. Every copy carries the same
  ``Message-ID`` (derived from the notice's key), so mail clients and servers can drop the duplicate.
- **Quiet hours.** Nothing is sent while the congress's policy says quiet (`Policy.quiet_hours_*`,
  default 21:00–08:00): rows written at night wait until the end of the quiet period, and a worker
  does not claim rows of a congress that is quiet now. In-app notices are created at any hour.
- Failures are retried with a growing pause, up to `MAX_ATTEMPTS`, then the row is ``failed`` with
  the error (the notice stays in the inbox).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.congress.models import Congress, Policy
from minyi.core import sms
from minyi.core.quiet_hours import quiet_until

from .models import Delivery, Notice
from .sql import insert_select

logger = logging.getLogger("minyi.notifications")

MAX_ATTEMPTS = 5
#: Rows a worker claims at a time (each is marked sent as soon as it is sent).
CLAIM_BATCH = 10
#: Kinds that also go out by SMS (every kind goes by e-mail when the person has an address).
SMS_KINDS = frozenset(
    {
        Notice.Kind.OVERDUE,
        Notice.Kind.ESCALATED,
        Notice.Kind.EVALUATION,
        Notice.Kind.URGED,
        Notice.Kind.DEADLINE_CHANGED,
    }
)


def stale_after() -> datetime.timedelta:
    """How long a row (or one of our tasks) may stay claimed before it counts as abandoned by a dead
    worker. Longer than a worker ever needs: `CLAIM_BATCH` × the SMTP timeout."""
    return datetime.timedelta(seconds=getattr(settings, "MINYI_DELIVERY_STALE_SECONDS", 900))


def smtp_timeout() -> float:
    return float(getattr(settings, "EMAIL_TIMEOUT", None) or 30)


# --- quiet hours (the rule itself, `quiet_until`, is minyi.core.quiet_hours: shared with intake) ----


def congress_policies(congress_ids: Iterable[int] | None = None) -> dict[int, Policy]:
    """The policy of every active congress (defaults for a congress without a policy row): one query."""
    qs = Congress.objects.filter(active=True).select_related("policy")
    if congress_ids is not None:
        qs = qs.filter(pk__in=list(congress_ids))
    policies = {}
    for congress in qs:
        try:
            policies[congress.pk] = congress.policy
        except Policy.DoesNotExist:
            policies[congress.pk] = Policy(congress=congress)
    return policies


def quiet_congresses(policies: dict[int, Policy], now: datetime.datetime) -> dict[int, datetime.datetime]:
    """Congress id → end of its current quiet period, for the congresses that are quiet at `now`."""
    out = {}
    for congress_id, policy in policies.items():
        until = quiet_until(policy, now)
        if until is not None:
            out[congress_id] = until
    return out


# --- writing the outbox ----------------------------------------------------------------------------


@dataclass
class Queued:
    email: int = 0
    sms: int = 0

    @property
    def total(self) -> int:
        return self.email + self.sms


def queue_deliveries(
    batch: uuid.UUID, *, now: datetime.datetime, policies: dict[int, Policy] | None = None
) -> Queued:
    """Write the e-mail and SMS rows of the notices created with `batch` (two statements, however many
    notices). Call it in the transaction that created them. A row of a congress in its quiet hours is
    due at the end of them."""
    if policies is None:
        policies = congress_policies()
    by_end: dict[datetime.datetime, list[int]] = {}
    for congress_id, until in quiet_congresses(policies, now).items():
        by_end.setdefault(until, []).append(congress_id)
    due = Case(
        *[When(congress_id__in=ids, then=Value(until)) for until, ids in by_end.items()],
        default=Value(now),
        output_field=DateTimeField(),
    )
    notices = Notice.objects.filter(batch=batch)

    def values(channel: str, address: str) -> dict:
        return {
            "notice": F("id"),
            "channel": Value(channel),
            "address": F(address),
            "status": Value(Delivery.Status.PENDING),
            "attempts": Value(0),
            "next_attempt_at": due,
            "claimed_by": Value(""),
            "last_error": Value(""),
            "created_at": Value(now),
        }

    queued = Queued()
    queued.email = insert_select(
        Delivery,
        notices.filter(~Q(recipient__email="")),
        values(Delivery.Channel.EMAIL, "recipient__email"),
        conflict=["notice", "channel"],
    )
    queued.sms = insert_select(
        Delivery,
        notices.filter(~Q(recipient__phone=""), kind__in=SMS_KINDS),
        values(Delivery.Channel.SMS, "recipient__phone"),
        conflict=["notice", "channel"],
    )
    return queued


# --- claiming and sending --------------------------------------------------------------------------


def worker_name(suffix: str = "") -> str:
    base = f"{socket.gethostname()}:{os.getpid()}"
    return f"{base}:{suffix or uuid.uuid4().hex[:8]}"[:80]


def _claimable(now: datetime.datetime) -> QuerySet[Delivery]:
    qs = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    quiet = quiet_congresses(congress_policies(), now)
    if quiet:
        qs = qs.exclude(notice__congress_id__in=list(quiet))
    return qs


def claim(worker: str, *, now: datetime.datetime | None = None, limit: int = CLAIM_BATCH) -> list[Delivery]:
    """Take up to `limit` due rows for `worker`: they are ``sending`` and belong to it when this
    returns. Rows locked by another worker's claim are skipped (PostgreSQL); on SQLite the claim's
    IMMEDIATE transaction waits for the other one."""
    now = now or timezone.now()
    with transaction.atomic():
        qs = _claimable(now).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        ids = list(qs.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, claimed_at=now, claimed_by=worker, attempts=F("attempts") + 1
        )
    return list(
        Delivery.objects.filter(id__in=ids, status=Delivery.Status.SENDING, claimed_by=worker)
        .select_related("notice__congress")
        .order_by("id")
    )


def message_id(notice: Notice) -> str:
    """The same Message-ID for every copy of a notice's e-mail, so a resend after a crash is
    recognisable as the same message."""
    domain = getattr(settings, "MINYI_MESSAGE_ID_DOMAIN", "") or (
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "minyi.invalid"
    )
    digest = hashlib.sha256(notice.key.encode()).hexdigest()[:40]
    return f"<notice.{digest}@{domain}>"


def notice_link(notice: Notice) -> str:
    """An absolute link to the notice (it opens the item and marks the notice read), if the site
    address is configured (`MINYI_SITE_URL`)."""
    site = getattr(settings, "MINYI_SITE_URL", "").rstrip("/")
    if not site:
        return ""
    return site + reverse("notifications:open", args=[notice.pk])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def email_for(delivery: Delivery) -> EmailMessage:
    notice = delivery.notice
    subject = _one_line(_("【民意】%(title)s") % {"title": notice.title})[:200]
    body = render_to_string(
        "notifications/email/notice.txt",
        {"notice": notice, "link": notice_link(notice), "congress": notice.congress},
    )
    return EmailMessage(
        subject=subject, body=body, to=[delivery.address], headers={"Message-ID": message_id(notice)}
    )


def sms_text(notice: Notice) -> str:
    text = _one_line(_("【民意】%(title)s") % {"title": notice.title})
    link = notice_link(notice)
    return f"{text[:120]} {link}".strip() if link else text[:200]


@dataclass
class Sent:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0  # sent, but the row had been taken back by the sweeper meanwhile
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed, "lost": self.lost}


def _mark_sent(delivery: Delivery, worker: str, stats: Sent) -> None:
    done = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING, claimed_by=worker).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    if done:
        stats.sent += 1
    else:
        stats.lost += 1
        logger.warning("delivery %s was sent but had been taken back by the sweeper", delivery.pk)


def _mark_failed(delivery: Delivery, worker: str, error: BaseException, stats: Sent) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    mine = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING, claimed_by=worker)
    if delivery.attempts >= MAX_ATTEMPTS:
        mine.update(status=Delivery.Status.FAILED, last_error=message)
        stats.failed += 1
        logger.error("delivery %s failed for good: %s", delivery.pk, message)
    else:
        pause = datetime.timedelta(minutes=min(2**delivery.attempts, 60))
        mine.update(
            status=Delivery.Status.PENDING,
            next_attempt_at=timezone.now() + pause,
            claimed_by="",
            claimed_at=None,
            last_error=message,
        )
        stats.retried += 1
        logger.warning(
            "delivery %s failed (attempt %s), will retry: %s", delivery.pk, delivery.attempts, message
        )
    stats.errors.append(message)


def send_claimed(deliveries: list[Delivery], worker: str, stats: Sent) -> None:  # noqa: C901, PLR0912
    """Send the rows `worker` claimed, marking each as soon as it is done."""
    emails = [d for d in deliveries if d.channel == Delivery.Channel.EMAIL]
    texts = [d for d in deliveries if d.channel == Delivery.Channel.SMS]
    if emails:
        mail = get_connection(fail_silently=False, timeout=smtp_timeout())
        try:
            mail.open()
        except Exception as exc:  # noqa: BLE001 — the server is down: every row is retried later
            for delivery in emails:
                _mark_failed(delivery, worker, exc, stats)
        else:
            try:
                for delivery in emails:
                    try:
                        mail.send_messages([email_for(delivery)])
                    except Exception as exc:  # noqa: BLE001 — recorded on the row, retried
                        _mark_failed(delivery, worker, exc, stats)
                    else:
                        _mark_sent(delivery, worker, stats)
            finally:
                try:
                    mail.close()
                except Exception:  # noqa: BLE001 — closing a broken connection
                    logger.debug("closing the mail connection failed", exc_info=True)
    if texts:
        backend = sms.get_backend()
        for delivery in texts:
            try:
                backend.send(delivery.address, sms_text(delivery.notice))
            except Exception as exc:  # noqa: BLE001 — recorded on the row, retried
                _mark_failed(delivery, worker, exc, stats)
            else:
                _mark_sent(delivery, worker, stats)


def deliver_pending(
    *, worker: str | None = None, max_seconds: float = 120.0, limit: int | None = None
) -> Sent:
    """Claim and send due rows until none is left, `limit` rows were handled or `max_seconds` passed."""
    worker = worker or worker_name()
    stats = Sent()
    started = time.monotonic()
    handled = 0
    while limit is None or handled < limit:
        batch = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - handled)
        claimed = claim(worker, limit=batch)
        if not claimed:
            break
        send_claimed(claimed, worker, stats)
        handled += len(claimed)
        if time.monotonic() - started > max_seconds:
            break
    return stats


def pending_count(now: datetime.datetime | None = None) -> int:
    return _claimable(now or timezone.now()).count()


# --- the sweeper -----------------------------------------------------------------------------------


@dataclass
class Swept:
    requeued: int = 0
    failed: int = 0


def sweep(now: datetime.datetime | None = None) -> Swept:
    """Give back what dead workers left: outbox rows in ``sending`` for longer than `stale_after()`
    go back to ``pending`` (or ``failed`` after the last attempt). (A delivery task a killed worker
    left RUNNING in the task queue is not touched: the periodic run sends its rows anyway.)"""
    now = now or timezone.now()
    cutoff = now - stale_after()
    stuck = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=cutoff)
    swept = Swept()
    swept.failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Delivery.Status.FAILED, last_error=_("发送进程中断，已达最多尝试次数。")
    )
    swept.requeued = stuck.update(
        status=Delivery.Status.PENDING, claimed_by="", claimed_at=None, next_attempt_at=now
    )
    if swept.requeued or swept.failed:
        logger.warning("sweeper: %s deliveries requeued, %s failed", swept.requeued, swept.failed)
    return swept


def periodic_delivery() -> dict:
    """The ``notices`` job of `manage.py run_periodic`: give back what dead workers left, then send
    every due row — including those held back by quiet hours that have ended, and retries."""
    swept = sweep()
    stats = deliver_pending(worker=worker_name("periodic"))
    return {**stats.as_dict(), "requeued": swept.requeued, "failed_by_sweeper": swept.failed}
