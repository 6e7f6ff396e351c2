"""Searching the index: ranked, highlighted, filtered, and never a hit the user could not open.

The query is cut with the congress's tokenizer (`segment.query_words`). Every word must match (AND);
a word matches whole or by all the shorter words inside it (老旧小区 or 老旧 + 小区). When no entry
holds every word, the words are OR-ed instead and the entries holding most of them rank first
(`Results.relaxed` tells the page to say so). Ranking is the database's own: SQLite FTS5's `bm25()`
over the FTS5 table, PostgreSQL's `ts_rank()` over ``to_tsvector('simple', terms)`` (the GIN index
of migration 0001). User input never reaches the query syntax: each FTS5 token is a quoted string
(``"..."`` with ``""`` for a quote), and on PostgreSQL each token is a bound parameter of
``phraseto_tsquery('simple', %s)``.

Access: the entries are intersected, in the same statement, with the very selectors the lists use —
`suggestions_visible_to`, `replies_of_congress_visible_to` (the twin of `can_view_reply`) and
`opinions_visible_to` — and always with the congress.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from minyi.intake.selectors import opinions_visible_to
from minyi.suggestions.selectors import (
    replies_of_congress_visible_to,
    reply_result_classes,
    suggestions_visible_to,
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


_TSVECTOR = 'to_tsvector(\'simple\'::regconfig, "textsearch_searchentry"."terms")'


def matching(
    qs: QuerySet[SearchEntry], words: Sequence[QueryWord], *, any_word: bool = False
) -> QuerySet[SearchEntry]:
    """`qs` narrowed to the entries matching `words`, annotated with `score` (higher: better) and
    ordered by it."""
    if connection.vendor == "postgresql":
        tsq, params = tsquery_sql(words, any_word=any_word)
        return (
            qs.filter(RawSQL(f"{_TSVECTOR} @@ {tsq}", params, output_field=BooleanField()))
            .annotate(score=RawSQL(f"ts_rank({_TSVECTOR}, {tsq})", params, output_field=FloatField()))
            .order_by("-score", "-pk")
        )
    expression = fts5_query(words, any_word=any_word)
    return (
        qs.filter(fts__isnull=False)
        .filter(RawSQL('"textsearch_fts"."terms" MATCH %s', [expression], output_field=BooleanField()))
        # bm25() is lower for better matches
        .annotate(score=RawSQL('-bm25("textsearch_fts")', [], output_field=FloatField()))
        .order_by("-score", "-pk")
    )


# --- who may find what -------------------------------------------------------------------------------


def visible_entries(user: Any, congress: Any) -> QuerySet[SearchEntry]:
    """The entries of `congress` whose record `user` may open: the lists' own selectors."""
    allowed = (
        Q(kind=Kind.SUGGESTION, suggestion__in=suggestions_visible_to(user, congress).values("pk"))
        | Q(kind=Kind.REPLY, object_id__in=replies_of_congress_visible_to(user, congress).values("pk"))
        | Q(kind=Kind.OPINION, opinion__in=opinions_visible_to(user, congress).values("pk"))
    )
    return SearchEntry.objects.filter(congress=congress).filter(allowed)


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
    entries: QuerySet[SearchEntry]
    #: no entry held every word: these are the entries holding some of them
    relaxed: bool = False

    @property
    def tokens(self) -> list[str]:
        out: list[str] = []
        for w in self.words:
            out += [w.word, *w.parts]
        return out


def search(user: Any, congress: Any, q: str, filters: Filters | None = None) -> Results:
    """The entries of `congress` matching `q` that `user` may open, best first (a lazy queryset)."""
    words = query_words(q, tokenizer_for(congress))
    base = (filters or Filters()).apply(visible_entries(user, congress))
    if not words:
        return Results(words, base.none())
    entries = matching(base, words)
    if len(words) > 1 and not entries.exists():
        return Results(words, matching(base, words, any_word=True), relaxed=True)
    return Results(words, entries)


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
    if user is None:
        base = SearchEntry.objects.filter(congress=congress, kind=Kind.SUGGESTION)
    else:
        base = visible_entries(user, congress).filter(kind=Kind.SUGGESTION)
    this_year = year or datetime.date.today().year
    base = base.filter(Q(year__lte=this_year) | Q(year__isnull=True))
    if exclude is not None:
        base = base.exclude(suggestion_id=exclude)
    found = list(matching(base, words, any_word=True).select_related("suggestion")[:limit])
    tokens = [t for w in words for t in (w.word, *w.parts)]
    out = hits(found, tokens, congress.code)
    replies = reply_result_classes([h.entry.suggestion_id for h in out])
    for h in out:
        h.replies = replies.get(h.entry.suggestion_id or 0, [])
    return out
