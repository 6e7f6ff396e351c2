"""Exports: the ledger and the league table reopened with openpyxl equal the engine's numbers; the
PDF report is produced, embeds its CJK font and its text holds the headline figures; the export
pages (inline and background with progress), downloads only for the requester, 404 for everyone
else."""

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
from django_tasks_db.models import DBTaskResult

from minyi.reports import exports as X
from minyi.reports import pdf
from minyi.reports.dashboard import HEADLINE
from minyi.reports.figures import Scope, compute_figures
from minyi.reports.league import RATES, unit_league
from minyi.reports.models import ExportJob, JobStatus
from tests.audit.support import assert_one_read_row, last_seq, read_rows_after

from .scenario import AS_OF, EXPECTED, build_year

d = datetime.date
TZ = ZoneInfo("Asia/Shanghai")
Y2025 = "year=2025"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def url(name: str, *args, query: str = "") -> str:
    return reverse(f"reports:{name}", args=["alpha", *args]) + (f"?{query}" if query else "")


@pytest.fixture
def built(build, settings, tmp_path):
    """The hand-counted year, export files kept in a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return build_year(build)


@pytest.fixture
def year(built):
    """…seen on its last day."""
    with time_machine.travel(datetime.datetime(2025, 12, 31, 18, tzinfo=TZ), tick=False):
        yield built


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(ws, header_row: int = 1) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    headers = values[header_row - 1]
    return [
        dict(zip(headers, row, strict=False))
        for row in values[header_row:]
        if any(v is not None for v in row)
    ]


def _day(value) -> datetime.date | None:
    return value.date() if isinstance(value, datetime.datetime) else value


# --- the ledger ------------------------------------------------------------------------------------


def test_ledger_reopened_equals_the_engine(build, year):
    w = build.w
    scope = Scope.year(2025, as_of=AS_OF)
    wb = _book(X.ledger_workbook(w.congress, scope))
    assert wb.sheetnames == [X.LEDGER_SHEET, "统计数据", "口径说明"]
    ws = wb[X.LEDGER_SHEET]
    assert [c.value for c in ws[1]] == list(X.LEDGER_HEADERS)
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 44 and ws.column_dimensions["A"].width == 20
    assert ws["A1"].font.bold
    rows = _rows(ws)
    figures = compute_figures(w.congress, scope)
    # one row per accepted suggestion, and the figures recounted from the rows
    assert len(rows) == figures["suggestions"].numerator == EXPECTED["suggestions"]
    assert sum(r["状态"] == "已办结" for r in rows) == figures["completion_rate"].numerator
    grassroots = {build.taxa.grassroots.name}
    assert sum(r["收集渠道"] in grassroots for r in rows) == figures["grassroots_share"].numerator
    assert sum(r["答复日期"] is not None for r in rows) == figures["contact_rate"].denominator
    assert sum(r["见面联系日期"] is not None for r in rows) == figures["contact_rate"].numerator
    assert sum(r["答复类别"] == "A" for r in rows) == figures["resolution_rate"].numerator
    by_title = {r["案由"]: r for r in rows}
    assert set(by_title) == {"S1", "S2", "S3", "S4", "S5", "S6"}
    s2 = by_title["S2"]
    assert (s2["主办单位"], s2["协办单位"]) == (w.unit_a.name, w.unit_b.name)
    assert (_day(s2["立案日期"]), _day(s2["交办日期"]), _day(s2["答复日期"])) == (
        d(2025, 3, 3),
        d(2025, 3, 14),
        d(2025, 5, 20),
    )
    assert _day(s2["见面联系日期"]) == d(2025, 5, 12)  # the phone call of 03-17 is not face to face
    assert (s2["答复类别"], s2["测评结果"], s2["状态"]) == ("B", "基本满意", "已办结")  # final round
    s3 = by_title["S3"]
    assert s3["主办单位"] == f"{w.unit_a.name}、{w.unit_b.name}"  # split
    assert (s3["答复类别"], s3["测评结果"]) == ("A、C", "满意、未反馈")
    assert s3["见面联系日期"] is None  # B's visit was disputed
    s1 = by_title["S1"]
    assert (s1["联名代表"], s1["提出时间"], _day(s1["办结日期"])) == ("联名代表", "大会期间", d(2025, 3, 28))
    assert s1["建议编号"] == year.s["S1"].number
    assert by_title["S6"]["状态"] == "已立案" and by_title["S6"]["主办单位"] is None

    figures_sheet = _rows(wb["统计数据"])
    assert [r["指标"] for r in figures_sheet] == [f.label for f in figures]
    for r, f in zip(figures_sheet, figures, strict=True):
        assert (r["分子"], r["分母"]) == (f.numerator, f.denominator)
        assert r["数值"] == pytest.approx(f.value) if f.value is not None else r["数值"] is None
    definitions = [row for row in wb["口径说明"].iter_rows(values_only=True)]
    texts = {row[0]: row[1] for row in definitions if row and row[0]}
    assert texts["满意率（最终）"] == figures["satisfaction_rate"].definition
    assert "汇总表·测评结果" in texts and wb["口径说明"]["A1"].value == w.congress.name


def test_ledger_follows_the_scope_filters(build, year):
    w = build.w
    scope = Scope.year(2025, as_of=AS_OF, unit=w.unit_b.pk)
    rows = _rows(_book(X.ledger_workbook(w.congress, scope))[X.LEDGER_SHEET])
    assert sorted(r["案由"] for r in rows) == ["S2", "S3"]
    assert len(rows) == compute_figures(w.congress, scope)["suggestions"].numerator


# --- the league table --------------------------------------------------------------------------------


def test_league_reopened_equals_the_engine(build, year):
    w = build.w
    scope = Scope.year(2025, as_of=AS_OF)
    league = unit_league(w.congress, scope, 1)
    wb = _book(X.league_workbook(w.congress, scope, league))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["B"].width == 28
    rows = _rows(ws)
    assert [r["承办单位"] for r in rows] == [row.name for row in league.rows]
    for r, row in zip(rows, league.rows, strict=True):
        assert r["名次"] == (row.rank or "—")  # ranked, but nothing to rank it by yet
        assert r["交办件数"] == row.assigned
        assert (r["逾期未办件数"], r["重新办理件数"], r["曾逾期件数"]) == (
            row.overdue,
            row.rehandled,
            row.late,
        )
        for spec in RATES:
            rate = row.rates[spec.key]
            label = str(spec.label)
            assert (r[f"{label}·分子"], r[f"{label}·分母"]) == (rate.numerator, rate.denominator)
            assert r[label] == (pytest.approx(rate.value) if rate.value is not None else None)
            assert r[f"{label}·95%下限"] == (pytest.approx(rate.low) if rate.low is not None else None)
    assert ws.cell(row=2, column=5).number_format == "0.0%"
    assert "口径说明" in wb.sheetnames


def test_league_lists_units_with_too_few_items_apart(build, year):
    w = build.w
    scope = Scope.year(2025, as_of=AS_OF)
    league = unit_league(w.congress, scope, 3)  # A has 4 items, B 2
    rows = _rows(_book(X.league_workbook(w.congress, scope, league)).worksheets[0])
    assert [(r["名次"], r["承办单位"]) for r in rows] == [(1, w.unit_a.name), ("样本不足", w.unit_b.name)]


# --- the PDF report -------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _embedded_fonts(data: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and "/FontFile2" in descriptor.get_object():
                    found.add(str(descendant.get_object()["/BaseFont"]))
    return found


def test_pdf_report_holds_the_headline_figures_in_chinese(build, year):
    w = build.w
    scope = Scope.year(2025, as_of=AS_OF)
    data = pdf.year_report(w.congress, scope)
    assert data.startswith(b"%PDF")
    text = re.sub(r"\s+", "", _pdf_text(data))
    figures = compute_figures(w.congress, scope)
    assert "甲区人大常委会2025年代表建议办理情况统计报告" in text
    for key in HEADLINE:
        f = figures[key]
        shown = pdf.pct(f.value) if f.is_rate else str(f.numerator)
        assert f"{f.label}{shown}" in text, key
    assert "满意率（最终）100.0%3/3" in text
    assert "按期答复率50.0%2/4" in text
    assert "每月立案和答复件数" in text and "五、指标口径" in text
    assert figures["satisfaction_rate"].definition[:20] in text
    assert w.unit_a.name in text
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 2


def test_pdf_embeds_a_truetype_cjk_font(build, year):
    data = pdf.year_report(build.w.congress, Scope.year(2025, as_of=AS_OF))
    if pdf.font() == pdf.FALLBACK_FONT:
        pytest.skip("no TrueType CJK font installed (scripts/install_browser.sh installs fonts-wqy-microhei)")
    assert any("WenQuanYi" in name or "MinyiCJK" in name or "Micro" in name for name in _embedded_fonts(data))


# --- the pages ---------------------------------------------------------------------------------------


STAFF = ["admin", "clerk", "supervisor", "inspector", "viewer", "coordinator"]
NOBODY = ["deputy", "cosigner", "liaison", "judge", "outsider", "handler_a", "leader_a"]


@pytest.mark.parametrize("who", STAFF)
def test_staff_export_the_ledger_at_once(client, build, year, who):
    client.force_login(getattr(build.w, who))
    assert client.get(url("exports", query=Y2025)).status_code == 200
    seq = last_seq()
    response = client.post(url("exports"), {"year": "2025", "export": "ledger"})
    job = ExportJob.objects.get(created_by=getattr(build.w, who))
    assert response.status_code == 302 and response["Location"] == url("export_download", job.pk)
    # who asked for which export, and each download of it: one audit row each (issue #10)
    row = assert_one_read_row(
        seq, "export.requested", actor=getattr(build.w, who), congress=build.w.congress, obj=job
    )
    assert row.new == {"kind": "ledger", "params": job.params}
    seq = last_seq()
    download = client.get(response["Location"])
    assert_one_read_row(
        seq, "export.downloaded", actor=getattr(build.w, who), congress=build.w.congress, obj=job
    )
    assert download["Content-Type"] == X.XLSX_CONTENT_TYPE
    assert "attachment" in download["Content-Disposition"]
    rows = _rows(_book(b"".join(download.streaming_content))[X.LEDGER_SHEET])
    assert len(rows) == EXPECTED["suggestions"]
    assert (job.status, job.background, job.progress_total) == (JobStatus.DONE, False, 6)
    # the stored file gone from MEDIA_ROOT (a restore without media, a disk cleaned): 404, not a 500
    job.file.storage.delete(job.file.name)
    seq = last_seq()
    assert client.get(url("export_download", job.pk)).status_code == 404
    assert read_rows_after(seq) == []  # nothing handed out, nothing recorded


def test_league_and_pdf_exports_from_the_page(client, build, year):
    client.force_login(build.w.clerk)
    response = client.post(
        url("exports"), {"year": "2025", "export": "league", "rank_by": "reply_on_time", "min_count": "1"}
    )
    job = ExportJob.objects.get(kind="league")
    assert "rank_by=reply_on_time" in job.params and "min_count=1" in job.params
    data = b"".join(client.get(response["Location"]).streaming_content)
    rows = _rows(_book(data).worksheets[0])
    league = unit_league(build.w.congress, Scope.year(2025), 1, rank_by="reply_on_time")
    assert [r["承办单位"] for r in rows] == [row.name for row in league.rows]
    response = client.post(url("exports"), {"year": "2025", "export": "year_pdf"})
    download = client.get(response["Location"])
    assert download["Content-Type"] == "application/pdf"
    assert "建议数（立案）" in _pdf_text(b"".join(download.streaming_content))


def test_large_exports_run_in_the_background_with_progress(client, build, year, settings):
    settings.MINYI_EXPORT_INLINE_ROWS = 2
    settings.TASKS = DB_TASKS  # the real queue: the request only enqueues the job
    client.force_login(build.w.clerk)
    response = client.post(url("exports"), {"year": "2025", "export": "ledger"})
    job = ExportJob.objects.get()
    assert (job.background, job.status) == (True, JobStatus.QUEUED)
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (
        "minyi.reports.exports.run_export_task",
        [str(job.pk)],
    )
    assert response["Location"] == url("export_job", job.pk)
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "排队等待后台处理" in page
    fragment = client.get(url("export_progress", job.pk), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "export-progress" in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    assert client.get(url("export_download", job.pk)).status_code == 404  # not ready yet
    assert X.run_export_task.call(str(job.pk)) == JobStatus.DONE  # what the worker runs
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.DONE, 6, 6)
    done = client.get(url("export_progress", job.pk), HTTP_HX_REQUEST="true")
    assert done.headers.get("HX-Refresh") == "true"
    page = client.get(url("export_job", job.pk)).content.decode()
    assert 'id="export-download"' in page
    rows = _rows(
        _book(b"".join(client.get(url("export_download", job.pk)).streaming_content))[X.LEDGER_SHEET]
    )
    assert len(rows) == 6
    assert X.run_export(job.pk).status == JobStatus.DONE  # a task delivered twice changes nothing


def test_the_progress_fragment_shows_a_running_job(client, build, year):
    job = ExportJob.objects.create(
        congress=build.w.congress, kind="ledger", params=Y2025, created_by=build.w.clerk, background=True
    )
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress_done=3, progress_total=6)
    client.force_login(build.w.clerk)
    html = client.get(url("export_progress", job.pk), HTTP_HX_REQUEST="true").content.decode()
    assert "已处理 3 / 6" in html and "pct-50" in html and 'aria-valuenow="50"' in html
    page = client.get(url("export_job", job.pk)).content.decode()
    assert "export-progress" in page and "noscript" in page


@pytest.mark.parametrize("who", NOBODY)
def test_everyone_else_gets_404(client, build, year, who):
    job = X.start_export(build.w.congress, "ledger", Y2025, actor=build.w.clerk)
    client.force_login(getattr(build.w, who))
    for path in (url("exports"), url("export_job", job.pk), url("export_download", job.pk)):
        assert client.get(path).status_code == 404, path
    assert client.post(url("exports"), {"export": "ledger"}).status_code == 404


def test_exports_are_their_requesters_own(client, build, year):
    job = X.start_export(build.w.congress, "ledger", Y2025, actor=build.w.clerk)
    client.force_login(build.w.admin)  # may export, but this file is the clerk's
    for path in (url("export_job", job.pk), url("export_download", job.pk), url("export_progress", job.pk)):
        assert client.get(path).status_code == 404
    client.force_login(build.w.outsider)
    other = reverse("reports:export_download", args=["beta", job.pk])
    assert client.get(other).status_code == 404


def test_bad_export_requests_are_explained(client, build, year):
    client.force_login(build.w.clerk)
    response = client.post(url("exports"), {"year": "2025", "export": "everything"})
    assert response.status_code == 400 and "请选择要导出的文件" in response.content.decode()
    response = client.post(url("exports"), {"year": "2025", "start": "2025-01-01", "export": "ledger"})
    assert response.status_code == 400 and "请只选择一种统计范围" in response.content.decode()
    response = client.post(url("exports"), {"year": "2025", "export": "league", "min_count": "0"})
    assert response.status_code == 400
    assert not ExportJob.objects.exists()


def test_a_failing_export_says_so(client, build, year):
    """The job's scope no longer exists (a term deleted since): the job fails, and says so."""
    job = ExportJob.objects.create(
        congress=build.w.congress, kind="ledger", params="term=999999", created_by=build.w.clerk
    )
    assert X.run_export(job.pk).status == JobStatus.FAILED
    client.force_login(build.w.clerk)
    page = client.get(url("export_job", job.pk)).content.decode()
    assert "生成文件时发生内部错误" in page and "重新导出" in page
    assert client.get(url("export_download", job.pk)).status_code == 404


def test_old_export_files_are_cleaned(build, year):
    job = X.start_export(build.w.congress, "ledger", Y2025, actor=build.w.clerk)
    assert X.stale_exports(build.w.congress) == 0
    ExportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - datetime.timedelta(days=8))
    assert X.stale_exports(build.w.congress) == 1
    job.refresh_from_db()
    assert not job.file
