"""Helpers for the awards tests: the suggestion `loop` of tests/suggestions/conftest.py, more judges,
and a round of the current quarter driven to a given state through the real actions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from minyi.accounts.models import Role
from minyi.awards import actions as A
from minyi.awards.models import AwardRound, Nominee
from minyi.awards.selectors import criteria_of
from minyi.points.periods import Period
from tests.factories import DeputyFactory, MembershipFactory, UserFactory
from tests.suggestions.conftest import loop, make_deputy  # noqa: F401  (fixtures re-exported)


def make_judge(congress, username: str, *, deputy: bool = False, unit=None):
    """A user with the judge role; optionally also a deputy (with a roster row) or a unit member."""
    user = UserFactory(username=username, full_name=username)
    MembershipFactory(user=user, congress=congress, role=Role.JUDGE)
    if deputy:
        MembershipFactory(user=user, congress=congress, role=Role.DEPUTY)
        DeputyFactory(congress=congress, user=user, name=username)
    if unit is not None:
        MembershipFactory(user=user, congress=congress, role=Role.UNIT_HANDLER, unit=unit)
    return user


def deadline(days: int = 7) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@dataclass
class RoundKit:
    round: AwardRound
    judges: list[Any]
    nominees: list[Nominee] = field(default_factory=list)

    def refresh(self) -> AwardRound:
        self.round.refresh_from_db()
        return self.round


def new_round(world, **kw: Any) -> AwardRound:
    period = Period.current()
    kw.setdefault("scoring_deadline", deadline())
    return A.do_create_round(
        world.congress, actor=world.admin, year=period.year, quarter=period.quarter, **kw
    )


def score_all(award_round: AwardRound, nominee: Nominee, judge: Any, value: int) -> None:
    """`judge` gives `value` on every criterion of the nominee's track."""
    criteria = criteria_of(award_round)[nominee.track]
    A.do_score_nominee(nominee, actor=judge, values={c.pk: value for c in criteria})


@pytest.fixture
def panel(world):
    """Three judges with no other role."""
    return [make_judge(world.congress, f"judge{i}") for i in range(1, 4)]
