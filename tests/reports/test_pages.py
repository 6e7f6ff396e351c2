"""The figures pages: who may see what (404 for everyone else), the numbers and the drill-down lists
on the pages, bad input, pagination and query budgets that do not grow with the data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.congress.models import Unit
from tests.factories import BodyFactory, MembershipFactory, UnitFactory, UserFactory

from .scenario import EXPECTED, MEMBERS, build_year

d = datetime.date
Y2025 = "year=2025"


def url(name: str, *args, query: str = "") -> str:
    return reverse(f"reports:{name}", args=["alpha", *args]) + (f"?{query}" if query else "")


def get(client, user, path):
    client.force_login(user)
    return client.get(path)


def total(response) -> int:
    """The "共 N 条" of the pagination footer."""
    match = re.search(r"共 (\d+) 条", response.content.decode())
    assert match, "no total on the page"
    return int(match[1])


STAFF = ["admin", "clerk", "supervisor", "inspector", "viewer", "coordinator"]
NOBODY = ["deputy", "cosigner", "liaison", "judge", "outsider"]


# --- access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", STAFF)
def test_staff_roles_see_every_page(client, build, who):
    user = getattr(build.w, who)
    for path in (
        url("figures"),
        url("league"),
        url("unit", build.w.unit_a.pk),
        url("unit", build.w.unit_b.pk),
        url("figure", "suggestions"),
        url("figure", "satisfaction_rate", query="part=denominator"),
    ):
        assert get(client, user, path).status_code == 200, path
    nav = get(client, user, reverse("congress:dashboard", args=["alpha"])).content.decode()
    assert url("figures") in nav


@pytest.mark.parametrize("who", NOBODY)
def test_everyone_else_gets_404(client, build, who):
    user = getattr(build.w, who)
    for path in (
        url("figures"),
        url("league"),
        url("unit", build.w.unit_a.pk),
        url("figure", "suggestions"),
        url("figure", "suggestions", query=f"unit={build.w.unit_a.pk}"),
    ):
        assert get(client, user, path).status_code == 404, path
    if who != "outsider":
        nav = get(client, user, reverse("congress:dashboard", args=["alpha"])).content.decode()
        assert url("figures") not in nav


def test_anonymous_visitors_are_sent_to_sign_in(client, build):
    response = client.get(url("figures"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unit_members_see_their_own_unit_only(client, build):
    w = build.w
    handler, leader = w.handler_a, w.leader_a
    response = get(client, handler, url("figures"))
    assert response.status_code == 302 and response["Location"] == url("unit", w.unit_a.pk)
    assert get(client, leader, url("unit", w.unit_a.pk)).status_code == 200
    assert get(client, handler, url("unit", w.unit_b.pk)).status_code == 404
    assert get(client, handler, url("league")).status_code == 404
    # drill-down: only with their own unit as filter
    assert get(client, handler, url("figure", "suggestions", query=f"unit={w.unit_a.pk}")).status_code == 200
    assert get(client, handler, url("figure", "suggestions", query=f"unit={w.unit_b.pk}")).status_code == 404
    assert get(client, handler, url("figure", "suggestions")).status_code == 404
    assert get(client, handler, url("figure", "suggestions", query=f"body={w.gov.pk}")).status_code == 404
    # a unit of another congress, or no unit at all
    other = UnitFactory(congress=w.other_congress, parent=BodyFactory(congress=w.other_congress))
    assert get(client, handler, url("unit", other.pk)).status_code == 404
    assert get(client, handler, url("unit", 999999)).status_code == 404
    nav = get(client, handler, reverse("congress:dashboard", args=["alpha"])).content.decode()
    assert url("figures") in nav


def test_units_of_another_congress_are_not_found_even_for_staff(client, build):
    other = UnitFactory(congress=build.w.other_congress, parent=BodyFactory(congress=build.w.other_congress))
    assert get(client, build.w.admin, url("unit", other.pk)).status_code == 404
    response = get(client, build.w.admin, url("figures", query=f"unit={other.pk}"))
    assert response.status_code == 400 and "unit" in response.context["form"].errors


# --- the numbers on the pages ------------------------------------------------------------------------


def test_figures_page_shows_every_number_with_links_to_its_lists(client, build):
    build_year(build)
    response = get(client, build.w.viewer, url("figures", query=Y2025))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["suggestions"].numerator == 6
    html = response.content.decode()
    for key in ("participation_rate", "satisfaction_rate", "commitment_fulfilment_rate"):
        assert f"{url('figure', key)}?{Y2025}&amp;part=numerator" in html
        assert f"{url('figure', key)}?{Y2025}&amp;part=denominator" in html
    assert figures["satisfaction_rate"].definition in html
    assert "代表参与率" in html and "66.7%" in html


def test_drill_down_pages_list_exactly_the_members(client, build):
    year = build_year(build)
    # the pages judge open deadlines today (after 2025): these figures do not depend on the day
    keys = [
        "suggestions",
        "submitted",
        "merged",
        "grassroots_share",
        "contact_rate",
        "satisfaction_rate",
        "resolution_rate",
    ]
    for key in keys:
        numerator, denominator = MEMBERS[key]
        for part, members in (("numerator", numerator), ("denominator", denominator)):
            if members is None:
                assert (
                    get(client, build.w.clerk, url("figure", key, query=f"{Y2025}&part={part}")).status_code
                    == 404
                )
                continue
            response = get(client, build.w.clerk, url("figure", key, query=f"{Y2025}&part={part}"))
            assert response.status_code == 200
            assert {s.title for s in response.context["page"].object_list} == members, (key, part)
            assert total(response) == len(members)
    deputies = get(
        client, build.w.clerk, url("figure", "participation_rate", query=f"{Y2025}&part=numerator")
    )
    assert {dep.name for dep in deputies.context["page"].object_list} == {
        year.deputies[k].name for k in ("d1", "d2", "d3", "d7")
    }
    commitments = get(
        client, build.w.clerk, url("figure", "commitment_fulfilment_rate", query=f"{Y2025}&part=denominator")
    )
    # judged today (after 2026-03-31), S2's second commitment has fallen due as well
    assert total(commitments) == EXPECTED["commitment_fulfilment_rate"][1] + 1
    assert "承诺事项" in commitments.content.decode()


def test_unit_page_and_its_drill_down(client, build):
    build_year(build)
    w = build.w
    response = get(client, w.handler_b, url("unit", w.unit_b.pk, query=Y2025))
    assert response.status_code == 200
    row = response.context["row"]
    assert row.assigned == 2 and row.first_contact_days == 8.0
    figures = response.context["figures"]
    assert figures.scope.unit == w.unit_b.pk and figures["suggestions"].numerator == 2
    html = response.content.decode()
    link = f"{url('figure', 'suggestions')}?{Y2025}&amp;unit={w.unit_b.pk}&amp;part=numerator"
    assert link in html
    listed = get(client, w.handler_b, link.replace("&amp;", "&"))
    assert {s.title for s in listed.context["page"].object_list} == {"S2", "S3"}
    # the fixed unit cannot be swapped through the query string on the unit page
    swapped = get(client, w.handler_b, url("unit", w.unit_b.pk, query=f"{Y2025}&unit={w.unit_a.pk}"))
    assert swapped.context["figures"].scope.unit == w.unit_b.pk


def test_league_page(client, build):
    build_year(build)
    response = get(client, build.w.supervisor, url("league", query=f"{Y2025}&min_count=1"))
    assert response.status_code == 200
    league = response.context["league"]
    assert [r.name for r in league.ranked] == ["甲区住房和城乡建设局", "甲区教育局"]
    html = response.content.decode()
    assert "(3/3)" in html and "样本不足" in html
    default_page = get(client, build.w.supervisor, url("league", query=Y2025))
    default = default_page.context["league"]
    assert default.ranked == [] and len(default.insufficient) == 2  # 4 and 2 items < 5
    # the form shows the options used (满意率, 5) when the query string leaves them out
    assert default_page.context["options"]["rank_by"].value() == "satisfaction"
    assert '<option value="satisfaction" selected>' in default_page.content.decode()
    assert default_page.context["options"]["min_count"].value() == "5"
    by_reply = get(
        client, build.w.supervisor, url("league", query=f"{Y2025}&min_count=1&rank_by=reply_on_time")
    )
    assert by_reply.context["rank_spec"].key == "reply_on_time"


def test_links_to_suggestions_only_where_the_viewer_may_open_them(client, build):
    build_year(build)
    court = BodyFactory(congress=build.w.congress, body_code=Unit.BodyCode.COURT)
    court_coordinator = UserFactory(username="court_coordinator")
    MembershipFactory(user=court_coordinator, congress=build.w.congress, role=Role.COORDINATOR, unit=court)
    everything = {"S1", "S2", "S3", "S4", "S5", "S6"}
    # the government's coordinator opens what was forwarded or assigned to its units (not S6)
    cases = (
        (build.w.viewer, everything),
        (build.w.coordinator, everything - {"S6"}),
        (court_coordinator, set()),
    )
    for user, linked in cases:
        response = get(client, user, url("figure", "suggestions", query=Y2025))
        assert response.status_code == 200
        rows = response.context["page"].object_list
        assert {row.title for row in rows} == everything  # everyone with the figures sees the list
        assert {row.title for row in rows if row.visible} == linked, user
        html = response.content.decode()
        for row in rows:
            assert (reverse("suggestions:detail", args=["alpha", row.pk]) in html) is (row.title in linked)


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2025-03-01", "同时填写起始日期和截止日期"),
        ("end=2025-03-01", "同时填写起始日期和截止日期"),
        ("start=2025-04-01&end=2025-03-01", "起始日期不能晚于截止日期"),
        ("year=2025&start=2025-03-01&end=2025-03-31", "只选择一种统计范围"),
        ("start=2025-02-30&end=2025-03-31", "有效的日期"),
        ("year=1999", "选择一个有效的选项"),
        ("kind=plenary", "选择一个有效的选项"),
        ("category=999999", "选择一个有效的选项"),
    ],
)
def test_bad_scopes_are_explained(client, build, query, message):
    for path in (
        url("figures", query=query),
        url("league", query=query),
        url("figure", "suggestions", query=query),
    ):
        response = get(client, build.w.clerk, path)
        assert response.status_code == 400, path
        assert message in response.content.decode(), path


def test_bad_figure_keys_and_parts_are_not_found(client, build):
    for path in (
        url("figure", "no_such_figure"),
        url("figure", "satisfaction_rate", query="part=sideways"),
        url("figure", "suggestions", query="part=denominator"),
    ):
        assert get(client, build.w.clerk, path).status_code == 404, path


def test_bad_league_options_are_explained(client, build):
    response = get(client, build.w.clerk, url("league", query="min_count=0"))
    assert response.status_code == 400 and "min_count" in response.context["options"].errors
    response = get(client, build.w.clerk, url("league", query="rank_by=popularity"))
    assert response.status_code == 400


# --- pagination and query budgets ----------------------------------------------------------------------


def _many(build, n: int):
    for i in range(n):
        build.new(d(2025, 3, 3), title=f"批量{i:02d}")


def test_drill_down_is_paginated(client, build):
    _many(build, 27)
    first = get(client, build.w.clerk, url("figure", "suggestions", query=Y2025))
    assert total(first) == 27 and len(first.context["page"].object_list) == 25
    second = get(client, build.w.clerk, url("figure", "suggestions", query=f"{Y2025}&page=2"))
    assert len(second.context["page"].object_list) == 2
    assert f"{Y2025}&amp;part=numerator&amp;page=2" in first.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        lambda w: url("figures", query=Y2025),
        lambda w: url("league", query=f"{Y2025}&min_count=1"),
        lambda w: url("unit", w.unit_a.pk, query=Y2025),
        lambda w: url("figure", "suggestions", query=Y2025),
        lambda w: url("figure", "participation_rate", query=f"{Y2025}&part=denominator"),
        lambda w: url("figure", "commitment_fulfilment_rate", query=f"{Y2025}&part=denominator"),
    ],
)
def test_query_budget_does_not_grow_with_the_data(client, build, django_assert_num_queries, path):
    build_year(build)
    client.force_login(build.w.clerk)
    target = path(build.w)
    client.get(target)  # warm the calendar and session caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    # Counted now: captured_queries slices connection.queries, a deque of at most 9,000 entries
    # that the thousands of queries below would rotate.
    budget = len(small.captured_queries)
    # On PostgreSQL each wide aggregate read switches JIT off first (`reports.figures.reporting_query`):
    # a statement, not a read of the data, left out of the page's cap.
    jit_switches = sum(q["sql"] == "SET LOCAL jit = off" for q in small.captured_queries)
    _many(build, 30)
    for _ in range(3):  # more units' work, evaluations and commitments
        build.full(d(2025, 4, 1), build.w.unit_b, result="B")
    client.get(target)  # the new rows changed the data version: the kept work counts are read again
    with django_assert_num_queries(budget):
        assert client.get(target).status_code == 200
    assert budget - jit_switches <= 30


def test_key_filter_on_the_page_and_in_the_links(client, build):
    from minyi.supervision.actions import do_add_theme_suggestion, do_create_theme

    year = build_year(build)
    theme = do_create_theme(
        build.w.congress, actor=build.w.admin, year=2025, name="物业管理", supervising_leader_name="王某某"
    )
    do_add_theme_suggestion(theme, actor=build.w.admin, suggestion=year.s["S4"])
    response = get(client, build.w.clerk, url("figures", query=f"{Y2025}&key=1"))
    assert response.context["figures"]["suggestions"].numerator == 1
    assert f"{url('figure', 'suggestions')}?{Y2025}&amp;key=1&amp;part=numerator" in response.content.decode()
    listed = get(client, build.w.clerk, url("figure", "suggestions", query=f"{Y2025}&key=0"))
    assert {s.title for s in listed.context["page"].object_list} == {"S1", "S2", "S3", "S5", "S6"}
    themed = get(client, build.w.clerk, url("figures", query=f"{Y2025}&key_theme={theme.pk}"))
    assert themed.context["figures"]["suggestions"].numerator == 1
    assert get(client, build.w.clerk, url("figures", query="key=maybe")).status_code == 400


def test_the_figures_and_the_league_link_their_export_with_the_same_scope(client, build):
    """导出Excel on the figures page and the league table opens the exports page with the page's
    scope (and the league's ranking options) already chosen; one more click starts the export."""
    import html as html_lib

    build_year(build)
    for page, marker in (
        (url("figures", query=f"{Y2025}&kind=interim"), "figures"),
        (url("league", query=f"{Y2025}&min_count=1&rank_by=reply_on_time"), "league"),
    ):
        body = get(client, build.w.clerk, page).content.decode()
        match = re.search(rf'href="([^"]+)" data-export="{marker}"', body)
        assert match, marker
        link = html_lib.unescape(match[1])
        assert link.startswith(url("exports")) and "year=2025" in link, link
        if marker == "league":
            assert "rank_by=reply_on_time" in link and "min_count=1" in link
        exports = client.get(link)
        assert exports.status_code == 200
        scope = exports.context["form"].scope()
        assert (scope.start, scope.end) == (d(2025, 1, 1), d(2025, 12, 31)), marker
        if marker == "figures":
            assert scope.kind == "interim"
    # who may not export sees no link (and may not open the page at all)
    assert get(client, build.w.deputy, url("league", query=Y2025)).status_code == 404
