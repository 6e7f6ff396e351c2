"""What the Excel imports share — the roster (花名册, `minyi.congress.roster`) and the ledger of past
years (历史数据导入, `minyi.reports.history`): reading and checking an uploaded .xlsx, the error list
(sheet, row as Excel shows it, column header, reason), the pieces of the template workbooks, and
the job (`models_import.UploadJob`) that keeps an upload between its dry run and the confirmed
import and runs large files in the background.

What a row must hold and what an import writes stay with each import.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import logging
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO, ClassVar, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .errors import InvalidTransition, NotPermitted, ValidationFailed
from .models_import import UploadJob
from .xlsx import new_workbook, workbook_bytes  # noqa: F401  (workbook_bytes: the imports' name for it)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Errors kept in one report; a file wrong on every row would otherwise make a huge report.
MAX_ERRORS = 5_000
#: The instruction sheet of the templates; ignored on import.
HELP_SHEET = "填写说明"

#: The statuses of an upload's passes (the same values in every upload job's choices; the status
#: of a successful import is the job's own).
QUEUED, RUNNING, CHECKED, INVALID, FAILED = "queued", "running", "checked", "invalid", "failed"

Progress = Callable[[int, int], None]
Job = TypeVar("Job", bound=UploadJob)


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem. `row` is the row number Excel shows (None for the file as a whole); `column` is
    the column header ("" when the problem is not about one cell)."""

    sheet: str
    row: int | None
    column: str
    reason: str


@dataclass
class ImportReport:
    """What a pass found; each import adds its own counts."""

    #: The sheet named by the problems of the file as a whole.
    FILE_SHEET: ClassVar[str] = ""

    errors: list[RowError] = field(default_factory=list)
    #: Things that did not stop the import (e.g. a sheet or a column that was ignored).
    warnings: list[RowError] = field(default_factory=list)
    filename: str = ""
    sha256: str = ""
    rows: int = 0
    dry_run: bool = True
    committed: bool = False
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, sheet: str, row: int | None, column: str, reason: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.truncated = True
            return
        self.errors.append(RowError(sheet, row, column, str(reason)))

    def add_warning(self, sheet: str, row: int | None, column: str, reason: str) -> None:
        self.warnings.append(RowError(sheet, row, column, str(reason)))

    def file_error(self, reason: str) -> None:
        self.add_error(self.FILE_SHEET, None, "", reason)

    def sort(self) -> None:
        """Put the errors in the order of the file (each import knows its sheets and columns)."""

    def finish(self) -> None:
        """Say when errors were left out, and sort them."""
        if self.truncated:
            self.errors.append(
                RowError(
                    "",
                    None,
                    "",
                    _("错误过多，仅列出前 %(n)s 条。请先改正这些错误再重新上传。") % {"n": MAX_ERRORS},
                )
            )
            self.truncated = False
        self.sort()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        data = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
        data["warnings"] = [RowError(**e) for e in data.get("warnings", [])]
        return cls(**data)


# --- the file --------------------------------------------------------------------------------------


def upload_limit_mb(limit: int | None = None) -> float:
    return round((settings.MINYI_MAX_UPLOAD_BYTES if limit is None else limit) / 1024 / 1024, 1)


def too_large(limit: int) -> str:
    return _("文件超过大小上限（%(limit)s MB），请拆分后分批导入。") % {"limit": upload_limit_mb(limit)}


def check_content(data: bytes, filename: str = "") -> list[str]:  # noqa: PLR0911
    """Reasons why `data` (named `filename`) is not an .xlsx workbook we accept; [] if it is.

    The content decides, not the name: an .xlsx is a zip package holding an Office Open XML
    workbook. Old .xls (OLE2), CSV, macro workbooks and renamed files are refused, and so are zip
    packages that would unpack to something huge."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return [_("这是旧版 Excel 文件（.xls），请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。")]
    not_xlsx = _(
        "文件不是 Excel 工作簿（.xlsx）。请用下载的模板填写后上传，不要上传 .xls、.csv 或改过扩展名的文件。"
    )
    if not data.startswith(b"PK\x03\x04"):
        return [not_xlsx]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                return [not_xlsx]
            unpacked = sum(info.file_size for info in infos)
            if len(infos) > 10_000 or unpacked > max(200 * 1024 * 1024, 20 * settings.MINYI_MAX_UPLOAD_BYTES):
                return [_("文件解压后过大，无法处理。请只保留需要导入的数据。")]
            content_types = package.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return [not_xlsx]
    if b"spreadsheetml.sheet.main+xml" not in content_types:
        if b"macroEnabled" in content_types:
            return [_("不接受含宏的工作簿（.xlsm），请另存为 Excel 工作簿（.xlsx）后再上传。")]
        return [not_xlsx]
    ext = os.path.splitext(filename)[1].lower() if filename else ""
    if filename and ext != ".xlsx":
        return [_("文件扩展名应为 .xlsx（当前为“%(ext)s”），请勿修改扩展名。") % {"ext": ext or _("无")}]
    return []


def basename(fileobj: Any) -> str:
    return os.path.basename(str(getattr(fileobj, "name", "") or ""))


def read_upload(fileobj: BinaryIO, report: ImportReport) -> bytes | None:
    """The workbook's bytes, its SHA-256 noted in `report`; None when the file is too large or not
    an .xlsx we accept (the reasons are in `report`, as problems of the whole file)."""
    limit = settings.MINYI_MAX_UPLOAD_BYTES
    if hasattr(fileobj, "seek"):
        with contextlib.suppress(OSError, ValueError):
            fileobj.seek(0)
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        report.file_error(too_large(limit))
        return None
    report.sha256 = hashlib.sha256(data).hexdigest()
    for reason in check_content(data, report.filename):
        report.file_error(reason)
    return data if report.ok else None


# --- cells ---------------------------------------------------------------------------------------

DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class CellError(Exception):
    """A cell's value is not acceptable; the message says why, in plain Chinese."""


def cell_text(value: Any) -> str:
    """A cell's value as text: "" when empty, whole numbers without ".0", dates (and times at
    midnight) as YYYY-MM-DD. Each import cleans the text further in its own way."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time(0) else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def date_from_text(text: str) -> datetime.date | None:
    """The date written as "YYYY-MM-DD" (or with / . or 年月日); None if it is not one."""
    match = DATE_TEXT.match(text)
    if match:
        try:
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    return None


# --- workbooks -----------------------------------------------------------------------------------

HEAD_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="B3121B")
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")


def style_header(cell: Any, *, required: bool) -> None:
    """A template's header cell: bold on grey, red when the column is required."""
    cell.font = REQUIRED_FONT if required else HEAD_FONT
    cell.fill = HEAD_FILL


def add_list_validation(
    ws: Any, letter: str, values: Iterable[str], *, last_row: int, **options: Any
) -> None:
    """A drop-down list of `values` in column `letter`, rows 2 to `last_row`."""
    dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', **options)
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{last_row}")


def format_column(ws: Any, column: int, number_format: str, rows: int) -> None:
    """Give the first `rows` data cells of `column` a number format ("@" keeps numbers as text)."""
    for row in range(2, rows + 2):
        ws.cell(row=row, column=column).number_format = number_format


def add_help_sheet(
    wb: Any,
    *,
    title: str,
    lines: Iterable[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: dict[str, int],
) -> None:
    """The template's instruction sheet: a title, numbered lines, then a table (`header`, `rows`)."""
    ws = wb.create_sheet(HELP_SHEET)
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    for line in lines:
        ws.append([line])
    ws.append([])
    ws.append(list(header))
    for c in ws[ws.max_row]:
        c.font = HEAD_FONT
    for row in rows:
        ws.append(list(row))
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def errors_workbook(errors: Iterable[RowError]) -> bytes:
    """The full error list as a workbook (for the download on the report page)."""
    wb = new_workbook()
    ws = wb.active
    ws.title = _("错误清单")
    ws.append([_("工作表"), _("行号"), _("列"), _("原因")])
    for c in ws[1]:
        c.font = Font(bold=True)
    for e in errors:
        ws.append([e.sheet or _("（整个文件）"), e.row, e.column, e.reason])
    for letter, width in (("A", 12), ("B", 8), ("C", 16), ("D", 90)):
        ws.column_dimensions[letter].width = width
    return workbook_bytes(wb)


# --- upload jobs: the file kept between the dry run and the confirmed import ----------------------------


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def new_job(
    model: type[Job],
    congress: Any,
    upload: BinaryIO,
    *,
    actor: Any,
    default_name: str,
    estimate_rows: Callable[[bytes], int],
    inline_rows: int,
) -> Job:
    """Check `upload` (ValidationFailed with the first reason if it is refused) and keep it privately
    in a new job of `model`, queued for its dry run — in the background when it has more than
    `inline_rows` data rows. The caller starts the pass."""
    report = ImportReport(filename=basename(upload))
    data = read_upload(upload, report)
    if data is None:
        raise ValidationFailed(report.errors[0].reason)
    rows = estimate_rows(data)
    job = model(
        congress=congress,
        created_by=_user(actor),
        filename=report.filename[:255] or default_name,
        size=len(data),
        sha256=report.sha256,
        rows=rows,
        progress_total=rows,
        background=rows > inline_rows,
        dry_run=True,
        status=QUEUED,
    )
    job.file.save(f"{job.pk}.xlsx", ContentFile(data), save=False)
    job.save()
    return job


def confirm_job(job: Job, *, actor: Any) -> Job:
    """Queue the import of the file that passed its dry run (once: a second click is refused). The
    caller checks the permission first and starts the pass after."""
    if not job.file:
        raise InvalidTransition(_("上传的文件已过期清理，请重新上传。"))
    moved = (
        type(job)
        ._default_manager.filter(pk=job.pk, dry_run=True, status=CHECKED)
        .update(
            dry_run=False,
            status=QUEUED,
            committed_by=_user(actor),
            progress_done=0,
            finished_at=None,
            updated_at=timezone.now(),
        )
    )
    if not moved:
        raise InvalidTransition(_("该文件不能确认导入：它尚未通过校验，或已经在导入/已导入。"))
    job.refresh_from_db()
    return job


def start_job(job: Job, *, run: Callable[[Any], Job], task: Any, log: logging.Logger, what: str) -> Job:
    """Run the job's pending pass now (`run`), or queue `task` for it when it runs in the background."""
    if not job.background:
        return run(job.pk)
    try:
        task.enqueue(str(job.pk))
    except Exception:
        log.exception("could not queue %s %s", what, job.pk)
        type(job)._default_manager.filter(pk=job.pk).update(
            status=FAILED, message=_("无法提交后台任务，请稍后重试。"), finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def run_job(
    model: type[Job],
    job_id: Any,
    *,
    run_pass: Callable[[Job, BinaryIO, Any, Progress], ImportReport],
    done: str,
    log: logging.Logger,
    what: str,
    zero_total_unknown: bool = False,
    report_fields: Callable[[Any], dict[str, Any]] | None = None,
) -> Job:
    """Run the job's pending pass (its dry run, or the import as the user who confirmed it) with
    `run_pass(job, upload, actor, progress)`, and keep its report, status (`done` for an import
    that went through) and progress on the job. `zero_total_unknown`: a pass that reports a total
    of 0 does not know it yet; `report_fields`: more fields the report sets on the job."""
    job = model._default_manager.select_related("congress", "created_by", "committed_by").get(pk=job_id)
    if job.status != QUEUED:
        return job  # already run (a task delivered twice)
    actor = job.created_by if job.dry_run else job.committed_by
    model._default_manager.filter(pk=job.pk).update(status=RUNNING, progress_done=0)

    def progress(done_rows: int, total: int) -> None:
        fields: dict[str, Any] = {"progress_done": done_rows}
        if total or not zero_total_unknown:
            fields["progress_total"] = total
        model._default_manager.filter(pk=job.pk).update(**fields)

    fields: dict[str, Any] = {}
    try:
        if actor is None:
            raise NotPermitted(_("上传或确认导入的账号已不存在。"))
        with job.file.open("rb") as fh:
            upload = io.BytesIO(fh.read())
        upload.name = job.filename
        report = run_pass(job, upload, actor, progress)
    except NotPermitted as e:
        fields.update(status=FAILED, message=e.detail)
    except Exception:
        log.exception("%s %s failed", what, job.pk)
        fields.update(status=FAILED, message=_("处理时发生内部错误，未导入任何数据。请联系管理员。"))
    else:
        status = INVALID if not report.ok else CHECKED if job.dry_run else done
        fields.update(status=status, report=report.to_dict(), progress_done=F("progress_total"))
        if report_fields:
            fields.update(report_fields(report))
        if status == done:
            fields["committed_at"] = timezone.now()
    fields["finished_at"] = timezone.now()
    model._default_manager.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    return job
