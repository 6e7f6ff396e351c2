"""Searching the index: ranked, highlighted, filtered, and never a hit the user could not open.

The query is cut with the congress's tokenizer (`segment.query_words`). Every word must match (AND);
a word matches whole or by all the shorter words inside it (老旧小区 or 老旧 + 小区). When no entry
holds every word, the words are OR-ed instead and the entries holding most of them rank first
(`Results.relaxed` tells the page to say so). Ranking is the database's own: SQLite FTS5's `bm25()`
over the FTS5 table, PostgreSQL's `ts_rank()` over ``to_tsvector('simple', terms)`` (stored in the
generated column ``tsv`` with a GIN index, migration 0002). User input never reaches the query
syntax: each FTS5 token is a quoted string (``"..."`` with ``""`` for a quote), and on PostgreSQL
each token is a bound parameter of ``phraseto_tsquery('simple', %s)``.

Access: the entries are intersected with the very selectors the lists use —
`suggestions_visible_to`, `replies_of_congress_visible_to` (the twin of `can_view_reply`) and
`opinions_visible_to` — and always with the congress.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable, OrderBy, RawSQL
from django.db.models.sql.where import AND, OR, WhereNode
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
        # not by the index: the function form of @@ is a check of each of the reader's entries
        condition = f"{_TSVECTOR} @@ {tsq}" if drive_by_index else f"ts_match_vq({_TSVECTOR}, {tsq})"
        qs = qs.filter(RawSQL(condition, params, output_field=BooleanField()))
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
#: word that common ranks nothing (its IDF is near zero), so a reader who sees most gets its hits
#: newest first. (A narrow reader's own matches are few: PostgreSQL always ranks them; SQLite
#: ranks them unless the words are broad, when its newest-first walk stops at the page's count.)
BROAD = 10_000
#: How many of the index's best matches a ranked search for a reader who sees most checks first.
CANDIDATES = 2_000
#: PostgreSQL, a narrow reader: up to this many matches are checked one by one rather than the
#: reader's own entries listed (which costs PostgreSQL a read of every suggestion, ~50–80 ms at 100k)
NARROW_CHECK = 3_000
#: How many hits a search computes by default: the search page's count stops at 1,000 ("1000+").
FETCH = 1_001


def _other_congresses(congress: Any) -> bool:
    """Whether the index holds entries of another congress (two short walks of the congress
    index: a NOT would read every entry of this one)."""
    entries = SearchEntry.objects.all()
    return (
        entries.filter(congress_id__lt=congress.pk).exists()
        or entries.filter(congress_id__gt=congress.pk).exists()
    )


def match_count(
    congress: Any, words: Sequence[QueryWord], *, any_word: bool = False, cap: int = BROAD
) -> tuple[int, int]:
    """How many entries match `words`, counting stops past `cap`: (in every congress, in
    `congress`). The index alone is counted (SQLite: the FTS5 table; PostgreSQL: the GIN index,
    whose bitmap needs no row of the table once VACUUM has marked the pages all-visible); only when
    that passes `cap` and other congresses have entries are the congress's own counted (else the
    two are the same number)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsq, params = tsquery_sql(words, any_word=any_word)
            sql = f"SELECT count(*) FROM (SELECT 1 FROM textsearch_searchentry WHERE tsv @@ {tsq} LIMIT %s) m"
        else:
            params = [fts5_query(words, any_word=any_word)]
            sql = (
                "SELECT count(*) FROM (SELECT 1 FROM textsearch_fts WHERE textsearch_fts MATCH %s LIMIT %s) m"
            )
        cursor.execute(sql, [*params, cap + 1])
        everywhere = int(cursor.fetchone()[0])
    if everywhere <= cap or not _other_congresses(congress):
        return everywhere, everywhere
    entries = SearchEntry.objects.filter(congress=congress)
    own = matching(entries, words, any_word=any_word, ranked=False).values("pk")[: cap + 1].count()
    return everywhere, own


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


def _union_of_branches(qs: QuerySet[Any]) -> QuerySet[Any]:
    """PostgreSQL: the primary keys of `qs` — a selector's ``A AND (B OR C OR …)`` — as the union of
    ``A AND B``, ``A AND C`` …, the same rows. PostgreSQL cannot look up the terms of an OR of
    subqueries by their indexes (a deputy's: led, co-signed, merged into) and reads every suggestion
    instead (~60 ms at 100k); each term alone it looks up. Any other shape (or a join) is left as it
    is; on SQLite, which looks each term up already, too."""
    plain = qs.order_by().values("pk")
    query = qs.query
    where = query.where
    ors = [c for c in where.children if isinstance(c, WhereNode) and c.connector == OR and not c.negated]
    joined = [alias for alias, n in query.alias_refcount.items() if n and alias != query.base_table]
    if (
        connection.vendor != "postgresql"
        or where.connector != AND
        or where.negated
        or len(ors) != 1
        or joined
    ):
        return plain
    branches = []
    for branch in ors[0].children:
        part = qs.order_by()
        part.query.where = WhereNode([branch if c is ors[0] else c for c in where.children], AND)
        try:
            part.query.sql_with_params()
        except EmptyResultSet:  # a term that can hold nothing (an empty list)
            continue
        branches.append(part.values("pk"))
    if len(branches) < 2:
        return plain
    return branches[0].union(*branches[1:])


def _in_visible(user: Any, congress: Any) -> list[tuple[Q, Q | Combinable | None]]:
    """The same rule as IN lists of what the reader sees, in three parts that each drive by one index
    of the entry table (SQLite will not combine the indexes of an OR of them): the plan for readers
    who see a small part of the congress (a deputy's own suggestions, a unit's), who would otherwise
    pay a check for each of the many entries matching a common word. Each part is a list and a check
    of the entries in it (None: every entry of the list passes), so that the check (a reply's state:
    two lookups) can be made of the matching entries only:

    1. by the entry's suggestion: the suggestion itself, and its replies out of the unit
       (`released_replies`: seen with the suggestion);
    2. replies still in the unit the reader may see (they see the assignment);
    3. the opinions they may see."""
    seen = Q(suggestion__in=_union_of_branches(suggestions_visible_to(user, congress)))
    released = Exists(released_replies().filter(pk=OuterRef("object_id")))
    in_unit = Q(kind=Kind.REPLY, object_id__in=unreleased_replies_visible_to(user, congress).values("pk"))
    opinions = Q(kind=Kind.OPINION, opinion__in=opinions_visible_to(user, congress).values("pk"))
    return [
        (seen, Q(kind=Kind.SUGGESTION) | (Q(kind=Kind.REPLY) & released)),
        (in_unit, None),
        (opinions, None),
    ]


def sees_most(user: Any, congress: Any) -> bool:
    """Whether `user` sees (nearly) every suggestion of the congress: the oversight roles and the
    viewer (accepted suggestions)."""
    roles = roles_of(user, congress)
    return has_oversight(user, congress, roles) or Role.VIEWER in roles


#: A narrow reader's part of the entries: a list, and the check of the entries in it (`_in_visible`)
Part = tuple[QuerySet[SearchEntry], "Q | Combinable | None"]


def visible_parts(user: Any, congress: Any, *, wide: bool | None = None) -> list[Part]:
    """The entries of `congress` whose record `user` may open, as one queryset (no further check) or
    (narrow readers) three parts whose union they are: the lists' own selectors
    (`suggestions_visible_to`, the two halves of `replies_of_congress_visible_to`,
    `opinions_visible_to`), as EXISTS for a reader who sees most (`wide`), else as IN lists."""
    wide = sees_most(user, congress) if wide is None else wide
    if wide:
        return [(SearchEntry.objects.filter(congress=congress).filter(_exists_visible(user, congress)), None)]
    # every IN list is of this congress's records already; a condition on the congress beside them
    # would have SQLite walk the congress's entries instead of the lists' indexes
    return [(SearchEntry.objects.filter(listed), check) for listed, check in _in_visible(user, congress)]


def _whole(part: Part) -> QuerySet[SearchEntry]:
    """A part as one queryset (its list and its check)."""
    listed, check = part
    return listed if check is None else listed.filter(check)


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
    #: the ids of the hits in order (at most the `limit` of `search`)
    found: list[int]
    #: no entry held every word: these are the entries holding some of them
    relaxed: bool = False
    #: ranked by relevance (False: a broad query, newest first)
    ranked: bool = True

    @property
    def tokens(self) -> list[str]:
        out: list[str] = []
        for w in self.words:
            # the words, and the parts of them that are words too (not 老 of 老旧: it marks 老人)
            out += [w.word, *(p for p in w.parts if len(p) > 1)]
        return out

    def ids(self, limit: int) -> list[int]:
        """The ids of the first `limit` hits, in order."""
        return self.found[:limit]

    def entries(self, limit: int = 1000) -> list[SearchEntry]:
        """The first `limit` hits, in order."""
        ids = self.ids(limit)
        found = SearchEntry.objects.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def _compiled(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _exists_in(part: QuerySet[SearchEntry], column: str) -> tuple[str, list[Any]]:
    """``EXISTS (…)``: the entry whose id is the SQL `column` is one of `part` (the reader's
    visibility and the filters, asked about that one entry: a few primary-key lookups)."""
    sql, params = _compiled(part.filter(pk=RawSQL(column, [])).values("pk"))
    return f"EXISTS ({sql})", params


def _rows(sql: str, params: Sequence[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return [row[0] for row in cursor.fetchall()]


def ranked_candidates(
    part: QuerySet[SearchEntry], words: Sequence[QueryWord], *, any_word: bool, pool: int, limit: int
) -> list[int]:
    """SQLite, one statement: the FTS5 table's `pool` best matches by bm25 (the table alone, every
    congress), then those of them in `part` (each checked by `_exists_in`: a few primary-key
    lookups), best first, at most `limit`."""
    try:
        check, check_params = _exists_in(part, '"c"."id"')
    except EmptyResultSet:  # the reader sees nothing (or the filters leave nothing)
        return []
    inner = (
        "SELECT rowid AS id, bm25(textsearch_fts) AS score FROM textsearch_fts "
        "WHERE textsearch_fts MATCH %s ORDER BY score, rowid DESC LIMIT %s"
    )
    return _rows(
        f'SELECT "c"."id" FROM ({inner}) "c" WHERE {check} ORDER BY "c"."score", "c"."id" DESC LIMIT %s',
        [fts5_query(words, any_word=any_word), pool, *check_params, limit],
    )


def own_ranked(
    parts: Sequence[Part], words: Sequence[QueryWord], *, any_word: bool, limit: int, ranked: bool = True
) -> list[int]:
    """SQLite, a narrow reader: one statement walking the FTS5 matches, each looked up in the
    reader's own lists (`parts`, each list built once by its own index; the unary + keeps SQLite
    from handing the list to FTS5, which would run the whole query again for each id), the part's
    check made only of the matches in its list, bm25 computed only for those that pass — best
    first (or, not `ranked`, newest first: FTS5 walks its matches backwards and stops at `limit`),
    at most `limit`."""
    terms, params = [], [fts5_query(words, any_word=any_word)]
    for listed, check in parts:
        try:
            sql, p = _compiled(listed.values("pk"))
        except EmptyResultSet:  # a part the reader has none of
            continue
        term = f"+textsearch_fts.rowid IN ({sql})"
        if check is not None:
            exists, q = _compiled(
                SearchEntry.objects.filter(check).filter(pk=RawSQL("textsearch_fts.rowid", [])).values("pk")
            )
            term += f" AND EXISTS ({exists})"
            p += q
        terms.append(f"({term})")
        params += p
    if not terms:
        return []
    order = "bm25(textsearch_fts), textsearch_fts.rowid DESC" if ranked else "textsearch_fts.rowid DESC"
    return _rows(
        "SELECT textsearch_fts.rowid FROM textsearch_fts WHERE textsearch_fts MATCH %s "
        f"AND ({' OR '.join(terms)}) ORDER BY {order} LIMIT %s",
        [*params, limit],
    )


#: `first_passing` checks the candidates in slices of this many (a reader who sees most passes
#: nearly all: one slice of `limit` + this is usually enough)
CHECK_SLICE = 200


def first_passing(
    pool: list[tuple[Any, ...]], check: Callable[[list[tuple[Any, ...]]], set[int]], limit: int
) -> list[int]:
    """The ids of the first `limit` rows of `pool` (in order, the id first) that `check` keeps,
    checking slices of the pool in order until `limit` passed (a reader who sees most: about
    `limit` rows checked, not the whole pool)."""
    found: list[int] = []
    start, size = 0, limit + CHECK_SLICE
    while start < len(pool) and len(found) < limit:
        chunk = pool[start : start + size]
        kept = check(chunk)
        found += [row[0] for row in chunk if row[0] in kept]
        start += len(chunk)
        size = max(CHECK_SLICE, 2 * (limit - len(found)))
    return found[:limit]


def estimated_matches(congress: Any, words: Sequence[QueryWord], *, any_word: bool = False) -> int:
    """PostgreSQL: the planner's estimate of the congress's matches (its statistics of the words'
    frequencies; no row is read). Close for one word; for several it multiplies their frequencies
    as if independent, so it can fall short, rarely over."""
    tsq, params = tsquery_sql(words, any_word=any_word)
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM textsearch_searchentry WHERE congress_id = %s AND tsv @@ {tsq}",
            [congress.pk, *params],
        )
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _candidate_rows(
    congress: Any,
    words: Sequence[QueryWord],
    filters: Filters,
    limit: int,
    *,
    any_word: bool,
    ranked: bool,
    over: int = 0,
) -> list[tuple[Any, ...]]:
    """PostgreSQL: at most `limit` matches of the congress passing `filters`, with what `kept_rows`
    needs (`_CHECKED`), read in one pass and not checked for the reader: the newest; or, `ranked`,
    every match (at most `over` + 1) read once with its rank, the best first, with the number read
    last (more than `over`: they were not every match)."""
    tsq, params = tsquery_sql(words, any_word=any_word)
    where, where_params = [f"congress_id = %s AND tsv @@ {tsq}"], [congress.pk, *params]
    for column, value in (("kind", filters.kind), ("year", filters.year), ("category_id", filters.category)):
        if value:
            where.append(f"{column} = %s")
            where_params.append(value)
    columns = "id, kind, suggestion_id, object_id, opinion_id"
    if ranked:
        # at most `over` + 1 matches with their rank, counted (no order: an ORDER BY id would let
        # PostgreSQL walk the primary key when it expects few matches), the best `limit` of them
        sql = (
            f"SELECT {columns}, n FROM (SELECT m.*, count(*) OVER () AS n FROM ("
            f"SELECT {columns}, ts_rank(tsv, {tsq}) AS score FROM textsearch_searchentry "
            f"WHERE {' AND '.join(where)} LIMIT %s) m) w ORDER BY score DESC, id DESC LIMIT %s"
        )
        where_params = [*params, *where_params, over + 1]
    else:
        sql = f"SELECT {columns} FROM textsearch_searchentry WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*where_params, limit])
        return [tuple(row) for row in cursor.fetchall()]


def wide_postgres(
    user: Any,
    congress: Any,
    words: Sequence[QueryWord],
    filters: Filters,
    everything: QuerySet[SearchEntry],
    *,
    any_word: bool,
    limit: int,
) -> Results:
    """PostgreSQL, a reader who sees most: candidates from the index, then checked with the
    selectors asked only about them (`kept_rows`: PostgreSQL would hash a correlated EXISTS over
    everything the reader sees). Broad words (the planner's estimate says more than `BROAD`, or
    more than `BROAD` came back): the newest, first `limit` and a slice, then up to CANDIDATES;
    else every match read once with its rank, the best CANDIDATES checked in order."""

    def check(rows: list[tuple[Any, ...]]) -> set[int]:
        return kept_rows(user, congress, rows)

    pool: list[tuple[Any, ...]] = []
    complete = False
    ranked = estimated_matches(congress, words, any_word=any_word) <= BROAD
    if ranked:
        # every match (up to BROAD + 1) read once with its rank, the best CANDIDATES back; more
        # than BROAD and the words are broad after all (the estimate fell short): the newest below
        pool = _candidate_rows(
            congress, words, filters, CANDIDATES, any_word=any_word, ranked=True, over=BROAD
        )
        matched = pool[0][-1] if pool else 0
        ranked, complete = matched <= BROAD, matched <= CANDIDATES
    if not ranked:
        first = min(limit + CHECK_SLICE, CANDIDATES)
        pool = _candidate_rows(congress, words, filters, first, any_word=any_word, ranked=False)
        complete = len(pool) < first
    found = first_passing(pool, check, limit)
    if len(found) < limit and not complete and not ranked and len(pool) < CANDIDATES:
        pool = _candidate_rows(congress, words, filters, CANDIDATES, any_word=any_word, ranked=False)
        complete = len(pool) < CANDIDATES
        found = first_passing(pool, check, limit)
    if len(found) < limit and not complete:
        # too few of the candidates passed (a filter, a reader who sees less): every match, each
        # with its check
        every = matching(everything, words, any_word=any_word, ranked=ranked)
        found = list(every.values_list("pk", flat=True)[:limit])
    return Results(list(words), found=found, relaxed=any_word, ranked=ranked)


def search(
    user: Any, congress: Any, q: str, filters: Filters | None = None, *, limit: int = FETCH
) -> Results:
    """The entries of `congress` matching `q` that `user` may open, best first (the ids of the first
    `limit`; the search page counts and pages those).

    The plan follows the reader and the database (decision 0011). One who sees most of the
    congress: a broad query's matches newest first, each checked, until `limit` pass; else the
    index's CANDIDATES best, checked (SQLite: in the same statement; PostgreSQL: `wide_postgres`),
    and only if too few of them pass, every match ranked with its check. One who sees a small part:
    `narrow_ranked`."""
    words = query_words(q, tokenizer_for(congress))
    if not words:
        return Results(words, found=[])
    filters = filters or Filters()
    wide = sees_most(user, congress)
    parts = [(filters.apply(listed), check) for listed, check in visible_parts(user, congress, wide=wide)]

    def run(any_word: bool) -> Results:
        if not wide:
            found, ranked = narrow_ranked(
                user, congress, parts, words, filters, any_word=any_word, limit=limit
            )
            return Results(words, found=found, relaxed=any_word, ranked=ranked)
        everything = _whole(parts[0])
        if connection.vendor == "postgresql":
            return wide_postgres(user, congress, words, filters, everything, any_word=any_word, limit=limit)
        everywhere, own = match_count(congress, words, any_word=any_word)
        ranked = own <= BROAD
        if ranked:
            found = ranked_candidates(everything, words, any_word=any_word, pool=CANDIDATES, limit=limit)
        else:
            # SQLite walks the FTS5 matches backwards, each checked, and stops at `limit`
            newest = matching(everything, words, any_word=any_word, ranked=False)
            return Results(
                words, found=list(newest.values_list("pk", flat=True)[:limit]), relaxed=any_word, ranked=False
            )
        if len(found) < limit and everywhere > CANDIDATES:
            # the candidates were not every match and too few of them passed (a filter, a reader
            # who sees less): every match, each with its check
            every = matching(everything, words, any_word=any_word, ranked=ranked)
            found = list(every.values_list("pk", flat=True)[:limit])
        return Results(words, found=found, relaxed=any_word, ranked=ranked)

    results = run(False)
    if len(words) > 1 and not results.found:
        return run(True)
    return results


def narrow_ranked(
    user: Any,
    congress: Any,
    parts: Sequence[Part],
    words: Sequence[QueryWord],
    filters: Filters,
    *,
    any_word: bool,
    limit: int,
) -> tuple[list[int], bool]:
    """A narrow reader's own matching entries (`parts`), at most `limit`, and whether they are
    ranked. SQLite: in one statement (`own_ranked`), newest first when the words are broad (the
    FTS5 walk stops at `limit`). PostgreSQL: when at most `NARROW_CHECK` entries match, every match read
    once with its rank and each checked with the selectors asked only about them (`kept_rows`:
    the reader's own lists would cost PostgreSQL a read of every suggestion); else their own
    entries by their own indexes, then ranked (always: they are few)."""
    if connection.vendor == "sqlite":
        broad = match_count(congress, words, any_word=any_word)[1] > BROAD
        return own_ranked(parts, words, any_word=any_word, limit=limit, ranked=not broad), not broad
    if estimated_matches(congress, words, any_word=any_word) <= NARROW_CHECK:
        rows = _candidate_rows(
            congress, words, filters, NARROW_CHECK, any_word=any_word, ranked=True, over=NARROW_CHECK
        )
        if not rows or rows[0][-1] <= NARROW_CHECK:
            kept = kept_rows(user, congress, rows)
            return [row[0] for row in rows if row[0] in kept][:limit], True
    mine: set[int] = set()
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            # the reader's lists are a few thousand rows found by index lookups; with the default
            # cost of a random read (4, for disks) PostgreSQL reads every suggestion instead
            cursor.execute("SET LOCAL random_page_cost = 1.1")
        for part in parts:
            unranked = matching(_whole(part), words, any_word=any_word, ranked=False, drive_by_index=False)
            mine.update(unranked.order_by().values_list("pk", flat=True))
    return rank_ids(sorted(mine), words, any_word=any_word)[:limit], True


def rank_ids(ids: list[int], words: Sequence[QueryWord], *, any_word: bool = False) -> list[int]:
    """PostgreSQL: `ids` ordered by `ts_rank` (best first)."""
    if not ids:
        return []
    tsq, params = tsquery_sql(words, any_word=any_word)
    return _rows(
        f"SELECT id FROM textsearch_searchentry WHERE id = ANY(%s) ORDER BY ts_rank(tsv, {tsq}) DESC, id DESC",
        [ids, *params],
    )


def checked(user: Any, congress: Any, filters: Filters, ids: list[int]) -> set[int]:
    """Which of the entries `ids` `user` may open (in `congress`, passing `filters`): the same
    selectors as `visible_parts`, each asked only about these entries' records — a few short
    index lookups, where the database would hash everything the reader sees (~100k rows)."""
    rows = list(
        filters.apply(SearchEntry.objects.filter(pk__in=ids, congress=congress)).values_list(*_CHECKED)
    )
    return kept_rows(user, congress, rows)


#: What `kept_rows` needs of an entry, in this order
_CHECKED = ("pk", "kind", "suggestion_id", "object_id", "opinion_id")


def _only(qs: QuerySet[Any], ids: set[int]) -> QuerySet[Any]:
    """`qs` narrowed to the primary keys `ids`; on PostgreSQL as ``= ANY(array)``: one parameter (a
    thousand cost more to write and parse than to look up), and an array the planner can count —
    so it looks the rows up by key instead of reading the whole table."""
    if connection.vendor != "postgresql":
        return qs.filter(pk__in=ids)
    meta = qs.model._meta
    column = f'"{meta.db_table}"."{meta.pk.column}"'
    return qs.filter(RawSQL(f"{column} = ANY(%s)", [sorted(ids)], output_field=BooleanField()))


def kept_rows(user: Any, congress: Any, rows: Sequence[Sequence[Any]]) -> set[int]:
    """Which of the entries `rows` (`_CHECKED`, of `congress`) `user` may open: `checked` when the
    rows have been read already."""
    suggestion_ids = {r[2] for r in rows if r[2] is not None}
    reply_ids = {r[3] for r in rows if r[1] == Kind.REPLY}
    opinion_ids = {r[4] for r in rows if r[4] is not None}
    seen = set(_only(suggestions_visible_to(user, congress), suggestion_ids).values_list("pk", flat=True))
    released = set(_only(released_replies(), reply_ids).values_list("pk", flat=True)) if reply_ids else set()
    in_unit = set()
    if reply_ids - released:
        in_unit = set(
            _only(unreleased_replies_visible_to(user, congress), reply_ids - released).values_list(
                "pk", flat=True
            )
        )
    opinions = set()
    if opinion_ids:
        opinions = set(_only(opinions_visible_to(user, congress), opinion_ids).values_list("pk", flat=True))
    kept = set()
    for pk, kind, suggestion_id, object_id, opinion_id, *_rank in rows:
        if (
            (kind == Kind.SUGGESTION and suggestion_id in seen)
            or (kind == Kind.REPLY and object_id in released and suggestion_id in seen)
            or (kind == Kind.REPLY and object_id in in_unit)
            or (kind == Kind.OPINION and opinion_id in opinions)
        ):
            kept.add(pk)
    return kept


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


#: similar(): how many of the FTS5 table's best pair matches are read before the draft's own filters
PAIR_POOL = 400


def _common(congress: Any, word: QueryWord) -> bool:
    """Whether `word` is in more than `BROAD` entries of the congress (PostgreSQL: by the planner's
    estimate, close for one word)."""
    if connection.vendor == "postgresql":
        return estimated_matches(congress, [word]) > BROAD
    return match_count(congress, [word])[1] > BROAD


def _pairs(congress: Any, words: Sequence[QueryWord]) -> list[tuple[QueryWord, QueryWord]]:
    """The pairs of the first `PAIRED_WORDS` words, without those of two common words (`_common`):
    such a pair says little (社区 and 设施) and matches a good part of the index, every match of
    which would be ranked — unless no other pair is left."""
    strongest = list(words[:PAIRED_WORDS])
    pairs = [(a, b) for i, a in enumerate(strongest) for b in strongest[i + 1 :]]
    common = {w.word for w in strongest if _common(congress, w)}
    return [(a, b) for a, b in pairs if a.word not in common or b.word not in common] or pairs


def _ranked_pairs(
    congress: Any, base: QuerySet[SearchEntry], words: Sequence[QueryWord], limit: int
) -> list[SearchEntry]:
    """The `limit` best entries of `base` holding at least two of the first `PAIRED_WORDS` words
    (`_pairs`). SQLite: the FTS5 table's own best `PAIR_POOL` first, then those in `base`; only if
    too few of them are, every match of `base` ranked."""
    pairs = _pairs(congress, words) if len(words) >= 2 else []
    if not pairs:
        return []
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
        return list(qs.order_by("-score", "-pk").select_related("suggestion")[:limit])
    expression = " OR ".join(f"({_fts5_word(a)} AND {_fts5_word(b)})" for a, b in pairs)
    pool = _rows(
        "SELECT rowid FROM textsearch_fts WHERE textsearch_fts MATCH %s "
        "ORDER BY bm25(textsearch_fts), rowid DESC LIMIT %s",
        [expression, PAIR_POOL],
    )
    kept = base.filter(pk__in=pool).select_related("suggestion").in_bulk()
    found = [kept[pk] for pk in pool if pk in kept][:limit]
    if len(found) >= limit or len(pool) < PAIR_POOL:
        return found
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
    pool = _ranked_pairs(congress, everything, words, SIMILAR_POOL if user is not None else limit)
    found = pool
    if user is not None:
        kept = checked(user, congress, Filters(kind=Kind.SUGGESTION), [e.pk for e in pool])
        found = [e for e in pool if e.pk in kept][:limit]
        if len(found) < limit and len(pool) == SIMILAR_POOL:
            found = _ranked_pairs(congress, base, words, limit)
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
