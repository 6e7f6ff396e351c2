"""Searching the index: ranked, highlighted, filtered, and never a hit the user could not open.

The query is cut with the congress's tokenizer (`segment.query_words`). Every word must match (AND);
a word matches whole or by all the shorter words inside it (老旧小区 or 老旧 + 小区). When no entry
holds every word, the words are OR-ed instead and the entries holding most of them rank first
(`Results.relaxed` tells the page to say so). Ranking is the database's own: SQLite FTS5's `bm25()`
over the FTS5 table, PostgreSQL's `ts_rank()` over ``to_tsvector('simple', terms)`` (stored in the
generated column ``tsv`` with a GIN index, migration 0002). User input never reaches the query
syntax: each FTS5 token is a quoted string (``"..."`` with ``""`` for a quote), and on PostgreSQL
each token is a bound parameter of ``phraseto_tsquery('simple', %s)``.

Access: the entries are intersected, in the same statement, with the very selectors the lists use —
`suggestions_visible_to`, `replies_of_congress_visible_to` (the twin of `can_view_reply`) and
`opinions_visible_to` — and always with the congress.
"""

from __future__ import annotations

import datetime
import functools
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable, OrderBy, RawSQL
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from minyi.accounts.models import Role
from minyi.intake.selectors import opinions_visible_to
from minyi.suggestions.rules import has_oversight, roles_of
from minyi.suggestions.selectors import (
    released_replies,
    reply_result_classes,
    suggestions_visible_to,
    unreleased_replies_visible_to,
)

from .models import SearchEntry
from .segment import QueryWord, key_terms, parts_of, query_words, tokenizer_for

Kind = SearchEntry.Kind
SNIPPET_CONTEXT = 40


# --- the full-text condition, per database -----------------------------------------------------------


def _fts5_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts5_word(word: QueryWord) -> str:
    whole = _fts5_string(word.word)
    if not word.parts:
        return whole
    return f"({whole} OR ({' AND '.join(_fts5_string(p) for p in word.parts)}))"


def fts5_query(words: Sequence[QueryWord], *, any_word: bool = False) -> str:
    """The FTS5 MATCH expression of `words` (every token a quoted string)."""
    return (" OR " if any_word else " AND ").join(_fts5_word(w) for w in words)


_PHRASE = "phraseto_tsquery('simple'::regconfig, %s)"


def tsquery_sql(words: Sequence[QueryWord], *, any_word: bool = False) -> tuple[str, list[str]]:
    """A PostgreSQL tsquery expression of `words` and its parameters (no user text in the SQL)."""
    parts, params = [], []
    for w in words:
        if w.parts:
            inner = " && ".join([_PHRASE] * len(w.parts))
            parts.append(f"({_PHRASE} || ({inner}))")
            params += [w.word, *w.parts]
        else:
            parts.append(_PHRASE)
            params.append(w.word)
    return "(" + (" || " if any_word else " && ").join(parts) + ")", params


#: PostgreSQL: the stored tsvector of the tokens (a generated column with a GIN index, migration 0002)
_TSVECTOR = '"textsearch_searchentry"."tsv"'


def matching(
    qs: QuerySet[SearchEntry],
    words: Sequence[QueryWord],
    *,
    any_word: bool = False,
    ranked: bool = True,
    drive_by_index: bool = True,
) -> QuerySet[SearchEntry]:
    """`qs` narrowed to the entries matching `words`, ordered by `score` (higher: better) — or, when
    not `ranked`, newest first (see `BROAD`). On SQLite, `drive_by_index` walks the FTS5 matches and
    checks each entry; else (unranked only) the entries of `qs` are checked against the list of
    matches — the better plan when `qs` is small (a narrow reader) and the word common."""
    if connection.vendor == "postgresql":
        tsq, params = tsquery_sql(words, any_word=any_word)
        # not by the index: `|| ''` makes the condition a check of each of the reader's entries
        vector = _TSVECTOR if drive_by_index else f"({_TSVECTOR} || ''::tsvector)"
        qs = qs.filter(RawSQL(f"{vector} @@ {tsq}", params, output_field=BooleanField()))
        if not ranked:
            return qs.order_by("-pk")
        return qs.annotate(
            score=RawSQL(f"ts_rank({_TSVECTOR}, {tsq})", params, output_field=FloatField())
        ).order_by("-score", "-pk")
    expression = fts5_query(words, any_word=any_word)
    if not ranked and not drive_by_index:
        # the reader's entries first (by their suggestion's index), then each looked up in the list
        # of matches: the unary + keeps SQLite from walking that list instead (71k rows for 小区)
        in_matches = RawSQL(
            '+"textsearch_searchentry"."id" IN (SELECT rowid FROM textsearch_fts WHERE textsearch_fts MATCH %s)',
            [expression],
            output_field=BooleanField(),
        )
        # …and sorted afterwards: ordering by the bare id would have SQLite walk the whole table in
        # id order hoping to stop early, instead of using the lists' indexes
        return qs.filter(in_matches).order_by(
            OrderBy(RawSQL('+"textsearch_searchentry"."id"', []), descending=True)
        )
    qs = qs.filter(fts__isnull=False).filter(
        RawSQL('"textsearch_fts"."terms" MATCH %s', [expression], output_field=BooleanField())
    )
    if not ranked:
        return qs.order_by("-fts__entry")  # the FTS5 table's rowid, walked backwards: no sort
    # bm25() is lower for better matches
    return qs.annotate(score=RawSQL('-bm25("textsearch_fts")', [], output_field=FloatField())).order_by(
        "-score", "-pk"
    )


#: A query matching more entries than this (in every congress) is *broad* (a word in a good part of
#: all texts, such as 小区): ranking every match would cost the time of the whole search, and a
#: word that common ranks nothing (its IDF is near zero), so its hits are shown newest first.
BROAD = 10_000
#: A narrow reader's matching entries are ranked among at most this many (`search`).
NARROW_MAX = 10_000
#: How many of the FTS5 table's best matches a ranked search checks first (`Results.ids`).
CANDIDATES = 2_000


def is_broad(congress: Any, words: Sequence[QueryWord], *, any_word: bool = False) -> bool:
    """Whether more than `BROAD` entries of `congress` match `words` (counting stops there). On
    SQLite the FTS5 table alone is counted first (every congress, no join: a few ms); only when that
    passes `BROAD` are the congress's own entries counted."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM textsearch_fts WHERE textsearch_fts MATCH %s LIMIT %s)",
                [fts5_query(words, any_word=any_word), BROAD + 1],
            )
            if cursor.fetchone()[0] <= BROAD:
                return False
    entries = SearchEntry.objects.filter(congress=congress)
    return matching(entries, words, any_word=any_word, ranked=False).values("pk")[: BROAD + 1].count() > BROAD


# --- who may find what -------------------------------------------------------------------------------


def _exists_visible(user: Any, congress: Any) -> Q | Combinable:
    """Who may open an entry's record, as correlated EXISTS (a primary-key lookup per matched entry):
    the plan for readers who see most of the congress, where an IN over everything they see would be
    built in full for each search (~150 ms at 100k)."""
    suggestion_seen = Exists(suggestions_visible_to(user, congress).filter(pk=OuterRef("suggestion_id")))
    reply_seen = (Exists(released_replies().filter(pk=OuterRef("object_id"))) & suggestion_seen) | Exists(
        unreleased_replies_visible_to(user, congress).filter(pk=OuterRef("object_id"))
    )
    opinion_seen = Exists(opinions_visible_to(user, congress).filter(pk=OuterRef("opinion_id")))
    return (
        (Q(kind=Kind.SUGGESTION) & suggestion_seen)
        | (Q(kind=Kind.REPLY) & reply_seen)
        | (Q(kind=Kind.OPINION) & opinion_seen)
    )


def _in_visible(user: Any, congress: Any) -> tuple[Q | Combinable, Q, Q]:
    """The same rule as IN lists of what the reader sees, in three parts that each drive by one index
    of the entry table (SQLite will not combine the indexes of an OR of them): the plan for readers
    who see a small part of the congress (a deputy's own suggestions, a unit's), who would otherwise
    pay a check for each of the many entries matching a common word.

    1. by the entry's suggestion: the suggestion itself, and its replies out of the unit
       (`released_replies`: seen with the suggestion);
    2. replies still in the unit the reader may see (they see the assignment);
    3. the opinions they may see."""
    seen = Q(suggestion__in=suggestions_visible_to(user, congress).values("pk"))
    released = Exists(released_replies().filter(pk=OuterRef("object_id")))
    by_suggestion = seen & (Q(kind=Kind.SUGGESTION) | (Q(kind=Kind.REPLY) & released))
    in_unit = Q(kind=Kind.REPLY, object_id__in=unreleased_replies_visible_to(user, congress).values("pk"))
    opinions = Q(kind=Kind.OPINION, opinion__in=opinions_visible_to(user, congress).values("pk"))
    return by_suggestion, in_unit, opinions


def sees_most(user: Any, congress: Any) -> bool:
    """Whether `user` sees (nearly) every suggestion of the congress: the oversight roles and the
    viewer (accepted suggestions)."""
    roles = roles_of(user, congress)
    return has_oversight(user, congress, roles) or Role.VIEWER in roles


def visible_parts(user: Any, congress: Any, *, wide: bool | None = None) -> list[QuerySet[SearchEntry]]:
    """The entries of `congress` whose record `user` may open, as one queryset or (narrow readers)
    three whose union they are: the lists' own selectors (`suggestions_visible_to`, the two halves of
    `replies_of_congress_visible_to`, `opinions_visible_to`), as EXISTS for a reader who sees most
    (`wide`), else as IN lists."""
    wide = sees_most(user, congress) if wide is None else wide
    if wide:
        return [SearchEntry.objects.filter(congress=congress).filter(_exists_visible(user, congress))]
    # every IN list is of this congress's records already; a condition on the congress beside them
    # would have SQLite walk the congress's entries instead of the lists' indexes
    return [SearchEntry.objects.filter(part) for part in _in_visible(user, congress)]


def visible_entries(user: Any, congress: Any) -> QuerySet[SearchEntry]:
    """The entries of `congress` whose record `user` may open, as one queryset."""
    return SearchEntry.objects.filter(congress=congress).filter(_exists_visible(user, congress))


# --- the search -----------------------------------------------------------------------------------


@dataclass
class Filters:
    kind: str = ""
    year: int | None = None
    category: int | None = None

    def apply(self, qs: QuerySet[SearchEntry]) -> QuerySet[SearchEntry]:
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.year:
            qs = qs.filter(year=self.year)
        if self.category:
            qs = qs.filter(category_id=self.category)
        return qs


@dataclass
class Results:
    words: list[QueryWord]
    #: the hits in order, as a queryset (a reader who sees most) …
    hits: QuerySet[SearchEntry] | None = None
    #: … or as the list of ids (a narrow reader's, computed already)
    found: list[int] | None = None
    #: no entry held every word: these are the entries holding some of them
    relaxed: bool = False
    #: ranked by relevance (False: a broad query, newest first)
    ranked: bool = True
    #: the best (or newest) matches of the index alone, checked before every match is (`ids`)
    candidates: Callable[[int], list[int]] | None = None
    #: which of some entry ids the reader may open (`checked`)
    check: Callable[[list[int]], set[int]] | None = None
    #: the candidates are every match (None: when fewer than CANDIDATES came back)
    complete: bool | None = None
    _pool: list[int] | None = None
    _kept: set[int] = field(default_factory=set)

    @property
    def tokens(self) -> list[str]:
        out: list[str] = []
        for w in self.words:
            # the words, and the parts of them that are words too (not 老 of 老旧: it marks 老人)
            out += [w.word, *(p for p in w.parts if len(p) > 1)]
        return out

    def ids(self, limit: int) -> list[int]:
        """The ids of the first `limit` hits, in order."""
        if self.found is not None:
            return self.found[:limit]
        assert self.hits is not None
        if self.candidates is not None:
            # the CANDIDATES best (or newest) matches of the index alone, then checked (reader,
            # filters) in one IN: if `limit` of them pass, or they were every match, they are the
            # answer; else every match is ordered with its check (below)
            if self._pool is None:
                self._pool = self.candidates(CANDIDATES)
                self._kept = self.check(self._pool) if self.check is not None else set()
                if self.complete is None:
                    self.complete = len(self._pool) < CANDIDATES
            pool, kept = self._pool, self._kept
            if len(kept) >= limit or self.complete:
                return [pk for pk in pool if pk in kept][:limit]
        return list(self.hits.values_list("pk", flat=True)[:limit])

    def entries(self, limit: int = 1000) -> list[SearchEntry]:
        """The first `limit` hits, in order."""
        ids = self.ids(limit)
        found = SearchEntry.objects.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def best_matches(
    congress: Any, words: Sequence[QueryWord], limit: int, *, any_word: bool = False, ranked: bool = True
) -> list[int]:
    """The ids of the `limit` best (`ranked`) or newest matches of the index alone, without any
    check of the reader (a candidate list, see `Results.ids`). SQLite: the FTS5 table alone (every
    congress); PostgreSQL: the congress's entries by the GIN index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsq, params = tsquery_sql(words, any_word=any_word)
            order = f"ts_rank(tsv, {tsq}) DESC" if ranked else "id DESC"
            cursor.execute(
                f"SELECT id FROM textsearch_searchentry WHERE congress_id = %s AND tsv @@ {tsq} "
                f"ORDER BY {order} LIMIT %s",
                [congress.pk, *params, *(params if ranked else []), limit],
            )
        else:
            order = "bm25(textsearch_fts)" if ranked else "rowid DESC"
            cursor.execute(
                f"SELECT rowid FROM textsearch_fts WHERE textsearch_fts MATCH %s ORDER BY {order} LIMIT %s",
                [fts5_query(words, any_word=any_word), limit],
            )
        return [row[0] for row in cursor.fetchall()]


def checked(user: Any, congress: Any, filters: Filters, ids: list[int]) -> set[int]:
    """Which of the entries `ids` `user` may open (in `congress`, passing `filters`): the same
    selectors as `visible_parts`, each asked only about these entries' records — a few short
    index lookups, where the database would hash everything the reader sees (~100k rows)."""
    rows = list(
        filters.apply(SearchEntry.objects.filter(pk__in=ids, congress=congress)).values_list(
            "pk", "kind", "suggestion_id", "object_id", "opinion_id"
        )
    )
    suggestion_ids = {r[2] for r in rows if r[2] is not None}
    reply_ids = {r[3] for r in rows if r[1] == Kind.REPLY}
    opinion_ids = {r[4] for r in rows if r[4] is not None}
    seen = set(
        suggestions_visible_to(user, congress).filter(pk__in=suggestion_ids).values_list("pk", flat=True)
    )
    released = (
        set(released_replies().filter(pk__in=reply_ids).values_list("pk", flat=True)) if reply_ids else set()
    )
    in_unit = set()
    if reply_ids - released:
        in_unit = set(
            unreleased_replies_visible_to(user, congress)
            .filter(pk__in=reply_ids - released)
            .values_list("pk", flat=True)
        )
    opinions = set()
    if opinion_ids:
        opinions = set(
            opinions_visible_to(user, congress).filter(pk__in=opinion_ids).values_list("pk", flat=True)
        )
    kept = set()
    for pk, kind, suggestion_id, object_id, opinion_id in rows:
        if (
            (kind == Kind.SUGGESTION and suggestion_id in seen)
            or (kind == Kind.REPLY and object_id in released and suggestion_id in seen)
            or (kind == Kind.REPLY and object_id in in_unit)
            or (kind == Kind.OPINION and opinion_id in opinions)
        ):
            kept.add(pk)
    return kept


def search(user: Any, congress: Any, q: str, filters: Filters | None = None) -> Results:
    """The entries of `congress` matching `q` that `user` may open, best first.

    Ranked by relevance unless the words are broad (`BROAD`), then newest first. The plan follows
    the reader: for one who sees most of the congress, the index's own best (or newest) matches are
    checked first, else every match with its check (EXISTS); for one who sees a small part, their
    own matching entries are found by their indexes (`visible_parts`), then ranked."""
    words = query_words(q, tokenizer_for(congress))
    if not words:
        return Results(words, found=[])
    wide = sees_most(user, congress)
    parts = [(filters or Filters()).apply(p) for p in visible_parts(user, congress, wide=wide)]

    postgres = connection.vendor == "postgresql"

    def run(any_word: bool) -> Results:
        if postgres:
            return run_postgres(any_word)
        ranked = not is_broad(congress, words, any_word=any_word)
        if wide:
            hits = matching(parts[0], words, any_word=any_word, ranked=ranked)
            candidates = functools.partial(best_matches, congress, words, any_word=any_word, ranked=ranked)
            check = functools.partial(checked, user, congress, filters or Filters())
            return Results(
                words, hits=hits, relaxed=any_word, ranked=ranked, candidates=candidates, check=check
            )
        # a narrow reader: their matching entries by their own indexes (unordered: an ORDER BY
        # would tempt the database to walk the whole table in id order), then ranked among the
        # matches, each checked against that short list — or, broad, simply newest first
        mine: set[int] = set()
        for p in parts:
            unranked = matching(p, words, any_word=any_word, ranked=False, drive_by_index=False)
            mine.update(unranked.order_by().values_list("pk", flat=True)[:NARROW_MAX])
        if not ranked:
            return Results(words, found=sorted(mine, reverse=True), relaxed=any_word, ranked=False)
        hits = matching(SearchEntry.objects.filter(pk__in=sorted(mine)), words, any_word=any_word)
        return Results(words, hits=hits, relaxed=any_word, ranked=True)

    def run_postgres(any_word: bool) -> Results:
        # PostgreSQL counts matches only by visiting them; instead, the congress's newest BROAD + 1
        # matching ids in one statement say whether the words are broad, and are the candidates
        # (newest first, or ranked among themselves when they are every match)
        if not wide:
            # a narrow reader's own matching entries are few: always ranked
            mine = narrow_matches(parts, words, any_word=any_word)
            hits = matching(SearchEntry.objects.filter(pk__in=mine), words, any_word=any_word)
            return Results(words, hits=hits, relaxed=any_word, ranked=True)
        newest = best_matches(congress, words, BROAD + 1, any_word=any_word, ranked=False)
        ranked = len(newest) <= BROAD
        pool = rank_ids(newest, words, any_word=any_word)[:CANDIDATES] if ranked else newest[:CANDIDATES]
        hits = matching(parts[0], words, any_word=any_word, ranked=ranked)
        check = functools.partial(checked, user, congress, filters or Filters())
        return Results(
            words,
            hits=hits,
            relaxed=any_word,
            ranked=ranked,
            candidates=lambda _n: pool,
            check=check,
            complete=ranked and len(newest) <= CANDIDATES,
        )

    results = run(False)
    if len(words) > 1 and not results.ids(1):
        return run(True)
    return results


def narrow_matches(
    parts: list[QuerySet[SearchEntry]], words: Sequence[QueryWord], *, any_word: bool
) -> list[int]:
    """The ids of a narrow reader's own entries (`parts`) matching `words`, each checked (not by
    the full-text index), at most NARROW_MAX per part."""
    mine: set[int] = set()
    for p in parts:
        unranked = matching(p, words, any_word=any_word, ranked=False, drive_by_index=False)
        mine.update(unranked.order_by().values_list("pk", flat=True)[:NARROW_MAX])
    return sorted(mine)


def rank_ids(ids: list[int], words: Sequence[QueryWord], *, any_word: bool = False) -> list[int]:
    """PostgreSQL: `ids` ordered by `ts_rank` (best first)."""
    if not ids:
        return []
    tsq, params = tsquery_sql(words, any_word=any_word)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM textsearch_searchentry WHERE id = ANY(%s) ORDER BY ts_rank(tsv, {tsq}) DESC, id DESC",
            [ids, *params],
        )
        return [row[0] for row in cursor.fetchall()]


# --- what a hit shows --------------------------------------------------------------------------------


def _pattern(tokens: Sequence[str]) -> re.Pattern[str] | None:
    tokens = sorted({t for t in tokens if t}, key=len, reverse=True)
    if not tokens:
        return None
    return re.compile("|".join(re.escape(t) for t in tokens), re.IGNORECASE)


def snippet(text: str, tokens: Sequence[str], *, context: int = SNIPPET_CONTEXT) -> SafeString:
    """`text` around the first hit (± `context` characters), HTML-escaped, every hit in <mark>."""
    text = " ".join((text or "").split())
    pattern = _pattern(tokens)
    first = pattern.search(text) if pattern else None
    if first is None:
        cut = text[: context * 2]
        return mark_safe(html.escape(cut) + ("…" if len(text) > len(cut) else ""))  # noqa: S308
    start = max(0, first.start() - context)
    end = min(len(text), first.end() + context)
    window = text[start:end]
    out, pos = [], 0
    for m in pattern.finditer(window):  # type: ignore[union-attr]
        out.append(html.escape(window[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(html.escape(window[pos:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every piece of text is escaped


def highlight(text: str, tokens: Sequence[str]) -> SafeString:
    """The whole (short) `text` HTML-escaped with every hit in <mark>."""
    pattern = _pattern(tokens)
    if pattern is None:
        return mark_safe(html.escape(text))  # noqa: S308
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped


def url_of(entry: SearchEntry, code: str) -> str:
    if entry.kind == Kind.OPINION:
        return reverse("intake:opinion", args=[code, entry.opinion_id])
    url = reverse("suggestions:detail", args=[code, entry.suggestion_id])
    return f"{url}#reply-{entry.object_id}" if entry.kind == Kind.REPLY else url


@dataclass
class Hit:
    entry: SearchEntry
    url: str
    title: SafeString
    snippet: SafeString
    replies: list[Any] = field(default_factory=list)


def hits(entries: Sequence[SearchEntry], tokens: Sequence[str], code: str) -> list[Hit]:
    return [
        Hit(e, url_of(e, code), highlight(e.title, tokens), snippet(e.text or e.title, tokens))
        for e in entries
    ]


# --- similar suggestions ---------------------------------------------------------------------------


#: similar(): how many of the congress's best pair matches are checked for the reader first
SIMILAR_POOL = 50
#: similar(): how many of the draft's key words are paired (the strongest first) — 6 words, 15 pairs
PAIRED_WORDS = 6


def _ranked_pairs(base: QuerySet[SearchEntry], words: Sequence[QueryWord], limit: int) -> list[SearchEntry]:
    """The `limit` best entries of `base` holding at least two of the first `PAIRED_WORDS` words."""
    strongest = list(words[:PAIRED_WORDS])
    if len(strongest) < 2:
        return []
    pairs = [(a, b) for i, a in enumerate(strongest) for b in strongest[i + 1 :]]
    if connection.vendor == "postgresql":
        parts, params = [], []
        for a, b in pairs:
            sql, p = tsquery_sql([a, b])
            parts.append(sql)
            params += p
        tsq = "(" + " || ".join(parts) + ")"
        qs = base.filter(RawSQL(f"{_TSVECTOR} @@ {tsq}", params, output_field=BooleanField())).annotate(
            score=RawSQL(f"ts_rank({_TSVECTOR}, {tsq})", params, output_field=FloatField())
        )
    else:
        expression = " OR ".join(f"({_fts5_word(a)} AND {_fts5_word(b)})" for a, b in pairs)
        qs = (
            base.filter(fts__isnull=False)
            .filter(RawSQL('"textsearch_fts"."terms" MATCH %s', [expression], output_field=BooleanField()))
            .annotate(score=RawSQL('-bm25("textsearch_fts")', [], output_field=FloatField()))
        )
    return list(qs.order_by("-score", "-pk").select_related("suggestion")[:limit])


def similar(
    congress: Any,
    text: str,
    *,
    title: str = "",
    user: Any = None,
    exclude: int | None = None,
    limit: int = 5,
    year: int | None = None,
) -> list[Hit]:
    """The suggestions of `congress` most like the draft (`title` + `text`), of this and earlier
    years (up to `year`, by default the current one), with their signed-off replies: the draft's key
    words by TF-IDF, OR-ed, ranked by the database (bm25 / ts_rank). Only those `user` may open
    (every suggestion when `user` is None: the benchmark). `exclude`: the suggestion being drafted
    or reviewed."""
    tok = tokenizer_for(congress)
    terms = key_terms(text, tok, boost=[title] if title else ())
    if not terms:
        return []
    words = [QueryWord(t, parts_of(t, tok)) for t in terms]
    this_year = year or datetime.date.today().year
    everything = SearchEntry.objects.filter(congress=congress, kind=Kind.SUGGESTION).filter(
        Q(year__lte=this_year) | Q(year__isnull=True)
    )
    if exclude is not None:
        everything = everything.exclude(suggestion_id=exclude)
    base = everything
    if user is not None:
        base = visible_entries(user, congress).filter(pk__in=everything.values("pk"))
    # entries holding two or more of the key words first (a few pairs of the strongest), ranked;
    # OR-ing all of them would rank every text with one common word (half the index at 100k). For a
    # reader, the congress's best SIMILAR_POOL are ranked first and checked (`checked`); only if too
    # few of them pass are the reader's own pair matches ranked, each with its check.
    pool = _ranked_pairs(everything, words, SIMILAR_POOL if user is not None else limit)
    found = pool
    if user is not None:
        kept = checked(user, congress, Filters(kind=Kind.SUGGESTION), [e.pk for e in pool])
        found = [e for e in pool if e.pk in kept][:limit]
        if len(found) < limit and len(pool) == SIMILAR_POOL:
            found = _ranked_pairs(base, words, limit)
    # …and the single-word matches only when the congress holds fewer than `limit` pair matches
    # (ranking every text with one of the words is the expensive query)
    if len(found) < limit and len(pool) < limit:
        seen = [h.pk for h in found]
        found += list(
            matching(base.exclude(pk__in=seen), words, any_word=True).select_related("suggestion")[
                : limit - len(found)
            ]
        )
    tokens = [t for w in words for t in (w.word, *w.parts)]
    out = hits(found, tokens, congress.code)
    replies = reply_result_classes([h.entry.suggestion_id for h in out])
    for h in out:
        h.replies = replies.get(h.entry.suggestion_id or 0, [])
    return out
