"""Accounts and roles: granting and revoking roles in one congress, with the unit or station the
role needs (from the same congress), no duplicates, and never without a congress admin."""

import pytest

from minyi.accounts.models import Membership, Role, User
from minyi.audit.models import AuditEvent
from minyi.congress import actions
from minyi.congress.actions import FieldErrors
from minyi.congress.models import Deputy, Unit
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from tests.factories import MembershipFactory, UnitFactory, UserFactory

from .support import NOT_ADMINS, assert_event, events_after, last_seq, only_event_after


@pytest.fixture
def newcomer(world):
    return UserFactory(username="newcomer", full_name="新来的", home_congress=world.congress)


def test_grant_a_plain_role(world, newcomer):
    seq = last_seq()
    membership = actions.do_grant_role(world.congress, actor=world.admin, user=newcomer, role=Role.VIEWER)
    assert (membership.user, membership.congress, membership.role, membership.active) == (
        newcomer,
        world.congress,
        "viewer",
        True,
    )
    assert_event(
        only_event_after(seq),
        "membership.granted",
        actor=world.admin,
        congress=world.congress,
        obj=membership,
        new={"role": "viewer", "unit": None, "station": None},
        target_user=newcomer,
        unit=None,
    )


def test_grant_a_unit_role_and_a_station_role(world, alpha, newcomer):
    handler = actions.do_grant_role(
        world.congress, actor=world.admin, user=newcomer, role=Role.UNIT_HANDLER, unit=world.unit_b
    )
    assert handler.unit == world.unit_b
    assert AuditEvent.objects.get(code="membership.granted", object_id=str(handler.pk)).unit == world.unit_b
    clerk = actions.do_grant_role(
        world.congress, actor=world.admin, user=newcomer, role=Role.LIAISON_CLERK, station=alpha.station
    )
    assert clerk.station == alpha.station
    coordinator = actions.do_grant_role(
        world.congress, actor=world.admin, user=newcomer, role=Role.COORDINATOR, unit=world.gov
    )
    assert coordinator.unit == world.gov


@pytest.mark.parametrize(
    ("role", "where", "field", "message"),
    [
        (Role.UNIT_HANDLER, {}, "unit", "须选择所在单位"),
        (Role.UNIT_LEADER, {}, "unit", "须选择所在单位"),
        (Role.COORDINATOR, {"unit": "unit_a"}, "unit", "一府一委两院"),
        (Role.LIAISON_CLERK, {}, "station", "须选择所在联络站"),
        (Role.VIEWER, {"unit": "unit_a"}, "unit", "不需要选择单位"),
        (Role.DEPUTY, {"station": "station"}, "station", "不需要选择联络站"),
        (Role.UNIT_CLERK, {"unit": "unit_a", "deputy": "deputy"}, "deputy", "只有“人大代表”"),
        ("emperor", {}, "role", "未知的角色"),
    ],
)
def test_grant_refusals_by_field(world, alpha, newcomer, role, where, field, message):
    objects = {"unit_a": world.unit_a, "station": alpha.station, "deputy": alpha.deputy}
    kwargs = {name: objects[value] for name, value in where.items()}
    seq = last_seq()
    with pytest.raises(FieldErrors) as exc:
        actions.do_grant_role(world.congress, actor=world.admin, user=newcomer, role=role, **kwargs)
    assert message in " ".join(exc.value.errors[field])
    assert not Membership.objects.filter(user=newcomer).exists()
    assert events_after(seq) == []


def test_grant_refuses_inactive_units(world, newcomer):
    actions.do_update_unit(world.unit_b, actor=world.admin, changes={"active": False})
    with pytest.raises(FieldErrors) as exc:
        actions.do_grant_role(
            world.congress, actor=world.admin, user=newcomer, role=Role.UNIT_CLERK, unit=world.unit_b
        )
    assert "已停用" in exc.value.errors["unit"][0]


@pytest.mark.parametrize("what", ["unit", "station", "deputy"])
def test_grant_refuses_rows_of_another_congress(world, beta, newcomer, what):
    role, kwargs = {
        "unit": (Role.UNIT_HANDLER, {"unit": beta.unit}),
        "station": (Role.LIAISON_CLERK, {"station": beta.station}),
        "deputy": (Role.DEPUTY, {"deputy": beta.deputy}),
    }[what]
    with pytest.raises(ValidationFailed) as exc:
        actions.do_grant_role(world.congress, actor=world.admin, user=newcomer, role=role, **kwargs)
    assert exc.value.code == "wrong_congress"
    assert not Membership.objects.filter(user=newcomer).exists()


def test_duplicate_role_is_refused(world):
    seq = last_seq()
    with pytest.raises(ValidationFailed) as exc:
        actions.do_grant_role(
            world.congress, actor=world.admin, user=world.handler_a, role=Role.UNIT_HANDLER, unit=world.unit_a
        )
    assert exc.value.code == "duplicate"
    assert events_after(seq) == []
    # the same role for another unit is a different membership
    assert actions.do_grant_role(
        world.congress, actor=world.admin, user=world.handler_a, role=Role.UNIT_HANDLER, unit=world.unit_b
    ).pk


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_member_actions_refused_for_everyone_but_the_admins(world, newcomer, who):
    actor = getattr(world, who)
    seq = last_seq()
    with pytest.raises(NotPermitted):
        actions.do_grant_role(world.congress, actor=actor, user=newcomer, role=Role.CONGRESS_ADMIN)
    with pytest.raises(NotPermitted):
        actions.do_revoke_role(Membership.objects.get(user=world.viewer), actor=actor)
    with pytest.raises(NotPermitted):
        actions.do_create_user(
            world.congress, actor=actor, username="x1", full_name="x", password="Zhong-Guo-2026"
        )
    assert not Membership.objects.filter(user=newcomer).exists()
    assert Membership.objects.get(user=world.viewer).active
    assert not User.objects.filter(username="x1").exists()
    assert events_after(seq) == []


def test_revoke_then_grant_again_reuses_the_row(world):
    membership = Membership.objects.get(user=world.viewer)
    seq = last_seq()
    actions.do_revoke_role(membership, actor=world.admin)
    membership.refresh_from_db()
    assert not membership.active
    assert_event(
        only_event_after(seq),
        "membership.revoked",
        actor=world.admin,
        congress=world.congress,
        obj=membership,
        old={"role": "viewer", "unit": None, "station": None, "active": True},
        new={"active": False},
        target_user=world.viewer,
    )
    with pytest.raises(InvalidTransition):
        actions.do_revoke_role(membership, actor=world.admin)
    again = actions.do_grant_role(world.congress, actor=world.admin, user=world.viewer, role=Role.VIEWER)
    assert again.pk == membership.pk and again.active


def test_revoked_user_loses_access(world, client):
    from django.urls import reverse

    actions.do_revoke_role(Membership.objects.get(user=world.viewer), actor=world.admin)
    client.force_login(world.viewer)
    assert client.get(reverse("congress:dashboard", args=["alpha"])).status_code == 404


def test_the_last_admin_cannot_be_revoked(world):
    admin_membership = Membership.objects.get(user=world.admin, role=Role.CONGRESS_ADMIN)
    seq = last_seq()
    with pytest.raises(ValidationFailed) as exc:
        actions.do_revoke_role(admin_membership, actor=world.admin)
    assert exc.value.code == "last_admin"
    admin_membership.refresh_from_db()
    assert admin_membership.active
    assert events_after(seq) == []
    # with a second admin, either may go
    actions.do_grant_role(world.congress, actor=world.admin, user=world.clerk, role=Role.CONGRESS_ADMIN)
    actions.do_revoke_role(admin_membership, actor=world.admin)
    admin_membership.refresh_from_db()
    assert not admin_membership.active


def test_an_admin_of_another_congress_does_not_count(world):
    # beta's admin is no admin of alpha: alpha's only admin still cannot be removed
    MembershipFactory(user=world.outsider, congress=world.other_congress, role=Role.VIEWER)
    with pytest.raises(ValidationFailed):
        actions.do_revoke_role(Membership.objects.get(user=world.admin), actor=world.admin)


def test_grant_deputy_role_and_link_the_deputy_record(world, alpha, newcomer):
    seq = last_seq()
    membership = actions.do_grant_role(
        world.congress, actor=world.admin, user=newcomer, role=Role.DEPUTY, deputy=alpha.deputy
    )
    alpha.deputy.refresh_from_db()
    assert alpha.deputy.user == newcomer
    granted, linked = events_after(seq)
    assert (granted.code, linked.code) == ("membership.granted", "deputy.updated")
    assert granted.correlation_id == linked.correlation_id
    assert granted.object_id == str(membership.pk)
    assert_event(
        linked,
        "deputy.updated",
        actor=world.admin,
        congress=world.congress,
        obj=alpha.deputy,
        old={"user": None},
        new={"user": newcomer.pk},
        target_user=newcomer,
    )


def test_deputy_record_linked_to_someone_else_is_refused(world, newcomer):
    taken = Deputy.objects.get(user=world.deputy)
    with pytest.raises(FieldErrors) as exc:
        actions.do_grant_role(
            world.congress, actor=world.admin, user=newcomer, role=Role.DEPUTY, deputy=taken
        )
    assert "已关联其他账号" in exc.value.errors["deputy"][0]


def test_create_user(world):
    seq = last_seq()
    user = actions.do_create_user(
        world.congress,
        actor=world.admin,
        username="zhangsan",
        full_name="张三",
        password="Min-Yi-2026!",
        phone="13900000000",
    )
    assert user.check_password("Min-Yi-2026!")
    event = only_event_after(seq)
    assert_event(
        event,
        "user.created",
        actor=world.admin,
        congress=world.congress,
        obj=user,
        new={"username": "zhangsan", "full_name": "张三", "phone": "13900000000"},
        target_user=user,
    )
    assert "Min-Yi" not in str(event.new)


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("ADMIN", "Min-Yi-2026!", "username"),
        ("lisi", "123", "password"),
        ("lisi", "password", "password"),
        ("li si!", "Min-Yi-2026!", "username"),
        ("", "Min-Yi-2026!", "username"),
    ],
)
def test_create_user_refusals(world, username, password, field):
    seq = last_seq()
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_user(
            world.congress, actor=world.admin, username=username, full_name="李四", password=password
        )
    assert field in exc.value.errors
    assert events_after(seq) == []


def test_unit_roles_need_units_of_this_congress_even_if_bodies_match(world, beta):
    other_unit = UnitFactory(congress=world.other_congress, parent=beta.body, name="乙区教育局")
    with pytest.raises(ValidationFailed):
        actions.do_grant_role(
            world.congress, actor=world.admin, user=world.viewer, role=Role.UNIT_CLERK, unit=other_unit
        )
    assert Unit.objects.filter(congress=world.congress, name="乙区教育局").count() == 0
