"""Demo award rounds for the fictional demo congress, made through the real actions:

- the last quarter's round, finished and published: the nominees proposed by the published rules
  plus suggestions and units added by the admin — suggestions of that quarter only (closed in it, or
  accepted in it when not closed: `quarter_day`), five judges who scored every nominee, results
  approved and published;
- the current quarter's round, being scored: judges ``judge1`` and ``judge2`` have scored, the others
  have not (so a judge who signs in finds work to do).

Expects the accounts of `seed_demo` (``admin``, ``judge1``…) and the demo suggestions
(`minyi.suggestions.demo.seed_demo_suggestions`). Call `seed_demo_awards(congress, rng=…)` inside the
seeding transaction, after the suggestions.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from minyi.accounts.models import Membership, Role, User
from minyi.congress.models import Congress, Unit
from minyi.core.periods import Period
from minyi.suggestions.models import Suggestion
from minyi.suggestions.selectors import nominable_suggestions
from minyi.suggestions.states import SuggestionState

from . import actions as A
from .models import AwardRound
from .selectors import criteria_of, nominees_of

SUGGESTION_REASONS = [
    "问题反映准确，建议具体可行，办理成效明显。",
    "代表深入调研，提出的措施被承办单位采纳。",
    "群众关注度高，推动解决了一批实际问题。",
    "选题紧扣重点工作，建议针对性强。",
]
UNIT_REASONS = [
    "办前主动联系代表，答复及时。",
    "办理态度认真，承诺事项按期落实。",
    "协调多部门联合办理，代表满意。",
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _judges(congress: Congress) -> list[User]:
    judges = list(
        User.objects.filter(
            memberships__congress=congress, memberships__role=Role.JUDGE, username__startswith="judge"
        )
        .distinct()
        .order_by("username")
    )
    if len(judges) < 3:
        raise RuntimeError(f"{congress.code} needs at least 3 demo judges (judge1…)")
    return judges


def quarter_day(s: Suggestion) -> datetime.date:
    """The day that puts a suggestion in a quarter's round: when it was closed, else accepted."""
    moment = s.closed_at or s.accepted_at
    assert moment is not None  # nominable suggestions are accepted
    return timezone.localdate(moment)


def _candidates(congress: Congress, rng: random.Random, n: int, period: Period) -> list[Suggestion]:
    pool = [s for s in nominable_suggestions(congress).order_by("pk") if period.contains(quarter_day(s))]
    preferred = [
        s
        for s in pool
        if s.state in (SuggestionState.CLOSED, SuggestionState.EVALUATED, SuggestionState.REPLIED)
    ]
    rest = [s for s in pool if s not in preferred]
    return (preferred + rng.sample(rest, len(rest)))[:n]


def _units(congress: Congress, n: int) -> list[Unit]:
    handlers = Membership.objects.filter(congress=congress, role=Role.UNIT_HANDLER).values_list(
        "unit_id", flat=True
    )
    return list(
        Unit.objects.filter(congress=congress, pk__in=handlers, assignments__isnull=False)
        .distinct()
        .order_by("order")[:n]
    )


def _nominate(
    award_round: AwardRound, admin: User, rng: random.Random, n_suggestions: int, n_units: int
) -> None:
    congress = award_round.congress
    present = {(n.suggestion_id, n.unit_id) for n in nominees_of(award_round)}
    period = Period(award_round.year, award_round.quarter)
    for i, s in enumerate(_candidates(congress, rng, n_suggestions, period)):
        if (s.pk, None) not in present:
            A.do_add_nominee(
                award_round, actor=admin, suggestion=s, reason=SUGGESTION_REASONS[i % len(SUGGESTION_REASONS)]
            )
    for i, unit in enumerate(_units(congress, n_units)):
        if (None, unit.pk) not in present:
            A.do_add_nominee(award_round, actor=admin, unit=unit, reason=UNIT_REASONS[i % len(UNIT_REASONS)])


def _score(award_round: AwardRound, judges: list[User], rng: random.Random) -> None:
    criteria = criteria_of(award_round)
    nominees = list(nominees_of(award_round, include_removed=False))
    # a quality per nominee, so that judges broadly agree; two nominees get the same scores (a tie)
    quality = {n.pk: rng.randint(70, 95) for n in nominees}
    suggestions = [n for n in nominees if n.track == "suggestion"]
    if len(suggestions) >= 3:
        quality[suggestions[2].pk] = quality[suggestions[1].pk]
    for judge in judges:
        spread = rng.randint(-3, 3)
        for n in nominees:
            base = quality[n.pk] + spread
            same = (
                n.track == "suggestion"
                and len(suggestions) >= 3
                and n.pk in (suggestions[1].pk, suggestions[2].pk)
            )
            values = {
                c.pk: max(0, min(100, base if same else base + rng.randint(-4, 4))) for c in criteria[n.track]
            }
            A.do_score_nominee(n, actor=judge, values=values)


def seed_demo_awards(congress: Congress, *, rng: random.Random) -> list[AwardRound]:
    admin = _user("admin")
    judges = _judges(congress)
    today = timezone.localdate()
    rounds = []

    last = Period.last_quarter(today)
    finished = A.do_create_round(
        congress,
        actor=admin,
        year=last.year,
        quarter=last.quarter or 4,
        scoring_deadline=timezone.now() + datetime.timedelta(hours=2),
        suggestion_quota=2,
        unit_quota=1,
    )
    A.do_open_nominations(finished, actor=admin)
    _nominate(finished, admin, rng, 4, 3)
    for judge in judges:
        A.do_assign_judge(finished, actor=admin, judge=judge)
    A.do_start_scoring(finished, actor=admin)
    _score(finished, judges, rng)
    A.do_close_scoring(finished, actor=admin)
    A.do_approve_results(finished, actor=admin, note="经主任会议审定。")
    A.do_publish_results(finished, actor=admin)
    rounds.append(AwardRound.objects.get(pk=finished.pk))

    current = Period.current()
    running = A.do_create_round(
        congress,
        actor=admin,
        year=current.year,
        quarter=current.quarter or 4,
        scoring_deadline=timezone.localtime(timezone.now() + datetime.timedelta(days=14)).replace(
            hour=17, minute=0, second=0, microsecond=0
        ),
    )
    A.do_open_nominations(running, actor=admin)
    _nominate(running, admin, rng, 3, 2)
    for judge in judges:
        A.do_assign_judge(running, actor=admin, judge=judge)
    A.do_start_scoring(running, actor=admin)
    _score(running, judges[:2], rng)
    rounds.append(AwardRound.objects.get(pk=running.pk))
    return rounds
