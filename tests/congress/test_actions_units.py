"""Unit tree actions: bodies are roots, other units hang below a parent of the same congress, no
cycles, moving a unit moves its subtree's `body`, deactivation instead of deletion."""

import pytest

from minyi.congress import actions
from minyi.congress.actions import FieldErrors
from minyi.congress.models import Unit
from minyi.core.errors import NotPermitted, ValidationFailed

from .support import NOT_ROSTER_MANAGERS, assert_event, events_after, last_seq, only_event_after

DEPT = Unit.Kind.DEPARTMENT


def make_unit(world, name, parent, **extra):
    fields = {"name": name, "kind": DEPT, "parent": parent, **extra}
    return actions.do_create_unit(world.congress, actor=world.admin, fields=fields)


def test_create_department_below_a_body(world):
    seq = last_seq()
    unit = make_unit(world, "甲区民政局", world.gov, short_name="民政局", order=5)
    unit.refresh_from_db()
    assert unit.body == world.gov and unit.parent == world.gov
    assert_event(
        only_event_after(seq),
        "unit.created",
        actor=world.admin,
        congress=world.congress,
        obj=unit,
        unit=unit,
        new={
            "name": "甲区民政局",
            "short_name": "民政局",
            "kind": "department",
            "body_code": "",
            "parent": world.gov.pk,
            "order": 5,
            "active": True,
            "duties": "",
        },
    )


def test_create_body(world):
    court = actions.do_create_unit(
        world.congress,
        actor=world.clerk,
        fields={"name": "甲区人民法院", "kind": Unit.Kind.BODY, "body_code": Unit.BodyCode.COURT},
    )
    court.refresh_from_db()
    assert court.body == court and court.parent is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": Unit.Kind.BODY, "body_code": Unit.BodyCode.COURT, "parent": "gov"}, "parent", "最上层"),
        ({"kind": Unit.Kind.BODY}, "body_code", "请选择机关类别"),
        ({"kind": DEPT}, "parent", "请选择上级单位"),
        ({"kind": DEPT, "parent": "gov", "body_code": Unit.BodyCode.COURT}, "body_code", "只有类型为“机关”"),
        ({"kind": Unit.Kind.BODY, "body_code": Unit.BodyCode.GOVERNMENT}, "body_code", "本人大已有该机关"),
        ({"kind": DEPT, "parent": "gov", "name": "甲区教育局"}, "name", "已有名为"),
    ],
)
def test_bad_unit_shapes_are_refused_with_clear_messages(world, fields, field, message):
    fields = {"name": "新单位", **fields}
    if fields.get("parent") == "gov":
        fields["parent"] = world.gov
    seq = last_seq()
    with pytest.raises(FieldErrors) as exc:
        actions.do_create_unit(world.congress, actor=world.admin, fields=fields)
    assert message in " ".join(exc.value.errors[field])
    assert events_after(seq) == []


def test_parent_of_another_congress_is_refused(world, beta):
    with pytest.raises(ValidationFailed) as exc:
        make_unit(world, "新单位", beta.body)
    assert exc.value.code == "wrong_congress"
    with pytest.raises(ValidationFailed) as exc:
        actions.do_update_unit(world.unit_a, actor=world.admin, changes={"parent": beta.unit})
    assert exc.value.code == "wrong_congress"
    world.unit_a.refresh_from_db()
    assert world.unit_a.parent == world.gov


def test_cycles_are_refused(world):
    child = make_unit(world, "住建局下属中心", world.unit_a)
    grandchild = make_unit(world, "中心下属科室", child)
    for parent in (world.unit_a, child, grandchild):
        with pytest.raises(FieldErrors) as exc:
            actions.do_update_unit(world.unit_a, actor=world.admin, changes={"parent": parent})
        assert exc.value.errors["parent"] == ["不能把单位挂到它自己或它的下级单位之下。"]
    world.unit_a.refresh_from_db()
    assert world.unit_a.parent == world.gov


def test_moving_a_unit_moves_its_subtree_to_the_new_body(world):
    child = make_unit(world, "住建局下属中心", world.unit_a)
    grandchild = make_unit(world, "中心下属科室", child)
    court = actions.do_create_unit(
        world.congress,
        actor=world.admin,
        fields={"name": "甲区人民法院", "kind": Unit.Kind.BODY, "body_code": Unit.BodyCode.COURT},
    )
    seq = last_seq()
    actions.do_update_unit(world.unit_a, actor=world.admin, changes={"parent": court})
    for unit in (world.unit_a, child, grandchild):
        unit.refresh_from_db()
        assert unit.body == court, unit
    assert_event(
        only_event_after(seq),
        "unit.updated",
        actor=world.admin,
        congress=world.congress,
        obj=world.unit_a,
        unit=world.unit_a,
        old={"parent": world.gov.pk},
        new={"parent": court.pk},
    )


def test_deactivate_a_leaf_and_reactivate_it(world):
    seq = last_seq()
    actions.do_update_unit(world.unit_b, actor=world.clerk, changes={"active": False})
    world.unit_b.refresh_from_db()
    assert not world.unit_b.active
    assert_event(
        only_event_after(seq),
        "unit.updated",
        actor=world.clerk,
        congress=world.congress,
        obj=world.unit_b,
        old={"active": True},
        new={"active": False},
    )
    actions.do_update_unit(world.unit_b, actor=world.clerk, changes={"active": True})
    world.unit_b.refresh_from_db()
    assert world.unit_b.active


def test_deactivating_a_unit_with_active_children_is_refused(world):
    with pytest.raises(FieldErrors) as exc:
        actions.do_update_unit(world.gov, actor=world.admin, changes={"active": False})
    assert exc.value.code == "has_active_children"
    assert exc.value.errors["active"] == ["请先停用其下级单位：甲区住房和城乡建设局、甲区教育局。"]
    world.gov.refresh_from_db()
    assert world.gov.active


def test_no_active_unit_below_an_inactive_parent(world):
    actions.do_update_unit(world.unit_b, actor=world.admin, changes={"active": False})
    with pytest.raises(FieldErrors) as exc:
        make_unit(world, "教育局下属中心", world.unit_b)
    assert "已停用" in exc.value.errors["parent"][0]
    inactive_child = make_unit(world, "教育局下属中心", world.unit_b, active=False)
    with pytest.raises(FieldErrors):
        actions.do_update_unit(inactive_child, actor=world.admin, changes={"active": True})


@pytest.mark.parametrize("who", NOT_ROSTER_MANAGERS)
def test_unit_actions_refused_for_other_roles(world, who):
    actor = getattr(world, who)
    seq = last_seq()
    with pytest.raises(NotPermitted):
        make_unit_as(world, actor)
    with pytest.raises(NotPermitted):
        actions.do_update_unit(world.unit_a, actor=actor, changes={"active": False})
    world.unit_a.refresh_from_db()
    assert world.unit_a.active
    assert events_after(seq) == []


def make_unit_as(world, actor):
    return actions.do_create_unit(
        world.congress, actor=actor, fields={"name": "新单位", "kind": DEPT, "parent": world.gov}
    )
