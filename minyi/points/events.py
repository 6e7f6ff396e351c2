"""The catalogue of point events (履职事项) and the default rule table.

Each event says which roles a rule may name (a suggestion's lead deputy 领衔 or co-signer 联名, or
"any" — the deputy, whatever their part), where its ledger entries come from, and whether it is
entered by hand (offline activities, with evidence and a two-step review).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class PointsRole(models.TextChoices):
    LEAD = "lead", _("领衔代表")
    COSIGNER = "cosigner", _("联名代表")
    ANY = "any", _("不分角色")


class CapPeriod(models.TextChoices):
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


#: The better part a deputy can have in one suggestion (dedup keeps the best one).
ROLE_ORDER: Final[dict[str, int]] = {PointsRole.LEAD: 0, PointsRole.COSIGNER: 1, PointsRole.ANY: 2}


@dataclass(frozen=True)
class EventType:
    code: str
    label: Promise
    roles: tuple[str, ...]
    source: Promise
    manual: bool = False


SUGGESTION_ROLES = (PointsRole.LEAD, PointsRole.COSIGNER, PointsRole.ANY)
LEAD_ONLY = (PointsRole.LEAD, PointsRole.ANY)
ANY_ONLY = (PointsRole.ANY,)

EVENTS: Final[tuple[EventType, ...]] = (
    EventType(
        "suggestion_accepted",
        _("建议被立案"),
        SUGGESTION_ROLES,
        _("建议立案（审计记录 suggestion.accepted）；撤回的不计；同一建议（含并案）每位代表只计一次。"),
    ),
    EventType(
        "suggestion_key",
        _("建议列为重点督办"),
        SUGGESTION_ROLES,
        _("建议加入重点督办主题（theme.suggestion_added，移出后不计）；每件建议每位代表只计一次。"),
    ),
    EventType(
        "suggestion_awarded",
        _("建议评为优秀建议"),
        SUGGESTION_ROLES,
        _("已公布的季度评选中获评优秀建议，计在所评季度的最后一天。"),
    ),
    EventType(
        "evaluation_on_time",
        _("按期测评"),
        LEAD_ONLY,
        _("领衔代表在测评期限内完成测评（suggestion.evaluated，测评期限按期结束）；每件建议只计一次。"),
    ),
    EventType(
        "evaluation_missed",
        _("逾期未测评"),
        LEAD_ONLY,
        _("测评期限已过仍未测评，记为未反馈（suggestion.no_feedback）；每件建议只计一次。"),
    ),
    EventType(
        "event_attended",
        _("参加联络站活动"),
        ANY_ONLY,
        _("联络站登记的活动（室点问政、局长·代表面对面、接待选民、视察调研）的参加代表，活动日期已到。"),
    ),
    EventType(
        "duty_day",
        _("联络站坐班"),
        ANY_ONLY,
        _("联络站登记的坐班日的坐班代表，坐班日期已到。"),
    ),
    EventType(
        "offline_inspection",
        _("参加视察、调研、执法检查"),
        ANY_ONLY,
        _("线下履职登记，经初审、复核通过。"),
        manual=True,
    ),
    EventType(
        "offline_meeting",
        _("列席会议、参加座谈"),
        ANY_ONLY,
        _("线下履职登记，经初审、复核通过。"),
        manual=True,
    ),
    EventType(
        "offline_training",
        _("参加培训学习"),
        ANY_ONLY,
        _("线下履职登记，经初审、复核通过。"),
        manual=True,
    ),
    EventType(
        "offline_contact",
        _("走访联系选民"),
        ANY_ONLY,
        _("线下履职登记，经初审、复核通过。"),
        manual=True,
    ),
    EventType(
        "offline_other",
        _("其他线下履职活动"),
        ANY_ONLY,
        _("线下履职登记，经初审、复核通过。"),
        manual=True,
    ),
)
EVENT_BY_CODE: Final = {e.code: e for e in EVENTS}
EVENT_CHOICES: Final = [(e.code, e.label) for e in EVENTS]
MANUAL_CHOICES: Final = [(e.code, e.label) for e in EVENTS if e.manual]


def event_label(code: str) -> str:
    event = EVENT_BY_CODE.get(code)
    return str(event.label) if event else code


@dataclass(frozen=True)
class DefaultRule:
    event: str
    role: str
    points: int
    cap: int | None = None
    cap_period: str = ""


#: The rules a congress starts with (docs/user-guide/awards-and-points.md explains the choice).
DEFAULT_VALID_FROM: Final = datetime.date(2000, 1, 1)
DEFAULT_RULES: Final[tuple[DefaultRule, ...]] = (
    DefaultRule("suggestion_accepted", PointsRole.LEAD, 3, 30, CapPeriod.YEAR),
    DefaultRule("suggestion_accepted", PointsRole.COSIGNER, 1, 10, CapPeriod.YEAR),
    DefaultRule("suggestion_key", PointsRole.LEAD, 3),
    DefaultRule("suggestion_key", PointsRole.COSIGNER, 1),
    DefaultRule("suggestion_awarded", PointsRole.LEAD, 5),
    DefaultRule("suggestion_awarded", PointsRole.COSIGNER, 2),
    DefaultRule("evaluation_on_time", PointsRole.LEAD, 1, 10, CapPeriod.YEAR),
    DefaultRule("evaluation_missed", PointsRole.LEAD, -1, 5, CapPeriod.YEAR),
    DefaultRule("event_attended", PointsRole.ANY, 2, 8, CapPeriod.QUARTER),
    DefaultRule("duty_day", PointsRole.ANY, 2, 8, CapPeriod.QUARTER),
    DefaultRule("offline_inspection", PointsRole.ANY, 3, 12, CapPeriod.QUARTER),
    DefaultRule("offline_meeting", PointsRole.ANY, 1, 4, CapPeriod.QUARTER),
    DefaultRule("offline_training", PointsRole.ANY, 1, 4, CapPeriod.QUARTER),
    DefaultRule("offline_contact", PointsRole.ANY, 2, 8, CapPeriod.QUARTER),
    DefaultRule("offline_other", PointsRole.ANY, 1, 4, CapPeriod.QUARTER),
)
