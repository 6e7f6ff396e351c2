"""The quarterly bulletin (季度通报) for the district's quarterly scheduling meeting: the quarter's
headline figures, each body's and each unit's on-time reply and satisfaction record with its trend
against the previous quarter, the overdue items by unit, and the key themes' progress — as a page,
an .xlsx (`bulletin_workbook`) and a PDF (`pdf.bulletin_pdf`), all from `build_bulletin`.

Definitions. A quarter's figures are cumulative for the year: the suggestions accepted from 1
January to the quarter's last day, with open deadlines judged on that day (or today, for the quarter
under way). The trend compares them with the same figures at the end of the previous quarter (for
the first quarter: the whole previous year). Every number comes from the figures engine (congress
and bodies: `compute_figures`; units: `unit_league`), so the bulletin agrees with the figures pages
for the same scope and day. Like every figure, a past quarter's bulletin recomputed later reflects
the records as they are now (a reply signed after the quarter counts); keep the exported file of
each meeting as its record.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from minyi.congress.models import Congress, Unit
from minyi.core import xlsx
from minyi.suggestions.models import Deadline
from minyi.suggestions.states import AssignmentState
from minyi.supervision.models import KeyTheme
from minyi.supervision.selectors import theme_progress
from minyi.supervision.warnings import COLOUR_LABELS, WarningClock
from minyi.textsearch.topics import Topic, compute_hot_topics

from .figures import (
    DEFINITIONS_VERSION,
    UNIT_DUTY_DEADLINES,
    Figure,
    Figures,
    Scope,
    compute_figures,
    figure_members,
    policy_of,
)
from .league import RATE_BY_KEY, Rate, unit_league
from .sheets import DATE, PERCENT, WRAP, definitions_sheet, header, save

HEADLINE = (
    "suggestions",
    "participation_rate",
    "on_time_assignment_rate",
    "on_time_reply_rate",
    "contact_rate",
    "completion_rate",
    "satisfaction_rate",
    "resolution_rate",
    "commitment_fulfilment_rate",
    "overdue",
)
#: Hot topics in one bulletin: the quarter's (accepted in it), against the same quarter last year.
HOT_TOPICS = 10
#: Overdue items listed in one bulletin (the rest are counted).
MAX_OVERDUE_ITEMS = 500


TOPICS_DEFINITION = gettext_lazy(
    "本季度立案的建议的案由和内容中出现最多的词语（已去除“建议”“加强”等常用词），"
    "件数为案由、内容、建议或领衔代表中含该词的建议数，与上年同一季度相比。"
)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    if not 1 <= quarter <= 4:
        raise ValueError("quarter must be 1–4")
    first = datetime.date(year, 3 * quarter - 2, 1)
    last = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - datetime.timedelta(days=1)
    return first, last


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def current_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def quarter_scope(year: int, quarter: int, *, today: datetime.date | None = None) -> Scope:
    """1 January to the quarter's end, judged on the quarter's last day (or today if earlier)."""
    today = today or timezone.localdate()
    _first, last = quarter_bounds(year, quarter)
    label = _("%(y)s年第%(q)s季度（1月1日至季度末累计）") % {"y": year, "q": quarter}
    return Scope.between(datetime.date(year, 1, 1), last, as_of=min(last, today), label=label)


@dataclass
class Trend:
    """A figure now and at the end of the previous quarter."""

    current: Figure
    previous: Figure

    @property
    def change(self) -> float | None:
        """Difference of the values (for rates: in fractions; ×100 = percentage points)."""
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value


def _rate_change(now: Any, before: Any) -> float | None:
    a = getattr(now, "value", None)
    b = getattr(before, "value", None)
    return None if a is None or b is None else a - b


@dataclass
class BodyLine:
    body_id: int
    name: str
    suggestions: int
    reply: Trend
    satisfaction: Trend
    overdue: int


@dataclass
class UnitLine:
    unit_id: int
    name: str
    body: str
    assigned: int
    reply: Rate
    reply_before: Rate | None
    satisfaction: Rate
    satisfaction_before: Rate | None
    overdue: int

    @property
    def reply_change(self) -> float | None:
        return _rate_change(self.reply, self.reply_before)

    @property
    def satisfaction_change(self) -> float | None:
        return _rate_change(self.satisfaction, self.satisfaction_before)


@dataclass
class OverdueItem:
    unit_id: int
    unit: str
    suggestion_id: int
    number: str
    title: str
    duty: str
    due_on: datetime.date
    days_late: int


@dataclass
class ThemeLine:
    theme_id: int
    name: str
    leader: str
    lead_unit: str
    total: int
    replied: int
    closed: int
    colour: str
    colour_label: str
    label: str


@dataclass
class Bulletin:
    congress: Congress
    year: int
    quarter: int
    scope: Scope
    previous_scope: Scope
    figures: Figures
    previous: Figures
    headline: list[Trend]
    bodies: list[BodyLine]
    units: list[UnitLine]
    overdue: list[OverdueItem]
    overdue_total: int
    themes: list[ThemeLine]
    #: the quarter's hot topics against the same quarter last year (issue #15)
    topics: list[Topic] = field(default_factory=list)
    generated_at: datetime.datetime = field(default_factory=timezone.localtime)

    @property
    def title(self) -> str:
        return _("%(c)s%(y)s年第%(q)s季度代表建议办理情况通报") % {
            "c": self.congress.short_name,
            "y": self.year,
            "q": self.quarter,
        }

    @property
    def previous_label(self) -> str:
        y, q = previous_quarter(self.year, self.quarter)
        if q == 4:
            return _("%(y)s年全年") % {"y": y}
        return _("%(y)s年第%(q)s季度末") % {"y": y, "q": q}

    def overdue_by_unit(self) -> list[tuple[str, list[OverdueItem]]]:
        groups: dict[int, tuple[str, list[OverdueItem]]] = {}
        for item in self.overdue:
            groups.setdefault(item.unit_id, (item.unit, []))[1].append(item)
        return list(groups.values())


def _body_lines(congress: Congress, scope: Scope, previous: Scope, policy) -> list[BodyLine]:
    lines = []
    for body in Unit.objects.filter(congress=congress, kind=Unit.Kind.BODY).order_by("order", "name"):
        now = compute_figures(congress, scope.with_(body=body.pk), policy=policy)
        before = compute_figures(congress, previous.with_(body=body.pk), policy=policy)
        lines.append(
            BodyLine(
                body_id=body.pk,
                name=body.name,
                suggestions=now["suggestions"].numerator,
                reply=Trend(now["on_time_reply_rate"], before["on_time_reply_rate"]),
                satisfaction=Trend(now["satisfaction_rate"], before["satisfaction_rate"]),
                overdue=now["overdue"].numerator,
            )
        )
    return lines


def _unit_lines(congress: Congress, scope: Scope, previous: Scope, policy) -> list[UnitLine]:
    now = unit_league(congress, scope, 1, rank_by="reply_on_time", policy=policy)
    before = {row.unit_id: row for row in unit_league(congress, previous, 1, policy=policy).rows}
    lines = []
    for row in now.rows:
        old = before.get(row.unit_id)
        lines.append(
            UnitLine(
                unit_id=row.unit_id,
                name=row.name,
                body=row.body,
                assigned=row.assigned,
                reply=row.rates["reply_on_time"],
                reply_before=old.rates["reply_on_time"] if old else None,
                satisfaction=row.rates["satisfaction"],
                satisfaction_before=old.rates["satisfaction"] if old else None,
                overdue=row.overdue,
            )
        )
    lines.sort(
        key=lambda line: (-line.overdue, line.reply.value if line.reply.value is not None else 2, line.name)
    )
    return lines


def _overdue(congress: Congress, scope: Scope, policy) -> tuple[list[OverdueItem], int]:
    qs = (
        Deadline.objects.filter(
            ~Q(assignment__state=AssignmentState.CANCELLED),
            kind__in=UNIT_DUTY_DEADLINES,
            closed_at__isnull=True,
            due_on__lt=scope.today,
            assignment__isnull=False,
            suggestion__in=figure_members(congress, scope, "suggestions", policy=policy).values("pk"),
        )
        .select_related("assignment__unit", "suggestion")
        .order_by("assignment__unit__order", "assignment__unit__name", "due_on", "id")
    )
    total = qs.count()
    items = [
        OverdueItem(
            unit_id=d.assignment.unit_id,
            unit=d.assignment.unit.name,
            suggestion_id=d.suggestion_id,
            number=d.suggestion.number,
            title=d.suggestion.title,
            duty=str(d.get_kind_display()),
            due_on=d.due_on,
            days_late=(scope.today - d.due_on).days,
        )
        for d in qs[:MAX_OVERDUE_ITEMS]
        if d.assignment is not None  # always (the query asks for assignment deadlines only)
    ]
    return items, total


def _themes(congress: Congress, year: int, scope: Scope, policy) -> list[ThemeLine]:
    themes = list(
        KeyTheme.objects.filter(congress=congress, year=year)
        .select_related("lead_unit", "supervising_leader")
        .order_by("-active", "name")
    )
    progress = theme_progress(themes, WarningClock(policy, today=scope.today).bounds)
    return [
        ThemeLine(
            theme_id=t.pk,
            name=t.name,
            leader=t.leader_display,
            lead_unit=t.lead_unit.name if t.lead_unit else "",
            total=progress[t.pk].total,
            replied=progress[t.pk].replied,
            closed=progress[t.pk].closed,
            colour=progress[t.pk].colour,
            colour_label=str(COLOUR_LABELS.get(progress[t.pk].colour, "")),
            label=progress[t.pk].label,
        )
        for t in themes
    ]


def build_bulletin(
    congress: Congress, year: int, quarter: int, *, today: datetime.date | None = None
) -> Bulletin:
    policy = policy_of(congress)
    scope = quarter_scope(year, quarter, today=today)
    py, pq = previous_quarter(year, quarter)
    previous = quarter_scope(py, pq, today=today)
    figures = compute_figures(congress, scope, policy=policy)
    before = compute_figures(congress, previous, policy=policy)
    overdue, overdue_total = _overdue(congress, scope, policy)
    return Bulletin(
        congress=congress,
        year=year,
        quarter=quarter,
        scope=scope,
        previous_scope=previous,
        figures=figures,
        previous=before,
        headline=[Trend(figures[key], before[key]) for key in HEADLINE],
        bodies=_body_lines(congress, scope, previous, policy),
        units=_unit_lines(congress, scope, previous, policy),
        overdue=overdue,
        overdue_total=overdue_total,
        themes=_themes(congress, year, scope, policy),
        topics=compute_hot_topics(congress, year, limit=HOT_TOPICS, quarter=quarter),
    )


#: How long a computed bulletin may be kept at most (it is recomputed sooner when anything changes).
BULLETIN_KEPT_SECONDS = 24 * 3600


def cached_bulletin(congress: Congress, year: int, quarter: int) -> Bulletin:
    """`build_bulletin` for today, kept in the cache (`CACHE_URL`) until the congress's data changes.

    The key holds the congress's data version (its latest audit row: every change of records is an
    audited action, so any change gives a new key — `dashboard.data_version`), the day (open
    deadlines are judged per day), the policy's revision and the language; the bulletin is therefore
    never behind the records, and a leader's refreshes during the meeting cost three small queries
    instead of a dozen figure counts."""
    from .dashboard import data_version

    policy = policy_of(congress)
    ident = [
        DEFINITIONS_VERSION,  # a deployment that changes a definition gives new keys
        congress.pk,
        year,
        quarter,
        data_version(congress),
        timezone.localdate().isoformat(),
        get_language(),
        policy.updated_at.isoformat() if getattr(policy, "updated_at", None) else None,
    ]
    key = "minyi:bulletin:" + hashlib.sha256(json.dumps(ident).encode()).hexdigest()
    bulletin = cache.get(key)
    if bulletin is None:
        bulletin = build_bulletin(congress, year, quarter)
        cache.set(key, bulletin, BULLETIN_KEPT_SECONDS)
    return bulletin


# --- the workbook --------------------------------------------------------------------------------------


def _num(figure: Figure) -> Any:
    return figure.value


def bulletin_workbook(b: Bulletin) -> bytes:  # noqa: C901, PLR0912
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = _("总体情况")
    header(
        ws,
        [_("指标"), _("本期"), _("分子"), _("分母"), b.previous_label, _("变化")],
        [26, 10, 10, 10, 14, 10],
    )
    for t in b.headline:
        ws.append(
            [
                t.current.label,
                _num(t.current),
                t.current.numerator,
                t.current.denominator,
                _num(t.previous),
                t.change,
            ]
        )
        fmt = PERCENT if t.current.is_rate else "0"
        for col in (2, 5, 6):
            ws.cell(row=ws.max_row, column=col).number_format = fmt

    ws = wb.create_sheet(_("各机关"))
    header(
        ws,
        [
            _("机关"),
            _("承办建议数"),
            _("按期答复率"),
            _("按期答复率（上期）"),
            _("按期答复率变化"),
            _("满意率"),
            _("满意率（上期）"),
            _("满意率变化"),
            _("逾期未办件数"),
        ],
        [22, 10, 12, 14, 12, 10, 14, 12, 12],
    )
    for line in b.bodies:
        ws.append(
            [
                line.name,
                line.suggestions,
                line.reply.current.value,
                line.reply.previous.value,
                line.reply.change,
                line.satisfaction.current.value,
                line.satisfaction.previous.value,
                line.satisfaction.change,
                line.overdue,
            ]
        )
        for col in range(3, 9):
            ws.cell(row=ws.max_row, column=col).number_format = PERCENT

    ws = wb.create_sheet(_("各承办单位"))
    header(
        ws,
        [
            _("承办单位"),
            _("所属机关"),
            _("交办件数"),
            _("按期答复率"),
            _("按期答复·分子"),
            _("按期答复·分母"),
            _("按期答复率（上期）"),
            _("按期答复率变化"),
            _("满意率"),
            _("满意·分子"),
            _("满意·分母"),
            _("满意率（上期）"),
            _("满意率变化"),
            _("逾期未办件数"),
        ],
        [26, 14, 10, 12, 10, 10, 14, 12, 10, 10, 10, 14, 12, 12],
    )
    for u in b.units:
        ws.append(
            [
                u.name,
                u.body,
                u.assigned,
                u.reply.value,
                u.reply.numerator,
                u.reply.denominator,
                u.reply_before.value if u.reply_before else None,
                u.reply_change,
                u.satisfaction.value,
                u.satisfaction.numerator,
                u.satisfaction.denominator,
                u.satisfaction_before.value if u.satisfaction_before else None,
                u.satisfaction_change,
                u.overdue,
            ]
        )
        for col in (4, 7, 8, 9, 12, 13):
            ws.cell(row=ws.max_row, column=col).number_format = PERCENT

    ws = wb.create_sheet(_("逾期事项"))
    header(
        ws,
        [_("承办单位"), _("建议编号"), _("案由"), _("逾期事项"), _("期限"), _("已逾期（天）")],
        [26, 20, 44, 18, 12, 12],
    )
    for item in b.overdue:
        ws.append([item.unit, item.number, item.title, item.duty, item.due_on, item.days_late])
        ws.cell(row=ws.max_row, column=5).number_format = DATE
    if b.overdue_total > len(b.overdue):
        ws.append([_("另有 %(n)s 项未列出。") % {"n": b.overdue_total - len(b.overdue)}])

    ws = wb.create_sheet(_("重点督办"))
    header(
        ws,
        [
            _("督办主题"),
            _("领衔督办领导"),
            _("牵头办理单位"),
            _("建议数"),
            _("已答复"),
            _("已办结"),
            _("进度"),
        ],
        [20, 22, 24, 8, 8, 8, 12],
    )
    for theme in b.themes:
        ws.append(
            [theme.name, theme.leader, theme.lead_unit, theme.total, theme.replied, theme.closed, theme.label]
        )

    ws = wb.create_sheet(_("热点话题"))
    header(ws, [_("话题"), _("本季度建议数"), _("上年同季度建议数"), _("变化")], [20, 14, 16, 10])
    for topic in b.topics:
        ws.append([topic.term, topic.count, topic.last, topic.change])

    extra = [
        (
            _("统计口径"),
            _("各项指标按本年度1月1日至季度末立案的建议累计计算，期限按季度末（本季度未结束的按今天）判断。"),
        ),
        (
            _("上期"),
            _("与上一季度末的同口径数据相比；第一季度与上年度全年相比。变化为本期减上期（百分点）。"),
        ),
        (
            _("各机关"),
            _("某机关的单位承办的建议（含转交该机关尚未分办的），办理类指标只看该机关单位的交办件。"),
        ),
        (
            _("各承办单位"),
            str(RATE_BY_KEY["reply_on_time"].definition) + " " + str(RATE_BY_KEY["satisfaction"].definition),
        ),
        (_("逾期事项"), _("承办单位已过期限仍未完成的首次联系、协办意见或答复期限，按单位列出。")),
        (
            _("重点督办"),
            _("本年度重点督办主题的督办建议数、已答复和已办结件数；有逾期的为红色，有临期的为黄色。"),
        ),
        (_("热点话题"), str(TOPICS_DEFINITION)),
    ]
    definitions_sheet(wb, b.figures, extra)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str) and len(c.value) > 30:
                    c.alignment = WRAP
    wb.worksheets[0].insert_rows(1)
    wb.worksheets[0]["A1"] = b.title
    wb.worksheets[0]["A1"].font = Font(bold=True, size=13)
    wb.worksheets[0].freeze_panes = "A3"
    return save(wb)
