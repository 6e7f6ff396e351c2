"""The official holiday calendar: which dates are holidays (放假) and which weekend dates are make-up
workdays (调休上班), per year. National, so shared by every congress of a deployment, and edited
only by platform administrators (decision 0004).

A year is *complete* only when a platform administrator says so, naming the notice it comes from
(e.g. 国办发明电〔2025〕7号); until then every date in it is provisional (暂定), however many of its
days have been entered. A congress may add its own local closures (`LocalClosure`, e.g. a typhoon
closure), which count for that congress only."""

import uuid

from django.conf import settings
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
    #: The year's arrangement is entered in full (set by a platform administrator, with its notice).
    complete = models.BooleanField(_("已完整录入"), default=False)
    source_notice = models.CharField(_("依据通知"), max_length=200, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("确认人"),
    )
    completed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
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


class LocalCalendarYear(models.Model):
    """One congress's local closures of one year: `version` goes up on every change, so a deadline
    can record which local arrangement it was computed with (as with `CalendarYear.version`)."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    revision = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("本地停止办公安排年度")
        verbose_name_plural = _("本地停止办公安排年度")
        constraints = [
            models.UniqueConstraint(fields=["congress", "year"], name="localyear_one_per_congress")
        ]

    def __str__(self) -> str:
        return f"{self.congress_id} {self.year}"

    def bump(self) -> None:
        self.version += 1
        self.revision = uuid.uuid4()


class LocalClosure(models.Model):
    """A day on which one congress's offices are closed although the national calendar says it is a
    working day (typhoon, local event): a rest day for that congress's deadlines only."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("日期"))
    local_year = models.ForeignKey(
        LocalCalendarYear, on_delete=models.CASCADE, related_name="closures", verbose_name=_("年度")
    )
    name = models.CharField(_("原因"), max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("本地停止办公日")
        verbose_name_plural = _("本地停止办公日")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["congress", "date"], name="localclosure_one_per_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
