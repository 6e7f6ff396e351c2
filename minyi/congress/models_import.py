"""ImportJob — one upload of a roster workbook (花名册) and the passes run over it.

The uploaded file is kept in private storage (``MEDIA_ROOT/imports/<uuid>.xlsx``, never under the
web root) from the dry run until the confirmed import, so that "确认导入" commits exactly the file
that was checked. The job records the latest pass's status, progress and report; the domain change
itself (and its audit row) is made by ``minyi.congress.roster.import_roster``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.core.models_import import UploadJob


def import_upload_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.pk}.xlsx"


class ImportJob(UploadJob):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        CHECKED = "checked", _("校验通过，待确认导入")
        INVALID = "invalid", _("校验未通过")
        IMPORTED = "imported", _("已导入")
        FAILED = "failed", _("处理失败")

    #: Statuses in which a pass is still going on.
    ACTIVE = frozenset({Status.QUEUED, Status.RUNNING})

    # The id, the file's name, size and report, the dry-run flag, the background flag, the message,
    # who confirmed it and when, and the times are those of every upload job (`UploadJob`).
    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("人大")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    file = models.FileField(_("文件"), upload_to=import_upload_path, max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("数据行数（估计）"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    progress_total = models.PositiveIntegerField(_("总行数"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["congress", "-created_at"], name="importjob_congress_recent")]

    @property
    def progress(self) -> tuple[int, int]:
        """(rows done, rows in all) of the running pass."""
        return self.progress_done, self.progress_total
