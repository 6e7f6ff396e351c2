"""花名册导入 — import a congress's deputy groups, liaison stations, handling units and deputies from
one Excel workbook (.xlsx).

``import_roster()`` is the one action: it checks the file, reads every sheet, validates every row
against the file and the database, and then (unless it is a dry run) writes everything in one
transaction with one ``roster.imported`` audit row — or nothing at all if any row is wrong. Every
problem is reported with the sheet, the row number as Excel shows it, the column header and a
reason in plain Chinese.

``build_template()`` gives the workbook users download and fill in. The ``*ImportJob`` helpers
below keep an upload between the dry run and the confirmed import for the web pages, and run large
files in the background (django-tasks).
"""

from __future__ import annotations

import datetime
import io
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from openpyxl.comments import Comment

from minyi import audit
from minyi.accounts.models import Membership, Role, User
from minyi.core import xlsx_import as xlsx
from minyi.core.kit import authorize
from minyi.core.xlsx_import import XLSX_CONTENT_TYPE, ImportReport, Progress, RowError  # noqa: F401

from .models import Congress, Deputy, DeputyGroup, ImportJob, LiaisonStation, Unit, phone_validator

logger = logging.getLogger(__name__)

PERM = "congress.import_roster"

#: Data rows allowed per sheet (row 1 is the header, so data may reach row MAX_ROWS + 1);
#: settings.MINYI_ROSTER_MAX_ROWS overrides it.
MAX_ROWS = 20_000
#: Uploads with more data rows than this are processed in the background (see `create_import_job`);
#: settings.MINYI_ROSTER_INLINE_ROWS overrides it.
INLINE_MAX_ROWS = 500


def max_rows() -> int:
    return getattr(settings, "MINYI_ROSTER_MAX_ROWS", MAX_ROWS)


# --------------------------------------------------------------------------------------------------
# The workbook layout. Sheet names, headers and the labels in cells are the file format: they stay
# Chinese whatever the page language is, so they are plain strings, not translations.

SHEET_GROUPS = "代表小组"
SHEET_STATIONS = "联络站"
SHEET_UNITS = "承办单位"
SHEET_DEPUTIES = "代表"
#: The template's instruction sheet; ignored on import.
SHEET_HELP = xlsx.HELP_SHEET

STATION_KINDS: dict[str, str] = {
    "代表活动室": LiaisonStation.Kind.ACTIVITY_ROOM,
    "代表工作室": LiaisonStation.Kind.STUDIO,
    "全过程人民民主基层实践点": LiaisonStation.Kind.PRACTICE_POINT,
    "代表联络站": LiaisonStation.Kind.LIAISON_STATION,
}
UNIT_KINDS: dict[str, str] = {
    "机关": Unit.Kind.BODY,
    "部门": Unit.Kind.DEPARTMENT,
    "镇（街道）": Unit.Kind.TOWN,
    "企事业单位": Unit.Kind.ENTERPRISE,
    "其他": Unit.Kind.OTHER,
}
UNIT_KIND_ALIASES: dict[str, str] = {
    "机关（一府一委两院）": Unit.Kind.BODY,
    "镇": Unit.Kind.TOWN,
    "街道": Unit.Kind.TOWN,
}
BODY_CODES: dict[str, str] = {
    "人民政府": Unit.BodyCode.GOVERNMENT,
    "监察委员会": Unit.BodyCode.SUPERVISION,
    "人民法院": Unit.BodyCode.COURT,
    "人民检察院": Unit.BodyCode.PROCURATORATE,
}
DEPUTY_LEVELS: dict[str, str] = {
    "全国人大代表": Deputy.Level.NATIONAL,
    "省人大代表": Deputy.Level.PROVINCE,
    "市人大代表": Deputy.Level.CITY,
    "区（县）人大代表": Deputy.Level.COUNTY,
    "乡镇人大代表": Deputy.Level.TOWNSHIP,
}
DEPUTY_LEVEL_ALIASES: dict[str, str] = {
    "全国": Deputy.Level.NATIONAL,
    "省": Deputy.Level.PROVINCE,
    "省级": Deputy.Level.PROVINCE,
    "市": Deputy.Level.CITY,
    "市级": Deputy.Level.CITY,
    "区（县）": Deputy.Level.COUNTY,
    "区": Deputy.Level.COUNTY,
    "县": Deputy.Level.COUNTY,
    "区人大代表": Deputy.Level.COUNTY,
    "县人大代表": Deputy.Level.COUNTY,
    "乡镇": Deputy.Level.TOWNSHIP,
    "乡": Deputy.Level.TOWNSHIP,
    "镇": Deputy.Level.TOWNSHIP,
}


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    #: "text", "choice", "date", "phone", "email" or "username".
    kind: str = "text"
    max_length: int | None = None
    choices: dict[str, str] | None = None
    aliases: dict[str, str] | None = None
    example: str = ""


LAYOUT: dict[str, list[Column]] = {
    SHEET_GROUPS: [
        Column("名称", required=True, max_length=_max(DeputyGroup, "name"), example="第一代表小组"),
        Column("召集人", max_length=_max(DeputyGroup, "convener"), example="张三"),
    ],
    SHEET_STATIONS: [
        Column("名称", required=True, max_length=_max(LiaisonStation, "name"), example="城关街道代表联络站"),
        Column("类型", required=True, kind="choice", choices=STATION_KINDS, example="代表联络站"),
        Column("地址", max_length=_max(LiaisonStation, "address"), example="城关街道人民路1号"),
        Column("所属代表小组", max_length=_max(DeputyGroup, "name"), example="第一代表小组"),
    ],
    SHEET_UNITS: [
        Column("名称", required=True, max_length=_max(Unit, "name"), example="区住房和城乡建设局"),
        Column("简称", max_length=_max(Unit, "short_name"), example="区住建局"),
        Column(
            "类型",
            required=True,
            kind="choice",
            choices=UNIT_KINDS,
            aliases=UNIT_KIND_ALIASES,
            example="部门",
        ),
        Column("上级单位", max_length=_max(Unit, "name"), example="区人民政府"),
        Column("机关类别", kind="choice", choices=BODY_CODES, example=""),
    ],
    SHEET_DEPUTIES: [
        Column("代表证号", required=True, max_length=_max(Deputy, "number"), example="0001"),
        Column("姓名", required=True, max_length=_max(Deputy, "name"), example="李四"),
        Column(
            "代表层级",
            kind="choice",
            choices=DEPUTY_LEVELS,
            aliases=DEPUTY_LEVEL_ALIASES,
            example="区（县）人大代表",
        ),
        Column("代表小组", max_length=_max(DeputyGroup, "name"), example="第一代表小组"),
        Column("选区", max_length=_max(Deputy, "electoral_district"), example="第3选区"),
        Column("工作单位及职务", max_length=_max(Deputy, "organisation"), example="城关街道某社区党委书记"),
        Column("联系电话", kind="phone", max_length=_max(Deputy, "phone"), example="13800138000"),
        Column("电子邮箱", kind="email", max_length=_max(Deputy, "email"), example="lisi@example.com"),
        Column("任职起始", required=True, kind="date", example="2022-01-01"),
        Column("任职终止", kind="date", example=""),
        Column("登录账号", kind="username", max_length=_max(User, "username"), example="lisi"),
    ],
}
SHEET_ORDER = list(LAYOUT)


# --------------------------------------------------------------------------------------------------
# The report


@dataclass
class RosterReport(ImportReport):
    #: Per sheet present in the workbook: {"created": n, "updated": m} — what was (or, in a dry run,
    #: would be) created, and how many existing records the file names (changed or not).
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Per sheet: how many of the "updated" records would not change at all.
    unchanged: dict[str, int] = field(default_factory=dict)
    #: Sign-in accounts: {"created": n, "linked": m} (existing accounts linked to a deputy).
    accounts: dict[str, int] = field(default_factory=dict)

    add = ImportReport.add_error
    warn = ImportReport.add_warning

    def sort(self) -> None:
        def key(e: RowError):
            sheet_pos = SHEET_ORDER.index(e.sheet) if e.sheet in SHEET_ORDER else -1
            headers = [c.header for c in LAYOUT.get(e.sheet, [])]
            col_pos = headers.index(e.column) if e.column in headers else -1
            return (sheet_pos, e.row or 0, col_pos)

        self.errors.sort(key=key)


# --------------------------------------------------------------------------------------------------
# Cells

_ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
_CellError = xlsx.CellError


def _text(value: Any) -> str:
    return xlsx.cell_text(value).strip().strip(_ZERO_WIDTH).strip()


def _norm_label(text: str) -> str:
    return text.replace("(", "（").replace(")", "）").replace(" ", "")


def _clean_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        day = xlsx.date_from_text(value.strip())
        if day is not None:
            return day
        raise _CellError(
            _("“%(v)s”不是有效日期，请填写日期格式的单元格或“YYYY-MM-DD”文本（如 2022-01-01）。")
            % {"v": value}
        )
    raise _CellError(
        _("“%(v)s”不是日期，请填写日期格式的单元格或“YYYY-MM-DD”文本（如 2022-01-01）。")
        % {"v": _text(value)}
    )


_email = EmailValidator()


def _clean_cell(col: Column, raw: Any) -> Any:  # noqa: C901, PLR0912
    """The cell's value for the database, or None when empty; raises _CellError."""
    if col.kind == "date":
        if raw is None or _text(raw) == "":
            if col.required:
                raise _CellError(_("必填项，不能为空。"))
            return None
        return _clean_date(raw if not isinstance(raw, str) else raw.strip())
    text = _text(raw)
    if not text:
        if col.required:
            raise _CellError(_("必填项，不能为空。"))
        return "" if col.kind != "choice" else None
    if col.max_length and len(text) > col.max_length:
        raise _CellError(
            _("内容过长：最多 %(n)s 个字符，现有 %(m)s 个。") % {"n": col.max_length, "m": len(text)}
        )
    if col.kind == "choice":
        assert col.choices is not None
        key = _norm_label(text)
        for label, value in col.choices.items():
            if _norm_label(label) == key:
                return value
        for label, value in (col.aliases or {}).items():
            if _norm_label(label) == key:
                return value
        raise _CellError(
            _("“%(v)s”不是可选的值，应为以下之一：%(choices)s。")
            % {"v": text, "choices": "、".join(col.choices)}
        )
    if col.kind == "phone":
        text = re.sub(r"[\s]", "", text)
        try:
            phone_validator(text)
        except ValidationError as e:
            raise _CellError(
                _("联系电话“%(v)s”格式不正确：%(why)s") % {"v": text, "why": " ".join(e.messages)}
            ) from e
    elif col.kind == "email":
        try:
            _email(text)
        except ValidationError as e:
            raise _CellError(_("电子邮箱“%(v)s”格式不正确。") % {"v": text}) from e
    elif col.kind == "username":
        try:
            User.username_validator(text)
        except ValidationError as e:
            raise _CellError(
                _("登录账号“%(v)s”不合规：只能包含字母、数字、汉字和 @ . + - _ 符号。") % {"v": text}
            ) from e
    return text


@dataclass
class _Row:
    sheet: str
    row: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def get(self, header: str) -> Any:
        return None if header in self.bad else self.values.get(header)


# --------------------------------------------------------------------------------------------------
# Reading the workbook


class _Ticker:
    """Calls `progress(done, total)` about a hundred times over the whole file, not per row."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = max(total, 0)
        self.done = 0
        self.step = max(1, -(-self.total // 100))  # about a hundred calls in all
        self.last = -1

    def tick(self, n: int = 1) -> None:
        self.done += n
        self.total = max(self.total, self.done)
        if self.progress and self.done - self.last >= self.step:
            self.last = self.done
            self.progress(self.done, self.total)

    def finish(self) -> None:
        self.total = self.done = max(self.total, self.done)
        if self.progress and self.last != self.done:
            self.last = self.done
            self.progress(self.done, self.total)


def _sheet_estimate(ws) -> int:
    max_row = getattr(ws, "max_row", None) or 0
    return max(0, min(max_row, max_rows() + 2) - 1)


def estimate_rows(data: bytes) -> int:
    """Data rows in the known sheets of a workbook, as the sheets' dimensions say (cheap, approximate:
    trailing empty rows may count). Used to decide whether a file is processed in the background."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — a broken file is reported by import_roster itself
        return 0
    try:
        return sum(_sheet_estimate(wb[name]) for name in wb.sheetnames if name.strip() in LAYOUT)
    finally:
        wb.close()


def _read_sheet(ws, sheet: str, report: RosterReport, ticker: _Ticker) -> list[_Row]:  # noqa: C901, PLR0912
    spec = LAYOUT[sheet]
    by_header = {c.header: c for c in spec}
    estimate = _sheet_estimate(ws)
    limit = max_rows()
    rows_iter = ws.iter_rows(min_row=1, max_row=limit + 2, values_only=True)
    header_cells = next(rows_iter, None) or ()
    index: dict[str, int] = {}
    header_ok = True
    for i, cell in enumerate(header_cells):
        text = _text(cell)
        if not text:
            continue
        name = text.rstrip("*＊").strip()
        if name in by_header:
            if name in index:
                report.add(sheet, 1, name, _("表头“%(h)s”重复出现，请删除多余的一列。") % {"h": name})
                header_ok = False
            else:
                index[name] = i
        else:
            report.add(
                sheet,
                1,
                text,
                _("无法识别的列“%(h)s”。本表的列应为：%(cols)s。")
                % {"h": text, "cols": "、".join(by_header)},
            )
            header_ok = False
    for col in spec:
        if col.header not in index:
            report.add(
                sheet, 1, col.header, _("缺少列“%(h)s”，请使用模板中的表头（第1行）。") % {"h": col.header}
            )
            header_ok = False
    if not header_ok:
        ticker.tick(estimate)
        return []

    rows: list[_Row] = []
    read = 0
    for number, cells in enumerate(rows_iter, start=2):
        read += 1
        ticker.tick()
        if all(_text(c) == "" for c in cells):
            continue
        if number > limit + 1:
            report.add(
                sheet,
                number,
                "",
                _("每个工作表最多 %(n)s 行数据，本表超出上限。请拆分后分批导入。") % {"n": limit},
            )
            break
        row = _Row(sheet, number, {})
        for col in spec:
            i = index[col.header]
            raw = cells[i] if i < len(cells) else None
            try:
                row.values[col.header] = _clean_cell(col, raw)
            except _CellError as e:
                report.add(sheet, number, col.header, str(e))
                row.bad.add(col.header)
        rows.append(row)
    if read < estimate:
        ticker.tick(estimate - read)
    report.rows += len(rows)
    return rows


def _check_duplicates(rows: list[_Row], header: str, report: RosterReport, what: str) -> None:
    first: dict[Any, int] = {}
    for row in rows:
        key = row.get(header)
        if not key:
            continue
        if key in first:
            report.add(
                row.sheet,
                row.row,
                header,
                _("%(what)s“%(v)s”与第 %(n)s 行重复，同一文件中不能出现两次。")
                % {"what": what, "v": key, "n": first[key]},
            )
            row.bad.add(header)
        else:
            first[key] = row.row


def _row_rules(sheet: str, rows: list[_Row], report: RosterReport) -> None:  # noqa: C901, PLR0912
    """Checks within one row (several cells) and within one sheet (duplicates)."""
    if sheet == SHEET_UNITS:
        for row in rows:
            kind = row.get("类型")
            if kind is None:
                continue
            if kind == Unit.Kind.BODY:
                if row.get("上级单位"):
                    report.add(
                        sheet, row.row, "上级单位", _("类型为“机关”的单位是最上级单位，上级单位应留空。")
                    )
                    row.bad.add("上级单位")
                if "机关类别" not in row.bad and not row.get("机关类别"):
                    report.add(
                        sheet,
                        row.row,
                        "机关类别",
                        _("类型为“机关”时必须填写机关类别：%(c)s。") % {"c": "、".join(BODY_CODES)},
                    )
                    row.bad.add("机关类别")
            else:
                if "上级单位" not in row.bad and not row.get("上级单位"):
                    report.add(sheet, row.row, "上级单位", _("除“机关”外，每个单位都必须填写上级单位。"))
                    row.bad.add("上级单位")
                if row.get("机关类别"):
                    report.add(
                        sheet,
                        row.row,
                        "机关类别",
                        _("只有类型为“机关”的单位才填写机关类别，其他单位请留空。"),
                    )
                    row.bad.add("机关类别")
    if sheet == SHEET_DEPUTIES:
        for row in rows:
            start, end = row.get("任职起始"), row.get("任职终止")
            if start and end and end < start:
                report.add(
                    sheet,
                    row.row,
                    "任职终止",
                    _("任职终止日期（%(end)s）早于任职起始日期（%(start)s）。")
                    % {"end": end, "start": start},
                )
                row.bad.add("任职终止")
        _check_duplicates(rows, "代表证号", report, _("代表证号"))
        _check_duplicates(rows, "登录账号", report, _("登录账号"))
    else:
        _check_duplicates(rows, "名称", report, _("名称"))


def _read_workbook(
    data: bytes, report: RosterReport, progress: Progress | None
) -> dict[str, list[_Row]] | None:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds of errors for broken files
        logger.info("roster import: unreadable workbook", exc_info=True)
        report.file_error(
            _("文件已损坏或不是有效的 Excel 工作簿（.xlsx），无法读取。请用 Excel 打开检查后重新保存。")
        )
        return None
    try:
        present = {name.strip(): name for name in wb.sheetnames}
        known = [s for s in SHEET_ORDER if s in present]
        if not known:
            report.file_error(
                _(
                    "工作簿中没有可导入的工作表。工作表名称应为：%(names)s（至少一个）；文件中的工作表为：%(found)s。"
                )
                % {"names": "、".join(SHEET_ORDER), "found": "、".join(wb.sheetnames) or _("无")},
            )
            return None
        for name in wb.sheetnames:
            if name.strip() not in LAYOUT and name.strip() != SHEET_HELP:
                report.warn(name, None, "", _("工作表“%(s)s”不是可导入的工作表，已忽略。") % {"s": name})
        sheets = {s: wb[present[s]] for s in known}
        ticker = _Ticker(progress, sum(_sheet_estimate(ws) for ws in sheets.values()))
        result: dict[str, list[_Row]] = {}
        for sheet, ws in sheets.items():
            rows = _read_sheet(ws, sheet, report, ticker)
            _row_rules(sheet, rows, report)
            result[sheet] = rows
        ticker.finish()
        return result
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------------
# Planning against the database


@dataclass
class _Op:
    row: _Row
    key: str
    existing: Any  # the model instance, or None for a new record
    new: dict[str, Any]  # desired values; foreign keys by name
    old: dict[str, Any]  # current values in the same shape ({} when new)

    @property
    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.new.items() if self.old.get(k) != v}


@dataclass
class _Plan:
    congress: Congress
    groups: dict[str, DeputyGroup]
    stations: dict[str, LiaisonStation]
    units: dict[str, Unit]
    users: dict[str, User]
    #: The system and platform admins may link any account; a congress admin only this congress's.
    any_account: bool = False
    ops: dict[str, list[_Op]] = field(default_factory=dict)
    unit_levels: dict[str, int] = field(default_factory=dict)


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _plan(congress: Congress, sheets: dict[str, list[_Row]], report: RosterReport, *, actor: Any) -> _Plan:  # noqa: C901
    groups = {g.name: g for g in DeputyGroup.objects.filter(congress=congress)}
    # pk → name, looked up by nullable foreign keys (a None id finds no name)
    group_names: dict[int | None, str] = {g.pk: g.name for g in groups.values()}
    stations = {s.name: s for s in LiaisonStation.objects.filter(congress=congress)}
    units = {u.name: u for u in Unit.objects.filter(congress=congress)}
    unit_names: dict[int | None, str] = {u.pk: u.name for u in units.values()}
    plan = _Plan(
        congress,
        groups,
        stations,
        units,
        users={},
        any_account=actor is None or getattr(actor, "is_superuser", False),
    )

    file_groups = {r.values.get("名称") for r in sheets.get(SHEET_GROUPS, []) if r.values.get("名称")}
    known_groups = file_groups | set(groups)

    def group_ref(row: _Row, header: str) -> str | None:
        name = row.get(header)
        if name and name not in known_groups:
            report.add(
                row.sheet,
                row.row,
                header,
                _("代表小组“%(v)s”不存在：请先在“代表小组”工作表中填写，或检查名称是否一致。") % {"v": name},
            )
            row.bad.add(header)
        return name or None

    # 代表小组
    if SHEET_GROUPS in sheets:
        ops = plan.ops[SHEET_GROUPS] = []
        for row in sheets[SHEET_GROUPS]:
            name = row.get("名称")
            if not name:
                continue
            g = groups.get(name)
            ops.append(
                _Op(
                    row, name, g, {"convener": row.get("召集人") or ""}, {"convener": g.convener} if g else {}
                )
            )

    # 联络站
    if SHEET_STATIONS in sheets:
        ops = plan.ops[SHEET_STATIONS] = []
        for row in sheets[SHEET_STATIONS]:
            name = row.get("名称")
            group = group_ref(row, "所属代表小组")
            if not name:
                continue
            s = stations.get(name)
            new = {"kind": row.get("类型"), "address": row.get("地址") or "", "group": group}
            old = {"kind": s.kind, "address": s.address, "group": group_names.get(s.group_id)} if s else {}
            ops.append(_Op(row, name, s, new, old))

    # 承办单位
    if SHEET_UNITS in sheets:
        _plan_units(plan, sheets[SHEET_UNITS], unit_names, report)

    # 代表
    if SHEET_DEPUTIES in sheets:
        _plan_deputies(plan, sheets[SHEET_DEPUTIES], group_names, group_ref, report)

    for sheet, ops in plan.ops.items():
        created = sum(1 for op in ops if op.existing is None)
        report.counts[sheet] = {"created": created, "updated": len(ops) - created}
        report.unchanged[sheet] = sum(1 for op in ops if op.existing is not None and not op.changes)
    return plan


def _plan_units(  # noqa: C901, PLR0912
    plan: _Plan, rows: list[_Row], unit_names: dict[int | None, str], report: RosterReport
) -> None:
    units = plan.units
    in_file = {r.values["名称"]: r for r in rows if r.values.get("名称") and "名称" not in r.bad}
    ops = plan.ops[SHEET_UNITS] = []
    # The parent every unit will have after the import (file first, then the database).
    parent_of: dict[str, str | None] = {name: unit_names.get(u.parent_id) for name, u in units.items()}
    for row in rows:
        name = row.get("名称")
        parent = row.get("上级单位")
        if parent and parent not in in_file and parent not in units:
            report.add(
                row.sheet,
                row.row,
                "上级单位",
                _("上级单位“%(v)s”不存在：请在本表中填写该单位，或检查名称是否与已有单位一致。")
                % {"v": parent},
            )
            row.bad.add("上级单位")
        if not name:
            continue
        if row.get("类型") is not None and "上级单位" not in row.bad:
            parent_of[name] = parent or None
        u = units.get(name)
        new = {
            "short_name": row.get("简称") or "",
            "kind": row.get("类型"),
            "parent": parent or None,
            "body_code": row.get("机关类别") or "",
        }
        old = (
            {
                "short_name": u.short_name,
                "kind": u.kind,
                "parent": unit_names.get(u.parent_id),
                "body_code": u.body_code,
            }
            if u
            else {}
        )
        ops.append(_Op(row, name, u, new, old))

    # Cycles: follow each file unit's parents until a root or a unit already seen on the way.
    in_cycle: set[str] = set()
    for name in in_file:
        seen: set[str] = set()
        current: str | None = name
        while current is not None and current not in seen:
            seen.add(current)
            current = parent_of.get(current)
        if current is not None and current == name:
            in_cycle.add(name)
    for name in in_cycle:
        row = in_file[name]
        report.add(
            row.sheet,
            row.row,
            "上级单位",
            _("上级单位形成循环：“%(v)s”通过上级关系最终又指向了自己。请检查上级单位。") % {"v": name},
        )
        row.bad.add("上级单位")

    # One body per category in the whole congress after the import.
    bodies: dict[str, list[tuple[str, _Row | None]]] = {}
    for name, u in units.items():
        if u.kind == Unit.Kind.BODY and name not in in_file:
            bodies.setdefault(u.body_code, []).append((name, None))
    for row in rows:
        if row.get("类型") == Unit.Kind.BODY and row.get("机关类别") and row.get("名称"):
            bodies.setdefault(row.get("机关类别"), []).append((row.get("名称"), row))
    labels = {v: k for k, v in BODY_CODES.items()}
    for code, holders in bodies.items():
        first_name, _first_row = holders[0]
        for _name, holder in holders[1:]:
            if holder is None:
                continue
            report.add(
                holder.sheet,
                holder.row,
                "机关类别",
                _("机关类别“%(c)s”已有机关“%(other)s”，每个人大的每一类机关只能有一个。")
                % {"c": labels.get(code, code), "other": first_name},
            )
            holder.bad.add("机关类别")

    # Levels: a unit is written after its parent when both are in this file.
    plan.unit_levels = {name: _level_iter(name, parent_of, in_file) for name in in_file}


def _may_link(plan: _Plan, user: User, members: set[int]) -> bool:
    """The roster's rule of `congress.actions.may_attach`: another congress's account (or an
    unclaimed one) can be linked only by the system or a platform admin."""
    return plan.any_account or user.home_congress_id == plan.congress.pk or user.pk in members


def _level_iter(name: str, parent_of: dict[str, str | None], in_file: dict[str, Any]) -> int:
    depth = 0
    current = parent_of.get(name)
    while current is not None and current in in_file and depth <= len(in_file):
        depth += 1
        current = parent_of.get(current)
    return depth


def _plan_deputies(
    plan: _Plan,
    rows: list[_Row],
    group_names: dict[int | None, str],
    group_ref: Callable[[_Row, str], str | None],
    report: RosterReport,
) -> None:
    congress = plan.congress
    deputies = {
        d.number: d
        for d in Deputy.objects.filter(congress=congress).select_related("user").only(*_DEPUTY_LOAD)
    }
    linked = {d.user_id: d for d in deputies.values() if d.user_id}
    usernames = sorted({r.get("登录账号") for r in rows if r.get("登录账号")})
    users: dict[str, User] = {}
    members: set[int] = set()
    for chunk in _chunks(usernames):
        found = {u.username: u for u in User.objects.filter(username__in=chunk)}
        users.update(found)
        members.update(
            Membership.objects.filter(congress=congress, user__in=list(found.values())).values_list(
                "user_id", flat=True
            )
        )
    plan.users = users
    ops = plan.ops[SHEET_DEPUTIES] = []
    for row in rows:
        number = row.get("代表证号")
        group = group_ref(row, "代表小组")
        username = row.get("登录账号") or None
        if username and username in users and not _may_link(plan, users[username], members):
            # the same words whether or not the account exists elsewhere (no enumeration)
            report.add(
                row.sheet,
                row.row,
                "登录账号",
                _("登录账号“%(u)s”不能在本人大使用，请换一个登录账号，或留空。") % {"u": username},
            )
            row.bad.add("登录账号")
        elif username and username in users:
            other = linked.get(users[username].pk)
            if other is not None and other.number != number:
                report.add(
                    row.sheet,
                    row.row,
                    "登录账号",
                    _("登录账号“%(u)s”已关联代表 %(d)s，一个账号只能关联一名代表。")
                    % {"u": username, "d": str(other)},
                )
                row.bad.add("登录账号")
        if not number:
            continue
        d = deputies.get(number)
        new = {
            "name": row.get("姓名"),
            "level": row.get("代表层级") or Deputy.Level.COUNTY,
            "group": group,
            "electoral_district": row.get("选区") or "",
            "organisation": row.get("工作单位及职务") or "",
            "phone": row.get("联系电话") or "",
            "email": row.get("电子邮箱") or "",
            "in_office_from": row.get("任职起始"),
            "in_office_to": row.get("任职终止"),
        }
        if username:  # an empty 登录账号 keeps the current link
            new["user"] = username
        old = {}
        if d is not None:
            old = {
                "name": d.name,
                "level": d.level,
                "group": group_names.get(d.group_id),
                "electoral_district": d.electoral_district,
                "organisation": d.organisation,
                "phone": d.phone,
                "email": d.email,
                "in_office_from": d.in_office_from,
                "in_office_to": d.in_office_to,
                "user": d.user.username if d.user is not None else None,
            }
        ops.append(_Op(row, number, d, new, old))
    new_accounts = [u for u in usernames if u not in users]
    report.accounts = {"created": len(new_accounts), "linked": len(usernames) - len(new_accounts)}


_DEPUTY_LOAD = (
    "id",
    "congress_id",
    "number",
    "name",
    "level",
    "group_id",
    "electoral_district",
    "organisation",
    "phone",
    "email",
    "in_office_from",
    "in_office_to",
    "user_id",
    "user__username",
    "created_at",
    "updated_at",
)


# --------------------------------------------------------------------------------------------------
# Writing


def _apply(plan: _Plan) -> dict[str, list[dict[str, Any]]]:  # noqa: C901, PLR0912, PLR0915
    """Write the plan; returns the per-row detail for the audit row."""
    congress = plan.congress
    now = timezone.now()
    detail: dict[str, list[dict[str, Any]]] = {}

    def note(sheet: str, op: _Op) -> None:
        if op.existing is None:
            detail.setdefault(sheet, []).append({"key": op.key, "action": "created"})
        elif op.changes:
            changes = op.changes
            detail.setdefault(sheet, []).append(
                {
                    "key": op.key,
                    "action": "updated",
                    "old": {k: op.old.get(k) for k in changes},
                    "new": changes,
                }
            )

    # 代表小组
    groups = plan.groups
    ops = plan.ops.get(SHEET_GROUPS, [])
    created = [
        DeputyGroup(congress=congress, name=op.key, convener=op.new["convener"])
        for op in ops
        if not op.existing
    ]
    DeputyGroup.objects.bulk_create(created, batch_size=500)
    groups.update({g.name: g for g in created})
    changed = []
    for op in ops:
        note(SHEET_GROUPS, op)
        if op.existing is not None and op.changes:
            op.existing.convener = op.new["convener"]
            changed.append(op.existing)
    DeputyGroup.objects.bulk_update(changed, ["convener"], batch_size=500)

    def group_id(name: str | None) -> int | None:
        return groups[name].pk if name else None

    # 联络站
    ops = plan.ops.get(SHEET_STATIONS, [])
    new_stations: list[LiaisonStation] = []
    changed = []
    for op in ops:
        note(SHEET_STATIONS, op)
        obj = op.existing or LiaisonStation(congress=congress, name=op.key)
        obj.kind, obj.address, obj.group_id = op.new["kind"], op.new["address"], group_id(op.new["group"])
        if op.existing is None:
            new_stations.append(obj)
        elif op.changes:
            obj.updated_at = now
            changed.append(obj)
    LiaisonStation.objects.bulk_create(new_stations, batch_size=500)
    LiaisonStation.objects.bulk_update(changed, ["kind", "address", "group", "updated_at"], batch_size=500)

    # 承办单位, parents before children
    units = plan.units
    ops = sorted(plan.ops.get(SHEET_UNITS, []), key=lambda op: plan.unit_levels.get(op.key, 0))
    for lvl in sorted({plan.unit_levels.get(op.key, 0) for op in ops}):
        new_units: list[Unit] = []
        changed = []
        for op in ops:
            if plan.unit_levels.get(op.key, 0) != lvl:
                continue
            note(SHEET_UNITS, op)
            obj = op.existing or Unit(congress=congress, name=op.key)
            obj.short_name, obj.kind, obj.body_code = (
                op.new["short_name"],
                op.new["kind"],
                op.new["body_code"],
            )
            obj.parent_id = units[op.new["parent"]].pk if op.new["parent"] else None
            if op.existing is None:
                new_units.append(obj)
            elif op.changes:
                obj.updated_at = now
                changed.append(obj)
        Unit.objects.bulk_update(
            changed, ["short_name", "kind", "parent", "body_code", "updated_at"], batch_size=500
        )
        Unit.objects.bulk_create(new_units, batch_size=500)
        units.update({u.name: u for u in new_units})
    if ops:
        _refresh_unit_bodies(congress)

    # 代表 (and their sign-in accounts)
    ops = plan.ops.get(SHEET_DEPUTIES, [])
    if ops:
        users = plan.users
        new_users = []
        for op in ops:
            username = op.new.get("user")
            if username and username not in users:
                user = User(
                    home_congress=congress,
                    username=username,
                    full_name=op.new["name"],
                    phone=op.new["phone"],
                    email=op.new["email"],
                )
                user.set_unusable_password()
                users[username] = user
                new_users.append(user)
        User.objects.bulk_create(new_users, batch_size=500)
        new_deputies: list[Deputy] = []
        changed = []
        for op in ops:
            note(SHEET_DEPUTIES, op)
            obj = op.existing or Deputy(congress=congress, number=op.key)
            for name in ("name", "level", "electoral_district", "organisation", "phone", "email"):
                setattr(obj, name, op.new[name])
            obj.in_office_from, obj.in_office_to = op.new["in_office_from"], op.new["in_office_to"]
            obj.group_id = group_id(op.new["group"])
            if op.new.get("user"):
                obj.user_id = users[op.new["user"]].pk
            if op.existing is None:
                new_deputies.append(obj)
            elif op.changes:
                obj.updated_at = now
                changed.append(obj)
        Deputy.objects.bulk_update(changed, [*_DEPUTY_FIELDS, "updated_at"], batch_size=500)
        Deputy.objects.bulk_create(new_deputies, batch_size=500)
        _ensure_deputy_memberships(congress, [users[op.new["user"]].pk for op in ops if op.new.get("user")])
    return detail


_DEPUTY_FIELDS = [
    "name",
    "level",
    "group",
    "electoral_district",
    "organisation",
    "phone",
    "email",
    "in_office_from",
    "in_office_to",
    "user",
]


def _refresh_unit_bodies(congress: Congress) -> None:
    """Set every unit's `body` to the root of its tree (parents may have moved in this import)."""
    rows = list(Unit.objects.filter(congress=congress).values_list("pk", "parent_id", "body_id"))
    parent = {pk: parent_id for pk, parent_id, _body in rows}
    stale = []
    for pk, _parent_id, body_id in rows:
        root, steps = pk, 0
        while parent.get(root) is not None and steps <= len(rows):
            root, steps = parent[root], steps + 1
        if body_id != root:
            stale.append(Unit(pk=pk, body_id=root))
    Unit.objects.bulk_update(stale, ["body"], batch_size=500)


def _ensure_deputy_memberships(congress: Congress, user_ids: list[int]) -> None:
    if not user_ids:
        return
    existing: dict[int, Membership] = {}
    for chunk in _chunks(sorted(set(user_ids))):
        for m in Membership.objects.filter(
            congress=congress, role=Role.DEPUTY, user_id__in=chunk, unit__isnull=True, station__isnull=True
        ):
            existing[m.user_id] = m
    Membership.objects.bulk_create(
        [
            Membership(user_id=uid, congress=congress, role=Role.DEPUTY)
            for uid in set(user_ids)
            if uid not in existing
        ],
        batch_size=500,
    )
    inactive = [m.pk for m in existing.values() if not m.active]
    if inactive:
        Membership.objects.filter(pk__in=inactive).update(active=True)


# --------------------------------------------------------------------------------------------------
# The action


def import_roster(
    congress: Congress,
    fileobj: BinaryIO,
    *,
    actor: Any,
    dry_run: bool,
    progress: Progress | None = None,
) -> RosterReport:
    """Import the roster workbook `fileobj` into `congress`.

    All or nothing: when any row is wrong nothing is written and `report.errors` says why. A dry
    run (`dry_run=True`) checks everything and reports what would be created or updated but writes
    nothing, not even an audit row. `actor` None means the system (management commands).
    `progress(done, total)` is called now and then while rows are read."""
    authorize(actor, PERM, congress, system=True)
    report = RosterReport(filename=xlsx.basename(fileobj), dry_run=dry_run)
    data = xlsx.read_upload(fileobj, report)
    if data is None:
        return report
    sheets = _read_workbook(data, report, progress)
    if sheets is None:
        return report

    if dry_run:
        _plan(congress, sheets, report, actor=actor)
        report.finish()
        return report

    try:
        with transaction.atomic():
            # One import per congress at a time: the plan must still hold when it is written.
            Congress.objects.select_for_update().filter(pk=congress.pk).first()
            plan = _plan(congress, sheets, report, actor=actor)
            report.finish()
            if not report.ok:
                return report
            detail = _apply(plan)
            audit.record(
                "roster.imported",
                actor=actor,
                congress=congress,
                new={
                    "counts": report.counts,
                    "sha256": report.sha256,
                    "filename": report.filename,
                    "rows": report.rows,
                    "accounts": report.accounts,
                    "changes": detail,
                },
            )
    except IntegrityError:
        logger.warning("roster import into %s failed on a database constraint", congress.code, exc_info=True)
        report.add(
            "",
            None,
            "",
            _("写入时与数据库中的现有数据冲突（可能有人同时修改了花名册），未导入任何数据。请重新上传再试。"),
        )
        return report
    report.committed = True
    return report


# --------------------------------------------------------------------------------------------------
# The template


def build_template() -> bytes:
    """The workbook users download, fill in and upload: one sheet per kind with the exact headers
    (required ones in red with a note), drop-down lists for the fixed values, text-formatted
    number columns, and an instruction sheet with examples (which the import ignores)."""
    wb = xlsx.new_workbook(empty=True)
    text_columns = {"代表证号", "联系电话", "登录账号"}
    for sheet, spec in LAYOUT.items():
        ws = wb.create_sheet(sheet)
        ws.append([c.header for c in spec])
        ws.freeze_panes = "A2"
        for i, col in enumerate(spec, start=1):
            cell = ws.cell(row=1, column=i)
            xlsx.style_header(cell, required=col.required)
            letter = cell.column_letter
            ws.column_dimensions[letter].width = max(
                12, min(40, 2 * len(col.header) + 6, (col.max_length or 20))
            )
            if col.required:
                cell.comment = Comment(_("必填"), "民意")
            if col.kind == "choice" and col.choices:
                xlsx.add_list_validation(
                    ws,
                    letter,
                    col.choices,
                    last_row=MAX_ROWS + 1,
                    allow_blank=not col.required,
                    showErrorMessage=True,
                    errorTitle=_("请从列表中选择"),
                    error=_("可选的值：%(c)s") % {"c": "、".join(col.choices)},
                )
            if col.kind == "date":
                xlsx.format_column(ws, i, "yyyy-mm-dd", 200)
            if col.header in text_columns:
                xlsx.format_column(ws, i, "@", 200)

    xlsx.add_help_sheet(
        wb,
        title=_("花名册导入模板 · 填写说明"),
        lines=(
            _(
                "1. 每个工作表第 1 行是表头，请勿修改；从第 2 行起每行填写一条记录。不需要导入的工作表可以删除，但至少保留一个。"
            ),
            _("2. 按“名称”（代表按“代表证号”）更新已有记录，不存在的则新建；不会删除任何记录。"),
            _(
                "3. 任何一行有错误时整份文件都不会导入；请按错误清单（工作表、行号、列、原因）改正后重新上传。"
            ),
            _("4. 日期请填写日期格式的单元格或“YYYY-MM-DD”文本，如 2022-01-01。"),
            _(
                "5. 登录账号可留空；填写后将关联已有账号，或新建一个尚未设置密码的账号，并授予本人大的“人大代表”角色。"
            ),
            _("6. 本“填写说明”工作表导入时会被忽略。"),
        ),
        header=(_("工作表"), _("列"), _("必填"), _("说明 / 示例")),
        rows=[
            (sheet, col.header, _("是") if col.required else "", _help_note(sheet, col))
            for sheet, spec in LAYOUT.items()
            for col in spec
        ],
        widths={"A": 16, "B": 18, "C": 8, "D": 70},
    )
    return xlsx.workbook_bytes(wb)


def _help_note(sheet: str, col: Column) -> str:
    note = col.example
    if col.choices:
        note = _("可选：%(c)s") % {"c": "、".join(col.choices)}
    if sheet == SHEET_UNITS and col.header == "上级单位":
        note = _("机关留空；其他单位必填，须是本表或系统中已有的单位。示例：%(e)s") % {"e": col.example}
    if sheet == SHEET_UNITS and col.header == "机关类别":
        note = _("仅类型为“机关”时填写，每类只能有一个。可选：%(c)s") % {"c": "、".join(BODY_CODES)}
    if sheet == SHEET_DEPUTIES and col.header == "代表层级":
        note += _("；留空为“区（县）人大代表”")
    return note


# --------------------------------------------------------------------------------------------------
# Import jobs: the upload kept between the dry run and the confirmed import (web pages)


def _stale_uploads(congress: Congress) -> None:
    cutoff = timezone.now() - datetime.timedelta(days=2)
    for job in (
        ImportJob.objects.filter(congress=congress, created_at__lt=cutoff)
        .exclude(file="")
        .exclude(status__in=ImportJob.ACTIVE)
    ):
        job.file.delete(save=False)
        job.save(update_fields=["file"])


def create_import_job(congress: Congress, upload: BinaryIO, *, actor: Any) -> ImportJob:
    """Keep `upload` privately (MEDIA_ROOT/imports/<uuid>.xlsx) and start its dry run."""
    authorize(actor, PERM, congress, system=True)
    job = xlsx.new_job(
        ImportJob,
        congress,
        upload,
        actor=actor,
        default_name="roster.xlsx",
        estimate_rows=estimate_rows,
        inline_rows=getattr(settings, "MINYI_ROSTER_INLINE_ROWS", INLINE_MAX_ROWS),
    )
    _stale_uploads(congress)
    return _start(job)


def confirm_import_job(job: ImportJob, *, actor: Any) -> ImportJob:
    """ "确认导入": commit the file that passed its dry run (once: a second click is refused)."""
    authorize(actor, PERM, job.congress, system=True)
    return _start(xlsx.confirm_job(job, actor=actor))


def _start(job: ImportJob) -> ImportJob:
    return xlsx.start_job(
        job, run=run_import_job, task=run_import_job_task, log=logger, what="roster import job"
    )


def _import_pass(job: ImportJob, upload: BinaryIO, actor: Any, progress: Progress) -> RosterReport:
    return import_roster(job.congress, upload, actor=actor, dry_run=job.dry_run, progress=progress)


def run_import_job(job_id: Any) -> ImportJob:
    """Run the job's pending pass (dry run or commit) and store its report on the job."""
    job = xlsx.run_job(
        ImportJob,
        job_id,
        run_pass=_import_pass,
        done=ImportJob.Status.IMPORTED,
        log=logger,
        what="roster import job",
    )
    if job.status == ImportJob.Status.IMPORTED and job.file:
        # The roster holds personal data: once imported, the copy is not needed any more.
        job.file.delete(save=False)
        job.save(update_fields=["file"])
    return job


@task()
def run_import_job_task(job_id: str) -> str:
    """Background pass for large files (see `INLINE_MAX_ROWS`)."""
    return run_import_job(job_id).status
