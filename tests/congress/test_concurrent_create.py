"""Two administrators create the same thing at the same moment: one succeeds, the other gets the
domain error the duplicate check gives (422), never a database IntegrityError (a 500).

On SQLite the IMMEDIATE transactions serialise the two, so the second one's duplicate check already
sees the first row. On PostgreSQL both transactions can pass the check before either commits; to make
that interleaving certain (not left to the scheduler), each thread waits at a barrier just before its
INSERT into the contested table, so both have passed the check when the inserts run."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from minyi.accounts.models import Membership, Role, User
from minyi.audit.services import verify_chain
from minyi.congress import actions
from minyi.congress.models import Category, Channel, DeputyGroup, LiaisonStation, Term, Unit
from minyi.core.errors import DomainError, ValidationFailed
from tests.audit.support import domain_event_count
from tests.factories import UserFactory
from tests.suggestions.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def race_inserts(table: str, *calls: Callable[[], object]) -> list[object]:
    """`race()`, but on PostgreSQL every call waits, just before its first INSERT into `table`, until
    all the calls have got there (i.e. all have passed their duplicate checks)."""
    if connection.vendor != "postgresql":
        return race(*calls)
    gate = threading.Barrier(len(calls))

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(f'INSERT INTO "{table}"'.upper()):
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait(timeout=10)
        return execute(sql, params, many, context)

    def gated(call: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            with connection.execute_wrapper(wrapper):
                return call()

        return run

    return race(*(gated(c) for c in calls))


def one_wins(results: list[object], model_type: type) -> DomainError:
    ok = [r for r in results if isinstance(r, model_type)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], ValidationFailed) and refused[0].status == 422
    return refused[0]


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (
            DeputyGroup,
            lambda w: actions.do_create_group(w.congress, actor=w.admin, fields={"name": "同名小组"}),
        ),
        (
            LiaisonStation,
            lambda w: actions.do_create_station(w.congress, actor=w.admin, fields={"name": "同名联络站"}),
        ),
        (
            Unit,
            lambda w: actions.do_create_unit(
                w.congress, actor=w.admin, fields={"name": "同名局", "kind": "department", "parent": w.gov}
            ),
        ),
        (
            Term,
            lambda w: actions.do_create_term(
                w.congress, actor=w.admin, fields={"number": 19, "start_date": "2027-01-01"}
            ),
        ),
        (
            Category,
            lambda w: actions.do_add_taxonomy_item(
                w.congress, actor=w.admin, kind="categories", fields={"name": "同名类别"}
            ),
        ),
        (
            Channel,
            lambda w: actions.do_add_taxonomy_item(
                w.congress, actor=w.admin, kind="channels", fields={"name": "同名渠道"}
            ),
        ),
    ],
    ids=["group", "station", "unit", "term", "category", "channel"],
)
def test_the_same_record_twice_at_once(world, model, make):
    before = model.objects.count()
    events = domain_event_count()
    refused = one_wins(race_inserts(model._meta.db_table, lambda: make(world), lambda: make(world)), model)
    assert "已" in refused.detail  # the duplicate check's own message ("已有名为…", "…已经存在")
    assert model.objects.count() == before + 1
    assert domain_event_count() == events + 1
    assert verify_chain().ok


def test_the_same_username_twice_at_once(world):
    def make():
        return actions.do_create_user(
            world.congress, actor=world.admin, username="twin", full_name="双胞胎", password="Str0ng-pass-9x"
        )

    refused = one_wins(race_inserts(User._meta.db_table, make, make), User)
    assert refused.code == "validation_failed" and "twin" in refused.detail
    assert User.objects.filter(username="twin").count() == 1
    assert verify_chain().ok


def test_the_same_role_granted_twice_at_once(world):
    newcomer = UserFactory(username="newcomer", full_name="新来的", home_congress=world.congress)

    def grant():
        return actions.do_grant_role(world.congress, actor=world.admin, user=newcomer, role=Role.VIEWER)

    refused = one_wins(race_inserts(Membership._meta.db_table, grant, grant), Membership)
    assert refused.code == "duplicate"
    assert Membership.objects.filter(user=newcomer, role=Role.VIEWER).count() == 1
    assert verify_chain().ok


def test_the_same_group_from_two_pages_at_once(world, client):
    """Through the page: the loser sees the form again with the message (422), not a 500."""
    from django.test import Client
    from django.urls import reverse

    url = reverse("congress:group_create", args=[world.congress.code])
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(world.admin)

    def post(c):
        return lambda: c.post(url, {"name": "页面同名小组"})

    responses = race_inserts(DeputyGroup._meta.db_table, *(post(c) for c in clients))
    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [302, 422], responses
    assert DeputyGroup.objects.filter(name="页面同名小组").count() == 1
    with transaction.atomic():
        assert verify_chain().ok
