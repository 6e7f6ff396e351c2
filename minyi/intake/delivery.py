"""After commit, the outcome SMS to a constituent goes out at once — or, in the congress's quiet
hours (`Policy.quiet_hours_*`, default 21:00–08:00), waits for the end of them. Sending, claiming,
retries and the background task: `tasks.py` (its docstring says what is guaranteed)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

# The one quiet-hours rule, shared with the notifications outbox (re-exported for intake.actions).
from minyi.core.quiet_hours import quiet_until as quiet_until

from .models import OutcomeNotice
from .tasks import enqueue, send_one


def send_after_commit(notice: OutcomeNotice) -> None:
    """After the current transaction commits: send `notice` now if it is due, else queue the task
    for when it is."""
    pk, due = notice.pk, notice.send_after

    def go() -> None:
        if due <= timezone.now():
            send_one(pk)
        else:
            enqueue(run_after=due)

    transaction.on_commit(go, robust=True)
