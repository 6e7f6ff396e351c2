"""The demo's public site, made through the clerk's and the units' real actions (issue #14):

- the closed 2023 (the history ledger) is published, each suggestion masked as the clerk would
  confirm it, except one withheld by the clerk (a personal matter);
- of this year's closed suggestions, every other one is published; one closed suggestion awaits the
  clerk's decision on a unit's withhold request (so the clerk's 待办 shows one), another was refused;
- the figures of 2023 and of this year are published as of today.

Expects the accounts of `seed_demo` (``clerk``, ``unit1``…) and the suggestions of the earlier
seeders. Call `seed_demo_publication(congress, rng=…)` inside the seeding transaction, last.
"""

from __future__ import annotations

import random

from django.utils import timezone

from minyi.accounts.models import Membership, Role, User
from minyi.congress.models import Congress
from minyi.suggestions.models import Suggestion
from minyi.suggestions.states import SuggestionState

from . import actions as A
from .rules import requesting_units

HISTORY_YEAR = 2023


def _closed(congress: Congress, year: int) -> list[Suggestion]:
    return list(
        Suggestion.objects.filter(congress=congress, year=year, state=SuggestionState.CLOSED)
        .exclude(number="")
        .order_by("seq")
    )


def _unit_worker(congress: Congress, suggestion: Suggestion) -> User | None:
    """A unit handler who may ask to withhold the suggestion (the first that may)."""
    handlers = User.objects.filter(
        memberships__congress=congress, memberships__role=Role.UNIT_HANDLER, memberships__active=True
    ).distinct()
    for user in handlers.filter(
        memberships__unit__in=Membership.objects.filter(congress=congress).values("unit")
    ).order_by("username"):
        if requesting_units(user, suggestion):
            return user
    return None


def seed_demo_publication(congress: Congress, *, rng: random.Random) -> dict[str, int]:
    clerk = User.objects.get(username="clerk", memberships__congress=congress)
    made = {"published": 0, "withheld": 0, "requests": 0, "figures": 0}
    history = _closed(congress, HISTORY_YEAR)
    if history:
        A.do_withhold(history[0], actor=clerk, reason="涉及当事人个人事项，不宜公开。")
        made["withheld"] += 1
        made["published"] += len(A.do_publish_batch(history[1:], actor=clerk).published)
    this_year = _closed(congress, timezone.localdate().year)
    asked = 0 if len(this_year) >= 3 else 2  # units' requests only when there is enough to show
    for index, suggestion in enumerate(this_year):
        if asked < 2:
            worker = _unit_worker(congress, suggestion)
            if worker is not None:
                request = A.do_request_withhold(
                    suggestion,
                    actor=worker,
                    ground="sensitive" if asked == 0 else "personal",
                    reason="答复涉及尚未公布的项目安排，建议暂缓公开。"
                    if asked == 0
                    else "答复中有当事人家庭情况，请勿公开。",
                )
                made["requests"] += 1
                if asked == 1:  # the clerk refused the second one and published
                    A.do_decide_withhold_request(
                        request, actor=clerk, grant=False, note="答复已作遮盖处理，可以公开。"
                    )
                    A.do_publish(suggestion, actor=clerk)
                    made["published"] += 1
                asked += 1
                continue
        if index % 2 == 0:
            made["published"] += len(A.do_publish_batch([suggestion], actor=clerk).published)
    for year in sorted({HISTORY_YEAR, timezone.localdate().year}):
        A.do_publish_figures(congress, actor=clerk, year=year)
        made["figures"] += 1
    del rng  # the choices above are fixed: the same demo every time
    return made
