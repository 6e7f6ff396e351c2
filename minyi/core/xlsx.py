"""Every Excel workbook Minyi writes is made with `new_workbook()` and turned into bytes with
`workbook_bytes()` (a test fails on any other `openpyxl.Workbook(` or `.save(` of a workbook under
`minyi/`).

Why: text typed by users — a suggestion's title, a deputy's name, an import's rejected cell —
ends up in exports. openpyxl stores any string that starts with "=" as a *formula*, so a title
such as `=HYPERLINK("http://x","点此")` would become a live formula in the ledger or the bulletin;
strings starting with "+", "-", "@", a tab or a carriage return are read as formulas by Excel when
the cell is edited or the sheet is saved as CSV (OWASP "CSV injection").

What we do (docs/decisions/0005-excel-text-cells.md): such a cell is stored as a plain text cell
(`data_type "s"`) with Excel's own "quote prefix" (what Excel records when somebody types a leading
apostrophe). The user sees exactly the text that was typed — no extra character, so an exported
ledger imports back unchanged — and neither Excel nor LibreOffice evaluates it, not even after the
cell is edited.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import openpyxl

#: The first characters that make a spreadsheet treat text as a formula.
DANGEROUS_FIRST = frozenset("=+-@\t\r")


def is_dangerous(value: Any) -> bool:
    return isinstance(value, str) and value != "" and value[0] in DANGEROUS_FIRST


def safe_cell(cell: Any) -> Any:
    """Make `cell` plain text if it holds text a spreadsheet would run as a formula."""
    if cell.data_type == "f" or is_dangerous(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """`ws.append(values)` with every text cell of the new row made safe."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        safe_cell(cell)


def new_workbook(*, empty: bool = False) -> Any:
    """A new workbook (`empty`: without the default sheet)."""
    wb = openpyxl.Workbook()
    if empty:
        wb.remove(wb.active)
    return wb


def make_safe(wb: Any) -> Any:
    """Every cell of every sheet of `wb` made safe (the check `workbook_bytes` always runs)."""
    for ws in wb.worksheets:
        # `_cells` holds only the cells that exist; iter_rows() would create the empty ones
        for cell in ws._cells.values():
            if cell.data_type == "f" or (
                cell.data_type == "s" and cell.value and cell.value[0] in DANGEROUS_FIRST
            ):
                cell.data_type = "s"
                cell.quotePrefix = True
    return wb


def workbook_bytes(wb: Any) -> bytes:
    """The .xlsx file of `wb`, after `make_safe` — the only way a workbook leaves Minyi."""
    make_safe(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
