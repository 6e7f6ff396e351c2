"""Periodic jobs that ride on the worker's deadline-scan chain (minyi.notifications.tasks).

Each job is idempotent (a run with nothing to do writes nothing), so running it every few minutes,
twice, or from cron as well, is safe. A failing job is logged and does not stop the others or the
chain; the next run tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

logger = logging.getLogger("minyi.periodic")

#: Dotted paths of the plain functions (not the task wrappers) run after every scan.
PERIODIC_JOBS: list[str] = [
    "minyi.intake.delivery.send_due",  # outcome SMS held back by quiet hours or a retry
    "minyi.awards.actions.close_overdue_rounds",  # award rounds past their scoring deadline
    "minyi.points.actions.sync_all",  # other apps' events reach the points ledger
]


def run_periodic_jobs() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for path in PERIODIC_JOBS:
        job: Callable[[], Any] = import_string(path)
        try:
            outcome = job()
            results[path] = outcome if isinstance(outcome, (int, dict, str)) else "ok"
        except Exception:  # noqa: BLE001 — one failing job must not stop the others or the chain
            logger.exception("periodic job %s failed; it runs again with the next scan", path)
            results[path] = "failed"
    return results
