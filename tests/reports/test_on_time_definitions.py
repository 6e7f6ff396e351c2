"""按期答复率 and 按期交办率 as written in their definitions (issue #10), hand-counted.

- On-time reply: a re-handled suggestion (重新办理) is judged on its re-handling round only (the
  re-handling reply deadline), not on every round: late in round 1 and on time in round 2 is on
  time; on time in round 1 and late in round 2 is late; re-handling ordered but its deadline not
  come and no reply yet is not counted at all (its deadline has not come).
- On-time assignment: a suggestion whose assignment is not settled — a lead or split unit's request
  to be relieved (申请调整) waiting for a decision, or an approved request whose re-assignment has
  not been made and whose limit has not passed — is neither on time nor late: it is left out of
  both numerator and denominator until it is settled, unless an earlier assignment was already
  late (then it is late whatever happens).

Eight suggestions of 2025 driven through the real actions (the clock pinned by the Builder, see
tests/reports/conftest.py), judged as of 2025-12-31. Acceptance on 2025-03-03 (a Monday) gives an
assignment limit of 2025-03-10 (5 working days) and a reply target of 2025-04-03 (1 month).
"""

from __future__ import annotations

import datetime

import pytest

from minyi.congress.actions import do_update_policy, ensure_policy
from minyi.congress.models import Policy
from minyi.reports.figures import SPECS, Scope, compute_figures, figure_members, policy_of
from minyi.reports.league import unit_league
from minyi.suggestions import actions as A
from minyi.suggestions.models import Deadline

from .conftest import Builder, on
from .test_league import columns, recount

d = datetime.date
AS_OF = d(2025, 12, 31)
MARCH_3 = d(2025, 3, 3)


def request(b: Builder, s, unit, day: datetime.date) -> None:
    """The unit signs for receipt and asks to be relieved (申请调整) on `day`."""
    b.sign(s, unit, day)
    with on(day, 15):
        A.do_request_reassignment(
            b.current(s, unit), actor=b.staff_of(unit).handler, reason="不属于本单位职责"
        )


def approve(b: Builder, s, unit, day: datetime.date) -> None:
    with on(day, 16):
        A.do_approve_reassignment(b.current(s, unit), actor=b.w.clerk)


def make_cases(b: Builder) -> dict[str, object]:
    A_, B_ = b.w.unit_a, b.w.unit_b
    b.staff_of(A_), b.staff_of(B_)
    s = {}

    # R1 — the plain case: assigned and replied on time.
    s["R1"] = r = b.new(MARCH_3, title="R1")
    b.assign(r, MARCH_3, A_)
    b.handle(r, A_, d(2025, 3, 6))

    # R2 — round 1 replied late (05-20 > 04-03), 不满意, re-handled 05-22, round 2 replied on time.
    s["R2"] = r = b.new(MARCH_3, title="R2")
    b.assign(r, MARCH_3, A_)
    b.handle(r, A_, d(2025, 5, 20))
    b.evaluate(r, d(2025, 5, 21), "unsatisfied")
    b.rehandle(r, d(2025, 5, 22))
    b.handle(r, A_, d(2025, 5, 26))

    # R3 — round 1 on time, 不满意, re-handled 03-10 (due 04-10), round 2 replied late (05-20).
    s["R3"] = r = b.new(MARCH_3, title="R3")
    b.assign(r, MARCH_3, A_)
    b.handle(r, A_, d(2025, 3, 6))
    b.evaluate(r, d(2025, 3, 7), "unsatisfied")
    b.rehandle(r, d(2025, 3, 10))
    b.handle(r, A_, d(2025, 5, 20))

    # R4 — round 1 replied late, 不满意, re-handling ordered 12-22: the re-handling reply is due in
    # January 2026 and has not come — the suggestion's reply deadline has not come yet.
    s["R4"] = r = b.new(MARCH_3, title="R4")
    b.assign(r, MARCH_3, A_)
    b.handle(r, A_, d(2025, 5, 20))
    b.evaluate(r, d(2025, 5, 21), "unsatisfied")
    b.rehandle(r, d(2025, 12, 22))

    # R5 — assigned on time to A, which asks to be relieved the next day; nobody has decided.
    s["R5"] = r = b.new(MARCH_3, title="R5")
    b.assign(r, MARCH_3, A_)
    request(b, r, A_, d(2025, 3, 4))

    # R6 — A relieved 03-05, re-assigned to B 03-06 (limit 03-12), B replies on time.
    s["R6"] = r = b.new(MARCH_3, title="R6")
    b.assign(r, MARCH_3, A_)
    request(b, r, A_, d(2025, 3, 4))
    approve(b, r, A_, d(2025, 3, 5))
    b.assign(r, d(2025, 3, 6), B_)
    b.handle(r, B_, d(2025, 3, 10))

    # R7 — accepted and assigned 12-15, A relieved 12-24: the re-assignment limit is 12-31 (the
    # judging day itself, still within time) and it has not been made yet.
    s["R7"] = r = b.new(d(2025, 12, 15), title="R7")
    b.assign(r, d(2025, 12, 15), A_)
    request(b, r, A_, d(2025, 12, 16))
    approve(b, r, A_, d(2025, 12, 24))

    # R8 — assigned late (03-20 > 03-10), then A asks to be relieved; nobody has decided.
    s["R8"] = r = b.new(MARCH_3, title="R8")
    b.assign(r, d(2025, 3, 20), A_)
    request(b, r, A_, d(2025, 3, 21))
    return s


@pytest.fixture
def build_(build) -> Builder:  # the reports Builder (tests/reports/conftest.py)
    return build


@pytest.fixture
def cases(build_: Builder):
    return make_cases(build_)


#: The hand count: figure → (numerator members, denominator members).
HAND = {
    "on_time_assignment_rate": (
        # R1 R2 R3 R4 assigned once, on time; R6 assigned on time and re-assigned within the limit
        {"R1", "R2", "R3", "R4", "R6"},
        # … and R8, assigned late. Not R5 (request pending) nor R7 (re-assignment not made, limit
        # not passed): not settled, so neither on time nor late.
        {"R1", "R2", "R3", "R4", "R6", "R8"},
    ),
    "on_time_reply_rate": (
        # R1 on time; R2 on time in its last round (round 1 no longer counts); R6 B on time
        {"R1", "R2", "R6"},
        # … and R3 (late in its last round), R5 and R8 (A holds them, the reply target passed).
        # Not R4 (its re-handling reply is not due yet), nor R7 (no unit holds it).
        {"R1", "R2", "R3", "R5", "R6", "R8"},
    ),
    "on_time_reply_statutory_rate": (
        # the statutory limit (3 months after 交办) exists in round 1 only: R2 R4 replied 05-20
        # before 06-03; R5 R8 still open past it
        {"R1", "R2", "R3", "R4", "R6"},
        {"R1", "R2", "R3", "R4", "R5", "R6", "R8"},
    ),
}


def scope(**kw) -> Scope:
    return Scope.year(2025, as_of=AS_OF, **kw)


def titles(qs) -> set[str]:
    return {s.title for s in qs}


def test_the_scenario_is_what_the_comments_say(cases):
    """The dates the hand count relies on, as the actions recorded them."""
    r7 = cases["R7"]
    assign = Deadline.objects.filter(suggestion=r7, kind=Deadline.Kind.ASSIGN).order_by("id")
    assert [(x.due_on, x.closed_on_time) for x in assign] == [(d(2025, 12, 22), True), (AS_OF, None)]
    r4 = Deadline.objects.get(suggestion=cases["R4"], kind=Deadline.Kind.REHANDLE_REPLY)
    assert r4.due_on > AS_OF and r4.closed_at is None
    r2 = Deadline.objects.get(suggestion=cases["R2"], kind=Deadline.Kind.REPLY)
    assert (r2.due_on, r2.closed_on_time) == (d(2025, 4, 3), False)
    assert Deadline.objects.get(suggestion=cases["R2"], kind=Deadline.Kind.REHANDLE_REPLY).closed_on_time
    assert Deadline.objects.get(suggestion=cases["R3"], kind=Deadline.Kind.REPLY).closed_on_time
    assert not Deadline.objects.get(suggestion=cases["R3"], kind=Deadline.Kind.REHANDLE_REPLY).closed_on_time


def test_figures_and_drill_downs_follow_the_written_definitions(cases, build_):
    congress = build_.w.congress
    figures = compute_figures(congress, scope())
    for key, (numerator, denominator) in HAND.items():
        figure = figures[key]
        assert (figure.numerator, figure.denominator) == (len(numerator), len(denominator)), key
        assert titles(figure_members(congress, scope(), key, "numerator")) == numerator, key
        assert titles(figure_members(congress, scope(), key, "denominator")) == denominator, key


def test_the_unit_filter_and_the_league_agree_with_the_hand_count(cases, build_):
    congress, unit_a, unit_b = build_.w.congress, build_.w.unit_a, build_.w.unit_b
    # A's items: R1 R2 R3 R4 R5 R8 (relieved of R6 and R7). A's reply is on time in R1 and in R2's
    # last round; late in R3's last round; R5 R8 past the target; R4 not due in its last round.
    expected_a = (2, 5)
    figures = compute_figures(congress, scope(unit=unit_a.pk))
    assert (figures["on_time_reply_rate"].numerator, figures["on_time_reply_rate"].denominator) == expected_a
    assert titles(figure_members(congress, scope(unit=unit_a.pk), "on_time_reply_rate")) == {"R1", "R2"}
    league = unit_league(congress, scope(), min_count=1)
    a, b = league.row_for(unit_a.pk), league.row_for(unit_b.pk)
    assert a.assigned == 6 and b.assigned == 1
    assert (a.rates["reply_on_time"].numerator, a.rates["reply_on_time"].denominator) == expected_a
    assert (b.rates["reply_on_time"].numerator, b.rates["reply_on_time"].denominator) == (1, 1)  # R6
    # the item-by-item recount of tests/reports/test_league.py agrees too
    assert columns(league) == recount(congress, scope(), policy_of(congress))


def test_once_the_limits_pass_the_unsettled_ones_count_as_late(cases, build_):
    """Judged later: R7's re-assignment limit (12-31) has passed without a re-assignment, and R4's
    re-handling reply (due 2026-01-22) has not come — both now count as late."""
    congress = build_.w.congress
    later = Scope.year(2025, as_of=d(2026, 2, 27))
    figures = compute_figures(congress, later)
    assignment, reply = figures["on_time_assignment_rate"], figures["on_time_reply_rate"]
    assert (assignment.numerator, assignment.denominator) == (5, 7)  # + R7, late
    assert titles(figure_members(congress, later, "on_time_assignment_rate", "denominator")) == (
        HAND["on_time_assignment_rate"][1] | {"R7"}
    )
    assert (reply.numerator, reply.denominator) == (3, 7)  # + R4, late in its re-handling round
    assert titles(figure_members(congress, later, "on_time_reply_rate", "denominator")) == (
        HAND["on_time_reply_rate"][1] | {"R4"}
    )
    # R5 stays out of the assignment rate for as long as its request waits for a decision
    assert "R5" not in titles(figure_members(congress, later, "on_time_assignment_rate", "denominator"))


@pytest.mark.parametrize(
    ("definition", "no_feedback_excluded"),
    [
        (Policy.CompletionDefinition.CLOSED, True),
        (Policy.CompletionDefinition.CLOSED_SATISFIED, False),
        (Policy.CompletionDefinition.CLOSED_COMMITMENTS, True),
    ],
)
def test_counts_equal_drill_downs_and_the_league_its_recount(cases, build_, definition, no_feedback_excluded):
    """The count/list equality and the league recount of test_figures.py / test_league.py (which
    run every policy over the hand-counted year), over this scenario of re-handling and
    re-assignment, on several judging days."""
    congress, w = build_.w.congress, build_.w
    do_update_policy(
        ensure_policy(congress),
        actor=w.admin,
        changes={"completion_definition": definition, "no_feedback_excluded": no_feedback_excluded},
    )
    policy = policy_of(congress)
    for sc in (
        scope(),
        scope(unit=w.unit_a.pk),
        scope(unit=w.unit_b.pk),
        Scope.year(2025, as_of=d(2025, 3, 5)),
        Scope.year(2025, as_of=d(2025, 4, 15)),
        Scope.year(2025, as_of=d(2026, 2, 27)),
    ):
        figures = compute_figures(congress, sc)
        for spec in SPECS:
            if spec.counts != "suggestions":
                continue
            figure = figures[spec.key]
            assert figure_members(congress, sc, spec.key).count() == figure.numerator, (sc, spec.key)
            if spec.rate:
                den = figure_members(congress, sc, spec.key, "denominator").count()
                assert den == figure.denominator, (sc, spec.key)
        assert columns(unit_league(congress, sc, min_count=1, policy=policy)) == recount(
            congress, sc, policy
        ), sc
