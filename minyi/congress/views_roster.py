"""花名册导入 pages below /c/<code>/roster/: upload → dry-run report → 确认导入.

Every view needs `congress.import_roster` in the congress (404 otherwise, like every congress page);
import jobs are fetched only within the congress of the URL, so another congress's job is a 404 too.
Small files are checked and imported within the request; large ones in the background, and the job
page polls a small progress fragment (htmx, every second) until the pass is done."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minyi.core import views_import as imports
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.xlsx_import import upload_limit_mb

from . import roster
from .models import ImportJob

PERM = roster.PERM
RECENT_JOBS = 10


class RosterUploadForm(imports.XlsxUploadForm):
    file = imports.xlsx_file_field(
        gettext_lazy("花名册文件（.xlsx）"),
        gettext_lazy("请使用本页提供的模板填写。上传后先校验（试导入），确认无误后再正式导入。"),
    )


def _job(request: CongressRequest, job_id: uuid.UUID) -> ImportJob:
    return imports.congress_job(request, ImportJob, job_id)


@congress_view(PERM)
def upload(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    done, status = imports.post_upload(
        request, form, create=roster.create_import_job, job_url="congress:roster_job"
    )
    if done:
        return done
    jobs = ImportJob.objects.filter(congress=congress).select_related("created_by")[:RECENT_JOBS]
    return render(
        request,
        "congress/roster/upload.html",
        {
            "form": form,
            "jobs": jobs,
            "layout": roster.LAYOUT,
            "max_mb": upload_limit_mb(),
            "max_rows": roster.max_rows(),
        },
        status=status,
    )


@require_GET
@congress_view(PERM)
def template(request: HttpRequest) -> HttpResponse:
    return imports.xlsx_response(roster.build_template(), _("花名册导入模板.xlsx"))


@require_GET
@congress_view(PERM)
def job(request: CongressRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    report = roster.RosterReport.from_dict(job.report) if job.report else None
    return render(
        request,
        "congress/roster/job.html",
        {
            "job": job,
            "report": report,
            **imports.report_context(report),
            "count_rows": [
                (sheet, c.get("created", 0), c.get("updated", 0), report.unchanged.get(sheet, 0))
                for sheet, c in report.counts.items()
            ]
            if report
            else [],
        },
    )


@require_GET
@congress_view(PERM)
def progress(request: CongressRequest, job_id: uuid.UUID) -> HttpResponse:
    """The progress fragment the job page polls; once the pass is over the page reloads itself."""
    job = _job(request, job_id)
    return imports.progress_fragment(request, job, request.path, _("花名册导入"))


@require_GET
@congress_view(PERM)
def errors_xlsx(request: CongressRequest, job_id: uuid.UUID) -> HttpResponse:
    return imports.errors_download(request, _job(request, job_id), roster.RosterReport, "roster")


@require_POST
@congress_view(PERM)
def commit(request: CongressRequest, job_id: uuid.UUID) -> HttpResponse:
    return imports.commit(
        request,
        _job(request, job_id),
        confirm=roster.confirm_import_job,
        done=ImportJob.Status.IMPORTED,
        done_message=_("花名册已导入。"),
        job_url="congress:roster_job",
    )
