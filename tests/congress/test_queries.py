"""Every list page costs a fixed number of queries: measured with a few rows, then again after
adding 30+ rows of each kind; the count must not grow, and stays under a small absolute budget."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.congress import actions
from minyi.congress.models import Category, Channel, ResultClass, Session, Term
from tests.factories import DeputyFactory, MembershipFactory, StationFactory, UnitFactory, UserFactory

BUDGET = 14
MANY = 35

PAGES = [
    ("dashboard", []),
    ("deputies", []),
    ("groups", []),
    ("stations", []),
    ("units", []),
    ("terms", []),
    ("policy", []),
    ("taxonomy", ["categories"]),
    ("taxonomy", ["channels"]),
    ("taxonomy", ["results"]),
    ("members", []),
]


def grow(world, alpha, start, stop):
    """Rows number `start`…`stop - 1` of everything the pages list, spread over groups, units and roles."""
    for i in range(start, stop):
        group = alpha.group if i % 2 else None
        user = UserFactory(username=f"bulk{i}", full_name=f"批量{i}")
        MembershipFactory(user=user, congress=world.congress, role=Role.DEPUTY)
        MembershipFactory(user=user, congress=world.congress, role=Role.UNIT_HANDLER, unit=world.unit_a)
        DeputyFactory(
            congress=world.congress, name=f"批量代表{i}", number=f"B{i:03d}", group=group, user=user
        )
        StationFactory(congress=world.congress, name=f"批量联络站{i}", group=group)
        parent = world.unit_a if i % 3 else world.gov
        UnitFactory(congress=world.congress, parent=parent, name=f"批量单位{i}")
        Category.objects.create(congress=world.congress, name=f"批量分类{i}", order=100 + i)
        Channel.objects.create(congress=world.congress, name=f"批量渠道{i}", order=100 + i)
        ResultClass.objects.create(congress=world.congress, code=f"Z{i}", name=f"批量类别{i}", order=100 + i)
        term = Term.objects.create(
            congress=world.congress, number=100 + i, start_date=datetime.date(2000, 1, 1)
        )
        Session.objects.create(
            term=term, number=1, start_date=datetime.date(2000, 3, 1), end_date=datetime.date(2000, 3, 5)
        )
        actions.do_create_group(world.congress, actor=world.admin, fields={"name": f"批量小组{i}"})
        actions.do_update_policy(
            world.congress.policy, actor=world.admin, changes={"review_days": 3 + (i % 5) + 1}
        )


def count(client, name, args, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(f"congress:{name}", args=["alpha", *args]), params or {})
    assert response.status_code == 200, name
    return len(ctx)


@pytest.mark.parametrize("who", ["admin", "viewer"])
def test_list_pages_have_a_fixed_query_count(client, world, alpha, who, django_assert_max_num_queries):
    client.force_login(getattr(world, who))
    pages = [(name, args) for name, args in PAGES if who == "admin" or name != "members"]
    grow(world, alpha, 0, 2)
    before = {f"{name}{args}": count(client, name, args) for name, args in pages}
    grow(world, alpha, 2, MANY)
    for name, args in pages:
        with django_assert_max_num_queries(before[f"{name}{args}"]):
            count(client, name, args)
        assert before[f"{name}{args}"] <= BUDGET, (name, before[f"{name}{args}"])


def test_filtered_and_detail_pages_have_a_fixed_query_count(
    client, world, alpha, django_assert_max_num_queries
):
    client.force_login(world.admin)
    pages = [
        ("deputies", [], {"q": "代表", "group": alpha.group.pk, "in_office": "yes", "page": 2}),
        ("stations", [], {"group": alpha.group.pk, "active": "yes"}),
        ("units", [], {"q": "批量"}),
        ("members", [], {"role": Role.UNIT_HANDLER, "page": 2}),
        ("group_detail", [alpha.group.pk], {}),
        ("unit_detail", [world.unit_a.pk], {}),
        ("deputy_detail", [alpha.deputy.pk], {}),
        ("member_grant", [], {}),
        ("unit_edit", [world.unit_a.pk], {}),
        ("deputy_edit", [alpha.deputy.pk], {}),
    ]
    grow(world, alpha, 0, 2)
    before = {name: count(client, name, args, params) for name, args, params in pages}
    grow(world, alpha, 2, MANY)
    for name, args, params in pages:
        with django_assert_max_num_queries(max(before[name], 1)):
            count(client, name, args, params)
