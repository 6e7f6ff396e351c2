"""Liaison stations' events and duty days, voter opinions, their photos and the outcome notices.

Rows are written only by the `do_*` actions in `actions.py`. A constituent's name and phone
(`Opinion.constituent_name` / `constituent_phone`) are personal data: only the liaison clerks of the
opinion's station and the opinion's deputy may see them (`rules.py`, ``intake.view_contact``); pages
get opinions through `selectors.py`, which blanks them for everybody else (`selectors.redact`), and
the audit trail only ever says whether they were given ("***").
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.congress.models import phone_validator
from minyi.core.models import TimeStamped

from .states import OpinionState

USER = settings.AUTH_USER_MODEL


class EventKind(models.TextChoices):
    STATION_INQUIRY = "station_inquiry", _("室点问政")
    FACE_TO_FACE = "face_to_face", _("局长·代表面对面")
    RECEPTION = "reception", _("接待选民")
    INSPECTION = "inspection", _("视察调研")


class StationEvent(TimeStamped):
    """An activity at (or organised by) a liaison station, with the deputies and officials who came."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.PROTECT, related_name="+", verbose_name=_("人大")
    )
    station = models.ForeignKey(
        "congress.LiaisonStation",
        on_delete=models.PROTECT,
        related_name="intake_events",
        verbose_name=_("联络站"),
    )
    kind = models.CharField(_("活动类型"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("活动日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    title = models.CharField(_("活动主题"), max_length=200)
    topics = models.TextField(_("议题"), blank=True)
    deputies = models.ManyToManyField(
        "congress.Deputy", blank=True, related_name="intake_events", verbose_name=_("参加代表")
    )
    officials = models.CharField(
        _("出席的有关部门负责人"),
        max_length=500,
        blank=True,
        help_text=_("如：区住建局局长 王某某；城关街道办事处主任 李某某"),
    )
    minutes = models.TextField(_("活动纪要"), blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    class Meta:
        verbose_name = _("联络站活动")
        verbose_name_plural = _("联络站活动")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["station", "-date"]), models.Index(fields=["congress", "-date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.title}"


class DutyDay(TimeStamped):
    """坐班日: a day on which deputies receive voters at the station."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.PROTECT, related_name="+", verbose_name=_("人大")
    )
    station = models.ForeignKey(
        "congress.LiaisonStation",
        on_delete=models.PROTECT,
        related_name="intake_duty_days",
        verbose_name=_("联络站"),
    )
    date = models.DateField(_("坐班日期"))
    deputies = models.ManyToManyField(
        "congress.Deputy", blank=True, related_name="intake_duty_days", verbose_name=_("坐班代表")
    )
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    class Meta:
        verbose_name = _("坐班日")
        verbose_name_plural = _("坐班日")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "date"], name="dutyday_one_per_station_day")
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.date:%Y-%m-%d}"


#: The tracking code's characters: no 0/O, 1/I/L, so a code read aloud or copied by hand is unambiguous.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 8
#: The key of the SMS that gives the tracking code ends so (``intake:<pk>:tracking``): it is not an
#: outcome, so it never counts as "the constituent was told".
TRACKING_KEY_SUFFIX = ":tracking"


def format_tracking_code(code: str) -> str:
    """XXXX-XXXX for a stored code ("" for none)."""
    return f"{code[:4]}-{code[4:]}" if code else ""


class RedactedOpinionError(Exception):
    """An opinion whose contact data were blanked for a reader must never be saved."""


class Opinion(TimeStamped):
    """社情民意: one voter's concern, recorded at a station (or by a deputy anywhere), and what became
    of it (`state`, see `states.py`)."""

    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.PROTECT, related_name="+", verbose_name=_("人大")
    )
    station = models.ForeignKey(
        "congress.LiaisonStation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake_opinions",
        verbose_name=_("联络站"),
    )
    event = models.ForeignKey(
        StationEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name=_("活动"),
    )
    collected_on = models.DateField(_("收集日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    content = models.TextField(_("意见内容"))
    category = models.ForeignKey(
        "congress.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("分类"),
    )
    constituent_name = models.CharField(_("反映人姓名"), max_length=64, blank=True)
    constituent_phone = models.CharField(
        _("反映人电话"), max_length=20, blank=True, validators=[phone_validator]
    )
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    deputy = models.ForeignKey(
        "congress.Deputy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake_opinions",
        verbose_name=_("负责代表"),
    )

    state = models.CharField(
        _("处理状态"), max_length=16, choices=OpinionState.choices, default=OpinionState.OPEN, db_index=True
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    handled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("处理人")
    )
    answer = models.TextField(_("当场答复内容"), blank=True)
    forwarded_to = models.ForeignKey(
        "congress.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake_opinions",
        verbose_name=_("转办单位"),
    )
    forward_note = models.TextField(_("转办说明"), blank=True)
    forwarded_at = models.DateTimeField(_("转办时间"), null=True, blank=True)
    unit_answer = models.TextField(_("单位答复"), blank=True)
    unit_answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("答复人")
    )
    unit_answered_at = models.DateTimeField(_("单位答复时间"), null=True, blank=True)
    return_reason = models.TextField(_("单位退回理由"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("合并到"),
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake_opinions",
        verbose_name=_("形成的建议"),
    )
    adopted_at = models.DateTimeField(_("形成建议时间"), null=True, blank=True)
    #: 查询码: 8 characters of `TRACKING_ALPHABET` (stored without the dash, shown XXXX-XXXX), given
    #: when the constituent left a phone; with the phone's last 4 digits it opens the public progress
    #: page (`selectors.opinion_progress`). Blank for opinions without a phone (and older ones).
    tracking_code = models.CharField(_("查询码"), max_length=8, blank=True, default="")

    class Meta:
        verbose_name = _("社情民意")
        verbose_name_plural = _("社情民意")
        ordering = ["-collected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(station__isnull=False) | Q(deputy__isnull=False),
                name="opinion_has_station_or_deputy",
            ),
            models.CheckConstraint(
                condition=~Q(state="answered") | ~Q(answer=""), name="opinion_answered_has_answer"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["forwarded", "unit_answered"]) | Q(forwarded_to__isnull=False),
                name="opinion_forwarded_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(state="unit_answered") | ~Q(unit_answer=""), name="opinion_unit_answer_given"
            ),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False), name="opinion_merged_has_target"
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="opinion_not_merged_into_itself"),
            models.CheckConstraint(
                condition=~Q(state="adopted") | Q(suggestion__isnull=False),
                name="opinion_adopted_has_suggestion",
            ),
            models.UniqueConstraint(
                fields=["suggestion"],
                condition=Q(suggestion__isnull=False),
                name="opinion_one_per_suggestion",
            ),
            models.UniqueConstraint(
                fields=["congress", "tracking_code"],
                condition=~Q(tracking_code=""),
                name="opinion_tracking_code_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["congress", "state"]),
            models.Index(fields=["station", "-collected_on"]),
            models.Index(fields=["deputy", "-collected_on"]),
            models.Index(fields=["forwarded_to", "state"]),
        ]

    def __str__(self) -> str:
        # Never the constituent's name: this string goes into audit rows (object_repr) and logs.
        return str(_("社情民意 #%(pk)s") % {"pk": self.pk or "—"})

    @property
    def tracking_display(self) -> str:
        """The tracking code as printed and sent: XXXX-XXXX ("" without a code)."""
        return format_tracking_code(self.tracking_code)

    @property
    def has_contact(self) -> bool:
        return bool(self.constituent_name or self.constituent_phone)

    def save(self, *args, **kwargs):
        if getattr(self, "_redacted", False):
            raise RedactedOpinionError(
                "a redacted opinion (contact data blanked for a reader) cannot be saved"
            )
        super().save(*args, **kwargs)


#: Accepted photo types (checked on the content with `filetype`): MIME → extension.
PHOTO_TYPES: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
}


def photo_path(instance: IntakePhoto, filename: str) -> str:
    """A generated storage name; the uploader's file name never reaches the path."""
    ext = PHOTO_TYPES.get(instance.content_type, "bin")
    return f"intake/{instance.congress_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class IntakePhoto(models.Model):
    """A photo of an event or of an opinion, served only through an access-checked view."""

    congress = models.ForeignKey("congress.Congress", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(
        StationEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    opinion = models.ForeignKey(
        Opinion, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("照片"), upload_to=photo_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, opinion__isnull=True)
                | Q(event__isnull=True, opinion__isnull=False),
                name="intakephoto_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class OutcomeNotice(models.Model):
    """The message that tells a constituent what became of their opinion (闭环). `key` names the
    outcome it reports (see `selectors.outcome_of`) and is unique, so one outcome is reported once.
    The phone number is read from the opinion when the message is sent, never copied here."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    congress = models.ForeignKey("congress.Congress", on_delete=models.PROTECT, related_name="+")
    opinion = models.ForeignKey(Opinion, on_delete=models.PROTECT, related_name="outcome_notices")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices, default=Channel.SMS)
    text = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    send_after = models.DateTimeField(_("最早发送时间"), default=timezone.now)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("结果告知")
        verbose_name_plural = _("结果告知")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outcomenotice_sent_has_time"
            )
        ]
        indexes = [
            models.Index(fields=["send_after"], condition=Q(status="pending"), name="outcomenotice_due")
        ]

    def __str__(self) -> str:
        return f"{self.opinion} · {self.get_channel_display()} · {self.get_status_display()}"
