"""Policy and taxonomy actions: audited old → new, clear refusals, admins only."""

import datetime

import pytest

from minyi.congress import actions
from minyi.congress.actions import FieldErrors
from minyi.congress.models import Category, Channel, ExclusionReason, ResultClass, ThemeTag
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed

from .support import NOT_ADMINS, assert_event, events_after, last_seq, only_event_after

# --- policy ------------------------------------------------------------------------------------------


def test_policy_update_records_old_and_new(world):
    policy = world.congress.policy
    seq = last_seq()
    actions.do_update_policy(
        policy,
        actor=world.admin,
        changes={
            "review_days": 4,
            "reply_months": 2,
            "numbering_format": "甲〔{year}〕{seq}号",
            "quiet_hours_start": datetime.time(22, 0),
            "contact_required": True,
        },
    )
    policy.refresh_from_db()
    assert (policy.review_days, policy.reply_months) == (4, 2)
    assert_event(
        only_event_after(seq),
        "policy.updated",
        actor=world.admin,
        congress=world.congress,
        obj=policy,
        old={
            "review_days": 3,
            "reply_months": 1,
            "numbering_format": "{short}〔{year}〕第{seq}号",
            "quiet_hours_start": "21:00:00",
        },
        new={
            "review_days": 4,
            "reply_months": 2,
            "numbering_format": "甲〔{year}〕{seq}号",
            "quiet_hours_start": "22:00:00",
        },
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reply_months": 3, "reply_statutory_months": 2}, "reply_months", "不能超过法定答复时限"),
        ({"reply_max_months": 2}, "reply_max_months", "不能短于法定答复时限"),
        ({"numbering_format": "{short}〔{year}〕"}, "numbering_format", "必须包含年度序号 {seq}"),
        ({"numbering_format": "{short}{yr}-{seq}"}, "numbering_format", "未知的占位符：{yr}"),
        ({"numbering_format": "{short}{seq"}, "numbering_format", "花括号不成对"),
        ({"quiet_hours_end": datetime.time(21, 0)}, "quiet_hours_end", "不能相同"),
        ({"review_days": 0}, "review_days", ""),
        ({"reply_max_months": 7}, "reply_max_months", ""),
    ],
)
def test_bad_policy_values_are_refused_with_clear_messages(world, changes, field, message):
    policy = world.congress.policy
    seq = last_seq()
    with pytest.raises(FieldErrors) as exc:
        actions.do_update_policy(policy, actor=world.admin, changes=changes)
    assert message in " ".join(exc.value.errors[field])
    policy.refresh_from_db()
    assert (policy.reply_months, policy.review_days, policy.numbering_format) == (
        1,
        3,
        "{short}〔{year}〕第{seq}号",
    )
    assert events_after(seq) == []


def test_unknown_policy_field_is_refused(world):
    with pytest.raises(ValidationFailed):
        actions.do_update_policy(world.congress.policy, actor=world.admin, changes={"congress_id": 2})


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_policy_update_refused_for_everyone_but_the_admins(world, who):
    seq = last_seq()
    with pytest.raises(NotPermitted):
        actions.do_update_policy(world.congress.policy, actor=getattr(world, who), changes={"review_days": 9})
    world.congress.policy.refresh_from_db()
    assert world.congress.policy.review_days == 3
    assert events_after(seq) == []


# --- taxonomies --------------------------------------------------------------------------------------


def test_add_item_goes_to_the_end_and_is_audited(world, alpha):
    seq = last_seq()
    item = actions.do_add_taxonomy_item(
        world.congress, actor=world.admin, kind="channels", fields={"name": "代表走访", "grassroots": True}
    )
    assert isinstance(item, Channel) and item.order == 20
    event = only_event_after(seq)
    assert_event(
        event,
        "taxonomy.item_added",
        actor=world.admin,
        congress=world.congress,
        obj=item,
        new={"name": "代表走访", "order": 20, "active": True, "grassroots": True},
    )
    assert event.note == "channels"


@pytest.mark.parametrize(
    ("kind", "model", "fields"),
    [
        ("categories", Category, {"name": "教育"}),
        ("themes", ThemeTag, {"name": "居家养老"}),
        ("exclusions", ExclusionReason, {"name": "学术探讨"}),
        ("results", ResultClass, {"code": "B", "name": "正在解决或列入计划", "requires_commitments": True}),
    ],
)
def test_every_taxonomy_accepts_items(world, kind, model, fields):
    item = actions.do_add_taxonomy_item(world.congress, actor=world.admin, kind=kind, fields=fields)
    assert type(item) is model and item.congress == world.congress


def test_update_item_and_deactivate_it(world, alpha):
    seq = last_seq()
    actions.do_update_taxonomy_item(
        alpha.result, actor=world.admin, changes={"counts_as_resolved": True, "description": "已解决"}
    )
    assert_event(
        only_event_after(seq),
        "taxonomy.item_updated",
        actor=world.admin,
        congress=world.congress,
        obj=alpha.result,
        old={"counts_as_resolved": False, "description": ""},
        new={"counts_as_resolved": True, "description": "已解决"},
    )
    actions.do_update_taxonomy_item(alpha.category, actor=world.admin, changes={"active": False})
    alpha.category.refresh_from_db()
    assert not alpha.category.active and Category.objects.filter(pk=alpha.category.pk).exists()


def test_taxonomy_refusals(world, alpha, beta):
    with pytest.raises(FieldErrors) as exc:
        actions.do_add_taxonomy_item(
            world.congress, actor=world.admin, kind="categories", fields={"name": "甲城乡建设"}
        )
    assert exc.value.errors["name"] == ["已有名为“甲城乡建设”的条目。"]
    with pytest.raises(FieldErrors) as exc:
        actions.do_add_taxonomy_item(
            world.congress, actor=world.admin, kind="results", fields={"code": "A", "name": "x"}
        )
    assert exc.value.errors["code"] == ["代码“A”已被使用。"]
    with pytest.raises(FieldErrors) as exc:
        actions.do_add_taxonomy_item(
            world.congress, actor=world.admin, kind="categories", fields={"name": ""}
        )
    assert "name" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        actions.do_add_taxonomy_item(world.congress, actor=world.admin, kind="planets", fields={"name": "x"})
    assert exc.value.code == "unknown_taxonomy"
    with pytest.raises(ValidationFailed) as exc:
        actions.do_add_taxonomy_item(
            world.congress, actor=world.admin, kind="categories", fields={"grassroots": True}
        )
    assert exc.value.code == "unknown_field"
    # the same name is fine in another congress, but alpha's admin cannot touch beta's item
    assert actions.do_add_taxonomy_item(
        world.congress, actor=world.admin, kind="categories", fields={"name": "乙城乡建设"}
    )
    with pytest.raises(NotPermitted):
        actions.do_update_taxonomy_item(beta.category, actor=world.admin, changes={"active": False})


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_taxonomy_actions_refused_for_everyone_but_the_admins(world, alpha, who):
    actor = getattr(world, who)
    seq = last_seq()
    with pytest.raises(NotPermitted):
        actions.do_add_taxonomy_item(
            world.congress, actor=actor, kind="categories", fields={"name": "新分类"}
        )
    with pytest.raises(NotPermitted):
        actions.do_update_taxonomy_item(alpha.category, actor=actor, changes={"active": False})
    with pytest.raises(NotPermitted):
        actions.do_move_taxonomy_item(alpha.category, actor=actor, direction="down")
    assert events_after(seq) == []


def test_move_items_up_and_down(world, alpha):
    second = actions.do_add_taxonomy_item(
        world.congress, actor=world.admin, kind="categories", fields={"name": "教育"}
    )
    third = actions.do_add_taxonomy_item(
        world.congress, actor=world.admin, kind="categories", fields={"name": "卫生"}
    )
    seq = last_seq()
    actions.do_move_taxonomy_item(third, actor=world.admin, direction="up")
    names = list(
        Category.objects.filter(congress=world.congress).order_by("order").values_list("name", "order")
    )
    assert names == [("甲城乡建设", 10), ("卫生", 20), ("教育", 30)]
    assert_event(
        only_event_after(seq),
        "taxonomy.item_moved",
        actor=world.admin,
        congress=world.congress,
        obj=third,
        old={"sequence": [alpha.category.pk, second.pk, third.pk]},
        new={"sequence": [alpha.category.pk, third.pk, second.pk]},
    )
    with pytest.raises(InvalidTransition):
        actions.do_move_taxonomy_item(alpha.category, actor=world.admin, direction="up")
    with pytest.raises(InvalidTransition):
        actions.do_move_taxonomy_item(second, actor=world.admin, direction="down")
    with pytest.raises(ValidationFailed):
        actions.do_move_taxonomy_item(second, actor=world.admin, direction="sideways")
