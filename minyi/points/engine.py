"""The points engine: from the source events, the rule table and the objection decisions to ledger
entries — a pure computation, so the stored ledger can always be checked against it.

For each event (in date order, then by key, so the result never depends on the order rows were
written):

1. **Deduplication.** Events with the same key are one entry (the best role, the earliest date);
   the sources already count a suggestion family once per deputy (see `sources`).
2. **Rule.** The rule for the event and the deputy's role (a rule for "any role" applies to every
   role) that is valid on the event's date. No rule → no entry.
3. **Cap.** A rule with a cap gives each deputy at most `cap` points (or, for a penalty, takes at
   most `cap`) per quarter or year; an event beyond it still appears, with the points that were
   left (possibly 0) and the mark "已达上限".
4. **Objection decisions.** An objection decided as "corrected" sets the entry's points to the
   corrected value (mark "异议更正").

Caps can span a whole year, so entries are always computed for a calendar year (`compute_year`);
a quarter is a filter of its year (`compute_entries`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from minyi.congress.models import Congress

from .events import ROLE_ORDER, PointsRole
from .models import LedgerEntry, Objection, PointsRule
from .periods import Period, cap_bucket, quarter_of
from .sources import SOURCES, SourceEvent, Window


@dataclass(frozen=True)
class Entry:
    key: str
    deputy_id: int
    event: str
    role: str
    date: datetime.date
    points: int
    raw_points: int
    rule_id: int | None
    adjustment: str
    description: str
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def quarter(self) -> int:
        return quarter_of(self.date)

    def values(self) -> dict[str, Any]:
        """The stored fields of this entry (what a ledger row must hold)."""
        data = asdict(self)
        data.pop("key")
        data["date"] = self.date.isoformat()
        return data

    @classmethod
    def from_row(cls, row: LedgerEntry) -> Entry:
        return cls(
            key=row.key,
            deputy_id=row.deputy_id,
            event=row.event,
            role=row.role,
            date=row.date,
            points=row.points,
            raw_points=row.raw_points,
            rule_id=row.rule_id,
            adjustment=row.adjustment,
            description=row.description,
            source=row.source or {},
        )


def rule_for(rules: Iterable[PointsRule], event: str, role: str, day: datetime.date) -> PointsRule | None:
    """The rule valid on `day` for `event` and `role` (an exact role before "any role")."""
    candidates = [
        r for r in rules if r.event == event and r.role in (role, PointsRole.ANY) and r.valid_on(day)
    ]
    candidates.sort(key=lambda r: (r.role != role, -r.valid_from.toordinal(), r.pk))
    return candidates[0] if candidates else None


def dedupe(events: Iterable[SourceEvent]) -> list[SourceEvent]:
    best: dict[str, SourceEvent] = {}
    for e in events:
        current = best.get(e.key)
        if current is None or (ROLE_ORDER[e.role], e.date) < (ROLE_ORDER[current.role], current.date):
            best[e.key] = e
    return sorted(best.values(), key=lambda e: (e.date, e.key))


def corrections(congress: Congress) -> dict[str, int]:
    """Corrected points by entry key (the latest decision wins)."""
    out: dict[str, int] = {}
    for key, points in (
        Objection.objects.filter(congress=congress, state=Objection.State.CORRECTED)
        .order_by("decided_at", "id")
        .values_list("entry_key", "corrected_points")
    ):
        if points is not None:
            out[key] = points
    return out


def apply_rules(
    events: Iterable[SourceEvent], rules: list[PointsRule], corrected: dict[str, int]
) -> list[Entry]:
    used: dict[tuple[int, int, str], int] = defaultdict(int)
    entries = []
    for e in dedupe(events):
        rule = rule_for(rules, e.event, e.role, e.date)
        if rule is None:
            continue
        points, adjustment = rule.points, ""
        if rule.cap is not None:
            bucket = (rule.pk, e.deputy_id, cap_bucket(rule.cap_period, e.date))
            room = max(rule.cap - used[bucket], 0)
            allowed = min(abs(rule.points), room)
            used[bucket] += allowed
            if allowed != abs(rule.points):
                points = allowed if rule.points > 0 else -allowed
                adjustment = LedgerEntry.Adjustment.CAPPED
        if e.key in corrected:
            points, adjustment = corrected[e.key], LedgerEntry.Adjustment.CORRECTED
        entries.append(
            Entry(
                key=e.key,
                deputy_id=e.deputy_id,
                event=e.event,
                role=e.role,
                date=e.date,
                points=points,
                raw_points=rule.points,
                rule_id=rule.pk,
                adjustment=str(adjustment),
                description=e.description[:300],
                source=e.source,
            )
        )
    return entries


def compute_year(congress: Congress, year: int, *, today: datetime.date | None = None) -> list[Entry]:
    """Every entry of the congress dated in `year`, from the registered sources."""
    window = Window(datetime.date(year, 1, 1), datetime.date(year, 12, 31), today or timezone.localdate())
    events: list[SourceEvent] = []
    for source in SOURCES.values():
        events.extend(e for e in source(congress, window) if window.holds(e.date))
    rules = list(PointsRule.objects.filter(congress=congress))
    return apply_rules(events, rules, corrections(congress))


def compute_entries(congress: Congress, period: Period, *, today: datetime.date | None = None) -> list[Entry]:
    return [e for e in compute_year(congress, period.year, today=today) if period.contains(e.date)]


@dataclass
class Diff:
    """How the stored ledger differs from a recomputation."""

    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    changed: list[tuple[Entry, Entry]] = field(default_factory=list)  # (stored, computed)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    def within(self, period: Period) -> Diff:
        return Diff(
            [e for e in self.added if period.contains(e.date)],
            [e for e in self.removed if period.contains(e.date)],
            [(a, b) for a, b in self.changed if period.contains(a.date) or period.contains(b.date)],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": [
                {"key": e.key, "deputy": e.deputy_id, "points": e.points, "date": e.date.isoformat()}
                for e in self.added
            ],
            "removed": [
                {"key": e.key, "deputy": e.deputy_id, "points": e.points, "date": e.date.isoformat()}
                for e in self.removed
            ],
            "changed": [
                {
                    "key": new.key,
                    "old": {k: v for k, v in old.values().items() if new.values()[k] != v},
                    "new": {k: v for k, v in new.values().items() if old.values()[k] != v},
                }
                for old, new in self.changed
            ],
        }


def stored_year(congress: Congress, year: int) -> list[Entry]:
    return [Entry.from_row(r) for r in LedgerEntry.objects.filter(congress=congress, year=year)]


def diff(stored: Iterable[Entry], computed: Iterable[Entry]) -> Diff:
    old = {e.key: e for e in stored}
    new = {e.key: e for e in computed}
    result = Diff()
    for key in sorted(new.keys() - old.keys()):
        result.added.append(new[key])
    for key in sorted(old.keys() - new.keys()):
        result.removed.append(old[key])
    for key in sorted(old.keys() & new.keys()):
        if old[key].values() != new[key].values():
            result.changed.append((old[key], new[key]))
    return result
