"""The quarterly bulletin: its numbers are the engine's for the year to the quarter's end (and the
previous quarter's for the trend), bodies and units with their trend, overdue items by unit, key
themes' progress; the page, the .xlsx reopened and the PDF's text; who may see it."""

from __future__ import annotations

import datetime
import io
import re
from zoneinfo import ZoneInfo

import openpyxl
import pypdf
import pytest
import time_machine
from django.urls import reverse

from minyi.reports import bulletin as B
from minyi.reports import exports as X
from minyi.reports import pdf
from minyi.reports.figures import Scope, compute_figures
from minyi.reports.league import unit_league
from minyi.reports.models import ExportJob
from minyi.supervision import actions as SA

from .scenario import build_year

d = datetime.date
TZ = ZoneInfo("Asia/Shanghai")


def url(name: str, *args, query: str = "") -> str:
    return reverse(f"reports:{name}", args=["alpha", *args]) + (f"?{query}" if query else "")


@pytest.fixture
def year(build, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    y = build_year(build)
    w = build.w
    theme = SA.do_create_theme(
        w.congress,
        actor=w.admin,
        year=2025,
        name="物业管理",
        supervising_leader_name="王某某 副主任",
        lead_unit=w.unit_a,
    )
    for key in ("S1", "S4"):
        SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=y.s[key])
    SA.do_create_theme(
        w.congress, actor=w.admin, year=2025, name="居家养老", supervising_leader_name="李某某 主任"
    )
    SA.do_create_theme(
        w.congress, actor=w.admin, year=2024, name="往年主题", supervising_leader_name="张某某"
    )
    with time_machine.travel(datetime.datetime(2025, 12, 31, 18, tzinfo=TZ), tick=False):
        yield y


def test_quarters():
    assert B.quarter_bounds(2025, 1) == (d(2025, 1, 1), d(2025, 3, 31))
    assert B.quarter_bounds(2025, 4) == (d(2025, 10, 1), d(2025, 12, 31))
    assert B.previous_quarter(2025, 1) == (2024, 4) and B.previous_quarter(2025, 3) == (2025, 2)
    assert B.current_quarter(d(2025, 8, 15)) == (2025, 3)
    scope = B.quarter_scope(2025, 2, today=d(2025, 12, 31))
    assert (scope.start, scope.end, scope.today) == (d(2025, 1, 1), d(2025, 6, 30), d(2025, 6, 30))
    running = B.quarter_scope(2025, 4, today=d(2025, 11, 20))
    assert running.today == d(2025, 11, 20)  # the quarter under way is judged today
    with pytest.raises(ValueError):
        B.quarter_bounds(2025, 5)


def test_bulletin_numbers_are_the_engine_s(build, year):
    w = build.w
    b = B.build_bulletin(w.congress, 2025, 2)
    now = Scope.between(d(2025, 1, 1), d(2025, 6, 30), as_of=d(2025, 6, 30))
    before = Scope.between(d(2025, 1, 1), d(2025, 3, 31), as_of=d(2025, 3, 31))
    f_now, f_before = compute_figures(w.congress, now), compute_figures(w.congress, before)
    assert b.title == "甲区2025年第2季度代表建议办理情况通报"
    assert b.previous_label == "2025年第1季度末"
    for t in b.headline:
        assert (t.current.numerator, t.current.denominator) == (
            f_now[t.current.key].numerator,
            f_now[t.current.key].denominator,
        )
        assert (t.previous.numerator, t.previous.denominator) == (
            f_before[t.current.key].numerator,
            f_before[t.current.key].denominator,
        )
    # S1 S2 S3 accepted in March, S4 in June (S7 withdrawn)
    assert [t.current.numerator for t in b.headline if t.current.key == "suggestions"] == [4]
    assert [t.previous.numerator for t in b.headline if t.current.key == "suggestions"] == [3]
    gov = b.bodies[0]
    g_now = compute_figures(w.congress, now.with_(body=w.gov.pk))
    assert gov.name == w.gov.name and gov.suggestions == g_now["suggestions"].numerator
    assert (gov.reply.current.numerator, gov.reply.current.denominator) == (
        g_now["on_time_reply_rate"].numerator,
        g_now["on_time_reply_rate"].denominator,
    )
    assert gov.satisfaction.current.value == g_now["satisfaction_rate"].value
    league = {row.unit_id: row for row in unit_league(w.congress, now, 1).rows}
    previous = {row.unit_id: row for row in unit_league(w.congress, before, 1).rows}
    assert {u.unit_id for u in b.units} == set(league)
    for u in b.units:
        row = league[u.unit_id]
        assert (u.assigned, u.overdue) == (row.assigned, row.overdue)
        assert u.reply == row.rates["reply_on_time"] and u.satisfaction == row.rates["satisfaction"]
        assert u.reply_before == previous[u.unit_id].rates["reply_on_time"]
        assert u.reply_change == (
            None
            if u.reply.value is None or u.reply_before.value is None
            else pytest.approx(u.reply.value - u.reply_before.value)
        )
    # overdue on 06-30: S4's first contact with unit A (assigned 06-05, nothing done since)
    assert [(i.unit, i.title, i.duty) for i in b.overdue] == [(w.unit_a.name, "S4", "首次联系代表")]
    assert b.overdue_total == 1
    by_unit = {u.unit_id: u for u in b.units}
    for unit_id in {i.unit_id for i in b.overdue}:
        assert len({i.suggestion_id for i in b.overdue if i.unit_id == unit_id}) == by_unit[unit_id].overdue
    # themes of 2025 only
    assert [(t.name, t.total, t.replied, t.closed) for t in b.themes] == [
        ("居家养老", 0, 0, 0),
        ("物业管理", 2, 1, 1),
    ]
    assert b.themes[1].leader == "王某某 副主任" and b.themes[1].lead_unit == w.unit_a.name


def test_first_quarter_compares_with_the_whole_previous_year(build, year):
    b = B.build_bulletin(build.w.congress, 2025, 1)
    assert b.previous_label == "2024年全年"
    assert (b.previous_scope.start, b.previous_scope.end) == (d(2024, 1, 1), d(2024, 12, 31))
    assert b.headline[0].previous.numerator == 0 and b.headline[0].change == 3


def test_bulletin_workbook_reopened_equals_the_bulletin(build, year):
    b = B.build_bulletin(build.w.congress, 2025, 4)
    wb = openpyxl.load_workbook(io.BytesIO(B.bulletin_workbook(b)))
    assert wb.sheetnames == [
        "总体情况",
        "各机关",
        "各承办单位",
        "逾期事项",
        "重点督办",
        "热点话题",
        "口径说明",
    ]
    ws = wb["总体情况"]
    assert ws["A1"].value == b.title and ws.freeze_panes == "A3"
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [t.current.label for t in b.headline]
    for r, t in zip(rows, b.headline, strict=True):
        assert (r[2], r[3]) == (t.current.numerator, t.current.denominator)
        assert r[1] == (pytest.approx(t.current.value) if t.current.value is not None else None)
    units = list(wb["各承办单位"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[4], r[5], r[13]) for r in units] == [
        (u.name, u.assigned, u.reply.numerator, u.reply.denominator, u.overdue) for u in b.units
    ]
    overdue = list(wb["逾期事项"].iter_rows(min_row=2, values_only=True))
    assert len(overdue) == b.overdue_total == len(b.overdue)
    themes = list(wb["重点督办"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in themes] == [(t.name, t.total) for t in b.themes]
    assert wb["各机关"].freeze_panes == "A2"


def test_bulletin_pdf_holds_its_figures(build, year):
    b = B.build_bulletin(build.w.congress, 2025, 2)
    data = pdf.bulletin_pdf(b)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages))
    assert b.title in text
    for t in b.headline:
        shown = pdf.pct(t.current.value) if t.current.is_rate else str(t.current.numerator)
        assert f"{t.current.label}{shown}" in text, t.current.key
    assert "物业管理王某某副主任" in text and "四、逾期事项" in text and "S4" in text


def test_bulletin_page_and_its_exports(client, build, year):
    client.force_login(build.w.supervisor)
    response = client.get(url("bulletin", query="year=2025&quarter=2"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲区2025年第2季度代表建议办理情况通报" in html
    assert 'id="bulletin-units"' in html and 'id="bulletin-themes"' in html and "首次联系代表" in html
    assert "与2025年第1季度末相比" in html
    response = client.post(url("bulletin"), {"year": "2025", "quarter": "2", "export": "bulletin_xlsx"})
    job = ExportJob.objects.get()
    assert response["Location"] == url("export_download", job.pk)
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(response["Location"]).streaming_content)))
    assert wb["总体情况"]["A1"].value.endswith("第2季度代表建议办理情况通报")
    response = client.post(url("bulletin"), {"year": "2025", "quarter": "2", "export": "bulletin_pdf"})
    download = client.get(response["Location"])
    assert download["Content-Type"] == "application/pdf"
    assert X.content_type(ExportJob.objects.get(kind="bulletin_pdf")) == "application/pdf"


def test_default_bulletin_is_the_current_quarter(client, build, year):
    client.force_login(build.w.clerk)
    response = client.get(url("bulletin"))
    assert response.status_code == 200
    assert response.context["bulletin"].quarter == 4 and response.context["bulletin"].year == 2025


@pytest.mark.parametrize("query", ["year=2025&quarter=5", "year=1999&quarter=1", "year=abc&quarter=1"])
def test_bad_quarters_are_explained(client, build, query):
    client.force_login(build.w.clerk)
    response = client.get(url("bulletin", query=query))
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()


@pytest.mark.parametrize("who", ["deputy", "liaison", "judge", "outsider", "handler_a", "leader_a"])
def test_everyone_else_gets_404(client, build, who):
    client.force_login(getattr(build.w, who))
    assert client.get(url("bulletin")).status_code == 404
    assert (
        client.post(url("bulletin"), {"year": "2025", "quarter": "1", "export": "bulletin_pdf"}).status_code
        == 404
    )


def test_unknown_bulletin_exports_are_not_found(client, build):
    client.force_login(build.w.clerk)
    assert (
        client.post(url("bulletin"), {"year": "2025", "quarter": "1", "export": "ledger"}).status_code == 404
    )


def test_the_bulletin_page_is_kept_until_the_records_change(client, build, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(build.w.supervisor)
    page = url("bulletin", query="year=2025&quarter=2")
    with CaptureQueriesContext(connection) as first:
        before = client.get(page).context["bulletin"]
    with CaptureQueriesContext(connection) as again:
        kept = client.get(page).context["bulletin"]
    assert kept.figures["suggestions"].numerator == before.figures["suggestions"].numerator
    assert len(again) < len(first) / 3, (len(first), len(again))
    # any audited change of the records: the next view recounts
    build.full(d(2025, 4, 1), build.w.unit_a, result="B")
    after = client.get(page).context["bulletin"]
    assert after.figures["suggestions"].numerator == before.figures["suggestions"].numerator + 1
    # and the kept bulletin is the one a fresh build gives
    assert after.figures.as_dict() == B.build_bulletin(build.w.congress, 2025, 2).figures.as_dict()


def test_a_new_revision_of_the_definitions_gives_the_bulletin_a_new_cache_key(
    client, build, year, monkeypatch
):
    """The cache key holds `figures.DEFINITIONS_VERSION`: after a release that counts a figure
    differently, a bulletin cached under the old definitions is recomputed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(build.w.supervisor)
    page = url("bulletin", query="year=2025&quarter=2")
    with CaptureQueriesContext(connection) as first:
        client.get(page)
    with CaptureQueriesContext(connection) as kept:
        client.get(page)
    monkeypatch.setattr(B, "DEFINITIONS_VERSION", B.DEFINITIONS_VERSION + 1)  # the next release
    with CaptureQueriesContext(connection) as after:
        client.get(page)
    assert len(kept) < len(first) / 3
    assert len(after) > len(kept) * 3, (len(first), len(kept), len(after))
