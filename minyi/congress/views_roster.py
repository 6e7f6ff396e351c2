"""花名册导入 pages below /c/<code>/roster/: upload → dry-run report → 确认导入.

Every view needs `congress.import_roster` in the congress (404 otherwise, like every congress page);
import jobs are fetched only within the congress of the URL, so another congress's job is a 404 too.
Small files are checked and imported within the request; large ones in the background, and the job
page polls a small progress fragment (htmx, every second) until the pass is done."""

from __future__ import annotations

import os
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from minyi.core.decorators import congress_view
from minyi.core.errors import DomainError

from . import roster
from .models import ImportJob

PERM = roster.PERM
#: Errors shown on the report page; the full list is a download.
ERRORS_SHOWN = 100
RECENT_JOBS = 10


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("花名册文件（.xlsx）"),
        help_text=gettext_lazy("请使用本页提供的模板填写。上传后先校验（试导入），确认无误后再正式导入。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + roster.XLSX_CONTENT_TYPE}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MINYI_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件超过大小上限（%(limit)s MB），请拆分后分批导入。")
                % {"limit": round(limit / 1024 / 1024, 1)}
            )
        upload.seek(0)
        problems = roster.check_content(upload.read(), upload.name)
        upload.seek(0)
        if problems:
            raise forms.ValidationError(problems)
        return upload


def _job(request: HttpRequest, job_id: uuid.UUID) -> ImportJob:
    """The congress's import job, or 404 (for a missing job and for another congress's alike)."""
    return get_object_or_404(
        ImportJob.objects.select_related("created_by", "committed_by"),
        pk=job_id,
        congress=request.congress,  # type: ignore[attr-defined]
    )


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=roster.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@congress_view(PERM)
def upload(request: HttpRequest) -> HttpResponse:
    congress = request.congress  # type: ignore[attr-defined]
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = roster.create_import_job(congress, form.cleaned_data["file"], actor=request.user)
            except DomainError as e:
                form.add_error("file", e.detail)
            else:
                return redirect("congress:roster_job", congress.code, job.pk)
        status = 422
    jobs = ImportJob.objects.filter(congress=congress).select_related("created_by")[:RECENT_JOBS]
    return render(
        request,
        "congress/roster/upload.html",
        {
            "form": form,
            "jobs": jobs,
            "layout": roster.LAYOUT,
            "max_mb": round(settings.MINYI_MAX_UPLOAD_BYTES / 1024 / 1024, 1),
            "max_rows": roster.max_rows(),
        },
        status=status,
    )


@require_GET
@congress_view(PERM)
def template(request: HttpRequest) -> HttpResponse:
    return _xlsx_response(roster.build_template(), _("花名册导入模板.xlsx"))


@require_GET
@congress_view(PERM)
def job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    report = roster.RosterReport.from_dict(job.report) if job.report else None
    return render(
        request,
        "congress/roster/job.html",
        {
            "job": job,
            "report": report,
            "errors_shown": report.errors[:ERRORS_SHOWN] if report else [],
            "errors_hidden": max(0, len(report.errors) - ERRORS_SHOWN) if report else 0,
            "count_rows": [
                (sheet, c.get("created", 0), c.get("updated", 0), report.unchanged.get(sheet, 0))
                for sheet, c in report.counts.items()
            ]
            if report
            else [],
            "percent_steps": range(101),
        },
    )


@require_GET
@congress_view(PERM)
def progress(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The progress fragment the job page polls; once the pass is over the page reloads itself."""
    job = _job(request, job_id)
    if not job.is_active and request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRefresh()
    return render(request, "congress/roster/_progress.html", {"job": job})


@require_GET
@congress_view(PERM)
def errors_xlsx(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    if not job.report:
        raise Http404("no report yet")
    report = roster.RosterReport.from_dict(job.report)
    stem = os.path.splitext(job.filename)[0] or "roster"
    return _xlsx_response(roster.errors_workbook(report.errors), _("导入错误清单-%(f)s.xlsx") % {"f": stem})


@require_POST
@congress_view(PERM)
def commit(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    try:
        job = roster.confirm_import_job(job, actor=request.user)
    except DomainError as e:
        messages.error(request, e.detail)
    else:
        if job.status == ImportJob.Status.IMPORTED:
            messages.success(request, _("花名册已导入。"))
        elif job.is_active:
            messages.info(request, _("正在后台导入，请稍候；本页会自动显示进度。"))
    return redirect("congress:roster_job", request.congress.code, job.pk)  # type: ignore[attr-defined]
