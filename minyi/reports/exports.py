"""Excel exports (.xlsx): the annual ledger (建议办理情况汇总表) and the unit league table, each with
proper Chinese headers, column widths, a frozen header row, the figures of the scope and a
definitions sheet — and the background jobs that build large ones without blocking a web worker.

The ledger has one row per accepted suggestion of the scope (exactly the rows behind the figure
"suggestions"). Its sheet is also the layout the history import reads (`history.py`): a ledger
exported from one installation can be imported as past years' records into another. Headers and
the labels in cells are the file format and stay Chinese whatever the page language is.

`run_export(job)` builds the file of an `ExportJob` (inline for small scopes, in the background via
the `run_export_task` django-task for large ones), reporting progress on the job as it goes.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from minyi import audit
from minyi.congress.models import Congress, Policy
from minyi.core import xlsx
from minyi.suggestions.models import (
    FACE_TO_FACE,
    Assignment,
    AssignmentRole,
    Contact,
    CoSigner,
    Evaluation,
    Rating,
    Reply,
    Suggestion,
    SuggestionKind,
)
from minyi.suggestions.states import AssignmentState, ContactState, CoSignerState, SuggestionState

from . import rules_exports  # noqa: F401  (registers reports.export_figures)
from .figures import SPECS, Figures, Scope, compute_figures, figure_members, policy_of
from .league import COUNT_DEFINITIONS, RATES, League, unit_league
from .models import ExportJob, JobStatus
from .sheets import DATE, PERCENT, WRAP, definitions_sheet, header, save

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
#: Ledgers with more rows than this are built in the background (settings.MINYI_EXPORT_INLINE_ROWS).
INLINE_MAX_ROWS = 2_000
CHUNK = 500
Progress = Callable[[int, int], None]

# --- the ledger layout (also the history import's) ---------------------------------------------------

LEDGER_SHEET = "建议办理情况汇总表"
FIGURES_SHEET = "统计数据"
LIST_SEP = "、"
KIND_LABELS: dict[str, str] = {SuggestionKind.SESSION: "大会期间", SuggestionKind.INTERIM: "闭会期间"}
RATING_LABELS: dict[str, str] = {
    Rating.SATISFIED: "满意",
    Rating.BASIC: "基本满意",
    Rating.UNSATISFIED: "不满意",
}
NO_FEEDBACK_LABEL = "未反馈"


@dataclass(frozen=True)
class LedgerColumn:
    header: str
    width: int
    note: Any  # lazy text
    required: bool = False
    date: bool = False


LEDGER_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("建议编号", 20, gettext_lazy("如 示范〔2023〕第12号；同一人大内不能重复。"), required=True),
    LedgerColumn("案由", 44, gettext_lazy("建议的标题，不超过200字。"), required=True),
    LedgerColumn(
        "领衔代表", 12, gettext_lazy("代表姓名；重名时写代表证号，或“姓名（代表证号）”。"), required=True
    ),
    LedgerColumn("联名代表", 24, gettext_lazy("确认联名的代表，多人用顿号“、”分隔；写法同领衔代表。")),
    LedgerColumn("分类", 12, gettext_lazy("本人大办理规则中的分类名称。")),
    LedgerColumn("收集渠道", 16, gettext_lazy("本人大办理规则中的收集渠道名称。")),
    LedgerColumn("提出时间", 10, gettext_lazy("大会期间 或 闭会期间；留空为闭会期间。")),
    LedgerColumn(
        "主办单位", 26, gettext_lazy("承办单位名称或简称；分办的多个单位用顿号分隔，每个单位各自答复。")
    ),
    LedgerColumn("协办单位", 26, gettext_lazy("承办单位名称或简称，多个用顿号分隔。")),
    LedgerColumn("立案日期", 12, gettext_lazy("YYYY-MM-DD。"), required=True, date=True),
    LedgerColumn("交办日期", 12, gettext_lazy("YYYY-MM-DD；填写主办单位时必填，不早于立案日期。"), date=True),
    LedgerColumn(
        "见面联系日期",
        14,
        gettext_lazy("承办单位首次当面联系代表（走访、座谈、现场察看）的日期。"),
        date=True,
    ),
    LedgerColumn("答复日期", 12, gettext_lazy("答复函签发日期，不早于交办日期。"), date=True),
    LedgerColumn(
        "答复类别", 10, gettext_lazy("A、B、C、D（或类别名称）；分办的可按主办单位顺序分别填写，用顿号分隔。")
    ),
    LedgerColumn(
        "测评结果", 12, gettext_lazy("满意、基本满意、不满意 或 未反馈；分办的可按主办单位顺序分别填写。")
    ),
    LedgerColumn(
        "状态",
        14,
        gettext_lazy("已办结、已测评待办结、已答复待测评、办理中 或 已立案；留空则按所填日期推定。"),
    ),
    LedgerColumn("办结日期", 12, gettext_lazy("YYYY-MM-DD；不早于答复日期。"), date=True),
)
LEDGER_HEADERS = tuple(c.header for c in LEDGER_COLUMNS)


@dataclass
class LedgerRow:
    number: str
    title: str
    lead: str
    cosigners: list[str]
    category: str
    channel: str
    kind: str
    lead_units: list[str]
    co_units: list[str]
    accepted_on: datetime.date | None
    assigned_on: datetime.date | None
    contact_on: datetime.date | None
    replied_on: datetime.date | None
    classes: list[str]
    ratings: list[str]
    state: str
    closed_on: datetime.date | None
    suggestion_id: int = 0

    def cells(self) -> list[Any]:
        return [
            self.number,
            self.title,
            self.lead,
            LIST_SEP.join(self.cosigners),
            self.category,
            self.channel,
            self.kind,
            LIST_SEP.join(self.lead_units),
            LIST_SEP.join(self.co_units),
            self.accepted_on,
            self.assigned_on,
            self.contact_on,
            self.replied_on,
            LIST_SEP.join(self.classes),
            LIST_SEP.join(self.ratings),
            self.state,
            self.closed_on,
        ]


def _local(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def ledger_queryset(
    congress: Congress, scope: Scope, *, policy: Policy | None = None
) -> QuerySet[Suggestion]:
    """The ledger's suggestions: exactly the rows behind the figure "suggestions", by number."""
    return (
        figure_members(congress, scope, "suggestions", policy=policy or policy_of(congress))
        .select_related("lead", "category", "channel")
        .order_by(F("year").asc(nulls_last=True), F("seq").asc(nulls_last=True), "accepted_at", "pk")
    )


def ledger_rows(
    congress: Congress, scope: Scope, *, policy: Policy | None = None, progress: Progress | None = None
) -> Iterator[LedgerRow]:
    """One `LedgerRow` per suggestion, in chunks of `CHUNK` (six queries a chunk)."""
    qs = ledger_queryset(congress, scope, policy=policy)
    ids = list(qs.values_list("pk", flat=True))
    total = len(ids)
    if progress:
        progress(0, total)
    with translation.override("zh-hans"):
        # the choices of Suggestion.state
        states = {value: str(label) for value, label in SuggestionState.choices}
    for start in range(0, total, CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = {
            s.pk: s
            for s in qs.model.objects.filter(pk__in=chunk).select_related("lead", "category", "channel")
        }
        yield from _ledger_chunk([rows[pk] for pk in chunk], states)
        if progress:
            progress(min(start + CHUNK, total), total)


def _ledger_chunk(suggestions: list[Suggestion], states: dict[str, str]) -> Iterator[LedgerRow]:
    ids = [s.pk for s in suggestions]
    cosigners: dict[int, list[str]] = defaultdict(list)
    for c in (
        CoSigner.objects.filter(suggestion_id__in=ids, state=CoSignerState.CONFIRMED)
        .select_related("deputy")
        .order_by("invited_at", "id")
    ):
        cosigners[c.suggestion_id].append(c.deputy.name)
    assignments: dict[int, list[Assignment]] = defaultdict(list)
    for a in (
        Assignment.objects.filter(suggestion_id__in=ids)
        .exclude(state=AssignmentState.CANCELLED)
        .select_related("unit")
        .order_by("round", "id")
    ):
        assignments[a.suggestion_id].append(a)
    replies: dict[int, Reply] = {
        r.assignment_id: r
        for r in Reply.objects.filter(
            assignment__suggestion_id__in=ids, signed_off_at__isnull=False
        ).select_related("result_class")
    }
    evaluations: dict[int, Evaluation] = {
        e.reply_id: e for e in Evaluation.objects.filter(suggestion_id__in=ids)
    }
    contacts: dict[int, datetime.date] = {}
    for contact in (
        Contact.objects.filter(assignment__suggestion_id__in=ids, method__in=FACE_TO_FACE)
        .exclude(state=ContactState.DISPUTED)
        .values("assignment__suggestion_id", "contacted_on")
        .order_by("contacted_on")
    ):
        contacts.setdefault(contact["assignment__suggestion_id"], contact["contacted_on"])

    for s in suggestions:
        mine = assignments.get(s.pk, [])
        first = [a for a in mine if a.round == 1]
        answering = [a for a in first if a.role != AssignmentRole.CO]
        replied = [a for a in mine if a.pk in replies]
        final_round = max((a.round for a in replied), default=None)
        final = [a for a in replied if a.round == final_round]
        # only signed-off replies were read, so every reply has a date
        reply_dates = cast("list[datetime.date]", [_local(replies[a.pk].signed_off_at) for a in final])
        ratings = []
        for a in final:
            e = evaluations.get(replies[a.pk].pk)
            if e is not None:
                ratings.append(
                    NO_FEEDBACK_LABEL if e.kind == Evaluation.Kind.NO_FEEDBACK else RATING_LABELS[e.overall]
                )
        yield LedgerRow(
            number=s.number,
            title=s.title,
            lead=s.lead.name,
            cosigners=cosigners.get(s.pk, []),
            category=s.category.name if s.category else "",
            channel=s.channel.name if s.channel else "",
            kind=KIND_LABELS.get(s.kind, ""),
            lead_units=[a.unit.name for a in answering],
            co_units=[a.unit.name for a in first if a.role == AssignmentRole.CO],
            accepted_on=_local(s.accepted_at),
            assigned_on=min((a.assigned_on for a in first), default=None),
            contact_on=contacts.get(s.pk),
            replied_on=max(reply_dates, default=None),
            classes=[replies[a.pk].result_class.code for a in final],
            ratings=ratings,
            state=states.get(s.state, s.state),
            closed_on=_local(s.closed_at) if s.state == "closed" else None,
            suggestion_id=s.pk,
        )


# --- workbook helpers --------------------------------------------------------------------------------


def _figures_sheet(wb, figures: Figures) -> None:
    ws = wb.create_sheet(_(FIGURES_SHEET))
    header(ws, [_("指标"), _("数值"), _("分子"), _("分母"), _("口径")], [26, 10, 10, 10, 90])
    for f in figures:
        ws.append([f.label, f.value, f.numerator, f.denominator, f.definition])
        row = ws.max_row
        ws.cell(row=row, column=2).number_format = PERCENT if f.is_rate else "0"
        ws.cell(row=row, column=5).alignment = WRAP


def ledger_workbook(
    congress: Congress, scope: Scope, *, progress: Progress | None = None, policy: Policy | None = None
) -> bytes:
    """建议办理情况汇总表: one row per accepted suggestion of `scope`, the scope's figures, and the
    definitions of both."""
    policy = policy or policy_of(congress)
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = LEDGER_SHEET
    header(ws, list(LEDGER_HEADERS), [c.width for c in LEDGER_COLUMNS])
    date_columns = [i for i, c in enumerate(LEDGER_COLUMNS, start=1) if c.date]
    for row in ledger_rows(congress, scope, policy=policy, progress=progress):
        ws.append(row.cells())
        r = ws.max_row
        for i in date_columns:
            ws.cell(row=r, column=i).number_format = DATE
    ws.auto_filter.ref = ws.dimensions
    figures = compute_figures(congress, scope, policy=policy)
    _figures_sheet(wb, figures)
    definitions_sheet(
        wb,
        figures,
        [(f"{_('汇总表')}·{c.header}", str(c.note)) for c in LEDGER_COLUMNS]
        + [
            (
                _("汇总表的行"),
                _("本范围内立案的每件建议一行（即“建议数（立案）”背后的建议），按建议编号排序。"),
            )
        ],
    )
    return save(wb)


def league_workbook(congress: Congress, scope: Scope, league: League) -> bytes:
    """承办单位办理情况排名: ranked units, then those with too few items, each rate with its
    numerator, denominator and 95% Wilson interval; and the definitions."""
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = _("承办单位排名")
    headers = [_("名次"), _("承办单位"), _("所属机关"), _("交办件数")]
    widths = [8, 28, 16, 10]
    for spec in RATES:
        label = str(spec.label)
        headers += [
            label,
            f"{label}·{_('分子')}",
            f"{label}·{_('分母')}",
            f"{label}·{_('95%下限')}",
            f"{label}·{_('95%上限')}",
        ]
        widths += [10, 8, 8, 10, 10]
    headers += [_("平均首次联系天数"), _("重新办理件数"), _("逾期未办件数"), _("曾逾期件数")]
    widths += [12, 10, 10, 10]
    header(ws, headers, widths)
    for row in league.rows:
        cells: list[Any] = [row.rank if row.rank else (_("样本不足") if row in league.insufficient else "—")]
        cells += [row.name, row.body, row.assigned]
        for spec in RATES:
            rate = row.rates[spec.key]
            cells += [rate.value, rate.numerator, rate.denominator, rate.low, rate.high]
        days = round(row.first_contact_days, 1) if row.first_contact_days is not None else None
        cells += [days, row.rehandled, row.overdue, row.late]
        ws.append(cells)
        r = ws.max_row
        for i in range(len(RATES)):
            for offset in (0, 3, 4):
                ws.cell(row=r, column=5 + i * 5 + offset).number_format = PERCENT
    figures = compute_figures(congress, scope)
    rank_spec = next(s for s in RATES if s.key == league.rank_by)
    extra = [(str(s.label), str(s.definition)) for s in RATES]
    extra += [(k, str(v)) for k, v in COUNT_DEFINITIONS.items()]
    extra.append(
        (
            _("排名方法"),
            _(
                "按“%(rate)s”95%%置信区间（Wilson）的下限排名；交办件数少于%(n)s件的单位列为“样本不足”，不排名。"
            )
            % {"rate": rank_spec.label, "n": league.min_count},
        )
    )
    definitions_sheet(wb, figures, extra)
    return save(wb)


# --- export jobs -------------------------------------------------------------------------------------


def inline_max_rows() -> int:
    return getattr(settings, "MINYI_EXPORT_INLINE_ROWS", INLINE_MAX_ROWS)


def scope_from_params(congress: Congress, params: str) -> tuple[Scope, QueryDict]:
    """The `Scope` of a job's stored query string (the scope form's GET parameters)."""
    from .forms import ScopeForm

    data = QueryDict(params)
    form = ScopeForm(congress, data or None)
    if data and not form.is_valid():
        raise ValueError("the stored scope is no longer valid")
    if not data:
        form.cleaned_data = {}
    return form.scope(), data


def build_export(job: ExportJob, progress: Progress | None = None) -> tuple[bytes, str]:
    """The file of `job` and its download name."""
    from . import bulletin, pdf

    congress = job.congress
    if job.kind in (ExportJob.Kind.BULLETIN_XLSX, ExportJob.Kind.BULLETIN_PDF):
        query = QueryDict(job.params)
        b = bulletin.build_bulletin(congress, int(query["year"]), int(query["quarter"]))
        if job.kind == ExportJob.Kind.BULLETIN_XLSX:
            return bulletin.bulletin_workbook(b), f"{b.title}.xlsx"
        return pdf.bulletin_pdf(b), f"{b.title}.pdf"
    scope, data = scope_from_params(congress, job.params)
    stem = f"{congress.short_name}{scope.label}"
    if job.kind == ExportJob.Kind.LEDGER:
        return ledger_workbook(congress, scope, progress=progress), f"{stem}{_('建议办理情况汇总表')}.xlsx"
    if job.kind == ExportJob.Kind.LEAGUE:
        league = unit_league(
            congress, scope, int(data.get("min_count") or 5), rank_by=data.get("rank_by") or "satisfaction"
        )
        return league_workbook(congress, scope, league), f"{stem}{_('承办单位办理情况排名')}.xlsx"
    if job.kind == ExportJob.Kind.YEAR_PDF:
        return pdf.year_report(
            congress, scope, progress=progress
        ), f"{stem}{_('代表建议办理情况统计报告')}.pdf"
    raise ValueError(f"unknown export kind {job.kind!r}")


def estimate(job: ExportJob) -> int:
    """Rows the export will go through (decides inline or background)."""
    if job.kind in (ExportJob.Kind.LEDGER, ExportJob.Kind.YEAR_PDF):
        scope, _data = scope_from_params(job.congress, job.params)
        return figure_members(job.congress, scope, "suggestions").count()
    return 0


def start_export(congress: Congress, kind: str, params: str, *, actor: Any, title: str = "") -> ExportJob:
    """Create the job and build it now (small) or queue it (large)."""
    stale_exports(congress)
    job = ExportJob(
        congress=congress,
        kind=kind,
        params=params[:500],
        title=title[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    rows = estimate(job)
    job.progress_total = rows
    job.background = rows > inline_max_rows()
    with transaction.atomic():
        job.save()
        # who asked for which export (issue #10); the scope is not personal data, the file is
        audit.record(
            "export.requested",
            actor=actor,
            congress=congress,
            object_type=ExportJob._meta.label_lower,
            object_id=str(job.pk),
            new={"kind": kind, "params": job.params},
        )
    if not job.background:
        return run_export(job.pk)
    try:
        run_export_task.enqueue(str(job.pk))
    except Exception:
        logger.exception("could not queue export job %s", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=_("无法提交后台任务，请稍后重试。"), finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def run_export(job_id: Any) -> ExportJob:
    """Build the file of a queued job and keep it on the job (private storage)."""
    job = ExportJob.objects.select_related("congress").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job  # already run (a task delivered twice)
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress_done=0)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    try:
        data, filename = build_export(job, progress)
    except Exception:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            message=_("生成文件时发生内部错误，请稍后重试或联系管理员。"),
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    job.file.save(f"{job.pk}.{job.extension}", ContentFile(data), save=False)
    job.filename = filename[:255]
    job.size = len(data)
    job.status = JobStatus.DONE
    job.finished_at = timezone.now()
    job.progress_done = job.progress_total
    job.save(
        update_fields=["file", "filename", "size", "status", "finished_at", "progress_done", "updated_at"]
    )
    return job


@task()
def run_export_task(job_id: str) -> str:
    """Background build of a large export (see `INLINE_MAX_ROWS`)."""
    return run_export(job_id).status


def content_type(job: ExportJob) -> str:
    return PDF_CONTENT_TYPE if job.extension == "pdf" else XLSX_CONTENT_TYPE


def stale_exports(congress: Congress, days: int = 7) -> int:
    """Delete the files of this congress's exports older than `days` (they hold personal data)."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    count = 0
    for job in ExportJob.objects.filter(congress=congress, created_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        job.save(update_fields=["file"])
        count += 1
    return count


__all__ = [
    "LEDGER_COLUMNS",
    "LEDGER_HEADERS",
    "LEDGER_SHEET",
    "SPECS",
    "LedgerRow",
    "ledger_rows",
    "ledger_workbook",
    "league_workbook",
    "run_export",
    "start_export",
]
