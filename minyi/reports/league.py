"""The handling units' league table (承办单位办理情况排名).

One row per unit that was assigned suggestions of the scope. An *item* is one unit's part in one
suggestion (its first-round assignment, not cancelled; a re-handling round belongs to the same
item). Every rate is shown with its 95% Wilson score interval, and units are ranked by the interval's
lower bound of the chosen rate — so a unit with 2 of 2 does not outrank one with 38 of 40. Units
with fewer than `min_count` items are listed apart as 样本不足 and not ranked.

How it counts: the way the congress figures do (`figures._read_flags`). The facts about an item
("a first-contact deadline was met", "the final round has an evaluation of this unit's reply that
is not satisfied" …) are the same row conditions (`figures.UnitWork`'s ``*_rows`` methods), with
*relevant* meaning "an assignment of the item's unit (any round), not cancelled". Deadlines,
signed-off replies and evaluations are each read once, grouped by suggestion and the unit of the
assignment (and round for replies and evaluations, whose final round is the suggestion's, over all
units), one bit mask of facts per group (`_read_flags`). One read of the items brings what is per
assignment (signed for receipt within the reassignment window, the first contact) and two facts
looked up from the item itself, each one index probe: a face-to-face contact, a re-handling round.
`_formulas` combines each item's facts into the rates, in Python. Five queries whatever the size of
the data, and the numbers agree with the congress figures filtered to that unit.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.congress.models import Congress, Policy
from minyi.suggestions.models import Assignment, Contact, Deadline, Evaluation, Reply
from minyi.suggestions.states import AssignmentState, ContactState

from .figures import (
    LOCAL_REPLY_DEADLINES,
    UNIT_DUTY_DEADLINES,
    Scope,
    UnitWork,
    _grouped,
    _last_rounds,
    _SuggestionRows,
    policy_of,
    reporting_query,
    resolved_classes,
)

#: z for a two-sided 95% interval (the 0.975 quantile of the standard normal distribution).
Z95 = 1.959963984540054
DEFAULT_MIN_COUNT = 5


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion `successes`/`n` (Wilson 1927; Newcombe 1998,
    method 3), or None when n is 0:

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0 and n the bounds are exactly 0 and 1 (the formula gives them up to rounding).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.numerator, self.denominator)

    @property
    def low(self) -> float | None:
        interval = self.interval  # None exactly when the denominator is 0
        return interval[0] if interval is not None else None

    @property
    def high(self) -> float | None:
        interval = self.interval
        return interval[1] if interval is not None else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "low": self.low,
            "high": self.high,
        }


@dataclass(frozen=True)
class RateSpec:
    key: str
    label: Promise
    definition: Promise


RATES: tuple[RateSpec, ...] = (
    RateSpec(
        "sign_on_time",
        gettext_lazy("按期签收率"),
        gettext_lazy("交办件中，在申请调整期限（交办后若干工作日）内签收的件数 ÷ 已签收或该期限已过的件数。"),
    ),
    RateSpec(
        "first_contact_on_time",
        gettext_lazy("按期首次联系率"),
        gettext_lazy("主办、分办件中，在首次联系代表期限内登记联系的件数 ÷ 该期限已到或已联系的件数。"),
    ),
    RateSpec(
        "reply_on_time",
        gettext_lazy("按期答复率"),
        gettext_lazy(
            "主办、分办件中，本单位按期签发答复的件数 ÷ 答复期限已到或已答复的件数。"
            "重新办理的件只看重新办理这一轮（以重新答复期限为准）；重新答复期限未到且尚未答复的，暂不计入。"
        ),
    ),
    RateSpec(
        "contact",
        gettext_lazy("见面率"),
        gettext_lazy("本单位已答复的件中，登记过见面联系且代表无异议的件数 ÷ 已答复件数。"),
    ),
    RateSpec(
        "satisfaction",
        gettext_lazy("满意率"),
        gettext_lazy(
            "本单位答复在最终一轮的测评中，满意或基本满意的件数 ÷ 收到测评的件数（未反馈按办理规则处理）。"
        ),
    ),
    RateSpec(
        "resolution",
        gettext_lazy("解决率"),
        gettext_lazy("本单位已答复的件中，最后一轮答复为计入解决率类别（默认A类）的件数 ÷ 已答复件数。"),
    ),
)
RATE_BY_KEY = {spec.key: spec for spec in RATES}
COUNT_DEFINITIONS: dict[str, Promise] = {
    "assigned": gettext_lazy(
        "交办件数：本单位在范围内立案建议中承担的交办件（主办、协办或分办，不含已调整撤销的）。"
    ),
    "first_contact_days": gettext_lazy(
        "平均首次联系天数：从交办到本单位第一次登记联系代表（代表无异议）的自然日数的平均值。"
    ),
    "rehandled": gettext_lazy("重新办理件数：代表不满意后被决定重新办理的件数。"),
    "overdue": gettext_lazy("逾期未办件数：目前有已过期限仍未完成的首次联系、协办意见或答复期限的件数。"),
    "late": gettext_lazy("曾逾期件数：任何一项办理期限未按期完成（含目前逾期）的件数。"),
}


@dataclass
class UnitRow:
    unit_id: int
    name: str
    body: str
    assigned: int
    rates: dict[str, Rate]
    first_contact_days: float | None
    rehandled: int
    overdue: int
    late: int
    rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit_id,
            "name": self.name,
            "body": self.body,
            "rank": self.rank,
            "assigned": self.assigned,
            "first_contact_days": self.first_contact_days,
            "rehandled": self.rehandled,
            "overdue": self.overdue,
            "late": self.late,
            **{key: rate.as_dict() for key, rate in self.rates.items()},
        }


@dataclass
class League:
    scope: Scope
    min_count: int
    rank_by: str
    ranked: list[UnitRow] = field(default_factory=list)
    insufficient: list[UnitRow] = field(default_factory=list)

    @property
    def rows(self) -> list[UnitRow]:
        return [*self.ranked, *self.insufficient]

    def row_for(self, unit_id: int) -> UnitRow | None:
        return next((row for row in self.rows if row.unit_id == unit_id), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope.as_dict(),
            "min_count": self.min_count,
            "rank_by": self.rank_by,
            "ranked": [row.as_dict() for row in self.ranked],
            "insufficient": [row.as_dict() for row in self.insufficient],
            "definitions": {
                **{spec.key: str(spec.definition) for spec in RATES},
                **{key: str(text) for key, text in COUNT_DEFINITIONS.items()},
                "rank": _(
                    "按所选比率95%%置信区间（Wilson）的下限排名；交办件数少于%(n)s件的单位列为“样本不足”，不排名。"
                )
                % {"n": self.min_count},
            },
        }


def _items(congress: Congress, scope: Scope, policy: Policy):
    """Each unit's items: first-round assignments, not cancelled, of accepted suggestions in scope."""
    rows = _SuggestionRows(congress, scope, policy)
    qs = Assignment.objects.filter(round=1, suggestion__in=rows.accepted_ids()).exclude(
        state=AssignmentState.CANCELLED
    )
    if scope.unit is not None:
        qs = qs.filter(unit_id=scope.unit)
    if scope.body is not None:
        qs = qs.filter(unit__body_id=scope.body)
    return qs


def _same_unit(prefix: str) -> Q:
    """The relevant assignments of one item: its unit's (any round), not cancelled."""
    return Q(**{f"{prefix}unit_id": OuterRef("unit_id")}) & _not_cancelled(prefix)


def _not_cancelled(prefix: str) -> Q:
    """The league's relevant assignments: not cancelled, of the unit the rows are grouped by."""
    return ~Q(**{f"{prefix}state": AssignmentState.CANCELLED})


#: The facts about one item (a unit's part in a suggestion) that its rates combine (`_formulas`),
#: each one bit: the first four are read with the item (`unit_league`), the others by `_read_flags`.
FLAGS = (
    "sign_met", "sign_due", "face_to_face", "rehandled",
    "contact_met", "contact_missed", "reply_met", "reply_missed", "overdue", "late",
    "replied", "final_unresolved", "evaluated", "not_satisfied",
)  # fmt: skip
BIT = {name: 1 << i for i, name in enumerate(FLAGS)}


def _formulas(f: frozenset[str]) -> dict[str, tuple[bool, bool]]:
    """rate key → (in the numerator, in the denominator) for an item with the facts `f`; and the
    counted columns (`rehandled`, `overdue`, `late`) as (counted, True). The one statement of how
    the league's columns are made of the facts."""

    def on_time(met: str, missed: str) -> tuple[bool, bool]:
        return met in f and missed not in f, met in f or missed in f

    replied, evaluated = "replied" in f, "evaluated" in f
    return {
        "sign_on_time": ("sign_met" in f, "sign_due" in f),
        "first_contact_on_time": on_time("contact_met", "contact_missed"),
        "reply_on_time": on_time("reply_met", "reply_missed"),
        "contact": (replied and "face_to_face" in f, replied),
        "satisfaction": (evaluated and "not_satisfied" not in f, evaluated),
        "resolution": (replied and "final_unresolved" not in f, replied),
        **{name: (name in f, True) for name in ("rehandled", "overdue", "late")},
    }


def _read_flags(congress: Congress, scope: Scope, policy: Policy) -> dict[tuple[int, int], int]:
    """(suggestion id, unit id) → the bits of `FLAGS` that the unit's work on the suggestion has,
    for the accepted suggestions of the scope: deadlines, replies and evaluations each read once,
    grouped by suggestion and the unit of the (not cancelled) assignment — three queries whatever
    the size of the scope (face-to-face contacts and re-handling are read with the items).
    The conditions are `UnitWork`'s row conditions, as in `figures._read_flags`; the final round of
    replies and of evaluations is the suggestion's (over all units), as `UnitWork.final_replies`
    and `UnitWork.evaluated(final=True, …)` define it."""
    accepted = _SuggestionRows(congress, scope, policy).accepted_ids()
    w = UnitWork(OuterRef("suggestion"), _not_cancelled, scope.today, congress)
    nf = not policy.no_feedback_excluded
    bits: dict[tuple[int, int], int] = defaultdict(int)

    def mark(pk: int, unit: int | None, names: set[str]) -> None:
        if unit is not None:
            for name in names:
                bits[pk, unit] |= BIT[name]

    # deadlines, grouped by round too: the reply deadlines count in the suggestion's last round that
    # has any (of any unit) — a re-handled item is judged on its re-handling round, as
    # `UnitWork.met(…, last_round=True)` says
    contact = [Deadline.Kind.FIRST_CONTACT]
    deadlines = list(
        _grouped(
            Deadline.objects.filter(suggestion__in=accepted, assignment__isnull=False),
            ("suggestion_id", "round", "assignment__unit_id"),
            {
                "contact_met": w.met_rows(contact),
                "contact_missed": w.missed_rows(contact),
                "reply_met": w.met_rows(LOCAL_REPLY_DEADLINES),
                "reply_missed": w.missed_rows(LOCAL_REPLY_DEADLINES),
                "overdue": w.overdue_rows(),
                "late": w.missed_rows(UNIT_DUTY_DEADLINES),  # UnitWork.ever_late
                "reply_round": Q(kind__in=LOCAL_REPLY_DEADLINES),
            },
        )
    )
    last = _last_rounds(row for row in deadlines if "reply_round" in row[3])
    for pk, round_, unit, names in deadlines:
        names = names - {"reply_round"}
        mark(pk, unit, names if round_ == last.get(pk) else names - {"reply_met", "reply_missed"})

    # replies: the last round is that of any signed-off reply of the suggestion (of any unit)
    reply = w.reply_rows()
    replies = list(
        _grouped(
            Reply.objects.filter(signed_off_at__isnull=False, assignment__suggestion__in=accepted),
            ("assignment__suggestion_id", "assignment__round", "assignment__unit_id"),
            {"replied": reply, "final_unresolved": reply & ~resolved_classes()},
        )
    )
    last = _last_rounds(replies)
    for pk, round_, unit, names in replies:
        mark(pk, unit, names if round_ == last[pk] else names - {"final_unresolved"})

    # evaluations: the last round is that of any evaluation of the suggestion (of any unit)
    counted = w.evaluation_rows(count_no_feedback=nf)
    evaluations = list(
        _grouped(
            Evaluation.objects.filter(suggestion__in=accepted),
            ("suggestion_id", "round", "reply__assignment__unit_id"),
            {"evaluated": counted, "not_satisfied": counted & w.not_good_rows()},
        )
    )
    last = _last_rounds(evaluations)
    for pk, round_, unit, names in evaluations:
        if round_ == last[pk]:
            mark(pk, unit, names)

    return bits


def unit_league(
    congress: Congress,
    scope: Scope,
    min_count: int = DEFAULT_MIN_COUNT,
    *,
    rank_by: str = "satisfaction",
    policy: Policy | None = None,
) -> League:
    """The league table of the units assigned suggestions in `scope`, in five queries whatever the
    size of the data (on PostgreSQL one more, see `reporting_query`): the policy (none when given),
    one read of the items with what is per assignment (signing for receipt against the reassignment
    window, the first contact, face-to-face contact and re-handling of the item's unit), and the
    three grouped reads of `_read_flags`."""
    if rank_by not in RATE_BY_KEY:
        raise ValueError(f"cannot rank by {rank_by!r}")
    policy = policy or policy_of(congress)
    today = scope.today

    window_due = Deadline.objects.filter(assignment=OuterRef("pk"), kind=Deadline.Kind.REASSIGN_WINDOW)
    first_contact = (
        Contact.objects.filter(assignment=OuterRef("pk"))
        .exclude(state=ContactState.DISPUTED)
        .order_by("contacted_on", "id")
        .values("contacted_on")[:1]
    )
    # what is per assignment, and the two facts of a unit's work that are cheapest to look up from
    # the item itself (an index probe each): `UnitWork`'s own EXISTS, for this item's unit
    work = UnitWork(OuterRef("suggestion_id"), _same_unit, today, congress)
    facts = {
        "sign_met": Q(signed_on__lte=F("window_due")),
        "sign_due": Q(signed_at__isnull=False) | Q(window_due__lt=today),
        # the contacts of the scope only: PostgreSQL may hash this EXISTS over the whole table
        "face_to_face": Exists(
            Contact.objects.filter(
                work.face_to_face_rows(),
                assignment__suggestion=OuterRef("suggestion_id"),
                assignment__suggestion__in=_SuggestionRows(congress, scope, policy).accepted_ids(),
            )
        ),
        "rehandled": work.rehandled(),
    }
    items = (
        _items(congress, scope, policy)
        .alias(
            window_due=Subquery(window_due.order_by("id").values("due_on")[:1]),
            signed_on=TruncDate("signed_at"),
        )
        .annotate(
            facts=sum(
                (Case(When(q, then=Value(BIT[name])), default=Value(0)) for name, q in facts.items()),
                Value(0),
            ),
            first_contact_on=Subquery(first_contact),
        )
        .order_by()
        .values_list(
            "suggestion_id", "unit_id", "facts", "assigned_on", "first_contact_on",
            "unit__name", "unit__order", "unit__body__name",
        )
    )  # fmt: skip
    with reporting_query():
        item_rows = list(items)
        flags = _read_flags(congress, scope, policy)

    units: dict[int, tuple[str, int, str]] = {}
    assigned: Counter[int] = Counter()
    kinds: Counter[tuple[int, int]] = Counter()  # (unit, bits of the item) → items
    contact_days: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # unit → [days, items]
    for pk, unit, item_bits, assigned_on, first_contact_on, name, order, body in item_rows:
        units[unit] = (name, order, body or "")
        assigned[unit] += 1
        kinds[unit, item_bits | flags.get((pk, unit), 0)] += 1
        if first_contact_on is not None:
            days = contact_days[unit]
            days[0] += (first_contact_on - assigned_on).days
            days[1] += 1

    totals: dict[int, dict[str, list[int]]] = {unit: defaultdict(lambda: [0, 0]) for unit in units}
    for (unit, bits), count in kinds.items():
        for key, (num, den) in _formulas(frozenset(n for n in FLAGS if bits & BIT[n])).items():
            total = totals[unit][key]
            total[0] += count if num else 0
            total[1] += count if den else 0

    def average(unit: int) -> float | None:
        if unit not in contact_days:
            return None
        days, count = contact_days[unit]
        return _days(datetime.timedelta(days=days) / count)  # as the database averages intervals

    rows = [
        UnitRow(
            unit_id=unit,
            name=name,
            body=body,
            assigned=assigned[unit],
            rates={spec.key: Rate(*totals[unit][spec.key]) for spec in RATES},
            first_contact_days=average(unit),
            rehandled=totals[unit]["rehandled"][0],
            overdue=totals[unit]["overdue"][0],
            late=totals[unit]["late"][0],
        )
        for unit, (name, _order, body) in sorted(units.items(), key=lambda u: (u[1][1], u[1][0]))
    ]
    league = League(scope=scope, min_count=min_count, rank_by=rank_by)
    league.ranked = sorted((r for r in rows if r.assigned >= min_count), key=lambda r: _rank_key(r, rank_by))
    league.insufficient = sorted(
        (r for r in rows if r.assigned < min_count), key=lambda r: (-r.assigned, r.name)
    )
    rank = 0
    for row in league.ranked:
        if row.rates[rank_by].denominator:
            rank += 1
            row.rank = rank
    return league


def _rank_key(row: UnitRow, rank_by: str) -> tuple:
    rate = row.rates[rank_by]
    if not rate.denominator:
        return (1, 0.0, 0.0, 0, row.name)
    return (0, -(rate.low or 0.0), -(rate.value or 0.0), -rate.denominator, row.name)


def _days(value: Any) -> float | None:
    """An average of date differences as days (a timedelta on every backend Django supports)."""
    if value is None:
        return None
    if hasattr(value, "total_seconds"):
        return value.total_seconds() / 86400
    return float(value) / 86400_000_000  # microseconds, should a backend return a number
