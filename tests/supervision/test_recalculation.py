"""Deadlines do not move when the policy or the calendar changes; an explicit, audited
recalculation by a congress admin does — after a preview — and leaves fixed dates (approved
extensions, commitments) alone."""

from __future__ import annotations

import pytest

from minyi.audit.models import AuditEvent
from minyi.congress.actions import do_update_policy, ensure_policy
from minyi.core.errors import NotPermitted, ValidationFailed
from minyi.suggestions import actions as A
from minyi.suggestions.models import Deadline
from minyi.supervision import actions as SA
from minyi.supervision import deadlines as DL
from minyi.supervision.selectors import recalculation_preview
from minyi.workdays.actions import do_set_special_day
from minyi.workdays.services import get_calendar
from tests.audit.support import domain_event_count
from tests.factories import UserFactory
from tests.suggestions.conftest import refused

from .conftest import D, deadline, lead_assignment, on

pytestmark = pytest.mark.django_db
K = Deadline.Kind


@pytest.fixture
def assigned(loop):
    """A suggestion assigned to unit A on Thursday 24 September 2026 (before the holidays)."""
    with on(D(2026, 9, 24)):
        s = loop.drive.to("assigned")
    return s


def preview(congress, today):
    return recalculation_preview(
        congress, policy=ensure_policy(congress), calendar=get_calendar(), today=today
    )


def test_the_deadlines_of_an_assignment_skip_the_2026_holidays(assigned):
    due = {
        kind: deadline(assigned, kind).due_on
        for kind in (K.REASSIGN_WINDOW, K.FIRST_CONTACT, K.REPLY, K.REPLY_STATUTORY)
    }
    assert due == {
        K.REASSIGN_WINDOW: D(2026, 10, 9),  # 28, 29, 30 Sep, 8, 9 Oct
        K.FIRST_CONTACT: D(2026, 10, 15),  # … 10 (make-up Saturday), 12, 13, 14, 15 Oct
        K.REPLY: D(2026, 10, 26),  # 24 Oct is a Saturday: the next working day
        K.REPLY_STATUTORY: D(2026, 12, 24),
    }
    assert lead_assignment(assigned).reply_due_on == D(2026, 10, 26)


def test_a_policy_change_moves_nothing_until_an_admin_recalculates(loop, assigned):
    w = loop.w
    contact = deadline(assigned, K.FIRST_CONTACT)
    with on(D(2026, 9, 28)):
        do_update_policy(
            ensure_policy(w.congress), actor=w.admin, changes={"first_contact_days": 12, "reply_months": 2}
        )
    contact.refresh_from_db()
    assert contact.due_on == D(2026, 10, 15)  # not silently moved

    with on(D(2026, 9, 30)):
        p = preview(w.congress, D(2026, 9, 30))
        changes = {c.deadline.kind: (c.old_due, c.new_due, c.new_rule) for c in p.changes}
        assert changes == {
            K.FIRST_CONTACT: (D(2026, 10, 15), D(2026, 10, 19), "交办后12个工作日内首次联系代表"),
            K.REPLY: (D(2026, 10, 26), D(2026, 11, 24), "交办后2个月内答复（本地目标）"),
        }
        assert p.unchanged == 2  # the re-assignment window and the statutory limit
        before = domain_event_count()
        result = SA.do_recalculate_deadlines(w.congress, actor=w.admin, reason="规则调整", expected=p.token)
    assert len(result.changed) == 2
    contact.refresh_from_db()
    assert (contact.due_on, contact.rule) == (D(2026, 10, 19), "交办后12个工作日内首次联系代表")
    assert lead_assignment(assigned).reply_due_on == D(2026, 11, 24)  # the unit's reply date follows

    rows = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [r.code for r in rows] == [
        "deadlines.recalculated",
        "deadline.recalculated",
        "deadline.recalculated",
    ]
    assert len({r.correlation_id for r in rows}) == 1
    summary, first = rows[0], rows[1]
    assert summary.new["changed"] == 2 and summary.note == "规则调整" and summary.actor == w.admin
    assert first.suggestion_id == assigned.pk and first.assignment_id == lead_assignment(assigned).pk
    assert first.unit_id == w.unit_a.pk
    assert first.old["due_on"] == "2026-10-15" and first.new["due_on"] == "2026-10-19"
    assert first.new["kind"] == K.FIRST_CONTACT
    # Nothing left to do: a second run is refused and changes nothing.
    with on(D(2026, 9, 30)), refused(ValidationFailed, code="nothing_to_recalculate"):
        SA.do_recalculate_deadlines(w.congress, actor=w.admin, reason="再算一次")


def test_a_calendar_change_is_shown_on_the_explanation_and_applied_only_by_recalculation(loop, assigned):
    w = loop.w
    contact = deadline(assigned, K.FIRST_CONTACT)
    old_version = contact.calendar_version
    with on(D(2026, 9, 28)):
        do_set_special_day(
            D(2026, 10, 14),
            actor=UserFactory(username="platform_root", is_superuser=True),
            kind="holiday",
            name="临时放假",
        )
    cal = get_calendar()
    contact.refresh_from_db()
    assert contact.due_on == D(2026, 10, 15)
    explained = DL.explain(contact, policy=ensure_policy(w.congress), calendar=cal, names={})
    assert explained.calendar_changed
    assert explained.current.due_on == D(2026, 10, 16)
    with on(D(2026, 9, 28)):
        SA.do_recalculate_deadlines(w.congress, actor=w.admin, reason="10月14日临时放假")
    contact.refresh_from_db()
    assert contact.due_on == D(2026, 10, 16)
    assert contact.calendar_version == cal.version != old_version
    event = AuditEvent.objects.filter(code="deadline.recalculated").get()
    # The revisions used, per year, in the audit row (no opaque token).
    assert event.new["calendar_revisions"]["national"]["2026"] == dict(cal.year_versions)[2026]
    assert event.old["calendar_revisions"] != event.new["calendar_revisions"]


def test_approved_extensions_and_commitments_are_fixed_dates(loop, assigned):
    w = loop.w
    a = lead_assignment(assigned)
    with on(D(2026, 10, 12)):
        A.do_sign_assignment(a, actor=w.handler_a)
        request = A.do_request_extension(a, actor=w.handler_a, reason="需要协调资金", until=D(2026, 11, 20))
        A.do_approve_extension(request, actor=w.clerk)
        do_update_policy(ensure_policy(w.congress), actor=w.admin, changes={"reply_months": 2})
        p = preview(w.congress, D(2026, 10, 12))
    extended = deadline(assigned, K.REPLY)
    assert extended.due_on == D(2026, 11, 20)
    assert DL.is_fixed(extended)
    assert K.REPLY not in {c.deadline.kind for c in p.changes}
    assert p.fixed == 1
    explained = DL.explain(extended, policy=ensure_policy(w.congress), calendar=get_calendar(), names={})
    assert explained.unit == DL.FIXED and explained.current is None
    assert "经批准延期" in explained.lines[0]


def test_recalculation_refusals(loop, assigned):
    w = loop.w
    with on(D(2026, 9, 28)):
        do_update_policy(ensure_policy(w.congress), actor=w.admin, changes={"first_contact_days": 12})
        p = preview(w.congress, D(2026, 9, 28))
        for who in (w.clerk, w.supervisor, w.inspector, w.outsider, w.deputy):
            with refused(NotPermitted):
                SA.do_recalculate_deadlines(w.congress, actor=who, reason="试试")
        with refused(ValidationFailed, code="reason_required"):
            SA.do_recalculate_deadlines(w.congress, actor=w.admin, reason="  ")
        # The policy changed again after the preview: the confirmed preview is out of date.
        do_update_policy(ensure_policy(w.congress), actor=w.admin, changes={"first_contact_days": 13})
        with refused(ValidationFailed, code="preview_outdated"):
            SA.do_recalculate_deadlines(w.congress, actor=w.admin, reason="规则调整", expected=p.token)


def test_the_preview_warns_about_missing_years_and_deadlines_that_would_turn_red(loop, assigned):
    w = loop.w
    with on(D(2026, 10, 13)):
        do_update_policy(ensure_policy(w.congress), actor=w.admin, changes={"first_contact_days": 5})
        p = preview(w.congress, D(2026, 10, 13))
    assert any("立即逾期" in warning for warning in p.warnings)
    with on(D(2026, 12, 1)):
        s = loop.drive.to("assigned")  # statutory limit in March 2027, a year without data
        do_update_policy(ensure_policy(w.congress), actor=w.admin, changes={"reply_statutory_months": 2})
        p = preview(w.congress, D(2026, 12, 1))
    assert any("2027年没有录入节假日安排" in warning for warning in p.warnings)
    assert s.pk in {c.deadline.suggestion_id for c in p.changes}
