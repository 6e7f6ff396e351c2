"""Supervision tests use the suggestion `loop` (world + taxonomies + a Driver that moves suggestions
through the real actions) and travel in time: deadlines are the domain, so every test that depends
on "today" says which day it is.

    with on(D(2026, 9, 24)):
        s = loop.drive.to("assigned")            # 交办 on 24 September 2026
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.utils import timezone

from minyi.accounts.models import Role
from minyi.suggestions.models import Assignment, Deadline, Suggestion
from minyi.supervision import actions as SA
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.suggestions.conftest import Loop, loop  # noqa: F401 - the fixture, re-exported

D = datetime.date


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """`day` at `hour` o'clock in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@contextmanager
def on(day: datetime.date, hour: int = 10) -> Iterator[None]:
    with time_machine.travel(at(day, hour), tick=False):
        yield


def lead_assignment(s: Suggestion) -> Assignment:
    return s.assignments.filter(round=s.round, role__in=["lead", "split"]).exclude(state="cancelled").first()


def deadline(s: Suggestion, kind: str) -> Deadline:
    return Deadline.objects.filter(suggestion=s, kind=kind, closed_at__isnull=True).order_by("-id").first()


@pytest.fixture
def task_force(loop: Loop):  # noqa: F811
    """A deputy (a role in the congress, nothing more) whom the admin put on the task force."""
    user = UserFactory(username="taskforce", full_name="专班成员")
    MembershipFactory(user=user, congress=loop.w.congress, role=Role.DEPUTY)
    SA.do_add_task_force_member(loop.w.congress, actor=loop.w.admin, user=user, note="区人大代表")
    return user


@pytest.fixture
def coordinator_b(loop: Loop):  # noqa: F811
    """The coordinator of another body (the court), which has one unit of its own."""
    from minyi.congress.models import Unit
    from tests.factories import BodyFactory, UnitFactory

    court = BodyFactory(congress=loop.w.congress, body_code=Unit.BodyCode.COURT, name="甲区人民法院")
    UnitFactory(congress=loop.w.congress, parent=court, name="甲区人民法院立案庭")
    user = UserFactory(username="court", full_name="court")
    MembershipFactory(user=user, congress=loop.w.congress, role=Role.COORDINATOR, unit=court)
    return user


@pytest.fixture
def beta_handler(loop: Loop):  # noqa: F811
    """A unit handler of the other congress (β): no notice of congress α may reach them."""
    user = UserFactory(username="beta_handler")
    unit = UnitFactory(congress=loop.w.other_congress, name="乙区住建局")
    MembershipFactory(user=user, congress=loop.w.other_congress, role=Role.UNIT_HANDLER, unit=unit)
    return user
