"""The append-only audit trail. One row per change, written by `minyi.audit.record()` inside the
same transaction as the change, each row's hash chained to the previous row's."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


#: Rows of no congress that record a change of shared data (the national holiday calendar), as
#: opposed to the platform's account rows (sign-ins, password changes: codes "account.*"), which
#: change no figure. `reports.dashboard.data_version` reads the latest of these through the partial
#: index below, however many sign-ins came after it.
SHARED_DATA = models.Q(congress__isnull=True) & ~models.Q(code__startswith="account.")


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("序号"), unique=True, editable=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    code = models.CharField(_("事件"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    congress = models.ForeignKey(
        "congress.Congress",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("人大"),
    )
    unit = models.ForeignKey(
        "congress.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("涉及用户"),
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name=_("建议"),
    )
    assignment = models.ForeignKey(
        "suggestions.Assignment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name=_("交办"),
    )
    # The changed object, whatever its model ("congress.deputy", 42, "张三（D001）").
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    old = models.JSONField(_("原值"), null=True, blank=True)
    new = models.JSONField(_("新值"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    correlation_id = models.UUIDField(_("关联编号"), default=uuid.uuid4, db_index=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["congress", "seq"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["suggestion", "seq"]),
            models.Index(fields=["seq"], condition=SHARED_DATA, name="audit_shared_data_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.code}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")


class AuditHead(models.Model):
    """The end of the chain: one row, locked while a new event is appended so that appends are
    serialised and no two events share a predecessor."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
