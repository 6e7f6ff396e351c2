"""A leader's instruction (批示) reaches the units handling the suggestion now (issue #12): every
member of the current round's units, once; not a unit whose assignment was cancelled, not another
unit, not another congress."""

from __future__ import annotations

import datetime

import pytest

from minyi.accounts.models import Role
from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan
from minyi.suggestions import actions as A
from minyi.supervision import actions as SA
from tests.factories import MembershipFactory, UserFactory

from .conftest import on

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 10, 13)  # a working Tuesday


def scan_new() -> list[tuple[str, str]]:
    before = set(Notice.objects.values_list("pk", flat=True))
    run_scan(enqueue=False)
    return sorted(Notice.objects.exclude(pk__in=before).values_list("recipient__username", "title"))


def instruct(s, actor, text="请抓紧解决。"):
    return SA.do_record_instruction(
        s,
        actor=actor,
        leader_name="李某某",
        instructed_on=DAY,
        text=text,
        due_on=DAY + datetime.timedelta(days=20),
    )


def test_the_units_handling_the_suggestion_are_told_of_a_leaders_instruction_once(loop, beta_handler):
    w = loop.w
    beta = beta_handler
    with on(DAY):
        s = loop.drive.to("assigned", co=True)  # unit A leads, unit B co-handles
        other = loop.drive.to("assigned")  # unit A only: not instructed
        run_scan(enqueue=False)
        instruct(s, w.inspector, text="请区住建局抓紧解决，督查考核室跟踪督办。")
        title = f"领导批示：{s.title}"
        assert scan_new() == [
            ("handler_a", title),
            ("handler_b", title),
            ("leader_a", title),
            ("leader_b", title),
        ]
        assert scan_new() == []  # exactly once
        body = Notice.objects.filter(recipient=w.handler_a, title=title).get().body
        assert "李某某" in body and "请区住建局抓紧解决" in body
        assert not Notice.objects.filter(recipient=beta).exists()
        assert not Notice.objects.filter(suggestion=other, title__startswith="领导批示").exists()


def test_a_relieved_unit_is_not_told(loop):
    w = loop.w
    with on(DAY):
        s = loop.drive.to("assigned")
        lead = s.assignments.get(unit=w.unit_a)
        A.do_sign_assignment(lead, actor=w.handler_a)
        A.do_request_reassignment(lead, actor=w.handler_a, reason="不属于本单位职责")
        A.do_approve_reassignment(lead, actor=w.coordinator)
        A.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_b])
        run_scan(enqueue=False)
        instruct(s, w.clerk)
        assert [who for who, _t in scan_new()] == ["handler_b", "leader_b"]


def test_the_inspectors_worklist_holds_the_open_instructions(loop):
    from minyi.core.work import work_summary

    w = loop.w
    beta_inspector = UserFactory(username="beta_inspector")
    MembershipFactory(user=beta_inspector, congress=w.other_congress, role=Role.INSPECTOR)
    with on(DAY):
        s = loop.drive.to("assigned")
        instruction = instruct(s, w.inspector)
        summary = work_summary(w.inspector, w.congress)
        assert summary.count_of("instructions") == 1
        section = next(x for x in summary.sections if x.key == "instructions")
        assert section.due_on == DAY + datetime.timedelta(days=20)
        for other in (w.clerk, w.supervisor, w.handler_a):
            assert work_summary(other, w.congress).count_of("instructions") == 0
        assert work_summary(beta_inspector, w.other_congress).count_of("instructions") == 0
        SA.do_conclude_instruction(instruction, actor=w.inspector, conclusion="已落实。")
        assert work_summary(w.inspector, w.congress).count_of("instructions") == 0
