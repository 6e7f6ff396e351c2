"""The congress router: the congress and my roles, deputies, the unit tree, the policy."""

import datetime

import pytest

from minyi.audit.models import AuditEvent
from minyi.congress.models import Category, Channel, Policy, ResultClass
from tests.factories import DeputyFactory, DeputyGroupFactory, UnitFactory

from .conftest import A, B, invalid, not_found, ok, refused

pytestmark = pytest.mark.django_db


# --- the congress ------------------------------------------------------------------------------------


def test_congress_with_my_roles_and_permissions(api, world):
    body = ok(api.get(world.handler_a, A))
    assert body["code"] == "alpha"
    assert body["name"] == "甲区人大常委会"
    assert body["level"] == "county"
    assert body["roles"] == [
        {
            "role": "unit_handler",
            "role_label": "承办人",
            "unit": {"id": world.unit_a.pk, "name": "甲区住房和城乡建设局"},
            "station": None,
        }
    ]
    assert body["permissions"]["view_roster"] is True
    assert body["permissions"]["manage_policy"] is False
    admin = ok(api.get(world.admin, A))
    assert admin["permissions"]["manage_policy"] is True
    assert admin["permissions"]["view_contacts"] is True


def test_congress_of_which_i_am_not_a_member_is_404(api, world):
    not_found(api.get(world.outsider, A))
    not_found(api.get(world.deputy, B))
    not_found(api.get(world.deputy, "/congresses/no-such"))


# --- deputies --------------------------------------------------------------------------------------


@pytest.fixture
def roster(world):
    group = DeputyGroupFactory(congress=world.congress, name="第一代表小组")
    DeputyFactory(
        congress=world.congress,
        name="张三",
        number="A010",
        group=group,
        phone="13800000001",
        email="z@example.cn",
    )
    DeputyFactory(
        congress=world.congress,
        name="李四",
        number="A011",
        in_office_to=datetime.date(2023, 1, 1),
        phone="13800000002",
    )
    DeputyFactory(congress=world.other_congress, name="外区代表", number="A012")
    return group


def test_deputies_in_number_order_paginated(api, world, roster):
    body = ok(api.get(world.viewer, f"{A}/deputies", {"page_size": 2}))
    assert body["count"] == 4
    assert [d["number"] for d in body["items"]] == ["A001", "A002"]
    page2 = ok(api.get(world.viewer, f"{A}/deputies", {"page_size": 2, "page": 2}))
    assert [d["number"] for d in page2["items"]] == ["A010", "A011"]
    assert ok(api.get(world.viewer, f"{A}/deputies", {"page": 9}))["items"] == []


def test_deputies_filters(api, world, roster):
    def numbers(**params):
        return [d["number"] for d in ok(api.get(world.viewer, f"{A}/deputies", params))["items"]]

    assert numbers(group=roster.pk) == ["A010"]
    assert numbers(in_office="no") == ["A011"]
    assert numbers(in_office="yes") == ["A001", "A002", "A010"]
    assert numbers(q="张") == ["A010"]
    assert numbers(q="外区") == []


def test_deputy_contacts_only_for_staff_and_the_deputy_themself(api, world, roster):
    def row(user, number):
        items = ok(api.get(user, f"{A}/deputies"))["items"]
        return next(d for d in items if d["number"] == number)

    for staff in (world.clerk, world.admin):
        assert row(staff, "A010")["phone"] == "13800000001"
        assert row(staff, "A010")["email"] == "z@example.cn"
    for other in (world.viewer, world.deputy, world.handler_a, world.supervisor):
        assert row(other, "A010")["phone"] is None
        assert row(other, "A010")["email"] is None
    own = DeputyFactory(congress=world.congress, user=world.judge, number="A020", phone="13900000000")
    assert row(world.judge, own.number)["phone"] == "13900000000"


def test_deputies_bad_filters_are_422(api, world):
    invalid(api.get(world.viewer, f"{A}/deputies", {"in_office": "maybe"}))
    invalid(api.get(world.viewer, f"{A}/deputies", {"page": 0}))
    invalid(api.get(world.viewer, f"{A}/deputies", {"page_size": 1000}))


def test_deputies_of_another_congress_are_404(api, world):
    not_found(api.get(world.outsider, f"{A}/deputies"))


def test_deputies_query_count_does_not_grow(api, world, roster, django_assert_max_num_queries):
    for i in range(30):
        DeputyFactory(congress=world.congress, number=f"B{i:03d}", group=roster)
    api.get(world.clerk, A)  # log-in session warm-up
    with django_assert_max_num_queries(8):
        body = ok(api.get(world.clerk, f"{A}/deputies", {"page_size": 50}))
    assert len(body["items"]) == 34


# --- units -----------------------------------------------------------------------------------------


def test_units_as_a_tree(api, world):
    UnitFactory(congress=world.congress, parent=world.unit_a, name="甲区住建局物业科")
    UnitFactory(congress=world.congress, parent=world.gov, name="甲区停用局", active=False)
    tree = ok(api.get(world.deputy, f"{A}/units"))
    assert [u["name"] for u in tree] == [world.gov.name]
    gov = tree[0]
    assert gov["kind"] == "body" and gov["body_code"] == "government"
    names = [u["name"] for u in gov["children"]]
    assert set(names) == {"甲区住房和城乡建设局", "甲区教育局", "甲区停用局"}
    housing = next(u for u in gov["children"] if u["name"] == "甲区住房和城乡建设局")
    assert [u["name"] for u in housing["children"]] == ["甲区住建局物业科"]
    active = ok(api.get(world.deputy, f"{A}/units", {"include_inactive": "false"}))
    assert "甲区停用局" not in [u["name"] for u in active[0]["children"]]


def test_units_of_another_congress_are_404(api, world):
    not_found(api.get(world.outsider, f"{A}/units"))


# --- policy ----------------------------------------------------------------------------------------


def test_policy_with_taxonomies(api, world):
    Category.objects.create(congress=world.congress, name="教育")
    Channel.objects.create(congress=world.congress, name="代表走访", grassroots=True)
    ResultClass.objects.create(congress=world.congress, code="A", name="已解决", counts_as_resolved=True)
    Category.objects.create(congress=world.other_congress, name="外区分类")
    body = ok(api.get(world.deputy, f"{A}/policy"))
    assert body["policy"]["review_days"] == 3
    assert body["policy"]["numbering_format"] == "{short}〔{year}〕第{seq}号"
    assert body["policy"]["quiet_hours_start"] == "21:00:00"
    taxa = body["taxonomies"]
    assert [c["name"] for c in taxa["categories"]] == ["教育"]
    assert taxa["channels"][0]["grassroots"] is True
    assert taxa["results"][0]["code"] == "A" and taxa["results"][0]["counts_as_resolved"] is True
    assert taxa["categories"][0]["code"] is None
    assert taxa["themes"] == [] and taxa["exclusions"] == []


def test_policy_of_another_congress_is_404(api, world):
    not_found(api.get(world.outsider, f"{A}/policy"))
    not_found(api.patch(world.outsider, f"{A}/policy", {"review_days": 4}))


def test_admin_changes_the_policy_with_an_audit_row(api, world):
    body = ok(api.patch(world.admin, f"{A}/policy", {"review_days": 4, "contact_required": False}))
    assert body["review_days"] == 4 and body["contact_required"] is False
    policy = Policy.objects.get(congress=world.congress)
    assert policy.review_days == 4
    event = AuditEvent.objects.filter(code="policy.updated").get()
    assert event.actor == world.admin
    assert event.old == {"review_days": 3, "contact_required": True}
    assert event.new == {"review_days": 4, "contact_required": False}


def test_policy_change_refused_for_other_roles(api, world):
    for user in (world.clerk, world.deputy, world.viewer):
        refused(api.patch(user, f"{A}/policy", {"review_days": 4}), 403, "not_permitted")
    assert Policy.objects.get(congress=world.congress).review_days == 3
    assert not AuditEvent.objects.filter(code="policy.updated").exists()


def test_policy_change_bad_input(api, world):
    body = refused(
        api.patch(world.admin, f"{A}/policy", {"reply_months": 3, "reply_statutory_months": 2}),
        422,
        "validation_failed",
    )
    assert "reply_months" in body["fields"]
    body = refused(
        api.patch(world.admin, f"{A}/policy", {"numbering_format": "{year}号"}), 422, "validation_failed"
    )
    assert "numbering_format" in body["fields"]
    refused(api.patch(world.admin, f"{A}/policy", {"review_days": 0}), 422, "validation_failed")
    invalid(api.patch(world.admin, f"{A}/policy", {"review_days": None}))
    invalid(api.patch(world.admin, f"{A}/policy", {"review_days": "three"}))
    invalid(api.patch(world.admin, f"{A}/policy", {"no_such_rule": 1}))
    invalid(api.patch(world.admin, f"{A}/policy", {"completion_definition": "whenever"}))
    assert Policy.objects.get(congress=world.congress).review_days == 3
    assert not AuditEvent.objects.filter(code="policy.updated").exists()
