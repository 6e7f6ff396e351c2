"""Points in the 待办 and the notices (issue #12): a pending objection is in the staff's 待办 (of its
congress only), the deputy is told the decision exactly once, and a deputy with a monthly
expectation sees it in their 待办 until it is met, due at the month's end. The clock is pinned by
the autouse `pinned_clock` of conftest.py (20 November 2026)."""

from __future__ import annotations

import datetime

import pytest

from minyi.core.work import work_summary
from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan
from minyi.points import actions as P

from .conftest import TODAY, deputy
from .test_manual_and_objections import _entry

pytestmark = pytest.mark.django_db


def scan_new() -> list[tuple[str, str]]:
    before = set(Notice.objects.values_list("pk", flat=True))
    run_scan(enqueue=False)
    return sorted(Notice.objects.exclude(pk__in=before).values_list("recipient__username", "title"))


def test_a_pending_objection_is_staff_work_and_the_deputy_hears_the_decision_once(world, kit):
    w = world
    entry = _entry(w, kit)
    run_scan(enqueue=False)  # the cursor starts here
    objection = P.do_raise_objection(entry, actor=w.deputy, reason="应按视察调研计分")
    for staff in (w.clerk, w.admin, kit.clerk2):
        assert work_summary(staff, w.congress).count_of("objections") == 1
    for other in (w.deputy, w.supervisor, kit.clerk, w.handler_a):
        assert work_summary(other, w.congress).count_of("objections") == 0
    assert work_summary(w.outsider, w.other_congress).count_of("objections") == 0
    assert scan_new() == []  # raising it tells nobody: it is in the staff's 待办
    P.do_decide_objection(objection, actor=w.clerk, accept=True, reason="按视察调研计分", corrected_points=3)
    assert scan_new() == [("deputy", "积分异议处理结果：已更正")]
    assert scan_new() == []  # exactly once
    notice = Notice.objects.get(recipient=w.deputy)
    assert "按视察调研计分" in notice.body
    assert notice.url.endswith(f"/c/{w.congress.code}/points/objections/{objection.pk}/")
    assert work_summary(w.clerk, w.congress).count_of("objections") == 0


def test_a_rejected_objection_says_so(world, kit):
    w = world
    entry = _entry(w, kit)
    run_scan(enqueue=False)
    objection = P.do_raise_objection(entry, actor=w.deputy, reason="不对")
    P.do_decide_objection(objection, actor=w.admin, accept=False, reason="记录无误")
    assert scan_new() == [("deputy", "积分异议处理结果：维持原记录")]


def test_a_monthly_expectation_is_work_until_met(client, world, loop):
    w = world
    P.do_set_expectation(
        w.congress, actor=w.admin, deputy=deputy(w.deputy), per_month=1, start_month=TODAY.replace(day=1)
    )
    summary = work_summary(w.deputy, w.congress)
    assert summary.count_of("monthly_expectation") == 1
    section = next(s for s in summary.sections if s.key == "monthly_expectation")
    assert section.due_on == datetime.date(2026, 11, 30)
    assert work_summary(w.cosigner, w.congress).count_of("monthly_expectation") == 0
    loop.drive.to("accepted")  # led by world.deputy, submitted and accepted this month
    summary = work_summary(w.deputy, w.congress)
    assert summary.count_of("monthly_expectation") == 0
    # met: still shown, for information (not counted as work)
    assert summary.count_of("monthly_expectation_met") == 1
    assert [s.key for s in summary.info] == ["progress", "monthly_expectation_met"]
    assert summary.total == sum(s.count for s in summary.open)
    client.force_login(w.deputy)
    page = client.get(f"/c/{w.congress.code}/suggestions/todo/").content.decode()
    assert "本月建议：要求 1 件，已立案 1 件" in page and "已达到" in page
    home = client.get(f"/c/{w.congress.code}/").content.decode()
    assert 'data-home-info="monthly_expectation_met"' in home


def test_manual_entries_to_review_are_the_reviewers_work_only(world, kit):
    from .test_manual_and_objections import submit

    w = world
    entry = submit(kit, w)
    # 初审: the group's liaison clerk and the congress clerks; not a clerk of another station
    assert work_summary(kit.clerk, w.congress).count_of("manual_reviews") == 1
    assert work_summary(w.clerk, w.congress).count_of("manual_reviews") == 1
    assert work_summary(w.liaison, w.congress).count_of("manual_reviews") == 0
    assert work_summary(w.deputy, w.congress).count_of("manual_reviews") == 0
    assert work_summary(w.outsider, w.other_congress).count_of("manual_reviews") == 0
    P.do_check_manual_entry(entry, actor=kit.clerk, approve=True)
    # 复核: a congress clerk other than the one who checked it
    assert work_summary(kit.clerk, w.congress).count_of("manual_reviews") == 0
    assert work_summary(kit.clerk2, w.congress).count_of("manual_reviews") == 1
