"""Notices and their delivery.

A `Notice` is one message to one person in one congress. Its `key` says *why* it exists (e.g.
``dl:overdue:<deadline>:<user>``: the overdue stage of that deadline, for that user) and is unique, so
whatever runs twice — the scan, two workers, a worker restarted after a crash — the same notice is
never created twice. The in-app inbox shows notices; e-mail and SMS go through `Delivery` rows
(a transactional outbox): written in the same transaction as the notice, then sent by a worker that
claims them, so a notice is never lost either.

`DeadlineReminder` records that one reminder stage of one deadline has been handled (even when it
had no recipient), so that the scan finds the next work with an index lookup instead of re-checking
every open deadline. `ScanCursor` remembers how far the scan has read the audit trail (work arriving,
deadlines changing).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    class Kind(models.TextChoices):
        WORK = "work", _("新待办")
        DUE_SOON = "due_soon", _("即将到期")
        OVERDUE = "overdue", _("已逾期")
        ESCALATED = "escalated", _("逾期督办")
        EVALUATION = "evaluation", _("测评提醒")
        URGED = "urged", _("催办")
        DEADLINE_CHANGED = "deadline_changed", _("期限变更")

    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="+", verbose_name=_("人大")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("接收人")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("建议"),
    )
    assignment = models.ForeignKey(
        "suggestions.Assignment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("交办"),
    )
    deadline = models.ForeignKey(
        "suggestions.Deadline",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("期限"),
    )
    #: The audit row that caused the notice (work arriving, a deadline changing, an urge).
    event = models.ForeignKey(
        "audit.AuditEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审计事件"),
    )
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    #: Where the notice leads, when it is not the suggestion or assignment it is about.
    url = models.CharField(_("链接"), max_length=300, blank=True)
    #: The scan run (or action call) that created the notice: its deliveries are written from it.
    batch = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread"),
            models.Index(fields=["batch"], name="notice_batch"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """The outbox row of one notice on one channel. `pending` rows whose `next_attempt_at` has come
    are claimed by a worker (`sending`, with `claimed_by`/`claimed_at`), sent, and marked `sent`; a
    failure puts the row back to `pending` later, until `failed` after the last attempt. A row left in
    `sending` by a dead worker goes back to `pending` after a while (see `delivery.sweep`)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("最早发送时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claimed_by = models.CharField(_("领取者"), max_length=80, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="delivery_one_per_channel"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="delivery_sent_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="delivery_sending"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address} · {self.get_status_display()}"


class DeadlineReminder(models.Model):
    """One reminder stage of one deadline for one due date, handled by the scan run `batch` (once:
    unique). A deadline whose due date is moved (recalculated with a new calendar or policy) gets its
    stages again for the new date."""

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", _("即将到期")
        OVERDUE = "overdue", _("已逾期")
        ESCALATED = "escalated", _("逾期督办")

    deadline = models.ForeignKey("suggestions.Deadline", on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices)
    due_on = models.DateField(_("到期日期"), null=True)
    batch = models.UUIDField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("期限提醒")
        verbose_name_plural = _("期限提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "stage", "due_on"], name="deadlinereminder_once_per_due_date"
            ),
        ]
        indexes = [models.Index(fields=["batch", "stage"], name="deadlinereminder_batch")]

    def __str__(self) -> str:
        return f"{self.deadline_id} · {self.get_stage_display()}"


class ScanCursor(models.Model):
    """How far the scan has read an ordered stream (the audit trail: `position` is an audit seq)."""

    name = models.CharField(max_length=32, primary_key=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("扫描进度")
        verbose_name_plural = _("扫描进度")

    def __str__(self) -> str:
        return f"{self.name}: {self.position}"
