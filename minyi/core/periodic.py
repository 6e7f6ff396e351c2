"""Periodic work: the jobs that must run every few minutes, run by ``manage.py run_periodic``.

The command is started from outside the application — a systemd timer (deploy/systemd/
minyi-periodic.timer), a cron line, or, for ``make demo``, its own ``--every`` loop in
scripts/serve.sh — never by the task queue (decision 0005). Each job:

- is **idempotent**: a run with nothing to do writes nothing, so running the command twice, from
  cron and by hand at once, or after a crash, sends nothing twice (the jobs claim their rows);
- is **locked per job** (`PeriodicJob`): a run takes a lease on the job's row with one conditional
  UPDATE (``running_since`` empty or older than the lease), which PostgreSQL and SQLite both make
  atomic; a second run meanwhile skips the job instead of doing the work again. The lease of a run
  killed mid-job expires after `lease()` (``MINYI_PERIODIC_LEASE_SECONDS``, default 30 minutes);
- is **isolated**: a failing job is logged and recorded on its row (``last_ok``/``last_error``), the
  others still run, and the command then exits non-zero (so ``systemctl --failed`` shows it).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import PeriodicJob

logger = logging.getLogger("minyi.periodic")


@dataclass(frozen=True)
class Job:
    name: str
    #: Dotted path of a plain function without arguments (imported when the job runs, so this
    #: module imports no other app).
    path: str
    label: Any


#: Every periodic job, in the order a run does them.
JOBS: list[Job] = [
    Job("deadlines", "minyi.notifications.scan.periodic_scan", _("期限扫描与通知")),
    Job("award_rounds", "minyi.awards.actions.close_overdue_rounds", _("截止评分已到期的评选")),
    Job("notices", "minyi.notifications.delivery.periodic_delivery", _("发送到期的邮件和短信")),
    Job("outcome_sms", "minyi.intake.tasks.send_due", _("发送到期的群众意见办理结果短信")),
    Job("points", "minyi.points.actions.sync_all", _("同步履职积分台账")),
]


def job_names() -> list[str]:
    return [job.name for job in JOBS]


def lease() -> datetime.timedelta:
    """How long a run holds a job before the lock counts as left by a killed run."""
    return datetime.timedelta(seconds=getattr(settings, "MINYI_PERIODIC_LEASE_SECONDS", 1800))


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]


def acquire(name: str, runner: str) -> bool:
    """Take the lease on job `name` for `runner`; False when another run holds it."""
    PeriodicJob.objects.get_or_create(name=name)  # (a concurrent create: Django gets the row instead)
    now = timezone.now()
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - lease())
    taken = (
        PeriodicJob.objects.filter(free, name=name).update(
            running_since=now, running_by=runner, last_started_at=now
        )
        == 1
    )
    return taken


def release(name: str, runner: str, *, ok: bool, result: Any = None, error: str = "") -> bool:
    """Give the lease back and record the outcome; False if the lease had expired and was taken."""
    done = PeriodicJob.objects.filter(name=name, running_by=runner).update(
        running_since=None,
        running_by="",
        last_finished_at=timezone.now(),
        last_ok=ok,
        last_result=result,
        last_error=error[:4000],
    )
    if not done:
        logger.warning("periodic job %s ran longer than its lease; another run had taken it", name)
    return bool(done)


def _plain(value: Any) -> Any:
    """A job's return value as JSON: numbers and dicts as they are, model instances as their ids."""
    if value is None or isinstance(value, (int, str, float, bool, dict)):
        return value
    if isinstance(value, (list, tuple)):
        return [getattr(v, "pk", v) for v in value]
    return str(value)


@dataclass
class Outcome:
    status: str  # "done" | "skipped" (another run holds the job) | "failed"
    result: Any = None
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "result": self.result}
        if self.error:
            data["error"] = self.error
        return data


def run_job(job: Job, *, runner: str | None = None) -> Outcome:
    runner = runner or runner_name()
    function: Callable[[], Any] = import_string(job.path)  # a wrong path fails loudly
    if not acquire(job.name, runner):
        logger.info("periodic job %s is running elsewhere: skipped", job.name)
        return Outcome("skipped")
    try:
        result = _plain(function())
    except Exception as exc:  # noqa: BLE001 — one failing job must not stop the others
        logger.exception("periodic job %s failed; the next run tries again", job.name)
        error = f"{type(exc).__name__}: {exc}"
        release(job.name, runner, ok=False, error=error)
        return Outcome("failed", error=error)
    release(job.name, runner, ok=True, result=result)
    return Outcome("done", result)


def run_periodic(names: list[str] | None = None) -> dict[str, Outcome]:
    """Run every job (or those named), each once, in the order of `JOBS`."""
    wanted = set(names) if names else None
    if wanted is not None and wanted - set(job_names()):
        raise ValueError(f"unknown periodic job(s): {', '.join(sorted(wanted - set(job_names())))}")
    runner = runner_name()
    return {job.name: run_job(job, runner=runner) for job in JOBS if wanted is None or job.name in wanted}
