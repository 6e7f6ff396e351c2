"""The public site's search: jieba's words of the query matched against the tokens of the published
copies (`Publication.terms`), with each database's own full-text index — SQLite's FTS5 table
`publication_fts`, PostgreSQL's stored tsvector `tsv` (migration 0002).

The tokens are made by `do_publish` from the **masked** copy (`terms_of`), so a search can never
find a suggestion by a word the clerk masked — unlike the inside index (`textsearch`), which holds
the original texts and is never asked here. A search reads at most `MAX_MATCHES` ids from the index,
best first (bm25 / ts_rank, then the newest), whatever the amount of data; the list's other filters
are then applied to those ids alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from minyi.congress.models import Congress
from minyi.textsearch.search import fts5_query, tsquery_sql
from minyi.textsearch.segment import QueryWord, index_terms, query_words, tokenizer_for

#: At most this many matches are read, best first (a public search is a few words: the best
#: thousand hold whatever a reader pages through).
MAX_MATCHES = 1000


def terms_of(*, number: str, title: str, texts: Iterable[str], congress: Congress, tok: Any = None) -> str:
    """The tokens of a published copy (the title counts twice, as inside), space-separated, cut by
    `tok` (default: the congress's tokenizer)."""
    tok = tok or tokenizer_for(congress)
    whole = "\n".join([number, title, title, *texts])
    return " ".join(index_terms(whole, tok))


@dataclass(frozen=True)
class Matches:
    #: the query's words (empty: nothing to search for)
    words: list[QueryWord]
    #: the matching publications' ids, best first
    ids: list[int]
    #: no publication held every word: these hold some of them
    relaxed: bool = False

    @property
    def tokens(self) -> list[str]:
        return [t for w in self.words for t in (w.word, *(p for p in w.parts if len(p) > 1))]


def search(site_pk: int, q: str, *, version: int) -> Matches:
    """The congress's published suggestions matching `q`, best first: those holding every word, or,
    when none does, those holding any of its words of two characters or more (`relaxed`)."""
    words = query_words(q, tokenizer_for(Congress(pk=site_pk), version=version))
    if not words:
        return Matches(words, [])
    ids = _best(site_pk, words, any_word=False)
    # none held every word: any of the longer ones (a single character — 张 of a masked 张** —
    # would match nearly anything, and suggest that a masked name was found)
    some = [w for w in words if len(w.word) > 1]
    if not ids and len(words) > 1 and some:
        return Matches(words, _best(site_pk, some, any_word=True), relaxed=True)
    return Matches(words, ids)


def _best(site_pk: int, words: Sequence[QueryWord], *, any_word: bool) -> list[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsq, params = tsquery_sql(words, any_word=any_word)
            cursor.execute(
                "SELECT id FROM publication_publication "
                f"WHERE congress_id = %s AND state = 'published' AND tsv @@ {tsq} "
                f"ORDER BY ts_rank(tsv, {tsq}) DESC, published_at DESC, id DESC LIMIT %s",
                [site_pk, *params, *params, MAX_MATCHES],
            )
        else:
            cursor.execute(
                "SELECT p.id FROM publication_fts f JOIN publication_publication p ON p.id = f.rowid "
                "WHERE publication_fts MATCH %s AND p.congress_id = %s AND p.state = 'published' "
                "ORDER BY bm25(publication_fts), p.published_at DESC, p.id DESC LIMIT %s",
                [fts5_query(words, any_word=any_word), site_pk, MAX_MATCHES],
            )
        return [row[0] for row in cursor.fetchall()]


def reindex(congress: Congress, *, batch: int = 200) -> int:
    """Write the tokens of every publication of `congress` again from its stored (masked) copy —
    after a restore, a change of the segmentation, or the upgrade that added them. Idempotent;
    registered with `manage.py rebuild_search_index` (`textsearch.sources`)."""
    from django.db import transaction

    from .models import Publication, PublishedReply

    ids = list(Publication.objects.filter(congress=congress).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            rows = list(Publication.objects.filter(pk__in=chunk).select_for_update())
            tok = tokenizer_for(congress)
            letters: dict[int, list[str]] = {}
            for publication_id, unit, body in (
                PublishedReply.objects.filter(publication__in=chunk)
                .order_by("round", "pk")
                .values_list("publication_id", "unit__name", "body")
            ):
                letters.setdefault(publication_id, []).append(f"{unit}\n{body}")
            for p in rows:
                p.terms = terms_of(
                    number=p.number,
                    title=p.title,
                    texts=[p.facts, p.proposals, p.deputies, *letters.get(p.pk, [])],
                    congress=congress,
                    tok=tok,
                )
            Publication.objects.bulk_update(rows, ["terms"])
    return len(ids)
