"""Export, bulletin and history-import pages below /c/<code>/reports/:

- ``exports/``: the scope form and one button per export (ledger .xlsx, league .xlsx, the year's
  PDF report); the user's recent exports. Small exports are built at once and downloaded; large
  ones become a background job whose page polls its progress (htmx) until the file is ready.
- ``exports/<uuid>/`` (+ ``progress/``, ``download/``): one export job — only its requester's.
- ``bulletin/?year=&quarter=``: the quarterly bulletin page; its .xlsx and PDF are exports.
- ``history/``: upload a ledger of past years → dry-run report (row, column, reason) → 确认导入;
  ``history/template/`` the workbook to fill in; ``history/<uuid>/…`` one upload.

Permissions: ``reports.view_figures`` for the bulletin, ``reports.export_figures`` for exports,
``reports.import_history`` for the history import (`rules_exports.py`); 404 otherwise, and for
another congress's (or another user's) jobs.
"""

from __future__ import annotations

import uuid

import rules
from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from minyi.core import views_import as imports
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.forms import choice_field
from minyi.core.pages import open_or_404, record_download
from minyi.core.xlsx_import import upload_limit_mb

from . import bulletin as B
from . import exports as X
from . import history as H
from .forms import LeagueForm, ScopeForm
from .models import ExportJob, HistoryBatch, JobStatus
from .views_dashboard import _context

RECENT = 10
FIRST_YEAR = 2004
SCOPE_KINDS = (ExportJob.Kind.LEDGER, ExportJob.Kind.LEAGUE, ExportJob.Kind.YEAR_PDF)
BULLETIN_KINDS = (ExportJob.Kind.BULLETIN_XLSX, ExportJob.Kind.BULLETIN_PDF)


# --- exports -----------------------------------------------------------------------------------------


def _scope_form(request: CongressRequest, data) -> tuple[ScopeForm, bool]:
    form = ScopeForm(request.congress, data or None)
    if not form.is_bound:
        form.cleaned_data = {}
        return form, True
    return form, form.is_valid()


def _download(job: ExportJob) -> FileResponse:
    response = FileResponse(open_or_404(job.file), content_type=X.content_type(job))
    response["Content-Disposition"] = content_disposition_header(
        True, job.filename or f"export.{job.extension}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _job(request: CongressRequest, job_id: uuid.UUID) -> ExportJob:
    """The requester's own export in this congress, or 404."""
    return get_object_or_404(
        ExportJob,
        pk=job_id,
        congress=request.congress,
        created_by=request.user,
    )


def _after_start(request: CongressRequest, job: ExportJob) -> HttpResponse:
    code = request.congress.code
    if job.status == JobStatus.DONE:
        return redirect("reports:export_download", code, job.pk)
    if job.status == JobStatus.FAILED:
        messages.error(request, job.message or _("导出失败，请稍后重试。"))
    else:
        messages.info(request, _("文件较大，正在后台生成；本页会显示进度，完成后可下载。"))
    return redirect("reports:export_job", code, job.pk)


@congress_view("reports.export_figures")
def exports(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    data = request.POST if request.method == "POST" else request.GET
    form, valid = _scope_form(request, {k: v for k, v in data.items() if k in ScopeForm.KEYS})
    options = LeagueForm.for_request(data)
    status = 200
    if request.method == "POST":
        kind = request.POST.get("export", "")
        if kind not in SCOPE_KINDS:
            messages.error(request, _("请选择要导出的文件。"))
            status = 400
        elif not valid or (kind == ExportJob.Kind.LEAGUE and not options.is_valid()):
            status = 400
        else:
            params = form.querystring()
            if kind == ExportJob.Kind.LEAGUE:
                params = form.querystring(
                    rank_by=options.cleaned_data["rank_by"], min_count=options.cleaned_data["min_count"]
                )
            job = X.start_export(congress, kind, params, actor=request.user, title=str(form.scope().label))
            return _after_start(request, job)
    elif not valid:
        status = 400
    jobs = ExportJob.objects.filter(congress=congress, created_by=request.user)[:RECENT]
    context = _context(
        request,
        form=form,
        options=options,
        tab="exports",
        jobs=jobs,
        scope=form.scope() if valid else None,
        querystring=form.querystring() if valid else "",
        inline_rows=X.inline_max_rows(),
    )
    return render(request, "reports/dashboard/exports.html", context, status=status)


@require_GET
@congress_view("reports.export_figures")
def export_job(request: CongressRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    return render(
        request,
        "reports/dashboard/export_job.html",
        _context(request, job=job, tab="exports"),
    )


@require_GET
@congress_view("reports.export_figures")
def export_progress(request: CongressRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    if not job.is_active and request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRefresh()
    return render(request, "reports/dashboard/_export_progress.html", {"job": job})


@require_GET
@congress_view("reports.export_figures")
def export_download(request: CongressRequest, job_id: uuid.UUID) -> FileResponse:
    job = _job(request, job_id)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("not ready")
    response = _download(job)
    record_download(request, job, code="export.downloaded", what={"kind": job.kind})
    return response


# --- bulletin ------------------------------------------------------------------------------------------


class QuarterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("季度"),
        coerce=int,
        choices=[(q, gettext_lazy("第%(q)s季度") % {"q": q}) for q in range(1, 5)],
    )

    def __init__(self, data=None):
        year, quarter = B.current_quarter()
        super().__init__(data or {"year": year, "quarter": quarter})
        choice_field(self, "year").choices = [
            (y, _("%(y)s年") % {"y": y}) for y in range(year, FIRST_YEAR - 1, -1)
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


@congress_view("reports.view_figures")
def bulletin(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    data = request.POST if request.method == "POST" else request.GET
    form = QuarterForm({k: data[k] for k in ("year", "quarter") if data.get(k)} or None)
    context = _context(request, quarter_form=form, tab="bulletin")
    if not form.is_valid():
        return render(request, "reports/dashboard/bulletin.html", context, status=400)
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    if request.method == "POST":
        kind = request.POST.get("export", "")
        if kind not in BULLETIN_KINDS or not rules.has_perm("reports.export_figures", request.user, congress):
            raise Http404("no such export")
        b_title = _("%(y)s年第%(q)s季度通报") % {"y": year, "q": quarter}
        job = X.start_export(
            congress, kind, f"year={year}&quarter={quarter}", actor=request.user, title=b_title
        )
        return _after_start(request, job)
    context.update(bulletin=B.cached_bulletin(congress, year, quarter), year=year, quarter=quarter)
    return render(request, "reports/dashboard/bulletin.html", context)


# --- history import ------------------------------------------------------------------------------------


class HistoryUploadForm(imports.XlsxUploadForm):
    file = imports.xlsx_file_field(
        gettext_lazy("历年建议办理情况汇总表（.xlsx）"),
        gettext_lazy(
            "请使用本页提供的模板，或本平台导出的汇总表。上传后先校验（试导入），确认无误后再正式导入。"
        ),
    )


def _batch(request: CongressRequest, batch_id: uuid.UUID) -> HistoryBatch:
    return imports.congress_job(request, HistoryBatch, batch_id)


@congress_view(H.PERM)
def history(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    form = HistoryUploadForm(request.POST or None, request.FILES or None)
    done, status = imports.post_upload(request, form, create=H.create_batch, job_url="reports:history_batch")
    if done:
        return done
    batches = HistoryBatch.objects.filter(congress=congress).select_related("created_by")[:RECENT]
    context = _context(
        request,
        form=form,
        batches=batches,
        tab="history",
        columns=X.LEDGER_COLUMNS,
        max_mb=upload_limit_mb(),
        max_rows=H.max_rows(),
    )
    return render(request, "reports/dashboard/history.html", context, status=status)


@require_GET
@congress_view(H.PERM)
def history_template(request: CongressRequest) -> HttpResponse:
    return imports.xlsx_response(H.build_template(request.congress), _("历史数据导入模板.xlsx"))


@require_GET
@congress_view(H.PERM)
def history_batch(request: CongressRequest, batch_id: uuid.UUID) -> HttpResponse:
    batch = _batch(request, batch_id)
    report = H.HistoryReport.from_dict(batch.report) if batch.report else None
    context = _context(
        request,
        batch=batch,
        report=report,
        tab="history",
        **imports.report_context(report),
        count_labels=[
            (_("建议"), "suggestions"),
            (_("其中已办结"), "closed"),
            (_("联名代表"), "cosigners"),
            (_("交办（承办单位）"), "assignments"),
            (_("见面联系记录"), "contacts"),
            (_("答复函"), "replies"),
            (_("测评"), "evaluations"),
        ],
        imported_count=batch.suggestions.count() if batch.status == JobStatus.DONE else 0,
    )
    return render(request, "reports/dashboard/history_batch.html", context)


@require_GET
@congress_view(H.PERM)
def history_progress(request: CongressRequest, batch_id: uuid.UUID) -> HttpResponse:
    return imports.progress_fragment(request, _batch(request, batch_id), request.path, _("历史数据导入"))


@require_GET
@congress_view(H.PERM)
def history_errors(request: CongressRequest, batch_id: uuid.UUID) -> HttpResponse:
    return imports.errors_download(request, _batch(request, batch_id), H.HistoryReport, "history")


@require_POST
@congress_view(H.PERM)
def history_commit(request: CongressRequest, batch_id: uuid.UUID) -> HttpResponse:
    return imports.commit(
        request,
        _batch(request, batch_id),
        confirm=H.confirm_batch,
        done=JobStatus.DONE,
        done_message=_("历史数据已导入，已计入统计。"),
        job_url="reports:history_batch",
    )
