"""Actions on deputies, deputy groups, liaison stations, terms and sessions: the happy path with its
exact audit row, and every refusal (wrong role, other congress, cross-tenant references, bad input)
leaves neither a change nor an audit row."""

import datetime

import pytest

from minyi.accounts.models import Role
from minyi.congress import actions
from minyi.congress.actions import FieldErrors
from minyi.congress.models import Deputy, DeputyGroup, LiaisonStation, Session, Term
from minyi.core.errors import NotPermitted, ValidationFailed
from tests.factories import MembershipFactory, UserFactory

from .support import NOT_ROSTER_MANAGERS, assert_event, events_after, last_seq, only_event_after

D = datetime.date


def deputy_fields(**overrides):
    fields = {
        "name": "王小明",
        "number": "A100",
        "level": Deputy.Level.COUNTY,
        "group": None,
        "electoral_district": "第三选区",
        "organisation": "甲区第一中学校长",
        "phone": "13912345678",
        "email": "wang@example.cn",
        "in_office_from": D(2022, 1, 1),
        "in_office_to": None,
        "user": None,
    }
    fields.update(overrides)
    return fields


# --- deputies ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "clerk"])
def test_create_deputy_records_every_field(world, alpha, who):
    actor = getattr(world, who)
    seq = last_seq()
    deputy = actions.do_create_deputy(world.congress, actor=actor, fields=deputy_fields(group=alpha.group))
    deputy.refresh_from_db()
    assert (deputy.congress, deputy.name, deputy.group) == (world.congress, "王小明", alpha.group)
    assert_event(
        only_event_after(seq),
        "deputy.created",
        actor=actor,
        congress=world.congress,
        obj=deputy,
        new={
            "name": "王小明",
            "number": "A100",
            "level": "county",
            "group": alpha.group.pk,
            "electoral_district": "第三选区",
            "organisation": "甲区第一中学校长",
            "phone": "13912345678",
            "email": "wang@example.cn",
            "in_office_from": "2022-01-01",
            "in_office_to": None,
            "user": None,
        },
        target_user=None,
    )


def test_update_deputy_records_old_and_new_of_changed_fields_only(world, alpha):
    seq = last_seq()
    other_group = DeputyGroup.objects.create(congress=world.congress, name="甲第二代表小组")
    deputy = actions.do_update_deputy(
        alpha.deputy,
        actor=world.clerk,
        changes={"name": alpha.deputy.name, "group": other_group, "in_office_to": D(2026, 12, 31)},
    )
    assert deputy.group == other_group and deputy.in_office_to == D(2026, 12, 31)
    assert_event(
        only_event_after(seq),
        "deputy.updated",
        actor=world.clerk,
        congress=world.congress,
        obj=deputy,
        old={"group": alpha.group.pk, "in_office_to": None},
        new={"group": other_group.pk, "in_office_to": "2026-12-31"},
    )


def test_update_deputy_without_changes_writes_nothing(world, alpha):
    seq = last_seq()
    actions.do_update_deputy(alpha.deputy, actor=world.admin, changes={"name": alpha.deputy.name})
    assert events_after(seq) == []


def test_linking_a_deputy_account_names_the_user_in_the_audit_row(world, alpha):
    account = UserFactory(username="new_deputy")
    MembershipFactory(user=account, congress=world.congress, role=Role.DEPUTY)
    seq = last_seq()
    actions.do_update_deputy(alpha.deputy, actor=world.admin, changes={"user": account})
    event = only_event_after(seq)
    assert event.target_user == account
    assert (event.old, event.new) == ({"user": None}, {"user": account.pk})


@pytest.mark.parametrize("who", NOT_ROSTER_MANAGERS)
def test_create_deputy_refused_for_roles_that_do_not_manage_the_roster(world, who):
    seq = last_seq()
    with pytest.raises(NotPermitted):
        actions.do_create_deputy(world.congress, actor=getattr(world, who), fields=deputy_fields())
    assert not Deputy.objects.filter(number="A100").exists()
    assert events_after(seq) == []


@pytest.mark.parametrize("who", NOT_ROSTER_MANAGERS)
def test_update_deputy_refused_for_roles_that_do_not_manage_the_roster(world, alpha, who):
    seq = last_seq()
    with pytest.raises(NotPermitted):
        actions.do_update_deputy(alpha.deputy, actor=getattr(world, who), changes={"name": "改名"})
    alpha.deputy.refresh_from_db()
    assert alpha.deputy.name == "甲代表"
    assert events_after(seq) == []


def test_a_user_without_any_membership_is_refused(world, alpha):
    with pytest.raises(NotPermitted):
        actions.do_update_deputy(
            alpha.deputy, actor=UserFactory(username="stranger"), changes={"name": "改名"}
        )


def test_deputy_group_of_another_congress_is_refused(world, alpha, beta):
    seq = last_seq()
    with pytest.raises(ValidationFailed) as exc:
        actions.do_create_deputy(world.congress, actor=world.admin, fields=deputy_fields(group=beta.group))
    assert exc.value.code == "wrong_congress"
    with pytest.raises(ValidationFailed) as exc:
        actions.do_update_deputy(alpha.deputy, actor=world.admin, changes={"group": beta.group})
    assert exc.value.code == "wrong_congress"
    alpha.deputy.refresh_from_db()
    assert alpha.deputy.group == alpha.group
    assert events_after(seq) == []


def test_deputy_account_must_be_a_member_of_the_same_congress(world):
    with pytest.raises(ValidationFailed) as exc:
        actions.do_create_deputy(world.congress, actor=world.admin, fields=deputy_fields(user=world.outsider))
    assert exc.value.code == "wrong_congress"


def test_deputy_account_linked_to_another_deputy_is_refused(world):
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_deputy(world.congress, actor=world.admin, fields=deputy_fields(user=world.deputy))
    assert "user" in exc.value.errors
    assert "领衔代表" in exc.value.errors["user"][0]


def test_duplicate_deputy_number_is_refused_with_a_field_message(world, alpha):
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_deputy(world.congress, actor=world.admin, fields=deputy_fields(number="甲-001"))
    assert exc.value.errors["number"] == ["代表证号 甲-001 已被 甲代表 使用。"]


def test_the_same_deputy_number_may_exist_in_another_congress(world, beta):
    deputy = actions.do_create_deputy(
        world.congress, actor=world.admin, fields=deputy_fields(number=beta.deputy.number)
    )
    assert deputy.number == "乙-001"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"in_office_to": D(2021, 12, 31)}, "in_office_to"),
        ({"phone": "12345"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
        ({"level": "galactic"}, "level"),
    ],
)
def test_bad_deputy_input_is_refused_by_field(world, overrides, field):
    seq = last_seq()
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_deputy(world.congress, actor=world.admin, fields=deputy_fields(**overrides))
    assert field in exc.value.errors
    assert events_after(seq) == []


def test_unknown_deputy_field_is_refused(world, alpha):
    with pytest.raises(ValidationFailed) as exc:
        actions.do_update_deputy(alpha.deputy, actor=world.admin, changes={"congress": world.other_congress})
    assert exc.value.code == "unknown_field"


# --- deputy groups -----------------------------------------------------------------------------------


def test_create_and_update_group(world):
    seq = last_seq()
    group = actions.do_create_group(
        world.congress, actor=world.clerk, fields={"name": "城关代表小组", "convener": "李四"}
    )
    assert_event(
        only_event_after(seq),
        "group.created",
        actor=world.clerk,
        congress=world.congress,
        obj=group,
        new={"name": "城关代表小组", "convener": "李四"},
    )
    seq = last_seq()
    actions.do_update_group(group, actor=world.admin, changes={"convener": "赵六"})
    assert_event(
        only_event_after(seq),
        "group.updated",
        actor=world.admin,
        congress=world.congress,
        obj=group,
        old={"convener": "李四"},
        new={"convener": "赵六"},
    )


@pytest.mark.parametrize("who", NOT_ROSTER_MANAGERS)
def test_group_actions_refused_for_other_roles(world, alpha, who):
    with pytest.raises(NotPermitted):
        actions.do_create_group(world.congress, actor=getattr(world, who), fields={"name": "新小组"})
    with pytest.raises(NotPermitted):
        actions.do_update_group(alpha.group, actor=getattr(world, who), changes={"name": "新小组"})
    assert not DeputyGroup.objects.filter(name="新小组").exists()


def test_duplicate_group_name_is_refused_but_not_across_congresses(world, alpha, beta):
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_group(world.congress, actor=world.admin, fields={"name": alpha.group.name})
    assert exc.value.errors["name"] == ["已有名为“甲第一代表小组”的代表小组。"]
    assert actions.do_create_group(world.congress, actor=world.admin, fields={"name": beta.group.name}).pk


# --- liaison stations --------------------------------------------------------------------------------


def test_create_and_update_station(world, alpha):
    seq = last_seq()
    station = actions.do_create_station(
        world.congress,
        actor=world.admin,
        fields={
            "name": "东街联络站",
            "kind": LiaisonStation.Kind.STUDIO,
            "address": "东街1号",
            "group": alpha.group,
        },
    )
    assert_event(
        only_event_after(seq),
        "station.created",
        actor=world.admin,
        congress=world.congress,
        obj=station,
        new={
            "name": "东街联络站",
            "kind": "studio",
            "address": "东街1号",
            "group": alpha.group.pk,
            "active": True,
        },
    )
    seq = last_seq()
    actions.do_update_station(station, actor=world.clerk, changes={"active": False, "group": None})
    assert_event(
        only_event_after(seq),
        "station.updated",
        actor=world.clerk,
        congress=world.congress,
        obj=station,
        old={"active": True, "group": alpha.group.pk},
        new={"active": False, "group": None},
    )


@pytest.mark.parametrize("who", NOT_ROSTER_MANAGERS)
def test_station_actions_refused_for_other_roles(world, alpha, who):
    with pytest.raises(NotPermitted):
        actions.do_create_station(world.congress, actor=getattr(world, who), fields={"name": "新站"})
    with pytest.raises(NotPermitted):
        actions.do_update_station(alpha.station, actor=getattr(world, who), changes={"active": False})
    alpha.station.refresh_from_db()
    assert alpha.station.active


def test_station_group_of_another_congress_is_refused(world, alpha, beta):
    with pytest.raises(ValidationFailed) as exc:
        actions.do_update_station(alpha.station, actor=world.admin, changes={"group": beta.group})
    assert exc.value.code == "wrong_congress"
    with pytest.raises(ValidationFailed):
        actions.do_create_station(
            world.congress, actor=world.admin, fields={"name": "新站", "group": beta.group}
        )


def test_duplicate_station_name_and_bad_kind_are_refused(world, alpha):
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_station(world.congress, actor=world.admin, fields={"name": alpha.station.name})
    assert "name" in exc.value.errors
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_station(
            world.congress, actor=world.admin, fields={"name": "新站", "kind": "castle"}
        )
    assert "kind" in exc.value.errors


# --- terms and sessions ------------------------------------------------------------------------------


def test_create_and_update_term(world):
    seq = last_seq()
    term = actions.do_create_term(
        world.congress, actor=world.admin, fields={"number": 19, "start_date": D(2027, 1, 1)}
    )
    assert_event(
        only_event_after(seq),
        "term.created",
        actor=world.admin,
        congress=world.congress,
        obj=term,
        new={"number": 19, "start_date": "2027-01-01", "end_date": None},
    )
    seq = last_seq()
    actions.do_update_term(term, actor=world.clerk, changes={"end_date": D(2031, 12, 31)})
    assert_event(
        only_event_after(seq),
        "term.updated",
        actor=world.clerk,
        congress=world.congress,
        obj=term,
        old={"end_date": None},
        new={"end_date": "2031-12-31"},
    )


def test_term_refusals(world, alpha):
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_term(
            world.congress, actor=world.admin, fields={"number": 18, "start_date": D(2027, 1, 1)}
        )
    assert exc.value.errors["number"] == ["第18届已经存在。"]
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_term(
            world.congress,
            actor=world.admin,
            fields={"number": 20, "start_date": D(2027, 1, 1), "end_date": D(2026, 1, 1)},
        )
    assert "end_date" in exc.value.errors
    # the 18th term has a session on 2022-01-05..08: its dates may not move past it
    with pytest.raises(FieldErrors) as exc:
        actions.do_update_term(alpha.term, actor=world.admin, changes={"start_date": D(2022, 1, 6)})
    assert "第1次会议" in exc.value.errors["__all__"][0]
    alpha.term.refresh_from_db()
    assert alpha.term.start_date == D(2022, 1, 1)
    with pytest.raises(NotPermitted):
        actions.do_create_term(
            world.congress, actor=world.outsider, fields={"number": 21, "start_date": D(2027, 1, 1)}
        )
    with pytest.raises(NotPermitted):
        actions.do_update_term(alpha.term, actor=world.viewer, changes={"end_date": D(2026, 12, 31)})


def test_create_and_update_session(world, alpha):
    seq = last_seq()
    session = actions.do_create_session(
        alpha.term,
        actor=world.clerk,
        fields={"number": 2, "start_date": D(2023, 1, 10), "end_date": D(2023, 1, 12)},
    )
    assert session.term == alpha.term
    assert_event(
        only_event_after(seq),
        "session.created",
        actor=world.clerk,
        congress=world.congress,
        obj=session,
        new={"number": 2, "start_date": "2023-01-10", "end_date": "2023-01-12"},
    )
    seq = last_seq()
    actions.do_update_session(session, actor=world.admin, changes={"end_date": D(2023, 1, 13)})
    assert_event(
        only_event_after(seq),
        "session.updated",
        actor=world.admin,
        congress=world.congress,
        obj=session,
        old={"end_date": "2023-01-12"},
        new={"end_date": "2023-01-13"},
    )


def test_session_refusals(world, alpha, beta):
    term = Term.objects.create(
        congress=world.congress, number=17, start_date=D(2017, 1, 1), end_date=D(2021, 12, 31)
    )
    cases = [
        ({"number": 1, "start_date": D(2016, 12, 1), "end_date": D(2017, 1, 3)}, "start_date"),
        ({"number": 1, "start_date": D(2021, 12, 30), "end_date": D(2022, 1, 3)}, "end_date"),
        ({"number": 1, "start_date": D(2018, 1, 5), "end_date": D(2018, 1, 3)}, "end_date"),
    ]
    for fields, field in cases:
        with pytest.raises(FieldErrors) as exc:
            actions.do_create_session(term, actor=world.admin, fields=fields)
        assert field in exc.value.errors, fields
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_session(
            alpha.term,
            actor=world.admin,
            fields={"number": 1, "start_date": D(2023, 1, 1), "end_date": D(2023, 1, 2)},
        )
    assert "number" in exc.value.errors
    # alpha's admin may not add a session to beta's term
    with pytest.raises(NotPermitted):
        actions.do_create_session(
            beta.term,
            actor=world.admin,
            fields={"number": 2, "start_date": D(2023, 1, 1), "end_date": D(2023, 1, 2)},
        )
    with pytest.raises(NotPermitted):
        actions.do_update_session(alpha.session, actor=world.deputy, changes={"number": 5})
    assert Session.objects.filter(term=term).count() == 0
