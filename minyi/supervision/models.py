"""网上督办: key themes (重点督办) with their member suggestions, supervision records, the supervision
task force (督导专班) and its inspections, and leaders' written instructions (批示).

Deadline colours are not stored anywhere: `warnings.py` computes them for a date. Rows here are
written only by the `do_*` actions in `actions.py`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.core.models import TimeStamped

USER = settings.AUTH_USER_MODEL


class KeyTheme(TimeStamped):
    """A year's key theme (重点督办项目), chosen by the chair's meeting: e.g. 物业管理 with its
    supervising leader, lead unit, plan (督办方案) and member suggestions. Its progress colour is
    computed from the member suggestions (`selectors.theme_progress`)."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="key_themes", verbose_name=_("人大")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("督办主题"), max_length=100)
    supervising_leader = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("领衔督办领导（账号）"),
    )
    supervising_leader_name = models.CharField(
        _("领衔督办领导"),
        max_length=100,
        blank=True,
        help_text=_("姓名和职务，如“王某某 常委会副主任”；没有平台账号的领导也可填写。"),
    )
    lead_unit = models.ForeignKey(
        "congress.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("牵头办理单位"),
    )
    plan = models.TextField(_("督办方案"), blank=True)
    active = models.BooleanField(_("督办中"), default=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    suggestions = models.ManyToManyField(
        "suggestions.Suggestion",
        through="ThemeSuggestion",
        related_name="key_themes",
        verbose_name=_("督办建议"),
    )

    class Meta:
        verbose_name = _("重点督办主题")
        verbose_name_plural = _("重点督办主题")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "year", "name"], name="keytheme_unique_name"),
            models.CheckConstraint(
                condition=~Q(supervising_leader__isnull=True, supervising_leader_name=""),
                name="keytheme_has_leader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def leader_display(self) -> str:
        if self.supervising_leader_name:
            return self.supervising_leader_name
        return str(self.supervising_leader) if self.supervising_leader_id else ""


class ThemeSuggestion(models.Model):
    """A suggestion's membership of a key theme."""

    theme = models.ForeignKey(KeyTheme, on_delete=models.CASCADE, related_name="memberships")
    suggestion = models.ForeignKey(
        "suggestions.Suggestion", on_delete=models.PROTECT, related_name="theme_memberships"
    )
    added_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办主题的建议")
        verbose_name_plural = _("督办主题的建议")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["theme", "suggestion"], name="themesuggestion_unique")]

    def __str__(self) -> str:
        return f"{self.theme} · {self.suggestion}"


class Instruction(models.Model):
    """A leader's written instruction (领导批示) on a suggestion. While it is open the suggestion is
    under special supervision (批示专项督查) by the inspection office (督查考核室), which records its
    own supervision (records linked to the instruction) and time limits (`due_on`, and each
    record's `respond_by`)."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="+", verbose_name=_("人大")
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        on_delete=models.PROTECT,
        related_name="instructions",
        verbose_name=_("建议"),
    )
    leader_name = models.CharField(_("批示领导"), max_length=64)
    leader_title = models.CharField(_("职务"), max_length=100, blank=True)
    instructed_on = models.DateField(_("批示日期"))
    text = models.TextField(_("批示内容"))
    due_on = models.DateField(
        _("专项督查办结时限"),
        null=True,
        blank=True,
        help_text=_("督查考核室要求承办单位报告落实情况的日期。"),
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    concluded_at = models.DateTimeField(_("专项督查结束时间"), null=True, blank=True)
    concluded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    conclusion = models.TextField(_("督查结论"), blank=True)

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-instructed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(concluded_at__isnull=True) | ~Q(conclusion=""),
                name="instruction_concluded_with_text",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=models.F("instructed_on")),
                name="instruction_due_after_instruction",
            ),
        ]
        indexes = [models.Index(fields=["congress", "concluded_at"])]

    def __str__(self) -> str:
        return str(_("%(leader)s批示（%(date)s）") % {"leader": self.leader_name, "date": self.instructed_on})

    @property
    def is_open(self) -> bool:
        return self.concluded_at is None


class SupervisionRecord(models.Model):
    """One act of supervision (督办记录): a site visit, a consultation meeting, a report to the
    chair's meeting … about a key theme, a suggestion, or a leader's instruction, with who took part
    (deputies too), what was found, what the unit is required to do by when, and the unit's answer."""

    class Kind(models.TextChoices):
        SITE_VISIT = "site_visit", _("实地视察")
        CONSULTATION = "consultation", _("协商会")
        CHAIR_REPORT = "chair_report", _("主任会议汇报")
        SYMPOSIUM = "symposium", _("座谈会")
        RESEARCH = "research", _("专题调研")
        HEARING = "hearing", _("听取汇报")
        PHONE = "phone", _("电话调度")
        SPECIAL = "special", _("批示专项督查")
        OTHER = "other", _("其他")

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="+", verbose_name=_("人大")
    )
    theme = models.ForeignKey(
        KeyTheme,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("督办主题"),
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_records",
        verbose_name=_("建议"),
    )
    instruction = models.ForeignKey(
        Instruction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("领导批示"),
    )
    kind = models.CharField(_("督办方式"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    participants = models.TextField(_("参加人员"))
    deputies = models.ManyToManyField(
        "congress.Deputy", blank=True, related_name="+", verbose_name=_("参加的代表")
    )
    findings = models.TextField(_("发现的问题"))
    requirements = models.TextField(_("督办要求"), blank=True)
    unit = models.ForeignKey(
        "congress.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被督办单位"),
    )
    respond_by = models.DateField(_("反馈时限"), null=True, blank=True)
    unit_response = models.TextField(_("承办单位反馈"), blank=True)
    responded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(theme__isnull=False) | Q(suggestion__isnull=False),
                name="supervisionrecord_has_target",
            ),
            models.CheckConstraint(
                condition=Q(respond_by__isnull=True) | Q(respond_by__gte=models.F("held_on")),
                name="supervisionrecord_respond_after_held",
            ),
            models.CheckConstraint(
                condition=Q(respond_by__isnull=True) | Q(unit__isnull=False),
                name="supervisionrecord_deadline_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"

    @property
    def responded(self) -> bool:
        return self.responded_at is not None


ATTACHMENT_KINDS = (("photo", _("照片")), ("minutes", _("会议纪要")), ("other", _("其他材料")))


def record_attachment_path(instance: RecordAttachment, filename: str) -> str:
    """A generated storage name; the uploader's file name is kept for display only."""
    from minyi.suggestions.models import ATTACHMENT_TYPES

    ext = ATTACHMENT_TYPES.get(instance.content_type, "bin")
    return f"supervision/{instance.record.congress_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class RecordAttachment(models.Model):
    """A photo or the minutes of a supervision record, served only through an access-checked view."""

    record = models.ForeignKey(SupervisionRecord, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=16, choices=ATTACHMENT_KINDS, default="other")
    file = models.FileField(_("文件"), upload_to=record_attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办记录附件")
        verbose_name_plural = _("督办记录附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TaskForceMember(models.Model):
    """A member of the supervision task force (督导专班), designated by a congress admin: may open
    every suggestion of the congress and inspect the units' handling. Removal keeps the row."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="+", verbose_name=_("人大")
    )
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="task_forces", verbose_name=_("成员")
    )
    note = models.CharField(
        _("说明"), max_length=200, blank=True, help_text=_("如“代表工委副主任”“区人大代表”。")
    )
    added_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)
    removed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督导专班成员")
        verbose_name_plural = _("督导专班成员")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "user"], condition=Q(removed_at__isnull=True), name="taskforce_one_active"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def active(self) -> bool:
        return self.removed_at is None


class Check(models.TextChoices):
    """An inspector's answer to one check question."""

    YES = "yes", _("是")
    PARTLY = "partly", _("部分")
    NO = "no", _("否")
    UNCLEAR = "unclear", _("待核实")


class DeputyView(models.TextChoices):
    AGREES = "agrees", _("代表认可")
    DISAGREES = "disagrees", _("代表不认可")
    UNKNOWN = "unknown", _("尚未征求代表意见")


class Inspection(models.Model):
    """A task-force inspection (督导检查) of one unit's handling of a suggestion, routine or surprise:
    did the unit really contact the deputy, is the reply true, is the problem solved; what must be
    put right by when, the unit's answer, and whether the deputy agrees (代表认不认可)."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("例行检查")
        SURPRISE = "surprise", _("随机抽查")

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="+", verbose_name=_("人大")
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("建议")
    )
    assignment = models.ForeignKey(
        "suggestions.Assignment", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("交办")
    )
    kind = models.CharField(_("检查方式"), max_length=16, choices=Kind.choices)
    inspected_on = models.DateField(_("检查日期"))
    contacted = models.CharField(_("是否真正联系了代表"), max_length=8, choices=Check.choices)
    reply_real = models.CharField(_("答复内容是否属实"), max_length=8, choices=Check.choices)
    solved = models.CharField(_("问题是否解决"), max_length=8, choices=Check.choices)
    findings = models.TextField(_("检查发现"))
    required_action = models.TextField(_("整改要求"), blank=True)
    due_on = models.DateField(_("整改反馈时限"), null=True, blank=True)
    unit_answer = models.TextField(_("承办单位整改反馈"), blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    deputy_view = models.CharField(
        _("代表是否认可"), max_length=16, choices=DeputyView.choices, default=DeputyView.UNKNOWN
    )
    deputy_opinion = models.TextField(_("代表意见"), blank=True)
    inspector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督导检查")
        verbose_name_plural = _("督导检查")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | ~Q(required_action=""), name="inspection_due_needs_action"
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=models.F("inspected_on")),
                name="inspection_due_after_inspection",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.get_kind_display()}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
