"""The unit league table: Wilson intervals against published values, ranking by the lower bound,
the minimum-count rule, hand counts per unit, and agreement with the congress figures."""

from __future__ import annotations

import datetime
import math

import pytest
from django.db.models import OuterRef, Q
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from minyi.congress.models import Unit
from minyi.reports.figures import (
    LOCAL_REPLY_DEADLINES,
    Scope,
    UnitWork,
    compute_figures,
    figure_members,
    policy_of,
    resolved_classes,
)
from minyi.reports.league import Rate, unit_league, wilson_interval
from minyi.suggestions.models import Assignment, Deadline
from minyi.suggestions.states import AssignmentState, ContactState
from tests.factories import BodyFactory

from .conftest import on
from .scenario import AS_OF, build_year

d = datetime.date


# --- Wilson score interval -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe RG (1998), Two-sided confidence intervals for the single proportion, Statistics
        # in Medicine 17:857–872, Table I, method 3 (score interval without continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # Small samples as on the league page
        (2, 2, 0.3424, 1.0),
        (5, 5, 0.5655, 1.0),
        (9, 10, 0.5958, 0.9821),
        (38, 40, 0.8350, 0.9862),
    ],
)
def test_wilson_interval_matches_published_values(successes, n, low, high):
    lo, hi = wilson_interval(successes, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_interval_edges():
    assert wilson_interval(0, 0) is None
    assert wilson_interval(0, 5)[0] == 0.0
    assert wilson_interval(5, 5)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(6, 5)
    assert Rate(0, 0).value is None and Rate(0, 0).low is None and Rate(0, 0).high is None
    assert Rate(1, 2).as_dict()["value"] == 0.5


@given(st.integers(min_value=1, max_value=2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_estimate_and_is_symmetric(pair):
    successes, n = pair
    lo, hi = wilson_interval(successes, n)
    p = successes / n
    assert 0 <= lo <= p <= hi <= 1
    mirror_lo, mirror_hi = wilson_interval(n - successes, n)
    assert math.isclose(lo, 1 - mirror_hi, abs_tol=1e-12)
    assert math.isclose(hi, 1 - mirror_lo, abs_tol=1e-12)


# --- ranking -----------------------------------------------------------------------------------------


@pytest.fixture
def units(build):
    """P: 5 model items. Q: 10 items — one replied 75 days late, one re-handled and again 不满意.
    R: 2 model items. S: 6 items signed and then left alone."""
    b, day = build, d(2025, 3, 3)
    P, Q, R, S = (b.unit(name) for name in ("P局", "Q局", "R局", "S局"))
    for _ in range(5):
        b.full(day, P)
    for _ in range(8):
        b.full(day, Q)
    b.full(day, Q, late_reply=True)
    s = b.new(day, title="重办件")
    b.assign(s, day, Q)
    b.handle(s, Q, d(2025, 3, 6))
    b.evaluate(s, d(2025, 3, 7), "unsatisfied")
    b.rehandle(s, d(2025, 3, 10))
    b.handle(s, Q, d(2025, 3, 12))
    b.evaluate(s, d(2025, 3, 13), "unsatisfied")
    for _ in range(2):
        b.full(day, R)
    for _ in range(6):
        s = b.new(day)
        b.assign(s, day, S)
        b.sign(s, S, d(2025, 3, 4))
    return {"P": P, "Q": Q, "R": R, "S": S}


def scope() -> Scope:
    return Scope.year(2025, as_of=AS_OF)


def test_units_are_ranked_by_the_lower_bound_and_small_ones_set_apart(build, units):
    league = unit_league(build.w.congress, scope())
    # Q (9 of 10, low 0.596) ranks above P (5 of 5, low 0.566); S has no evaluation yet
    assert [(r.name, r.rank) for r in league.ranked] == [("Q局", 1), ("P局", 2), ("S局", None)]
    assert [r.name for r in league.insufficient] == ["R局"]  # 2 items < 5: 样本不足
    q, p = league.ranked[0], league.ranked[1]
    assert (q.rates["satisfaction"].numerator, q.rates["satisfaction"].denominator) == (9, 10)
    assert q.rates["satisfaction"].low == pytest.approx(0.5958, abs=5e-5)
    assert p.rates["satisfaction"].value == 1.0
    assert p.rates["satisfaction"].low == pytest.approx(0.5655, abs=5e-5)
    assert league.row_for(units["R"].pk).rank is None


def test_a_lower_minimum_lets_small_units_in_but_below_larger_ones(build, units):
    league = unit_league(build.w.congress, scope(), min_count=2)
    # R's 2 of 2 (low 0.342) is 100% but ranks below both P and Q
    assert [r.name for r in league.ranked] == ["Q局", "P局", "R局", "S局"]
    assert league.insufficient == []


def test_ranking_by_another_rate(build, units):
    league = unit_league(build.w.congress, scope(), rank_by="sign_on_time")
    # S signed all 6 on time (low 0.610), Q 9 of 10 (one signed 75 days late), P 5 of 5
    assert [
        (r.name, r.rates["sign_on_time"].numerator, r.rates["sign_on_time"].denominator)
        for r in league.ranked
    ] == [
        ("S局", 6, 6),
        ("Q局", 9, 10),
        ("P局", 5, 5),
    ]
    with pytest.raises(ValueError):
        unit_league(build.w.congress, scope(), rank_by="popularity")


def test_every_column_of_every_unit_equals_the_hand_count(build, units):
    league = unit_league(build.w.congress, scope())
    got = {
        row.name: (
            row.assigned,
            {k: (r.numerator, r.denominator) for k, r in row.rates.items()},
            row.first_contact_days,
            row.rehandled,
            row.overdue,
            row.late,
        )
        for row in league.rows
    }
    assert got == {
        "P局": (
            5,
            {
                "sign_on_time": (5, 5),
                "first_contact_on_time": (5, 5),
                "reply_on_time": (5, 5),
                "contact": (5, 5),
                "satisfaction": (5, 5),
                "resolution": (5, 5),
            },
            3.0,  # every first contact three days after 交办
            0,
            0,
            0,
        ),
        "Q局": (
            10,
            {
                "sign_on_time": (9, 10),  # the late one was signed 75 days after 交办
                "first_contact_on_time": (9, 10),
                "reply_on_time": (9, 10),  # the re-handled one replied on time in both rounds
                "contact": (10, 10),
                "satisfaction": (9, 10),  # the re-handled one: 不满意 again in the final round
                "resolution": (10, 10),
            },
            (8 * 3 + 75 + 3) / 10,
            1,
            0,
            1,
        ),
        "R局": (
            2,
            {
                k: (2, 2)
                for k in (
                    "sign_on_time",
                    "first_contact_on_time",
                    "reply_on_time",
                    "contact",
                    "satisfaction",
                    "resolution",
                )
            },
            3.0,
            0,
            0,
            0,
        ),
        "S局": (
            6,
            {
                "sign_on_time": (6, 6),
                "first_contact_on_time": (0, 6),  # never contacted: every deadline has passed
                "reply_on_time": (0, 6),
                "contact": (0, 0),
                "satisfaction": (0, 0),
                "resolution": (0, 0),
            },
            None,
            0,
            6,  # all six overdue now
            6,
        ),
    }


def test_an_unsigned_item_counts_against_signing_once_the_window_has_passed(build):
    T = build.unit("T局")
    s = build.new(d(2025, 3, 3))
    build.assign(s, d(2025, 3, 3), T)
    early = unit_league(build.w.congress, Scope.year(2025, as_of=d(2025, 3, 5)), min_count=1).rows[0]
    assert (early.rates["sign_on_time"].numerator, early.rates["sign_on_time"].denominator) == (0, 0)
    late = unit_league(build.w.congress, Scope.year(2025, as_of=d(2025, 4, 1)), min_count=1).rows[0]
    assert (late.rates["sign_on_time"].numerator, late.rates["sign_on_time"].denominator) == (0, 1)
    # the window's last day is still within time: only the day after counts the item against signing
    window = Assignment.objects.get(suggestion=s).deadlines.get(kind=Deadline.Kind.REASSIGN_WINDOW)
    for day, due in ((window.due_on, 0), (window.due_on + datetime.timedelta(days=1), 1)):
        row = unit_league(build.w.congress, Scope.year(2025, as_of=day), min_count=1).rows[0]
        assert row.rates["sign_on_time"].denominator == due, day


def test_a_relieved_unit_loses_the_item_and_its_replacement_gets_it(build):
    T, U = build.unit("T局"), build.unit("U局")
    s = build.new(d(2025, 3, 3))
    build.assign(s, d(2025, 3, 3), T)
    build.sign(s, T, d(2025, 3, 4))
    from minyi.suggestions import actions as A

    with on(d(2025, 3, 5)):
        A.do_request_reassignment(
            build.current(s, T), actor=build.staff_of(T).handler, reason="不属于本单位职责"
        )
        A.do_approve_reassignment(build.current(s, T), actor=build.w.clerk)
    build.assign(s, d(2025, 3, 6), U)
    league = unit_league(build.w.congress, Scope.year(2025, as_of=AS_OF), min_count=1)
    assert [(r.name, r.assigned) for r in league.rows] == [("U局", 1)]
    # the re-assignment was within the limit: the suggestion was assigned on time both times
    figures = compute_figures(build.w.congress, Scope.year(2025, as_of=AS_OF))
    assert (figures["on_time_assignment_rate"].numerator, figures["on_time_assignment_rate"].denominator) == (
        1,
        1,
    )


#: League rates whose definition is the congress figure's, narrowed to the unit.
SAME_AS_FIGURES = {
    "reply_on_time": "on_time_reply_rate",
    "contact": "contact_rate",
    "satisfaction": "satisfaction_rate",
    "resolution": "resolution_rate",
}


def test_the_league_agrees_with_the_congress_figures_filtered_to_each_unit(build):
    build_year(build)
    congress = build.w.congress
    league = unit_league(congress, scope(), min_count=1)
    pairs = SAME_AS_FIGURES
    for row in league.rows:
        figures = compute_figures(congress, scope().with_(unit=row.unit_id))
        assert row.assigned == figures["suggestions"].numerator
        for rate_key, figure_key in pairs.items():
            rate, figure = row.rates[rate_key], figures[figure_key]
            assert (rate.numerator, rate.denominator) == (figure.numerator, figure.denominator), (
                row.name,
                rate_key,
            )
        if row.unit_id == build.w.unit_a.pk:  # a co-unit re-handles too but is never rated itself
            assert row.rehandled == figures["rehandling_rate"].numerator
        assert row.overdue == figures["overdue"].numerator
    a = league.row_for(build.w.unit_a.pk)
    assert (a.assigned, a.first_contact_days, a.rehandled, a.overdue, a.late) == (4, 4.0, 1, 1, 2)
    b = league.row_for(build.w.unit_b.pk)
    # B's first non-disputed contact came 8 days after 交办 (the disputed visit does not count)
    assert (b.assigned, b.first_contact_days, b.rehandled, b.overdue, b.late) == (2, 8.0, 1, 0, 1)


def test_league_filters_and_serialisation(build, units):
    congress = build.w.congress
    only_p = unit_league(congress, scope().with_(unit=units["P"].pk))
    assert [r.name for r in only_p.rows] == ["P局"]
    by_body = unit_league(congress, scope().with_(body=build.w.gov.pk))
    assert {r.name for r in by_body.rows} == {"P局", "Q局", "R局", "S局"}
    empty = unit_league(congress, Scope.year(2030))
    assert empty.rows == []
    data = unit_league(congress, scope()).as_dict()
    assert data["ranked"][0]["name"] == "Q局" and data["ranked"][0]["satisfaction"]["low"] == pytest.approx(
        0.5958, abs=5e-5
    )
    assert data["insufficient"][0]["name"] == "R局"
    assert "Wilson" in data["definitions"]["rank"]


# --- independent recount -----------------------------------------------------------------------------


def _same_unit(prefix: str) -> Q:
    return Q(**{f"{prefix}unit_id": OuterRef("unit_id")}) & ~Q(
        **{f"{prefix}state": AssignmentState.CANCELLED}
    )


def recount(congress, scope: Scope, policy) -> dict[str, tuple]:
    """unit name → every column of the league, counted item by item another way: each unit's items
    found from the congress figures' drill-down (`figure_members(…, "suggestions")` with the scope
    narrowed to the unit), each item's facts read with `UnitWork`'s correlated EXISTS (one per
    assignment row: not the grouped reads), signing and the first contact from the item's own rows
    in Python; the rates combined here from their definitions."""
    nf = not policy.no_feedback_excluded
    w = UnitWork(OuterRef("suggestion_id"), _same_unit, scope.today, congress)
    contact = [Deadline.Kind.FIRST_CONTACT]
    facts = {
        "contact_met": w.met(contact),
        "contact_missed": w.missed(contact),
        # judged in the suggestion's last round of reply deadlines (重新办理: the re-handling round)
        "reply_met": w.met(LOCAL_REPLY_DEADLINES, last_round=True),
        "reply_missed": w.missed(LOCAL_REPLY_DEADLINES, last_round=True),
        "replied": w.replied(),
        "face_to_face": w.face_to_face(),
        "evaluated": w.evaluated(final=True, count_no_feedback=nf),
        "not_satisfied": w.not_satisfied(final=True, count_no_feedback=nf),
        "unresolved": w.final_reply_outside(resolved_classes()),
        "rehandled": w.rehandled(),
        "overdue": w.overdue_now(),
        "late": w.ever_late(),
    }
    units = Unit.objects.filter(congress=congress)
    if scope.unit is not None:
        units = units.filter(pk=scope.unit)
    got = {}
    for unit in units:
        members = figure_members(congress, scope.with_(unit=unit.pk), "suggestions", policy=policy)
        items = list(
            Assignment.objects.filter(unit=unit, round=1, suggestion__in=members)
            .exclude(state=AssignmentState.CANCELLED)
            .annotate(**facts)
        )
        if not items:
            continue
        counts = {key: [0, 0] for key in ("sign", "fc", "reply", "contact", "sat", "res")}
        days, extra = [], [0, 0, 0]

        def add(key, num, den, counts=counts):
            counts[key][0] += bool(num)
            counts[key][1] += bool(den)

        for a in items:
            window = a.deadlines.filter(kind=Deadline.Kind.REASSIGN_WINDOW).order_by("id").first()
            signed = timezone.localdate(a.signed_at) if a.signed_at else None
            add(
                "sign",
                signed and window and signed <= window.due_on,
                signed or (window and window.due_on < scope.today),
            )
            add("fc", a.contact_met and not a.contact_missed, a.contact_met or a.contact_missed)
            add("reply", a.reply_met and not a.reply_missed, a.reply_met or a.reply_missed)
            add("contact", a.replied and a.face_to_face, a.replied)
            add("sat", a.evaluated and not a.not_satisfied, a.evaluated)
            add("res", a.replied and not a.unresolved, a.replied)
            first = a.contacts.exclude(state=ContactState.DISPUTED).order_by("contacted_on", "id").first()
            if first:
                days.append((first.contacted_on - a.assigned_on).days)
            for i, fact in enumerate((a.rehandled, a.overdue, a.late)):
                extra[i] += bool(fact)
        got[unit.name] = (
            len(items),
            tuple(map(tuple, counts.values())),
            pytest.approx(sum(days) / len(days)) if days else None,
            *extra,
        )
    return got


def columns(league) -> dict[str, tuple]:
    keys = ("sign_on_time", "first_contact_on_time", "reply_on_time", "contact", "satisfaction", "resolution")
    return {
        row.name: (
            row.assigned,
            tuple((row.rates[k].numerator, row.rates[k].denominator) for k in keys),
            row.first_contact_days,
            row.rehandled,
            row.overdue,
            row.late,
        )
        for row in league.rows
    }


@pytest.mark.parametrize("no_feedback_excluded", [True, False])
def test_the_league_equals_an_item_by_item_recount_in_every_scope(build, units, no_feedback_excluded):
    build_year(build)
    congress = build.w.congress
    court = BodyFactory(congress=congress, body_code=Unit.BodyCode.COURT)
    judge = build.unit("甲区法院执行局", parent=court)
    build.full(d(2025, 4, 1), judge, overall="unsatisfied", result="C")
    build.full(d(2025, 4, 2), judge)
    policy = policy_of(congress)
    policy.no_feedback_excluded = no_feedback_excluded
    year = scope()
    scopes = [
        year,
        year.with_(unit=build.w.unit_a.pk),
        year.with_(unit=units["Q"].pk),
        year.with_(body=build.w.gov.pk),
        year.with_(body=court.pk),
        year.with_(as_of=d(2025, 3, 20)),  # deadlines still open, S2 and S3 half done
        year.with_(as_of=d(2025, 5, 10), body=build.w.gov.pk),
        Scope.between(d(2025, 3, 4), d(2025, 3, 31), as_of=AS_OF),
    ]
    seen = set()
    for sc in scopes:
        league = unit_league(congress, sc, min_count=1, policy=policy)
        expected = recount(congress, sc, policy)
        assert columns(league) == expected, sc
        seen |= set(expected)
        # the congress figures' drill-down lists where the definitions coincide
        pairs = SAME_AS_FIGURES
        for row in league.rows:
            unit_scope = sc.with_(unit=row.unit_id)
            for rate_key, figure_key in pairs.items():
                rate = row.rates[rate_key]
                members = [
                    figure_members(congress, unit_scope, figure_key, part, policy=policy).count()
                    for part in ("numerator", "denominator")
                ]
                assert [rate.numerator, rate.denominator] == members, (sc, row.name, rate_key)
    assert seen >= {"P局", "Q局", "R局", "S局", "甲区法院执行局", build.w.unit_a.name, build.w.unit_b.name}
