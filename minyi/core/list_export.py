"""Excel exports of the lists, boards and drill-downs people read on screen (issue #12): the list's
rows as they are shown to the user — the caller passes the rows its own page shows, read through
the same selectors, so an export never holds a row the user may not see.

One helper, `xlsx_download(request, …)`: one sheet with a bold, frozen header row and sensible
column widths, written through `minyi.core.xlsx` only (decision 0005: user text that starts like
a formula is stored as text), audited as a download (`export.downloaded`, who and which list —
`pages.record_download`), handed out with no-store headers.

Exports are built inline, up to `MAX_ROWS` rows; a list longer than that is cut there and the
last row says so (narrow the filters, or use the reports' background ledger export for a whole
year — `minyi/reports/exports.py`).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from minyi.core import xlsx
from minyi.core.pages import record_download

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: At most this many rows in one list export (built while the user waits).
MAX_ROWS = 5_000
#: Characters Excel forbids in a sheet's name.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: lazy text as text, aware date-times in local time (openpyxl
    writes naive ones), decimals as numbers, None as empty, lists joined with 、."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.replace(tzinfo=None, microsecond=0)
    elif isinstance(value, decimal.Decimal):
        value = float(value)
    elif isinstance(value, list | tuple | set):
        value = "、".join(str(cell(v)) for v in value)
    elif value is None:
        value = ""
    elif not isinstance(value, str | int | float | datetime.date):
        value = str(value)  # lazy text (Promise), model instances…
    return value


def workbook(title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    """The .xlsx bytes of one sheet `title` with `headers` and `rows` (at most MAX_ROWS), and the
    number of rows written."""
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = (title.translate(_SHEET_FORBIDDEN).strip() or "Sheet")[:31]
    xlsx.append_row(ws, [cell(h) for h in headers])
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [max(6, len(str(cell(h))) * 2 + 2) for h in headers]
    n = 0
    for row in rows:
        if n == MAX_ROWS:
            xlsx.append_row(ws, [_("（只导出了前 %(n)s 行，请缩小筛选范围）") % {"n": MAX_ROWS}])
            break
        values = [cell(v) for v in row]
        xlsx.append_row(ws, values)
        for i, v in enumerate(values[: len(widths)]):
            widths[i] = min(60, max(widths[i], len(str(v)) + 2))
        n += 1
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    return xlsx.workbook_bytes(wb), n


def xlsx_download(
    request: HttpRequest,
    *,
    what: str,
    title: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    obj: Any = None,
) -> HttpResponse:
    """The list as an .xlsx download named after `title` and today, audited as the download of
    list `what` (a stable key such as "suggestions") of `obj` (default: the request's congress)."""
    data, n = workbook(title, headers, rows)
    record_download(
        request,
        obj if obj is not None else getattr(request, "congress", None),
        code="export.downloaded",
        what={"list": what, "rows": n},
    )
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = ["MAX_ROWS", "XLSX_CONTENT_TYPE", "cell", "workbook", "xlsx_download"]
