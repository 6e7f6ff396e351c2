"""The suggestion lists' search (`suggestions.selectors.filter_suggestions`'s `q`, registered as
`suggestions.hooks.register_text_matcher`): the ids of a congress's suggestions whose indexed text
(title, facts, proposals, lead deputy) holds every word of the query, as jieba cuts it — in any
order, apart, inside longer words. The list ORs them with its substring match, keeps its own order
(newest first) and its reader's visibility; so only the ids are asked here, newest first and at
most `LIST_MATCHES` of them (a broad word in a large congress: the newest suggestions holding it)."""

from __future__ import annotations

from typing import Any

from .models import SearchEntry
from .search import matching
from .segment import query_words, tokenizer_for

#: At most this many matching suggestions, the newest, are added to a list's substring matches.
LIST_MATCHES = 2_000


def suggestions_matching(congress: Any, q: str) -> list[int]:
    words = query_words(q, tokenizer_for(congress))
    if not words:
        return []
    entries = SearchEntry.objects.filter(congress=congress, kind=SearchEntry.Kind.SUGGESTION)
    found = matching(entries, words, ranked=False).values_list("suggestion_id", flat=True)
    return [pk for pk in found[:LIST_MATCHES] if pk is not None]
