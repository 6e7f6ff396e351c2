"""The registry of audit event types: every code an audit row may carry is declared here, once.

An `EventType` says what a code is called (a Chinese msgid, English in the .po), who may see its
rows on a suggestion's timeline (`Timeline`), what it means for deputies' points (`PointsFeed`:
which ledger source reads it and which point event it feeds) and how the figures treat it (`read`:
a reading of personal data, not a change; `account`: a platform account row, no figure's data).

`minyi.audit.record()` refuses a code that is not declared here (`UndeclaredEventCode`), and a
row tied to a suggestion whose type says it is on no timeline. Readers ask the registry instead
of matching strings: the suggestion timeline (`public_codes`, `own_codes`), the labels of every
history list (`label_of`), the points ledger's sources (`codes_feeding`, `get(code).points`),
`READ_CODES` and the notification scan's rules (checked at import).

To add a code: declare it below in its group (code, label, timeline, points, flags), add the
label's English to locale/en/LC_MESSAGES/django.po, then record it with `audit.record("x.y", …)`.
tests/audit/test_registry.py fails on a code recorded or written anywhere in minyi/ that is not
declared, on a declared code no longer used (mark it ``legacy=True`` if old rows still carry it)
and on a label without English. docs/decisions/0008-audit-event-registry.md explains the choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventCodeError(Exception):
    """A programming error: an audit row its declared type does not allow."""


class UndeclaredEventCode(EventCodeError, LookupError):
    """A programming error: an audit code that minyi/audit/events.py does not declare."""


class Timeline(StrEnum):
    """Who may see a type's rows on a suggestion's timeline (`suggestions.selectors.timeline`).

    Congress staff, supervisors, inspectors, viewers and the coordinators involved see every row
    of the suggestion whatever its type; the values below say what the others see."""

    #: everyone who may see the suggestion, deputies included (the suggestion's public history)
    PUBLIC = "public"
    #: deputies see the rows of the suggestion itself (no unit); units as for WORK
    OWN = "own"
    #: handling work: units see the suggestion's own rows and their own unit's rows, deputies none
    WORK = "work"
    #: never tied to a suggestion, so on no timeline (record() refuses a suggestion for these)
    NONE = "none"


@dataclass(frozen=True)
class PointsFeed:
    """What a type means for points: the ledger source (`points.sources.SOURCES`) that reads its
    rows and the point event (`points.events.EVENT_BY_CODE`) they feed; `ends` when a row undoes
    an earlier one (a suggestion taken out of a key theme)."""

    source: str
    event: str
    ends: bool = False


@dataclass(frozen=True)
class EventType:
    code: str
    label: Promise
    timeline: Timeline = Timeline.NONE
    points: PointsFeed | None = None
    #: a reading of personal data (an export asked for, a file handed out), not a change: moves no
    #: figure (`reports.dashboard.data_version` skips it) and is tied to no suggestion
    read: bool = False
    #: a platform account row (sign-in, password): no congress, and no shared data either
    #: (`audit.models.SHARED_DATA` leaves them out of the shared data version)
    account: bool = False
    #: no longer recorded, declared for the rows that still carry it
    legacy: bool = False


P, W = Timeline.PUBLIC, Timeline.WORK


def _t(code: str, label: Promise, timeline: Timeline = Timeline.NONE, **kw: Any) -> EventType:
    return EventType(code, label, timeline, **kw)


TYPES: Final[tuple[EventType, ...]] = (
    # --- the suggestion loop (minyi/suggestions) ----------------------------------------------------
    _t("suggestion.created", _("起草建议"), P),
    _t("suggestion.updated", _("修改建议"), P),
    _t("suggestion.submitted", _("提交建议"), P),
    _t(
        "suggestion.accepted",
        _("立案"),
        P,
        points=PointsFeed("suggestions", "suggestion_accepted"),
    ),
    _t("suggestion.returned", pgettext_lazy("event", "退回修改"), P),
    _t("suggestion.declined", pgettext_lazy("event", "不予立案"), P),
    _t("suggestion.merged", _("并案"), P),
    _t("suggestion.merged_in", _("其他建议并入本建议"), P),
    _t("suggestion.withdrawn", _("撤回建议"), P),
    _t("suggestion.forwarded", _("转交协调员"), P),
    _t("suggestion.assigned", _("交办"), P),
    _t("suggestion.reassigning", _("待重新交办"), P),
    _t("suggestion.replied", _("全部答复已签发"), P),
    _t(
        "suggestion.evaluated",
        _("测评完成"),
        P,
        points=PointsFeed("suggestions", "evaluation_on_time"),
    ),
    _t(
        "suggestion.no_feedback",
        _("代表未在期限内测评"),
        P,
        points=PointsFeed("suggestions", "evaluation_missed"),
    ),
    _t("suggestion.rehandling_ordered", _("要求重新办理"), P),
    _t("suggestion.coordination_recorded", _("登记协调会"), P),
    _t("suggestion.closed", _("办结"), P),
    _t("cosigner.invited", _("邀请联名"), P),
    _t("cosigner.confirmed", _("确认联名"), P),
    _t("cosigner.declined", _("谢绝联名"), P),
    _t("cosigner.revoked", _("撤销联名邀请"), P),
    _t("cosigner.lapsed", _("联名邀请失效"), P),
    _t("withdrawal.requested", _("申请撤回联名建议"), P),
    _t("withdrawal.agreed", _("同意撤回"), P),
    _t("withdrawal.refused", _("不同意撤回"), P),
    _t("withdrawal.lapsed", _("撤回申请失效"), P),
    _t("assignment.created", _("交办承办单位"), P),
    _t("assignment.signed", _("签收"), W),
    _t("assignment.reassignment_requested", _("申请调整"), W),
    _t("assignment.reassignment_approved", _("同意调整"), W),
    _t("assignment.reassignment_refused", _("不同意调整"), W),
    _t("assignment.opinion_submitted", _("提交协办意见"), W),
    _t("contact.logged", _("登记联系代表情况"), P),
    _t("contact.confirmed", _("代表确认联系情况"), P),
    _t("contact.disputed", _("代表对联系情况有异议"), P),
    _t("reply.drafted", _("起草答复"), W),
    _t("reply.sent_back", _("退回答复"), W),
    _t("reply.signed_off", _("签发答复"), P),
    _t("extension.requested", _("申请延期"), W),
    _t("extension.approved", _("批准延期"), P),
    _t("extension.refused", _("不批准延期"), W),
    _t("evaluation.recorded", _("代表测评"), P),
    _t("commitment.progress_reported", _("报告承诺落实进展"), P),
    _t("commitment.fulfilled", _("承诺事项已落实"), P),
    _t("commitment.explained", _("说明承诺未落实原因"), P),
    _t("attachment.added", _("上传附件"), Timeline.OWN),
    _t("attachment.removed", _("删除附件"), Timeline.OWN),
    # --- urging (minyi/notifications) ---------------------------------------------------------------
    _t("suggestion.urged", _("催办"), W),
    # --- supervision and deadlines (minyi/supervision) ----------------------------------------------
    _t("deadline.recalculated", _("调整办理期限"), W),
    _t("deadlines.recalculated", _("重新计算办理期限")),
    _t("deadlines.recomputed", _("日历变更后重算期限")),
    _t("theme.created", _("新建重点督办主题")),
    _t("theme.updated", _("修改重点督办主题")),
    _t(
        "theme.suggestion_added",
        _("列为重点督办建议"),
        W,
        points=PointsFeed("key_themes", "suggestion_key"),
    ),
    _t(
        "theme.suggestion_removed",
        _("移出重点督办"),
        W,
        points=PointsFeed("key_themes", "suggestion_key", ends=True),
    ),
    _t("supervision.recorded", _("登记督办记录"), W),
    _t("supervision.unit_responded", _("承办单位回复督办"), W),
    _t("supervision.attachment_added", _("上传督办记录附件"), W),
    _t("taskforce.member_added", _("增加督导专班成员")),
    _t("taskforce.member_removed", _("移出督导专班成员")),
    _t("inspection.recorded", _("登记督导检查"), W),
    _t("inspection.answered", _("承办单位回应督导检查"), W),
    _t("inspection.deputy_view_recorded", _("登记代表对督导检查的意见"), W),
    _t("instruction.recorded", _("登记领导批示"), W),
    _t("instruction.concluded", _("领导批示办结"), W),
    # --- awards (minyi/awards) ----------------------------------------------------------------------
    _t("award.round_created", _("新建评选轮次")),
    _t("award.round_updated", _("修改评选轮次")),
    _t("award.criterion_added", _("新增评分标准")),
    _t("award.criterion_updated", _("修改评分标准")),
    _t("award.criterion_removed", _("删除评分标准")),
    _t("award.judge_assigned", _("指定评委")),
    _t("award.judge_removed", _("移除评委")),
    _t("award.nominations_opened", _("开始推荐候选")),
    _t("award.nominee_proposed", _("推荐候选建议"), W),
    _t("award.nominee_added", _("加入候选"), W),
    _t("award.nominee_removed", _("移出候选"), W),
    _t("award.scoring_started", _("开始评分")),
    _t("award.scored", _("评委评分"), W),
    _t("award.scoring_closed", _("结束评分")),
    _t("award.scoring_reopened", _("重新开放评分")),
    _t("award.results_approved", _("审定评选结果")),
    _t("award.results_published", _("公布评选结果")),
    # --- points (minyi/points) ----------------------------------------------------------------------
    _t("points.rules_seeded", _("设置默认积分规则")),
    _t("points.rule_added", _("新增积分规则")),
    _t("points.rule_ended", _("停用积分规则")),
    _t("points.ledger_synced", _("更新积分记录")),
    _t("points.manual_submitted", _("提交线下履职登记")),
    _t("points.manual_checked", _("线下履职登记初审通过")),
    _t("points.manual_approved", _("线下履职登记复核通过")),
    _t("points.manual_rejected", _("退回线下履职登记")),
    _t("points.objection_raised", _("提出积分异议")),
    _t("points.objection_decided", _("处理积分异议")),
    _t("points.expectation_set", _("设定每月建议要求")),
    _t("points.expectation_ended", _("结束每月建议要求")),
    # --- intake (minyi/intake); the opinion labels are the steps on an opinion's history ---------
    _t("intake.opinion.recorded", _("登记")),
    _t("intake.opinion.referred", _("交代表处理")),
    _t("intake.opinion.answered", _("当场答复")),
    _t("intake.opinion.forwarded", _("转办单位")),
    _t("intake.opinion.unit_answered", _("单位答复")),
    _t("intake.opinion.returned", _("单位退回")),
    _t("intake.opinion.merged", _("合并到其他意见")),
    _t("intake.opinion.adopted", _("形成代表建议"), W),
    _t("intake.opinion.notified", _("短信告知反映人"), W),
    _t("intake.opinion.tracking_sent", _("短信发送查询码")),
    _t("intake.photo.added", _("上传照片")),
    _t("intake.photo.removed", _("删除照片")),
    _t(
        "intake.event.recorded",
        _("登记联络站活动"),
        points=PointsFeed("intake", "event_attended"),
    ),
    _t(
        "intake.event.updated",
        _("修改联络站活动"),
        points=PointsFeed("intake", "event_attended"),
    ),
    _t("intake.duty_day.recorded", _("登记坐班日"), points=PointsFeed("intake", "duty_day")),
    # --- the congress and its records (minyi/congress, minyi/accounts) ------------------------------
    _t("congress.created", _("新建人大")),
    _t("policy.updated", _("修改办理规则")),
    _t("term.created", _("新建届")),
    _t("term.updated", _("修改届")),
    _t("session.created", _("新建会议")),
    _t("session.updated", _("修改会议")),
    _t("unit.created", _("新建承办单位")),
    _t("unit.updated", _("修改承办单位")),
    _t("group.created", _("新建代表小组")),
    _t("group.updated", _("修改代表小组")),
    _t("station.created", _("新建联络站")),
    _t("station.updated", _("修改联络站")),
    _t("deputy.created", _("新增代表")),
    _t("deputy.updated", _("修改代表信息")),
    _t("roster.imported", _("导入代表名册")),
    _t("taxonomy.item_added", _("新增分类项")),
    _t("taxonomy.item_updated", _("修改分类项")),
    _t("taxonomy.item_moved", _("调整分类项顺序")),
    _t("user.created", _("新建账号")),
    _t("membership.granted", _("授予角色")),
    _t("membership.revoked", _("撤销角色")),
    # --- the national calendar and local closures (minyi/workdays) -----------------------------------
    _t("calendar.seeded", _("导入法定节假日")),
    _t("calendar.day_set", _("设定节假日或调休")),
    _t("calendar.day_removed", _("删除节假日或调休")),
    _t("calendar.year_completed", _("确认日历年度完整")),
    _t("calendar.local_closure_added", _("新增本地停止办公日")),
    _t("calendar.local_closure_removed", _("删除本地停止办公日")),
    # --- reports and history (minyi/reports) --------------------------------------------------------
    _t("history.imported", _("导入历史数据")),
    _t("suggestion.imported", _("导入历史建议"), W),
    # --- publication and the public site (minyi/publication) ---------------------------------------
    _t("publication.published", _("公开建议和答复"), P),
    _t("publication.withheld", _("决定不予公开"), P),
    _t("publication.retracted", _("撤回公开"), P),
    _t("publication.withhold_requested", _("承办单位申请不予公开"), W),
    _t("publication.withhold_granted", _("同意不予公开申请"), W),
    _t("publication.withhold_refused", _("不同意不予公开申请"), W),
    _t("publication.figures_published", _("公布办理统计")),
    # --- readings of personal data (audit.READ_CODES) ------------------------------------------------
    _t("export.requested", _("申请导出"), read=True),
    _t("export.downloaded", _("下载导出文件"), read=True),
    _t("file.downloaded", _("下载文件"), read=True),
    # --- platform accounts (minyi/accounts) ----------------------------------------------------------
    _t("account.signed_in", _("登录"), account=True),
    _t("account.sign_in_failed", _("登录失败"), account=True),
    _t("account.password_changed", _("修改密码"), account=True),
    _t("account.password_link_issued", _("发放设置密码链接"), account=True),
    _t("account.password_set_by_link", _("通过链接设置密码"), account=True),
    _t("account.unlocked", _("解除账号锁定"), account=True),
)

BY_CODE: Final[dict[str, EventType]] = {t.code: t for t in TYPES}


def get(code: str) -> EventType:
    """The declared type of `code`; `UndeclaredEventCode` if there is none."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise UndeclaredEventCode(
            f"audit code {code!r} is not declared in minyi/audit/events.py (declare it there)"
        ) from None


def label_of(code: str) -> str:
    """What a row of `code` is called (the code itself for a row no type declares)."""
    event_type = BY_CODE.get(code)
    return str(event_type.label) if event_type else code


def codes(*, where: Iterable[EventType] | None = None) -> tuple[str, ...]:
    return tuple(t.code for t in (TYPES if where is None else where))


def public_codes() -> frozenset[str]:
    """Codes everyone who sees the suggestion may see on its timeline."""
    return frozenset(t.code for t in TYPES if t.timeline is Timeline.PUBLIC)


def own_codes() -> frozenset[str]:
    """Codes deputies see on the timeline when the row is the suggestion's own (no unit)."""
    return frozenset(t.code for t in TYPES if t.timeline is Timeline.OWN)


def codes_feeding(source: str) -> tuple[str, ...]:
    """Codes whose rows the points ledger's `source` reads."""
    return tuple(t.code for t in TYPES if t.points and t.points.source == source)


READ_CODES: Final[tuple[str, ...]] = tuple(t.code for t in TYPES if t.read)
