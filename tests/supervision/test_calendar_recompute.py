"""Issue #10: a year's completeness is explicit, dates in an incomplete year are provisional, and
completing or editing the calendar (national, or a congress's local closures) moves open deadlines
only through an audited, previewed recomputation whose people are told once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.congress.actions import ensure_policy
from minyi.core.errors import NotPermitted, ValidationFailed
from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan
from minyi.suggestions import actions as A
from minyi.suggestions.models import Deadline
from minyi.supervision import actions as SA
from minyi.supervision.selectors import calendar_recompute_preview
from minyi.supervision.warnings import deadline_status
from minyi.workdays.actions import (
    do_add_local_closure,
    do_mark_year_complete,
    do_remove_local_closure,
    do_set_special_day,
)
from minyi.workdays.models import CalendarYear
from minyi.workdays.services import calendar_warnings, get_calendar
from tests.audit.support import domain_event_count
from tests.factories import UserFactory
from tests.suggestions.conftest import refused

from .conftest import D, at, deadline, lead_assignment, on

pytestmark = pytest.mark.django_db
K = Deadline.Kind
NOTICE = "国办发明电〔2026〕99号（测试）"


@pytest.fixture
def root(db):
    return UserFactory(username="platform_root", is_superuser=True, is_staff=True)


@pytest.fixture
def december(loop):
    """Three suggestions assigned to unit A on Tuesday 1 December 2026: the local reply target is
    1 January 2027 (a Friday: a working day while 2027 has no calendar), the statutory one 1 March."""
    with on(D(2026, 12, 1)):
        return [loop.drive.to("assigned") for _ in range(3)]


def _enter_2027(root):
    """Test data for 2027 (not the official arrangement): New Year and a Spring Festival week."""
    with on(D(2026, 12, 5)):
        do_set_special_day(D(2027, 1, 1), actor=root, kind="holiday", name="元旦")
        for day in range(8, 13):
            do_set_special_day(D(2027, 2, day), actor=root, kind="holiday", name="春节")


def test_a_single_entered_day_does_not_make_a_year_known(loop, december, root):
    reply = deadline(december[0], K.REPLY)
    policy = ensure_policy(loop.w.congress)
    with on(D(2026, 12, 5)):
        do_set_special_day(D(2027, 1, 1), actor=root, kind="holiday", name="元旦")
    cal = get_calendar()
    # Still warned about, still provisional: one day is not the year.
    warnings = calendar_warnings(D(2026, 12, 5), calendar=cal)
    assert [w.level for w in warnings] == ["warning"] and "2027" in warnings[0]
    assert "尚未确认完整" in warnings[0]
    status = deadline_status(reply, today=D(2026, 12, 5), calendar=cal, policy=policy)
    assert status.provisional and status.missing_years == (2027,)
    assert not deadline_status(
        deadline(december[0], K.FIRST_CONTACT), today=D(2026, 12, 5), calendar=cal, policy=policy
    ).provisional

    with on(D(2026, 12, 6)):
        year = do_mark_year_complete(2027, actor=root, notice=f"  {NOTICE} ")
    assert (year.complete, year.source_notice, year.completed_by, year.version) == (True, NOTICE, root, 2)
    cal = get_calendar()
    assert calendar_warnings(D(2026, 12, 6), calendar=cal) == []
    assert not deadline_status(reply, today=D(2026, 12, 6), calendar=cal, policy=policy).provisional
    event = AuditEvent.objects.get(code="calendar.year_completed")
    assert event.actor == root and event.congress_id is None
    assert event.new == {"complete": True, "source_notice": NOTICE, "version": 2}


def test_marking_a_year_complete_is_for_platform_admins_and_checked(loop, root):
    w = loop.w
    for actor in (w.admin, w.outsider, w.clerk):
        with refused(NotPermitted):
            do_mark_year_complete(2027, actor=actor, notice=NOTICE)
    with refused(ValidationFailed, code="nothing_entered"):
        do_mark_year_complete(2027, actor=root, notice=NOTICE)
    _enter_2027(root)
    with refused(ValidationFailed, code="notice_required"):
        do_mark_year_complete(2027, actor=root, notice="  ")
    do_mark_year_complete(2027, actor=root, notice=NOTICE)
    with refused(ValidationFailed, code="already_complete"):
        do_mark_year_complete(2027, actor=root, notice="另一个通知")
    assert CalendarYear.objects.get(year=2027).source_notice == NOTICE


def test_completing_a_year_recomputes_open_deadlines_with_preview_audit_and_notices(loop, december, root):
    w = loop.w
    moved, extended, closed = december
    a2 = lead_assignment(extended)
    with on(D(2026, 12, 2)):
        A.do_sign_assignment(a2, actor=w.handler_a)
        request = A.do_request_extension(a2, actor=w.handler_a, reason="需要协调资金", until=D(2027, 2, 10))
        A.do_approve_extension(request, actor=w.clerk)
    Deadline.objects.filter(suggestion=closed, kind=K.REPLY).update(
        closed_at=at(D(2026, 12, 3)), close_reason=Deadline.CloseReason.CANCELLED
    )
    statutory = deadline(moved, K.REPLY_STATUTORY)
    assert deadline(moved, K.REPLY).due_on == D(2027, 1, 1)
    assert deadline(extended, K.REPLY).due_on == D(2027, 2, 10)
    _enter_2027(root)
    with on(D(2026, 12, 6)):
        do_mark_year_complete(2027, actor=root, notice=NOTICE)
        run_scan(now=timezone.now())  # everything before the recomputation is told already
    before = domain_event_count()
    notices_before = set(Notice.objects.values_list("pk", flat=True))

    preview = calendar_recompute_preview([2027])
    got = {
        (c.deadline.suggestion_id, c.deadline.kind): (c.old_due, c.new_due, c.extension)
        for c in preview.changes
    }
    assert got == {
        (moved.pk, K.REPLY): (D(2027, 1, 1), D(2027, 1, 4), False),  # New Year: next working day
        (extended.pk, K.REPLY): (D(2027, 2, 10), D(2027, 2, 15), True),  # the approved date rolls on
    }
    with on(D(2026, 12, 6)):
        for actor in (w.admin, w.clerk):
            with refused(NotPermitted):
                SA.do_recompute_deadlines(actor=actor, years=[2027], reason="x", expected=preview.token)
        with refused(ValidationFailed, code="preview_outdated"):
            SA.do_recompute_deadlines(actor=root, years=[2027], reason="新年安排", expected="stale")
        with refused(ValidationFailed, code="reason_required"):
            SA.do_recompute_deadlines(actor=root, years=[2027], reason=" ", expected=preview.token)
        result = SA.do_recompute_deadlines(
            actor=root, years=[2027], reason="国务院公布了2027年放假安排", expected=preview.token
        )
    assert len(result.changed) == 2
    reply = deadline(moved, K.REPLY)
    assert reply.due_on == D(2027, 1, 4) and lead_assignment(moved).reply_due_on == D(2027, 1, 4)
    v2026, v2027 = (CalendarYear.objects.get(year=y).version for y in (2026, 2027))
    assert reply.calendar_revisions == {"national": {"2026": v2026, "2027": v2027}}
    assert deadline(extended, K.REPLY).due_on == D(2027, 2, 15)
    assert lead_assignment(extended).reply_due_on == D(2027, 2, 15)
    statutory.refresh_from_db()
    assert statutory.due_on == D(2027, 3, 1)  # not moved: untouched
    assert Deadline.objects.get(suggestion=closed, kind=K.REPLY).due_on == D(2027, 1, 1)  # closed

    rows = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [r.code for r in rows] == [
        "deadlines.recomputed",
        "deadline.recalculated",
        "deadline.recalculated",
    ]
    assert {r.congress_id for r in rows} == {w.congress.pk} and len({r.correlation_id for r in rows}) == 1
    assert rows[1].old["due_on"] == "2027-01-01" and rows[1].new["due_on"] == "2027-01-04"

    # The people who see those dates are told, once: the unit, and the lead deputy for reply dates.
    with on(D(2026, 12, 6)):
        run_scan(now=timezone.now())
        run_scan(now=timezone.now())
    new = Notice.objects.exclude(pk__in=notices_before).filter(kind=Notice.Kind.DEADLINE_CHANGED)
    by_user = {}
    for n in new:
        by_user.setdefault(n.recipient_id, []).append(n.suggestion_id)
    assert sorted(by_user[w.handler_a.pk]) == sorted([moved.pk, extended.pk])
    assert sorted(by_user[w.deputy.pk]) == sorted([moved.pk, extended.pk])
    assert w.handler_b.pk not in by_user and w.clerk.pk not in by_user
    # Nothing left to move.
    with on(D(2026, 12, 6)), refused(ValidationFailed, code="nothing_to_recalculate"):
        SA.do_recompute_deadlines(actor=root, years=[2027], reason="再算一次")


def test_a_local_closure_counts_for_its_congress_only(loop, december, root):
    w = loop.w
    s = december[0]
    contact = deadline(s, K.FIRST_CONTACT)
    window = deadline(s, K.REASSIGN_WINDOW)
    assert (contact.due_on, window.due_on) == (D(2026, 12, 15), D(2026, 12, 8))
    twin = Deadline.objects.create(  # the same limit in another congress
        congress=w.other_congress,
        suggestion=s,
        kind=K.FIRST_CONTACT,
        started_on=D(2026, 12, 1),
        due_on=D(2026, 12, 15),
        rule=contact.rule,
        calendar_version="-",
    )
    typhoon = D(2026, 12, 10)
    for actor in (w.outsider, w.clerk, w.deputy):  # the other congress's admin; not admins
        with refused(NotPermitted):
            do_add_local_closure(w.congress, typhoon, actor=actor, name="台风停工")
    with refused(ValidationFailed, code="not_a_workday"):
        do_add_local_closure(w.congress, D(2026, 12, 12), actor=w.admin, name="周六")
    with on(D(2026, 12, 9)):
        do_add_local_closure(w.congress, typhoon, actor=w.admin, name=" 台风停工 ")
    with refused(ValidationFailed, code="already_closed"):
        do_add_local_closure(w.congress, typhoon, actor=w.admin, name="台风停工")
    event = AuditEvent.objects.get(code="calendar.local_closure_added")
    assert event.congress_id == w.congress.pk and event.actor == w.admin

    assert not get_calendar(w.congress).is_workday(typhoon)
    assert get_calendar(w.other_congress).is_workday(typhoon) and get_calendar().is_workday(typhoon)

    preview = calendar_recompute_preview([2026], congress=w.congress)
    # Every first-contact limit of this congress that runs over the closed day, and nothing else.
    assert {(c.deadline.kind, c.old_due, c.new_due) for c in preview.changes} == {
        (K.FIRST_CONTACT, D(2026, 12, 15), D(2026, 12, 16))
    }
    assert contact.pk in {c.deadline.pk for c in preview.changes}
    assert {c.deadline.suggestion_id for c in preview.changes} == {x.pk for x in december}
    assert twin.pk not in {c.deadline.pk for c in preview.changes}
    with on(D(2026, 12, 9)):
        with refused(NotPermitted):  # a congress admin may not recompute nationally
            SA.do_recompute_deadlines(actor=w.admin, years=[2026], reason="台风")
        with refused(NotPermitted):
            SA.do_recompute_deadlines(actor=w.outsider, years=[2026], reason="台风", congress=w.congress)
        SA.do_recompute_deadlines(
            actor=w.admin, years=[2026], reason="台风停工", congress=w.congress, expected=preview.token
        )
    contact.refresh_from_db()
    window.refresh_from_db()
    twin.refresh_from_db()
    assert (
        contact.due_on == D(2026, 12, 16)
        and window.due_on == D(2026, 12, 8)
        and twin.due_on == D(2026, 12, 15)
    )
    local_version = contact.calendar_revisions["local"]["2026"]
    assert local_version == 1
    rows = AuditEvent.objects.filter(code__in=["deadlines.recomputed", "deadline.recalculated"])
    assert {r.congress_id for r in rows} == {w.congress.pk}

    with on(D(2026, 12, 9)):
        do_remove_local_closure(w.congress, typhoon, actor=w.admin)
        with refused(ValidationFailed, code="not_closed"):
            do_remove_local_closure(w.congress, typhoon, actor=w.admin)
    assert get_calendar(w.congress).is_workday(typhoon)
    assert AuditEvent.objects.get(code="calendar.local_closure_removed").congress_id == w.congress.pk
