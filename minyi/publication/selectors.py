"""What the public site reads (`views_public.py`): published rows of the publication app's tables,
the congress's taxonomies for the filters, and the public parts of key themes and award rounds.

Every read starts from a congress's primary key (`PublicCongress.pk`, found by its code in
`site.py`) and a published state, so nothing withheld, retracted, never published or of another
congress can be read here. A list costs a fixed number of queries whatever the amount of data: the
replies of a page come in one prefetch, with their unit and result class joined.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from minyi.congress.models import Category, Congress, ResultClass, Unit
from minyi.core.pages import CountedPaginator
from minyi.core.versioned import TIMEOUT, digest
from minyi.suggestions.models import Rating
from minyi.textsearch.search import highlight

from . import public_search
from .models import Publication, PublicationState, PublishedFigures, PublishedReply

PER_PAGE = 20
#: A list shows at most this many suggestions (500 pages): more are counted as "more than"; the
#: visitor narrows by year or words. The search reads at most `public_search.MAX_MATCHES`.
MAX_LISTED = 10_000
#: The longest search text looked for (a longer one is cut; at most twelve of its words are used).
MAX_QUERY = 50
#: At most this many rows in one download (one year of a county's suggestions is far fewer).
MAX_DOWNLOAD_ROWS = 10_000
#: At most this many replies in the Atom feed.
FEED_ITEMS = 50
SATISFACTION = dict(Rating.choices)


def published(site_pk: int) -> QuerySet[Publication]:
    """The congress's published suggestions, newest first."""
    return Publication.objects.filter(congress_id=site_pk, state=PublicationState.PUBLISHED)


def _replies() -> Prefetch:
    return Prefetch(
        "replies",
        queryset=PublishedReply.objects.select_related("unit", "result_class").order_by("round", "id"),
    )


def with_replies(qs: QuerySet[Publication]) -> QuerySet[Publication]:
    return qs.select_related("category").prefetch_related(_replies())


def labelled(publications: Iterable[Publication]) -> list[Publication]:
    """The publications, each prefetched reply given `satisfaction_label` (满意…, or "")."""
    rows = list(publications)
    for p in rows:
        for r in p.replies.all():
            r.satisfaction_label = SATISFACTION.get(r.satisfaction, "")  # type: ignore[attr-defined]
    return rows


# --- the list and its filters ----------------------------------------------------------------------


@dataclass
class Filters:
    """The list's filters as read from the query string (bad values are ignored, never an error)."""

    year: int | None = None
    category: int | None = None
    unit: int | None = None
    result: int | None = None
    satisfaction: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        def number(name: str) -> int | None:
            value = (params.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

        satisfaction = params.get("satisfaction") or ""
        return cls(
            year=number("year"),
            category=number("category"),
            unit=number("unit"),
            result=number("result"),
            satisfaction=satisfaction if satisfaction in SATISFACTION else "",
            q=" ".join((params.get("q") or "").split())[:MAX_QUERY],
        )

    @property
    def narrows(self) -> bool:
        """Whether a filter besides the search text is set."""
        return any([self.year, self.category, self.unit, self.result, self.satisfaction])

    @property
    def active(self) -> bool:
        return any([self.year, self.category, self.unit, self.result, self.satisfaction, self.q])

    def apply(self, qs: QuerySet[Publication]) -> QuerySet[Publication]:
        """Every filter but the search text (`q`: `page_of` asks the full-text index)."""
        if self.year:
            qs = qs.filter(year=self.year)
        if self.category:
            qs = qs.filter(category_id=self.category)
        reply = Q()
        if self.unit:
            reply &= Q(unit_id=self.unit)
        if self.result:
            reply &= Q(result_class_id=self.result)
        if self.satisfaction:
            reply &= Q(satisfaction=self.satisfaction)
        if reply:
            # One reply must match every reply filter (the same letter: its unit, class and rating).
            qs = qs.filter(Exists(PublishedReply.objects.filter(reply, publication=OuterRef("pk"))))
        return qs


@dataclass
class Choices:
    years: list[int] = field(default_factory=list)
    categories: list[tuple[int, str]] = field(default_factory=list)
    units: list[tuple[int, str]] = field(default_factory=list)
    results: list[tuple[int, str]] = field(default_factory=list)
    satisfaction: list[tuple[str, str]] = field(default_factory=list)


#: The years offered are at most this many, the newest (a DISTINCT over every published row would
#: grow with the data; this is one probe of the index per year).
MAX_YEARS = 40


def published_years(site_pk: int) -> list[int]:
    """The years that have published suggestions, newest first: the newest year by the index
    (congress, state, year), then one EXISTS per year below it — two statements of index probes,
    whatever the number of rows."""
    newest = published(site_pk).order_by("-year").values_list("year", flat=True).first()
    if newest is None:
        return []
    span = range(newest, newest - MAX_YEARS, -1)
    row = (
        Congress.objects.filter(pk=site_pk)
        .annotate(**{f"y{y}": Exists(published(site_pk).filter(year=y)) for y in span})
        .values_list(*(f"y{y}" for y in span))
        .first()
    )
    return [y for y, held in zip(span, row or (), strict=False) if held]


def choices(site_pk: int) -> Choices:
    """The filters' options: the years that have published suggestions and the congress's active
    categories, handling units and result classes (four queries)."""
    return Choices(
        years=published_years(site_pk),
        categories=list(
            Category.objects.filter(congress_id=site_pk, active=True)
            .order_by("order", "id")
            .values_list("pk", "name")
        ),
        units=list(
            Unit.objects.filter(congress_id=site_pk, active=True)
            .order_by("order", "name")
            .values_list("pk", "name")
        ),
        results=[
            (pk, f"{code} {name}")
            for pk, code, name in ResultClass.objects.filter(congress_id=site_pk, active=True)
            .order_by("order", "id")
            .values_list("pk", "code", "name")
        ],
        satisfaction=[(value, str(label)) for value, label in Rating.choices],
    )


def page_of(site_pk: int, filters: Filters, number: Any, *, version: int) -> Page:
    """One page of the filtered list: a count, the page's rows and their replies (three queries).
    The count is kept under the congress's data `version` and the filters, so paging through a
    long list counts its rows once per change of the data, not once per page. With a search text
    (`q`), the list is the full-text index's matches (`public_search`, at most `MAX_MATCHES`, best
    first) that pass the other filters: the page's `matches` says which words were looked for."""
    if filters.q:
        return _search_page(site_pk, filters, number, version=version)
    qs = with_replies(filters.apply(published(site_pk)).order_by("-published_at", "-id"))
    key = f"minyi.v1:public-count:{site_pk}.{version}:{digest(asdict(filters))}"
    total = cache.get(key)
    if total is None:
        # counted up to MAX_LISTED: a bounded count (and so a bounded last page), whatever the data
        total = qs.order_by()[: MAX_LISTED + 1].count()
        cache.set(key, total, TIMEOUT)
    page = CountedPaginator(qs, PER_PAGE, count=min(total, MAX_LISTED)).get_page(number)
    page.object_list = labelled(page.object_list)
    page.matches = None  # type: ignore[attr-defined]
    page.more = total > MAX_LISTED  # type: ignore[attr-defined]
    return page


def _search_page(site_pk: int, filters: Filters, number: Any, *, version: int) -> Page:
    matches = public_search.search(site_pk, filters.q, version=version)
    ids = matches.ids
    if ids and filters.narrows:
        passing = set(filters.apply(published(site_pk)).filter(pk__in=ids).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk in passing]
    page = Paginator(ids, PER_PAGE).get_page(number)
    rows = with_replies(published(site_pk).filter(pk__in=list(page.object_list))).in_bulk()
    shown = labelled([rows[pk] for pk in page.object_list if pk in rows])
    for p in shown:
        p.title_marked = highlight(p.title, matches.tokens)  # type: ignore[attr-defined]
    page.object_list = shown  # type: ignore[assignment]
    page.matches = matches  # type: ignore[attr-defined]
    page.more = False  # type: ignore[attr-defined]
    return page


def latest(site_pk: int, n: int = 5) -> list[Publication]:
    return labelled(with_replies(published(site_pk).order_by("-published_at", "-id"))[:n])


# --- one suggestion --------------------------------------------------------------------------------


def published_one(site_pk: int, pk: Any) -> Publication:
    """A published suggestion of the congress with its replies, or 404 (missing, withheld,
    retracted, never published and another congress's alike)."""
    found = with_replies(published(site_pk).filter(pk=pk)).first()
    if found is None:
        raise Http404
    labelled([found])
    return found


def handling_units(publication: Publication) -> list[Unit]:
    seen: dict[int, Unit] = {}
    for reply in publication.replies.all():
        seen.setdefault(reply.unit_id, reply.unit)
    return list(seen.values())


# --- the feed and the open data --------------------------------------------------------------------


def recent_replies(site_pk: int, limit: int = FEED_ITEMS) -> list[PublishedReply]:
    """The latest published replies (of published suggestions), newest publication first."""
    return list(
        PublishedReply.objects.filter(
            publication__congress_id=site_pk, publication__state=PublicationState.PUBLISHED
        )
        .select_related("publication", "unit", "result_class")
        .order_by("-publication__published_at", "-round", "-id")[:limit]
    )


def year_rows(site_pk: int, year: int) -> Iterator[Publication]:
    """Every published suggestion of one year, with its replies, in number order (bounded by
    `MAX_DOWNLOAD_ROWS`)."""
    qs = with_replies(published(site_pk).filter(year=year).order_by("number", "id"))[:MAX_DOWNLOAD_ROWS]
    yield from qs


# --- figures ---------------------------------------------------------------------------------------


def figures_years(site_pk: int) -> list[int]:
    return list(
        PublishedFigures.objects.filter(congress_id=site_pk)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def figures_of(site_pk: int, year: int) -> PublishedFigures | None:
    """The latest figures the clerk published for the year, or None."""
    return (
        PublishedFigures.objects.filter(congress_id=site_pk, year=year)
        .order_by("-published_at", "-id")
        .first()
    )


@dataclass
class FigureRow:
    key: str
    label: str
    value: float | int | None
    numerator: int | None
    denominator: int | None
    definition: str

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def percent(self) -> float | None:
        if not self.is_rate or self.value is None:
            return None
        return float(self.value) * 100


def figure_rows(payload: dict[str, Any], language: str | None = None) -> list[FigureRow]:
    """The figures of a published payload, whichever shape the engine gave it: the portal's list
    (`reports.dashboard.published_figures`), an overview's dump (`figures.items`) or
    `Figures.as_dict()` (`figures` keyed by figure, `definitions` apart). Labels and definitions in
    `language` when the payload carries them (`translations`), else as frozen."""
    raw = payload.get("figures")
    items: list[dict[str, Any]]
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, dict) and isinstance(raw.get("items"), list):
        items = raw["items"]
    elif isinstance(raw, dict):
        definitions = payload.get("definitions") or {}
        items = [
            {"key": k, **v, "definition": definitions.get(k, "")}
            for k, v in raw.items()
            if isinstance(v, dict)
        ]
    else:
        items = []
    translated = (payload.get("translations") or {}).get(language or "", {})
    rows = []
    for item in items:
        key = str(item.get("key", ""))
        other = translated.get(key, {})
        rows.append(
            FigureRow(
                key=key,
                label=str(other.get("label") or item.get("label", key)),
                value=item.get("value"),
                numerator=item.get("numerator"),
                denominator=item.get("denominator"),
                definition=str(other.get("definition") or item.get("definition", "")),
            )
        )
    return rows


def as_of_of(row: PublishedFigures) -> datetime.date:
    return row.as_of


# --- key themes and awards -------------------------------------------------------------------------


@dataclass
class PublicTheme:
    name: str
    year: int
    total: int
    replied: int
    closed: int
    label: str
    members: list[Publication]

    @property
    def percent_closed(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


def theme_years(site_pk: int) -> list[int]:
    from minyi.supervision.models import KeyTheme

    return list(
        KeyTheme.objects.filter(congress_id=site_pk)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def public_themes(site_pk: int, year: int) -> list[PublicTheme]:
    """The year's key themes: name, progress counts (as the supervision module counts them) and the
    member suggestions that are published — nothing of the plan, leaders' instructions or records.
    Three queries plus the progress's two."""
    from minyi.congress.models import Policy
    from minyi.suggestions.warnings import WarningClock
    from minyi.supervision.models import KeyTheme, ThemeSuggestion
    from minyi.supervision.selectors import theme_progress

    themes = list(KeyTheme.objects.filter(congress_id=site_pk, year=year).order_by("name", "id"))
    if not themes:
        return []
    policy = Policy.objects.filter(congress_id=site_pk).first() or Policy(congress_id=site_pk)
    progress = theme_progress(themes, WarningClock(policy).bounds)
    members: dict[int, list[Publication]] = {t.pk: [] for t in themes}
    pairs = ThemeSuggestion.objects.filter(theme__in=themes).values_list("theme_id", "suggestion_id")
    by_suggestion: dict[int, list[int]] = {}
    for theme_id, suggestion_id in pairs:
        by_suggestion.setdefault(suggestion_id, []).append(theme_id)
    for pub in published(site_pk).filter(suggestion_id__in=list(by_suggestion)).order_by("number", "id"):
        for theme_id in by_suggestion[pub.suggestion_id]:
            members[theme_id].append(pub)
    return [
        PublicTheme(
            name=t.name,
            year=t.year,
            total=progress[t.pk].total,
            replied=progress[t.pk].replied,
            closed=progress[t.pk].closed,
            label=progress[t.pk].label,
            members=members[t.pk],
        )
        for t in themes
    ]


@dataclass
class PublicResult:
    track: str
    rank: int | None
    unit_name: str = ""
    publication: Publication | None = None


@dataclass
class PublicRound:
    title: str
    period: str
    published_at: datetime.datetime | None
    suggestions: list[PublicResult]
    units: list[PublicResult]


def public_awards(site_pk: int) -> list[PublicRound]:
    """Published award rounds with their awarded nominees (rank only; no score, judge or sheet). An
    awarded suggestion shows its published copy, or only that it is not published. Three queries."""
    from minyi.awards.models import AwardResult, AwardRound
    from minyi.awards.states import RoundState, Track

    rounds = list(
        AwardRound.objects.filter(congress_id=site_pk, state=RoundState.PUBLISHED).order_by(
            "-year", "-quarter"
        )
    )
    if not rounds:
        return []
    results = list(
        AwardResult.objects.filter(round__in=rounds, awarded=True)
        .select_related("nominee__unit")
        .order_by("rank", "id")
        .values_list("round_id", "nominee__track", "rank", "nominee__unit__name", "nominee__suggestion_id")
    )
    suggestion_ids = [r[4] for r in results if r[4]]
    pubs = {p.suggestion_id: p for p in published(site_pk).filter(suggestion_id__in=suggestion_ids)}
    out = []
    for r in rounds:
        mine = [x for x in results if x[0] == r.pk]
        out.append(
            PublicRound(
                title=r.title,
                period=r.period_label,
                published_at=r.published_at,
                suggestions=[
                    PublicResult(track=t, rank=rank, publication=pubs.get(sid))
                    for _, t, rank, _u, sid in mine
                    if t == Track.SUGGESTION
                ],
                units=[
                    PublicResult(track=t, rank=rank, unit_name=unit or "")
                    for _, t, rank, unit, _s in mine
                    if t == Track.UNIT
                ],
            )
        )
    return out
