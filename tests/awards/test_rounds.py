"""A round's life through the real actions: create, criteria, panel, nominations (proposed by the
published rules, added and removed with reasons), scoring, closing, approval and publication — with
every refusal and the audit rows."""

from __future__ import annotations

import datetime
import io
import json
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.awards import actions as A
from minyi.awards import selectors as S
from minyi.awards.models import AwardResult, AwardRound, Criterion, Nominee
from minyi.awards.states import RoundState, Track
from minyi.core.errors import DeadlinePassed, InvalidTransition, NotPermitted, ValidationFailed
from minyi.points.periods import Period
from tests.factories import UnitFactory

from .conftest import deadline, new_round, score_all


def codes(award_round):
    return list(
        AuditEvent.objects.filter(object_type="awards.awardround", object_id=str(award_round.pk))
        .order_by("seq")
        .values_list("code", flat=True)
    )


def test_create_round_with_default_criteria_and_refusals(world):
    w = world
    period = Period.current()
    for actor in (w.clerk, w.judge, w.deputy, w.outsider, None):
        with pytest.raises(NotPermitted):
            A.do_create_round(
                w.congress, actor=actor, year=period.year, quarter=period.quarter, scoring_deadline=deadline()
            )
    r = new_round(w)
    assert r.state == RoundState.DRAFT and r.title.startswith(f"{period.year}年")
    crit = S.criteria_of(r)
    assert [c.weight for c in crit[Track.SUGGESTION]] == [30, 30, 40]
    assert sum(c.weight for c in crit[Track.UNIT]) == 100
    with pytest.raises(ValidationFailed) as info:
        new_round(w)
    assert info.value.code == "round_exists"
    nxt = Period(period.year + 1, 1)
    with pytest.raises(ValidationFailed) as info:
        A.do_create_round(w.congress, actor=w.admin, year=nxt.year, quarter=1, scoring_deadline=deadline())
    assert info.value.code == "quarter_not_started"
    with pytest.raises(ValidationFailed) as info:
        A.do_create_round(w.congress, actor=w.admin, year=2025, quarter=5, scoring_deadline=deadline())
    assert info.value.code == "bad_quarter"
    with pytest.raises(ValidationFailed) as info:
        A.do_create_round(w.congress, actor=w.admin, year=2025, quarter=1, scoring_deadline=deadline(-1))
    assert info.value.code == "deadline_past"
    with pytest.raises(ValidationFailed) as info:
        A.do_create_round(
            w.congress, actor=w.admin, year=2025, quarter=1, scoring_deadline=deadline(), min_scores=0
        )
    assert info.value.code == "bad_settings"
    assert codes(r) == ["award.round_created"]


def test_criteria_and_panel_only_in_setup(world, panel):
    w = world
    r = new_round(w)
    c = A.do_add_criterion(r, actor=w.admin, track=Track.UNIT, name="承诺落实", weight=10)
    assert c.order == 5
    with pytest.raises(ValidationFailed) as info:
        A.do_add_criterion(r, actor=w.admin, track=Track.UNIT, name="承诺落实", weight=10)
    assert info.value.code == "duplicate_criterion"
    for bad in (0, 101):
        with pytest.raises(ValidationFailed):
            A.do_add_criterion(r, actor=w.admin, track=Track.UNIT, name=f"项{bad}", weight=bad)
    with pytest.raises(NotPermitted):
        A.do_add_criterion(r, actor=w.clerk, track=Track.UNIT, name="x", weight=10)
    A.do_update_criterion(c, actor=w.admin, changes={"weight": 15})
    assert Criterion.objects.get(pk=c.pk).weight == 15
    A.do_remove_criterion(c, actor=w.admin)
    assert not Criterion.objects.filter(pk=c.pk).exists()
    for j in panel:
        A.do_assign_judge(r, actor=w.admin, judge=j)
    with pytest.raises(ValidationFailed) as info:
        A.do_assign_judge(r, actor=w.admin, judge=panel[0])
    assert info.value.code == "already_judge"
    with pytest.raises(ValidationFailed) as info:
        A.do_assign_judge(r, actor=w.admin, judge=w.deputy)
    assert info.value.code == "not_a_judge"
    A.do_remove_judge(r, actor=w.admin, judge=panel[2])
    A.do_assign_judge(r, actor=w.admin, judge=panel[2])
    assert codes(r)[-3:] == ["award.judge_assigned", "award.judge_removed", "award.judge_assigned"]
    assert [j.judge for j in S.panel_of(r)] == panel[:2] + [panel[2]]


def test_nominations_proposed_by_the_rules(loop, panel):
    w = loop.w
    good = loop.drive.to("closed", result="A", overall="satisfied")
    loop.drive.to("closed", result="B", overall="satisfied")  # class B: not proposed
    loop.drive.to("closed", result="A", overall="basic")  # 基本满意: not proposed
    loop.drive.to("evaluated", result="A", overall="satisfied")  # not closed: not proposed
    r = new_round(w)
    proposed = A.do_open_nominations(r, actor=w.admin)
    assert [n.suggestion_id for n in proposed if n.track == Track.SUGGESTION] == [good.pk]
    n = proposed[0]
    assert n.source == Nominee.Source.PROPOSED and n.basis["number"] == good.number
    # units: unit A has 4 items, fewer than the default minimum of 5 → not proposed
    assert not [n for n in proposed if n.track == Track.UNIT]
    # proposing again adds nothing new
    assert A.do_propose_nominees(r, actor=w.admin) == []
    assert AuditEvent.objects.filter(code="award.nominee_proposed").count() == 1


def test_unit_nomination_uses_league_minimum_count(loop):
    w = loop.w
    for _ in range(2):
        loop.drive.to("closed")
    r = new_round(w, unit_min_count=2)
    proposed = A.do_open_nominations(r, actor=w.admin)
    units = [n for n in proposed if n.track == Track.UNIT]
    assert [n.unit_id for n in units] == [w.unit_a.pk]
    assert units[0].basis["assigned"] == 2 and 0 < units[0].basis["composite"] <= 1
    r2 = AwardRound.objects.get(pk=r.pk)
    A.do_update_round(r2, actor=w.admin, changes={"unit_min_count": 3})
    assert S.unit_candidates(AwardRound.objects.get(pk=r.pk)) == []


def test_add_and_remove_nominees_with_reasons(loop):
    w = loop.w
    s = loop.drive.to("accepted")
    draft = loop.drive.to("draft")
    r = new_round(w)
    with pytest.raises(InvalidTransition):
        A.do_add_nominee(r, actor=w.admin, suggestion=s, reason="代表反映强烈")
    A.do_open_nominations(r, actor=w.admin)
    with pytest.raises(ValidationFailed) as info:
        A.do_add_nominee(r, actor=w.admin, suggestion=s, reason="  ")
    assert info.value.code == "reason_required"
    with pytest.raises(ValidationFailed) as info:
        A.do_add_nominee(r, actor=w.admin, suggestion=draft, reason="试试")
    assert info.value.code == "not_accepted"
    with pytest.raises(ValidationFailed) as info:
        A.do_add_nominee(r, actor=w.admin, reason="两者都没选")
    assert info.value.code == "subject_required"
    with pytest.raises(NotPermitted):
        A.do_add_nominee(r, actor=w.clerk, suggestion=s, reason="代表反映强烈")
    n = A.do_add_nominee(r, actor=w.admin, suggestion=s, reason="代表反映强烈，成效明显")
    assert n.source == Nominee.Source.MANUAL and n.added_by == w.admin
    with pytest.raises(ValidationFailed) as info:
        A.do_add_nominee(r, actor=w.admin, suggestion=s, reason="again")
    assert info.value.code == "already_nominated"
    with pytest.raises(ValidationFailed):
        A.do_remove_nominee(n, actor=w.admin, reason="")
    n = A.do_remove_nominee(n, actor=w.admin, reason="问题尚未解决")
    assert n.removed and n.removed_reason == "问题尚未解决"
    with pytest.raises(InvalidTransition):
        A.do_remove_nominee(n, actor=w.admin, reason="again")
    n = A.do_add_nominee(r, actor=w.admin, suggestion=s, reason="复议后恢复")
    assert not n.removed and n.reason == "复议后恢复"
    u = A.do_add_nominee(r, actor=w.admin, unit=w.unit_b, reason="办理认真")
    assert u.track == Track.UNIT
    foreign = UnitFactory(congress=w.other_congress, name="乙区某局")
    with pytest.raises(ValidationFailed) as info:
        A.do_add_nominee(r, actor=w.admin, unit=foreign, reason="不属本人大")
    assert info.value.code == "wrong_congress"
    event = AuditEvent.objects.filter(code="award.nominee_removed").get()
    assert event.suggestion_id == s.pk and event.note == "问题尚未解决"


def _ready(loop, panel, *, min_scores=3):
    """A round in scoring with one suggestion nominee and one unit nominee."""
    w = loop.w
    s = loop.drive.to("closed")
    r = new_round(w, min_scores=min_scores)
    A.do_open_nominations(r, actor=w.admin)
    A.do_add_nominee(r, actor=w.admin, unit=w.unit_a, reason="办理认真")
    for j in panel:
        A.do_assign_judge(r, actor=w.admin, judge=j)
    A.do_start_scoring(r, actor=w.admin)
    r.refresh_from_db()
    nominees = {n.track: n for n in Nominee.objects.filter(round=r)}
    return r, s, nominees


def test_start_scoring_refusals(loop, panel):
    w = loop.w
    r = new_round(w)
    with pytest.raises(InvalidTransition):
        A.do_start_scoring(r, actor=w.admin)
    A.do_open_nominations(r, actor=w.admin)
    with pytest.raises(ValidationFailed) as info:
        A.do_start_scoring(r, actor=w.admin)
    assert info.value.code == "no_nominees"
    A.do_add_nominee(r, actor=w.admin, unit=w.unit_a, reason="办理认真")
    with pytest.raises(ValidationFailed) as info:
        A.do_start_scoring(r, actor=w.admin)
    assert info.value.code == "panel_too_small"
    for j in panel:
        A.do_assign_judge(r, actor=w.admin, judge=j)
    for c in S.criteria_of(r)[Track.UNIT]:
        A.do_remove_criterion(c, actor=w.admin)
    with pytest.raises(ValidationFailed) as info:
        A.do_start_scoring(r, actor=w.admin)
    assert info.value.code == "no_criteria"
    A.do_add_criterion(r, actor=w.admin, track=Track.UNIT, name="办理成效", weight=100)
    with pytest.raises(NotPermitted):
        A.do_start_scoring(r, actor=w.clerk)
    A.do_start_scoring(r, actor=w.admin)
    r.refresh_from_db()
    assert r.state == RoundState.SCORING
    # setup is frozen now
    with pytest.raises(InvalidTransition):
        A.do_assign_judge(r, actor=w.admin, judge=w.judge)
    with pytest.raises(InvalidTransition):
        A.do_add_criterion(r, actor=w.admin, track=Track.UNIT, name="另一项", weight=5)
    with pytest.raises(InvalidTransition):
        A.do_update_round(r, actor=w.admin, changes={"unit_quota": 4})
    A.do_update_round(r, actor=w.admin, changes={"scoring_deadline": deadline(10)})


def test_scoring_refusals_and_revision(loop, panel):
    w = loop.w
    r, s, nominees = _ready(loop, panel)
    n = nominees[Track.SUGGESTION]
    crit = S.criteria_of(r)[Track.SUGGESTION]
    for outsider in (w.judge, w.admin, w.deputy, w.outsider):  # w.judge is not on this panel
        with pytest.raises(NotPermitted):
            A.do_score_nominee(n, actor=outsider, values={c.pk: 80 for c in crit})
    with pytest.raises(ValidationFailed) as info:
        A.do_score_nominee(n, actor=panel[0], values={crit[0].pk: 80})
    assert info.value.code == "incomplete"
    with pytest.raises(ValidationFailed) as info:
        A.do_score_nominee(n, actor=panel[0], values={c.pk: 101 for c in crit})
    assert info.value.code == "bad_value"
    unit_crit = S.criteria_of(r)[Track.UNIT][0]
    with pytest.raises(ValidationFailed) as info:
        A.do_score_nominee(n, actor=panel[0], values={**{c.pk: 80 for c in crit}, unit_crit.pk: 80})
    assert info.value.code == "bad_criterion"
    score_all(r, n, panel[0], 80)
    score_all(r, n, panel[0], 90)  # revised
    assert S.scores_of_nominee(n, panel[0]) == {c.pk: 90 for c in crit}
    revised = AuditEvent.objects.filter(code="award.scored").order_by("seq").last()
    assert revised.old == {c.name: 80 for c in crit} and revised.new == {c.name: 90 for c in crit}
    assert revised.suggestion_id == s.pk
    with (
        time_machine.travel(r.scoring_deadline + datetime.timedelta(minutes=1)),
        pytest.raises(DeadlinePassed),
    ):
        score_all(r, n, panel[1], 70)


def test_close_approve_publish(loop, panel):
    w = loop.w
    r, s, nominees = _ready(loop, panel)
    score_all(r, nominees[Track.SUGGESTION], panel[0], 90)
    with pytest.raises(ValidationFailed) as info:
        A.do_close_scoring(r, actor=w.admin)
    assert info.value.code == "scoring_incomplete"
    with pytest.raises(NotPermitted):
        A.do_close_scoring(r, actor=None)  # the job waits for the deadline
    for j in panel:
        score_all(r, nominees[Track.SUGGESTION], j, 90)
        score_all(r, nominees[Track.UNIT], j, 70)
    with pytest.raises(NotPermitted):
        A.do_close_scoring(r, actor=panel[0])
    A.do_close_scoring(r, actor=w.admin)
    r.refresh_from_db()
    assert r.state == RoundState.CLOSED and r.closed_at
    res = {x.nominee.track: x for x in AwardResult.objects.filter(round=r).select_related("nominee")}
    assert (res[Track.SUGGESTION].score, res[Track.SUGGESTION].rank, res[Track.SUGGESTION].awarded) == (
        90,
        1,
        True,
    )
    with pytest.raises(InvalidTransition):
        A.do_publish_results(r, actor=w.admin)
    with pytest.raises(NotPermitted):
        A.do_approve_results(r, actor=w.clerk)
    A.do_approve_results(r, actor=w.admin, note="主任会议审定")
    assert S.awarded_suggestions(w.congress, *r.bounds) == []  # not published yet
    A.do_publish_results(r, actor=w.admin)
    r.refresh_from_db()
    assert r.state == RoundState.PUBLISHED and r.published_by == w.admin
    start, end = r.bounds
    (award,) = S.awarded_suggestions(w.congress, start, end)
    assert (award.suggestion_id, award.date, award.period) == (s.pk, end, r.period_code)
    assert codes(r) == [
        "award.round_created",
        "award.nominations_opened",
        "award.judge_assigned",
        "award.judge_assigned",
        "award.judge_assigned",
        "award.scoring_started",
        "award.scoring_closed",
        "award.results_approved",
        "award.results_published",
    ]
    assert verify_chain().ok


def test_deadline_job_and_reopen(loop, panel):
    w = loop.w
    r, s, nominees = _ready(loop, panel)
    score_all(r, nominees[Track.SUGGESTION], panel[0], 80)
    assert A.close_overdue_rounds() == []
    with time_machine.travel(r.scoring_deadline + datetime.timedelta(hours=1)):
        (closed,) = A.close_overdue_rounds()
        assert closed.state == RoundState.CLOSED
        results = S.stored_results(closed)
        row = results.rows(Track.SUGGESTION)[0]
        assert (row.sheets, row.rank, row.score) == (1, None, None)  # 评分不足
        with pytest.raises(ValidationFailed) as info:
            A.do_approve_results(closed, actor=w.admin)
        assert info.value.code == "nothing_to_approve"
        with pytest.raises(ValidationFailed):
            A.do_reopen_scoring(
                closed, actor=w.admin, scoring_deadline=timezone.now() + datetime.timedelta(days=3), reason=""
            )
        with pytest.raises(ValidationFailed):
            A.do_reopen_scoring(closed, actor=w.admin, scoring_deadline=timezone.now(), reason="评分不足")
        A.do_reopen_scoring(
            closed,
            actor=w.admin,
            scoring_deadline=timezone.now() + datetime.timedelta(days=3),
            reason="评分不足",
        )
        closed.refresh_from_db()
        assert closed.state == RoundState.SCORING and not AwardResult.objects.filter(round=closed).exists()
        event = AuditEvent.objects.get(code="award.scoring_closed")
        assert event.actor is None and event.new["results"][Track.SUGGESTION][0][2] == 1


def test_the_periodic_run_closes_an_overdue_round_once(loop, panel):
    with time_machine.travel(
        datetime.datetime(2026, 3, 16, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=False
    ):
        r, s, nominees = _ready(loop, panel)
        score_all(r, nominees[Track.SUGGESTION], panel[0], 80)

        def periodic() -> dict:
            out = io.StringIO()
            call_command("run_periodic", "--json", "--job", "award_rounds", stdout=out)
            return json.loads(out.getvalue())["award_rounds"]

        assert periodic() == {"status": "done", "result": []}  # not due yet
    with time_machine.travel(r.scoring_deadline + datetime.timedelta(hours=1), tick=False):
        assert periodic() == {"status": "done", "result": [r.pk]}
        assert periodic() == {"status": "done", "result": []}  # nothing twice
    r.refresh_from_db()
    assert r.state == RoundState.CLOSED
    assert codes(r).count("award.scoring_closed") == 1
