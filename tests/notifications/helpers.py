"""Initial rows for delivery tests: notices with their outbox rows, as the scan or an action writes
them (same transaction, `queue_deliveries`)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from minyi.notifications.delivery import queue_deliveries
from minyi.notifications.models import Notice
from tests.factories import UserFactory


def people(n: int, *, prefix: str = "p", phone: bool = False) -> list:
    return [
        UserFactory(
            username=f"{prefix}{i}",
            email=f"{prefix}{i}@example.cn",
            phone=f"1390000{i:04d}" if phone else "",
        )
        for i in range(n)
    ]


def notices_for(congress, users, *, kind: str = Notice.Kind.OVERDUE, title: str = "测试通知") -> list[Notice]:
    """One notice per user (kind `kind`), with its e-mail (and SMS) rows, committed together."""
    batch = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        notices = Notice.objects.bulk_create(
            [
                Notice(
                    key=f"test:{batch.hex}:{user.pk}",
                    congress=congress,
                    recipient=user,
                    kind=kind,
                    title=f"{title}{i}",
                    body="正文",
                    batch=batch,
                    created_at=now,
                )
                for i, user in enumerate(users)
            ]
        )
        queue_deliveries(batch, now=now)
    return notices
