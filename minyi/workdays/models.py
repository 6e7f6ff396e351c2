"""The official holiday calendar: which dates are holidays (放假) and which weekend dates are make-up
workdays (调休上班), per year. National, so shared by every congress of a deployment."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official calendar is known. `version` goes up on every edit, so a deadline can
    record which calendar it was computed with."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinese-calendar 数据包")
        MANUAL = "manual", _("管理员录入")

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    #: A new random value on every edit, so that two different edits can never look the same to the
    #: cache (even with equal versions and timestamps, e.g. in rolled-back transactions).
    revision = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def bump(self) -> None:
        """Record an edit: next version, new revision (the caller saves)."""
        self.version += 1
        self.revision = uuid.uuid4()


class SpecialDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("年度")
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
