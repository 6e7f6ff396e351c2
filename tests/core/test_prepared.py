"""`core.prepared.Prepared`: a query compiled once answers as the ORM does, for any values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minyi.audit.models import AuditEvent
from minyi.audit.services import record
from minyi.core import versioned
from minyi.core.prepared import Prepared, together
from minyi.notifications.selectors import MARKER_PART
from tests.notifications.helpers import notices_for


def _orm_version(congress) -> int:
    own = (
        AuditEvent.objects.filter(congress=congress)
        .exclude(code__in=["export.requested", "export.downloaded", "file.downloaded"])
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    shared = (
        AuditEvent.objects.filter(congress__isnull=True)
        .exclude(code__startswith="account.")
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return max(own or 0, shared or 0)


def test_the_prepared_data_version_is_the_orm_s_for_every_congress_after_every_kind_of_row(world):
    alpha, beta = world.congress, world.other_congress
    steps = [
        lambda: record("deputy.created", actor=world.admin, congress=alpha),
        lambda: record("export.requested", actor=world.clerk, congress=alpha),  # a reading
        lambda: record("deputy.created", actor=world.outsider, congress=beta),
        lambda: record("calendar.day_set", actor=world.admin, congress=None),  # shared data
        lambda: record("account.signed_in", actor=world.clerk, congress=None),  # a sign-in
    ]
    for step in steps:
        step()
        for congress in (alpha, beta):
            assert versioned.data_version(congress) == _orm_version(congress)
    latest = AuditEvent.objects.exclude(code__in=["export.requested"]).order_by("-seq").first()
    # the inbox's version, as a kept page reads it (with the key parts, in one statement)
    assert together((versioned.LATEST_CHANGE, ()))[0] == (latest.seq,)


def test_the_notices_marker_counts_the_unread_and_names_the_newest(rf, world):
    request = rf.get("/")
    request.user = world.clerk

    def notices_marker(request) -> str:  # as a kept page reads it: with the data version
        version, row = together(
            (versioned.VERSION, (world.congress.pk, world.congress.pk)),
            (MARKER_PART.query, MARKER_PART.values(request)),
        )
        assert versioned.version_of(version) == versioned.data_version(world.congress)
        return MARKER_PART.text(row)

    assert notices_marker(request) == "notices:0.None"
    (first,) = notices_for(world.congress, [world.clerk], title="通知")
    (second,) = notices_for(world.congress, [world.clerk], title="通知")
    notices_for(world.congress, [world.deputy], title="别人的")
    assert notices_marker(request) == f"notices:2.{max(first.pk, second.pk)}"


def test_a_sentinel_that_is_not_exactly_once_among_the_parameters_is_refused(db):
    from minyi.congress.models import Congress

    twice = Prepared(lambda pk: Congress.objects.filter(pk=pk) | Congress.objects.filter(id=pk), -1)
    with pytest.raises(ValueError, match="2 times"):
        twice.row(1)
    assert Prepared(lambda pk: Congress.objects.filter(pk=pk).values_list("pk"), -1).row(-5) is None


def test_the_session_store_reads_a_live_session_and_nothing_else(db, time_machine):
    import datetime

    from django.contrib.sessions.models import Session

    from minyi.core.sessions import SessionStore

    time_machine.move_to(datetime.datetime(2026, 3, 17, 2, 0, tzinfo=datetime.UTC), tick=False)
    store = SessionStore()
    store["who"] = "clerk"
    store.set_expiry(3600)
    store.create()
    key = store.session_key
    assert SessionStore(session_key=key).load() == {"who": "clerk", "_session_expiry": 3600}
    assert SessionStore(session_key="no-such-session-key").load() == {}
    assert SessionStore(session_key=None).load() == {}
    time_machine.move_to(datetime.datetime(2026, 3, 17, 3, 0, 1, tzinfo=datetime.UTC), tick=False)
    expired = SessionStore(session_key=key)
    assert expired.load() == {} and expired.session_key is None  # expired: no session
    assert Session.objects.filter(session_key=key).exists()  # (clearsessions removes it)


def test_prepared_memberships_are_the_orm_s(world):
    from minyi.accounts.models import Membership
    from minyi.core.tenancy import _MEMBERSHIPS

    for user in (world.clerk, world.handler_a, world.liaison, world.outsider):
        orm = list(
            Membership.objects.filter(user=user, active=True, congress__active=True).select_related(
                "congress", "unit", "station"
            )
        )
        got = _MEMBERSHIPS.objects(user.pk)
        assert [(m.pk, m.role, m.congress, m.unit, m.station) for m in got] == [
            (m.pk, m.role, m.congress, m.unit, m.station) for m in orm
        ]
        assert all(m.congress.code and m._state.db == "default" for m in got)
        # related objects come with the row: reading them costs no query
        with CaptureQueriesContext(connection) as ctx:
            [(m.congress.name, m.unit and m.unit.name, m.station and m.station.name) for m in got]
        assert not ctx.captured_queries


def test_the_sign_in_backend_reads_an_active_user_and_nobody_else(world):
    from minyi.accounts.backends import ModelBackend

    backend = ModelBackend()
    assert backend.get_user(world.clerk.pk) == world.clerk
    assert backend.get_user(str(world.clerk.pk)) == world.clerk  # as the session holds it
    assert backend.get_user(10**9) is None
    assert backend.get_user("not-a-number") is None
    world.clerk.is_active = False
    world.clerk.save(update_fields=["is_active"])
    assert backend.get_user(world.clerk.pk) is None


# --- PostgreSQL: planned once per connection ------------------------------------------------------


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side PREPARE")


@postgresql_only
def test_postgresql_runs_a_prepared_statement_planned_once_per_connection(world):
    """On PostgreSQL the query runs as EXECUTE of a statement prepared once per session (one query
    per call, as before), gives the ORM's answer for any values, survives a rollback, and is
    prepared again on a new connection."""
    from django.db import transaction

    alpha, beta = world.congress, world.other_congress
    record("deputy.created", actor=world.admin, congress=beta)
    expected = (_orm_version(alpha), _orm_version(beta))
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            got = (versioned.data_version(alpha), versioned.data_version(beta))
        assert got == expected
        assert [q["sql"][:14] for q in ctx.captured_queries] == ["EXECUTE minyi_"] * 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'minyi_%%'")
        held = cursor.fetchone()[0]
    assert held >= 1
    try:
        with transaction.atomic():
            assert versioned.data_version(alpha) == _orm_version(alpha)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert versioned.data_version(alpha) == _orm_version(alpha)  # the statement outlived the rollback
    # a new session holds no prepared statement: it is prepared again
    connection.connection.execute("DEALLOCATE ALL")
    connection._minyi_prepared = (object(), set())  # as if the connection had been replaced
    assert versioned.data_version(alpha) == _orm_version(alpha)


@postgresql_only
def test_postgresql_prepared_statements_can_be_switched_off(world, settings):
    settings.MINYI_PG_PREPARE = False
    expected = _orm_version(world.congress)
    with CaptureQueriesContext(connection) as ctx:
        assert versioned.data_version(world.congress) == expected
    assert [q["sql"][:6] for q in ctx.captured_queries] == ["SELECT"]


def test_together_answers_as_the_queries_alone_with_prepared_statements(world):
    record("deputy.created", actor=world.admin, congress=world.congress)
    got = together(
        (versioned.VERSION, (world.congress.pk, world.congress.pk)),
        (versioned.VERSION, (world.other_congress.pk, world.other_congress.pk)),
    )
    assert [versioned.version_of(r) for r in got] == [
        _orm_version(world.congress),
        _orm_version(world.other_congress),
    ]
