"""The points actions move manual entries and objections only as their tables (`points/states.py`)
allow: from every state, every review step and every decision outside the table is refused by the
action with the old words and codes, and writes nothing; the moves in the table go through."""

from __future__ import annotations

import pytest
from django.utils import translation

from minyi.audit.models import AuditEvent
from minyi.core.errors import InvalidTransition
from minyi.points import actions as P
from minyi.points.models import LedgerEntry, ManualEntry, Objection
from minyi.points.states import MANUAL_ENTRY, OBJECTION, check_action, decide_action, review_action

from .test_manual_and_objections import _entry, submit

LABEL = {s.value: str(s.label) for s in ManualEntry.State}


def _force(model, pk: int, **values) -> None:
    model.objects.filter(pk=pk).update(**values)


@pytest.mark.parametrize("state", [s.value for s in ManualEntry.State])
@pytest.mark.parametrize("step", ["check", "review"])
@pytest.mark.parametrize("approve", [True, False])
def test_manual_entry_steps_from_every_state(world, kit, state, step, approve):
    w = world
    entry = submit(kit, w)
    if state != "submitted":  # as the review left it (the table's own moves are tested elsewhere)
        _force(ManualEntry, entry.pk, state=state, checked_by=kit.clerk, checked_at=entry.submitted_at)
    action = check_action(approve) if step == "check" else review_action(approve)
    run = P.do_check_manual_entry if step == "check" else P.do_review_manual_entry
    actor = kit.clerk if step == "check" else w.clerk
    rows = AuditEvent.objects.count()
    with translation.override("zh-hans"):
        if MANUAL_ENTRY.transition_for(state, action) is None:
            with pytest.raises(InvalidTransition) as info:
                run(entry, actor=actor, approve=approve, note="理由")
            word, code = ("初审", "not_submitted") if step == "check" else ("复核", "not_checked")
            assert info.value.detail == f"该登记当前为“{LABEL[state]}”，不能{word}。"
            assert info.value.code == code
            assert AuditEvent.objects.count() == rows
            entry.refresh_from_db()
            assert entry.state == state
        else:
            run(entry, actor=actor, approve=approve, note="理由")
            entry.refresh_from_db()
            assert entry.state == MANUAL_ENTRY.transition_for(state, action).target


@pytest.mark.parametrize("state", [s.value for s in Objection.State])
@pytest.mark.parametrize("accept", [True, False])
def test_objection_decisions_from_every_state(world, kit, state, accept):
    w = world
    ledger_entry = _entry(w, kit)
    objection = P.do_raise_objection(ledger_entry, actor=w.deputy, reason="活动日期记错了")
    assert objection.state == "pending"
    if state != "pending":
        _force(Objection, objection.pk, state=state, corrected_points=1)
    rows = AuditEvent.objects.count()
    with translation.override("zh-hans"):
        if OBJECTION.transition_for(state, decide_action(accept)) is None:
            with pytest.raises(InvalidTransition) as info:
                P.do_decide_objection(
                    objection, actor=w.clerk, accept=accept, reason="核实", corrected_points=0
                )
            assert (info.value.detail, info.value.code) == ("该异议已处理。", "already_decided")
            assert AuditEvent.objects.count() == rows
            objection.refresh_from_db()
            assert objection.state == state
        else:
            P.do_decide_objection(objection, actor=w.clerk, accept=accept, reason="核实", corrected_points=0)
            objection.refresh_from_db()
            assert objection.state == ("corrected" if accept else "rejected")
            assert LedgerEntry.objects.exists()
