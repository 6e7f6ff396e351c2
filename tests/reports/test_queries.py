"""The engine's query count is fixed: it does not grow with suggestions, units or deputies."""

from __future__ import annotations

import datetime

from django.db import connection

from minyi.reports.figures import (
    SPECS,
    Scope,
    compute_figures,
    figure_commitments,
    figure_deputies,
    figure_members,
)
from minyi.reports.league import unit_league

from .scenario import AS_OF, build_year

d = datetime.date
#: policy, intake counts, six grouped reads (suggestions, deadlines, replies, evaluations, contacts,
#: assignments), deputies, commitments
FIGURES = 10
#: policy, the items (with what is per assignment, face-to-face contact and re-handling), three
#: grouped reads (deadlines, replies, evaluations)
LEAGUE = 5


def jit() -> int:
    """On PostgreSQL the engine switches JIT off for its transaction: one more statement."""
    return 1 if connection.vendor == "postgresql" else 0


def _run(congress, scope):
    figures = compute_figures(congress, scope)
    league = unit_league(congress, scope, 1)
    return figures, league


def test_figures_take_ten_queries_and_the_league_five_whatever_the_data(build, django_assert_num_queries):
    congress = build.w.congress
    scope = Scope.year(2025, as_of=AS_OF)
    with django_assert_num_queries(FIGURES + jit()):
        compute_figures(congress, scope)
    with django_assert_num_queries(LEAGUE + jit()):
        unit_league(congress, scope, 1)
    build_year(build)
    for i in range(3):
        build.full(d(2025, 4, 1), build.unit(f"新单位{i}"), result="B")
        build.deputy(f"新代表{i}")
    with django_assert_num_queries(FIGURES + jit()):
        figures = compute_figures(congress, scope)
    with django_assert_num_queries(LEAGUE + jit()):
        league = unit_league(congress, scope, 1)
    assert figures["suggestions"].numerator == 9 and len(league.rows) == 5
    # with a policy at hand, one fewer
    from minyi.reports.figures import policy_of

    policy = policy_of(congress)
    with django_assert_num_queries(FIGURES - 1 + jit()):
        compute_figures(congress, scope, policy=policy)
    with django_assert_num_queries(LEAGUE - 1 + jit()):
        unit_league(congress, scope, 1, policy=policy)


def test_each_drill_down_is_one_query(build, django_assert_num_queries):
    build_year(build)
    congress, scope = build.w.congress, Scope.year(2025, as_of=AS_OF)
    from minyi.reports.figures import policy_of

    policy = policy_of(congress)
    for spec in SPECS:
        finder = {"deputies": figure_deputies, "commitments": figure_commitments}.get(
            spec.counts, figure_members
        )
        with django_assert_num_queries(1):
            list(finder(congress, scope, spec.key, policy=policy))
