"""Background task (django-tasks): close the award rounds whose scoring deadline has passed (each
closing computes and keeps the round's results). Idempotent. Queue it periodically (e.g. from the
deadline scan chain)."""

from __future__ import annotations

from django_tasks import task

from .actions import close_overdue_rounds


@task()
def close_award_rounds() -> list[int]:
    return [r.pk for r in close_overdue_rounds()]
