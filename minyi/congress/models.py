"""The tenant (Congress) and what belongs to it: terms, sessions, deputies, groups, liaison stations,
handling units and the congress's policy.

Every row here belongs to exactly one congress; reads go through `selectors.py`, writes through
`actions.py`.
"""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minyi.core.models import TimeStamped

phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$",
    _("请填写11位手机号码，或带区号的固定电话（如 010-12345678）。"),
    code="bad_phone",
)


class Congress(TimeStamped):
    class Level(models.TextChoices):
        NATIONAL = "national", _("全国")
        PROVINCE = "province", _("省级")
        CITY = "city", _("设区的市级")
        COUNTY = "county", _("县级（区、县、市）")
        TOWNSHIP = "township", _("乡镇级")

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=20, help_text=_("用于建议编号，如“示范”。"))
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级人大"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("人大")
        verbose_name_plural = _("人大")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """届 — e.g. the 18th people's congress of the district."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="terms", verbose_name=_("人大")
    )
    number = models.PositiveSmallIntegerField(_("届次"))
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("届满日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("届")
        verbose_name_plural = _("届")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["congress", "number"], name="term_unique_number")]

    def __str__(self) -> str:
        return _("第%(n)s届") % {"n": self.number}


class Session(models.Model):
    """次会议 — a plenary session of a term; suggestions are made during it or in the interim."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("届"))
    number = models.PositiveSmallIntegerField(_("会次"))
    start_date = models.DateField(_("开幕日期"))
    end_date = models.DateField(_("闭幕日期"))

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-start_date"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="session_unique_number")]

    def __str__(self) -> str:
        return _("%(term)s第%(n)s次会议") % {"term": self.term, "n": self.number}


class DeputyGroup(models.Model):
    """代表小组 / 代表团 — deputies are organised in groups (usually by town or street)."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="deputy_groups", verbose_name=_("人大")
    )
    name = models.CharField(_("名称"), max_length=100)
    convener = models.CharField(_("召集人"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("代表小组")
        verbose_name_plural = _("代表小组")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["congress", "name"], name="deputygroup_unique_name")]

    def __str__(self) -> str:
        return self.name


class Deputy(TimeStamped):
    class Level(models.TextChoices):
        NATIONAL = "national", _("全国人大代表")
        PROVINCE = "province", _("省人大代表")
        CITY = "city", _("市人大代表")
        COUNTY = "county", _("区（县）人大代表")
        TOWNSHIP = "township", _("乡镇人大代表")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="deputies", verbose_name=_("人大")
    )
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputy_records",
        verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=64)
    number = models.CharField(_("代表证号"), max_length=32)
    level = models.CharField(_("代表层级"), max_length=16, choices=Level.choices, default=Level.COUNTY)
    group = models.ForeignKey(
        DeputyGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputies",
        verbose_name=_("代表小组"),
    )
    electoral_district = models.CharField(_("选区"), max_length=100, blank=True)
    organisation = models.CharField(_("工作单位及职务"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("电子邮箱"), blank=True)
    in_office_from = models.DateField(_("任职起始"))
    in_office_to = models.DateField(_("任职终止"), null=True, blank=True)

    class Meta:
        verbose_name = _("代表")
        verbose_name_plural = _("代表")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="deputy_unique_number"),
            models.UniqueConstraint(
                fields=["congress", "user"], condition=Q(user__isnull=False), name="deputy_unique_user"
            ),
            models.CheckConstraint(
                condition=Q(in_office_to__isnull=True) | Q(in_office_to__gte=models.F("in_office_from")),
                name="deputy_office_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"

    def in_office_on(self, day: datetime.date) -> bool:
        return self.in_office_from <= day and (self.in_office_to is None or day <= self.in_office_to)


class LiaisonStation(TimeStamped):
    class Kind(models.TextChoices):
        ACTIVITY_ROOM = "activity_room", _("代表活动室")
        STUDIO = "studio", _("代表工作室")
        PRACTICE_POINT = "practice_point", _("全过程人民民主基层实践点")
        LIAISON_STATION = "liaison_station", _("代表联络站")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="stations", verbose_name=_("人大")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, default=Kind.LIAISON_STATION)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    group = models.ForeignKey(
        DeputyGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
        verbose_name=_("所属代表小组"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("联络站")
        verbose_name_plural = _("联络站")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["congress", "name"], name="station_unique_name")]

    def __str__(self) -> str:
        return self.name


class Unit(TimeStamped):
    """A handling unit. The four bodies (一府一委两院) are the roots; departments and towns/streets
    hang beneath them. `body` is the root of the unit's tree (itself for a body), kept on save so
    that lists can filter by body without walking the tree."""

    class Kind(models.TextChoices):
        BODY = "body", _("机关（一府一委两院）")
        DEPARTMENT = "department", _("部门")
        TOWN = "town", _("镇（街道）")
        ENTERPRISE = "enterprise", _("企事业单位")
        OTHER = "other", _("其他")

    class BodyCode(models.TextChoices):
        GOVERNMENT = "government", _("人民政府")
        SUPERVISION = "supervision", _("监察委员会")
        COURT = "court", _("人民法院")
        PROCURATORATE = "procuratorate", _("人民检察院")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="units", verbose_name=_("人大")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    body = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属机关"),
        editable=False,
    )
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.DEPARTMENT)
    body_code = models.CharField(_("机关类别"), max_length=16, choices=BodyCode.choices, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    #: What the unit handles (its 三定 functions, in keywords): the profile that unit routing
    #: (`textsearch.routing`) matches a suggestion against before there is any history.
    duties = models.TextField(
        _("主要职责"),
        blank=True,
        help_text=_(
            "本单位的主要职责和业务范围，用于交办时推荐承办单位，如：房屋安全、物业管理、老旧小区改造。"
        ),
    )

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="unit_unique_name"),
            models.UniqueConstraint(
                fields=["congress", "body_code"], condition=Q(kind="body"), name="unit_one_body_per_code"
            ),
            models.CheckConstraint(
                condition=(Q(kind="body", parent__isnull=True) & ~Q(body_code=""))
                | (~Q(kind="body") & Q(parent__isnull=False)),
                name="unit_bodies_are_roots",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.parent is None:
            self.body = None  # set after the first save, when we have a pk
        else:
            self.body_id = self.parent.body_id or self.parent_id
        super().save(*args, **kwargs)
        if self.parent_id is None and self.body_id != self.pk:
            type(self).objects.filter(pk=self.pk).update(body=self.pk)
            self.body_id = self.pk


class Policy(TimeStamped):
    """A congress's rules (DOMAIN.md §2, §4). One row per congress; edited by its admins, audited."""

    class PublishWhen(models.TextChoices):
        REPLIED = "replied", _("答复签发后")
        CLOSED = "closed", _("办结后")

    class CompletionDefinition(models.TextChoices):
        CLOSED = "closed", _("已办结（工委确认办结）")
        CLOSED_SATISFIED = "closed_satisfied", _("已办结且代表满意或基本满意")
        CLOSED_COMMITMENTS = "closed_commitments", _("已办结且承诺事项全部落实")

    congress = models.OneToOneField(Congress, on_delete=models.CASCADE, related_name="policy")
    review_days = models.PositiveSmallIntegerField(
        _("审查时限（工作日）"), default=3, validators=[MinValueValidator(1)]
    )
    assign_days = models.PositiveSmallIntegerField(
        _("交办时限（工作日）"), default=5, validators=[MinValueValidator(1)]
    )
    reassign_window_days = models.PositiveSmallIntegerField(
        _("申请调整期限（交办后工作日）"), default=5, validators=[MinValueValidator(1)]
    )
    first_contact_days = models.PositiveSmallIntegerField(
        _("首次联系代表时限（交办后工作日）"), default=10, validators=[MinValueValidator(1)]
    )
    co_opinion_days = models.PositiveSmallIntegerField(
        _("协办意见时限（交办后工作日）"), default=10, validators=[MinValueValidator(1)]
    )
    reply_months = models.PositiveSmallIntegerField(
        _("答复时限（交办后月数，本地目标）"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    reply_statutory_months = models.PositiveSmallIntegerField(
        _("法定答复时限（月）"), default=3, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    reply_max_months = models.PositiveSmallIntegerField(
        _("延期后最长答复时限（月）"), default=6, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    evaluation_days = models.PositiveSmallIntegerField(
        _("代表测评时限（答复后工作日）"), default=10, validators=[MinValueValidator(1)]
    )
    rehandle_months = models.PositiveSmallIntegerField(
        _("重新办理答复时限（月）"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    warning_days = models.PositiveSmallIntegerField(
        _("黄色预警（到期前工作日）"), default=3, validators=[MinValueValidator(1)]
    )
    escalation_grace_days = models.PositiveSmallIntegerField(
        _("逾期升级宽限（工作日）"), default=3, validators=[MinValueValidator(0)]
    )
    numbering_format = models.CharField(
        _("建议编号格式"),
        max_length=64,
        default="{short}〔{year}〕第{seq}号",
        help_text=_("可用占位符：{short} 人大简称，{year} 年度，{seq} 年度序号。"),
    )
    contact_required = models.BooleanField(_("答复签发前须有联系代表记录"), default=True)
    opinion_required_if_unsatisfied = models.BooleanField(_("“不满意”须填写意见"), default=True)
    no_feedback_excluded = models.BooleanField(_("未反馈测评不计入满意率"), default=True)
    completion_definition = models.CharField(
        _("办结的定义"),
        max_length=32,
        choices=CompletionDefinition.choices,
        default=CompletionDefinition.CLOSED,
    )
    quiet_hours_start = models.TimeField(_("免打扰开始"), default=datetime.time(21, 0))
    quiet_hours_end = models.TimeField(_("免打扰结束"), default=datetime.time(8, 0))
    public_site = models.BooleanField(
        _("开放公众网站"), default=True, help_text=_("公众无需登录即可查阅已公开的建议、答复和统计。")
    )
    publish_when = models.CharField(
        _("建议可公开的时间"),
        max_length=16,
        choices=PublishWhen.choices,
        default=PublishWhen.CLOSED,
        help_text=_("到此阶段后，建议及其已签发的答复进入公开审定清单，由工委决定是否公开。"),
    )

    #: Fields that an admin edits on the policy page, in display order.
    EDITABLE = [
        "review_days",
        "assign_days",
        "reassign_window_days",
        "first_contact_days",
        "co_opinion_days",
        "reply_months",
        "reply_statutory_months",
        "reply_max_months",
        "evaluation_days",
        "rehandle_months",
        "warning_days",
        "escalation_grace_days",
        "numbering_format",
        "contact_required",
        "opinion_required_if_unsatisfied",
        "no_feedback_excluded",
        "completion_definition",
        "quiet_hours_start",
        "quiet_hours_end",
        "public_site",
        "publish_when",
    ]

    class Meta:
        verbose_name = _("办理规则")
        verbose_name_plural = _("办理规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_months__lte=models.F("reply_statutory_months"))
                & Q(reply_statutory_months__lte=models.F("reply_max_months")),
                name="policy_reply_limits_ordered",
            )
        ]

    def __str__(self) -> str:
        return str(_("%(c)s办理规则") % {"c": self.congress})

    def format_number(self, *, year: int, seq: int) -> str:
        return self.numbering_format.format(short=self.congress.short_name, year=year, seq=seq)


class PolicyItem(models.Model):
    """Base for the taxonomies a congress keeps in its policy."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+", verbose_name=_("人大"))
    name = models.CharField(_("名称"), max_length=100)
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Category(PolicyItem):
    """建议分类 (e.g. 城乡建设, 教育, 卫生健康)."""

    class Meta(PolicyItem.Meta):
        verbose_name = _("建议分类")
        verbose_name_plural = _("建议分类")
        constraints = [models.UniqueConstraint(fields=["congress", "name"], name="category_unique_name")]


class ThemeTag(PolicyItem):
    """主题标签 (e.g. 物业管理, 居家养老, 乡村振兴)."""

    class Meta(PolicyItem.Meta):
        verbose_name = _("主题标签")
        verbose_name_plural = _("主题标签")
        constraints = [models.UniqueConstraint(fields=["congress", "name"], name="themetag_unique_name")]


class Channel(PolicyItem):
    """收集渠道 (e.g. 联络站接待, 代表走访); `grassroots` ones count toward the grassroots share."""

    grassroots = models.BooleanField(_("属于基层渠道"), default=False)

    class Meta(PolicyItem.Meta):
        verbose_name = _("收集渠道")
        verbose_name_plural = _("收集渠道")
        constraints = [models.UniqueConstraint(fields=["congress", "name"], name="channel_unique_name")]


class ResultClass(PolicyItem):
    """答复类别 — default national scheme A/B/C/D."""

    code = models.CharField(_("代码"), max_length=4)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    counts_as_resolved = models.BooleanField(_("计入解决率"), default=False)
    requires_commitments = models.BooleanField(_("须填写承诺事项"), default=False)

    class Meta(PolicyItem.Meta):
        verbose_name = _("答复类别")
        verbose_name_plural = _("答复类别")
        constraints = [models.UniqueConstraint(fields=["congress", "code"], name="resultclass_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}　{self.name}"


class ExclusionReason(PolicyItem):
    """不予立案的情形 — reasons a clerk may give for declining a suggestion."""

    class Meta(PolicyItem.Meta):
        verbose_name = _("不予立案情形")
        verbose_name_plural = _("不予立案情形")
        constraints = [models.UniqueConstraint(fields=["congress", "name"], name="exclusion_unique_name")]


#: The taxonomies an admin edits on the policy pages, by URL slug.
TAXONOMIES: dict[str, type[PolicyItem]] = {
    "categories": Category,
    "themes": ThemeTag,
    "channels": Channel,
    "results": ResultClass,
    "exclusions": ExclusionReason,
}
from .models_import import ImportJob  # noqa: E402,F401
