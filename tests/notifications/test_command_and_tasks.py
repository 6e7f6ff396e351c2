"""``manage.py scan_deadlines`` and the background tasks: the worker's periodic scan is one
self-scheduling chain, a stray copy stops itself, and a chain task left running by a dead worker is
run again."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minyi.notifications.models import Notice, ScheduledTask
from minyi.notifications.scan import run_scan
from minyi.notifications.tasks import ensure_schedule, scan_and_reschedule

from .conftest import at

SCAN_TASK = "minyi.notifications.tasks.scan_and_reschedule"


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("scan_deadlines", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_how_many_of_each_kind(loop):
    loop.drive.to("assigned", co=True)
    text = command()
    assert "新待办（work）：6" in text
    assert "期限变更（deadline_changed）：1" in text
    assert "已逾期（overdue）：0" in text
    assert "共发出通知 7 条；待发电子邮件 0 封、短信 0 条。" in text
    assert json.loads(command("--json"))["sent"] == 0  # nothing twice


def test_the_json_object_has_the_total_in_sent(loop):
    loop.drive.to("submitted")
    data = json.loads(command("--json"))
    assert data["sent"] == 1 and data["by_kind"]["work"] == 1
    assert set(data) >= {"sent", "by_kind", "emails_queued", "sms_queued", "no_feedback", "requeued"}


def test_deliver_sends_in_the_same_run(loop, smtp):
    loop.w.clerk.email = "clerk@example.cn"
    loop.w.clerk.save()
    loop.drive.to("submitted")
    data = json.loads(command("--json", "--deliver"))
    assert data["emails_queued"] == 1 and data["delivered"]["sent"] == 1
    assert [m["To"] for m in smtp.messages] == ["clerk@example.cn"]
    assert "已发送 0 条" in command("--deliver")


def test_schedule_starts_one_chain(world):
    first = json.loads(command("--json", "--schedule"))["scheduled_task"]
    second = json.loads(command("--json", "--schedule"))["scheduled_task"]
    assert first == second == ScheduledTask.objects.get().task_id
    assert DBTaskResult.objects.filter(task_path=SCAN_TASK).count() == 1
    assert "后台定时扫描已安排" in command("--schedule")


def test_without_a_deferring_backend_the_command_says_to_use_cron(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert ensure_schedule() is None
    assert "请用 cron 或 systemd 定时运行本命令" in command("--schedule")


def worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.mark.django_db(transaction=True)  # the worker checks its connection between tasks
def test_the_worker_runs_the_scan_and_schedules_the_next_run(loop, smtp):
    loop.w.clerk.email = "clerk@example.cn"
    loop.w.clerk.save()
    loop.drive.to("submitted")
    first = ensure_schedule()
    worker()  # runs the scan task (the next one waits five minutes: the batch worker stops)

    done = DBTaskResult.objects.get(pk=first)
    assert done.status == "SUCCESSFUL", done.traceback
    assert done.return_value["sent"] == 1 and done.return_value["delivered"]["sent"] == 1
    assert [m["To"] for m in smtp.messages] == ["clerk@example.cn"]
    schedule = ScheduledTask.objects.get()
    successor = DBTaskResult.objects.get(pk=schedule.task_id)
    assert successor.status == "READY"
    assert (
        datetime.timedelta(minutes=4) < successor.run_after - timezone.now() <= datetime.timedelta(minutes=5)
    )
    assert ensure_schedule() == schedule.task_id  # the chain exists: nothing new

    # A stray copy (queued by hand) runs once and does not start a second chain.
    stray = scan_and_reschedule.enqueue()
    worker()
    assert DBTaskResult.objects.get(pk=stray.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.filter(task_path=SCAN_TASK, status="READY").count() == 1
    assert ScheduledTask.objects.get().task_id == schedule.task_id
    assert Notice.objects.count() == 1


def test_a_chain_task_left_running_by_a_dead_worker_runs_again(world):
    task_id = ensure_schedule()
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    DBTaskResult.objects.filter(pk=task_id).update(status="RUNNING", started_at=long_ago)
    assert ensure_schedule() == task_id
    assert DBTaskResult.objects.get(pk=task_id).status == "READY"
    # A running one on a live worker is left alone; a finished one is replaced.
    DBTaskResult.objects.filter(pk=task_id).update(status="RUNNING", started_at=timezone.now())
    assert ensure_schedule() == task_id
    assert DBTaskResult.objects.get(pk=task_id).status == "RUNNING"
    DBTaskResult.objects.filter(pk=task_id).update(status="FAILED")
    assert ensure_schedule() not in (None, task_id)


def test_the_scan_records_no_feedback_once(loop, time_machine):
    time_machine.move_to(at(3, 2), tick=False)
    loop.drive.to("replied")
    time_machine.move_to(at(3, 30), tick=False)
    assert run_scan().no_feedback == 1
    assert run_scan().no_feedback == 0
