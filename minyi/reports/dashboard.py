"""Dashboards (统计看板): the congress overview, the deputy-group view and a unit's page, built on the
figures engine (`figures.py`) — the same engine gives the published figures for the public portal.

Every number and every chart segment carries the URL of the list behind it, and the list has
exactly as many rows as the number: a segment is either a figure of the engine with one more filter
(category, channel, body, a month as the period → the figure page `reports:figure`), or one of the
few breakdowns the engine has no figure for (replies per month, a unit's overdue items, a deputy
group's suggestions and deputies, suggestions without a category or channel → the list page
`reports:dashboard_list`). For those, `segment_rows()` is the single definition: the chart counts
the same rows grouped, the list filters them — `tests/reports/test_dashboard.py` checks that every
segment's number equals the length of its list.

A dashboard runs a fixed number of queries whatever the amount of data (the engine's four, plus one
per breakdown). How long they take at scale is measured by `bench/bench_figures.py`
(docs/PERFORMANCE.md, "Figures").
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from minyi.congress.models import Congress, Deputy, DeputyGroup, Policy, Unit
from minyi.core import versioned
from minyi.suggestions.models import Assignment, CoSigner, Deadline, Reply, Suggestion
from minyi.suggestions.states import AssignmentState, CoSignerState
from minyi.textsearch.topics import compute_hot_topics

from .figures import (
    DEFINITIONS_VERSION,
    UNIT_DUTY_DEADLINES,
    Figure,
    Figures,
    Scope,
    _instant,
    compute_figures,
    figure_deputies,
    figure_members,
    policy_of,
)

logger = logging.getLogger(__name__)

#: The headline cards of the overview, in order.
HEADLINE = (
    "suggestions",
    "participation_rate",
    "grassroots_share",
    "on_time_assignment_rate",
    "on_time_reply_rate",
    "contact_rate",
    "completion_rate",
    "satisfaction_rate",
    "resolution_rate",
    "overdue",
)
#: Figures shown on a unit's dashboard (the congress-wide deputy figures mean nothing there).
UNIT_HEADLINE = tuple(key for key in HEADLINE if key not in ("participation_rate",))
#: The figures the public portal may show (counts and rates only, no drill-down, no names).
PUBLISHED = (
    "suggestions",
    "deputies_in_office",
    "participation_rate",
    "grassroots_share",
    "on_time_assignment_rate",
    "on_time_reply_rate",
    "contact_rate",
    "completion_rate",
    "satisfaction_rate",
    "resolution_rate",
    "resolution_or_plan_rate",
    "commitment_fulfilment_rate",
)
PERIOD_KEYS = ("year", "start", "end", "term", "session")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
NONE = "none"
#: Rows of the "units with overdue items" list on the overview.
OVERDUE_UNITS_SHOWN = 10


# --- segments the engine has no figure for -----------------------------------------------------------

SUGGESTIONS, DEPUTIES = "suggestions", "deputies"


@dataclass(frozen=True)
class SegmentSpec:
    key: str
    label: Any
    definition: Any
    counts: str = SUGGESTIONS


SEGMENTS: dict[str, SegmentSpec] = {
    spec.key: spec
    for spec in (
        SegmentSpec(
            "replied_month",
            gettext_lazy("当月答复的建议"),
            gettext_lazy(
                "本范围内立案的建议中，在该月签发了至少一份答复函的件数（按签发日期计；一件建议分月答复的，每月各计一次）。"
            ),
        ),
        SegmentSpec(
            "unit_overdue",
            gettext_lazy("该单位逾期未办的建议"),
            gettext_lazy(
                "本范围内立案的建议中，该单位目前有已过期限仍未完成的首次联系、协办意见或答复期限的件数（按统计日判断）。"
            ),
        ),
        SegmentSpec(
            "no_category",
            gettext_lazy("未分类的建议"),
            gettext_lazy("本范围内立案、没有选择分类的建议。"),
        ),
        SegmentSpec(
            "no_channel",
            gettext_lazy("未填写收集渠道的建议"),
            gettext_lazy("本范围内立案、没有填写收集渠道的建议。"),
        ),
        SegmentSpec(
            "group_led",
            gettext_lazy("代表小组成员领衔的建议"),
            gettext_lazy("本范围内立案的建议中，领衔代表属于该代表小组的件数。"),
        ),
        SegmentSpec(
            "group_cosigned",
            gettext_lazy("代表小组成员联名的建议"),
            gettext_lazy("本范围内立案的建议中，至少一位确认联名的代表属于该代表小组的件数。"),
        ),
        SegmentSpec(
            "group_in_office",
            gettext_lazy("代表小组的在任代表"),
            gettext_lazy("该代表小组中，任职期间与本范围有交集的代表。"),
            counts=DEPUTIES,
        ),
        SegmentSpec(
            "group_participating",
            gettext_lazy("代表小组的参与代表"),
            gettext_lazy(
                "该代表小组的在任代表中，领衔或确认联名至少一件立案建议的代表（口径同代表参与率）。"
            ),
            counts=DEPUTIES,
        ),
    )
}


class BadSegment(ValueError):
    """A segment that does not exist, or a parameter that is not one of the congress's rows."""


def month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    """ "2025-03" → (2025-03-01, 2025-03-31)."""
    match = MONTH_RE.match(month or "")
    if not match:
        raise BadSegment("month must be YYYY-MM")
    year, number = int(match[1]), int(match[2])
    if not 1 <= number <= 12 or year < 1900:
        raise BadSegment("no such month")
    first = datetime.date(year, number, 1)
    following = datetime.date(year + (number == 12), number % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def month_key(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _relevant(scope: Scope, prefix: str) -> Q:
    """An assignment that was not cancelled, of the scope's unit / body if one is given — the same
    rule as the engine's (`figures._SuggestionRows.relevant`)."""
    q = ~Q(**{f"{prefix}state": AssignmentState.CANCELLED})
    if scope.unit is not None:
        q &= Q(**{f"{prefix}unit_id": scope.unit})
    if scope.body is not None:
        q &= Q(**{f"{prefix}unit__body_id": scope.body})
    return q


def accepted(congress: Congress, scope: Scope, policy: Policy) -> QuerySet[Suggestion]:
    """The scope's accepted suggestions: the rows behind the figure "suggestions"."""
    return figure_members(congress, scope, "suggestions", policy=policy)


def _signed_replies(scope: Scope, base: QuerySet[Suggestion]) -> QuerySet[Reply]:
    return Reply.objects.filter(
        _relevant(scope, "assignment__"),
        signed_off_at__isnull=False,
        assignment__suggestion__in=base.values("pk"),
    )


def _overdue_duties(scope: Scope, base: QuerySet[Suggestion]) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        _relevant(scope, "assignment__"),
        kind__in=UNIT_DUTY_DEADLINES,
        closed_at__isnull=True,
        due_on__lt=scope.today,
        assignment__isnull=False,
        suggestion__in=base.values("pk"),
    )


def _group_q(prefix: str, group: int | None) -> Q:
    return Q(**{f"{prefix}group__isnull": True}) if group is None else Q(**{f"{prefix}group_id": group})


def _group_param(congress: Congress, value: Any) -> int | None:
    if value == NONE:
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise BadSegment("group must be an id or 'none'") from None
    if not DeputyGroup.objects.filter(congress=congress, pk=pk).exists():
        raise BadSegment("no such group")
    return pk


def _unit_param(congress: Congress, value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise BadSegment("of must be a unit id") from None
    if not Unit.objects.filter(congress=congress, pk=pk).exists():
        raise BadSegment("no such unit")
    return pk


def segment_rows(  # noqa: PLR0911
    congress: Congress, scope: Scope, key: str, params: dict[str, Any], *, policy: Policy | None = None
) -> QuerySet:
    """The rows behind one segment of a dashboard chart that is not an engine figure (see
    `SEGMENTS`): suggestions, or deputies for the group segments. Raises `BadSegment` for an unknown
    segment or a parameter that is not the congress's."""
    spec = SEGMENTS.get(key)
    if spec is None:
        raise BadSegment(f"no segment {key!r}")
    policy = policy or policy_of(congress)
    base = accepted(congress, scope, policy)
    if key == "replied_month":
        first, last = month_bounds(params.get("month", ""))
        replies = _signed_replies(scope, base).filter(
            assignment__suggestion=OuterRef("pk"),
            signed_off_at__gte=_instant(first),
            signed_off_at__lt=_instant(last + datetime.timedelta(days=1)),
        )
        return base.filter(Exists(replies))
    if key == "unit_overdue":
        unit = _unit_param(congress, params.get("of"))
        duties = _overdue_duties(scope, base).filter(assignment__unit_id=unit, suggestion=OuterRef("pk"))
        return base.filter(Exists(duties))
    if key == "no_category":
        return base.filter(category__isnull=True)
    if key == "no_channel":
        return base.filter(channel__isnull=True)
    group = _group_param(congress, params.get("group"))
    if key == "group_led":
        return base.filter(_group_q("lead__", group))
    if key == "group_cosigned":
        cosigned = CoSigner.objects.filter(
            _group_q("deputy__", group), suggestion=OuterRef("pk"), state=CoSignerState.CONFIRMED
        )
        return base.filter(Exists(cosigned))
    figure = "deputies_in_office" if key == "group_in_office" else "participating_deputies"
    return figure_deputies(congress, scope, figure, policy=policy).filter(_group_q("", group))


# --- links -----------------------------------------------------------------------------------------


class Links:
    """Drill-down URLs for a dashboard: the scope's query string (as the scope form reads it) with
    one more filter, a month as the period, or a segment of `reports:dashboard_list`."""

    def __init__(self, congress: Congress, scope: Scope, querystring: str) -> None:
        self.code, self.scope = congress.code, scope
        self.base = QueryDict(querystring, mutable=True)
        for name, value in scope.filters.items():  # e.g. the unit of a unit's dashboard
            self.base.setdefault(name, str(value))

    def _params(self, month: str | None = None, **extra: Any) -> QueryDict:
        params = self.base.copy()
        if month is not None:
            first, last = month_bounds(month)
            if self.scope.start and first < self.scope.start:
                first = self.scope.start
            if self.scope.end and last > self.scope.end:
                last = self.scope.end
            for key in PERIOD_KEYS:
                params.pop(key, None)
            params["start"], params["end"] = first.isoformat(), last.isoformat()
        for key, value in extra.items():
            params[key] = str(value)
        return params

    def figure(self, key: str, part: str = "numerator", *, month: str | None = None, **filters: Any) -> str:
        params = self._params(month, **filters)
        params["part"] = part
        return f"{reverse('reports:figure', args=[self.code, key])}?{params.urlencode()}"

    def segment(self, key: str, **params: Any) -> str:
        query = self.base.copy()
        query["segment"] = key
        for name, value in params.items():
            query[name] = str(value)
        return f"{reverse('reports:dashboard_list', args=[self.code])}?{query.urlencode()}"


# --- what a dashboard shows ------------------------------------------------------------------------


@dataclass
class Point:
    label: str
    value: int
    url: str


@dataclass
class Chart:
    """One chart: `categories` along the axis, and one or more named series of points (each point
    with its drill-down URL). Phones get `rows()` as a list instead of the chart."""

    id: str
    title: str
    kind: str  # bar | hbar | pie | line
    categories: list[str]
    series: list[tuple[str, list[Point]]] = field(default_factory=list)
    note: str = ""

    @property
    def total(self) -> int:
        return sum(p.value for _name, points in self.series for p in points)

    @property
    def empty(self) -> bool:
        return not self.total

    def rows(self) -> list[tuple[str, list[Point]]]:
        """(category, the point of each series) — for the table shown on phones."""
        return [(cat, [points[i] for _name, points in self.series]) for i, cat in enumerate(self.categories)]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "categories": self.categories,
            "series": [
                {"name": name, "data": [{"value": p.value, "url": p.url, "name": p.label} for p in points]}
                for name, points in self.series
            ],
        }


@dataclass
class Card:
    key: str
    label: str
    value: float | int | None
    numerator: int
    denominator: int | None
    definition: str
    url: str
    denominator_url: str | None

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


@dataclass
class OverdueUnit:
    unit_id: int
    name: str
    count: int
    url: str


@dataclass
class Overview:
    scope: Scope
    figures: Figures
    cards: list[Card]
    charts: list[Chart]
    overdue_units: list[OverdueUnit]

    def charts_json(self) -> list[dict[str, Any]]:
        return [chart.as_json() for chart in self.charts]

    # the snapshot (`cached_overview`) -----------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        return {
            "figures": {
                "completion_definition": self.figures.completion_definition,
                "no_feedback_excluded": self.figures.no_feedback_excluded,
                "items": [asdict(f) for f in self.figures],
            },
            "cards": [asdict(c) for c in self.cards],
            "charts": [
                {**asdict(c), "series": [[name, [asdict(p) for p in points]] for name, points in c.series]}
                for c in self.charts
            ],
            "overdue_units": [asdict(u) for u in self.overdue_units],
        }

    @classmethod
    def load(cls, congress: Congress, scope: Scope, data: dict[str, Any]) -> Overview:
        f = data["figures"]
        figures = Figures(
            congress=congress,
            scope=scope,
            completion_definition=f["completion_definition"],
            no_feedback_excluded=f["no_feedback_excluded"],
            items={item["key"]: Figure(**item) for item in f["items"]},
        )
        charts = []
        for c in data["charts"]:
            series = [(name, [Point(**p) for p in points]) for name, points in c.pop("series")]
            charts.append(Chart(**c, series=series))
        return cls(
            scope=scope,
            figures=figures,
            cards=[Card(**c) for c in data["cards"]],
            charts=charts,
            overdue_units=[OverdueUnit(**u) for u in data["overdue_units"]],
        )

    def chart(self, chart_id: str) -> Chart:
        return next(c for c in self.charts if c.id == chart_id)


def _cards(figures: Figures, links: Links, keys: Iterable[str]) -> list[Card]:
    cards = []
    for key in keys:
        f = figures[key]
        cards.append(
            Card(
                key=key,
                label=f.label,
                value=f.value,
                numerator=f.numerator,
                denominator=f.denominator,
                definition=f.definition,
                url=links.figure(key),
                denominator_url=links.figure(key, "denominator") if f.is_rate else None,
            )
        )
    return cards


def _months_axis(scope: Scope, present: Iterable[str]) -> list[str]:
    """The scope's months up to today (or its end), plus any month that has data."""
    months = set(present)
    if scope.start:
        last = min(scope.end or scope.today, scope.today)
        day = scope.start.replace(day=1)
        while day <= last and len(months) < 240:
            months.add(month_key(day))
            day = (day + datetime.timedelta(days=32)).replace(day=1)
    return sorted(months)


def _monthly(congress: Congress, scope: Scope, base: QuerySet[Suggestion], links: Links) -> Chart:
    intake = {
        month_key(r["m"]): r["n"]
        for r in base.order_by()
        .annotate(m=TruncMonth("accepted_at", output_field=DateField()))
        .values("m")
        .annotate(n=Count("pk"))
    }
    replied = {
        month_key(r["m"]): r["n"]
        for r in _signed_replies(scope, base)
        .order_by()
        .annotate(m=TruncMonth("signed_off_at", output_field=DateField()))
        .values("m")
        .annotate(n=Count("assignment__suggestion", distinct=True))
    }
    months = _months_axis(scope, [*intake, *replied])
    in_scope = {m for m in months if _month_in_scope(m, scope)}
    return Chart(
        id="monthly",
        title=_("每月立案和答复件数"),
        kind="bar",
        categories=months,
        series=[
            (
                _("立案"),
                [
                    # A month outside the scope (replies to the scope's suggestions can come later)
                    # has no intake by definition: a plain 0 with nothing behind it.
                    Point(m, intake.get(m, 0), links.figure("suggestions", month=m) if m in in_scope else "")
                    for m in months
                ],
            ),
            (
                _("答复"),
                [Point(m, replied.get(m, 0), links.segment("replied_month", month=m)) for m in months],
            ),
        ],
        note=_("立案按立案日期计；答复按答复函签发日期计，同一建议同月多份答复计一次。"),
    )


def _month_in_scope(month: str, scope: Scope) -> bool:
    first, last = month_bounds(month)
    return (scope.start is None or last >= scope.start) and (scope.end is None or first <= scope.end)


def _by_taxonomy(base: QuerySet[Suggestion], links: Links, name: str, title: str, none_segment: str) -> Chart:
    rows = list(
        base.order_by()
        .values(name, f"{name}__name", f"{name}__order")
        .annotate(n=Count("pk"))
        .order_by(f"{name}__order", f"{name}__name")
    )
    points = []
    for r in rows:
        if r[name] is None:
            points.append(Point(_("未填写"), r["n"], links.segment(none_segment)))
        else:
            points.append(Point(r[f"{name}__name"], r["n"], links.figure("suggestions", **{name: r[name]})))
    return Chart(
        id=f"by_{name}",
        title=title,
        kind="pie" if name == "channel" else "hbar",
        categories=[p.label for p in points],
        series=[(_("立案件数"), points)],
    )


def _body_members(
    scope: Scope, base: QuerySet[Suggestion]
) -> tuple[set[tuple[int, int | None]], set[tuple[int, int | None]]]:
    """(suggestion, body) pairs: the scope's suggestions that a body's filter keeps (assigned to one
    of its units, or forwarded to it — `figures._SuggestionRows.base`), and those of them that are
    overdue under that filter (an overdue duty of one of the body's units, or the assignment itself
    overdue). Three queries; the engine's "suggestions" and "overdue" with ``body=b`` are exactly the
    pairs with b — checked against the engine's lists in tests/reports/test_dashboard.py."""
    ids = base.values("pk")
    members = set(
        Assignment.objects.filter(_relevant(scope, ""), suggestion__in=ids)
        .exclude(unit__body__isnull=True)
        .values_list("suggestion_id", "unit__body_id")
        .distinct()
    )
    if scope.unit is None:
        members |= set(base.filter(forwarded_to__isnull=False).values_list("pk", "forwarded_to_id"))
    duties = set(
        _overdue_duties(scope, base)
        .exclude(assignment__unit__body__isnull=True)
        .values_list("suggestion_id", "assignment__unit__body_id")
        .distinct()
    )
    late_assignment = set(
        Deadline.objects.filter(
            kind=Deadline.Kind.ASSIGN, closed_at__isnull=True, due_on__lt=scope.today, suggestion__in=ids
        ).values_list("suggestion_id", flat=True)
    )
    overdue = {(sid, body) for sid, body in members if (sid, body) in duties or sid in late_assignment}
    return members, overdue


def _by_body(congress: Congress, scope: Scope, base: QuerySet[Suggestion], links: Links) -> Chart:
    bodies = list(Unit.objects.filter(congress=congress, kind=Unit.Kind.BODY).order_by("order", "name"))
    if scope.body is not None:
        bodies = [b for b in bodies if b.pk == scope.body]
    members, overdue = _body_members(scope, base) if bodies else (set(), set())
    counts = Counter(body for _sid, body in members)
    late = Counter(body for _sid, body in overdue)
    label = lambda b: b.short_name or b.name  # noqa: E731
    return Chart(
        id="by_body",
        title=_("各机关承办件数和逾期件数"),
        kind="bar",
        categories=[label(b) for b in bodies],
        series=[
            (
                _("承办件数"),
                [Point(label(b), counts[b.pk], links.figure("suggestions", body=b.pk)) for b in bodies],
            ),
            (
                _("逾期未办"),
                [Point(label(b), late[b.pk], links.figure("overdue", body=b.pk)) for b in bodies],
            ),
        ],
        note=_("一件建议交办给多个机关的单位时，每个机关各计一次；转交机关尚未分办的计入该机关。"),
    )


def _overdue_units(scope: Scope, base: QuerySet[Suggestion], links: Links) -> list[OverdueUnit]:
    rows = (
        _overdue_duties(scope, base)
        .order_by()
        .values("assignment__unit", "assignment__unit__name")
        .annotate(n=Count("suggestion", distinct=True))
        .order_by("-n", "assignment__unit__name")[:OVERDUE_UNITS_SHOWN]
    )
    return [
        OverdueUnit(
            unit_id=r["assignment__unit"],
            name=r["assignment__unit__name"],
            count=r["n"],
            url=links.segment("unit_overdue", of=r["assignment__unit"]),
        )
        for r in rows
    ]


def _hot_topics(congress: Congress, scope: Scope, version: int | None) -> Chart:
    """The year's hot topics (issue #15, `textsearch.topics`): the words most suggestions of the
    scope's year are about, this year against last year; each bar opens the suggestion list of that
    keyword and year (its count is that list's length). The year is the scope's (its start's, else
    today's); the other filters of the scope do not apply."""
    year = (scope.start or scope.today).year
    topics = compute_hot_topics(congress, year, limit=HOT_TOPICS, version=version)
    url = reverse("suggestions:list", args=[congress.code])

    def listed(term: str, y: int, n: int) -> str:
        return f"{url}?{urlencode({'q': term, 'year': str(y)})}" if n else ""

    return Chart(
        id="topics",
        title=_("热点话题"),
        kind="hbar",
        categories=[t.term for t in topics],
        series=[
            (
                _("%(y)d年") % {"y": year},
                [Point(t.term, t.count, listed(t.term, year, t.count)) for t in topics],
            ),
            (
                _("%(y)d年") % {"y": year - 1},
                [Point(t.term, t.last, listed(t.term, year - 1, t.last)) for t in topics],
            ),
        ],
        note=_(
            "按立案年度统计本年建议的案由和内容中出现最多的词语（已去除“建议”“加强”等常用词），与上年对比；点击查看含该词的建议。不受其他筛选条件影响。"
        ),
    )


def overview(
    congress: Congress,
    scope: Scope,
    querystring: str = "",
    *,
    policy: Policy | None = None,
    unit: Unit | None = None,
    version: int | None = None,
) -> Overview:
    """The congress overview for `scope` (or, with `unit`, that unit's page: the scope narrowed to
    the unit, no body chart). `querystring` is the scope as the scope form's GET parameters (the
    drill-down links carry it)."""
    policy = policy or policy_of(congress)
    if unit is not None:
        scope = scope.with_(unit=unit.pk)
    links = Links(congress, scope, querystring)
    figures = compute_figures(congress, scope, policy=policy)
    base = accepted(congress, scope, policy)
    charts = [
        _monthly(congress, scope, base, links),
        _by_taxonomy(base, links, "category", _("按分类"), "no_category"),
        _by_taxonomy(base, links, "channel", _("按收集渠道"), "no_channel"),
    ]
    if unit is None:
        charts.append(_by_body(congress, scope, base, links))
        charts.append(_hot_topics(congress, scope, version))
    return Overview(
        scope=scope,
        figures=figures,
        cards=_cards(figures, links, UNIT_HEADLINE if unit is not None else HEADLINE),
        charts=charts,
        overdue_units=_overdue_units(scope, base, links),
    )


#: Terms in the dashboard's hot-topics chart.
HOT_TOPICS = 10
#: Bump when what a snapshot holds changes (old snapshots are then never read again).
SNAPSHOT_FORMAT = 2  # 2: the hot-topics chart (issue #15)
SNAPSHOT_KEPT = datetime.timedelta(days=30)


def data_version(congress: Congress) -> int:
    """The congress's data version: the sequence number of its latest audit row (or of the latest
    row of shared data — the holiday calendar — that belongs to no congress; sign-ins and other
    account rows are left out, they move no figure). Every change of records is an audited action
    (house rule), so this moves with every change that could move a figure. One query; defined in
    `core.versioned`, which keeps the pages' cached values under the same version."""
    return versioned.data_version(congress)


def snapshot_key(
    congress: Congress, scope: Scope, querystring: str, policy: Policy, unit: Unit | None
) -> str:
    ident = [
        SNAPSHOT_FORMAT,
        DEFINITIONS_VERSION,
        get_language(),
        {k: v for k, v in scope.as_dict().items() if k != "as_of"},  # the day is checked apart
        unit.pk if unit else None,
        sorted(QueryDict(querystring).lists()),
        policy.updated_at.isoformat() if getattr(policy, "updated_at", None) else None,
    ]
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()


def cached_overview(
    congress: Congress, scope: Scope, querystring: str = "", *, unit: Unit | None = None
) -> tuple[Overview, bool]:
    """`overview()` read from its snapshot when the data has not changed since it was computed, else
    computed and stored. Returns (the overview, whether it came from the snapshot)."""
    from .models import FigureSnapshot

    policy = policy_of(congress)
    version = data_version(congress)  # read before computing: a later change makes it stale
    key = snapshot_key(congress, scope, querystring, policy, unit)
    narrowed = scope.with_(unit=unit.pk) if unit is not None else scope
    snap = FigureSnapshot.objects.filter(congress=congress, key=key).first()
    if snap is not None and snap.version == version and snap.as_of == scope.today:
        return Overview.load(congress, narrowed, snap.payload), True
    started = time.perf_counter()
    result = overview(congress, scope, querystring, policy=policy, unit=unit, version=version)
    try:
        with transaction.atomic():
            # Snapshots nobody asked for in a month (other scopes, other languages) are dropped.
            FigureSnapshot.objects.filter(
                congress=congress, computed_at__lt=timezone.now() - SNAPSHOT_KEPT
            ).delete()
            FigureSnapshot.objects.update_or_create(
                congress=congress,
                key=key,
                defaults={
                    "as_of": scope.today,
                    "version": version,
                    "payload": result.dump(),
                    "seconds": time.perf_counter() - started,
                },
            )
    except DatabaseError:  # e.g. a read-only replica: the page is still right, only not kept
        logger.warning("could not store the dashboard snapshot of %s", congress.code, exc_info=True)
    return result, False


# --- deputy groups -------------------------------------------------------------------------------


@dataclass
class GroupRow:
    group_id: int | None
    name: str
    in_office: int
    participating: int
    led: int
    cosigned: int
    links: dict[str, str]

    @property
    def rate(self) -> float | None:
        return self.participating / self.in_office if self.in_office else None


def group_rows(congress: Congress, scope: Scope, querystring: str = "", *, policy: Policy | None = None):
    """One row per deputy group (and one for deputies without a group, if any): deputies in office,
    participating deputies, suggestions led and co-signed by its members — five queries."""
    policy = policy or policy_of(congress)
    links = Links(congress, scope, querystring)
    base = accepted(congress, scope, policy)

    def by_group(qs, field_name: str, counted: str = "pk") -> dict[int | None, int]:
        return {
            r[field_name]: r["n"]
            for r in qs.order_by().values(field_name).annotate(n=Count(counted, distinct=True))
        }

    in_office = by_group(figure_deputies(congress, scope, "deputies_in_office", policy=policy), "group")
    participating = by_group(
        figure_deputies(congress, scope, "participating_deputies", policy=policy), "group"
    )
    led = by_group(base, "lead__group")
    cosigned = by_group(
        CoSigner.objects.filter(state=CoSignerState.CONFIRMED, suggestion__in=base.values("pk")),
        "deputy__group",
        "suggestion",
    )
    groups: list[tuple[int | None, str]] = list(
        DeputyGroup.objects.filter(congress=congress).order_by("name").values_list("pk", "name")
    )
    if any(None in d for d in (in_office, led, cosigned)):
        groups.append((None, _("未编入代表小组")))
    rows = []
    for pk, name in groups:
        g = NONE if pk is None else pk
        rows.append(
            GroupRow(
                group_id=pk,
                name=name,
                in_office=in_office.get(pk, 0),
                participating=participating.get(pk, 0),
                led=led.get(pk, 0),
                cosigned=cosigned.get(pk, 0),
                links={
                    key: links.segment(f"group_{key}", group=g)
                    for key in ("in_office", "participating", "led", "cosigned")
                },
            )
        )
    chart = Chart(
        id="groups",
        title=_("各代表小组领衔和联名件数"),
        kind="bar",
        categories=[r.name for r in rows],
        series=[
            (_("领衔"), [Point(r.name, r.led, r.links["led"]) for r in rows]),
            (_("联名"), [Point(r.name, r.cosigned, r.links["cosigned"]) for r in rows]),
        ],
    )
    return rows, chart


# --- the public portal -----------------------------------------------------------------------------


def published_figures(congress: Congress, year: int, *, as_of: datetime.date | None = None) -> dict[str, Any]:
    """The year's figures as the public portal shows them: the same engine and definitions, counts
    and rates only (`PUBLISHED`), no lists and no names."""
    figures = compute_figures(congress, Scope.year(year, as_of=as_of))
    return {
        "congress": congress.name,
        "year": year,
        "as_of": figures.scope.today.isoformat(),
        "figures": [
            {
                "key": key,
                "label": figures[key].label,
                "value": figures[key].value,
                "numerator": figures[key].numerator,
                "denominator": figures[key].denominator,
                "definition": figures[key].definition,
            }
            for key in PUBLISHED
        ],
    }


def deputies_of(rows: QuerySet[Deputy]) -> QuerySet[Deputy]:
    return rows.select_related("group").order_by("number", "pk")
