"""Every figure against the hand count of tests/reports/scenario.py, the drill-down lists against
the hand-counted members, the policy variants, the filters and the scopes."""

from __future__ import annotations

import datetime

import pytest

from minyi.congress.actions import do_update_policy, ensure_policy
from minyi.congress.models import Policy, Session, Term
from minyi.reports.figures import (
    SPECS,
    Scope,
    compute_figures,
    figure_commitments,
    figure_deputies,
    figure_members,
)
from tests.factories import CongressFactory

from .scenario import AS_OF, EXPECTED, MEMBERS, Year, as_value, build_year

d = datetime.date


@pytest.fixture
def year(build) -> Year:
    return build_year(build)


def parts(figure):
    return (figure.numerator, figure.denominator) if figure.denominator is not None else figure.numerator


def names(qs, year: Year | None = None) -> set[str]:
    """Suggestion titles, or deputy keys for deputies."""
    rows = list(qs)
    if rows and hasattr(rows[0], "in_office_from"):
        keys = {dep.pk: key for key, dep in year.deputies.items()}
        return {keys[row.pk] for row in rows}
    return {row.title for row in rows}


def scope(**kw) -> Scope:
    return Scope.year(2025, as_of=AS_OF, **kw)


def test_every_figure_equals_the_hand_count(year, build):
    figures = compute_figures(build.w.congress, scope())
    assert [f.key for f in figures] == [spec.key for spec in SPECS]
    assert {f.key: parts(f) for f in figures} == EXPECTED
    for f in figures:
        assert f.value == as_value(EXPECTED[f.key]), f.key
        assert f.definition and f.label
    # rates are unrounded fractions
    assert figures["participation_rate"].value == 4 / 6
    assert figures["satisfaction_rate"].value == 1.0
    assert figures["participation_rate"].percent == pytest.approx(66.6667, abs=1e-3)


def test_every_drill_down_list_is_the_hand_counted_set(year, build):
    congress = build.w.congress
    figures = compute_figures(congress, scope())
    for spec in SPECS:
        numerator, denominator = MEMBERS[spec.key]
        for part, expected in (("numerator", numerator), ("denominator", denominator)):
            if expected is None:
                with pytest.raises(ValueError):
                    figure_members(congress, scope(), spec.key, part)
                continue
            if spec.counts == "deputies":
                rows = figure_deputies(congress, scope(), spec.key, part)
                with pytest.raises(ValueError):
                    figure_members(congress, scope(), spec.key, part)
            else:
                rows = figure_members(congress, scope(), spec.key, part)
            assert names(rows, year) == expected, (spec.key, part)
            figure = figures[spec.key]
            if spec.counts != "commitments":  # commitments count items; the list shows their suggestions
                assert rows.count() == (figure.numerator if part == "numerator" else figure.denominator)


def test_commitment_drill_down_lists_the_counted_commitments(year, build):
    congress = build.w.congress
    figure = compute_figures(congress, scope())["commitment_fulfilment_rate"]
    fulfilled = figure_commitments(congress, scope(), "commitment_fulfilment_rate", "numerator")
    due = figure_commitments(congress, scope(), "commitment_fulfilment_rate", "denominator")
    assert fulfilled.count() == figure.numerator == 1
    assert due.count() == figure.denominator == 2
    assert {(c.reply.assignment.suggestion.title, c.due_on, c.state) for c in due} == {
        ("S2", d(2025, 6, 30), "fulfilled"),
        ("S3", d(2025, 9, 30), "open"),
    }
    # the second commitment of S2 (due 2026-03-31) counts once it is due
    later = compute_figures(congress, Scope.year(2025, as_of=d(2026, 4, 1)))["commitment_fulfilment_rate"]
    assert (later.numerator, later.denominator) == (1, 3)


def test_unknown_figures_and_parts_are_refused(year, build):
    congress = build.w.congress
    with pytest.raises(KeyError):
        figure_members(congress, scope(), "no_such_figure")
    with pytest.raises(ValueError):
        figure_members(congress, scope(), "satisfaction_rate", "sideways")
    with pytest.raises(ValueError):
        figure_deputies(congress, scope(), "satisfaction_rate")
    with pytest.raises(ValueError):
        figure_commitments(congress, scope(), "satisfaction_rate")


# --- policy variants -------------------------------------------------------------------------------


def test_no_feedback_counted_as_not_satisfied_when_the_policy_says_so(year, build):
    policy = ensure_policy(build.w.congress)
    do_update_policy(policy, actor=build.w.admin, changes={"no_feedback_excluded": False})
    figures = compute_figures(build.w.congress, scope())
    # S3's unit B never rated: now it counts, as not satisfied
    assert parts(figures["satisfaction_rate"]) == (2, 3)
    assert parts(figures["first_round_satisfaction_rate"]) == (1, 3)
    assert parts(figures["rehandling_rate"]) == (1, 3)  # only ratings can lead to re-handling
    assert "计入分母" in figures["satisfaction_rate"].definition
    assert names(figure_members(build.w.congress, scope(), "satisfaction_rate")) == {"S1", "S2"}
    assert figures.no_feedback_excluded is False


@pytest.mark.parametrize(
    ("definition", "expected", "members"),
    [
        (Policy.CompletionDefinition.CLOSED, (3, 6), {"S1", "S2", "S3"}),
        # S3 has a no-feedback reply, so it is not "satisfied"
        (Policy.CompletionDefinition.CLOSED_SATISFIED, (2, 6), {"S1", "S2"}),
        # S2 still has an open commitment (due 2026), S3 an open overdue one
        (Policy.CompletionDefinition.CLOSED_COMMITMENTS, (1, 6), {"S1"}),
    ],
)
def test_completion_follows_the_policys_definition(year, build, definition, expected, members):
    policy = ensure_policy(build.w.congress)
    do_update_policy(policy, actor=build.w.admin, changes={"completion_definition": definition})
    figures = compute_figures(build.w.congress, scope())
    assert parts(figures["completion_rate"]) == expected
    assert names(figure_members(build.w.congress, scope(), "completion_rate")) == members
    assert figures.completion_definition == definition
    assert figures["completion_rate"].definition.endswith("÷ 立案建议数。")


def test_a_congress_without_a_policy_row_reads_the_defaults_and_creates_nothing(db):
    congress = CongressFactory(code="nopolicy")
    figures = compute_figures(congress, Scope.year(2025))
    assert figures.completion_definition == Policy.CompletionDefinition.CLOSED
    assert figures.no_feedback_excluded is True
    assert not Policy.objects.filter(congress=congress).exists()


# --- filters ---------------------------------------------------------------------------------------


def test_unit_filter_narrows_suggestions_and_the_unit_work_looked_at(year, build):
    congress, unit_b = build.w.congress, build.w.unit_b
    figures = compute_figures(congress, scope(unit=unit_b.pk))
    assert {f.key: parts(f) for f in figures} == {
        "suggestions": 2,  # S2 (co-unit, both rounds), S3 (split)
        "submitted": 2,
        "declined": 0,
        "merged": 0,
        "withdrawn": 0,
        "deputies_in_office": 6,
        "participating_deputies": 2,  # d1 (S2), d3 (S3)
        "participation_rate": (2, 6),
        "grassroots_share": (1, 2),  # S3
        "on_time_assignment_rate": (1, 2),  # S3; S2 was assigned late
        "on_time_reply_rate": (0, 1),  # only B's own reply deadline (S3), missed; co-units have none
        "on_time_reply_statutory_rate": (1, 1),
        "contact_rate": (0, 1),  # B's only visit was disputed
        "completion_rate": (2, 2),
        "satisfaction_rate": (0, 0),  # B's reply got no feedback (excluded)
        "first_round_satisfaction_rate": (0, 0),
        "rehandling_rate": (0, 0),
        "resolution_rate": (0, 1),  # B answered class C
        "resolution_or_plan_rate": (0, 1),
        "commitment_fulfilment_rate": (0, 1),  # S3's, open and overdue
        "overdue": 0,
    }
    assert figures["satisfaction_rate"].value is None
    assert names(figure_members(congress, scope(unit=unit_b.pk), "on_time_reply_rate", "denominator")) == {
        "S3"
    }


def test_unit_a_on_time_replies(year, build):
    figures = compute_figures(build.w.congress, scope(unit=build.w.unit_a.pk))
    # A: S1 on time, S2 on time in its re-handling round (its first reply was late), S3 on time,
    # S4 overdue
    assert parts(figures["on_time_reply_rate"]) == (3, 4)
    assert parts(figures["satisfaction_rate"]) == (3, 3)
    assert parts(figures["resolution_rate"]) == (2, 3)  # S1, S3 (A's own reply is class A)
    assert parts(figures["overdue"]) == 1  # S4


def test_body_filter_includes_suggestions_forwarded_to_the_body(year, build):
    figures = compute_figures(build.w.congress, scope(body=build.w.gov.pk))
    assert figures["suggestions"].numerator == 5  # S1–S4 assigned to its units, S5 forwarded to it
    assert names(figure_members(build.w.congress, scope(body=build.w.gov.pk), "suggestions")) == {
        "S1",
        "S2",
        "S3",
        "S4",
        "S5",
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "session"}, {"S1"}),
        ({"kind": "interim"}, {"S2", "S3", "S4", "S5", "S6"}),
        ({"theme": "theme"}, {"S1", "S3"}),
        ({"category": "category"}, {"S1"}),
        ({"category": "other_category"}, {"S2", "S3", "S4", "S5", "S6"}),
        ({"channel": "online"}, {"S2", "S5"}),
        ({"channel": "grassroots"}, {"S1", "S3", "S4", "S6"}),
    ],
)
def test_taxonomy_and_kind_filters(year, build, filters, expected):
    values = {k: (getattr(build.taxa, v).pk if k != "kind" else v) for k, v in filters.items()}
    figures = compute_figures(build.w.congress, scope(**values))
    assert figures["suggestions"].numerator == len(expected)
    assert names(figure_members(build.w.congress, scope(**values), "suggestions")) == expected


def test_a_channel_filter_makes_the_grassroots_share_all_or_nothing(year, build):
    grassroots = compute_figures(build.w.congress, scope(channel=build.taxa.grassroots.pk))
    online = compute_figures(build.w.congress, scope(channel=build.taxa.online.pk))
    assert parts(grassroots["grassroots_share"]) == (4, 4)
    assert parts(online["grassroots_share"]) == (0, 2)


# --- scopes ----------------------------------------------------------------------------------------


def test_empty_scopes(year, build):
    congress = build.w.congress
    figures = compute_figures(congress, Scope.year(2030, as_of=d(2030, 12, 31)))
    for f in figures:
        if f.key in ("deputies_in_office", "participating_deputies", "participation_rate"):
            continue
        assert f.numerator == 0, f.key
        if f.is_rate:
            assert f.denominator == 0 and f.value is None, f.key
    # deputies with no end date are still in office in 2030; none took part
    assert parts(figures["participation_rate"]) == (0, 5)
    assert figures["participation_rate"].value == 0.0
    # a congress with nobody at all: every rate is None
    empty = compute_figures(CongressFactory(code="empty"), Scope.year(2025))
    assert all(f.value is None for f in empty if f.is_rate)
    assert all(f.value == 0 for f in empty if not f.is_rate)


def test_a_year_before_the_data_and_the_previous_year(year, build):
    figures = compute_figures(build.w.congress, Scope.year(2024, as_of=AS_OF))
    assert figures["suggestions"].numerator == 0
    # d4 (term ended 2024-12-31) and the others were in office in 2024; d5 (from 2025-10) was not
    assert figures["deputies_in_office"].numerator == 6
    assert names(figure_deputies(build.w.congress, Scope.year(2024), "deputies_in_office"), year) == {
        "d1",
        "d2",
        "d3",
        "d4",
        "d6",
        "d7",
    }


def test_a_date_range_cuts_by_the_day_of_acceptance(year, build):
    march = Scope.between(d(2025, 3, 1), d(2025, 3, 31), as_of=AS_OF)
    assert names(figure_members(build.w.congress, march, "suggestions")) == {"S1", "S2", "S3"}
    assert names(figure_members(build.w.congress, march, "merged")) == {"S14"}  # S8 merged in June
    assert names(figure_members(build.w.congress, march, "withdrawn")) == {"S7"}
    one_day = Scope.between(d(2025, 3, 4), d(2025, 3, 4), as_of=AS_OF)
    assert names(figure_members(build.w.congress, one_day, "suggestions")) == {"S3"}
    with pytest.raises(ValueError):
        Scope.between(d(2025, 3, 5), d(2025, 3, 4))


def test_the_year_boundary_is_midnight_in_the_congress_time_zone(build):
    late = build.new(d(2024, 12, 31), hour=23, minute=30, title="跨年前")
    early = build.new(d(2025, 1, 1), hour=0, minute=30, title="跨年后")
    assert late.accepted_at.year == 2024 and early.accepted_at.astimezone(datetime.UTC).year == 2024
    congress = build.w.congress
    assert names(figure_members(congress, Scope.year(2024), "suggestions")) == {"跨年前"}
    assert names(figure_members(congress, Scope.year(2025), "suggestions")) == {"跨年后"}


def test_term_and_session_scopes(build):
    term = Term.objects.create(
        congress=build.w.congress, number=18, start_date=d(2022, 1, 1), end_date=d(2026, 12, 31)
    )
    first = Session.objects.create(term=term, number=4, start_date=d(2025, 1, 8), end_date=d(2025, 1, 11))
    Session.objects.create(term=term, number=5, start_date=d(2026, 1, 7), end_date=d(2026, 1, 10))
    last = Session.objects.get(number=5)
    assert (Scope.for_session(first).start, Scope.for_session(first).end) == (d(2025, 1, 8), d(2026, 1, 6))
    assert (Scope.for_session(last).start, Scope.for_session(last).end) == (d(2026, 1, 7), d(2026, 12, 31))
    assert (Scope.for_term(term).start, Scope.for_term(term).end) == (d(2022, 1, 1), d(2026, 12, 31))
    assert Scope.for_session(first).label == str(first)
    session_kind = build.new(d(2025, 1, 9), kind="session", title="大会期间")
    build.new(d(2025, 1, 5), title="会前")
    in_session = figure_members(build.w.congress, Scope.for_session(first), "suggestions")
    assert names(in_session) == {"大会期间"}
    assert session_kind.kind == "session"


def test_scope_refuses_a_bad_kind_and_serialises():
    with pytest.raises(ValueError):
        Scope(kind="plenary")
    data = Scope.year(2025, as_of=d(2026, 1, 5), unit=3).as_dict()
    assert data["start"] == "2025-01-01" and data["end"] == "2025-12-31"
    assert data["as_of"] == "2026-01-05" and data["unit"] == 3


def test_key_supervision_filters(year, build):
    from minyi.supervision.actions import do_add_theme_suggestion, do_create_theme

    congress, admin, s = build.w.congress, build.w.admin, year.s
    property_theme = do_create_theme(
        congress, actor=admin, year=2025, name="物业管理", supervising_leader_name="王某某 常委会副主任"
    )
    elderly = do_create_theme(
        congress, actor=admin, year=2025, name="居家养老", supervising_leader_name="李某某"
    )
    for key in ("S4", "S5"):
        do_add_theme_suggestion(property_theme, actor=admin, suggestion=s[key])
    do_add_theme_suggestion(elderly, actor=admin, suggestion=s["S6"])
    do_add_theme_suggestion(elderly, actor=admin, suggestion=s["S4"])
    assert names(figure_members(congress, scope(key=True), "suggestions")) == {"S4", "S5", "S6"}
    assert names(figure_members(congress, scope(key=False), "suggestions")) == {"S1", "S2", "S3"}
    assert names(figure_members(congress, scope(key_theme=elderly.pk), "suggestions")) == {"S4", "S6"}
    key_figures = compute_figures(congress, scope(key=True))
    assert parts(key_figures["on_time_assignment_rate"]) == (1, 2)  # S4 on time, S5 overdue, S6 not due
    assert parts(key_figures["overdue"]) == 2  # S4, S5
    other = compute_figures(congress, scope(key=False))
    assert parts(other["completion_rate"]) == (3, 3)


# --- the counts and the drill-down lists are one definition ------------------------------------------


@pytest.mark.parametrize("definition", Policy.CompletionDefinition.values)
@pytest.mark.parametrize("no_feedback_excluded", [True, False])
def test_every_count_equals_its_drill_down_list_under_every_policy_and_filter(
    year, build, definition, no_feedback_excluded
):
    """`compute_figures` counts from one grouped read per table (`_read_flags`); the drill-down
    lists filter by correlated EXISTS (`flag_conditions`). Both go through `formulas`, with the same
    row conditions: this keeps them equal for every figure, policy, unit, body and judging day."""
    congress, w = build.w.congress, build.w
    policy = ensure_policy(congress)
    changes = {"completion_definition": definition, "no_feedback_excluded": no_feedback_excluded}
    do_update_policy(policy, actor=w.admin, changes=changes)
    scopes = [
        scope(),
        scope(unit=w.unit_a.pk),
        scope(unit=w.unit_b.pk),
        scope(body=w.gov.pk),
        Scope.year(2025, as_of=d(2025, 3, 1)),
        Scope.year(2025, as_of=d(2026, 12, 31)),
        Scope.year(2024, as_of=AS_OF),
    ]
    for sc in scopes:
        figures = compute_figures(congress, sc)
        for spec in SPECS:
            if spec.counts != "suggestions":
                continue
            figure = figures[spec.key]
            assert figure_members(congress, sc, spec.key).count() == figure.numerator, (sc, spec.key)
            if spec.rate:
                den = figure_members(congress, sc, spec.key, "denominator").count()
                assert den == figure.denominator, (sc, spec.key)
