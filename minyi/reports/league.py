"""The handling units' league table (承办单位办理情况排名).

One row per unit that was assigned suggestions of the scope. An *item* is one unit's part in one
suggestion (its first-round assignment, not cancelled; a re-handling round belongs to the same
item). Every rate is shown with its 95% Wilson score interval, and units are ranked by the interval's
lower bound of the chosen rate — so a unit with 2 of 2 does not outrank one with 38 of 40. Units
with fewer than `min_count` items are listed apart as 样本不足 and not ranked.

Like the congress figures, the whole table comes from one aggregate query (grouped by unit) built
from the same unit-work conditions (`figures.UnitWork`), so the numbers agree with the congress
figures filtered to that unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.congress.models import Congress, Policy
from minyi.suggestions.models import Assignment, Contact, Deadline
from minyi.suggestions.states import AssignmentState, ContactState

from .figures import (
    LOCAL_REPLY_DEADLINES,
    Scope,
    UnitWork,
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
        return self.interval[0] if self.denominator else None

    @property
    def high(self) -> float | None:
        return self.interval[1] if self.denominator else None

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
        gettext_lazy("主办、分办件中，本单位按期签发答复（含重新办理）的件数 ÷ 答复期限已到或已答复的件数。"),
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
    return Q(**{f"{prefix}unit_id": OuterRef("unit")}) & ~Q(**{f"{prefix}state": AssignmentState.CANCELLED})


def unit_league(
    congress: Congress,
    scope: Scope,
    min_count: int = DEFAULT_MIN_COUNT,
    *,
    rank_by: str = "satisfaction",
    policy: Policy | None = None,
) -> League:
    """The league table of the units assigned suggestions in `scope`, in two queries (policy and one
    grouped aggregate)."""
    if rank_by not in RATE_BY_KEY:
        raise ValueError(f"cannot rank by {rank_by!r}")
    policy = policy or policy_of(congress)
    today = scope.today
    work = UnitWork(OuterRef("suggestion"), _same_unit, today, congress)
    count_no_feedback = not policy.no_feedback_excluded

    window_due = Deadline.objects.filter(assignment=OuterRef("pk"), kind=Deadline.Kind.REASSIGN_WINDOW)
    first_contact = (
        Contact.objects.filter(assignment=OuterRef("pk"))
        .exclude(state=ContactState.DISPUTED)
        .order_by("contacted_on", "id")
        .values("contacted_on")[:1]
    )
    items = _items(congress, scope, policy)

    def once(condition) -> Q:
        # evaluated once for all items, as an uncorrelated IN (see figures._SuggestionRows.once)
        return Q(pk__in=items.filter(condition).values("pk"))

    contact_met = once(work.met([Deadline.Kind.FIRST_CONTACT]))
    contact_missed = once(work.missed([Deadline.Kind.FIRST_CONTACT]))
    reply_met, reply_missed = once(work.met(LOCAL_REPLY_DEADLINES)), once(work.missed(LOCAL_REPLY_DEADLINES))
    replied = once(work.replied())
    evaluated = once(work.evaluated(final=True, count_no_feedback=count_no_feedback))
    sign_due = Q(signed_at__isnull=False) | Q(window_due__lt=today)

    parts = {
        "sign_on_time": (Q(signed_on__lte=F("window_due")), sign_due),
        "first_contact_on_time": (contact_met & ~contact_missed, contact_met | contact_missed),
        "reply_on_time": (reply_met & ~reply_missed, reply_met | reply_missed),
        "contact": (replied & once(work.face_to_face()), replied),
        "satisfaction": (
            evaluated & ~once(work.not_satisfied(final=True, count_no_feedback=count_no_feedback)),
            evaluated,
        ),
        "resolution": (replied & ~once(work.final_reply_outside(resolved_classes())), replied),
    }
    aggregates: dict[str, Any] = {
        "assigned": Count("pk"),
        "rehandled": Count("pk", filter=once(work.rehandled())),
        "overdue": Count("pk", filter=once(work.overdue_now())),
        "late": Count("pk", filter=once(work.ever_late())),
        "first_contact_days": Avg(
            ExpressionWrapper(F("first_contact_on") - F("assigned_on"), output_field=DurationField()),
            filter=Q(first_contact_on__isnull=False),
        ),
    }
    for key, (num, den) in parts.items():
        aggregates[f"{key}__n"] = Count("pk", filter=num)
        aggregates[f"{key}__d"] = Count("pk", filter=den)

    grouped = (
        items.alias(
            window_due=Subquery(window_due.order_by("id").values("due_on")[:1]),
            signed_on=TruncDate("signed_at"),
            first_contact_on=Subquery(first_contact),
        )
        .values("unit", "unit__name", "unit__order", "unit__body__name")
        .annotate(**aggregates)
        .order_by("unit__order", "unit__name")
    )
    with reporting_query():
        results = list(grouped)
    rows = [
        UnitRow(
            unit_id=r["unit"],
            name=r["unit__name"],
            body=r["unit__body__name"] or "",
            assigned=r["assigned"],
            rates={key: Rate(r[f"{key}__n"], r[f"{key}__d"]) for key in parts},
            first_contact_days=_days(r["first_contact_days"]),
            rehandled=r["rehandled"],
            overdue=r["overdue"],
            late=r["late"],
        )
        for r in results
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
