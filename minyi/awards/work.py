"""The awards app's 待办 section (`minyi.core.work`, registered in `apps.py`; issue #12): a judge's
candidates awaiting their score — nominees (not removed) of rounds being scored on whose panel the
user sits, not yet scored by them on every criterion of their track, and not excluded by the
conflict-of-interest rule (`selectors.conflicts`, here as SQL: the judge leads or co-signs the
suggestion or one merged into it; the judge works for the unit, one of its ancestors or a unit
beneath it). The scoring page lists the same nominees as "to score"."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from minyi.accounts.models import Membership, Role
from minyi.congress.models import Congress
from minyi.core.work import WorkEntry, WorkSection
from minyi.suggestions.selectors import suggestions_of_interest_to

from .models import Criterion, JudgeAssignment, Nominee, Score, Track
from .states import RoundState


def awaiting_score(user: Any, congress: Congress):
    """The nominees `user` still has to score in `congress` (see the module's docstring)."""
    unscored = Criterion.objects.filter(round=OuterRef("round"), track=OuterRef("track")).exclude(
        Exists(Score.objects.filter(nominee=OuterRef(OuterRef("pk")), judge=user, criterion=OuterRef("pk")))
    )
    interests = suggestions_of_interest_to(user)
    unit_conflict = Membership.objects.filter(
        user=user, congress=congress, active=True, unit__isnull=False
    ).filter(
        Q(unit=OuterRef("unit"))
        | Q(unit=OuterRef("unit__parent"))
        | Q(unit=OuterRef("unit__body"))
        | Q(unit__parent=OuterRef("unit"))
        | Q(unit__body=OuterRef("unit"))
    )
    conflicted = (
        Q(track=Track.SUGGESTION)
        & (
            Q(suggestion__in=interests.values("pk"))
            # no NULL in the list: under NOT, `x IN (…, NULL)` would drop every other row too
            | Q(suggestion__in=interests.filter(main_id__isnull=False).values("main_id"))
        )
    ) | (Q(track=Track.UNIT) & Exists(unit_conflict))
    panels = JudgeAssignment.objects.filter(judge=user, round__congress=congress).values("round")
    return (
        Nominee.objects.filter(
            round__congress=congress, round__state=RoundState.SCORING, round__in=panels, removed=False
        )
        .filter(Exists(unscored))
        .exclude(conflicted)
        .select_related("round", "suggestion", "unit")
        .order_by("round__scoring_deadline", "track", "id")
    )


def _entry(congress: Congress):
    def entry(nominee: Nominee) -> WorkEntry:
        award_round = nominee.round
        return WorkEntry(
            title=str(nominee),
            url=reverse("awards:score", args=[congress.code, award_round.pk, nominee.pk]),
            meta=f"{award_round.title} · {nominee.get_track_display()}",
            state=str(gettext_lazy("待评分")),
            due_on=timezone.localdate(award_round.scoring_deadline),
            button=str(gettext_lazy("评分")),
            number=nominee.suggestion.number if nominee.suggestion_id and nominee.suggestion else "",
        )

    return entry


def work_sections(user: Any, congress: Congress, roles: frozenset[str]) -> list[WorkSection]:
    if Role.JUDGE not in roles:  # panels are drawn from the judges (`selectors.judges_available`)
        return []
    return [
        WorkSection(
            "to_score",
            gettext_lazy("待评分的评选候选"),
            "nominee",
            awaiting_score(user, congress),
            due=TruncDate("round__scoring_deadline"),
            entry=_entry(congress),
        )
    ]
