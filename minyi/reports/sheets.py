"""What the reports' workbooks share (the ledger and league exports, the quarterly bulletin): the
header row, the definitions sheet, cell formats and the one way to save (`minyi.core.xlsx`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from minyi.core import xlsx

from .figures import Figures

DEFINITIONS_SHEET = "口径说明"
HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"


def header(ws, headers: list[str], widths: list[int]) -> None:
    ws.append(headers)
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def definitions_sheet(wb, figures: Figures, extra: list[tuple[str, str]]) -> None:
    ws = wb.create_sheet(_(DEFINITIONS_SHEET))
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100
    ws.append([figures.congress.name])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("统计范围"), figures.scope.label])
    ws.append([_("期限判断日"), figures.scope.today.isoformat()])
    ws.append([_("生成时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append(
        [_("范围说明"), _("建议按立案日期归入统计范围；期限类指标中尚未完成的期限按期限判断日判断是否逾期。")]
    )
    ws.append([])
    ws.append([_("指标 / 列"), _("口径")])
    for c in ws[ws.max_row]:
        c.font, c.fill = HEAD_FONT, HEAD_FILL
    for f in figures:
        ws.append([f.label, f.definition])
    for name, text in extra:
        ws.append([name, text])
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = WRAP


def save(wb) -> bytes:
    return xlsx.workbook_bytes(wb)
