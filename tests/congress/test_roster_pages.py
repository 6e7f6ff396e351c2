"""The roster import pages: upload → dry-run report → 确认导入, background jobs, access."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from minyi.audit.models import AuditEvent
from minyi.congress.models import Deputy, ImportJob
from minyi.congress.roster import XLSX_CONTENT_TYPE, import_roster
from tests.audit.support import assert_one_read_row, last_seq

from .test_roster import happy_sheets, snapshot_counts, xlsx

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def url(name: str, *args, code: str = "alpha") -> str:
    return reverse(f"congress:{name}", args=[code, *args])


def upload_file(buf, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, buf.getvalue(), content_type=XLSX_CONTENT_TYPE)


def post_upload(client, buf, name: str = "花名册.xlsx"):
    return client.post(url("roster_import"), {"file": upload_file(buf, name)})


def many_deputies(n: int) -> dict[str, list]:
    return {
        "代表": [{"代表证号": f"B{i:04d}", "姓名": f"代表{i}", "任职起始": "2022-01-01"} for i in range(n)]
    }


# --- the whole flow, inline ------------------------------------------------------------------------


def test_upload_page_shows_template_link_and_instructions(client, world):
    client.force_login(world.clerk)
    response = client.get(url("roster_import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert url("roster_template") in html
    assert 'enctype="multipart/form-data"' in html
    assert "代表证号" in html and "确认导入" in html


def test_template_download(client, world):
    client.force_login(world.admin)
    response = client.get(url("roster_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"代表小组", "联络站", "承办单位", "代表"} <= set(wb.sheetnames)


def test_upload_dry_run_then_confirm_imports_the_same_file(client, world, media):
    client.force_login(world.admin)
    before = snapshot_counts()
    response = post_upload(client, xlsx(happy_sheets()))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("roster_job", job.pk)
    assert (job.status, job.dry_run, job.background) == (ImportJob.Status.CHECKED, True, False)
    assert job.created_by == world.admin and job.filename == "花名册.xlsx"
    stored = media / "imports" / f"{job.pk}.xlsx"
    assert stored.is_file() and job.file.name == f"imports/{job.pk}.xlsx"
    assert snapshot_counts() == before  # the dry run wrote nothing but the job

    page = client.get(url("roster_job", job.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "校验通过" in html
    assert 'id="roster-counts"' in html and "承办单位" in html
    assert "data-confirm=" in html and url("roster_job_commit", job.pk) in html

    response = client.post(url("roster_job_commit", job.pk))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert job.committed_by == world.admin and job.committed_at
    assert Deputy.objects.filter(congress=world.congress, number="D100").exists()
    assert AuditEvent.objects.filter(code="roster.imported", actor=world.admin).count() == 1
    event = AuditEvent.objects.get(code="roster.imported")
    assert event.new["sha256"] == job.sha256 and event.new["filename"] == "花名册.xlsx"
    assert not stored.exists() and not job.file  # personal data is not kept after the import
    assert "导入完成" in client.get(url("roster_job", job.pk)).content.decode()

    # A second click does not import twice.
    client.post(url("roster_job_commit", job.pk))
    assert AuditEvent.objects.filter(code="roster.imported").count() == 1


def test_commit_rechecks_the_file_against_current_data(client, world):
    client.force_login(world.admin)
    sheets = {"代表": [{"代表证号": "X1", "姓名": "某", "任职起始": "2022-01-01", "登录账号": "late"}]}
    post_upload(client, xlsx(sheets))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED
    # Meanwhile someone links the account "late" to another deputy.
    import_roster(
        world.congress,
        xlsx({"代表": [{"代表证号": "X2", "姓名": "另", "任职起始": "2022-01-01", "登录账号": "late"}]}),
        actor=world.clerk,
        dry_run=False,
    )
    client.post(url("roster_job_commit", job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID and not job.dry_run
    assert not Deputy.objects.filter(number="X1").exists()
    assert "登录账号" in client.get(url("roster_job", job.pk)).content.decode()


def test_a_file_with_errors_shows_the_table_and_cannot_be_confirmed(client, world):
    client.force_login(world.clerk)
    sheets = {
        "代表": [
            {"代表证号": f"E{i}", "姓名": "某", "任职起始": "2022-01-01", "联系电话": "123"}
            for i in range(130)
        ]
    }
    post_upload(client, xlsx(sheets))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    html = client.get(url("roster_job", job.pk)).content.decode()
    assert "发现 130 个错误" in html
    assert 'id="roster-errors"' in html
    assert html.count('data-label="原因"') == 100  # capped; the rest is in the download
    assert "另有 30 个错误未显示" in html
    assert url("roster_job_commit", job.pk) not in html

    seq = last_seq()
    response = client.get(url("roster_job_errors", job.pk))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert_one_read_row(seq, "file.downloaded", actor=world.clerk, congress=world.congress, obj=job)
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("工作表", "行号", "列", "原因")
    assert len(rows) == 131
    assert rows[1][:3] == ("代表", 2, "联系电话")

    before = snapshot_counts()
    client.post(url("roster_job_commit", job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID and job.dry_run
    assert snapshot_counts() == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("名单.csv", "代表证号,姓名\nD1,张三\n".encode()),
        ("名单.xlsx", "代表证号,姓名\nD1,张三\n".encode()),
        ("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
    ],
)
def test_wrong_file_types_are_refused_at_upload(client, world, name, content):
    client.force_login(world.admin)
    response = client.post(url("roster_import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    assert "is-invalid" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_oversize_upload_is_refused(client, world, settings):
    settings.MINYI_MAX_UPLOAD_BYTES = 1000
    client.force_login(world.admin)
    response = post_upload(client, xlsx(happy_sheets()))
    assert response.status_code == 422
    assert "大小上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_without_a_file_is_refused(client, world):
    client.force_login(world.admin)
    response = client.post(url("roster_import"), {})
    assert response.status_code == 422
    assert not ImportJob.objects.exists()


# --- large files: the background path --------------------------------------------------------------


def test_large_file_runs_in_the_background_with_progress(client, world, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(world.admin)
    post_upload(client, xlsx(many_deputies(600)))
    job = ImportJob.objects.get()
    assert job.background  # > 500 rows
    assert job.status == ImportJob.Status.CHECKED
    assert (job.progress_done, job.progress_total) == (600, 600)
    assert job.report["counts"] == {"代表": {"created": 600, "updated": 0}}

    # The progress fragment tells a polling page to reload once the pass is over.
    response = client.get(url("roster_job_progress", job.pk), headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"

    client.post(url("roster_job_commit", job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert Deputy.objects.filter(congress=world.congress, number__startswith="B").count() == 600
    assert AuditEvent.objects.filter(code="roster.imported").count() == 1


@pytest.mark.django_db(transaction=True)  # the worker checks its connection between tasks
def test_queued_job_page_polls_a_progress_bar_until_the_worker_is_done(client, world, settings):
    # The real backend (django-tasks-db): the upload only queues the job; a worker runs it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.MINYI_ROSTER_INLINE_ROWS = 5
    client.force_login(world.admin)
    post_upload(client, xlsx(many_deputies(40)))
    job = ImportJob.objects.get()
    assert (job.background, job.status) == (True, ImportJob.Status.QUEUED)

    html = client.get(url("roster_job", job.pk)).content.decode()
    assert 'hx-get="{}"'.format(url("roster_job_progress", job.pk)) in html
    assert 'hx-trigger="every 1s"' in html
    assert 'class="progress"' in html and "pct-0" in html
    # the bar's width is a class of the site's stylesheet (the CSP forbids style="")
    assert 'style="' not in html
    assert ".pct-0{width:0%}" in (Path(settings.BASE_DIR) / "static/css/minyi.css").read_text()
    fragment = client.get(url("roster_job_progress", job.pk), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "progress-bar" in fragment.content.decode()
    assert "HX-Refresh" not in fragment

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert (job.progress_done, job.progress_total) == (40, 40)
    assert (
        client.get(url("roster_job_progress", job.pk), headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    )

    client.post(url("roster_job_commit", job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and not job.dry_run
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert Deputy.objects.filter(number__startswith="B").count() == 40


# --- access ----------------------------------------------------------------------------------------


@pytest.fixture
def alpha_job(world) -> ImportJob:
    from minyi.congress.roster import create_import_job

    buf = xlsx(happy_sheets())
    return create_import_job(world.congress, upload_file(buf), actor=world.admin)


@pytest.mark.parametrize("who", ["deputy", "viewer", "handler_a", "outsider"])
def test_pages_are_404_without_the_permission(client, world, alpha_job, who):
    client.force_login(getattr(world, who))
    for name, args in [
        ("roster_import", ()),
        ("roster_template", ()),
        ("roster_job", (alpha_job.pk,)),
        ("roster_job_progress", (alpha_job.pk,)),
        ("roster_job_errors", (alpha_job.pk,)),
    ]:
        assert client.get(url(name, *args)).status_code == 404, name
    assert client.post(url("roster_job_commit", alpha_job.pk)).status_code == 404
    assert client.post(url("roster_import"), {"file": upload_file(xlsx(happy_sheets()))}).status_code == 404
    alpha_job.refresh_from_db()
    assert alpha_job.status == ImportJob.Status.CHECKED
    assert ImportJob.objects.count() == 1


def test_another_congress_job_is_404_even_for_its_admin_elsewhere(client, world, alpha_job):
    client.force_login(world.outsider)  # admin of beta
    assert client.get(url("roster_import", code="beta")).status_code == 200
    for name in ("roster_job", "roster_job_progress", "roster_job_errors"):
        assert client.get(url(name, alpha_job.pk, code="beta")).status_code == 404
    assert client.post(url("roster_job_commit", alpha_job.pk, code="beta")).status_code == 404
    alpha_job.refresh_from_db()
    assert alpha_job.status == ImportJob.Status.CHECKED


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(url("roster_import"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_pages_have_a_fixed_query_budget(client, world, django_assert_max_num_queries):
    from minyi.congress.roster import create_import_job

    client.force_login(world.admin)
    for i in range(12):
        create_import_job(
            world.congress, upload_file(xlsx({"代表小组": [{"名称": f"组{i}"}]})), actor=world.admin
        )
    job = ImportJob.objects.first()
    with django_assert_max_num_queries(10):
        assert client.get(url("roster_import")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(url("roster_job", job.pk)).status_code == 200
