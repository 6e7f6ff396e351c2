"""Helpers for the points tests: the suggestion `loop` (tests/suggestions/conftest.py), a pinned
clock in 2026 (the working-day calendar has that year), and ledger checks.

Time is pinned to `TODAY` (a Friday in the fourth quarter of 2026) for every test here, so that the
quarter and year of each event are known; `travel(day)` moves to another day inside a test.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.accounts.models import Role
from minyi.congress.models import Deputy, DeputyGroup, LiaisonStation
from minyi.points import actions as P
from minyi.points.engine import compute_year, diff, stored_year
from minyi.points.models import LedgerEntry, PointsRule
from minyi.suggestions import actions as SA
from tests.factories import MembershipFactory, StationFactory, UserFactory
from tests.suggestions.conftest import loop, make_deputy  # noqa: F401  (fixtures re-exported)

TODAY = datetime.date(2026, 11, 20)
PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour)).astimezone()


def travel(day: datetime.date):
    return time_machine.travel(moment(day), tick=False)


@pytest.fixture(autouse=True)
def pinned_clock():
    with travel(TODAY):
        yield


def ledger(congress, deputy: Deputy | None = None, *, year: int = TODAY.year) -> dict[str, int]:
    qs = LedgerEntry.objects.filter(congress=congress, year=year)
    if deputy is not None:
        qs = qs.filter(deputy=deputy)
    return dict(qs.values_list("key", "points"))


def points_of(congress, deputy: Deputy, *, year: int = TODAY.year) -> int:
    return sum(ledger(congress, deputy, year=year).values())


def pending(congress, year: int = TODAY.year):
    """How the stored ledger differs from a recomputation now."""
    return diff(stored_year(congress, year), compute_year(congress, year))


def deputy(user, congress=None) -> Deputy:
    return (
        Deputy.objects.get(user=user)
        if congress is None
        else Deputy.objects.get(user=user, congress=congress)
    )


def replace_rule(world, event: str, role: str, **values: Any) -> PointsRule:
    """Change a default rule from 2000-01-02 on (through the real action)."""
    P.ensure_default_rules(world.congress)
    rule = PointsRule.objects.get(congress=world.congress, event=event, role=role, valid_to__isnull=True)
    values.setdefault("from_date", datetime.date(2000, 1, 2))
    return P.do_replace_rule(rule, actor=world.admin, **values)


def png(name: str = "签到表.png") -> SimpleUploadedFile:
    """A tiny real PNG (the evidence type is checked on the content)."""
    return SimpleUploadedFile(name, base64.b64decode(PNG_1X1), content_type="image/png")


class GroupKit:
    """A deputy group with a station and its liaison clerk; `world.deputy` and `world.cosigner` are
    members of the group."""

    def __init__(self, world) -> None:
        self.group = DeputyGroup.objects.create(congress=world.congress, name="城关代表小组")
        self.station: LiaisonStation = StationFactory(
            congress=world.congress, name="城关联络站", group=self.group
        )
        self.clerk = UserFactory(username="group_clerk", full_name="小组联络员")
        MembershipFactory(
            user=self.clerk, congress=world.congress, role=Role.LIAISON_CLERK, station=self.station
        )
        Deputy.objects.filter(user__in=[world.deputy, world.cosigner]).update(group=self.group)
        self.other_clerk = world.liaison  # clerk of a station without a group
        self.clerk2 = UserFactory(username="clerk2", full_name="工委复核人")
        MembershipFactory(user=self.clerk2, congress=world.congress, role=Role.CONGRESS_CLERK)


@pytest.fixture
def kit(world) -> GroupKit:
    return GroupKit(world)


def accept(the_loop, **kw) -> Any:
    return the_loop.drive.to("accepted", **kw)


__all__ = ["SA", "TODAY", "GroupKit", "accept", "ledger", "make_deputy", "pending", "png", "travel"]
