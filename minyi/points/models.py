"""The points rule table, the ledger, and the inputs kept here: manual entries (offline activities)
with their two-step review, objections with their decisions, and monthly expectations.

The ledger (`LedgerEntry`) is derived: `engine.compute_year` rebuilds it from the source events,
the rules and the inputs above, and `actions.sync_ledger` writes the difference. Nothing else
writes ledger rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .events import EVENT_CHOICES, MANUAL_CHOICES, CapPeriod, PointsRole

USER = settings.AUTH_USER_MODEL


class PointsRule(models.Model):
    """Event → points for a role, optionally capped per quarter or year, valid between two dates.
    Rules are never edited: a change ends the old rule (`valid_to`) and adds a new one, so the
    ledger of any past period can be rebuilt with the rules that applied then."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="points_rules", verbose_name=_("人大")
    )
    event = models.CharField(_("履职事项"), max_length=32, choices=EVENT_CHOICES)
    role = models.CharField(_("角色"), max_length=16, choices=PointsRole.choices, default=PointsRole.ANY)
    points = models.SmallIntegerField(
        _("分值"), validators=[MinValueValidator(-100), MaxValueValidator(100)], help_text=_("扣分填负数。")
    )
    cap = models.PositiveSmallIntegerField(
        _("上限（分）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("每位代表每个周期按本条规则最多计（或扣）的分数；不填为不设上限。"),
    )
    cap_period = models.CharField(_("上限周期"), max_length=8, choices=CapPeriod.choices, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(
        _("失效日期"), null=True, blank=True, help_text=_("最后一个有效日；不填为长期有效。")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["event", "role", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="pointsrule_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(cap__isnull=True, cap_period="") | (Q(cap__isnull=False) & ~Q(cap_period="")),
                name="pointsrule_cap_has_period",
            ),
            models.CheckConstraint(condition=~Q(points=0), name="pointsrule_points_not_zero"),
        ]
        indexes = [models.Index(fields=["congress", "event"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.get_role_display()} · {self.points:+d}"

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class LedgerEntry(models.Model):
    """One entry of a deputy's points record (履职档案), identified by a stable `key` that names its
    source (e.g. ``sugg:12:suggestion_accepted:34``)."""

    class Adjustment(models.TextChoices):
        NONE = "", _("—")
        CAPPED = "capped", _("已达上限")
        CORRECTED = "corrected", _("异议更正")

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    deputy = models.ForeignKey(
        "congress.Deputy", on_delete=models.CASCADE, related_name="points_entries", verbose_name=_("代表")
    )
    key = models.CharField(_("来源标识"), max_length=120)
    event = models.CharField(_("履职事项"), max_length=32, choices=EVENT_CHOICES)
    role = models.CharField(_("角色"), max_length=16, choices=PointsRole.choices)
    date = models.DateField(_("日期"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    points = models.SmallIntegerField(_("积分"))
    raw_points = models.SmallIntegerField(_("规则分值"))
    rule = models.ForeignKey(PointsRule, null=True, on_delete=models.SET_NULL, related_name="+")
    adjustment = models.CharField(_("调整"), max_length=16, choices=Adjustment.choices, blank=True)
    description = models.CharField(_("内容"), max_length=300)
    source = models.JSONField(_("来源"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["date", "key"]
        constraints = [models.UniqueConstraint(fields=["congress", "key"], name="ledgerentry_unique_key")]
        indexes = [
            models.Index(fields=["congress", "year", "quarter"]),
            models.Index(fields=["deputy", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_event_display()} {self.points:+d}"


class LedgerSync(models.Model):
    """When the ledger of one congress-year was last rebuilt (and the row that serialises rebuilds)."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    synced_at = models.DateTimeField(null=True, blank=True)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["congress", "year"], name="ledgersync_unique_year")]

    def __str__(self) -> str:
        return f"{self.congress_id}/{self.year}: {self.synced_at}"


def evidence_path(instance: ManualEntry, filename: str) -> str:
    from minyi.suggestions.models import ATTACHMENT_TYPES

    ext = ATTACHMENT_TYPES.get(instance.evidence_type, "bin")
    return f"points/{instance.congress_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class ManualEntry(models.Model):
    """An offline activity (线下履职) entered by hand with evidence: 初审 by the clerk of the deputy's
    group (a liaison clerk of one of its stations), then 复核 by a congress clerk."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待初审")
        CHECKED = "checked", _("初审通过，待复核")
        APPROVED = "approved", _("复核通过")
        REJECTED = "rejected", _("未通过")

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    deputy = models.ForeignKey(
        "congress.Deputy", on_delete=models.PROTECT, related_name="manual_points", verbose_name=_("代表")
    )
    event = models.CharField(_("活动类别"), max_length=32, choices=MANUAL_CHOICES)
    activity_date = models.DateField(_("活动日期"))
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("情况说明"), blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, max_length=200)
    evidence_name = models.CharField(_("原文件名"), max_length=200)
    evidence_type = models.CharField(_("文件类型"), max_length=100)
    evidence_sha256 = models.CharField(max_length=64)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.SUBMITTED)
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    checked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    check_note = models.TextField(_("初审意见"), blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)

    class Meta:
        verbose_name = _("线下履职登记")
        verbose_name_plural = _("线下履职登记")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["congress", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="submitted") | Q(checked_at__isnull=False) | Q(reviewed_at__isnull=False),
                name="manualentry_reviewed_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_date} {self.title}"

    @property
    def key(self) -> str:
        return f"manual:{self.pk}"


class Objection(models.Model):
    """A deputy's objection (异议) to one entry of their record, and the clerk's decision."""

    class State(models.TextChoices):
        PENDING = "pending", _("待处理")
        REJECTED = "rejected", _("维持原记录")
        CORRECTED = "corrected", _("已更正")

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    deputy = models.ForeignKey(
        "congress.Deputy", on_delete=models.PROTECT, related_name="points_objections", verbose_name=_("代表")
    )
    entry_key = models.CharField(_("积分记录"), max_length=120)
    entry = models.JSONField(_("提出异议时的记录"), default=dict)
    reason = models.TextField(_("异议理由"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    corrected_points = models.SmallIntegerField(
        _("更正后积分"), null=True, blank=True, validators=[MinValueValidator(-100), MaxValueValidator(100)]
    )
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("处理理由"), blank=True)

    class Meta:
        verbose_name = _("积分异议")
        verbose_name_plural = _("积分异议")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "entry_key"], condition=Q(state="pending"), name="objection_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(state="corrected") | Q(corrected_points__isnull=False),
                name="objection_corrected_has_points",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.entry_key} · {self.get_state_display()}"


class MonthlyExpectation(models.Model):
    """The congress expects `deputy` to write `per_month` suggestions a month (counted when accepted),
    from `start_month` to `end_month` (first days of months; open-ended when null)."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    deputy = models.ForeignKey(
        "congress.Deputy",
        on_delete=models.PROTECT,
        related_name="monthly_expectations",
        verbose_name=_("代表"),
    )
    per_month = models.PositiveSmallIntegerField(
        _("每月件数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    start_month = models.DateField(_("起始月份"))
    end_month = models.DateField(_("截止月份"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("每月建议要求")
        verbose_name_plural = _("每月建议要求")
        ordering = ["deputy__number", "start_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")),
                name="expectation_months_ordered",
            ),
            models.CheckConstraint(condition=Q(start_month__day=1), name="expectation_starts_on_first"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.per_month}/月"

    def covers(self, month) -> bool:
        return self.start_month <= month and (self.end_month is None or month <= self.end_month)
