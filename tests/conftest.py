"""Personas: one user per role in congress "alpha", and an admin of another congress "beta"."""

import datetime
import importlib
import os
import zoneinfo
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.db.models.signals import post_migrate

from minyi.accounts.models import Role, User
from minyi.congress.actions import ensure_policy
from minyi.congress.models import Congress, Unit

from .factories import (
    BodyFactory,
    CongressFactory,
    DeputyFactory,
    MembershipFactory,
    StationFactory,
    UnitFactory,
    UserFactory,
)


def _reseed_calendar(sender, **kwargs):
    """Transactional tests (live-server browser tests, races) end with a flush that empties every
    table, the migration-seeded holiday calendar included; Django then sends post_migrate, and this
    puts the official calendar back (no audit row, exactly as the data migration does), so later
    tests on the same worker still count holidays."""
    if sender.label != "workdays":
        return
    seeding = importlib.import_module("minyi.workdays.migrations.0002_seed_2004_2026")
    seeding.seed(django_apps, None)
    # …and marked complete, as the data migration 0005 does (decision 0004).
    importlib.import_module("minyi.workdays.migrations.0005_mark_package_years_complete").mark(
        django_apps, None
    )


post_migrate.connect(_reseed_calendar, dispatch_uid="tests.reseed_calendar")

# `MINYI_RECORD=out.jsonl pytest -n 0 …` (`make record`) records every response and audit row for
# tests/tools/compare_recordings.py; without the variable the plugin is not even imported.
pytest_plugins = ["tests.recording"] if os.environ.get("MINYI_RECORD") else []


@dataclass
class World:
    congress: Congress
    other_congress: Congress
    gov: Unit
    unit_a: Unit
    unit_b: Unit
    admin: User
    clerk: User
    deputy: User
    cosigner: User
    liaison: User
    coordinator: User
    handler_a: User
    handler_b: User
    leader_a: User
    supervisor: User
    inspector: User
    judge: User
    viewer: User
    outsider: User  # admin of the other congress


def _member(username, congress, role, **kw):
    user = UserFactory(username=username, full_name=username)
    MembershipFactory(user=user, congress=congress, role=role, **kw)
    return user


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (a cached page of one test must not answer another)."""
    from django.core.cache import cache

    cache.clear()
    yield


#: The "now" of tests that need a message to go out at once: a working Tuesday morning in Beijing,
#: outside the default quiet hours (21:00–08:00), away from holidays and from a year's end.
WORKING_MORNING = datetime.datetime(2026, 3, 17, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def daytime(time_machine) -> datetime.datetime:
    """Pins "now" to `WORKING_MORNING` (the clock ticks on from there). Ask for it *first* (before
    `world`, `loop`…) so every row of the test is written on that day. Quiet hours are not switched
    off: tests of them travel to the night on purpose. The suite must pass at any hour — make test
    also runs the notification, intake and supervision tests under a night-time clock (faketime)."""
    time_machine.move_to(WORKING_MORNING, tick=True)
    return WORKING_MORNING


@pytest.fixture
def world(db) -> World:
    alpha = CongressFactory(code="alpha", name="甲区人大常委会", short_name="甲区")
    beta = CongressFactory(code="beta", name="乙区人大常委会", short_name="乙区")
    ensure_policy(alpha)
    ensure_policy(beta)
    gov = BodyFactory(congress=alpha, body_code=Unit.BodyCode.GOVERNMENT)
    unit_a = UnitFactory(congress=alpha, parent=gov, name="甲区住房和城乡建设局")
    unit_b = UnitFactory(congress=alpha, parent=gov, name="甲区教育局")
    station = StationFactory(congress=alpha, name="甲区第一联络站")
    w = World(
        congress=alpha,
        other_congress=beta,
        gov=gov,
        unit_a=unit_a,
        unit_b=unit_b,
        admin=_member("admin", alpha, Role.CONGRESS_ADMIN),
        clerk=_member("clerk", alpha, Role.CONGRESS_CLERK),
        deputy=_member("deputy", alpha, Role.DEPUTY),
        cosigner=_member("cosigner", alpha, Role.DEPUTY),
        liaison=_member("liaison", alpha, Role.LIAISON_CLERK, station=station),
        coordinator=_member("gov", alpha, Role.COORDINATOR, unit=gov),
        handler_a=_member("handler_a", alpha, Role.UNIT_HANDLER, unit=unit_a),
        handler_b=_member("handler_b", alpha, Role.UNIT_HANDLER, unit=unit_b),
        leader_a=_member("leader_a", alpha, Role.UNIT_LEADER, unit=unit_a),
        supervisor=_member("supervisor", alpha, Role.SUPERVISOR),
        inspector=_member("inspector", alpha, Role.INSPECTOR),
        judge=_member("judge", alpha, Role.JUDGE),
        viewer=_member("viewer", alpha, Role.VIEWER),
        outsider=_member("outsider", beta, Role.CONGRESS_ADMIN),
    )
    DeputyFactory(congress=alpha, user=w.deputy, name="领衔代表", number="A001")
    DeputyFactory(congress=alpha, user=w.cosigner, name="联名代表", number="A002")
    return w
