from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class PeriodicJob(models.Model):
    """One periodic job (see `minyi.core.periodic`): the lease a run holds while doing it, and how its
    last run went."""

    name = models.CharField(_("任务"), max_length=40, primary_key=True)
    running_since = models.DateTimeField(_("开始运行"), null=True, blank=True)
    running_by = models.CharField(_("运行者"), max_length=120, blank=True)
    last_started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    last_ok = models.BooleanField(_("最近是否成功"), null=True, blank=True)
    last_result = models.JSONField(_("最近结果"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("周期任务")
        verbose_name_plural = _("周期任务")

    def __str__(self) -> str:
        return self.name
