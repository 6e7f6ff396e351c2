"""Background tasks (django-tasks, run by ``manage.py db_worker`` with the django-tasks-db backend).

- `deliver_notices`: send the due e-mail/SMS rows of the outbox. Queued after commit whenever notices
  are created (`enqueue_delivery`); if that is lost (the process died right after the commit), the
  next periodic scan sends them.
- `scan_and_reschedule`: the periodic scan; at the end it queues its successor with `run_after`
  (`MINYI_SCAN_INTERVAL_SECONDS`, default 300). `ScheduledTask` names the one queued successor, so
  however often the chain is (re)started — `scan_deadlines --schedule`, every delivery task — there
  is one chain, and a stray copy stops itself. A chain task left RUNNING by a killed worker is run
  again (see `ensure_schedule` and `delivery.sweep`).

Both tasks are idempotent: running one twice sends nothing twice (`delivery`, `scan`).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task

from .delivery import deliver_pending, stale_after, sweep, worker_name
from .models import ScheduledTask

logger = logging.getLogger("minyi.notifications")

SCAN_SCHEDULE = "scan_deadlines"


def scan_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "MINYI_SCAN_INTERVAL_SECONDS", 300))


@task()
def deliver_notices() -> dict[str, int]:
    """Send the outbox's due rows (and give back rows and tasks that dead workers left)."""
    sweep()
    stats = deliver_pending(worker=worker_name("deliver"))
    ensure_schedule()
    return stats.as_dict()


def enqueue_delivery() -> None:
    """Queue `deliver_notices` unless one is already waiting. Never raises: a failure here only
    delays the messages until the next periodic scan."""
    try:
        if not _waiting(deliver_notices):
            deliver_notices.enqueue()
    except Exception:
        logger.exception("could not queue the delivery task; the next scan will send the messages")


def _waiting(a_task: Any) -> bool:
    backend = a_task.get_backend()
    if not _is_db_backend(backend):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status="READY", task_path=a_task.module_path, backend_name=backend.alias
    ).exists()


def _is_db_backend(backend: Any) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


@task(takes_context=True)
def scan_and_reschedule(context: TaskContext) -> dict[str, Any]:
    """The periodic scan and delivery, then the next run of the chain."""
    from minyi.core.periodic import run_periodic_jobs

    from .scan import run_scan

    me = str(context.task_result.id)
    ScheduledTask.objects.filter(name=SCAN_SCHEDULE, task_id=me).update(last_started_at=timezone.now())
    try:
        result = run_scan(enqueue=False).as_dict()
        result["delivered"] = deliver_pending(worker=worker_name("scan")).as_dict()
        result["jobs"] = run_periodic_jobs()
    finally:
        _reschedule(me)
    return result


def _alive(task_id: str, now: datetime.datetime) -> bool:
    """Whether the chain task `task_id` will still run: waiting, or running on a live worker. One
    left RUNNING longer than `stale_after()` was abandoned by a dead worker: it is made READY again,
    so a worker runs it (and it re-schedules the chain)."""
    from django_tasks_db.models import DBTaskResult

    if not task_id:
        return False
    row = DBTaskResult.objects.filter(id=task_id).first()
    if row is None:
        return False
    if row.status == "READY":
        return True
    if row.status == "RUNNING":
        if row.started_at and row.started_at < now - stale_after():
            DBTaskResult.objects.filter(id=row.id, status="RUNNING").update(status="READY")
            logger.warning("scan task %s was left running by a dead worker: queued again", row.id)
        return True
    return False


def _lock_schedule() -> ScheduledTask:
    ScheduledTask.objects.get_or_create(name=SCAN_SCHEDULE)
    return ScheduledTask.objects.select_for_update().get(name=SCAN_SCHEDULE)


def ensure_schedule(now: datetime.datetime | None = None) -> str | None:
    """Make sure the periodic scan chain exists (queue its first run now if not); returns the id of
    the chain's queued task, or None when the task backend cannot defer tasks (e.g. the immediate
    backend of some tests: use cron or a systemd timer calling ``scan_deadlines`` there)."""
    backend = scan_and_reschedule.get_backend()
    if not backend.supports_defer or not _is_db_backend(backend):
        return None
    now = now or timezone.now()
    with transaction.atomic():
        row = _lock_schedule()
        if _alive(row.task_id, now):
            return row.task_id
        queued = scan_and_reschedule.using(run_after=now).enqueue()
        row.task_id = str(queued.id)
        row.save(update_fields=["task_id"])
        return row.task_id


def _reschedule(me: str) -> None:
    backend = scan_and_reschedule.get_backend()
    if not backend.supports_defer:
        return
    now = timezone.now()
    with transaction.atomic():
        row = _lock_schedule()
        if row.task_id and row.task_id != me and _alive(row.task_id, now):
            logger.info("scan task %s is not the chain's (%s): not re-scheduling", me, row.task_id)
            return
        queued = scan_and_reschedule.using(run_after=now + scan_interval()).enqueue()
        row.task_id = str(queued.id)
        row.last_finished_at = now
        row.save(update_fields=["task_id", "last_finished_at"])
