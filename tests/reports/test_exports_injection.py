"""Text typed by users never becomes a live formula in an export (issue #10): every Excel file
Minyi writes is read back with openpyxl — no formula cell, and the text is there as typed, stored
as text with Excel's quote prefix. And no module writes a workbook except through
`minyi.core.xlsx`."""

from __future__ import annotations

import io
import pathlib
import re

import openpyxl
import pytest

from minyi.congress.models import Deputy, Unit
from minyi.core import xlsx
from minyi.core.xlsx_import import RowError, errors_workbook
from minyi.reports import bulletin as B
from minyi.reports import exports as X
from minyi.reports import history as H
from minyi.reports.figures import Scope
from minyi.reports.league import unit_league
from minyi.suggestions.models import Suggestion

from .scenario import AS_OF
from .test_exports import built, year  # noqa: F401  (fixtures)

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(1)", "\t=1", "\r=1"]


def _cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def assert_no_formula(data: bytes, *, expect: list[str]) -> None:
    values = set()
    for c in _cells(data):
        assert c.data_type != "f", (c.coordinate, c.value)
        if isinstance(c.value, str):
            values.add(c.value)
            if c.value[:1] in set("=+-@\t\r\n"):
                assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value)
    for text in expect:
        # openpyxl reads a stored CR back as LF
        assert any(text.replace("\r", "\n") in v for v in values), text


@pytest.fixture
def poisoned(build, year):  # noqa: F811
    w = build.w
    titles = dict(zip(["S1", "S2", "S3", "S4", "S5", "S6"], PAYLOADS, strict=True))
    for old, new in titles.items():
        Suggestion.objects.filter(congress=w.congress, title=old).update(title=new)
    Unit.objects.filter(pk=w.unit_a.pk).update(name="=1+2")
    Unit.objects.filter(pk=w.unit_b.pk).update(name="@unit")
    Deputy.objects.filter(congress=w.congress).update(name="-张三")
    return w


def test_ledger_has_no_formula(poisoned):
    data = X.ledger_workbook(poisoned.congress, Scope.year(2025, as_of=AS_OF))
    assert_no_formula(data, expect=[*PAYLOADS, "=1+2", "@unit", "-张三"])


def test_league_has_no_formula(poisoned):
    scope = Scope.year(2025, as_of=AS_OF)
    data = X.league_workbook(poisoned.congress, scope, unit_league(poisoned.congress, scope, 1))
    assert_no_formula(data, expect=["=1+2", "@unit"])


def test_bulletin_has_no_formula(poisoned):
    data = B.bulletin_workbook(B.build_bulletin(poisoned.congress, 2025, 4))
    assert_no_formula(data, expect=["=1+2"])


def test_history_template_has_no_formula(poisoned):
    assert_no_formula(H.build_template(poisoned.congress), expect=["=1+2", "@unit"])


def test_import_error_report_has_no_formula():
    errors = [RowError("代表", i + 2, p, p) for i, p in enumerate(PAYLOADS)]
    assert_no_formula(errors_workbook(errors), expect=PAYLOADS)


def test_the_helper_escapes_and_keeps_numbers():
    wb = xlsx.new_workbook()
    ws = wb.active
    xlsx.append_row(ws, [*PAYLOADS, "正常", -3, 1.5, None, "a=b"])
    ws["A3"] = "=SUM(A1:A2)"  # written past the helper: workbook_bytes still catches it
    data = xlsx.workbook_bytes(wb)
    assert_no_formula(data, expect=[*PAYLOADS, "=SUM(A1:A2)"])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    row = [c for c in ws[1]]
    assert [c.value for c in row[6:10]] == ["正常", -3, 1.5, None] and row[7].data_type == "n"
    assert not (row[6].quotePrefix or row[7].quotePrefix or row[10].quotePrefix)


WRITER = re.compile(r"\bWorkbook\(|\b(wb|book|workbook)\.save\(")


def test_every_workbook_is_written_through_core_xlsx():
    root = pathlib.Path(xlsx.__file__).resolve().parents[1]
    offenders = [
        f"{path.relative_to(root.parent)}:{n}"
        for path in root.rglob("*.py")
        if path.name != "xlsx.py" or path.parent.name != "core"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if WRITER.search(line) and "load_workbook" not in line
    ]
    assert offenders == [], "write workbooks with minyi.core.xlsx.new_workbook/workbook_bytes"
