"""The transition-table engine (`minyi.core.states`): a machine's lookups, its refusals (texts and
codes as each app chose them), the role and SYSTEM checks, `apply`, and every app's machine
registered with it — and for the tables that points and the re-assignment requests got with the
engine, every (state, action) pair outside the table is refused with that machine's words."""

from __future__ import annotations

import datetime

import pytest
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import Role
from minyi.core import states as engine
from minyi.core.errors import InvalidTransition, NotPermitted
from minyi.core.states import INITIAL, SYSTEM, Refusal


class Lamp(models.TextChoices):
    OFF = "off", _("草稿")
    ON = "on", _("已公布")


LABELS = {"switch_on": _("公布结果"), "switch_off": _("撤回建议"), "check": _("测评")}


@pytest.fixture(scope="module")
def lamp():
    return engine.define(
        "test_lamp",
        Lamp,
        [
            (INITIAL, "switch_on", Lamp.ON, {Role.CONGRESS_ADMIN}),
            (Lamp.OFF, "switch_on", Lamp.ON, {Role.CONGRESS_ADMIN, SYSTEM}),
            (Lamp.ON, "switch_off", Lamp.OFF, {Role.CONGRESS_CLERK}),
        ],
        labels=LABELS,
        confirms={"switch_on": "sure?"},
        styles={"switch_off": "outline-danger"},
        noun=_("该建议"),
        refusals={"switch_off": Refusal(_("该异议已处理。"), code="already_decided")},
    )


def test_lookups(lamp):
    assert engine.machine("test_lamp") is lamp
    assert engine.transition_for("test_lamp", "off", "switch_on").target == "on"
    assert lamp.transition_for("on", "switch_on") is None
    t = lamp.transition_for("off", "switch_on")
    assert (t.machine, t.label, t.confirm, t.style) == (
        "test_lamp",
        LABELS["switch_on"],
        "sure?",
        "outline-primary",
    )
    assert lamp.transition_for("on", "switch_off").style == "outline-danger"
    assert [t.action for t in lamp.actions_from("off")] == ["switch_on"]
    assert lamp.roles_for_action("switch_on") == {Role.CONGRESS_ADMIN, SYSTEM}
    assert lamp.terminal_states() == frozenset()
    # buttons: only the moves one of the roles may make
    assert [t.action for t in engine.allowed_actions(lamp, "on", {Role.CONGRESS_CLERK})] == ["switch_off"]
    assert engine.allowed_actions(lamp, "on", {Role.CONGRESS_ADMIN}) == []
    assert [t.action for t in lamp.allowed_actions("off", {SYSTEM})] == ["switch_on"]
    with translation.override("zh-hans"):
        assert lamp.state_label(INITIAL) == "（新建）"
        assert lamp.mermaid().splitlines()[:3] == [
            "stateDiagram-v2",
            "    %% machine: test_lamp",
            '    state "草稿 off" as off',
        ]
        assert "    off --> on : switch_on (congress_admin, system)" in lamp.mermaid()


def test_define_refuses_a_bad_table():
    with pytest.raises(AssertionError):
        engine.define("bad", Lamp, [("lit", "switch_on", Lamp.ON, set())], labels=LABELS)
    with pytest.raises(AssertionError):
        engine.define("bad", Lamp, [(Lamp.OFF, "unknown", Lamp.ON, set())], labels=LABELS)
    with pytest.raises(AssertionError):
        engine.define(
            "bad",
            Lamp,
            [(Lamp.OFF, "switch_on", Lamp.ON, set()), (Lamp.OFF, "switch_on", Lamp.OFF, set())],
            labels=LABELS,
        )


def test_refusal_texts_and_codes(lamp):
    with translation.override("zh-hans"):
        with pytest.raises(InvalidTransition) as info:
            lamp.require_move("on", "switch_on")
        assert (info.value.code, info.value.detail) == (
            "invalid_transition",
            "该建议当前状态为“已公布”，不能公布结果。",
        )
        with pytest.raises(InvalidTransition) as info:
            lamp.require_move("off", "switch_off")  # a per-action refusal
        assert (info.value.code, info.value.detail) == ("already_decided", "该异议已处理。")
    with translation.override("en"):
        with pytest.raises(InvalidTransition) as info:
            lamp.require_move("on", "switch_on")
        assert info.value.detail.startswith("This suggestion is currently “Published”")


def test_the_system_makes_only_its_own_moves(lamp):
    assert lamp.check_move("off", "switch_on", actor=None, congress=None).target == "on"
    with translation.override("zh-hans"), pytest.raises(NotPermitted) as info:
        lamp.check_move("on", "switch_off", actor=None, congress=None)
    assert (info.value.code, info.value.detail) == ("not_permitted", "此操作须由有权限的人员执行。")


def test_role_check_and_apply(lamp, world):
    with translation.override("zh-hans"):
        assert lamp.check_move("on", "switch_off", actor=world.clerk, congress=world.congress).target == "off"
        with pytest.raises(NotPermitted) as info:
            lamp.check_move("on", "switch_off", actor=world.admin, congress=world.congress)
        assert info.value.detail == "该建议当前状态为“已公布”，您的角色不能撤回建议。"
        with pytest.raises(NotPermitted):  # roles count in the record's congress only
            lamp.check_move("on", "switch_off", actor=world.clerk, congress=world.other_congress)
        with pytest.raises(InvalidTransition):  # the state is checked before the role
            lamp.check_move("off", "switch_off", actor=world.admin, congress=world.congress)

    class Row:
        state = "off"
        state_changed_at = None

    row, now = Row(), datetime.datetime(2026, 3, 17, 10, 0, tzinfo=datetime.UTC)
    move = lamp.transition_for("off", "switch_on")
    assert engine.apply(row, move, now) == ["state", "state_changed_at"]
    assert (row.state, row.state_changed_at) == ("on", now)


def test_every_app_declares_its_machines_with_the_engine():
    import minyi.awards.states
    import minyi.intake.states
    import minyi.points.states
    import minyi.suggestions.states  # noqa: F401

    expected = {
        "suggestion",
        "assignment",
        "cosigner",
        "withdrawal",
        "extension",
        "contact",
        "commitment",
        "reassign_request",
        "opinion",
        "award_round",
        "manual_entry",
        "objection",
    }
    assert expected <= set(engine.machines())
    for name in expected:
        m = engine.machine(name)
        for (source, action), t in m.transitions.items():
            assert (t.machine, t.source, t.action) == (name, source, action)


# --- the new tables: every move outside the table is refused with the machine's words ---------------


def _new_machines():
    from minyi.points.states import MANUAL_ENTRY, OBJECTION
    from minyi.suggestions.states import MACHINE

    return [MANUAL_ENTRY, OBJECTION, MACHINE["reassign_request"]]


EXPECTED_REFUSAL = {
    # machine → action → (Chinese text for a state label, code)
    "manual_entry": {
        "pass_check": ("该登记当前为“{}”，不能初审。", "not_submitted"),
        "fail_check": ("该登记当前为“{}”，不能初审。", "not_submitted"),
        "pass_review": ("该登记当前为“{}”，不能复核。", "not_checked"),
        "fail_review": ("该登记当前为“{}”，不能复核。", "not_checked"),
        "submit": ("该登记当前为“{}”，不能初审。", "not_submitted"),
    },
    "objection": {
        "raise_objection": ("该异议已处理。", "already_decided"),
        "keep_entry": ("该异议已处理。", "already_decided"),
        "correct_entry": ("该异议已处理。", "already_decided"),
    },
    "reassign_request": {
        "request_reassignment": ("该调整申请当前状态为“{}”，不能申请调整。", "invalid_transition"),
        "approve_reassignment": ("该调整申请当前状态为“{}”，不能同意调整。", "invalid_transition"),
        "refuse_reassignment": ("该调整申请当前状态为“{}”，不能不同意调整。", "invalid_transition"),
    },
}


@pytest.mark.parametrize("index", range(3))
def test_every_pair_outside_the_new_tables_is_refused(index):
    m = _new_machines()[index]
    actions = {a for (_s, a) in m.transitions}
    assert set(EXPECTED_REFUSAL[m.name]) == actions
    allowed = 0
    with translation.override("zh-hans"):
        for state in [INITIAL, *m.states.values]:
            for action in sorted(actions):
                if m.transition_for(state, action) is not None:
                    allowed += 1
                    assert m.require_move(state, action).target in m.states.values
                    continue
                text, code = EXPECTED_REFUSAL[m.name][action]
                with pytest.raises(InvalidTransition) as info:
                    m.require_move(state, action)
                assert (info.value.detail, info.value.code) == (text.format(m.state_label(state)), code)
                with pytest.raises(InvalidTransition):
                    m.check_move(state, action, actor=None, congress=None)
    assert allowed == len(m.transitions)
