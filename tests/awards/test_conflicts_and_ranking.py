"""Conflict-of-interest exclusion (enforced in the action, shown on the scoring sheet, counted when
scoring starts) and the ranking: weighted means, the minimum number of scores, shared ranks for ties
and the quota line."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from minyi.accounts.models import Role
from minyi.awards import actions as A
from minyi.awards import selectors as S
from minyi.awards.states import Track
from minyi.core.errors import NotPermitted, ValidationFailed
from minyi.suggestions import actions as SA
from tests.factories import MembershipFactory
from tests.suggestions.conftest import content, make_deputy

from .conftest import make_judge, new_round, score_all


def _judge_role(world, user):
    MembershipFactory(user=user, congress=world.congress, role=Role.JUDGE)
    user.__dict__.pop("_minyi_memberships", None)  # the per-request cache of roles
    return user


def test_lead_cosigner_and_merged_deputies_may_not_score_their_suggestion(loop, panel):
    w = loop.w
    s = loop.drive.to("accepted", cosign=True)
    other = loop.drive.to("submitted")
    # a third deputy's duplicate is merged into s: its lead is interested too
    third = make_deputy(w.congress, "third", number="A003")
    dup = SA.do_create_suggestion(w.congress, actor=third, content=content(loop.taxa))
    SA.do_submit_suggestion(dup, actor=third)
    SA.do_merge_suggestion(dup, actor=w.clerk, into=s)
    lead, cosigner, merged_lead = _judge_role(w, w.deputy), _judge_role(w, w.cosigner), _judge_role(w, third)
    r = new_round(w, min_scores=2)
    A.do_open_nominations(r, actor=w.admin)
    n = A.do_add_nominee(r, actor=w.admin, suggestion=s, reason="成效明显")
    n2 = A.do_add_nominee(
        r, actor=w.admin, suggestion=SA.do_accept_suggestion(other, actor=w.clerk), reason="选题好"
    )
    for j in [lead, cosigner, merged_lead, *panel[:2]]:
        A.do_assign_judge(r, actor=w.admin, judge=j)
    A.do_start_scoring(r, actor=w.admin)
    r.refresh_from_db()
    for j in (lead, cosigner, merged_lead):
        with pytest.raises(NotPermitted) as info:
            score_all(r, n, j, 100)
        assert info.value.code == "conflict_of_interest"
        sheet = {item.nominee.pk: item.conflicted for item in S.scoring_sheet(r, j)}
        assert sheet == {n.pk: True, n2.pk: j == lead}  # `other` is led by w.deputy too
    score_all(r, n2, cosigner, 70)  # no interest in the other suggestion
    for j in panel[:2]:
        score_all(r, n, j, 80)
    progress = {p.judge: (p.done, p.due) for p in S.panel_progress(r)}
    assert progress[lead] == (0, 0) and progress[cosigner] == (1, 1) and progress[panel[0]] == (1, 2)
    results = S.compute_results(r)
    row = next(x for x in results.rows(Track.SUGGESTION) if x.nominee.pk == n.pk)
    assert (row.sheets, row.excluded, row.score) == (2, 3, Decimal("80.00"))


def test_unit_members_and_their_parent_body_are_excluded(loop, panel):
    w = loop.w
    insider = make_judge(w.congress, "insider", unit=w.unit_a)
    coordinator = _judge_role(w, w.coordinator)  # works for the government, unit A's parent body
    r = new_round(w, min_scores=2)
    A.do_open_nominations(r, actor=w.admin)
    na = A.do_add_nominee(r, actor=w.admin, unit=w.unit_a, reason="办理认真")
    nb = A.do_add_nominee(r, actor=w.admin, unit=w.unit_b, reason="办理认真")
    for j in (insider, coordinator, panel[0]):
        A.do_assign_judge(r, actor=w.admin, judge=j)
    # unit A keeps only one judge without a conflict: fewer than the minimum of 2
    with pytest.raises(ValidationFailed) as info:
        A.do_start_scoring(r, actor=w.admin)
    assert info.value.code == "too_few_eligible_judges" and w.unit_a.name in info.value.detail
    A.do_assign_judge(r, actor=w.admin, judge=panel[1])
    A.do_start_scoring(r, actor=w.admin)
    r.refresh_from_db()
    assert S.conflicts(r, [na, nb], [insider.pk, coordinator.pk, panel[0].pk]) == {
        (na.pk, insider.pk),
        (na.pk, coordinator.pk),
        (nb.pk, coordinator.pk),
    }
    with pytest.raises(NotPermitted):
        score_all(r, na, insider, 100)
    score_all(r, nb, insider, 60)
    with pytest.raises(NotPermitted):
        score_all(r, nb, coordinator, 60)


def test_weighted_mean_and_rounding():
    class C:
        def __init__(self, pk, weight):
            self.pk, self.weight = pk, weight

    crit = [C(1, 30), C(2, 30), C(3, 40)]
    assert S.sheet_value(crit, {1: 80, 2: 90, 3: 100}) == Decimal("91")
    assert S.sheet_value(crit, {1: 0, 2: 0, 3: 100}) == Decimal("40")
    assert S.shared_ranks([90, 80, 80, 70, 70, 70, 60]) == [1, 2, 2, 4, 4, 4, 7]
    assert S.shared_ranks([]) == []


def _round_with(loop, panel, n_nominees, *, quota, min_scores=3):
    w = loop.w
    suggestions = [loop.drive.to("accepted") for _ in range(n_nominees)]
    r = new_round(w, min_scores=min_scores, suggestion_quota=quota)
    A.do_open_nominations(r, actor=w.admin)
    nominees = [
        A.do_add_nominee(r, actor=w.admin, suggestion=s, reason=f"候选{i}") for i, s in enumerate(suggestions)
    ]
    for j in panel:
        A.do_assign_judge(r, actor=w.admin, judge=j)
    A.do_start_scoring(r, actor=w.admin)
    r.refresh_from_db()
    return r, nominees


def test_ties_share_a_rank_and_the_quota_line_takes_every_tie(loop, panel):
    w = loop.w
    r, (a, b, c, d) = _round_with(loop, panel, 4, quota=2)
    grid = {a: (90, 90, 90), b: (80, 85, 75), c: (80, 80, 80), d: (60, 70, 80)}
    for nominee, values in grid.items():
        for judge, value in zip(panel, values, strict=True):
            score_all(r, nominee, judge, value)
    A.do_close_scoring(r, actor=w.admin)
    r.refresh_from_db()
    rows = S.stored_results(r).rows(Track.SUGGESTION)
    table = [(row.nominee.pk, row.score, row.rank, row.awarded) for row in rows]
    assert table[0] == (a.pk, Decimal("90.00"), 1, True)
    # b and c both average 80.00: they share rank 2, and both are within the quota of 2
    assert {t[0] for t in table[1:3]} == {b.pk, c.pk}
    assert [t[1:] for t in table[1:3]] == [(Decimal("80.00"), 2, True)] * 2
    assert table[3] == (d.pk, Decimal("70.00"), 4, False)


def test_ties_at_the_top_skip_the_next_rank(loop, panel):
    w = loop.w
    r, (a, b, c) = _round_with(loop, panel, 3, quota=2)
    for nominee, value in ((a, 88), (b, 88), (c, 87)):
        for judge in panel:
            score_all(r, nominee, judge, value)
    A.do_close_scoring(r, actor=w.admin)
    r.refresh_from_db()
    ranks = {row.nominee.pk: (row.rank, row.awarded) for row in S.stored_results(r).rows(Track.SUGGESTION)}
    assert ranks == {a.pk: (1, True), b.pk: (1, True), c.pk: (3, False)}


def test_minimum_number_of_scores(loop, panel):
    r, (a, b) = _round_with(loop, panel, 2, quota=5, min_scores=3)
    for judge in panel:
        score_all(r, a, judge, 60)
    for judge in panel[:2]:
        score_all(r, b, judge, 100)  # the best average, but only two complete sheets
    with time_machine.travel(r.scoring_deadline + datetime.timedelta(minutes=5)):
        A.close_overdue_rounds()
    r.refresh_from_db()
    rows = {row.nominee.pk: row for row in S.stored_results(r).rows(Track.SUGGESTION)}
    assert (rows[a.pk].rank, rows[a.pk].awarded, rows[a.pk].sheets) == (1, True, 3)
    assert (rows[b.pk].rank, rows[b.pk].score, rows[b.pk].awarded, rows[b.pk].sheets) == (
        None,
        None,
        False,
        2,
    )
    # the unranked nominee is listed after the ranked ones
    assert [row.nominee.pk for row in S.stored_results(r).rows(Track.SUGGESTION)] == [a.pk, b.pk]
