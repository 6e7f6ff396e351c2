"""The action kit (minyi/core/kit.py): each check refuses and passes, the audit helper writes one row
with the call's correlation id, and the role groups are defined once (issue #11)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from minyi.accounts import models as account_models
from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.congress.models import Unit
from minyi.core import kit
from minyi.core.errors import FieldErrors, NotPermitted, ValidationFailed
from tests.factories import BodyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_authorize_passes_for_a_holder_of_the_permission(world):
    kit.authorize(world.admin, "congress.manage_policy", world.congress)
    kit.authorize(
        kit.Ctx(actor=world.admin, congress=world.congress), "congress.manage_policy", world.congress
    )


def test_authorize_refuses_without_the_permission_with_the_given_or_default_message(world):
    with pytest.raises(NotPermitted) as e:
        kit.authorize(world.clerk, "congress.manage_policy", world.congress, "只有人大管理员可以修改。")
    assert e.value.detail == "只有人大管理员可以修改。" and e.value.code == "not_permitted"
    with pytest.raises(NotPermitted) as e:
        kit.authorize(world.outsider, "congress.manage_policy", world.congress)
    assert e.value.detail == "您没有权限执行此操作。"


def test_authorize_refuses_the_system_unless_allowed(world):
    with pytest.raises(NotPermitted):
        kit.authorize(None, "congress.manage_policy", world.congress)
    with pytest.raises(NotPermitted):
        kit.authorize(kit.Ctx(actor=None, congress=world.congress), "congress.manage_policy", world.congress)
    kit.authorize(None, "congress.manage_policy", world.congress, system=True)


def test_authorize_gives_a_superuser_nothing_for_free(world):
    world.viewer.is_superuser = True
    world.viewer.save()
    with pytest.raises(NotPermitted):
        kit.authorize(world.viewer, "congress.manage_policy", world.congress)


def test_same_congress_passes_own_rows_and_none(world):
    kit.same_congress(world.congress, world.unit_a, "单位")
    kit.same_congress(kit.Ctx(actor=None, congress=world.congress), None, "单位")


def test_same_congress_refuses_another_congress_row(world):
    other = BodyFactory(congress=world.other_congress, body_code=Unit.BodyCode.GOVERNMENT)
    with pytest.raises(ValidationFailed) as e:
        kit.same_congress(world.congress, other, "单位")
    assert (e.value.code, e.value.detail) == ("wrong_congress", "所选单位不属于本人大。")
    with pytest.raises(FieldErrors) as fe:
        kit.same_congress(world.congress, other, "单位", field="unit")
    assert fe.value.errors == {"unit": ["所选单位不属于本人大。"]} and fe.value.code == "wrong_congress"
    with pytest.raises(ValidationFailed) as e:
        kit.same_congress(world.congress, other, "单位", message="%(what)s不属于本人大。")
    assert e.value.detail == "单位不属于本人大。"


def test_same_congress_refuses_none_when_required(world):
    with pytest.raises(ValidationFailed) as e:
        kit.same_congress(world.congress, None, "代表", required=True)
    assert e.value.code == "wrong_congress"


def test_clean_text_strips_and_passes():
    assert kit.clean_text("  意见  ", "请填写。") == "意见"
    assert kit.clean_text(None, "请填写。", required=False) == ""
    assert kit.clean_text("一二三", "请填写。", limit=3) == "一二三"


def test_clean_text_refuses_blank():
    with pytest.raises(ValidationFailed) as e:
        kit.clean_text("   ", "请填写理由。", code="reason_required")
    assert (e.value.code, e.value.detail) == ("reason_required", "请填写理由。")
    with pytest.raises(FieldErrors) as fe:
        kit.clean_text("", "请填写理由。", field="reason")
    assert fe.value.errors == {"reason": ["请填写理由。"]} and fe.value.code == "required"


def test_clean_text_refuses_too_long_with_default_or_given_message():
    with pytest.raises(ValidationFailed) as e:
        kit.clean_text("一二三四", "请填写。", limit=3)
    assert (e.value.code, e.value.detail) == ("too_long", "不能超过3个字。")
    with pytest.raises(ValidationFailed) as e:
        kit.clean_text(
            "一二三四", "请填写。", limit=3, too_long="内容不能超过%(n)s个字。", too_long_code="note_too_long"
        )
    assert (e.value.code, e.value.detail) == ("note_too_long", "内容不能超过3个字。")


def test_record_writes_one_row_with_the_call_context(world):
    ctx = kit.Ctx(actor=world.admin, congress=world.congress)
    before = AuditEvent.objects.count()
    with transaction.atomic():
        event = kit.record(ctx, "unit.updated", world.unit_a, note="测试")
        kit.record(ctx, "unit.updated", world.unit_b)
    assert AuditEvent.objects.count() == before + 2
    event.refresh_from_db()
    assert (event.actor, event.congress, event.correlation_id, event.note) == (
        world.admin,
        world.congress,
        ctx.correlation_id,
        "测试",
    )
    assert AuditEvent.objects.filter(correlation_id=ctx.correlation_id).count() == 2


def test_ctx_loads_policy_and_calendar_once(world, django_assert_num_queries):
    ctx = kit.ctx_for(world.admin, world.congress)
    assert ctx.policy.congress_id == world.congress.pk
    with django_assert_num_queries(0):
        assert ctx.policy is ctx.policy
    assert ctx.calendar is ctx.calendar


def test_roles_of_is_the_memberships_in_that_congress(world):
    assert kit.roles_of(world.inspector, world.congress) == {Role.INSPECTOR}
    assert kit.roles_of(world.inspector, world.other_congress) == set()
    assert kit.roles_of(world.inspector, None) == set()
    world.inspector.is_active = False
    assert kit.roles_of(world.inspector, world.congress) == set()


def test_every_app_uses_the_one_roles_of():
    from minyi.awards import rules as awards
    from minyi.intake import rules as intake
    from minyi.notifications import rules as notifications
    from minyi.points import rules as points
    from minyi.suggestions import rules as suggestions
    from minyi.supervision import rules as supervision

    for module in (awards, intake, notifications, points, suggestions, supervision):
        assert module.roles_of is kit.roles_of, module.__name__


def test_role_groups_are_the_shared_ones():
    from minyi.intake import rules as intake
    from minyi.notifications import rules as notifications
    from minyi.suggestions import states
    from minyi.supervision import rules as supervision

    assert supervision.WHOLE_BOARD_ROLES is account_models.SUPERVISING_ROLES
    assert notifications.URGE_ROLES is account_models.SUPERVISING_ROLES
    assert states.STAFF is account_models.STAFF_ROLES
    assert intake.UNIT_ROLES is account_models.UNIT_ROLES
    assert account_models.UNIT_WORK_ROLES | {Role.COORDINATOR} == account_models.UNIT_ROLES
