"""Reads of the awards app: visible rounds, access helpers (404 for missing *and* forbidden), the
nomination rules, conflicts of interest, the ranking, and `awarded_suggestions` for the points app.

Published definitions (shown on the pages and in docs/user-guide/awards-and-points.md):

- `SUGGESTION_RULE`: which suggestions are proposed;
- `UNIT_RULE` and `COMPOSITE_RATES`: which units are proposed and the composite they are ranked by;
- `CONFLICT_RULE`: who may not score whom;
- `RANKING_RULE`: weighted mean, minimum number of scores, shared ranks for ties.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import rules
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import Membership, Role
from minyi.congress.models import Congress, Deputy, Unit

from .models import AwardResult, AwardRound, Criterion, JudgeAssignment, Nominee, Score
from .rules import OVERSIGHT_ROLES, roles_of
from .states import RESULT_STATES, RoundState, Track

SUGGESTION_RULE = _(
    "本季度内办结、最终一轮每份答复均为计入解决率的类别（默认A类）、且领衔代表对最终一轮每份答复的总体评价均为“满意”的建议。"
)
UNIT_RULE = _(
    "本季度立案建议的承办单位中，交办件数不少于“承办单位提名最少交办件数”的，按综合指数从高到低提名，提名数为名额的两倍（与最后一名综合指数相同的一并提名）。"
)
#: The rates of the unit league table (reports.league) that make up the composite.
COMPOSITE_RATES = ("reply_on_time", "contact", "satisfaction", "resolution")
COMPOSITE_RULE = _(
    "综合指数＝按期答复率、见面率、满意率、解决率四项比率各自95%置信区间（Wilson）下限的平均值（没有分母的比率不计入平均）。"
)
CONFLICT_RULE = _(
    "评审回避：评审本人是建议（含并入该建议的建议）的领衔代表或已确认的联名代表的，不评该建议；评审本人在某承办单位、其上级单位或下属单位有角色的，不评该单位。"
)
RANKING_RULE = _(
    "每位评审的得分为各评分项分数按权重的加权平均（0～100分）；候选的得分为完整评分（每个评分项都打了分）的评审得分的平均值，四舍五入保留两位小数。完整评分人数少于本轮“每个候选最少评分人数”的候选不排名，列为“评分不足”。按得分从高到低排名；得分相同的并列同一名次，不用其他规则区分，其后名次顺延（如 1、1、3）。名次在名额以内的获评；并列在名额线上的一并获评。"
)
TWO_PLACES = Decimal("0.01")


# --- visibility and access -------------------------------------------------------------------------


def rounds_visible_to(user: Any, congress: Congress) -> QuerySet[AwardRound]:
    """The rounds `user` may open (twin of ``awards.view_round``)."""
    roles = roles_of(user, congress)
    qs = AwardRound.objects.filter(congress=congress)
    if roles & OVERSIGHT_ROLES:
        return qs
    if not roles:
        return qs.none()
    visible = Q(state=RoundState.PUBLISHED)
    if Role.JUDGE in roles:
        visible |= Q(Exists(JudgeAssignment.objects.filter(round=OuterRef("pk"), judge=user)))
    return qs.filter(visible)


def access_round(user: Any, congress: Congress, pk: Any, *, perm: str = "awards.view_round") -> AwardRound:
    try:
        award_round = AwardRound.objects.select_related("congress").get(congress=congress, pk=int(pk))
    except (AwardRound.DoesNotExist, TypeError, ValueError):
        raise Http404("no such round") from None
    if not rules.has_perm(perm, user, award_round):
        raise Http404("not permitted")
    return award_round


def access_nominee(user: Any, award_round: AwardRound, pk: Any) -> Nominee:
    try:
        return (
            Nominee.objects.select_related("suggestion__lead", "unit")
            .filter(round=award_round)
            .get(pk=int(pk))
        )
    except (Nominee.DoesNotExist, TypeError, ValueError):
        raise Http404("no such nominee") from None


def nominees_of(award_round: AwardRound, *, include_removed: bool = True) -> QuerySet[Nominee]:
    qs = Nominee.objects.filter(round=award_round).select_related(
        "suggestion__lead", "unit", "added_by", "removed_by"
    )
    if not include_removed:
        qs = qs.filter(removed=False)
    return qs.order_by("track", "removed", "id")


def criteria_of(award_round: AwardRound) -> dict[str, list[Criterion]]:
    out: dict[str, list[Criterion]] = {Track.SUGGESTION: [], Track.UNIT: []}
    for c in Criterion.objects.filter(round=award_round).order_by("track", "order", "id"):
        out[c.track].append(c)
    return out


def panel_of(award_round: AwardRound) -> list[JudgeAssignment]:
    return list(JudgeAssignment.objects.filter(round=award_round).select_related("judge").order_by("id"))


def judges_available(congress: Congress) -> QuerySet:
    """Users with the judge role in the congress (candidates for a panel)."""
    from minyi.accounts.models import User

    return (
        User.objects.filter(
            memberships__congress=congress, memberships__role=Role.JUDGE, memberships__active=True
        )
        .distinct()
        .order_by("full_name", "username")
    )


# --- nomination rules ------------------------------------------------------------------------------


def _instant(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def suggestion_candidates(award_round: AwardRound) -> list[tuple[Any, dict[str, Any]]]:
    """The suggestions that `SUGGESTION_RULE` proposes for the round, with the facts behind each."""
    from minyi.suggestions.selectors import closed_resolved_and_satisfied

    start, end = award_round.bounds
    qs = closed_resolved_and_satisfied(
        award_round.congress, _instant(start), _instant(end + datetime.timedelta(days=1))
    )
    return [
        (
            s,
            {
                "number": s.number,
                "closed_on": timezone.localdate(s.closed_at).isoformat(),
                "rating": "satisfied",
                "round": s.round,
            },
        )
        for s in qs
    ]


def composite_of(row: Any) -> float | None:
    """The published composite (`COMPOSITE_RULE`) of a unit league row."""
    lows = [row.rates[key].low for key in COMPOSITE_RATES if row.rates[key].denominator]
    if not lows:
        return None
    return sum(lows) / len(lows)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def unit_candidates(award_round: AwardRound) -> list[tuple[Unit, dict[str, Any]]]:
    """The units that `UNIT_RULE` proposes: the quarter's league table (minimum count applied),
    ranked by the composite; twice the quota, ties at the boundary included."""
    from minyi.reports.figures import Scope
    from minyi.reports.league import unit_league

    start, end = award_round.bounds
    league = unit_league(award_round.congress, Scope.between(start, end), award_round.unit_min_count)
    scored: list[tuple[float, Any]] = []
    for row in league.ranked:
        value = composite_of(row)
        if value is not None:
            scored.append((value, row))
    scored.sort(key=lambda pair: (-pair[0], pair[1].name))
    limit = award_round.unit_quota * 2
    boundary = scored[min(limit, len(scored)) - 1][0] if scored else None
    chosen = [pair for i, pair in enumerate(scored) if i < limit or pair[0] == boundary]
    units = Unit.objects.in_bulk([row.unit_id for _value, row in chosen])
    return [
        (
            units[row.unit_id],
            {
                "assigned": row.assigned,
                "composite": round(value, 4),
                "rates": {
                    key: {
                        "numerator": row.rates[key].numerator,
                        "denominator": row.rates[key].denominator,
                        "low": _rounded(row.rates[key].low),
                    }
                    for key in COMPOSITE_RATES
                },
            },
        )
        for value, row in chosen
    ]


# --- conflicts of interest -------------------------------------------------------------------------


def _suggestion_interests(suggestion_ids: set[int]) -> dict[int, set[int]]:
    """For each suggestion: the user ids of its lead and confirmed co-signers, and those of the
    suggestions merged into it."""
    from minyi.suggestions.selectors import confirmed_cosigners, suggestions_with_merged

    out: dict[int, set[int]] = {pk: set() for pk in suggestion_ids}
    if not suggestion_ids:
        return out
    family = {}  # suggestion id → the nominee suggestion it belongs to
    for pk, main_id, lead_user in suggestions_with_merged(suggestion_ids).values_list(
        "pk", "main_id", "lead__user_id"
    ):
        owner = pk if pk in suggestion_ids else main_id
        family[pk] = owner
        if lead_user:
            out[owner].add(lead_user)
    for suggestion_id, user_id in (
        confirmed_cosigners(list(family))
        .filter(deputy__user__isnull=False)
        .values_list("suggestion_id", "deputy__user_id")
    ):
        out[family[suggestion_id]].add(user_id)
    return out


def _unit_family(unit: Unit) -> set[int]:
    return {pk for pk in (unit.pk, unit.parent_id, unit.body_id) if pk}


def _user_units(
    user_ids: Iterable[int], congress: Congress
) -> dict[int, list[tuple[int, int | None, int | None]]]:
    out: dict[int, list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for user_id, unit_id, parent_id, body_id in Membership.objects.filter(
        user_id__in=list(user_ids), congress=congress, active=True, unit__isnull=False
    ).values_list("user_id", "unit_id", "unit__parent_id", "unit__body_id"):
        out[user_id].append((unit_id, parent_id, body_id))
    return out


def conflicts(
    award_round: AwardRound, nominees: Iterable[Nominee], judge_ids: Iterable[int]
) -> set[tuple[int, int]]:
    """The (nominee id, judge user id) pairs excluded by `CONFLICT_RULE`."""
    nominees = list(nominees)
    judge_ids = set(judge_ids)
    pairs: set[tuple[int, int]] = set()
    interests = _suggestion_interests({n.suggestion_id for n in nominees if n.suggestion_id})
    units = _user_units(judge_ids, award_round.congress)
    for n in nominees:
        if n.track == Track.SUGGESTION:
            for judge_id in interests.get(n.suggestion_id or 0, set()) & judge_ids:
                pairs.add((n.pk, judge_id))
        elif n.unit is not None:
            unit = n.unit
            for judge_id in judge_ids:
                for unit_id, parent_id, body_id in units.get(judge_id, []):
                    # the judge's unit is the nominee, one of its ancestors, or beneath it
                    if unit_id in _unit_family(unit) or unit.pk in (parent_id, body_id):
                        pairs.add((n.pk, judge_id))
    return pairs


def is_conflicted(award_round: AwardRound, nominee: Nominee, judge: Any) -> bool:
    return (nominee.pk, judge.pk) in conflicts(award_round, [nominee], [judge.pk])


def deputy_record_of(user: Any, congress: Congress) -> Deputy | None:
    return Deputy.objects.filter(congress=congress, user=user).first() if getattr(user, "pk", None) else None


# --- scores and ranking ----------------------------------------------------------------------------


@dataclass
class ResultRow:
    nominee: Nominee
    score: Decimal | None
    sheets: int
    rank: int | None = None
    awarded: bool = False
    excluded: int = 0  # judges who may not score this nominee

    @property
    def insufficient(self) -> bool:
        return self.score is None


@dataclass
class Results:
    award_round: AwardRound
    tracks: dict[str, list[ResultRow]] = field(default_factory=dict)

    def rows(self, track: str) -> list[ResultRow]:
        return self.tracks.get(track, [])


def sheet_value(criteria: list[Criterion], values: dict[int, int]) -> Decimal:
    """One judge's weighted mean over the track's criteria."""
    total_weight = sum(c.weight for c in criteria)
    return Decimal(sum(c.weight * values[c.pk] for c in criteria)) / Decimal(total_weight)


def shared_ranks(values: list[Any]) -> list[int]:
    """Competition ranks (1, 1, 3) of `values`, already sorted from best to worst: equal values share
    a rank and the next rank skips the tied places."""
    ranks: list[int] = []
    for i, value in enumerate(values):
        ranks.append(ranks[-1] if i and values[i - 1] == value else i + 1)
    return ranks


def compute_results(award_round: AwardRound) -> Results:
    """The ranking of every track from the scores as they are now (`RANKING_RULE`)."""
    criteria = criteria_of(award_round)
    nominees = list(nominees_of(award_round, include_removed=False))
    sheets: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for nominee_id, judge_id, criterion_id, value in Score.objects.filter(
        nominee__round=award_round, nominee__removed=False
    ).values_list("nominee_id", "judge_id", "criterion_id", "value"):
        sheets[(nominee_id, judge_id)][criterion_id] = value
    judge_ids = {j.judge_id for j in panel_of(award_round)}
    excluded = conflicts(award_round, nominees, judge_ids)
    results = Results(award_round)
    for track in Track.values:
        track_criteria = criteria[track]
        wanted = {c.pk for c in track_criteria}
        rows: list[ResultRow] = []
        for n in (n for n in nominees if n.track == track):
            complete = [
                sheet_value(track_criteria, values)
                for (nominee_id, judge_id), values in sheets.items()
                if nominee_id == n.pk
                and wanted
                and set(values) >= wanted
                and (n.pk, judge_id) not in excluded
            ]
            score = None
            if len(complete) >= award_round.min_scores and complete:
                score = (sum(complete, Decimal(0)) / len(complete)).quantize(
                    TWO_PLACES, rounding=ROUND_HALF_UP
                )
            rows.append(
                ResultRow(
                    nominee=n,
                    score=score,
                    sheets=len(complete),
                    excluded=sum(1 for j in judge_ids if (n.pk, j) in excluded),
                )
            )
        ranked = sorted(
            (r for r in rows if r.score is not None), key=lambda r: (-(r.score or 0), str(r.nominee))
        )
        for row, rank in zip(ranked, shared_ranks([r.score for r in ranked]), strict=True):
            row.rank = rank
            row.awarded = rank <= award_round.quota(track)
        unranked = sorted((r for r in rows if r.score is None), key=lambda r: (-r.sheets, str(r.nominee)))
        results.tracks[track] = [*ranked, *unranked]
    return results


def stored_results(award_round: AwardRound) -> Results:
    """The results kept when scoring closed (rounds in `RESULT_STATES`)."""
    results = Results(award_round, {track: [] for track in Track.values})
    if award_round.state not in RESULT_STATES:
        return results
    rows = AwardResult.objects.filter(round=award_round).select_related(
        "nominee__suggestion__lead", "nominee__unit"
    )
    for r in rows:
        results.tracks[r.nominee.track].append(
            ResultRow(nominee=r.nominee, score=r.score, sheets=r.sheets, rank=r.rank, awarded=r.awarded)
        )
    for track, track_rows in results.tracks.items():
        track_rows.sort(key=lambda row: (row.rank is None, row.rank or 0, -row.sheets, str(row.nominee)))
        results.tracks[track] = track_rows
    return results


@dataclass
class JudgeProgress:
    judge: Any
    done: int
    due: int


def panel_progress(award_round: AwardRound) -> list[JudgeProgress]:
    """For each judge: nominees fully scored, out of those they may score."""
    criteria = criteria_of(award_round)
    nominees = list(nominees_of(award_round, include_removed=False))
    panel = panel_of(award_round)
    excluded = conflicts(award_round, nominees, {j.judge_id for j in panel})
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for nominee_id, judge_id in Score.objects.filter(
        nominee__round=award_round, nominee__removed=False
    ).values_list("nominee_id", "judge_id"):
        counts[(nominee_id, judge_id)] += 1
    out = []
    for j in panel:
        due = [n for n in nominees if (n.pk, j.judge_id) not in excluded]
        done = sum(
            1 for n in due if criteria[n.track] and counts[(n.pk, j.judge_id)] >= len(criteria[n.track])
        )
        out.append(JudgeProgress(judge=j.judge, done=done, due=len(due)))
    return out


@dataclass
class ScoringItem:
    nominee: Nominee
    conflicted: bool
    values: dict[int, int]
    complete: bool


def scoring_sheet(award_round: AwardRound, judge: Any) -> list[ScoringItem]:
    """What one judge sees on the scoring page: every nominee, whether they must abstain, and their
    own scores so far."""
    criteria = criteria_of(award_round)
    nominees = list(nominees_of(award_round, include_removed=False))
    excluded = conflicts(award_round, nominees, [judge.pk])
    mine: dict[int, dict[int, int]] = defaultdict(dict)
    for nominee_id, criterion_id, value in Score.objects.filter(
        nominee__round=award_round, judge=judge
    ).values_list("nominee_id", "criterion_id", "value"):
        mine[nominee_id][criterion_id] = value
    return [
        ScoringItem(
            nominee=n,
            conflicted=(n.pk, judge.pk) in excluded,
            values=mine.get(n.pk, {}),
            complete=bool(criteria[n.track]) and set(mine.get(n.pk, {})) >= {c.pk for c in criteria[n.track]},
        )
        for n in nominees
    ]


def scores_of_nominee(nominee: Nominee, judge: Any) -> dict[int, int]:
    return dict(Score.objects.filter(nominee=nominee, judge=judge).values_list("criterion_id", "value"))


# --- for the points app ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardedSuggestion:
    suggestion_id: int
    round_id: int
    round_title: str
    period: str  # "2026Q3"
    date: datetime.date  # the last day of the round's quarter


def awarded_suggestions(
    congress: Congress, start: datetime.date, end: datetime.date
) -> list[AwardedSuggestion]:
    """Suggestions awarded 优秀建议 in published rounds whose quarter ends between `start` and `end`
    (inclusive). An award counts on the last day of the quarter it judges."""
    out = []
    rounds = AwardRound.objects.filter(congress=congress, state=RoundState.PUBLISHED).prefetch_related(
        Prefetch(
            "nominees",
            queryset=Nominee.objects.filter(track=Track.SUGGESTION, removed=False, result__awarded=True),
            to_attr="winners",
        )
    )
    for r in rounds:
        day = r.bounds[1]
        if not start <= day <= end:
            continue
        for n in r.winners:  # type: ignore[attr-defined]
            if n.suggestion_id is not None:
                out.append(AwardedSuggestion(n.suggestion_id, r.pk, r.title, r.period_code, day))
    return sorted(out, key=lambda a: (a.date, a.round_id, a.suggestion_id))
