"""A task-force inspection that requires action reaches the inspected unit (issue #12): its staff
are told once (not the coordinator, not the other unit, not another congress) and the inspection
joins their 待办 until the unit answers; an inspection with nothing to put right tells nobody."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from minyi.core.work import sections, work_summary
from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan
from minyi.supervision import actions as SA

from .conftest import lead_assignment, on
from .test_actions import inspect as _inspect

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 10, 13)  # a working Tuesday
DUE = datetime.date(2026, 10, 20)


def scan_new() -> list[tuple[str, str]]:
    before = set(Notice.objects.values_list("pk", flat=True))
    run_scan(enqueue=False)
    return sorted(Notice.objects.exclude(pk__in=before).values_list("recipient__username", "title"))


def inspect(member, assignment, **overrides):
    """`test_actions.inspect` (a surprise check that requires action) on this file's day."""
    return _inspect(member, assignment, **{"inspected_on": DAY, "due_on": DUE, **overrides})


def test_the_inspected_unit_is_told_what_to_put_right_once(loop, task_force, beta_handler):
    w = loop.w
    beta = beta_handler
    with on(DAY):
        s = loop.drive.to("assigned", co=True)  # unit A leads, unit B co-handles
        run_scan(enqueue=False)
        inspection = inspect(task_force, lead_assignment(s))
        title = f"督导检查整改要求：{s.title}"
        assert scan_new() == [("handler_a", title), ("leader_a", title)]
        assert scan_new() == []  # exactly once
        notice = Notice.objects.get(recipient=w.handler_a, title=title)
        assert "三个工作日内联系代表并报告" in notice.body and "2026-10-20" in notice.body
        assert notice.url == reverse("supervision:inspection_detail", args=[w.congress.code, inspection.pk])
        assert not Notice.objects.filter(
            recipient__in=[beta, w.coordinator, task_force], title=title
        ).exists()


def test_an_inspection_with_nothing_to_put_right_tells_nobody(loop, task_force):
    with on(DAY):
        s = loop.drive.to("assigned")
        run_scan(enqueue=False)
        inspect(
            task_force, lead_assignment(s), contacted="yes", solved="yes", required_action="", due_on=None
        )
        assert scan_new() == []


def test_the_unit_has_the_inspection_in_its_worklist_until_it_answers(loop, task_force):
    w = loop.w
    with on(DAY):
        s = loop.drive.to("assigned", co=True)
        inspection = inspect(task_force, lead_assignment(s))
        inspect(task_force, lead_assignment(s), required_action="", due_on=None)  # nothing to answer
        for user in (w.handler_a, w.leader_a):
            summary = work_summary(user, w.congress)
            assert summary.count_of("inspections_to_answer") == 1
            assert next(x for x in summary.sections if x.key == "inspections_to_answer").due_on == DUE
        for other in (w.handler_b, w.coordinator, w.clerk, task_force):
            assert work_summary(other, w.congress).count_of("inspections_to_answer") == 0
        # the 待办 page lists it with its link, on a phone as on a desktop
        client = Client()
        client.force_login(w.handler_a)
        page = client.get(reverse("suggestions:worklist", args=[w.congress.code])).content.decode()
        assert reverse("supervision:inspection_detail", args=[w.congress.code, inspection.pk]) in page
        assert "督导检查待反馈整改" in page
        SA.do_answer_inspection(inspection, actor=w.handler_a, answer="10月14日已上门联系代表。")
        assert work_summary(w.handler_a, w.congress).count_of("inspections_to_answer") == 0
        assert [x.key for x in sections(w.handler_a, w.congress)].count("inspections_to_answer") == 1
