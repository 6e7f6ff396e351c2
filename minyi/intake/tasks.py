"""Background task (django-tasks): send the outcome SMS that are due (after quiet hours, retries)."""

from __future__ import annotations

from django_tasks import task

from .delivery import send_due


@task()
def send_outcome_notices() -> int:
    """Idempotent: running it twice sends nothing twice (rows are claimed before sending)."""
    return send_due()
