"""Named permissions of the awards app, built from small predicates.

Check them with ``rules.has_perm(name, user, obj)``. Objects: the `Congress` for ``awards.open``
and ``awards.manage``; an `AwardRound` for ``awards.view_round``, ``awards.view_results`` and
``awards.score``.

Who sees what:

- congress admins manage rounds (open, nominate, panel, close, approve, publish);
- congress admins and clerks and supervisors see every round of their congress with its
  nominees and, once scoring has closed, its results;
- a judge sees the rounds whose panel they sit on, with the nominees, and their own scores;
- every member of the congress (viewers included) sees published rounds and their results.

`selectors.rounds_visible_to` is the queryset twin of ``awards.view_round``.
"""

from __future__ import annotations

from typing import Any

import rules

from minyi.accounts.models import OVERSIGHT_EXCEPT_INSPECTOR, Role
from minyi.core.kit import roles_of

from .states import RESULT_STATES, RoundState

#: Roles that see every round of their congress.
#: Roles that see every round of their congress. Not the viewers (查阅人员): like every member they
#: see the published rounds and their results (decision 0009).
OVERSIGHT_ROLES = OVERSIGHT_EXCEPT_INSPECTOR


def sits_on_panel(user: Any, award_round: Any) -> bool:
    if not getattr(user, "pk", None):
        return False
    cache = getattr(award_round, "_panel_ids", None)
    if cache is None:
        cache = set(award_round.judges.values_list("judge_id", flat=True))
        award_round._panel_ids = cache
    return user.pk in cache


@rules.predicate
def is_member(user: Any, congress: Any) -> bool:
    return congress is not None and bool(roles_of(user, congress))


@rules.predicate
def is_admin(user: Any, congress: Any) -> bool:
    return congress is not None and Role.CONGRESS_ADMIN in roles_of(user, congress)


@rules.predicate
def round_admin(user: Any, award_round: Any) -> bool:
    return Role.CONGRESS_ADMIN in roles_of(user, award_round.congress)


@rules.predicate
def round_overseer(user: Any, award_round: Any) -> bool:
    return bool(roles_of(user, award_round.congress) & OVERSIGHT_ROLES)


@rules.predicate
def round_judge(user: Any, award_round: Any) -> bool:
    return Role.JUDGE in roles_of(user, award_round.congress) and sits_on_panel(user, award_round)


@rules.predicate
def round_published_to_member(user: Any, award_round: Any) -> bool:
    return award_round.state == RoundState.PUBLISHED and bool(roles_of(user, award_round.congress))


@rules.predicate
def results_exist(user: Any, award_round: Any) -> bool:
    return award_round.state in RESULT_STATES


rules.add_perm("awards.open", is_member)
rules.add_perm("awards.manage", is_admin)
rules.add_perm("awards.view_round", round_overseer | round_judge | round_published_to_member)
rules.add_perm("awards.manage_round", round_admin)
rules.add_perm("awards.view_results", (round_overseer & results_exist) | round_published_to_member)
rules.add_perm("awards.score", round_judge)
