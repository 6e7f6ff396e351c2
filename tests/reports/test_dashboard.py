"""Dashboards: every card and every chart segment equals the engine's number and opens a list with
exactly that many rows; the deputy-group view; a unit's dashboard; who may see what (404 for
everyone else); phones; bad input; query budgets that do not grow with the data."""

from __future__ import annotations

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minyi.congress.models import DeputyGroup, Unit
from minyi.reports import dashboard as D
from minyi.reports.figures import Scope, compute_figures
from tests.factories import BodyFactory, UnitFactory

from .scenario import AS_OF, EXPECTED, build_year

d = datetime.date
Y2025 = "year=2025"
TZ = ZoneInfo("Asia/Shanghai")
STAFF = ["admin", "clerk", "supervisor", "inspector", "viewer", "coordinator"]
NOBODY = ["deputy", "cosigner", "liaison", "judge", "outsider"]


def url(name: str, *args, query: str = "") -> str:
    return reverse(f"reports:{name}", args=["alpha", *args]) + (f"?{query}" if query else "")


def total(response) -> int:
    match = re.search(r"共 (\d+) 条", response.content.decode())
    assert match, "no total on the page"
    return int(match[1])


@pytest.fixture
def year(build):
    y = build_year(build)
    with time_machine.travel(datetime.datetime(2025, 12, 31, 18, tzinfo=TZ), tick=False):
        yield y


def _follow(client, link: str) -> int:
    response = client.get(link)
    assert response.status_code == 200, link
    return total(response)


def _points(overview):
    for chart in overview.charts:
        for name, points in chart.series:
            for p in points:
                yield chart.id, name, p


# --- numbers -------------------------------------------------------------------------------------


def test_cards_are_the_engine_figures_and_open_their_lists(client, build, year):
    w = build.w
    ov = D.overview(w.congress, Scope.year(2025, as_of=AS_OF), Y2025)
    figures = compute_figures(w.congress, Scope.year(2025, as_of=AS_OF))
    assert [c.key for c in ov.cards] == list(D.HEADLINE)
    client.force_login(w.clerk)
    for card in ov.cards:
        expected = EXPECTED[card.key]
        if card.is_rate:
            assert (card.numerator, card.denominator) == expected, card.key
            assert _follow(client, card.denominator_url) == card.denominator
        else:
            assert card.numerator == expected, card.key
        assert card.value == figures[card.key].value
        assert _follow(client, card.url) == card.numerator, card.key


def test_every_chart_segment_opens_a_list_of_exactly_its_rows(client, build, year):
    w = build.w
    ov = D.overview(w.congress, Scope.year(2025, as_of=AS_OF), Y2025)
    client.force_login(w.clerk)
    seen = 0
    for chart_id, series, p in _points(ov):
        if not p.url:
            assert p.value == 0  # a reply month outside the scope has no intake
            continue
        assert _follow(client, p.url) == p.value, (chart_id, series, p.label)
        seen += 1
    assert seen > 20
    for u in ov.overdue_units:
        assert _follow(client, u.url) == u.count


def test_the_charts_hold_the_hand_counted_year(build, year):
    w = build.w
    ov = D.overview(w.congress, Scope.year(2025, as_of=AS_OF), Y2025)
    monthly = ov.chart("monthly")
    intake = dict(zip(monthly.categories, [p.value for p in monthly.series[0][1]], strict=True))
    replies = dict(zip(monthly.categories, [p.value for p in monthly.series[1][1]], strict=True))
    assert monthly.categories == [f"2025-{m:02d}" for m in range(1, 13)]
    # S1 S2 S3 accepted in March, S4 June, S5 November, S6 December (S7 withdrawn, S14 merged)
    assert intake == {**{m: 0 for m in intake}, "2025-03": 3, "2025-06": 1, "2025-11": 1, "2025-12": 1}
    # S1 and S3 (A's reply) in March; S2 and S3 (B's reply) in April; S2's second reply in May
    assert replies == {**{m: 0 for m in replies}, "2025-03": 2, "2025-04": 2, "2025-05": 1}
    assert sum(intake.values()) == EXPECTED["suggestions"]

    category = {p.label: p.value for p in ov.chart("by_category").series[0][1]}
    assert category == {"城乡建设": 1, "教育": 5}  # S1 | S2 S3 S4 S5 S6
    channel = {p.label: p.value for p in ov.chart("by_channel").series[0][1]}
    assert channel == {"联络站接待选民": 4, "网络征集": 2}
    body = ov.chart("by_body")
    assert [p.value for p in body.series[0][1]] == [6 - 1]  # S6 not assigned or forwarded yet
    assert [p.value for p in body.series[1][1]] == [2]  # S4 (unit duties), S5 (forwarded, unassigned)
    assert [(u.name, u.count) for u in ov.overdue_units] == [(w.unit_a.name, 1)]  # S4


def test_unit_dashboard_is_the_scope_narrowed_to_the_unit(client, build, year):
    w = build.w
    scope = Scope.year(2025, as_of=AS_OF)
    ov = D.overview(w.congress, scope, Y2025, unit=w.unit_b)
    narrowed = compute_figures(w.congress, scope.with_(unit=w.unit_b.pk))
    assert [c.key for c in ov.cards] == list(D.UNIT_HEADLINE)
    for card in ov.cards:
        assert (card.numerator, card.denominator) == (
            narrowed[card.key].numerator,
            narrowed[card.key].denominator,
        )
    assert "by_body" not in [c.id for c in ov.charts]
    client.force_login(w.handler_b)  # a unit's own member follows the links too
    for card in ov.cards:
        assert _follow(client, card.url) == card.numerator, card.key
    for chart_id, _series, p in _points(ov):
        if p.url:
            assert _follow(client, p.url) == p.value, (chart_id, p.label)


def test_deputy_groups(client, build, year):
    w = build.w
    north = DeputyGroup.objects.create(congress=w.congress, name="北片代表小组")
    south = DeputyGroup.objects.create(congress=w.congress, name="南片代表小组")
    y = year.deputies
    for key, group in (("d1", north), ("d2", south), ("d3", south), ("d5", north)):
        y[key].group = group
        y[key].save(update_fields=["group"])
    rows, chart = D.group_rows(w.congress, Scope.year(2025, as_of=AS_OF), Y2025)
    by_name = {r.name: r for r in rows}
    # in office: north d1 d5, south d2 d3, no group d6 d7 (d4 left in 2024)
    assert (by_name["北片代表小组"].in_office, by_name["北片代表小组"].participating) == (2, 1)
    assert (by_name["南片代表小组"].in_office, by_name["南片代表小组"].participating) == (2, 2)
    nogroup = by_name["未编入代表小组"]
    assert (nogroup.in_office, nogroup.participating, nogroup.rate) == (2, 1, 0.5)  # d6, d7 (merged)
    # led: d1 leads S1 S2 S4 S6; d2 leads S5; d3 leads S3. co-signed: S1 by d2 (south)
    assert (by_name["北片代表小组"].led, by_name["南片代表小组"].led, nogroup.led) == (4, 2, 0)
    assert (by_name["北片代表小组"].cosigned, by_name["南片代表小组"].cosigned) == (0, 1)
    assert sum(r.led for r in rows) == EXPECTED["suggestions"]
    assert sum(r.in_office for r in rows) == EXPECTED["deputies_in_office"]
    client.force_login(w.supervisor)
    for r in rows:
        for key, link in r.links.items():
            assert _follow(client, link) == getattr(r, key), (r.name, key)
    page = client.get(url("dashboard_groups", query=Y2025))
    assert page.status_code == 200
    assert "北片代表小组" in page.content.decode()
    assert [p.value for p in chart.series[0][1]] == [r.led for r in rows]


def test_published_figures_come_from_the_engine(build, year):
    data = D.published_figures(build.w.congress, 2025, as_of=AS_OF)
    values = {f["key"]: f for f in data["figures"]}
    assert values["suggestions"]["value"] == EXPECTED["suggestions"]
    assert (values["satisfaction_rate"]["numerator"], values["satisfaction_rate"]["denominator"]) == (3, 3)
    assert "overdue" not in values and "participating_deputies" not in values
    assert json.dumps(data, ensure_ascii=False)  # JSON-ready, no names of people
    assert "领衔代表" not in json.dumps(data, ensure_ascii=False)


# --- pages -------------------------------------------------------------------------------------------


def test_overview_page_has_cards_charts_json_and_phone_tables(client, build, year):
    client.force_login(build.w.clerk)
    response = client.get(url("dashboard", query=Y2025))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dashboard-charts" type="application/json"' in html
    specs = json.loads(
        re.search(r'id="dashboard-charts" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert [s["id"] for s in specs] == ["monthly", "by_category", "by_channel", "by_body", "topics"]
    assert all(pt["url"] for s in specs for series in s["series"] for pt in series["data"] if pt["value"])
    assert (
        'data-chart="monthly"' in html and "vendor/echarts/echarts.min.js" in html and "js/charts.js" in html
    )
    assert 'id="table-by_category"' in html and "d-md-none" in html  # phones: tables, not charts
    assert "<script>" not in html.replace('<script type="application/json"', "")  # no inline JS
    assert 'id="card-satisfaction_rate"' in html and "100.0%" in html


@pytest.mark.parametrize("who", STAFF)
def test_staff_see_the_dashboards(client, build, who):
    client.force_login(getattr(build.w, who))
    for path in (
        url("dashboard"),
        url("dashboard_groups"),
        url("dashboard_unit", build.w.unit_a.pk),
        url("dashboard_list", query="segment=no_category"),
        url("dashboard_list", query="segment=group_in_office&group=none"),
    ):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("who", NOBODY)
def test_everyone_else_gets_404(client, build, who):
    client.force_login(getattr(build.w, who))
    for path in (
        url("dashboard"),
        url("dashboard_groups"),
        url("dashboard_unit", build.w.unit_a.pk),
        url("dashboard_list", query="segment=no_category"),
        url("dashboard_list", query=f"segment=no_category&unit={build.w.unit_a.pk}"),
    ):
        assert client.get(path).status_code == 404, path


def test_anonymous_visitors_are_sent_to_sign_in(client, build):
    response = client.get(url("dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unit_members_see_their_own_unit_only(client, build):
    w = build.w
    client.force_login(w.handler_a)
    response = client.get(url("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == url("dashboard_unit", w.unit_a.pk)
    assert client.get(url("dashboard_unit", w.unit_a.pk)).status_code == 200
    assert client.get(url("dashboard_unit", w.unit_b.pk)).status_code == 404
    assert client.get(url("dashboard_groups")).status_code == 404
    own = f"segment=unit_overdue&of={w.unit_a.pk}"
    assert client.get(url("dashboard_list", query=f"{own}&{Y2025}")).status_code == 404  # not filtered
    assert client.get(url("dashboard_list", query=f"{own}&unit={w.unit_a.pk}")).status_code == 200
    other = f"segment=no_category&unit={w.unit_b.pk}"
    assert client.get(url("dashboard_list", query=other)).status_code == 404
    deputies = f"segment=group_in_office&group=none&unit={w.unit_a.pk}"
    assert client.get(url("dashboard_list", query=deputies)).status_code == 404


def test_units_and_groups_of_another_congress_are_not_found(client, build):
    w = build.w
    other_body = BodyFactory(congress=w.other_congress, body_code=Unit.BodyCode.GOVERNMENT)
    other_unit = UnitFactory(congress=w.other_congress, parent=other_body, name="乙区住建局")
    other_group = DeputyGroup.objects.create(congress=w.other_congress, name="乙区代表小组")
    client.force_login(w.admin)
    assert client.get(url("dashboard_unit", other_unit.pk)).status_code == 404
    assert (
        client.get(url("dashboard_list", query=f"segment=unit_overdue&of={other_unit.pk}")).status_code == 404
    )
    assert (
        client.get(url("dashboard_list", query=f"segment=group_led&group={other_group.pk}")).status_code
        == 404
    )
    client.force_login(w.outsider)
    assert client.get(reverse("reports:dashboard", args=["beta"])).status_code == 200
    assert client.get(url("dashboard")).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "segment=nothing",
        "segment=replied_month&month=2025-13",
        "segment=replied_month&month=March",
        "segment=replied_month",
        "segment=unit_overdue&of=abc",
        "segment=unit_overdue&of=999999",
        "segment=unit_overdue",
        "segment=group_led&group=abc",
        "",
    ],
)
def test_bad_segments_are_not_found(client, build, query):
    client.force_login(build.w.clerk)
    assert client.get(url("dashboard_list", query=query)).status_code == 404


def test_bad_scopes_are_explained(client, build):
    client.force_login(build.w.clerk)
    response = client.get(url("dashboard", query="year=2025&start=2025-01-01&end=2025-02-01"))
    assert response.status_code == 400
    assert "请只选择一种统计范围" in response.content.decode()
    response = client.get(url("dashboard_list", query="segment=no_category&start=2025-03-01"))
    assert response.status_code == 400
    assert "同时填写起始日期和截止日期" in response.content.decode()


def test_segment_list_is_paginated_and_links_only_what_the_viewer_may_open(client, build):
    for i in range(27):
        build.new(d(2025, 3, 3), title=f"批量{i:02d}", category=None)
    with time_machine.travel(datetime.datetime(2025, 12, 31, 18, tzinfo=TZ), tick=False):
        from minyi.suggestions.models import Suggestion

        Suggestion.objects.filter(congress=build.w.congress).update(category=None)
        client.force_login(build.w.clerk)
        first = client.get(url("dashboard_list", query=f"segment=no_category&{Y2025}"))
        assert total(first) == 27 and len(first.context["page"].object_list) == 25
        assert "segment=no_category&amp;page=2" in first.content.decode()
        assert reverse("suggestions:detail", args=["alpha", first.context["page"].object_list[0].pk]) in (
            first.content.decode()
        )


@pytest.mark.parametrize(
    "path",
    [
        lambda w: url("dashboard", query=Y2025),
        lambda w: url("dashboard_unit", w.unit_a.pk, query=Y2025),
        lambda w: url("dashboard_groups", query=Y2025),
        lambda w: url("dashboard_list", query=f"segment=replied_month&month=2025-03&{Y2025}"),
    ],
)
def test_query_budget_does_not_grow_with_the_data(client, build, django_assert_num_queries, path):
    """5 suggestions, then 50: the same number of queries — computed afresh (no snapshot) and
    served from the snapshot."""
    from minyi.reports.models import FigureSnapshot

    for i in range(5):
        build.full(d(2025, 3, 2 + i), build.w.unit_a)
    client.force_login(build.w.clerk)
    target = path(build.w)
    client.get(target)  # warm the calendar and session caches
    FigureSnapshot.objects.all().delete()
    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    with CaptureQueriesContext(connection) as small_warm:
        assert client.get(target).status_code == 200
    # Counted now: captured_queries slices connection.queries, a deque that the building below rotates.
    cold, warm = len(small.captured_queries), len(small_warm.captured_queries)
    for i in range(45):
        if i % 3:
            build.new(d(2025, 4, 1 + i % 20), title=f"批量{i:02d}")
        else:
            build.full(d(2025, 3, 10 + i % 15), build.w.unit_b, result="B")
    client.get(target)  # the new rows changed the data version: the kept work counts are read again
    FigureSnapshot.objects.all().delete()
    with django_assert_num_queries(cold):
        assert client.get(target).status_code == 200
    with django_assert_num_queries(warm):
        assert client.get(target).status_code == 200
    assert cold <= 46 and warm <= 25
