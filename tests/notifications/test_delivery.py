"""E-mail (to a real SMTP server on 127.0.0.1), SMS (through the pluggable gateway interface), quiet
hours, retries and the sweeper."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minyi.congress.actions import ensure_policy
from minyi.notifications import delivery
from minyi.notifications.actions import do_urge
from minyi.notifications.delivery import (
    MAX_ATTEMPTS,
    claim,
    deliver_pending,
    message_id,
    quiet_until,
    send_claimed,
    sweep,
)
from minyi.notifications.models import Delivery, Notice
from minyi.notifications.tasks import deliver_notices, enqueue_delivery

from .conftest import at, free_port
from .helpers import notices_for, people


def test_an_urge_reaches_a_real_smtp_server_after_commit(
    daytime, loop, smtp, settings, django_capture_on_commit_callbacks
):
    settings.MINYI_SITE_URL = "https://minyi.example.gov.cn"
    w = loop.w
    w.handler_a.email, w.leader_a.email = "handler@unit-a.cn", "leader@unit-a.cn"
    w.handler_a.save()
    w.leader_a.save()
    s = loop.drive.to("assigned", direct=True)
    with django_capture_on_commit_callbacks() as callbacks:
        notices = do_urge(s, actor=w.clerk, message="请加快办理进度。")
    assert enqueue_delivery in callbacks  # sending waits for the commit
    assert smtp.messages == []
    for callback in callbacks:
        callback()
    queued = DBTaskResult.objects.get(task_path="minyi.notifications.tasks.deliver_notices")
    assert queued.status == "READY"

    assert deliver_notices.call() == {"sent": 2, "retried": 0, "failed": 0, "lost": 0}
    assert deliver_notices.call()["sent"] == 0  # a second copy of the task sends nothing twice
    by_address = {m["To"]: m for m in smtp.messages}
    assert set(by_address) == {"handler@unit-a.cn", "leader@unit-a.cn"}
    message = by_address["handler@unit-a.cn"]
    notice = next(n for n in notices if n.recipient_id == w.handler_a.pk)
    assert message["Subject"].strip() == "【民意】催办：" + s.title  # (folded header: leading space)
    assert message["Message-ID"] == message_id(notice)
    text = message.get_content()
    assert "请加快办理进度。" in text and "clerk催办" in text
    assert f"https://minyi.example.gov.cn/inbox/{notice.pk}/" in text
    rows = Delivery.objects.filter(notice__in=notices)
    assert set(rows.values_list("status", "attempts")) == {("sent", 1)}
    assert all(r.sent_at for r in rows)
    assert deliver_pending().sent == 0  # nothing left: nothing sent twice


def test_sms_goes_through_the_gateway_interface(daytime, world, sms, smtp):
    users = people(2, phone=True)
    notices_for(world.congress, users, kind=Notice.Kind.ESCALATED, title="逾期督办：某建议")
    notices_for(world.congress, users, kind=Notice.Kind.DUE_SOON, title="即将到期：某建议")  # e-mail only
    stats = deliver_pending()
    assert stats.sent == 6  # 4 e-mails + 2 SMS
    assert sorted(sms) == [
        ("13900000000", "【民意】逾期督办：某建议0"),
        ("13900000001", "【民意】逾期督办：某建议1"),
    ]
    assert len(smtp.messages) == 4


def test_the_default_sms_backend_writes_the_log(daytime, world, caplog):
    (user,) = people(1, phone=True)
    notices_for(world.congress, [user], kind=Notice.Kind.URGED, title="催办：某建议")
    Delivery.objects.filter(channel="email").delete()
    with caplog.at_level(logging.INFO, logger="minyi.sms"):
        assert deliver_pending().sent == 1
    assert "SMS to 139****0000: 【民意】催办：某建议0" in caplog.text
    assert "13900000000" not in caplog.text  # the log never shows the whole number


# --- quiet hours ------------------------------------------------------------------------------------


def test_quiet_hours_keep_mail_and_sms_until_morning(world, smtp, sms, time_machine):
    users = people(2, phone=True)
    time_machine.move_to(at(3, 2, 22, 30), tick=False)
    notices = notices_for(world.congress, users, kind=Notice.Kind.OVERDUE)
    # In the inbox at once …
    assert Notice.objects.filter(recipient=users[0], read_at__isnull=True).count() == 1
    # … but e-mail and SMS wait for the end of the quiet hours (08:00).
    rows = Delivery.objects.filter(notice__in=notices)
    assert {r.next_attempt_at for r in rows} == {at(3, 3, 8, 0)}
    assert deliver_pending().sent == 0
    time_machine.move_to(at(3, 3, 7, 59), tick=False)
    assert deliver_pending().sent == 0
    assert smtp.messages == [] and sms == []
    time_machine.move_to(at(3, 3, 8, 0), tick=False)
    assert deliver_pending().sent == 4
    assert len(smtp.messages) == 2 and len(sms) == 2


def test_rows_queued_by_day_are_not_sent_at_night(world, smtp, time_machine):
    time_machine.move_to(at(3, 2, 20, 0), tick=False)
    notices_for(world.congress, people(1))
    time_machine.move_to(at(3, 2, 21, 0), tick=False)  # quiet from 21:00
    assert deliver_pending().sent == 0
    time_machine.move_to(at(3, 3, 0, 30), tick=False)
    assert deliver_pending().sent == 0
    time_machine.move_to(at(3, 3, 9, 0), tick=False)
    assert deliver_pending().sent == 1


def test_each_congress_keeps_its_own_quiet_hours(world, smtp, time_machine):
    policy = ensure_policy(world.other_congress)
    policy.quiet_hours_start, policy.quiet_hours_end = datetime.time(23, 0), datetime.time(7, 0)
    policy.save()
    time_machine.move_to(at(3, 2, 22, 0), tick=False)
    notices_for(world.congress, people(1, prefix="a"))  # quiet since 21:00
    notices_for(world.other_congress, people(1, prefix="b"))  # quiet only from 23:00
    assert deliver_pending().sent == 1
    assert [m["To"] for m in smtp.messages] == ["b0@example.cn"]


@pytest.mark.parametrize(
    ("start", "end", "moment", "until"),
    [
        ((21, 0), (8, 0), (20, 59), None),
        ((21, 0), (8, 0), (21, 0), at(3, 3, 8, 0)),
        ((21, 0), (8, 0), (3, 0), at(3, 2, 8, 0)),
        ((21, 0), (8, 0), (8, 0), None),
        ((12, 0), (14, 0), (13, 0), at(3, 2, 14, 0)),
        ((12, 0), (14, 0), (14, 0), None),
        ((12, 0), (12, 0), (12, 0), None),  # start == end: no quiet hours
    ],
)
def test_quiet_until(world, start, end, moment, until):
    policy = ensure_policy(world.congress)
    policy.quiet_hours_start, policy.quiet_hours_end = datetime.time(*start), datetime.time(*end)
    assert quiet_until(policy, at(3, 2, *moment)) == until


# --- failures, retries, the sweeper ------------------------------------------------------------------


def test_a_down_server_is_retried_with_growing_pauses_then_given_up(world, settings, time_machine):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    time_machine.move_to(at(3, 2, 10, 0), tick=False)
    (notice,) = notices_for(world.congress, people(1))
    row = Delivery.objects.get(notice=notice)
    pauses = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        stats = deliver_pending()
        row.refresh_from_db()
        assert row.attempts == attempt and "ConnectionRefusedError" in row.last_error
        if attempt < MAX_ATTEMPTS:
            assert (stats.retried, row.status) == (1, "pending")
            pauses.append(row.next_attempt_at - timezone.now())
            assert deliver_pending().retried == 0  # not before its time
            time_machine.move_to(row.next_attempt_at, tick=False)
        else:
            assert (stats.failed, row.status) == (1, "failed")
    assert pauses == [datetime.timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert Notice.objects.filter(pk=notice.pk).exists()  # still in the inbox


def test_the_sweeper_gives_back_what_a_dead_worker_left(world, smtp, time_machine):
    time_machine.move_to(at(3, 2, 10, 0), tick=False)
    notices_for(world.congress, people(3))
    taken = claim("dead-worker")
    assert len(taken) == 3 and {d.status for d in taken} == {"sending"}
    Delivery.objects.filter(pk=taken[0].pk).update(attempts=MAX_ATTEMPTS)  # its last chance
    time_machine.move_to(at(3, 2, 10, 14), tick=False)  # not stale yet (15 minutes)
    assert sweep().requeued == 0
    assert deliver_pending().sent == 0
    time_machine.move_to(at(3, 2, 10, 16), tick=False)
    swept = sweep()
    assert (swept.requeued, swept.failed) == (2, 1)
    assert deliver_pending().sent == 2
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["failed", "sent", "sent"]
    assert len(smtp.messages) == 2


def test_a_worker_that_outlived_the_sweeper_does_not_mark_another_workers_row(world, smtp, time_machine):
    time_machine.move_to(at(3, 2, 10, 0), tick=False)
    notices_for(world.congress, people(1))
    slow = claim("slow-worker")
    time_machine.move_to(at(3, 2, 10, 20), tick=False)
    assert sweep().requeued == 1
    fresh = claim("fresh-worker")
    stats = delivery.Sent()
    send_claimed(slow, "slow-worker", stats)  # the slow worker wakes up and sends: the row is not its own
    assert (stats.sent, stats.lost) == (0, 1)
    assert Delivery.objects.get().status == "sending"
    send_claimed(fresh, "fresh-worker", stats)
    row = Delivery.objects.get()
    assert (row.status, row.claimed_by, row.attempts) == ("sent", "fresh-worker", 2)
    # Two copies reached the server, with one Message-ID: the duplicate is recognisable.
    assert len(smtp.messages) == 2 and len(set(smtp.recorder.message_ids())) == 1
