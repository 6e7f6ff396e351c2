"""Background task (django-tasks, run by ``manage.py db_worker``): `deliver_notices` sends the due
e-mail/SMS rows of the outbox. It is queued after commit whenever notices are created
(`enqueue_delivery`), so a notice goes out within seconds. It is idempotent (the rows are claimed
before sending), so an extra copy in the queue sends nothing twice; and if it is lost — the process
died right after the commit, or a worker was killed while running it — the ``notices`` job of the
periodic run (`manage.py run_periodic`, every few minutes) sends the rows anyway.

Periodic work itself is not a task: see `minyi.core.periodic` and decision 0005.
"""

from __future__ import annotations

import logging

from django_tasks import task

from .delivery import deliver_pending, worker_name

logger = logging.getLogger("minyi.notifications")


@task()
def deliver_notices() -> dict[str, int]:
    """Send the outbox's due rows."""
    return deliver_pending(worker=worker_name("deliver")).as_dict()


def enqueue_delivery() -> None:
    """Queue `deliver_notices`. Never raises: a failure here only delays the messages until the next
    periodic run."""
    try:
        deliver_notices.enqueue()
    except Exception:
        logger.exception("could not queue the delivery task; the next periodic run will send the messages")
