"""``manage.py run_periodic``: every periodic job runs from the command, each under its own lock, a
failing job is recorded and does not stop the others, the ``--every`` loop stops on SIGTERM — and the
old self-re-queuing chain (which read django-tasks-db's private tables) is gone."""

from __future__ import annotations

import datetime
import io
import json
import os
import signal
import threading
import time
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection
from django.utils import timezone

from minyi.core import periodic
from minyi.core.models import PeriodicJob

ROOT = Path(__file__).resolve().parents[2]
NOON = datetime.datetime(2026, 3, 16, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOON, tick=False)  # outside quiet hours, on a working day
    return time_machine


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("run_periodic", *args, stdout=out)
    return out.getvalue()


CALLS: list[str] = []


def counting_job() -> dict:
    CALLS.append("ran")
    return {"ran": len(CALLS)}


def boom() -> None:
    raise RuntimeError("boom")


def sigterm_to_myself() -> int:
    os.kill(os.getpid(), signal.SIGTERM)
    return 1


@pytest.fixture
def fake_jobs(monkeypatch):
    CALLS.clear()

    def use(*jobs: periodic.Job) -> None:
        monkeypatch.setattr(periodic, "JOBS", list(jobs))

    return use


def test_every_job_runs_from_the_command_and_is_recorded(db):
    data = json.loads(run("--json"))
    assert periodic.job_names() == ["deadlines", "award_rounds", "notices", "outcome_sms", "points"]
    assert set(data) == set(periodic.job_names())
    assert {name: o["status"] for name, o in data.items()} == dict.fromkeys(data, "done")
    rows = {row.name: row for row in PeriodicJob.objects.all()}
    assert set(rows) == set(data)
    for row in rows.values():
        assert row.last_ok is True and row.running_since is None and row.running_by == ""
        assert row.last_started_at == row.last_finished_at == timezone.now()
    assert rows["notices"].last_result["sent"] == 0
    assert rows["deadlines"].last_result["sent"] == 0
    assert "deadlines（期限扫描与通知）：完成" in run()


def test_one_job_can_be_run_alone_and_an_unknown_one_is_refused(db):
    assert list(json.loads(run("--json", "--job", "award_rounds"))) == ["award_rounds"]
    with pytest.raises(CommandError):
        run("--job", "no_such_job")
    with pytest.raises(ValueError):
        periodic.run_periodic(["no_such_job"])


def test_a_held_lock_makes_a_second_run_skip_the_job(db, fake_jobs):
    fake_jobs(periodic.Job("count", "tests.core.test_periodic.counting_job", "count"))
    assert periodic.acquire("count", "another-run")  # a run elsewhere is doing it
    assert json.loads(run("--json")) == {"count": {"status": "skipped", "result": None}}
    assert CALLS == []
    assert "跳过 另一次运行正在执行此任务" in run()
    assert not periodic.acquire("count", "a-third-run")

    assert periodic.release("count", "another-run", ok=True, result={"ran": 1})
    assert json.loads(run("--json"))["count"]["status"] == "done"
    assert CALLS == ["ran"]


def test_the_lock_of_a_killed_run_expires_after_the_lease(db, fake_jobs, clock, settings):
    fake_jobs(periodic.Job("count", "tests.core.test_periodic.counting_job", "count"))
    settings.MINYI_PERIODIC_LEASE_SECONDS = 600
    assert periodic.acquire("count", "killed-run")  # … and never released
    clock.move_to(NOON + datetime.timedelta(minutes=9), tick=False)
    assert json.loads(run("--json"))["count"]["status"] == "skipped"
    clock.move_to(NOON + datetime.timedelta(minutes=11), tick=False)
    assert json.loads(run("--json"))["count"]["status"] == "done"
    assert CALLS == ["ran"]
    # The killed run, had it finished after all, no longer owns the job: it records nothing.
    assert not periodic.release("count", "killed-run", ok=True)
    assert PeriodicJob.objects.get(name="count").last_result == {"ran": 1}


def test_a_failing_job_is_recorded_the_others_run_and_the_command_fails(db, fake_jobs, caplog):
    fake_jobs(
        periodic.Job("boom", "tests.core.test_periodic.boom", "boom"),
        periodic.Job("count", "tests.core.test_periodic.counting_job", "count"),
    )
    with pytest.raises(CommandError, match="boom"):
        run()
    assert CALLS == ["ran"]
    row = PeriodicJob.objects.get(name="boom")
    assert row.last_ok is False and row.last_error == "RuntimeError: boom" and row.running_since is None
    assert "periodic job boom failed" in caplog.text
    assert periodic.acquire("boom", "next-run")  # the lock was given back


def test_a_wrong_job_path_is_a_loud_programming_error(db, fake_jobs):
    fake_jobs(periodic.Job("nope", "minyi.core.periodic.no_such_function", "nope"))
    with pytest.raises(ImportError):
        run()


def test_every_loops_until_the_number_of_runs(db, fake_jobs):
    fake_jobs(periodic.Job("count", "tests.core.test_periodic.counting_job", "count"))
    out = run("--json", "--every", "0", "--runs", "3")
    assert CALLS == ["ran"] * 3 and len(out.splitlines()) == 3


def test_every_stops_on_sigterm_after_the_run_in_hand(db, fake_jobs):
    fake_jobs(
        periodic.Job("term", "tests.core.test_periodic.sigterm_to_myself", "term"),
        periodic.Job("count", "tests.core.test_periodic.counting_job", "count"),
    )
    before = signal.getsignal(signal.SIGTERM)
    out = run("--every", "3600")  # without the signal it would wait an hour, then run again for ever
    assert CALLS == ["ran"]  # the run in hand was finished
    assert "已停止周期任务" in out
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_self_rescheduling_chain_and_every_read_of_the_task_queue_tables_are_gone():
    from minyi.notifications import tasks

    assert not hasattr(tasks, "scan_and_reschedule") and not hasattr(tasks, "ensure_schedule")
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "minyi").rglob("*.py")
        if "django_tasks_db" in path.read_text(encoding="utf-8")
    ]
    assert readers == []
    serve = (ROOT / "scripts" / "serve.sh").read_text(encoding="utf-8")
    assert "--schedule" not in serve and "run_periodic --every" in serve
    units = ROOT / "deploy" / "systemd"
    assert "manage.py run_periodic" in (units / "minyi-periodic.service").read_text(encoding="utf-8")
    assert "--schedule" not in (units / "minyi-worker.service").read_text(encoding="utf-8")


# --- two runs at once (threads; PostgreSQL row locks, SQLite's database lock) ----------------------

SLOW_CALLS: list[str] = []


def slow_job() -> int:
    SLOW_CALLS.append("ran")
    time.sleep(1.0)  # long enough for the other run to try the job while this one holds it
    return len(SLOW_CALLS)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_do_the_job_once(fake_jobs):
    fake_jobs(periodic.Job("slow", "tests.core.test_periodic.slow_job", "slow"))
    SLOW_CALLS.clear()
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def go(i: int) -> None:
        close_old_connections()
        try:
            barrier.wait()
            outcomes[i] = periodic.run_periodic()["slow"].status
        except Exception as exc:  # noqa: BLE001 — inspected below
            outcomes[i] = exc
        finally:
            connection.close()

    with time_machine.travel(NOON, tick=True):  # the threads share the pinned clock
        threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sorted(map(str, outcomes)) == ["done", "skipped"]
    assert SLOW_CALLS == ["ran"]
    row = PeriodicJob.objects.get(name="slow")
    assert row.last_ok is True and row.running_since is None
