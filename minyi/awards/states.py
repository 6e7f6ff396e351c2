"""The states of an award round and every allowed move, in one table.

    草稿 draft ─open_nominations→ 提名中 nominating ─start_scoring→ 评分中 scoring
    ─close_scoring→ 评分已截止 closed ─approve_results→ 结果已审定 approved ─publish_results→ 已公布 published
    closed ─reopen_scoring→ scoring   (more scores needed: a new deadline, the stored results are dropped)

Criteria, judges and the round's settings change only in draft and nominating; nominees are added
and removed only while nominating; judges score only while scoring and before the deadline. The
actions ask the machine (a `minyi.core.states` machine, the engine every app uses) before they move
a round, and the pages ask `moves_from()` which buttons to show. Every move is made by a congress admin; `close_scoring` may also be made by the
scheduled job (actor None) once the deadline has passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import Role
from minyi.core.states import SYSTEM, Machine, Refusal, Transition, define


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


#: What each move is called on its button and in messages.
ACTION_LABELS: Final[Mapping[str, Promise]] = {
    "open_nominations": _("开始提名"),
    "start_scoring": _("开始评分"),
    "close_scoring": _("截止评分"),
    "reopen_scoring": _("重新开放评分"),
    "approve_results": _("审定结果"),
    "publish_results": _("公布结果"),
}
#: The question asked before each move (none before reopening).
CONFIRMS: Final[Mapping[str, Promise]] = {
    "open_nominations": _("开始提名后将按规则从本季度的记录中提出候选，确定吗？"),
    "start_scoring": _("开始评分后候选、评分标准和评审名单不能再修改，确定吗？"),
    "close_scoring": _("截止评分后评审不能再打分，系统将计算排名，确定吗？"),
    "approve_results": _("审定后评选结果不能再修改，确定吗？"),
    "publish_results": _("公布后全体代表和工作人员都能看到评选结果，获评建议计入履职积分，确定吗？"),
}

ADMIN: Final = frozenset({Role.CONGRESS_ADMIN})
R = RoundState

MACHINE: Final[Machine] = define(
    "award_round",
    RoundState,
    [
        (R.DRAFT, "open_nominations", R.NOMINATING, ADMIN),
        (R.NOMINATING, "start_scoring", R.SCORING, ADMIN),
        (R.SCORING, "close_scoring", R.CLOSED, ADMIN | {SYSTEM}),
        (R.CLOSED, "reopen_scoring", R.SCORING, ADMIN),
        (R.CLOSED, "approve_results", R.APPROVED, ADMIN),
        (R.APPROVED, "publish_results", R.PUBLISHED, ADMIN),
    ],
    labels=ACTION_LABELS,
    confirms=CONFIRMS,
    wrong_state=Refusal(_("评选当前为“%(s)s”，不能%(a)s。"), code="wrong_state"),
)
#: A move of a round (the engine's `Transition`: action, source, target, label, confirm).
Move = Transition
MOVES: Final[tuple[Transition, ...]] = tuple(MACHINE.transitions.values())
TRANSITIONS: Final[Mapping[tuple[str, str], Transition]] = MACHINE.transitions
#: States in which criteria, judges and the round's settings may change.
SETUP_STATES: Final = (RoundState.DRAFT, RoundState.NOMINATING)
#: States whose results are stored (AwardResult rows).
RESULT_STATES: Final = (RoundState.CLOSED, RoundState.APPROVED, RoundState.PUBLISHED)


def transition_for(state: str, action: str) -> Transition | None:
    return MACHINE.transition_for(state, action)


def moves_from(state: str) -> list[Transition]:
    return MACHINE.actions_from(state)
