"""Background task (django-tasks): rebuild the points ledger of every active congress for the current
year (and, in January, the last one), so that events of the other apps — a suggestion accepted, an
award published, an event attended — reach the ledger. Idempotent: a run with nothing new writes
nothing. Queue it periodically (e.g. from the deadline scan chain) or run ``manage.py points --all``
from cron."""

from __future__ import annotations

from django_tasks import task

from .actions import sync_all


@task()
def sync_points_ledgers() -> dict[str, int]:
    return sync_all()
