"""Recompute equals ledger after every kind of event: after each event the recomputation differs
from the stored ledger by exactly that event's entries (what ``points --recompute`` reports), and
after `sync_ledger` (the periodic job) it differs by nothing. The points app's own decisions
(approving a manual entry, deciding an objection, changing a rule) rebuild the ledger at once."""

from __future__ import annotations

import dataclasses
import datetime

from django.utils import timezone

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.awards import actions as AA
from minyi.awards.selectors import criteria_of
from minyi.congress.models import LiaisonStation
from minyi.intake import actions as IA
from minyi.points import actions as P
from minyi.points.models import LedgerEntry, LedgerSync, PointsRule
from minyi.suggestions import actions as SA
from minyi.supervision import actions as SV
from tests.awards.conftest import make_judge
from tests.factories import MembershipFactory, UserFactory

from .conftest import TODAY, deputy, ledger, pending, png, travel


def settle(w, *, added=(), removed=(), changed=()):
    """The recomputation differs from the ledger by exactly these keys; after a sync, by nothing."""
    d = pending(w.congress)
    assert sorted(e.key for e in d.added) == sorted(added)
    assert sorted(e.key for e in d.removed) == sorted(removed)
    assert sorted(new.key for _old, new in d.changed) == sorted(changed)
    before = AuditEvent.objects.filter(code="points.ledger_synced").count()
    result = P.sync_ledger(w.congress, TODAY.year)
    assert result.count == d.count
    assert AuditEvent.objects.filter(code="points.ledger_synced").count() == before + (1 if d else 0)
    assert not pending(w.congress)


def test_recompute_equals_ledger_after_every_kind_of_event(loop):
    w = loop.w
    lead, co = deputy(w.deputy), deputy(w.cosigner)
    settle(w)  # nothing yet (seeds the default rules)
    assert LedgerSync.objects.get(congress=w.congress, year=TODAY.year).entries == 0

    # suggestion accepted (lead and co-signer)
    s = loop.drive.to("accepted", cosign=True)
    settle(
        w, added=[f"sugg:{s.pk}:suggestion_accepted:{lead.pk}", f"sugg:{s.pk}:suggestion_accepted:{co.pk}"]
    )

    # made a key suggestion, then taken out again
    theme = SV.do_create_theme(
        w.congress, actor=w.admin, year=2026, name="物业管理", supervising_leader_name="王主任"
    )
    SV.do_add_theme_suggestion(theme, actor=w.admin, suggestion=s)
    key = [f"sugg:{s.pk}:suggestion_key:{lead.pk}", f"sugg:{s.pk}:suggestion_key:{co.pk}"]
    settle(w, added=key)
    SV.do_remove_theme_suggestion(theme, actor=w.admin, suggestion=s, reason="主题调整")
    settle(w, removed=key)

    # a duplicate merged in changes nothing (counted once)
    dup = loop.drive.to("submitted")
    SA.do_merge_suggestion(dup, actor=w.clerk, into=s)
    settle(w)

    # evaluation submitted on time
    ev = loop.drive.to("evaluated")
    settle(
        w, added=[f"sugg:{ev.pk}:suggestion_accepted:{lead.pk}", f"eval:{ev.pk}:evaluation_on_time:{lead.pk}"]
    )

    # evaluation not submitted in time (penalty)
    late = loop.drive.to("replied")
    settle(w, added=[f"sugg:{late.pk}:suggestion_accepted:{lead.pk}"])
    with travel(TODAY + datetime.timedelta(days=30)):
        SA.do_mark_no_feedback(late, actor=None)
        settle(w, added=[f"eval:{late.pk}:evaluation_missed:{lead.pk}"])

    # liaison-station event attended, then corrected (the co-signer did not come after all)
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    data = IA.EventInput(
        kind="station_inquiry", date=TODAY - datetime.timedelta(days=2), title="室点问政", deputies=[lead, co]
    )
    event = IA.do_record_event(station, actor=w.liaison, data=data)
    settle(w, added=[f"event:{event.pk}:{lead.pk}", f"event:{event.pk}:{co.pk}"])
    IA.do_update_event(event, actor=w.liaison, data=dataclasses.replace(data, deputies=[lead]))
    settle(w, removed=[f"event:{event.pk}:{co.pk}"])

    # duty day served
    duty = IA.do_record_duty_day(
        station, actor=w.liaison, date=TODAY - datetime.timedelta(days=1), deputies=[co]
    )
    settle(w, added=[f"duty:{duty.pk}:{co.pk}"])

    # awarded 优秀建议 in a published round
    closed = loop.drive.to("closed")
    settle(
        w,
        added=[
            f"sugg:{closed.pk}:suggestion_accepted:{lead.pk}",
            f"eval:{closed.pk}:evaluation_on_time:{lead.pk}",
        ],
    )
    judges = [make_judge(w.congress, f"j{i}") for i in range(3)]
    r = AA.do_create_round(
        w.congress,
        actor=w.admin,
        year=2026,
        quarter=4,
        scoring_deadline=timezone.now() + datetime.timedelta(days=3),
    )
    AA.do_open_nominations(r, actor=w.admin)
    nominee = next(n for n in r.nominees.all() if n.suggestion_id == closed.pk)
    for j in judges:
        AA.do_assign_judge(r, actor=w.admin, judge=j)
    AA.do_start_scoring(r, actor=w.admin)
    for j in judges:
        AA.do_score_nominee(nominee, actor=j, values={c.pk: 88 for c in criteria_of(r)["suggestion"]})
    AA.do_close_scoring(r, actor=w.admin)
    AA.do_approve_results(r, actor=w.admin)
    settle(w)  # not published yet
    AA.do_publish_results(r, actor=w.admin)
    settle(w, added=[f"sugg:{closed.pk}:suggestion_awarded:{lead.pk}"])
    award = LedgerEntry.objects.get(key=f"sugg:{closed.pk}:suggestion_awarded:{lead.pk}")
    assert (award.points, award.date, award.source["award_round"]) == (5, datetime.date(2026, 12, 31), r.pk)

    # withdrawn after acceptance
    gone = loop.drive.to("accepted")
    settle(w, added=[f"sugg:{gone.pk}:suggestion_accepted:{lead.pk}"])
    SA.do_withdraw_suggestion(gone, actor=w.deputy, reason="已解决")
    settle(w, removed=[f"sugg:{gone.pk}:suggestion_accepted:{lead.pk}"])

    # the points app's own decisions rebuild the ledger at once
    manual = P.do_submit_manual_entry(
        lead,
        actor=w.deputy,
        event="offline_inspection",
        activity_date=TODAY - datetime.timedelta(days=3),
        title="参加执法检查",
        evidence=png(),
    )
    settle(w)  # not reviewed: nothing
    P.do_check_manual_entry(manual, actor=w.clerk, approve=True)
    reviewer = UserFactory(username="clerk_b")
    MembershipFactory(user=reviewer, congress=w.congress, role=Role.CONGRESS_CLERK)
    P.do_review_manual_entry(manual, actor=reviewer, approve=True)
    assert ledger(w.congress, lead)[f"manual:{manual.pk}"] == 3
    assert not pending(w.congress)

    entry = LedgerEntry.objects.get(key=f"event:{event.pk}:{lead.pk}")
    objection = P.do_raise_objection(entry, actor=w.deputy, reason="我没有参加这次活动")
    assert not pending(w.congress)
    P.do_decide_objection(objection, actor=w.clerk, accept=True, corrected_points=0, reason="经核实未参加")
    entry.refresh_from_db()
    assert (entry.points, entry.adjustment) == (0, "corrected")
    assert not pending(w.congress)

    rule = PointsRule.objects.get(congress=w.congress, event="duty_day", valid_to__isnull=True)
    P.do_replace_rule(rule, actor=w.admin, from_date=datetime.date(2026, 1, 1), points=4)
    assert ledger(w.congress, co)[f"duty:{duty.pk}:{co.pk}"] == 4
    assert not pending(w.congress)

    # a full rebuild from nothing gives the same ledger
    snapshot = ledger(w.congress)
    LedgerEntry.objects.filter(congress=w.congress).delete()
    result = P.sync_ledger(w.congress, TODAY.year)
    assert len(result.added) == len(snapshot) and ledger(w.congress) == snapshot


def test_an_entry_moving_to_another_year(world):
    w = world
    d = deputy(w.deputy)
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    data = IA.EventInput(kind="reception", date=datetime.date(2026, 11, 2), title="接待选民", deputies=[d])
    event = IA.do_record_event(station, actor=w.liaison, data=data)
    P.sync_ledger(w.congress, 2026)
    IA.do_update_event(
        event, actor=w.liaison, data=dataclasses.replace(data, date=datetime.date(2025, 12, 30))
    )
    # the older year is rebuilt first: the entry moves there (keys are unique per congress)
    P.sync_ledger(w.congress, 2025)
    assert ledger(w.congress, d, year=2025) == {f"event:{event.pk}:{d.pk}": 2}
    assert ledger(w.congress, d, year=2026) == {}
    assert not pending(w.congress, 2025) and not pending(w.congress, 2026)
