"""Abstract bases of the jobs a page starts and then polls (no table of their own, no migration).

- `BackgroundJob`: a job that may run in the background (django-tasks) and keeps a progress the
  page polls — the reports' exports and history uploads, the roster uploads.
- `UploadJob`: an uploaded workbook kept between its dry run and the confirmed import
  (`congress.ImportJob`, `reports.HistoryBatch`); `minyi.core.xlsx_import` runs its passes.

The concrete models declare what differs between them: the status choices, the verbose names of the
progress fields, the congress, the uploader, where the file is kept.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

#: Statuses in which a pass is still going on (the same values in every job's choices).
ACTIVE_STATUSES = frozenset({"queued", "running"})


class BackgroundJob(models.Model):
    """The concrete model declares `status` (with these values among its choices), `progress_done`,
    `progress_total` and `created_at`, whose labels differ from job to job."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    background = models.BooleanField(_("后台处理"), default=False)
    message = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    if TYPE_CHECKING:  # declared by each concrete model
        status: str
        progress_done: int
        progress_total: int

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class UploadJob(BackgroundJob):
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("确认导入人"),
    )
    filename = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    dry_run = models.BooleanField(_("仅校验（试导入）"), default=True)
    report = models.JSONField(_("结果"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    if TYPE_CHECKING:  # declared by each concrete model (who uploaded, where the file is kept, the statuses)
        created_by: Any
        file: FieldFile

        def get_status_display(self) -> str: ...

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_status_display()}"
