"""Who hears what from the scan, beyond the main life (test_scan_life.py): re-assignment, the
congress's own steps, commitments, people who left, the first run, and a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minyi.notifications.models import DeadlineReminder, Notice, ScanCursor
from minyi.notifications.scan import run_scan
from minyi.suggestions import actions as A
from minyi.suggestions.models import AssignmentRole, Deadline

from .conftest import at, sent


def new_notices(before: set[int]) -> list[tuple[str, str]]:
    return sent(Notice.objects.exclude(pk__in=before))


def scan_new() -> list[tuple[str, str]]:
    before = set(Notice.objects.values_list("pk", flat=True))
    run_scan()
    return new_notices(before)


def test_a_reassignment_tells_the_deputy_each_change(loop, time_machine):
    w = loop.w
    time_machine.move_to(at(3, 2), tick=False)
    s = loop.drive.to("assigned")
    run_scan()
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    A.do_sign_assignment(lead, actor=w.handler_a)
    A.do_request_reassignment(lead, actor=w.handler_a, reason="不属于本单位职责")
    assert scan_new() == [("work", "clerk"), ("work", "gov")]  # whoever may decide
    A.do_approve_reassignment(lead, actor=w.coordinator)
    # The deputy hears the unit is relieved; the coordinator approved it and needs no notice of it.
    assert scan_new() == [("deadline_changed", "deputy")]
    assert (
        "不再承办您领衔的建议"
        in Notice.objects.get(kind="deadline_changed", event__code__endswith="approved").body
    )
    A.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_b])
    assert scan_new() == [("deadline_changed", "deputy"), ("work", "handler_b"), ("work", "leader_b")]
    # The relieved unit's deadlines were cancelled: no reminder about them, ever.
    time_machine.move_to(at(12, 1), tick=False)
    assert ("overdue", "handler_a") not in scan_new()


def test_nobody_is_told_of_what_they_did_themselves(loop, time_machine):
    w = loop.w
    s = loop.drive.to("contacted")
    run_scan()
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    A.do_draft_reply(lead, actor=w.leader_a, body="答复", result_class=loop.taxa.result_a)
    assert scan_new() == []  # the leader drafted it: no "please sign off" to the leader


def test_the_congress_own_steps_go_to_clerks_admins_then_leaders(loop, time_machine):
    time_machine.move_to(at(3, 2), tick=False)
    submitted = loop.drive.to("submitted")  # review due Thu 5 March
    accepted = loop.drive.to("accepted")  # not forwarded: the clerks assign, due Mon 9 March
    run_scan()
    time_machine.move_to(at(3, 10), tick=False)
    assert scan_new() == [
        ("overdue", "admin"),
        ("overdue", "admin"),
        ("overdue", "clerk"),
        ("overdue", "clerk"),
    ]
    time_machine.move_to(at(3, 16), tick=False)
    assert scan_new() == [("escalated", "supervisor"), ("escalated", "supervisor")]
    kinds = set(Notice.objects.filter(kind="escalated").values_list("deadline__kind", "suggestion"))
    assert kinds == {(Deadline.Kind.REVIEW, submitted.pk), (Deadline.Kind.ASSIGN, accepted.pk)}


def test_commitments_on_the_ledger_are_reminded_too(loop, time_machine):
    time_machine.move_to(at(3, 2), tick=False)
    s = loop.drive.to("replied", result="B")  # a commitment due in 90 days (31 May)
    run_scan()
    time_machine.move_to(at(6, 2), tick=False)
    new = scan_new()
    assert ("overdue", "handler_a") in new and ("overdue", "leader_a") in new
    commitment = Deadline.objects.get(suggestion=s, kind=Deadline.Kind.COMMITMENT)
    assert set(Notice.objects.filter(deadline=commitment).values_list("kind", "recipient__username")) == {
        ("overdue", "handler_a"),
        ("overdue", "leader_a"),
    }


def test_people_who_left_are_not_told(loop, time_machine):
    w = loop.w
    time_machine.move_to(at(3, 2), tick=False)
    loop.drive.to("signed", direct=True)
    w.handler_a.memberships.update(active=False)  # moved to another post
    w.leader_a.is_active = False  # account switched off
    w.leader_a.save()
    w.congress.__class__.objects.filter(pk=w.other_congress.pk).update(active=False)
    time_machine.move_to(at(4, 20), tick=False)
    assert {user for _kind, user in scan_new()} == {"clerk", "gov"}  # only the escalation remains


def test_met_deadlines_are_never_reminded(loop, time_machine):
    time_machine.move_to(at(3, 2), tick=False)
    loop.drive.to("evaluated")
    run_scan()
    time_machine.move_to(at(12, 1), tick=False)
    assert scan_new() == []
    assert DeadlineReminder.objects.count() == 0


def test_the_first_run_starts_with_recent_events_only(loop, time_machine):
    time_machine.move_to(at(3, 2), tick=False)
    old = loop.drive.to("submitted")
    time_machine.move_to(at(3, 4), tick=False)
    new = loop.drive.to("submitted")
    assert not ScanCursor.objects.exists()
    notices = scan_new()
    # The old submission is history (older than a day at the first run): no "new work" notice; its
    # review deadline is reminded all the same.
    assert Notice.objects.filter(kind="work").get().suggestion == new
    assert notices == [("due_soon", "clerk"), ("work", "clerk")]
    assert Notice.objects.get(kind="due_soon").suggestion == old


def test_the_number_of_queries_does_not_grow_with_the_items(loop, time_machine):
    def measured_scan() -> tuple[int, int]:
        before = Notice.objects.count()
        with CaptureQueriesContext(connection) as queries:
            run_scan(enqueue=False)
        return len(queries), Notice.objects.count() - before

    # One suggestion assigned on 2 March, scanned on 30 March: new work, reply due soon, first contact
    # overdue and escalated.
    time_machine.move_to(at(3, 2), tick=False)
    run_scan()  # (the scan has been running: its audit cursor exists)
    loop.drive.to("assigned", direct=True)
    time_machine.move_to(at(3, 30), tick=False)
    small, small_notices = measured_scan()
    # Six more on 1 June, scanned on 29 June (plus the first one's later stages).
    time_machine.move_to(at(6, 1), tick=False)
    for _ in range(6):
        loop.drive.to("assigned", direct=True)
    time_machine.move_to(at(6, 29), tick=False)
    large, large_notices = measured_scan()
    assert large_notices > 6 * small_notices
    assert large == small, (small, large)
    assert timezone.localdate() == at(6, 29).date()


def test_recalculated_deadlines_are_told_and_reminded_again_for_their_new_date(loop, time_machine):
    from minyi.congress.actions import do_update_policy, ensure_policy
    from minyi.supervision.actions import do_recalculate_deadlines

    w = loop.w
    time_machine.move_to(at(3, 2), tick=False)
    s = loop.drive.to("signed", direct=True)  # first contact due Mon 16 March, reply Thu 2 April
    run_scan()
    time_machine.move_to(at(3, 17), tick=False)
    assert scan_new() == [("overdue", "handler_a"), ("overdue", "leader_a")]
    # The congress gives units 15 working days for the first contact and two months for the reply,
    # and recalculates the open deadlines.
    do_update_policy(
        ensure_policy(w.congress), actor=w.admin, changes={"first_contact_days": 15, "reply_months": 2}
    )
    do_recalculate_deadlines(w.congress, actor=w.admin, reason="本地规则调整")
    assert scan_new() == [
        ("deadline_changed", "deputy"),  # the reply date
        ("deadline_changed", "handler_a"),  # both dates
        ("deadline_changed", "handler_a"),
        ("deadline_changed", "leader_a"),
        ("deadline_changed", "leader_a"),
    ]
    deputy = Notice.objects.get(recipient=w.deputy, event__code="deadline.recalculated")
    assert deputy.body.startswith(
        "甲区住房和城乡建设局的答复（本地目标）期限由2026-04-02调整为2026-05-06（"
    )  # (1–5 May off)
    assert deputy.body.endswith("原因：本地规则调整")
    # The first contact is now due Mon 23 March: late again from Tue 24 March, and told again.
    first_contact = Deadline.objects.get(suggestion=s, kind=Deadline.Kind.FIRST_CONTACT)
    assert first_contact.due_on == at(3, 23).date()
    time_machine.move_to(at(3, 23), tick=False)
    assert ("overdue", "handler_a") not in scan_new()
    time_machine.move_to(at(3, 24), tick=False)
    assert scan_new() == [("overdue", "handler_a"), ("overdue", "leader_a")]
    assert DeadlineReminder.objects.filter(deadline=first_contact, stage="overdue").count() == 2
