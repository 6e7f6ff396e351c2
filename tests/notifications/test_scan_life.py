"""A suggestion's life, day by day (time-machine), and exactly which notices the scan sends, to whom
and when — and that a second scan the same moment sends nothing.

Dates are 2026 working days of the seeded official calendar (清明: 6 April off; 劳动节: 1–5 May
off, 9 May worked). Policy defaults: review 3 working days, assignment 5, first contact and co-unit
opinion 10, reply 1 month, evaluation 10; yellow 3 working days before, escalation after 3 more.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from minyi.notifications.actions import do_urge
from minyi.notifications.models import Delivery, Notice
from minyi.notifications.scan import run_scan
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, AssignmentRole, Deadline, Evaluation, Suggestion

from .conftest import at, sent

D = datetime.date


def scan() -> list[tuple[str, str]]:
    """Run the scan; the (kind, username) of the notices it created. A second scan at the same moment
    must send nothing."""
    before = set(Notice.objects.values_list("pk", flat=True))
    result = run_scan()
    new = Notice.objects.exclude(pk__in=before)
    assert result.total == new.count()
    again = run_scan()
    assert again.total == 0, again.as_dict()
    return sent(new)


def test_a_suggestion_life(loop, time_machine):
    w, drive = loop.w, loop.drive
    w.deputy.phone, w.deputy.email = "13800000001", "deputy@example.cn"
    w.deputy.save()
    w.clerk.email = "clerk@example.cn"
    w.clerk.save()

    # Mon 2 March: the deputy drafts with a co-signer and submits.
    time_machine.move_to(at(3, 2), tick=False)
    s = drive.to("submitted", cosign=True)
    assert scan() == [("work", "clerk"), ("work", "cosigner")]
    clerk_notice = Notice.objects.get(recipient=w.clerk)
    assert clerk_notice.title == "新建议待审查：" + s.title
    assert clerk_notice.suggestion == s and clerk_notice.event.code == "suggestion.submitted"
    # E-mail for whoever has an address; SMS only for the urgent kinds (not for new work).
    assert sorted(Delivery.objects.values_list("channel", "address")) == [("email", "clerk@example.cn")]

    # Tue 3 March: review is due Thu 5 March — yellow from today (3 working days or fewer left).
    time_machine.move_to(at(3, 3), tick=False)
    assert scan() == [("due_soon", "clerk")]
    due_soon = Notice.objects.get(kind="due_soon")
    assert due_soon.deadline.kind == Deadline.Kind.REVIEW
    assert "2026-03-05" in due_soon.body and due_soon.title.startswith("即将到期：审查·")
    s = A.do_accept_suggestion(s, actor=w.clerk)
    s = A.do_forward_suggestion(s, actor=w.clerk, body=w.gov)
    assert scan() == [("work", "gov")]  # the coordinator of the body it was forwarded to

    # Assignment is due Tue 10 March: the coordinator is reminded Thu 5 March (not on Wed 4 March).
    time_machine.move_to(at(3, 4), tick=False)
    assert scan() == []
    time_machine.move_to(at(3, 5), tick=False)
    assert scan() == [("due_soon", "gov")]
    time_machine.move_to(at(3, 11), tick=False)
    assert scan() == [("overdue", "gov")]
    # More than 3 working days late (after Fri 13 March): escalated to the congress clerks.
    time_machine.move_to(at(3, 13), tick=False)
    assert scan() == []
    time_machine.move_to(at(3, 16), tick=False)
    assert scan() == [("escalated", "clerk")]

    # Mon 16 March: unit A leads, unit B co-handles. Both units hear of it; the deputy learns the unit
    # and the reply date.
    A.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_a], co_units=[w.unit_b])
    assert scan() == [
        ("deadline_changed", "deputy"),
        ("work", "handler_a"),
        ("work", "handler_b"),
        ("work", "leader_a"),
        ("work", "leader_b"),
    ]
    deputy_notice = Notice.objects.get(recipient=w.deputy, kind="deadline_changed")
    assert deputy_notice.body == "您领衔的建议已交由甲区住房和城乡建设局办理，答复期限为2026-04-16。"
    lead = Assignment.objects.get(suggestion=s, role=AssignmentRole.LEAD)
    co = Assignment.objects.get(suggestion=s, role=AssignmentRole.CO)

    # Both sign; unit A contacts the deputy at once (its first-contact limit closes), unit B is slow.
    time_machine.move_to(at(3, 17), tick=False)
    drive.work(s, upto="signed")
    A.do_log_contact(
        lead,
        actor=w.handler_a,
        phase="before",
        method="visit",
        contacted_on=timezone.localdate(),
        people="承办人、代表",
        summary="上门听取意见",
    )
    assert scan() == []
    # B's opinion is due Mon 30 March: yellow on Wed 25 March, late on Tue 31 March.
    time_machine.move_to(at(3, 24), tick=False)
    assert scan() == []
    time_machine.move_to(at(3, 25), tick=False)
    assert scan() == [("due_soon", "handler_b")]
    time_machine.move_to(at(3, 31), tick=False)
    assert scan() == [("overdue", "handler_b"), ("overdue", "leader_b")]
    # Escalated on Fri 3 April (3 working days after 30 March have passed): the body's coordinator
    # and the congress clerks. The clerk also urges unit B by hand.
    time_machine.move_to(at(4, 3), tick=False)
    assert scan() == [("escalated", "clerk"), ("escalated", "gov")]
    urged = do_urge(co, actor=w.clerk, message="请于本周内提交协办意见。")
    assert sent(Notice.objects.filter(pk__in=[n.pk for n in urged])) == [
        ("urged", "handler_b"),
        ("urged", "leader_b"),
    ]
    assert scan() == []  # an urge is sent at once, not by the scan
    A.do_submit_opinion(co, actor=w.handler_b, opinion="同意主办单位意见。")

    # Wed 8 April: unit A asks for more time; the clerk approves. The deputy and the unit hear the
    # new date.
    time_machine.move_to(at(4, 8), tick=False)
    request = A.do_request_extension(lead, actor=w.handler_a, reason="需协调资金", until=D(2026, 5, 15))
    assert scan() == [("work", "clerk")]
    A.do_approve_extension(request, actor=w.clerk)
    assert scan() == [
        ("deadline_changed", "deputy"),
        ("deadline_changed", "handler_a"),
        ("deadline_changed", "leader_a"),
    ]
    change = Notice.objects.filter(recipient=w.deputy, kind="deadline_changed").latest("id")
    assert change.body == "经批准，甲区住房和城乡建设局的答复期限由2026-04-16延至2026-05-15。"

    # The old reply date (16 April) was superseded: nothing on it. The new one (Fri 15 May) turns
    # yellow on Tue 12 May (1–5 May are holidays).
    time_machine.move_to(at(4, 16), tick=False)
    assert scan() == []
    time_machine.move_to(at(5, 11), tick=False)
    assert scan() == []
    time_machine.move_to(at(5, 12), tick=False)
    assert scan() == [("due_soon", "handler_a")]

    # Wed 13 May: the reply is drafted (the leader is asked to sign) and signed off (the deputy is
    # asked to evaluate, by Wed 27 May).
    time_machine.move_to(at(5, 13), tick=False)
    drive.draft_reply(lead)
    assert scan() == [("work", "leader_a")]
    A.do_sign_off_reply(lead, actor=w.leader_a)
    assert scan() == [("work", "deputy")]
    time_machine.move_to(at(5, 21), tick=False)
    assert scan() == []
    time_machine.move_to(at(5, 22), tick=False)
    assert scan() == [("evaluation", "deputy")]

    # No evaluation by the limit: recorded as "no feedback" by the scan; no notice.
    time_machine.move_to(at(5, 28), tick=False)
    result = run_scan()
    assert result.no_feedback == 1 and result.total == 0
    s.refresh_from_db()
    assert s.state == "evaluated"
    assert Evaluation.objects.get(suggestion=s).kind == Evaluation.Kind.NO_FEEDBACK
    assert run_scan().no_feedback == 0

    # The whole life, in one list: each notice once.
    assert sent() == sorted(
        [
            ("work", "clerk"),
            ("work", "cosigner"),
            ("due_soon", "clerk"),
            ("work", "gov"),
            ("due_soon", "gov"),
            ("overdue", "gov"),
            ("escalated", "clerk"),
            ("deadline_changed", "deputy"),
            ("work", "handler_a"),
            ("work", "handler_b"),
            ("work", "leader_a"),
            ("work", "leader_b"),
            ("due_soon", "handler_b"),
            ("overdue", "handler_b"),
            ("overdue", "leader_b"),
            ("escalated", "clerk"),
            ("escalated", "gov"),
            ("urged", "handler_b"),
            ("urged", "leader_b"),
            ("work", "clerk"),
            ("deadline_changed", "deputy"),
            ("deadline_changed", "handler_a"),
            ("deadline_changed", "leader_a"),
            ("due_soon", "handler_a"),
            ("work", "leader_a"),
            ("work", "deputy"),
            ("evaluation", "deputy"),
        ]
    )
    # The deputy's phone got the deadline changes and the evaluation reminder; e-mail got all four.
    deputy_rows = Delivery.objects.filter(notice__recipient=w.deputy)
    assert sorted(deputy_rows.filter(channel="sms").values_list("notice__kind", flat=True)) == [
        "deadline_changed",
        "deadline_changed",
        "evaluation",
    ]
    assert deputy_rows.filter(channel="email").count() == 4
    assert Suggestion.objects.get(pk=s.pk).state == "evaluated"
