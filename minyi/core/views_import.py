"""What the pages of the Excel imports share (upload → dry-run report → 确认导入): the upload form, the
job fetched within the congress of the URL, the progress fragment the job page polls, the error
list download and the confirm button. Each import's views name their form, templates, URLs and
messages (`minyi.congress.views_roster`, `minyi.reports.views_exports`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh

from minyi.core.decorators import CongressRequest

from .errors import DomainError
from .pages import record_download
from .xlsx_import import XLSX_CONTENT_TYPE, ImportReport, check_content, errors_workbook, too_large

#: Errors shown on the report page; the full list is a download.
ERRORS_SHOWN = 100


def xlsx_file_field(label: Any, help_text: Any) -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )


class XlsxUploadForm(forms.Form):
    """An .xlsx upload (subclasses declare `file` with `xlsx_file_field`), refused when it is over the
    size limit or not a workbook we accept."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MINYI_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(too_large(limit))
        upload.seek(0)
        problems = check_content(upload.read(), upload.name)
        upload.seek(0)
        if problems:
            raise forms.ValidationError(problems)
        return upload


def congress_job(request: CongressRequest, model: type[models.Model], job_id: uuid.UUID) -> Any:
    """The congress's upload job, or 404 (for a missing job and for another congress's alike)."""
    return get_object_or_404(
        model.objects.select_related("created_by", "committed_by"),  # type: ignore[attr-defined]
        pk=job_id,
        congress=request.congress,
    )


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def post_upload(
    request: CongressRequest, form: forms.Form, *, create: Callable[..., Any], job_url: str
) -> tuple[HttpResponse | None, int]:
    """On a POST, the job `create(congress, file, actor=…)` makes of a valid upload and the redirect
    to its page; otherwise (None, status): 200 for the empty form, 422 for a refused upload (its
    reason on the form)."""
    if request.method != "POST":
        return None, 200
    if form.is_valid():
        congress = request.congress
        try:
            job = create(congress, form.cleaned_data["file"], actor=request.user)
        except DomainError as e:
            form.add_error("file", e.detail)
        else:
            return redirect(job_url, congress.code, job.pk), 200
    return None, 422


def report_context(report: ImportReport | None) -> dict[str, Any]:
    """The job page's first errors and how many more the download holds."""
    return {
        "errors_shown": report.errors[:ERRORS_SHOWN] if report else [],
        "errors_hidden": max(0, len(report.errors) - ERRORS_SHOWN) if report else 0,
    }


def progress_fragment(request: HttpRequest, job: Any, progress_url: str, list_page: str) -> HttpResponse:
    """The progress card the job page polls (templates/core/_import_progress.html); once the pass is
    over the page reloads itself. `list_page` names the page that lists recent imports."""
    if not job.is_active and request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRefresh()
    context = {"job": job, "progress_url": progress_url, "list_page": list_page}
    return render(request, "core/_import_progress.html", context)


def errors_download(
    request: HttpRequest, job: Any, report_class: type[ImportReport], default_stem: str
) -> HttpResponse:
    if not job.report:
        raise Http404("no report yet")
    report = report_class.from_dict(job.report)
    stem = os.path.splitext(job.filename)[0] or default_stem
    # the list repeats what the uploaded rows held (names, accounts): a download of personal data
    record_download(request, job, what={"kind": "import_errors"})
    return xlsx_response(errors_workbook(report.errors), _("导入错误清单-%(f)s.xlsx") % {"f": stem})


def commit(
    request: CongressRequest,
    job: Any,
    *,
    confirm: Callable[..., Any],
    done: str,
    done_message: str,
    job_url: str,
) -> HttpResponse:
    """确认导入: `confirm(job, actor=…)`, say how it went, and back to the job's page."""
    try:
        job = confirm(job, actor=request.user)
    except DomainError as e:
        messages.error(request, e.detail)
    else:
        if job.status == done:
            messages.success(request, done_message)
        elif job.is_active:
            messages.info(request, _("正在后台导入，请稍候；本页会自动显示进度。"))
    return redirect(job_url, request.congress.code, job.pk)
