"""The states of an award round and every allowed move, in one table.

    草稿 draft ─open_nominations→ 提名中 nominating ─start_scoring→ 评分中 scoring
    ─close_scoring→ 评分已截止 closed ─approve_results→ 结果已审定 approved ─publish_results→ 已公布 published
    closed ─reopen_scoring→ scoring   (more scores needed: a new deadline, the stored results are dropped)

Criteria, judges and the round's settings change only in draft and nominating; nominees are added
and removed only while nominating; judges score only while scoring and before the deadline. The
actions ask `transition_for()` before they move a round, and the pages ask `moves_from()` which
buttons to show. Every move is made by a congress admin; `close_scoring` may also be made by the
scheduled job (actor None) once the deadline has passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class RoundState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    NOMINATING = "nominating", _("提名中")
    SCORING = "scoring", _("评分中")
    CLOSED = "closed", _("评分已截止")
    APPROVED = "approved", _("结果已审定")
    PUBLISHED = "published", _("已公布")


class Track(models.TextChoices):
    SUGGESTION = "suggestion", _("优秀建议")
    UNIT = "unit", _("先进承办单位")


@dataclass(frozen=True)
class Move:
    action: str
    source: str
    target: str
    label: Promise
    confirm: Promise | None = None


MOVES: Final[tuple[Move, ...]] = (
    Move(
        "open_nominations",
        RoundState.DRAFT,
        RoundState.NOMINATING,
        _("开始提名"),
        _("开始提名后将按规则从本季度的记录中提出候选，确定吗？"),
    ),
    Move(
        "start_scoring",
        RoundState.NOMINATING,
        RoundState.SCORING,
        _("开始评分"),
        _("开始评分后候选、评分标准和评审名单不能再修改，确定吗？"),
    ),
    Move(
        "close_scoring",
        RoundState.SCORING,
        RoundState.CLOSED,
        _("截止评分"),
        _("截止评分后评审不能再打分，系统将计算排名，确定吗？"),
    ),
    Move("reopen_scoring", RoundState.CLOSED, RoundState.SCORING, _("重新开放评分")),
    Move(
        "approve_results",
        RoundState.CLOSED,
        RoundState.APPROVED,
        _("审定结果"),
        _("审定后评选结果不能再修改，确定吗？"),
    ),
    Move(
        "publish_results",
        RoundState.APPROVED,
        RoundState.PUBLISHED,
        _("公布结果"),
        _("公布后全体代表和工作人员都能看到评选结果，获评建议计入履职积分，确定吗？"),
    ),
)
TRANSITIONS: Final[Mapping[tuple[str, str], Move]] = {(m.source, m.action): m for m in MOVES}
#: States in which criteria, judges and the round's settings may change.
SETUP_STATES: Final = (RoundState.DRAFT, RoundState.NOMINATING)
#: States whose results are stored (AwardResult rows).
RESULT_STATES: Final = (RoundState.CLOSED, RoundState.APPROVED, RoundState.PUBLISHED)


def transition_for(state: str, action: str) -> Move | None:
    return TRANSITIONS.get((state, action))


def moves_from(state: str) -> list[Move]:
    return [m for m in MOVES if m.source == state]
