"""The supervision demo set: made through the actions (some of them in the past), it leaves red and
yellow items on the board as of the day it is seeded — whatever that day is — plus key themes with
records (ten themes), a task force with an inspection and an instruction; the audit chain stays intact."""

from __future__ import annotations

import random

import pytest

from minyi.accounts.models import Role
from minyi.audit.services import verify_chain
from minyi.suggestions.models import ExtensionRequest, ReassignRequest
from minyi.supervision.demo import seed_demo_supervision
from minyi.supervision.models import Inspection, Instruction, KeyTheme, SupervisionRecord, TaskForceMember
from minyi.supervision.selectors import board_counts
from minyi.supervision.warnings import RED, YELLOW, WarningClock
from tests.factories import MembershipFactory, UserFactory
from tests.suggestions.test_demo import demo_congress

from .conftest import D, on

pytestmark = pytest.mark.django_db


def congress_with_staff():
    congress = demo_congress()
    for username, role in [
        ("admin", Role.CONGRESS_ADMIN),
        ("supervisor", Role.SUPERVISOR),
        ("inspector", Role.INSPECTOR),
        ("viewer", Role.VIEWER),
    ]:
        MembershipFactory(user=UserFactory(username=username), congress=congress, role=role)
    return congress


@pytest.mark.parametrize(
    "today",
    [
        D(2026, 10, 12),  # just after the National Day holidays
        D(2026, 11, 28),  # a Saturday
        D(2026, 2, 24),  # just after the Spring Festival
        D(2027, 3, 3),  # a year without calendar data: weekends only, still alive
    ],
)
def test_the_board_is_alive_on_the_day_the_demo_is_seeded(today):
    with on(today, 8):
        congress = congress_with_staff()
        made = seed_demo_supervision(congress, rng=random.Random(2026))
        clock = WarningClock.for_congress(congress)
        counts = board_counts(congress, clock.bounds)
        statuses = {
            s.pk: {clock.status(d).colour for d in s.deadlines.filter(closed_at__isnull=True)}
            for s in made["red"] + made["yellow"]
        }
    assert counts.totals.red >= 3 and counts.totals.yellow >= 2, counts.totals
    assert all(RED in statuses[s.pk] for s in made["red"])
    assert all(YELLOW in statuses[s.pk] for s in made["yellow"])
    # the ten key themes of the district, each with a leader and a record; the three with red and
    # yellow items have at least two member suggestions each
    themes = KeyTheme.objects.filter(congress=congress)
    assert themes.count() == 10
    assert all(t.leader_display and t.records.exists() for t in themes)
    assert all(
        t.suggestions.count() >= 2 for t in themes.filter(name__in=["物业管理", "居家养老", "乡村振兴"])
    )
    assert SupervisionRecord.objects.filter(congress=congress).count() == 5 + 7
    assert SupervisionRecord.objects.filter(congress=congress, responded_at__isnull=False).count() == 1
    assert Instruction.objects.filter(congress=congress, concluded_at__isnull=True).count() == 1
    assert Inspection.objects.filter(congress=congress, deputy_view="disagrees").count() == 1
    assert TaskForceMember.objects.filter(congress=congress).count() == 2
    assert ExtensionRequest.objects.filter(state="pending").count() == 1
    assert ReassignRequest.objects.filter(status="pending").count() == 1
    result = verify_chain()
    assert result.ok, result.problem


def test_the_demo_needs_its_accounts():
    from minyi.congress.actions import ensure_policy
    from tests.factories import CongressFactory

    congress = CongressFactory(code="empty")
    ensure_policy(congress)
    with pytest.raises(RuntimeError, match="needs an admin"):
        seed_demo_supervision(congress)
