"""The suggestion and everything that happens to it.

Rows are written only by the `do_*` actions in `actions/`; the state fields follow `states.py`.
Invariants that the database can hold are constraints here (one active lead unit per suggestion and
round, one evaluation per reply, one pending request of a kind at a time, gap-free numbers…).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.core.models import TimeStamped

from .rule_text import in_language
from .states import (
    AssignmentState,
    CommitmentState,
    ContactState,
    CoSignerState,
    ExtensionState,
    ReassignRequestState,
    SuggestionState,
    WithdrawalState,
)

USER = settings.AUTH_USER_MODEL


class SuggestionKind(models.TextChoices):
    SESSION = "session", _("大会期间建议")
    INTERIM = "interim", _("闭会期间建议")


class Disposition(models.TextChoices):
    """What happens to a suggestion that is not accepted (不予立案的处理方式)."""

    DEPUTY_LETTER = "deputy_letter", _("转代表来信")
    FOR_REFERENCE = "for_reference", _("转有关部门参考")
    RETURNED = "returned", _("退回")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")
    SPLIT = "split", _("分办")


class ContactPhase(models.TextChoices):
    BEFORE = "before", _("办前")
    DURING = "during", _("办中")
    AFTER = "after", _("办后")


class ContactMethod(models.TextChoices):
    VISIT = "visit", _("走访")
    MEETING = "meeting", _("座谈")
    PHONE = "phone", _("电话")
    SITE = "site", _("现场察看")
    VIDEO = "video", _("视频")
    LETTER = "letter", _("书面")
    OTHER = "other", _("其他")


#: Contact methods that count as meeting face to face (见面率).
FACE_TO_FACE = frozenset({ContactMethod.VISIT, ContactMethod.MEETING, ContactMethod.SITE})


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class SuggestionCounter(models.Model):
    """The last number given to an accepted suggestion of one congress in one year. Locked for
    update while a suggestion is accepted, so numbers are gap-free and never given twice."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("建议编号计数")
        verbose_name_plural = _("建议编号计数")
        constraints = [
            models.UniqueConstraint(fields=["congress", "year"], name="suggestioncounter_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.congress_id}/{self.year}: {self.last}"


class Suggestion(TimeStamped):
    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("人大")
    )
    kind = models.CharField(
        _("类别"), max_length=16, choices=SuggestionKind.choices, default=SuggestionKind.INTERIM
    )
    session = models.ForeignKey(
        "congress.Session",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("会议"),
    )
    title = models.CharField(_("案由"), max_length=200)
    facts = models.TextField(_("情况与问题"), blank=True)
    proposals = models.TextField(_("具体建议"), blank=True)
    category = models.ForeignKey(
        "congress.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("分类"),
    )
    theme_tags = models.ManyToManyField(
        "congress.ThemeTag", blank=True, related_name="+", verbose_name=_("主题标签")
    )
    channel = models.ForeignKey(
        "congress.Channel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("收集渠道"),
    )
    collected_on = models.DateField(_("民意收集日期"), null=True, blank=True)
    suggested_units = models.ManyToManyField(
        "congress.Unit", blank=True, related_name="+", verbose_name=_("建议承办单位")
    )
    lead = models.ForeignKey(
        "congress.Deputy",
        on_delete=models.PROTECT,
        related_name="led_suggestions",
        verbose_name=_("领衔代表"),
    )
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人"))

    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=SuggestionState.choices,
        default=SuggestionState.DRAFT,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)

    year = models.PositiveSmallIntegerField(_("立案年度"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("年度序号"), null=True, blank=True)
    number = models.CharField(_("建议编号"), max_length=64, blank=True)

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    return_reason = models.TextField(_("退回理由"), blank=True)
    decline_reason = models.ForeignKey(
        "congress.ExclusionReason",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("不予立案情形"),
    )
    decline_disposition = models.CharField(
        _("处理方式"), max_length=16, choices=Disposition.choices, blank=True
    )
    decline_note = models.TextField(_("不予立案说明"), blank=True)
    main = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("并入的主建议"),
    )
    forwarded_to = models.ForeignKey(
        "congress.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转交机关"),
    )
    closing_explanation = models.TextField(_("办结说明"), blank=True)

    class Meta:
        verbose_name = _("代表建议")
        verbose_name_plural = _("代表建议")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "year", "seq"],
                condition=Q(seq__isnull=False),
                name="suggestion_unique_number",
            ),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(main__isnull=False), name="suggestion_merged_has_main"
            ),
            models.CheckConstraint(condition=~Q(main=F("id")), name="suggestion_not_merged_into_itself"),
            models.CheckConstraint(
                condition=~Q(state="declined")
                | (Q(decline_reason__isnull=False) & ~Q(decline_disposition="")),
                name="suggestion_declined_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["congress", "state"]),
            models.Index(fields=["congress", "year", "seq"]),
            # the figures select a congress's suggestions by the day of acceptance (reports.figures)
            models.Index(fields=["congress", "accepted_at"]),
            # the suggestion list and the API list show a congress's newest first, 20 at a time: read
            # from this index instead of sorting every suggestion of the congress (issue #13)
            models.Index(fields=["congress", "created_at", "id"], name="suggestion_congress_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


class CoSigner(models.Model):
    """A deputy invited to co-sign (联名); counts as a co-signer once `confirmed`."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="cosigners")
    deputy = models.ForeignKey("congress.Deputy", on_delete=models.PROTECT, related_name="cosignings")
    state = models.CharField(
        _("状态"), max_length=16, choices=CoSignerState.choices, default=CoSignerState.INVITED
    )
    invited_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(_("邀请时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联名代表")
        verbose_name_plural = _("联名代表")
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "deputy"], name="cosigner_unique_deputy")
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.get_state_display()}"


class WithdrawalRequest(models.Model):
    """The lead deputy's request to withdraw a joint suggestion; every confirmed co-signer answers."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="withdrawal_requests")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("撤回理由"))
    state = models.CharField(
        _("状态"), max_length=16, choices=WithdrawalState.choices, default=WithdrawalState.PENDING
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("撤回申请")
        verbose_name_plural = _("撤回申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion"], condition=Q(state="pending"), name="withdrawal_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.suggestion} · {self.get_state_display()}"


class WithdrawalConsent(models.Model):
    class Answer(models.TextChoices):
        PENDING = "pending", _("待答复")
        AGREED = "agreed", _("同意")
        REFUSED = "refused", _("不同意")

    request = models.ForeignKey(WithdrawalRequest, on_delete=models.CASCADE, related_name="consents")
    deputy = models.ForeignKey("congress.Deputy", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("意见"), max_length=16, choices=Answer.choices, default=Answer.PENDING)
    note = models.TextField(_("说明"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("撤回意见")
        verbose_name_plural = _("撤回意见")
        constraints = [models.UniqueConstraint(fields=["request", "deputy"], name="withdrawalconsent_unique")]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.get_answer_display()}"


class Assignment(models.Model):
    """One unit's part in one round of handling (交办): lead (主办), co-unit (协办) or split (分办)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey("congress.Unit", on_delete=models.PROTECT, related_name="assignments")
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    role = models.CharField(_("承办方式"), max_length=8, choices=AssignmentRole.choices)
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssignmentState.choices,
        default=AssignmentState.ASSIGNED,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    assigned_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    assigned_on = models.DateField(_("交办日期"))
    reply_due_on = models.DateField(_("答复期限"), null=True, blank=True)
    signed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    opinion = models.TextField(_("协办意见"), blank=True)
    opinion_submitted_at = models.DateTimeField(_("协办意见提交时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    note = models.TextField(_("交办说明"), blank=True)

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "round"],
                condition=Q(role="lead") & ~Q(state="cancelled"),
                name="assignment_one_active_lead",
            ),
            models.UniqueConstraint(
                fields=["suggestion", "unit", "round"],
                condition=~Q(state="cancelled"),
                name="assignment_one_active_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(reply_due_on__isnull=True) | Q(reply_due_on__gte=F("assigned_on")),
                name="assignment_reply_due_after_assignment",
            ),
            models.CheckConstraint(
                condition=Q(role="co") | Q(reply_due_on__isnull=False),
                name="assignment_reply_due_for_answering_units",
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return f"{self.suggestion} · {self.unit} · {self.get_role_display()}"

    @property
    def answers(self) -> bool:
        """Whether this unit writes a reply (lead or split) rather than an opinion (co-unit)."""
        return self.role != AssignmentRole.CO


class ReassignRequest(models.Model):
    """A unit's request to be relieved of an assignment (申请调整)."""

    Status = ReassignRequestState  # the states of the `reassign_request` machine

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reassign_requests")
    reason = models.TextField(_("申请理由"))
    suggested_unit = models.ForeignKey(
        "congress.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("建议改由"),
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("调整申请")
        verbose_name_plural = _("调整申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status="pending"), name="reassignrequest_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.get_status_display()}"


class ExtensionRequest(models.Model):
    """A unit's request to reply later (延期申请); the congress clerk approves or refuses."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extension_requests")
    reason = models.TextField(_("延期理由"))
    requested_due_on = models.DateField(_("申请延至"))
    state = models.CharField(
        _("状态"), max_length=16, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_due_on = models.DateField(_("批准延至"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(state="pending"), name="extensionrequest_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.requested_due_on} · {self.get_state_display()}"


class Contact(models.Model):
    """A logged contact of a unit with the deputy (联系记录); the deputy confirms or disputes it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="contacts")
    phase = models.CharField(_("阶段"), max_length=8, choices=ContactPhase.choices)
    method = models.CharField(_("方式"), max_length=16, choices=ContactMethod.choices)
    contacted_on = models.DateField(_("联系日期"))
    people = models.CharField(_("参加人员"), max_length=500)
    summary = models.TextField(_("情况摘要"))
    logged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    state = models.CharField(
        _("代表确认"), max_length=16, choices=ContactState.choices, default=ContactState.PENDING
    )
    deputy_note = models.TextField(_("代表意见"), blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["contacted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="pending") | Q(answered_at__isnull=False), name="contact_answer_has_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contacted_on} {self.get_method_display()}"


class Reply(models.Model):
    """The reply letter (答复函) of a lead or split unit for one round; signed off by the unit leader."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="reply")
    body = models.TextField(_("答复内容"))
    result_class = models.ForeignKey(
        "congress.ResultClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("答复类别")
    )
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("起草时间"), default=timezone.now)
    sent_back_reason = models.TextField(_("退回理由"), blank=True)
    signed_off_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    #: What the letter prints at its foot (联系人、联系电话、抄送); blank → the letter leaves the line out.
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    cc = models.CharField(_("抄送"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("答复函")
        verbose_name_plural = _("答复函")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(_("%(unit)s的答复") % {"unit": self.assignment.unit})


class Commitment(models.Model):
    """A commitment (承诺事项) made in a reply; stays on the ledger until fulfilled or explained."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="commitments")
    text = models.TextField(_("承诺事项"))
    due_on = models.DateField(_("承诺完成时间"))
    state = models.CharField(
        _("状态"), max_length=16, choices=CommitmentState.choices, default=CommitmentState.OPEN
    )
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closing_note = models.TextField(_("落实情况或未落实原因"), blank=True)

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self) -> str:
        return self.text[:60]


class CommitmentProgress(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="progress_reports")
    text = models.TextField(_("进展情况"))
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now)

    class Meta:
        verbose_name = _("承诺落实进展")
        verbose_name_plural = _("承诺落实进展")
        ordering = ["reported_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Evaluation(models.Model):
    """The lead deputy's evaluation (测评) of one reply, or the record that none came in time."""

    class Kind(models.TextChoices):
        RATED = "rated", _("代表测评")
        NO_FEEDBACK = "no_feedback", _("未反馈")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="evaluations")
    reply = models.OneToOneField(Reply, on_delete=models.PROTECT, related_name="evaluation")
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.RATED)
    attitude = models.CharField(_("办理态度"), max_length=16, choices=Rating.choices, blank=True)
    result = models.CharField(_("办理结果"), max_length=16, choices=Rating.choices, blank=True)
    overall = models.CharField(_("总体评价"), max_length=16, choices=Rating.choices, blank=True)
    contact_happened = models.BooleanField(_("承办单位确曾联系"), null=True)
    opinion = models.TextField(_("意见和建议"), blank=True)
    evaluated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField(_("测评时间"), default=timezone.now)

    class Meta:
        verbose_name = _("测评")
        verbose_name_plural = _("测评")
        ordering = ["round", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="no_feedback", overall="", attitude="", result="")
                | (
                    Q(kind="rated")
                    & ~Q(overall="")
                    & ~Q(attitude="")
                    & ~Q(result="")
                    & Q(contact_happened__isnull=False)
                ),
                name="evaluation_rated_is_complete",
            )
        ]
        indexes = [models.Index(fields=["suggestion", "round"])]

    def __str__(self) -> str:
        return f"{self.reply} · {self.get_overall_display() or self.get_kind_display()}"

    @property
    def unsatisfied(self) -> bool:
        return self.kind == self.Kind.RATED and self.overall == Rating.UNSATISFIED


class CoordinationMeeting(models.Model):
    """协调会: recorded after a second 不满意, before the suggestion may be closed."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="coordination_meetings")
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    held_on = models.DateField(_("召开日期"))
    participants = models.CharField(_("参加人员"), max_length=500)
    outcome = models.TextField(_("协调结果"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("协调会")
        verbose_name_plural = _("协调会")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "round"], name="coordination_one_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.suggestion} · {self.held_on}"


class Deadline(models.Model):
    """One time limit that a step started (DOMAIN.md §4): opened and closed inside the actions.

    `due_on` was computed from the congress's policy with the working-day calendar whose version is
    `calendar_version` (an internal cache token, never shown) — `calendar_revisions` says, per year,
    which revision of the national calendar and of the congress's local closures it used; `rule` says how, in words. An open deadline has `closed_at` null. When it
    closes, `closed_on_time` says whether the step was done by `due_on` (None when the deadline was
    cancelled or superseded rather than met — see `close_reason`)."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("审查")
        ASSIGN = "assign", _("交办")
        REASSIGN_WINDOW = "reassign_window", _("申请调整期限")
        FIRST_CONTACT = "first_contact", _("首次联系代表")
        CO_OPINION = "co_opinion", _("协办意见")
        REPLY = "reply", _("答复（本地目标）")
        REPLY_STATUTORY = "reply_statutory", _("答复（法定时限）")
        EVALUATION = "evaluation", _("代表测评")
        REHANDLE_REPLY = "rehandle_reply", _("重新办理答复")
        COMMITMENT = "commitment", _("承诺事项落实")

    class CloseReason(models.TextChoices):
        DONE = "done", _("已完成")
        MISSED = "missed", _("未完成（已按规则处理）")
        SUPERSEDED = "superseded", _("已被新期限取代")
        CANCELLED = "cancelled", _("已取消")

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="deadlines")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    started_on = models.DateField(_("起算日期"))
    due_on = models.DateField(_("到期日期"))
    rule = models.CharField(_("计算规则"), max_length=200)
    calendar_version = models.CharField(_("日历版本"), max_length=64)
    #: The calendar revisions this due date was computed with, per year of the period:
    #: ``{"national": {"2026": 3, "2027": 1}, "local": {"2026": 1}}`` (`WorkCalendar.revisions()`);
    #: a year absent from "national" had nothing entered. Shown on the deadline page in words.
    calendar_revisions = models.JSONField(_("所用日历版本"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("按期完成"), null=True)
    close_reason = models.CharField(_("结束原因"), max_length=16, choices=CloseReason.choices, blank=True)

    class Meta:
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("started_on")), name="deadline_due_after_start"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, close_reason="", closed_on_time__isnull=True)
                | (Q(closed_at__isnull=False) & ~Q(close_reason="")),
                name="deadline_closed_consistently",
            ),
        ]
        indexes = [
            # "open deadlines due before <date>" (warnings, reminders), per congress and overall.
            models.Index(
                fields=["congress", "due_on"], condition=Q(closed_at__isnull=True), name="deadline_open_due"
            ),
            models.Index(
                fields=["due_on"], condition=Q(closed_at__isnull=True), name="deadline_open_due_all"
            ),
            models.Index(fields=["suggestion", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def rule_shown(self) -> str:
        """The rule in the page's language (stored in Chinese; `rule_text.in_language`)."""
        return in_language(self.rule)


#: Accepted upload types (checked on the content with `filetype`, not on the name): MIME → extension.
ATTACHMENT_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
}


def attachment_path(instance: Attachment, filename: str) -> str:
    """A generated storage name; the uploader's file name never reaches the path (it is kept in
    `original_name`, for display only)."""
    ext = ATTACHMENT_TYPES.get(instance.content_type, "bin")
    return f"suggestions/{instance.congress_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """An uploaded file of a suggestion (by the deputy) or of a reply (by the unit). Stored under the
    default storage with a generated name and served only through an access-checked view
    (`selectors.access_attachment`)."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.PROTECT, related_name="+")
    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="attachments")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
