"""Award rounds, their criteria, nominees, judges, scores and stored results.

Rows are written only by the `do_*` actions in `actions.py`; the round's state follows `states.py`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.core.models import TimeStamped

from .states import RoundState, Track

USER = settings.AUTH_USER_MODEL
QUARTER_LABELS = {1: _("第一季度"), 2: _("第二季度"), 3: _("第三季度"), 4: _("第四季度")}


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a calendar quarter."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return start, end - datetime.timedelta(days=1)


class AwardRound(TimeStamped):
    """One quarter's round (季度评选) of a congress, with its two tracks."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="award_rounds", verbose_name=_("人大")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000)])
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    title = models.CharField(_("名称"), max_length=100)
    state = models.CharField(
        _("状态"), max_length=16, choices=RoundState.choices, default=RoundState.DRAFT, db_index=True
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    scoring_deadline = models.DateTimeField(_("评分截止时间"))
    min_scores = models.PositiveSmallIntegerField(
        _("每个候选最少评分人数"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("完整评分的评审少于此数的候选不参加排名（列为“评分不足”）。"),
    )
    suggestion_quota = models.PositiveSmallIntegerField(
        _("优秀建议名额"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    unit_quota = models.PositiveSmallIntegerField(
        _("先进承办单位名额"), default=3, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    unit_min_count = models.PositiveSmallIntegerField(
        _("承办单位提名最少交办件数"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("本季度交办件数少于此数的单位不按规则提名（样本不足）。"),
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("评分截止于"), null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    approval_note = models.TextField(_("审定意见"), blank=True)
    published_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评选轮次")
        verbose_name_plural = _("评选轮次")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "year", "quarter"], name="awardround_one_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="awardround_quarter_1_4"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        return f"{self.year}年{QUARTER_LABELS[self.quarter]}"

    @property
    def period_code(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def bounds(self) -> tuple[datetime.date, datetime.date]:
        return quarter_bounds(self.year, self.quarter)

    def quota(self, track: str) -> int:
        return self.suggestion_quota if track == Track.SUGGESTION else self.unit_quota


class Criterion(models.Model):
    """A scoring criterion of one track of a round, with its weight (权重)."""

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="criteria")
    track = models.CharField(_("评选类别"), max_length=16, choices=Track.choices)
    name = models.CharField(_("评分项"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("权重"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分标准")
        verbose_name_plural = _("评分标准")
        ordering = ["track", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "track", "name"], name="criterion_unique_name"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_1_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class Nominee(models.Model):
    """A candidate of one track: a suggestion or a handling unit. Proposed by the rules or added by
    an admin with a reason; removed ones stay, with the reason, and are not scored."""

    class Source(models.TextChoices):
        PROPOSED = "proposed", _("按规则提名")
        MANUAL = "manual", _("管理员增补")

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="nominees")
    track = models.CharField(_("评选类别"), max_length=16, choices=Track.choices)
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_nominations",
        verbose_name=_("建议"),
    )
    unit = models.ForeignKey(
        "congress.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_nominations",
        verbose_name=_("承办单位"),
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    basis = models.JSONField(_("提名依据"), default=dict, blank=True)
    reason = models.TextField(_("提名理由"), blank=True)
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("提名时间"), default=timezone.now)
    removed = models.BooleanField(_("已移出"), default=False)
    removed_reason = models.TextField(_("移出理由"), blank=True)
    removed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(_("移出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("候选")
        verbose_name_plural = _("候选")
        ordering = ["track", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(track="suggestion", suggestion__isnull=False, unit__isnull=True)
                | Q(track="unit", unit__isnull=False, suggestion__isnull=True),
                name="nominee_subject_matches_track",
            ),
            models.UniqueConstraint(
                fields=["round", "suggestion"],
                condition=Q(suggestion__isnull=False),
                name="nominee_unique_suggestion",
            ),
            models.UniqueConstraint(
                fields=["round", "unit"], condition=Q(unit__isnull=False), name="nominee_unique_unit"
            ),
            models.CheckConstraint(
                condition=Q(removed=False) | ~Q(removed_reason=""), name="nominee_removed_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return str(self.suggestion if self.track == Track.SUGGESTION else self.unit)


class JudgeAssignment(models.Model):
    """A judge (评审专家) on the round's panel."""

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="judges")
    judge = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="award_panels")
    added_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评审")
        verbose_name_plural = _("评审")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "judge"], name="judgeassignment_unique")]

    def __str__(self) -> str:
        return str(self.judge)


class Score(models.Model):
    """One judge's score (0–100) of one nominee on one criterion."""

    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(_("分数"), validators=[MaxValueValidator(100)])
    scored_at = models.DateTimeField(_("评分时间"), default=timezone.now)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["nominee", "judge", "criterion"], name="score_unique"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=100), name="score_value_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.value}"


class AwardResult(models.Model):
    """A nominee's result, computed from the scores when scoring closed and kept from then on."""

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="results")
    nominee = models.OneToOneField(Nominee, on_delete=models.CASCADE, related_name="result")
    score = models.DecimalField(_("加权平均分"), max_digits=5, decimal_places=2, null=True)
    sheets = models.PositiveSmallIntegerField(_("完整评分人数"))
    rank = models.PositiveSmallIntegerField(_("名次"), null=True)
    awarded = models.BooleanField(_("获评"), default=False)

    class Meta:
        verbose_name = _("评选结果")
        verbose_name_plural = _("评选结果")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return f"{self.nominee} · {self.rank or '—'}"
