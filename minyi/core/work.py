"""待办: the work of every role, gathered from every app, and its counts (issue #12).

Each app that gives people work registers a *provider* in its `AppConfig.ready()`:
``work.register(provider, order=…)``, where ``provider(user, congress, roles)`` returns the
`WorkSection`s of the roles `user` holds in `congress` (an empty list for the others). Providers are
kept here, at the bottom layer, so that the pages that show the work (the 待办 page of the suggestion
app, the congress's home page, the 待办 badge of the menu) read every app's work without importing
the apps above them (decision 0007).

`sections(user, congress)` gives the sections in order (the 待办 page lists their rows);
`work_summary(user, congress)` gives, per section, the number of open items and the nearest due
date, in **one query** whatever the data (every section's count and minimum due date, `UNION ALL`),
so the home page and the menu badge cost the same for a deputy with one draft and a clerk with
thousands of items. The counts are taken over the very querysets the 待办 page lists, so the home
page and the 待办 page cannot disagree (tests compare them for every role).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DateField, IntegerField, Min, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language

from . import versioned
from .kit import roles_of


@dataclass(frozen=True)
class WorkEntry:
    """How one row of an app's own section (one not of the suggestion app's kinds) shows on the
    待办 page."""

    title: str
    url: str
    meta: str = ""
    state: str = ""
    due_on: datetime.date | None = None
    button: str = ""
    number: str = ""


@dataclass
class WorkSection:
    """One 待办 list. `model` tells the page which kind of rows `queryset` holds (the suggestion
    app's kinds: suggestion, cosigner, reply, assignment…; another app's sections give `entry`,
    which turns a row into a `WorkEntry`). `due` is an expression, on the rows of `queryset`, of the
    date by which a row must be done (None: the rows have no time limit); `counted` is False for
    sections shown for information (a deputy's own suggestions in progress), which are no work and
    not in the total; `link` is where the home page sends the user for this section (by default the
    section on the 待办 page)."""

    key: str
    label: Promise
    model: str
    queryset: QuerySet
    due: Any = None
    entry: Callable[[Any], WorkEntry] | None = None
    counted: bool = True
    link: str = ""


#: provider(user, congress, roles) → the sections of those roles.
Provider = Callable[[Any, Any, frozenset[str]], list[WorkSection]]

_PROVIDERS: list[tuple[int, str, Provider]] = []


def register(provider: Provider, *, order: int) -> None:
    """Add an app's provider (once: registering the same function again replaces it). Sections are
    listed by `order`, then in each provider's own order."""
    name = f"{provider.__module__}.{provider.__qualname__}"
    _PROVIDERS[:] = [p for p in _PROVIDERS if p[1] != name]
    _PROVIDERS.append((order, name, provider))
    _PROVIDERS.sort(key=lambda p: (p[0], p[1]))


def sections(user: Any, congress: Any) -> list[WorkSection]:
    """Every 待办 section of the roles `user` holds in `congress`, in order. No query of its own
    beyond the user's memberships (cached for the request); the querysets are lazy."""
    roles = frozenset(roles_of(user, congress))
    if not roles:
        return []
    found: list[WorkSection] = []
    for _order, _name, provider in _PROVIDERS:
        found += provider(user, congress, roles)
    return found


@dataclass(frozen=True)
class SectionCount:
    key: str
    label: Promise
    count: int
    due_on: datetime.date | None
    counted: bool
    link: str


@dataclass(frozen=True)
class WorkSummary:
    """What `user` has to do in `congress`: the sections with their counts, in the 待办 page's order."""

    sections: tuple[SectionCount, ...]

    @property
    def open(self) -> list[SectionCount]:
        """The sections of work with at least one open item (what the home page lists)."""
        return [s for s in self.sections if s.counted and s.count]

    @property
    def info(self) -> list[SectionCount]:
        """The sections shown for information (no work) that have rows: a deputy's suggestions in
        progress, a monthly expectation already met."""
        return [s for s in self.sections if not s.counted and s.count]

    @property
    def total(self) -> int:
        """Open items of every section of work (the badge on the 待办 menu item)."""
        return sum(s.count for s in self.sections if s.counted)

    @property
    def due_on(self) -> datetime.date | None:
        """The nearest due date of all open items."""
        dates = [s.due_on for s in self.open if s.due_on is not None]
        return min(dates) if dates else None

    def count_of(self, key: str) -> int:
        return sum(s.count for s in self.sections if s.key == key)


def _counting(index: int, section: WorkSection) -> QuerySet:
    """One row: the section's number, its row count and the minimum of its rows' due dates."""
    # a typed NULL: PostgreSQL does not match an untyped NULL column with the other parts' dates
    due = section.due if section.due is not None else Cast(Value(None), DateField())
    return (
        section.queryset.order_by()
        .annotate(_work_due=due, _work_section=Value(index, output_field=IntegerField()))
        .values("_work_section")
        .annotate(_work_count=Count("pk"), _work_min_due=Min("_work_due"))
        .values_list("_work_section", "_work_count", "_work_min_due")
    )


def _as_date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])  # SQLite hands back a compound's dates as text


def work_summary(user: Any, congress: Any) -> WorkSummary:
    """Per section of the 待办 page: its open items and their nearest due date. One query (plus the
    user's memberships, cached for the request), whatever the roles and the data. The counts are
    those of the 待办 page: the same querysets."""
    found = sections(user, congress)
    counts: dict[int, tuple[int, datetime.date | None]] = {}
    if found:
        parts = [_counting(i, s) for i, s in enumerate(found)]
        combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for index, count, due in combined:
            counts[index] = (count, _as_date(due))
    return WorkSummary(
        tuple(
            SectionCount(
                key=s.key,
                label=s.label,
                count=counts.get(i, (0, None))[0],
                due_on=counts.get(i, (0, None))[1],
                counted=s.counted,
                link=s.link,
            )
            for i, s in enumerate(found)
        )
    )


def summary_for_request(request: Any) -> WorkSummary | None:
    """`work_summary` of the signed-in user in the request's congress, once per request (the home
    page and the menu badge share it); None outside a congress."""
    congress = getattr(request, "congress", None)
    user = getattr(request, "user", None)
    if congress is None or user is None or not user.is_authenticated:
        return None
    cached = getattr(request, "_minyi_work_summary", None)
    if cached is None or cached[0] != congress.pk:
        # kept under the congress's data version (every change of work is an audited action), the
        # user, the day (sections judged by the month or the day) and the language (issue #13)
        summary = versioned.cached(
            request,
            "work_summary",
            lambda: work_summary(user, congress),
            user.pk,
            timezone.localdate(),
            get_language(),
        )
        cached = (congress.pk, summary)
        request._minyi_work_summary = cached
    return cached[1]


__all__ = [
    "SectionCount",
    "WorkEntry",
    "WorkSection",
    "WorkSummary",
    "register",
    "sections",
    "summary_for_request",
    "work_summary",
]
