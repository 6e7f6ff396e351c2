"""Reads of the points app: rankings (亮分) with shared ranks, a deputy's record (履职档案), the
review and objection queues, the rule table as it stands on a day, the monthly expectations table,
and the access helpers (404 for missing *and* forbidden)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import rules
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from minyi.congress.models import Congress, Deputy, DeputyGroup

from .events import EVENT_BY_CODE, EVENTS
from .models import LedgerEntry, LedgerSync, ManualEntry, MonthlyExpectation, Objection, PointsRule
from .periods import Period
from .rules import clerk_groups, roles_of

RANKING_RULE = (
    "按期内积分合计从高到低排名；积分相同的并列同一名次，不用其他规则区分，其后名次顺延（如 1、1、3）。"
    "名单包括期内任何一天在任的全部代表（没有积分的计0分）。"
)


def shared_ranks(values: list[Any]) -> list[int]:
    """Competition ranks (1, 1, 3) of `values`, sorted from best to worst."""
    ranks: list[int] = []
    for i, value in enumerate(values):
        ranks.append(ranks[-1] if i and values[i - 1] == value else i + 1)
    return ranks


@dataclass
class RankRow:
    deputy: Deputy
    points: int
    entries: int
    rank: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "deputy_number": self.deputy.number,
            "name": self.deputy.name,
            "group": self.deputy.group.name if self.deputy.group is not None else "",
            "points": self.points,
            "entries": self.entries,
        }


def ledger_of(congress: Congress, period: Period) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.filter(congress=congress, year=period.year)
    if period.quarter:
        qs = qs.filter(quarter=period.quarter)
    return qs


def ranking(congress: Congress, period: Period, *, group: DeputyGroup | None = None) -> list[RankRow]:
    """Every deputy in office at some time in `period` (and anyone with entries in it), with their
    points and number of entries, ranked (`RANKING_RULE`). Two queries."""
    totals = {
        r["deputy"]: (r["points"] or 0, r["n"])
        for r in ledger_of(congress, period).values("deputy").annotate(points=Sum("points"), n=Count("id"))
    }
    deputies = Deputy.objects.filter(congress=congress).filter(
        Q(in_office_from__lte=period.end, in_office_to__isnull=True)
        | Q(in_office_from__lte=period.end, in_office_to__gte=period.start)
        | Q(pk__in=list(totals))
    )
    if group is not None:
        deputies = deputies.filter(group=group)
    rows = [
        RankRow(d, *totals.get(d.pk, (0, 0))) for d in deputies.select_related("group").order_by("number")
    ]
    rows.sort(key=lambda r: (-r.points, r.deputy.number))
    for row, rank in zip(rows, shared_ranks([r.points for r in rows]), strict=True):
        row.rank = rank
    return rows


def last_synced(congress: Congress, year: int) -> datetime.datetime | None:
    return LedgerSync.objects.filter(congress=congress, year=year).values_list("synced_at", flat=True).first()


def groups_of(congress: Congress) -> QuerySet[DeputyGroup]:
    return DeputyGroup.objects.filter(congress=congress).order_by("name")


# --- a deputy's record -----------------------------------------------------------------------------


def access_deputy(user: Any, congress: Congress, pk: Any, *, perm: str = "points.view_record") -> Deputy:
    try:
        deputy = Deputy.objects.select_related("congress", "group").get(congress=congress, pk=int(pk))
    except (Deputy.DoesNotExist, TypeError, ValueError):
        raise Http404("no such deputy") from None
    if not rules.has_perm(perm, user, deputy):
        raise Http404("not permitted")
    return deputy


def record_of(deputy: Deputy, period: Period) -> QuerySet[LedgerEntry]:
    return (
        ledger_of(deputy.congress, period)
        .filter(deputy=deputy)
        .select_related("rule")
        .order_by("-date", "key")
    )


def objections_by_key(deputy: Deputy) -> dict[str, Objection]:
    """The latest objection to each entry of the deputy."""
    out: dict[str, Objection] = {}
    for o in Objection.objects.filter(deputy=deputy).order_by("raised_at", "id"):
        out[o.entry_key] = o
    return out


def access_entry(user: Any, congress: Congress, pk: Any) -> LedgerEntry:
    """An entry of the user's own record (for an objection)."""
    try:
        entry = LedgerEntry.objects.select_related("deputy__congress").get(congress=congress, pk=int(pk))
    except (LedgerEntry.DoesNotExist, TypeError, ValueError):
        raise Http404("no such entry") from None
    if not rules.has_perm("points.view_record", user, entry.deputy):
        raise Http404("not permitted")
    return entry


def entry_by_key(congress: Congress, key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(congress=congress, key=key).select_related("deputy").first()


def source_url(entry: LedgerEntry, congress: Congress) -> str | None:  # noqa: PLR0911
    """A page showing where the entry came from (the page itself checks access)."""
    src = entry.source or {}
    try:
        if src.get("kind") == "suggestion" and src.get("suggestion"):
            return reverse("suggestions:detail", args=[congress.code, src["suggestion"]])
        if src.get("award_round"):
            return reverse("awards:round", args=[congress.code, src["award_round"]])
        if src.get("kind") == "station_event":
            return reverse("intake:event", args=[congress.code, src["event"]])
        if src.get("kind") == "duty_day" and src.get("station"):
            return reverse("intake:station", args=[congress.code, src["station"]])
        if src.get("kind") == "manual":
            return reverse("points:manual_detail", args=[congress.code, src["manual"]])
    except NoReverseMatch:
        return None
    return None


@dataclass
class RecordSummary:
    total: int = 0
    by_event: list[tuple[str, int, int]] = field(default_factory=list)  # (label, entries, points)


def summarise(entries: list[LedgerEntry]) -> RecordSummary:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in entries:
        per[e.event][0] += 1
        per[e.event][1] += e.points
    order = [ev.code for ev in EVENTS]
    return RecordSummary(
        total=sum(e.points for e in entries),
        by_event=[(str(EVENT_BY_CODE[c].label), n, p) for c in order if c in per for n, p in [per[c]]],
    )


# --- manual entries and objections ------------------------------------------------------------------


def access_manual(user: Any, congress: Congress, pk: Any) -> ManualEntry:
    try:
        entry = ManualEntry.objects.select_related(
            "congress", "deputy__group", "deputy__congress", "submitted_by", "checked_by", "reviewed_by"
        ).get(congress=congress, pk=int(pk))
    except (ManualEntry.DoesNotExist, TypeError, ValueError):
        raise Http404("no such entry") from None
    if not rules.has_perm("points.view_manual", user, entry):
        raise Http404("not permitted")
    return entry


def manual_entries_visible_to(user: Any, congress: Congress) -> QuerySet[ManualEntry]:
    """Manual entries `user` may see: all (staff and overseers), their groups' (liaison clerks), their
    own (deputies)."""
    from .rules import OVERSIGHT_ROLES, deputy_of

    qs = ManualEntry.objects.filter(congress=congress).select_related("deputy", "submitted_by")
    if roles_of(user, congress) & OVERSIGHT_ROLES:
        return qs
    visible = Q(deputy__group_id__in=clerk_groups(user, congress))
    me = deputy_of(user, congress)
    if me is not None:
        visible |= Q(deputy=me)
    return qs.filter(visible)


def review_queue(user: Any, congress: Congress) -> QuerySet[ManualEntry]:
    """Entries waiting for this user's 初审 or 复核."""
    from minyi.accounts.models import Role

    roles = roles_of(user, congress)
    waiting = Q(pk__in=[])
    if Role.CONGRESS_CLERK in roles:
        waiting |= Q(state=ManualEntry.State.SUBMITTED) | (
            Q(state=ManualEntry.State.CHECKED) & ~Q(checked_by=user)
        )
    groups = clerk_groups(user, congress)
    if groups:
        waiting |= Q(state=ManualEntry.State.SUBMITTED, deputy__group_id__in=groups)
    return (
        ManualEntry.objects.filter(congress=congress)
        .filter(waiting)
        .select_related("deputy", "submitted_by")
        .order_by("submitted_at", "id")
    )


def access_objection(user: Any, congress: Congress, pk: Any) -> Objection:
    try:
        objection = Objection.objects.select_related("deputy__congress", "raised_by", "decided_by").get(
            congress=congress, pk=int(pk)
        )
    except (Objection.DoesNotExist, TypeError, ValueError):
        raise Http404("no such objection") from None
    if not (
        rules.has_perm("points.decide_objections", user, congress)
        or rules.has_perm("points.view_record", user, objection.deputy)
    ):
        raise Http404("not permitted")
    return objection


def objections_of(congress: Congress, *, pending: bool | None = None) -> QuerySet[Objection]:
    qs = Objection.objects.filter(congress=congress).select_related("deputy", "raised_by", "decided_by")
    if pending is True:
        qs = qs.filter(state=Objection.State.PENDING)
    elif pending is False:
        qs = qs.exclude(state=Objection.State.PENDING)
    return qs.order_by("-raised_at", "-id")


# --- rules -------------------------------------------------------------------------------------------


def rules_of(congress: Congress) -> list[PointsRule]:
    order = {ev.code: i for i, ev in enumerate(EVENTS)}
    items = list(PointsRule.objects.filter(congress=congress))
    items.sort(key=lambda r: (order.get(r.event, 99), r.role, r.valid_from, r.pk))
    return items


def access_rule(congress: Congress, pk: Any) -> PointsRule:
    try:
        return PointsRule.objects.select_related("congress").get(congress=congress, pk=int(pk))
    except (PointsRule.DoesNotExist, TypeError, ValueError):
        raise Http404("no such rule") from None


# --- monthly expectations ----------------------------------------------------------------------------


@dataclass
class MonthCell:
    month: datetime.date
    expected: int | None  # None: no expectation that month (or a month still to come)
    written: int
    current: bool = False

    @property
    def met(self) -> bool | None:
        if self.expected is None or self.current:
            return None
        return self.written >= self.expected


@dataclass
class ExpectationRow:
    deputy: Deputy
    cells: list[MonthCell]

    @property
    def met_months(self) -> int:
        return sum(1 for c in self.cells if c.met is True)

    @property
    def due_months(self) -> int:
        return sum(1 for c in self.cells if c.met is not None)


def expectations_of(congress: Congress) -> QuerySet[MonthlyExpectation]:
    return MonthlyExpectation.objects.filter(congress=congress).select_related("deputy", "created_by")


def expectation_table(congress: Congress, year: int) -> list[ExpectationRow]:
    """Month by month: how many suggestions each expected deputy led that were submitted in the
    month and accepted (立案, not withdrawn). The current month is shown but not judged yet."""
    from minyi.suggestions.selectors import accepted_led_by

    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    today = timezone.localdate()
    this_month = today.replace(day=1)
    expectations = list(
        expectations_of(congress)
        .filter(start_month__lte=months[-1])
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=months[0]))
        .order_by("deputy__number", "start_month")
    )
    deputies: dict[int, Deputy] = {}
    for e in expectations:
        deputies.setdefault(e.deputy_id, e.deputy)
    counts: dict[tuple[int, datetime.date], int] = defaultdict(int)
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    for r in (
        accepted_led_by(congress, list(deputies), start, end)
        .annotate(month=TruncMonth("submitted_at"))
        .values("lead_id", "month")
        .annotate(n=Count("id"))
    ):
        month = r["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        counts[(r["lead_id"], month.replace(day=1))] += r["n"]
    rows = []
    for deputy_id, deputy in deputies.items():
        mine = [e for e in expectations if e.deputy_id == deputy_id]
        cells = []
        for m in months:
            covering = next((e for e in mine if e.covers(m)), None)
            expected = covering.per_month if covering is not None and m <= this_month else None
            cells.append(MonthCell(m, expected, counts[(deputy_id, m)], current=m == this_month))
        rows.append(ExpectationRow(deputy, cells))
    rows.sort(key=lambda r: r.deputy.number)
    return rows
