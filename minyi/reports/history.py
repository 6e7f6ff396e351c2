"""历史数据导入 — import a ledger of past years' suggestions (the layout of the annual ledger,
`exports.LEDGER_COLUMNS`) as real suggestions, assignments, replies, contacts, evaluations and
deadlines, so that the figures count them like any other.

``import_history()`` is the one action. It checks the file, validates every row against the file
and the congress's roster and policy (every problem with its row, column and a reason in plain
Chinese), and then — unless it is a dry run — writes everything in one transaction or nothing at
all. The written rows are linked to a `HistoryBatch` that keeps the file's SHA-256; the audit trail
gets one ``history.imported`` row for the batch and one ``suggestion.imported`` row per suggestion
(on the suggestion's own timeline), each carrying the hash and the source row.

What a ledger row becomes (times are local; the ledger has dates only):

- the suggestion, accepted (and submitted) on 立案日期 09:00, numbered as in the file, in the state
  of 状态 (or the one its dates imply), closed on 办结日期 18:00 if closed; co-signers confirmed;
- one round-1 assignment per 主办单位 (lead; several = split, each answers) and per 协办单位 (co),
  assigned on 交办日期 10:00, with the reply due date of the congress's policy;
- a confirmed face-to-face contact (走访) on 见面联系日期 for each answering unit;
- a signed-off reply per answering unit on 答复日期 15:00 with its 答复类别, and its evaluation
  (测评结果, or 未反馈) at 17:00;
- the deadlines the actions would have opened — assignment, first contact (when known), reply
  (local target and statutory) — computed with the policy and the working-day calendar, closed on
  time or late by the ledger's dates, or left open (and so overdue) when the step is not in it.

``build_template()`` is the workbook users download: the ledger sheet with its headers, the
congress's valid values and instructions. ``seed_demo_history()`` builds the demo district's 2023
ledger and imports it through the same action.
"""

from __future__ import annotations

import datetime
import io
import logging
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar

import openpyxl
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from openpyxl.comments import Comment

from minyi import audit
from minyi.congress.models import Category, Channel, Congress, Deputy, ResultClass, Unit
from minyi.core import demo_district
from minyi.core import xlsx_import as xlsx
from minyi.core.errors import NotPermitted
from minyi.core.kit import authorize
from minyi.core.xlsx_import import ImportReport, Progress
from minyi.suggestions.models import (
    Suggestion,
    SuggestionKind,
)
from minyi.suggestions.services.history import (
    IMPORTED_NOTE,
    ImportedSuggestion,
    import_closed_suggestions,
)
from minyi.suggestions.states import SuggestionState
from minyi.supervision.deadlines import SPECS as DEADLINE_SPECS
from minyi.workdays.services import load_calendar

from . import rules_exports  # noqa: F401  (registers reports.import_history)
from .exports import LEDGER_COLUMNS, LEDGER_HEADERS, LEDGER_SHEET, LIST_SEP, NO_FEEDBACK_LABEL, RATING_LABELS
from .figures import policy_of
from .models import HistoryBatch, JobStatus

logger = logging.getLogger(__name__)

PERM = "reports.import_history"
MAX_ROWS = 20_000
#: Uploads with more data rows than this are checked and imported in the background.
INLINE_MAX_ROWS = 300
HELP_SHEET = xlsx.HELP_SHEET
VALUES_SHEET = "可选值"

STATE_LABELS: dict[str, SuggestionState] = {
    "已办结": SuggestionState.CLOSED,
    "已测评待办结": SuggestionState.EVALUATED,
    "已答复待测评": SuggestionState.REPLIED,
    "办理中": SuggestionState.ASSIGNED,
    "已立案": SuggestionState.ACCEPTED,
}
#: States an exported ledger may show that the import takes as whatever the row's dates imply
#: (the ledger has no column for the body a suggestion was forwarded to, or a pending re-assignment).
STATE_ALIASES: dict[str, tuple[str, ...]] = {
    "待协调员交办": (SuggestionState.ACCEPTED,),
    "待重新交办": (SuggestionState.ACCEPTED, SuggestionState.ASSIGNED),
}
KIND_VALUES: dict[str, SuggestionKind] = {
    "大会期间": SuggestionKind.SESSION,
    "大会期间建议": SuggestionKind.SESSION,
    "闭会期间": SuggestionKind.INTERIM,
    "闭会期间建议": SuggestionKind.INTERIM,
}
RATINGS: dict[str, str | None] = {
    **{label: value for value, label in RATING_LABELS.items()},
    NO_FEEDBACK_LABEL: None,
}
SPLIT = re.compile(r"[、,，;；\n]+")
DEPUTY_WITH_NUMBER = re.compile(r"^(.+?)\s*[（(]\s*(.+?)\s*[）)]$")
SEQ = re.compile(r"第\s*(\d+)\s*号|(\d+)\s*号?\s*$")


def max_rows() -> int:
    return getattr(settings, "MINYI_HISTORY_MAX_ROWS", MAX_ROWS)


# --- the report ----------------------------------------------------------------------------------


@dataclass
class HistoryReport(ImportReport):
    FILE_SHEET: ClassVar[str] = LEDGER_SHEET

    #: What was (or, in a dry run, would be) created: suggestions, assignments, replies, ….
    counts: dict[str, int] = field(default_factory=dict)
    #: Suggestions per year of acceptance.
    years: dict[str, int] = field(default_factory=dict)
    batch: str = ""

    def add(self, row: int | None, column: str, reason: str) -> None:
        self.add_error(LEDGER_SHEET, row, column, reason)

    def warn(self, row: int | None, column: str, reason: str) -> None:
        self.add_warning(LEDGER_SHEET, row, column, reason)

    def sort(self) -> None:
        order = {h: i for i, h in enumerate(LEDGER_HEADERS)}
        self.errors.sort(key=lambda e: (e.row or 0, order.get(e.column, -1)))


# --- reading cells ---------------------------------------------------------------------------------


CellError = xlsx.CellError


def _text(value: Any) -> str:
    return xlsx.cell_text(value).replace("\u200b", "").replace("\ufeff", "").strip()


def _date(value: Any) -> datetime.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    day = xlsx.date_from_text(_text(value))
    if day is not None:
        return day
    raise CellError(
        _("“%(v)s”不是有效日期，请填写日期格式的单元格或“YYYY-MM-DD”文本（如 2023-03-01）。")
        % {"v": _text(value)}
    )


def _list(value: Any) -> list[str]:
    return [part.strip() for part in SPLIT.split(_text(value)) if part.strip()]


# --- lookups -------------------------------------------------------------------------------------


class Lookups:
    """The congress's rows a ledger refers to, loaded once (a handful of queries)."""

    def __init__(self, congress: Congress) -> None:
        self.deputies_by_number: dict[str, Deputy] = {}
        self.deputies_by_name: dict[str, list[Deputy]] = {}
        for d in Deputy.objects.filter(congress=congress).order_by("pk"):
            self.deputies_by_number[d.number] = d
            self.deputies_by_name.setdefault(d.name, []).append(d)
        self.units: dict[str, Unit] = {}
        ambiguous: set[str] = set()
        for u in Unit.objects.filter(congress=congress).order_by("pk"):
            for key in {u.name, u.short_name} - {""}:
                if key in self.units and self.units[key].pk != u.pk:
                    ambiguous.add(key)
                self.units.setdefault(key, u)
        for u in Unit.objects.filter(congress=congress):
            self.units[u.name] = u  # a full name always wins over another unit's short name
        self.ambiguous_units = ambiguous - {u for u in self.units if self.units[u].name == u}
        self.categories = {c.name: c for c in Category.objects.filter(congress=congress)}
        self.channels = {c.name: c for c in Channel.objects.filter(congress=congress)}
        self.classes: dict[str, ResultClass] = {}
        for rc in ResultClass.objects.filter(congress=congress):
            self.classes[rc.code] = rc
            self.classes.setdefault(rc.name, rc)
            self.classes.setdefault(f"{rc.code}类", rc)

    def deputy(self, text: str) -> Deputy:
        match = DEPUTY_WITH_NUMBER.match(text)
        if match:
            name, number = match[1].strip(), match[2].strip()
            d = self.deputies_by_number.get(number)
            if d is None or d.name != name:
                raise CellError(_("找不到代表证号为“%(n)s”的代表“%(name)s”。") % {"n": number, "name": name})
            return d
        if text in self.deputies_by_number:
            return self.deputies_by_number[text]
        found = self.deputies_by_name.get(text, [])
        if not found:
            raise CellError(_("名册中没有代表“%(n)s”。请先导入该届代表名册，或改正姓名。") % {"n": text})
        if len(found) > 1:
            raise CellError(
                _("名册中有 %(k)s 位代表名为“%(n)s”，请写成“姓名（代表证号）”。")
                % {"k": len(found), "n": text}
            )
        return found[0]

    def unit(self, text: str) -> Unit:
        if text in self.ambiguous_units:
            raise CellError(_("“%(n)s”是多个单位的简称，请写全称。") % {"n": text})
        unit = self.units.get(text)
        if unit is None:
            raise CellError(
                _("名册中没有承办单位“%(n)s”。请写单位全称或简称，或先在名册中添加该单位。") % {"n": text}
            )
        return unit


# --- one row ---------------------------------------------------------------------------------------


Planned = ImportedSuggestion


def _in_office(d: Deputy, day: datetime.date) -> bool:
    return d.in_office_from <= day and (d.in_office_to is None or d.in_office_to >= day)


def _per_unit(values: list, units: list, what: str) -> list:
    if len(values) == 1:
        return values * len(units)
    if len(values) != len(units):
        raise CellError(
            _(
                "填写了 %(v)s 个%(what)s，但有 %(u)s 个主办单位：请只写一个（适用于所有主办单位），或按主办单位顺序逐个填写。"
            )
            % {"v": len(values), "what": what, "u": len(units)}
        )
    return values


def _check_row(  # noqa: C901, PLR0912, PLR0915
    n: int, cells: dict[str, Any], look: Lookups, report: HistoryReport, today: datetime.date
) -> Planned | None:
    """Validate one row (`n` as Excel numbers it); report every problem; None if any."""
    errors_before = len(report.errors)

    def err(column: str, reason: str) -> None:
        report.add(n, column, reason)

    def cell(header: str, convert: Callable[[Any], Any], default: Any = None) -> Any:
        try:
            return convert(cells.get(header))
        except CellError as e:
            err(header, str(e))
            return default

    number = _text(cells.get("建议编号"))
    if not number:
        err("建议编号", _("必填项，不能为空。"))
    elif len(number) > 64:
        err("建议编号", _("不能超过64个字。"))
    title = _text(cells.get("案由"))
    if not title:
        err("案由", _("必填项，不能为空。"))
    elif len(title) > 200:
        err("案由", _("不能超过200个字（现有 %(n)s 个字）。") % {"n": len(title)})

    dates: dict[str, datetime.date | None] = {}
    for header, key in (
        ("立案日期", "accepted"),
        ("交办日期", "assigned"),
        ("见面联系日期", "contact"),
        ("答复日期", "reply"),
        ("办结日期", "closed"),
    ):
        day = cell(header, _date)
        if day is not None and day > today:
            err(header, _("日期 %(d)s 晚于今天，历史数据不能有未来的日期。") % {"d": day.isoformat()})
        dates[key] = day
    accepted_on = dates["accepted"]
    if accepted_on is None and not any(e.column == "立案日期" for e in report.errors[errors_before:]):
        err("立案日期", _("必填项，不能为空。"))

    lead = None
    lead_text = _text(cells.get("领衔代表"))
    if not lead_text:
        err("领衔代表", _("必填项，不能为空。"))
    else:
        lead = cell("领衔代表", look.deputy)
        if lead is not None and accepted_on and not _in_office(lead, accepted_on):
            err("领衔代表", _("立案日期时“%(n)s”不在任期内，请核对代表或日期。") % {"n": lead.name})
    cosigners: list[Deputy] = []
    for text in _list(cells.get("联名代表")):
        try:
            d = look.deputy(text)
        except CellError as e:
            err("联名代表", str(e))
            continue
        if lead is not None and d.pk == lead.pk:
            err("联名代表", _("“%(n)s”是领衔代表，不能同时是联名代表。") % {"n": d.name})
        elif d in cosigners:
            err("联名代表", _("“%(n)s”重复填写。") % {"n": d.name})
        elif accepted_on and not _in_office(d, accepted_on):
            err("联名代表", _("立案日期时“%(n)s”不在任期内，请核对代表或日期。") % {"n": d.name})
        else:
            cosigners.append(d)

    category = channel = None
    if text := _text(cells.get("分类")):
        category = look.categories.get(text)
        if category is None:
            err(
                "分类",
                _("办理规则中没有分类“%(n)s”；可选：%(c)s") % {"n": text, "c": "、".join(look.categories)},
            )
    if text := _text(cells.get("收集渠道")):
        channel = look.channels.get(text)
        if channel is None:
            err(
                "收集渠道",
                _("办理规则中没有收集渠道“%(n)s”；可选：%(c)s") % {"n": text, "c": "、".join(look.channels)},
            )
    kind = SuggestionKind.INTERIM
    if text := _text(cells.get("提出时间")):
        if text not in KIND_VALUES:
            err("提出时间", _("请填写“大会期间”或“闭会期间”。"))
        else:
            kind = KIND_VALUES[text]

    lead_units: list[Unit] = []
    co_units: list[Unit] = []
    for header, target in (("主办单位", lead_units), ("协办单位", co_units)):
        for text in _list(cells.get(header)):
            try:
                unit = look.unit(text)
            except CellError as e:
                err(header, str(e))
                continue
            if unit in lead_units or unit in co_units:
                err(header, _("“%(n)s”重复填写（一个单位只能承办一次）。") % {"n": unit.name})
            else:
                target.append(unit)

    assigned_on, contact_on, replied_on, closed_on = (
        dates["assigned"],
        dates["contact"],
        dates["reply"],
        dates["closed"],
    )
    lead_given = bool(_list(cells.get("主办单位")))  # given, even if a name is wrong (reported above)
    if _list(cells.get("协办单位")) and not lead_given:
        err("协办单位", _("有协办单位时必须填写主办单位。"))
    if (
        lead_given
        and assigned_on is None
        and not any(e.column == "交办日期" for e in report.errors[errors_before:])
    ):
        err("交办日期", _("填写了主办单位，请同时填写交办日期。"))
    if assigned_on and not lead_given:
        err("主办单位", _("填写了交办日期，请同时填写主办单位。"))
    if assigned_on and accepted_on and assigned_on < accepted_on:
        err("交办日期", _("交办日期不能早于立案日期（%(d)s）。") % {"d": accepted_on.isoformat()})
    if contact_on and not assigned_on:
        err("见面联系日期", _("填写了见面联系日期，请同时填写交办日期和主办单位。"))
    elif contact_on and assigned_on and contact_on < assigned_on:
        err("见面联系日期", _("见面联系日期不能早于交办日期（%(d)s）。") % {"d": assigned_on.isoformat()})
    if replied_on and not assigned_on:
        err("答复日期", _("填写了答复日期，请同时填写交办日期和主办单位。"))
    elif replied_on and assigned_on and replied_on < assigned_on:
        err("答复日期", _("答复日期不能早于交办日期（%(d)s）。") % {"d": assigned_on.isoformat()})

    classes: list[ResultClass] = []
    class_texts = _list(cells.get("答复类别"))
    if class_texts and not replied_on:
        err("答复类别", _("填写了答复类别，请同时填写答复日期。"))
    elif replied_on and not class_texts:
        err("答复类别", _("已答复的建议须填写答复类别（如 A、B、C、D）。"))
    elif class_texts and lead_units:
        for text in class_texts:
            rc = look.classes.get(text) or look.classes.get(text.upper())
            if rc is None:
                err(
                    "答复类别",
                    _("办理规则中没有答复类别“%(n)s”；可选：%(c)s")
                    % {"n": text, "c": "、".join(sorted({c.code for c in look.classes.values()}))},
                )
            else:
                classes.append(rc)
        if len(classes) == len(class_texts):
            try:
                classes = _per_unit(classes, lead_units, _("答复类别"))
            except CellError as e:
                err("答复类别", str(e))

    ratings: list[str | None] = []
    rating_texts = _list(cells.get("测评结果"))
    if rating_texts and not replied_on:
        err("测评结果", _("填写了测评结果，请同时填写答复日期。"))
    elif rating_texts and lead_units:
        for text in rating_texts:
            if text not in RATINGS:
                err("测评结果", _("请填写满意、基本满意、不满意或未反馈（现为“%(v)s”）。") % {"v": text})
            else:
                ratings.append(RATINGS[text])
        if len(ratings) == len(rating_texts):
            try:
                ratings = _per_unit(ratings, lead_units, _("测评结果"))
            except CellError as e:
                err("测评结果", str(e))
    rated = bool(rating_texts)

    if closed_on and not replied_on:
        err("办结日期", _("办结的建议须有答复日期。"))
    elif closed_on and replied_on and closed_on < replied_on:
        err("办结日期", _("办结日期不能早于答复日期（%(d)s）。") % {"d": replied_on.isoformat()})

    implied = (
        SuggestionState.CLOSED
        if closed_on
        else SuggestionState.EVALUATED
        if rated
        else SuggestionState.REPLIED
        if replied_on
        else SuggestionState.ASSIGNED
        if assigned_on
        else SuggestionState.ACCEPTED
    )
    state = implied
    if (text := _text(cells.get("状态"))) and STATE_ALIASES.get(text, ()) and implied in STATE_ALIASES[text]:
        pass  # e.g. 待协调员交办: accepted, not assigned yet
    elif text:
        if text not in STATE_LABELS:
            err("状态", _("请填写：%(c)s（或留空）。") % {"c": "、".join(STATE_LABELS)})
        elif STATE_LABELS[text] != implied:
            needs = {
                SuggestionState.CLOSED: _("已办结的须填写办结日期"),
                SuggestionState.EVALUATED: _("已测评待办结的须有测评结果、不填办结日期"),
                SuggestionState.REPLIED: _("已答复待测评的须有答复日期、不填测评结果和办结日期"),
                SuggestionState.ASSIGNED: _("办理中的须有交办日期、不填答复日期"),
                SuggestionState.ACCEPTED: _("已立案的不填交办日期"),
            }[STATE_LABELS[text]]
            err("状态", _("状态“%(s)s”与所填日期不符：%(why)s。") % {"s": text, "why": needs})
        else:
            state = STATE_LABELS[text]

    if len(report.errors) > errors_before or lead is None or accepted_on is None:
        return None
    seq_match = SEQ.search(number)
    seq = int(next(g for g in seq_match.groups() if g)) if seq_match else None
    return Planned(
        row=n,
        number=number,
        seq=seq,
        title=title,
        lead=lead,
        cosigners=cosigners,
        category=category,
        channel=channel,
        kind=kind,
        lead_units=lead_units,
        co_units=co_units,
        accepted_on=accepted_on,
        assigned_on=assigned_on,
        contact_on=contact_on,
        replied_on=replied_on,
        classes=classes,
        ratings=ratings,
        rated=rated,
        state=state,
        closed_on=closed_on,
    )


# --- the file ------------------------------------------------------------------------------------


def _read(  # noqa: C901, PLR0911, PLR0912
    data: bytes, report: HistoryReport, progress: Progress | None
) -> list[tuple[int, dict[str, Any]]] | None:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        report.add(None, "", _("无法读取该工作簿，文件可能已损坏。请用下载的模板重新填写。"))
        return None
    try:
        ws = wb[LEDGER_SHEET] if LEDGER_SHEET in wb.sheetnames else None
        if ws is None:
            candidates = [n for n in wb.sheetnames if n not in (HELP_SHEET, VALUES_SHEET)]
            if not candidates:
                report.add(None, "", _("工作簿中没有“%(s)s”工作表。") % {"s": LEDGER_SHEET})
                return None
            ws = wb[candidates[0]]
            report.warn(
                None,
                "",
                _("没有名为“%(s)s”的工作表，读取了第一个工作表“%(n)s”。")
                % {"s": LEDGER_SHEET, "n": ws.title},
            )
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            report.add(1, "", _("工作表是空的：第1行应为表头。"))
            return None
        headers = [_text(h) for h in header]
        missing = [c.header for c in LEDGER_COLUMNS if c.required and c.header not in headers]
        if missing:
            report.add(
                1, "", _("缺少必填的列：%(c)s。请使用下载的模板，不要修改表头。") % {"c": "、".join(missing)}
            )
            return None
        seen = Counter(h for h in headers if h)
        for h, k in seen.items():
            if k > 1:
                report.add(1, h, _("表头“%(h)s”出现了 %(k)s 次。") % {"h": h, "k": k})
        for h in seen:
            if h not in LEDGER_HEADERS:
                report.warn(1, h, _("“%(h)s”不是汇总表的列，已忽略。") % {"h": h})
        if not report.ok:
            return None
        limit = max_rows()
        out: list[tuple[int, dict[str, Any]]] = []
        for n, values in enumerate(rows, start=2):
            if not any(_text(v) for v in values):
                continue
            if len(out) >= limit:
                report.add(None, "", _("数据超过 %(n)s 行，请拆分后分批导入。") % {"n": limit})
                return None
            out.append((n, {h: v for h, v in zip(headers, values, strict=False) if h in LEDGER_HEADERS}))
            if progress and len(out) % 200 == 0:
                progress(len(out), 0)
        return out
    finally:
        wb.close()


def estimate_rows(data: bytes) -> int:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        ws = wb[LEDGER_SHEET] if LEDGER_SHEET in wb.sheetnames else wb.worksheets[0]
        rows = max(0, (ws.max_row or 1) - 1)
        wb.close()
        return rows
    except Exception:
        return 0


def _plan(
    congress: Congress, data: bytes, report: HistoryReport, progress: Progress | None
) -> list[Planned] | None:
    rows = _read(data, report, progress)
    if rows is None:
        return None
    report.rows = len(rows)
    if not rows:
        report.add(None, "", _("文件中没有数据行（第1行是表头，从第2行起每行一件建议）。"))
        return None
    look = Lookups(congress)
    today = timezone.localdate()
    numbers = Counter(_text(cells.get("建议编号")) for _n, cells in rows)
    existing = set(
        Suggestion.objects.filter(congress=congress, number__in=[n for n in numbers if n]).values_list(
            "number", flat=True
        )
    )
    planned: list[Planned] = []
    total = len(rows)
    for i, (n, cells) in enumerate(rows, start=1):
        item = _check_row(n, cells, look, report, today)
        number = _text(cells.get("建议编号"))
        if number and numbers[number] > 1:
            report.add(
                n, "建议编号", _("编号“%(n)s”在文件中出现了 %(k)s 次。") % {"n": number, "k": numbers[number]}
            )
            item = None
        elif number in existing:
            report.add(n, "建议编号", _("本人大已有编号为“%(n)s”的建议（可能已导入过）。") % {"n": number})
            item = None
        if item is not None:
            planned.append(item)
        if progress and i % 100 == 0:
            progress(i, total)
    _check_sequence_numbers(congress, planned, report)
    return planned


def _check_sequence_numbers(congress: Congress, planned: list[Planned], report: HistoryReport) -> None:
    """(year, seq) is unique per congress: two numbers with the same year and serial number clash."""
    keys = Counter((p.accepted_on.year, p.seq) for p in planned if p.seq is not None)
    taken = set(
        Suggestion.objects.filter(
            congress=congress, year__in={y for y, _s in keys}, seq__isnull=False
        ).values_list("year", "seq")
    )
    for p in planned:
        if p.seq is None:
            continue
        key = (p.accepted_on.year, p.seq)
        if keys[key] > 1:
            report.add(
                p.row,
                "建议编号",
                _("%(y)s年第%(s)s号在文件中出现了多次（编号不同但序号相同）。") % {"y": key[0], "s": key[1]},
            )
        elif key in taken:
            report.add(
                p.row, "建议编号", _("%(y)s年已有第%(s)s号建议，请核对编号。") % {"y": key[0], "s": key[1]}
            )


def _count(planned: list[Planned], report: HistoryReport) -> None:
    c: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for p in planned:
        years[str(p.accepted_on.year)] += 1
        c["suggestions"] += 1
        c["cosigners"] += len(p.cosigners)
        c["assignments"] += len(p.lead_units) + len(p.co_units)
        if p.replied_on:
            c["replies"] += len(p.lead_units)
        if p.rated:
            c["evaluations"] += len(p.lead_units)
        if p.contact_on:
            c["contacts"] += len(p.lead_units)
        c["closed"] += p.state == SuggestionState.CLOSED
    report.counts = dict(c)
    report.years = dict(sorted(years.items()))


def _rule(kind: str, n: int) -> str:
    """A deadline's rule in words, as the actions write it, marked as imported."""
    return str(DEADLINE_SPECS[kind].rule % {"n": n})[:200] + f"（{IMPORTED_NOTE}）"


def _entered_by(congress: Congress, actor: Any):
    """Whose name the imported rows carry as entered by / drafted by: the importing user, or for a
    system import (actor None) the congress's first admin or clerk."""
    if getattr(actor, "pk", None):
        return actor
    from minyi.accounts.models import Membership, Role

    m = (
        Membership.objects.filter(
            congress=congress, role__in=[Role.CONGRESS_ADMIN, Role.CONGRESS_CLERK], active=True
        )
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    if m is None:
        raise NotPermitted(_("系统导入需要本人大至少有一位人大管理员或代表工委工作人员。"))
    return m.user


def import_history(
    congress: Congress,
    fileobj: BinaryIO,
    *,
    actor: Any,
    dry_run: bool,
    batch: HistoryBatch | None = None,
    progress: Progress | None = None,
) -> HistoryReport:
    """Import the ledger `fileobj` of past suggestions into `congress` (all or nothing).

    A dry run checks everything and reports what would be created, writing nothing. `actor` None
    means the system (seed_demo, management commands). `batch` is the upload's `HistoryBatch`
    (the pages create it); without one a batch is created for the committed import."""
    authorize(actor, PERM, congress, system=True)
    report = HistoryReport(filename=xlsx.basename(fileobj), dry_run=dry_run)
    data = xlsx.read_upload(fileobj, report)
    if data is None:
        return report
    if dry_run:
        planned = _plan(congress, data, report, progress)
        if planned is not None:
            _count(planned, report)
        report.finish()
        return report
    user = _entered_by(congress, actor)
    try:
        with transaction.atomic():
            # One import per congress at a time: the numbers checked must still be free when written.
            Congress.objects.select_for_update().filter(pk=congress.pk).first()
            planned = _plan(congress, data, report, progress)
            if planned is not None:
                _count(planned, report)
            report.finish()
            if not report.ok or planned is None:
                return report
            if batch is None:
                batch = HistoryBatch.objects.create(
                    congress=congress,
                    created_by=user if getattr(actor, "pk", None) else None,
                    committed_by=actor if getattr(actor, "pk", None) else None,
                    filename=report.filename[:255] or "history.xlsx",
                    size=len(data),
                    sha256=report.sha256,
                    rows=report.rows,
                    dry_run=False,
                    status=JobStatus.RUNNING,
                )
            suggestions = import_closed_suggestions(
                planned,
                congress=congress,
                entered_by=user,
                policy=policy_of(congress),
                calendar=load_calendar(),
                rule=_rule,
            )
            batch.suggestions.add(*suggestions)
            correlation = uuid.uuid4()
            audit.record(
                "history.imported",
                actor=actor,
                congress=congress,
                obj=batch,
                new={
                    "batch": str(batch.pk),
                    "sha256": report.sha256,
                    "filename": report.filename,
                    "rows": report.rows,
                    "counts": report.counts,
                    "years": report.years,
                },
                note=IMPORTED_NOTE,
                correlation_id=correlation,
            )
            for p, s in zip(planned, suggestions, strict=True):
                audit.record(
                    "suggestion.imported",
                    actor=actor,
                    congress=congress,
                    obj=s,
                    suggestion=s,
                    new={
                        "batch": str(batch.pk),
                        "sha256": report.sha256,
                        "row": p.row,
                        "number": p.number,
                        "state": p.state,
                    },
                    note=IMPORTED_NOTE,
                    correlation_id=correlation,
                )
    except IntegrityError:
        logger.warning("history import into %s failed on a database constraint", congress.code, exc_info=True)
        report.add(
            None,
            "",
            _("写入时与数据库中的现有数据冲突（可能有人同时录入了建议），未导入任何数据。请重新上传再试。"),
        )
        return report
    report.committed = True
    report.batch = str(batch.pk)
    return report


# --- the template --------------------------------------------------------------------------------


def build_template(congress: Congress) -> bytes:
    """The workbook users fill in: the ledger sheet (required headers in red with a note, date
    formats, drop-down lists), the congress's valid values, and instructions (both ignored on import)."""
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = LEDGER_SHEET
    ws.append(list(LEDGER_HEADERS))
    ws.freeze_panes = "A2"
    lists = {
        "提出时间": ["大会期间", "闭会期间"],
        "状态": list(STATE_LABELS),
    }
    for i, col in enumerate(LEDGER_COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        xlsx.style_header(cell, required=col.required)
        cell.comment = Comment((_("必填。") if col.required else "") + str(col.note), "民意")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = col.width
        if col.date:
            xlsx.format_column(ws, i, "yyyy-mm-dd", 500)
        if col.header in lists:
            xlsx.add_list_validation(ws, letter, lists[col.header], last_row=MAX_ROWS + 1, allow_blank=True)
    for i, col in enumerate(LEDGER_COLUMNS, start=1):
        if col.header == "建议编号":
            xlsx.format_column(ws, i, "@", 500)

    values = wb.create_sheet(VALUES_SHEET)
    look = Lookups(congress)
    columns = {
        "分类": sorted(look.categories),
        "收集渠道": sorted(look.channels),
        "答复类别": sorted({f"{c.code}（{c.name}）" for c in look.classes.values()}),
        "测评结果": list(RATINGS),
        "提出时间": ["大会期间", "闭会期间"],
        "状态": list(STATE_LABELS),
        "承办单位": sorted({u.name for u in look.units.values()}),
    }
    for i, (header, items) in enumerate(columns.items(), start=1):
        values.cell(row=1, column=i, value=header).font = xlsx.HEAD_FONT
        values.column_dimensions[openpyxl.utils.get_column_letter(i)].width = (
            26 if header == "承办单位" else 18
        )
        for r, item in enumerate(items, start=2):
            values.cell(row=r, column=i, value=item)

    xlsx.add_help_sheet(
        wb,
        title=_("历史数据导入模板 · 填写说明"),
        lines=(
            _(
                "1. 在“建议办理情况汇总表”工作表中，每行填写一件已立案的历史建议；第1行是表头，请勿修改。红色表头为必填。"
            ),
            _(
                "2. 代表、承办单位、分类、收集渠道、答复类别须与本人大名册和办理规则一致（见“可选值”工作表）；往届代表请先导入该届代表名册。"
            ),
            _(
                "3. 任何一行有错误时整份文件都不会导入；请按错误清单（行号、列、原因）改正后重新上传。同一文件不能重复导入（编号不能重复）。"
            ),
            _(
                "4. 导入的建议与平台上办理的建议一样计入统计；系统按办理规则和工作日历推算交办、首次联系、答复期限，按所填日期判断是否按期。"
            ),
            _(
                "5. 本平台导出的“建议办理情况汇总表”可直接作为导入文件。“可选值”和“填写说明”工作表导入时会被忽略。"
            ),
        ),
        header=(_("列"), _("说明")),
        rows=[(col.header, (_("必填。") if col.required else "") + str(col.note)) for col in LEDGER_COLUMNS],
        widths={"A": 16, "B": 90},
    )
    return xlsx.workbook_bytes(wb)


# --- batches (the upload kept between the dry run and the confirmed import) ----------------------------


def create_batch(congress: Congress, upload: BinaryIO, *, actor: Any) -> HistoryBatch:
    """Keep `upload` privately (MEDIA_ROOT/history/…) and start its dry run."""
    authorize(actor, PERM, congress, system=True)
    batch = xlsx.new_job(
        HistoryBatch,
        congress,
        upload,
        actor=actor,
        default_name="history.xlsx",
        estimate_rows=estimate_rows,
        inline_rows=getattr(settings, "MINYI_HISTORY_INLINE_ROWS", INLINE_MAX_ROWS),
    )
    return _start(batch)


def confirm_batch(batch: HistoryBatch, *, actor: Any) -> HistoryBatch:
    """ "确认导入": import the file that passed its dry run (once: a second click is refused)."""
    authorize(actor, PERM, batch.congress, system=True)
    return _start(xlsx.confirm_job(batch, actor=actor))


def _start(batch: HistoryBatch) -> HistoryBatch:
    return xlsx.start_job(batch, run=run_batch, task=run_batch_task, log=logger, what="history batch")


def _import_pass(batch: HistoryBatch, upload: BinaryIO, actor: Any, progress: Progress) -> HistoryReport:
    return import_history(
        batch.congress, upload, actor=actor, dry_run=batch.dry_run, batch=batch, progress=progress
    )


def run_batch(batch_id: Any) -> HistoryBatch:
    """Run the batch's pending pass (dry run or import) and keep its report on the batch."""
    return xlsx.run_job(
        HistoryBatch,
        batch_id,
        run_pass=_import_pass,
        done=JobStatus.DONE,
        log=logger,
        what="history batch",
        zero_total_unknown=True,  # the rows are counted while they are read
        report_fields=lambda report: {"rows": report.rows},
    )


@task()
def run_batch_task(batch_id: str) -> str:
    """Background pass for large ledgers (see `INLINE_MAX_ROWS`)."""
    return run_batch(batch_id).status


# --- the demo district's 2023 ---------------------------------------------------------------------

DEMO_YEAR = 2023
DEMO_COUNT = 382


def demo_ledger(
    congress: Congress, rng: random.Random, *, year: int = DEMO_YEAR, count: int = DEMO_COUNT
) -> bytes:
    """The demo district's ledger of `year`, shaped like the reported year (DOMAIN.md §1): 382
    accepted suggestions, every deputy in office led or co-signed at least one, about 91% closed,
    about 98% of evaluations satisfied or basically satisfied, more than 90% from grassroots
    channels. A closed year: every suggestion was answered and closed within the year, so nothing
    of it is left on the supervision board or in anyone's to-do list; 91% is the completion rate of
    the district's strict definition (closed with the deputy satisfied or basically satisfied —
    seed_demo's `DEMO_POLICY`): 2% were closed unsatisfied after explanation and about 7% of the
    deputies never rated the answer (no feedback). Titles, categories and handling units come from
    the district's topic table (`core.demo_district.TOPICS`: a 卫生院 matter goes to 卫健委); a
    congress without those units gets random ones. Built from the congress's own roster and policy."""
    deputies = list(
        Deputy.objects.filter(congress=congress, in_office_from__lte=datetime.date(year, 12, 31))
        .exclude(in_office_to__lt=datetime.date(year, 1, 1))
        .order_by("number")
    )
    if not deputies:
        raise ValueError("the congress has no deputies in office in the demo year")
    units = list(
        Unit.objects.filter(congress=congress).exclude(kind=Unit.Kind.BODY).order_by("order", "name")
    )
    by_short = {u.short_name or u.name: u for u in units}
    categories = list(
        Category.objects.filter(congress=congress).order_by("order", "id").values_list("name", flat=True)
    )
    channels = list(Channel.objects.filter(congress=congress).order_by("order", "id"))
    grassroots = [c.name for c in channels if c.grassroots] or [c.name for c in channels]
    other = [c.name for c in channels if not c.grassroots] or grassroots
    classes = list(
        ResultClass.objects.filter(congress=congress).order_by("order", "id").values_list("code", flat=True)
    )
    policy = policy_of(congress)
    calendar = load_calendar()
    short = congress.short_name

    # 348 of 382 closed satisfied or basically satisfied: 8 unsatisfied (2%), 26 without feedback
    unsatisfied = set(rng.sample(range(count), max(1, round(count * 0.02))))
    no_feedback = set(
        rng.sample(sorted(set(range(count)) - unsatisfied), count - round(count * 0.911) - len(unsatisfied))
    )
    online = set(rng.sample(range(count), round(count * 0.075)))  # 92.5% grassroots
    # Every deputy leads at least one (120 ≤ 382); the rest are led at random.
    leads = [deputies[i % len(deputies)] for i in range(count)]
    rng.shuffle(leads)
    topics = [demo_district.TOPICS[i % len(demo_district.TOPICS)] for i in range(count)]
    rng.shuffle(topics)
    # the n-th suggestion on a matter takes the matter's n-th title (deputies word it differently)
    seen: Counter[str] = Counter()
    titles = []
    for topic in topics:
        options = demo_district.titles_of(topic)
        titles.append(options[seen[topic.title] % len(options)])
        seen[topic.title] += 1

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = LEDGER_SHEET
    ws.append(list(LEDGER_HEADERS))
    # accepted from the session in January to mid-October, so that every answer is in by December
    days = sorted(
        datetime.date(year, 1, 3) + datetime.timedelta(days=rng.randrange(0, 285)) for _ in range(count)
    )
    for i in range(count):
        accepted = days[i]
        lead = leads[i]
        topic = topics[i]
        others = [d for d in rng.sample(deputies, min(len(deputies), 3)) if d.pk != lead.pk][
            : rng.choice((0, 0, 1, 2))
        ]
        unit = by_short.get(topic.lead) or (units[rng.randrange(len(units))] if units else None)
        co = [by_short[c] for c in topic.co if c in by_short and by_short[c] != unit][:1]
        if topic.lead not in by_short and units:  # a stand-in congress: random co-units
            co = [u for u in rng.sample(units, min(len(units), 2)) if u != unit][: rng.choice((0, 0, 0, 1))]
        category = topic.category if topic.category in categories else None
        if category is None and categories:
            category = categories[rng.randrange(len(categories))]
        assigned = calendar.add_working_days(accepted, rng.choice((1, 2, 3, 4, 5, 5, 6)))
        # reply within the month (mostly), contact before the reply
        replied = assigned + datetime.timedelta(days=rng.randint(12, 33))
        contact = assigned + datetime.timedelta(days=rng.randint(2, 9))
        status = "已办结"
        klass = rng.choices(classes or ["A"], weights=[65, 28, 5, 2][: len(classes or ["A"])])[0]
        closed = replied + datetime.timedelta(days=rng.randint(8, 20))
        rating = (
            "不满意"
            if i in unsatisfied
            else NO_FEEDBACK_LABEL
            if i in no_feedback
            else rng.choices(["满意", "基本满意"], weights=[85, 15])[0]
        )
        ws.append(
            [
                policy.format_number(year=year, seq=i + 1)
                if policy.numbering_format
                else f"{short}〔{year}〕第{i + 1}号",
                titles[i],
                f"{lead.name}（{lead.number}）",
                LIST_SEP.join(f"{d.name}（{d.number}）" for d in others),
                category,
                (
                    other[rng.randrange(len(other))]
                    if i in online
                    else grassroots[rng.randrange(len(grassroots))]
                )
                if channels
                else None,
                "大会期间" if accepted <= datetime.date(year, 1, 31) else "闭会期间",
                unit.name if unit else None,
                LIST_SEP.join(u.name for u in co),
                accepted,
                assigned if unit else None,
                contact if unit and rng.random() < 0.93 else None,
                replied if unit else None,
                klass if unit else None,
                rating if unit else None,
                status if unit else "已立案",
                closed if unit else None,
            ]
        )
    return xlsx.workbook_bytes(wb)


def seed_demo_history(congress: Congress, *, rng: random.Random, year: int = DEMO_YEAR) -> HistoryReport:
    """seed_demo's hook: build the demo district's 2023 ledger and import it through the history
    import (as the system, so its rows carry the congress clerk's name). Raises if it does not
    import cleanly."""
    data = demo_ledger(congress, rng, year=year)
    upload = io.BytesIO(data)
    upload.name = f"{congress.short_name}{year}年建议办理情况汇总表.xlsx"
    report = import_history(congress, upload, actor=None, dry_run=False)
    if not report.ok:
        problems = "; ".join(f"row {e.row} {e.column}: {e.reason}" for e in report.errors[:10])
        raise ValueError(f"the demo {year} ledger did not import: {problems}")
    return report
