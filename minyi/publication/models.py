"""公开: what the public site shows, and nothing else.

The public site (`/p/<code>/`) reads suggestions only through these tables (besides them: the
congress's taxonomies, key themes' names and counts, published award rounds): a `Publication` is the clerk's decision on
one suggestion, with the **redacted copy** of its text and of its reply letters made when the clerk
published it; a `PublishedFigures` row is a year's figures frozen when the clerk published them. The
suggestion's own rows are never read by a public page, so nothing unpublished or unredacted can
reach one. Rows here are written only by the `do_*` actions in `actions.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.core.models import TimeStamped

USER = settings.AUTH_USER_MODEL


class PublicationState(models.TextChoices):
    PUBLISHED = "published", _("已公开")
    WITHHELD = "withheld", _("不予公开")
    RETRACTED = "retracted", _("已撤回公开")


class Publication(TimeStamped):
    """The clerk's decision on publishing one suggestion, and the redacted copy the public reads."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.PROTECT, related_name="+", verbose_name=_("人大")
    )
    suggestion = models.OneToOneField(
        "suggestions.Suggestion", on_delete=models.PROTECT, related_name="publication", verbose_name=_("建议")
    )
    state = models.CharField(_("公开状态"), max_length=16, choices=PublicationState.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.CharField(_("建议编号"), max_length=64)
    title = models.CharField(_("案由"), max_length=200, blank=True)
    facts = models.TextField(_("情况与问题"), blank=True)
    proposals = models.TextField(_("具体建议"), blank=True)
    #: The lead deputy and the confirmed co-signers, as printed (deputies' names are public).
    deputies = models.CharField(_("提出代表"), max_length=500, blank=True)
    category = models.ForeignKey(
        "congress.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("分类"),
    )
    accepted_on = models.DateField(_("立案日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    #: How many pieces of personal data were masked, and the words the clerk confirmed as public.
    masked = models.PositiveIntegerField(_("遮盖处数"), default=0)
    confirmed_public = models.JSONField(_("经确认可公开的内容"), default=list, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"), default=timezone.now)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    #: jieba's tokens of the published copy (number, title, texts, deputies, reply letters and their
    #: units), space-separated: what the public search matches (`public_search.py`), with each
    #: database's full-text index over it — SQLite: the FTS5 table `publication_fts`; PostgreSQL:
    #: the stored tsvector `tsv` (migration 0002). Made from the masked copy only, never the original.
    terms = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("公开决定")
        verbose_name_plural = _("公开决定")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="publication_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(state="published") | ~Q(reason=""), name="publication_refusal_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["congress", "state", "year"], name="publication_public_list"),
            models.Index(fields=["congress", "state", "-published_at"], name="publication_recent"),
        ]

    def __str__(self) -> str:
        return self.number or str(self.suggestion_id)


class PublishedReply(models.Model):
    """A signed reply letter as published: the unit, its result class and the redacted body."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="replies")
    unit = models.ForeignKey(
        "congress.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    result_class = models.ForeignKey(
        "congress.ResultClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("答复类别")
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    body = models.TextField(_("答复内容"))
    signed_on = models.DateField(_("答复日期"))
    #: The deputy's overall rating of this reply (满意/基本满意/不满意), or "" if none was given.
    satisfaction = models.CharField(_("代表测评"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("公开的答复")
        verbose_name_plural = _("公开的答复")
        ordering = ["round", "id"]
        indexes = [
            models.Index(fields=["unit"], name="publishedreply_unit"),
            models.Index(fields=["satisfaction"], name="publishedreply_satisfaction"),
        ]

    def __str__(self) -> str:
        return f"{self.publication} · {self.unit_id}"


class WithholdGround(models.TextChoices):
    SECRET = "secret", _("涉及国家秘密或工作秘密")
    SENSITIVE = "sensitive", _("敏感事项")
    PERSONAL = "personal", _("涉及个人隐私或个人事项")
    OTHER = "other", _("其他")


class WithholdState(models.TextChoices):
    PENDING = "pending", _("待审定")
    GRANTED = "granted", _("同意不予公开")
    REFUSED = "refused", _("不同意，予以公开")


class WithholdRequest(models.Model):
    """A handling unit's request that a suggestion and its reply not be published (申请不予公开)."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.PROTECT, related_name="+")
    suggestion = models.ForeignKey(
        "suggestions.Suggestion", on_delete=models.PROTECT, related_name="withhold_requests"
    )
    unit = models.ForeignKey(
        "congress.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请单位")
    )
    ground = models.CharField(_("理由类别"), max_length=16, choices=WithholdGround.choices)
    reason = models.TextField(_("具体理由"))
    state = models.CharField(
        _("状态"), max_length=16, choices=WithholdState.choices, default=WithholdState.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    decision_note = models.TextField(_("审定意见"), blank=True)

    class Meta:
        verbose_name = _("不予公开申请")
        verbose_name_plural = _("不予公开申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "unit"],
                condition=Q(state="pending"),
                name="withhold_one_pending_per_unit",
            )
        ]
        indexes = [models.Index(fields=["congress", "state"], name="withhold_pending")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} · {self.unit_id}"


class PublishedFigures(models.Model):
    """A year's figures as the clerk published them: the inside engine's payload, frozen."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("统计截至"))
    payload = models.JSONField(_("数据"))
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("公布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公布的统计")
        verbose_name_plural = _("公布的统计")
        ordering = ["-year", "-published_at", "-id"]
        indexes = [models.Index(fields=["congress", "year", "-published_at"], name="publishedfigures_latest")]

    def __str__(self) -> str:
        return f"{self.congress_id}/{self.year} {self.as_of}"
