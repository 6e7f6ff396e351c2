"""Workers that race, and workers that die (PostgreSQL: real row locks, and a database that other
processes can open).

- two delivery workers at once: every e-mail is sent exactly once;
- a worker (`manage.py db_worker`) killed with SIGKILL while the SMTP server holds its first message:
  after the sweeper, the next periodic run (`manage.py run_periodic`) delivers every notice; only the message in flight arrives
  twice, with the same Message-ID ("at least once at the transport, exactly once per key");
- two scans at once: each notice once;
- a scan killed in the middle of its transaction: nothing of it remains, and the next scan sends
  everything once.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.models import DBTaskResult

from minyi.congress.models import Policy
from minyi.notifications.delivery import deliver_pending, stale_after, sweep
from minyi.notifications.models import DeadlineReminder, Delivery, Notice, ScanCursor
from minyi.notifications.scan import run_scan
from minyi.notifications.tasks import deliver_notices
from minyi.suggestions.models import Deadline

from .conftest import at, sent
from .helpers import notices_for, people

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: row locks (SKIP LOCKED) and a database other processes can open "
        "(the SQLite test database is in memory)",
    ),
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def manage(*args: str, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def together(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released at the same moment; each result or the error it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        close_old_connections()
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — inspected by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- delivery ---------------------------------------------------------------------------------------


def test_two_workers_send_every_message_exactly_once(daytime, world, smtp):
    notices = notices_for(world.congress, people(40))
    first, second = together(lambda: deliver_pending(worker="A"), lambda: deliver_pending(worker="B"))
    assert first.sent + second.sent == 40, (first, second)  # type: ignore[union-attr]
    rows = Delivery.objects.filter(notice__in=notices)
    assert set(rows.values_list("status", "attempts")) == {("sent", 1)}
    ids = smtp.recorder.message_ids()
    assert len(ids) == 40 and len(set(ids)) == 40


def test_a_worker_killed_mid_delivery_loses_nothing(world, smtp, settings):
    # The workers here are other processes, which no clock of the test reaches: the congress has no
    # quiet hours, or they would send nothing whenever the suite runs at night.
    Policy.objects.filter(congress=world.congress).update(
        quiet_hours_start=datetime.time(0, 0), quiet_hours_end=datetime.time(0, 0)
    )
    users = people(5)
    notices = notices_for(world.congress, users)
    task = deliver_notices.enqueue()
    smtp.recorder.hold()  # the server will keep the first message without answering

    victim = manage(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--skip-checks", EMAIL_URL=smtp.url
    )
    try:
        wait_for(smtp.recorder.holding.is_set, "the worker to send its first message")
        assert DBTaskResult.objects.get(pk=task.id).status == "RUNNING"
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
    finally:
        if victim.poll() is None:
            victim.kill()
    smtp.recorder.release()
    held = smtp.recorder.message_ids()[0]

    # The dead worker's rows stay claimed …
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sending"}
    assert sweep().requeued == 0  # … until they are stale,
    assert stale_after().total_seconds() == 900
    settings.MINYI_DELIVERY_STALE_SECONDS = 0  # (instead of waiting a quarter of an hour)
    assert sweep().requeued == 5  # then the sweeper gives them back,

    # and the next periodic run sends them (the dead task stays RUNNING in the queue: nothing of ours
    # reads or repairs the task queue's tables — decision 0005).
    rescuer = manage("run_periodic", "--job", "notices", "--skip-checks", EMAIL_URL=smtp.url)
    output, _ = rescuer.communicate(timeout=60)
    assert rescuer.returncode == 0, output

    rows = Delivery.objects.filter(notice__in=notices)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    ids = smtp.recorder.message_ids()
    assert sorted(set(ids)) == sorted({m["Message-ID"] for m in smtp.messages})
    assert len(set(ids)) == 5  # every notice arrived …
    assert len(ids) == 6 and ids.count(held) == 2  # … and only the one in flight twice, same Message-ID
    assert sorted(Notice.objects.values_list("recipient__username", flat=True)) == sorted(
        u.username for u in users
    )


# --- the scan ---------------------------------------------------------------------------------------

#: A suggestion assigned (directly, to unit A) on 2 March, scanned on 25 November: its first-contact,
#: reply and statutory reply limits are all overdue and escalated.
EXPECTED = sorted(
    [("work", "clerk"), ("work", "handler_a"), ("work", "leader_a"), ("deadline_changed", "deputy")]
    + [("overdue", "handler_a"), ("overdue", "leader_a"), ("escalated", "gov"), ("escalated", "clerk")] * 3
)


@pytest.fixture
def late_suggestion(loop, time_machine):
    time_machine.move_to(at(3, 2), tick=False)
    ScanCursor.objects.create(name="audit", position=0)  # scanning since before the suggestion
    suggestion = loop.drive.to("assigned", direct=True)
    # The scans of the test run in this process on 25 November (the clock ticks: threads wait on
    # locks); the killed scanner is another process, on the real clock — always later than that.
    time_machine.move_to(at(11, 25), tick=True)
    return suggestion


def test_two_scans_at_once_send_each_notice_once(late_suggestion):
    results = together(lambda: run_scan(enqueue=False), lambda: run_scan(enqueue=False))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.total for r in results) == Notice.objects.count()  # type: ignore[union-attr]
    assert sent() == EXPECTED
    assert run_scan().total == 0


def test_a_scan_killed_mid_run_leaves_nothing_and_the_next_sends_everything(late_suggestion):
    reply = Deadline.objects.get(suggestion=late_suggestion, kind="reply")
    # Another transaction holds the overdue stage of one deadline: the scan will wait there, after it
    # has written the notices of the audit events (work arriving) and of other stages.
    with psycopg.connect(database_url().replace("postgres://", "postgresql://")) as blocker:
        blocker.execute(
            "INSERT INTO notifications_deadlinereminder (deadline_id, stage, due_on, batch, created_at) "
            "VALUES (%s, 'overdue', %s, gen_random_uuid(), now())",
            [reply.pk, reply.due_on],
        )
        scanner = manage("scan_deadlines", "--json", "--skip-checks")
        try:

            def scanner_waits() -> bool:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"notifications_deadlinereminder\"%%'"
                    )
                    return cursor.fetchone()[0] == 1

            wait_for(scanner_waits, "the scan to wait on the held row")
            scanner.send_signal(signal.SIGKILL)  # the worker dies …
            scanner.wait(10)
            with connection.cursor() as cursor:  # … and so does its connection
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
        finally:
            if scanner.poll() is None:
                scanner.kill()
        blocker.rollback()

    assert Notice.objects.count() == 0 and Delivery.objects.count() == 0
    assert DeadlineReminder.objects.count() == 0 and ScanCursor.objects.get().position == 0
    assert run_scan(enqueue=False).total == len(EXPECTED)
    assert sent() == EXPECTED
    assert run_scan(enqueue=False).total == 0
