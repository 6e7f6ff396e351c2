"""Rows the reports app keeps of its own (the figures themselves are never stored):

- `ExportJob`: one requested export (the annual ledger, the league table, the quarterly bulletin,
  the year's PDF report). Large exports run in the background (django-tasks); the job keeps the
  progress the page polls and, once done, the file in private storage (never under the web root),
  served only to members who may see the congress's figures.
- `HistoryBatch`: one upload of a ledger of past years' suggestions (历史数据导入) and the passes
  run over it (dry run, then the confirmed import). The suggestions it created are real
  suggestions, assignments, replies and evaluations — counted by the figures like any other — and
  are linked to the batch (`HistoryBatch.suggestions`), which keeps the source file's SHA-256; the
  audit rows of the import carry the same hash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minyi.core.models_import import BackgroundJob, UploadJob


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    CHECKED = "checked", _("校验通过，待确认导入")
    INVALID = "invalid", _("校验未通过")
    DONE = "done", _("已完成")
    FAILED = "failed", _("处理失败")


ACTIVE_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


class _Job(BackgroundJob):
    # The id, the background flag, the message and the update and finish times: `BackgroundJob`.
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        abstract = True


def export_path(instance: ExportJob, filename: str) -> str:
    return f"exports/{instance.congress_id}/{instance.pk}.{instance.extension}"


class ExportJob(_Job):
    class Kind(models.TextChoices):
        LEDGER = "ledger", _("建议办理情况汇总表（.xlsx）")
        LEAGUE = "league", _("承办单位办理情况排名（.xlsx）")
        YEAR_PDF = "year_pdf", _("年度统计报告（PDF）")
        BULLETIN_XLSX = "bulletin_xlsx", _("季度通报（.xlsx）")
        BULLETIN_PDF = "bulletin_pdf", _("季度通报（PDF）")

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="+", verbose_name=_("人大")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    #: The scope and options as the query string of the page that asked for it.
    params = models.CharField(_("范围"), max_length=500, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申请人"),
    )
    file = models.FileField(_("文件"), upload_to=export_path, max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["congress", "-created_at"], name="exportjob_congress_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_status_display()}"

    @property
    def extension(self) -> str:
        return "pdf" if self.kind in (self.Kind.YEAR_PDF, self.Kind.BULLETIN_PDF) else "xlsx"


def history_upload_path(instance: HistoryBatch, filename: str) -> str:
    return f"history/{instance.congress_id}/{instance.pk}.xlsx"


class HistoryBatch(_Job, UploadJob):
    # The file's name, size and report, the dry-run flag, who confirmed it and when: `UploadJob`.
    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="+", verbose_name=_("人大")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    file = models.FileField(_("文件"), upload_to=history_upload_path, max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    suggestions = models.ManyToManyField(
        "suggestions.Suggestion", blank=True, related_name="history_batches", verbose_name=_("导入的建议")
    )

    class Meta:
        verbose_name = _("历史数据导入")
        verbose_name_plural = _("历史数据导入")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["congress", "-created_at"], name="historybatch_congress_recent")]


class FigureSnapshot(models.Model):
    """A dashboard's computed numbers (the summary table the dashboards read), kept exactly in step
    with the records: `version` is the congress's data version when they were computed — the
    sequence number of the latest audit row of the congress (or of no congress) — and a snapshot is
    used only while that is still the latest. Every change of records is an audited action that
    writes its audit row in the same transaction, so any change makes every snapshot of the
    congress stale at once; the next reader recomputes it (`dashboard.cached_overview`)."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="+", verbose_name=_("人大")
    )
    #: Hash of what the numbers are for: the scope, a unit, the language, the policy's last change.
    key = models.CharField(max_length=64)
    as_of = models.DateField(_("期限判断日"))
    version = models.BigIntegerField(_("数据版本"))
    payload = models.JSONField(_("数据"))
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)
    seconds = models.FloatField(_("计算用时（秒）"), default=0)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        constraints = [models.UniqueConstraint(fields=["congress", "key"], name="figuresnapshot_unique_key")]

    def __str__(self) -> str:
        return f"{self.congress_id}/{self.key[:8]} v{self.version}"
