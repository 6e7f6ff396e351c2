"""A judge's 待办 (issue #12): the candidates awaiting their score are exactly the scoring sheet's
nominees that are neither conflicted nor fully scored by them — the conflict rule in SQL equals
`selectors.conflicts` — only while the round is being scored, for its own panel, in its congress."""

from __future__ import annotations

import datetime

import pytest

from minyi.awards import actions as A
from minyi.awards import selectors as S
from minyi.awards.work import awaiting_score
from minyi.core.work import work_summary
from minyi.suggestions import actions as SA
from tests.suggestions.conftest import content, make_deputy

from .conftest import make_judge, new_round, score_all
from .test_conflicts_and_ranking import _judge_role

pytestmark = pytest.mark.django_db


def _sheet_todo(r, judge) -> set[int]:
    return {i.nominee.pk for i in S.scoring_sheet(r, judge) if not i.conflicted and not i.complete}


def test_the_judges_worklist_is_the_scoring_sheets_open_items(daytime, time_machine, loop, panel):
    w = loop.w
    s = loop.drive.to("accepted", cosign=True)
    other = loop.drive.to("submitted")
    third = make_deputy(w.congress, "third", number="A003")
    dup = SA.do_create_suggestion(w.congress, actor=third, content=content(loop.taxa))
    SA.do_submit_suggestion(dup, actor=third)
    SA.do_merge_suggestion(dup, actor=w.clerk, into=s)
    insider = make_judge(w.congress, "insider", unit=w.unit_a)
    coordinator = _judge_role(w, w.coordinator)  # the government: unit A's body
    lead, cosigner, merged_lead = _judge_role(w, w.deputy), _judge_role(w, w.cosigner), _judge_role(w, third)
    outsider_judge = make_judge(w.congress, "not_on_panel")
    r = new_round(w, min_scores=2)
    A.do_open_nominations(r, actor=w.admin)
    n = A.do_add_nominee(r, actor=w.admin, suggestion=s, reason="成效明显")
    A.do_add_nominee(r, actor=w.admin, suggestion=SA.do_accept_suggestion(other, actor=w.clerk), reason="好")
    A.do_add_nominee(r, actor=w.admin, unit=w.unit_a, reason="办理认真")
    A.do_add_nominee(r, actor=w.admin, unit=w.unit_b, reason="办理认真")
    judges = [lead, cosigner, merged_lead, insider, coordinator, *panel]
    for j in judges:
        A.do_assign_judge(r, actor=w.admin, judge=j)
    # before scoring starts nobody has anything to score
    assert all(work_summary(j, w.congress).count_of("to_score") == 0 for j in judges)
    A.do_start_scoring(r, actor=w.admin)
    r.refresh_from_db()
    score_all(r, n, panel[0], 80)  # one judge is done with one nominee
    for j in judges:
        j.__dict__.pop("_minyi_memberships", None)
        expected = _sheet_todo(r, j)
        assert {x.pk for x in awaiting_score(j, w.congress)} == expected, j.username
        assert work_summary(j, w.congress).count_of("to_score") == len(expected)
    assert len(_sheet_todo(r, panel[0])) == 3 and len(_sheet_todo(r, panel[1])) == 4
    assert work_summary(outsider_judge, w.congress).count_of("to_score") == 0
    beta_judge = make_judge(w.other_congress, "beta_judge")
    assert work_summary(beta_judge, w.other_congress).count_of("to_score") == 0
    time_machine.move_to(daytime + datetime.timedelta(days=8))  # past the scoring deadline
    A.do_close_scoring(r, actor=w.admin)
    assert all(work_summary(j, w.congress).count_of("to_score") == 0 for j in judges)
