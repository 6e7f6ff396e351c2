"""Writing the index: one `SearchEntry` per suggestion, reply and voter opinion.

Kept current by the actions: `TextsearchConfig.ready()` registers `on_suggestion_event` and
`on_opinion_event` with `audit.register_listener` for the audit codes of the actions that create or
change indexed text (`SUGGESTION_CODES`, `OPINION_CODES`); each re-indexes what its row is about
inside the action's transaction. `rebuild(congress)` (the `rebuild_search_index` command) writes
everything again; it is idempotent. Entries go with their record (foreign keys ON DELETE CASCADE); a
reply gone from a suggestion loses its entry when the suggestion is indexed again.

What is indexed — never a constituent's name or phone, never an internal note:
- a suggestion: title, facts, proposals (text), plus its lead deputy's name (terms only);
- a reply (any state: who may see it is decided when searching): its body and commitments;
- an opinion: its content, the on-spot answer and the unit's answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction

from minyi.audit.models import AuditEvent
from minyi.intake.selectors import opinions_for_index
from minyi.suggestions.selectors import replies_for_index, suggestions_for_index

from .models import SearchEntry
from .segment import index_terms, tokenizer_for

if TYPE_CHECKING:
    import jieba

    from minyi.congress.models import Congress

Kind = SearchEntry.Kind

#: Audit codes after which a suggestion and its replies are indexed again: text written (created,
#: updated, imported; a reply drafted or rewritten, signed off) and what a hit shows or is filtered
#: by (number and year given on acceptance; merged).
SUGGESTION_CODES = (
    "suggestion.created",
    "suggestion.updated",
    "suggestion.imported",
    "suggestion.accepted",
    "suggestion.merged",
    "suggestion.withdrawn",
    "reply.drafted",
    "reply.sent_back",
    "reply.signed_off",
)
#: …and an opinion: recorded, answered on the spot or by the unit, merged.
OPINION_CODES = (
    "intake.opinion.recorded",
    "intake.opinion.answered",
    "intake.opinion.unit_answered",
    "intake.opinion.merged",
    "intake.opinion.adopted",
)

TITLE_MAX = 300


def _join(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _suggestion_entry(s: Any, tok: jieba.Tokenizer) -> SearchEntry:
    text = _join(s.facts, s.proposals)
    lead = s.lead.name if s.lead_id else ""
    terms = index_terms(_join(s.title, s.title, text), tok)  # the title counts twice
    if lead:
        terms.append(lead.lower())
    return SearchEntry(
        congress_id=s.congress_id,
        kind=Kind.SUGGESTION,
        object_id=s.pk,
        suggestion_id=s.pk,
        category_id=s.category_id,
        year=s.year or (s.created_at.year if s.created_at else None),
        title=s.title[:TITLE_MAX],
        text=text,
        terms=" ".join(terms),
    )


def _reply_entry(r: Any, s: Any, tok: jieba.Tokenizer) -> SearchEntry:
    commitments = [c.text for c in r.commitments.all()]
    text = _join(r.body, *commitments)
    unit = r.assignment.unit.name
    return SearchEntry(
        congress_id=s.congress_id,
        kind=Kind.REPLY,
        object_id=r.pk,
        suggestion_id=s.pk,
        category_id=s.category_id,
        year=s.year or (s.created_at.year if s.created_at else None),
        title=f"{unit} · {s.title}"[:TITLE_MAX],
        text=text,
        terms=" ".join(index_terms(text, tok)),
    )


def _opinion_entry(o: Any, tok: jieba.Tokenizer) -> SearchEntry:
    text = _join(o.content, o.answer, o.unit_answer)
    first_line = " ".join((o.content or "").split())
    return SearchEntry(
        congress_id=o.congress_id,
        kind=Kind.OPINION,
        object_id=o.pk,
        opinion_id=o.pk,
        category_id=o.category_id,
        year=o.collected_on.year if o.collected_on else None,
        title=(first_line[:40] + ("…" if len(first_line) > 40 else "")) or str(o),
        text=text,
        terms=" ".join(index_terms(text, tok)),
    )


def _entries_of_suggestions(suggestions: Iterable[Any], tok: jieba.Tokenizer) -> Iterator[SearchEntry]:
    suggestions = list(suggestions)
    by_pk = {s.pk: s for s in suggestions}
    for s in suggestions:
        yield _suggestion_entry(s, tok)
    for r in replies_for_index(list(by_pk)):
        yield _reply_entry(r, by_pk[r.assignment.suggestion_id], tok)


_FIELDS = ["congress", "suggestion", "opinion", "category", "year", "title", "text", "terms"]


def _save(entries: list[SearchEntry], *, replace: Iterable[tuple[str, int]] = ()) -> None:
    """Write `entries` (insert or update by kind and object id) and delete the entries of `replace`
    (kind, object id) that `entries` no longer holds."""
    with transaction.atomic():
        keys = {(e.kind, e.object_id) for e in entries}
        stale = [k for k in replace if k not in keys]
        for kind, object_id in stale:
            SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()
        if entries:
            # update_conflicts: one statement on both databases; the FTS5 triggers see it as an
            # UPDATE (delete + insert of the terms), so the FTS index follows.
            SearchEntry.objects.bulk_create(
                entries,
                update_conflicts=True,
                unique_fields=["kind", "object_id"],
                update_fields=[*_FIELDS, "updated_at"],
                batch_size=500,
            )


def index_suggestions(ids: Iterable[int], *, tok: jieba.Tokenizer | None = None) -> int:
    """(Re-)index the suggestions `ids` and their replies; returns the number of entries written."""
    ids = list(ids)
    if not ids:
        return 0
    suggestions = list(suggestions_for_index(ids))
    entries: list[SearchEntry] = []
    for group in _by_congress(suggestions).values():
        t = tok or tokenizer_for(group[0].congress)
        entries.extend(_entries_of_suggestions(group, t))
    old = SearchEntry.objects.filter(suggestion_id__in=ids).values_list("kind", "object_id")
    _save(entries, replace=list(old))
    return len(entries)


def index_opinions(ids: Iterable[int], *, tok: jieba.Tokenizer | None = None) -> int:
    ids = list(ids)
    if not ids:
        return 0
    opinions = list(opinions_for_index(ids))
    entries: list[SearchEntry] = []
    for group in _by_congress(opinions).values():
        t = tok or tokenizer_for(group[0].congress)
        entries.extend(_opinion_entry(o, t) for o in group)
    _save(entries)
    return len(entries)


def _by_congress(rows: list[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(row.congress_id, []).append(row)
    return out


def _object_pk(event: AuditEvent, label: str) -> int | None:
    if event.object_type == label and event.object_id:
        try:
            return int(event.object_id)
        except ValueError:
            return None
    return None


def on_suggestion_event(event: AuditEvent) -> None:
    """An audit row of `SUGGESTION_CODES`: index its suggestion and that suggestion's replies."""
    pk = event.suggestion_id or _object_pk(event, "suggestions.suggestion")
    if pk is not None:
        index_suggestions([pk])


def on_opinion_event(event: AuditEvent) -> None:
    """An audit row of `OPINION_CODES`: index the opinion it is about."""
    pk = _object_pk(event, "intake.opinion")
    if pk is not None:
        index_opinions([pk])


def rebuild(congress: Congress, *, batch: int = 500, progress: Any = None) -> dict[str, int]:
    """Index every suggestion, reply and opinion of `congress` again, in batches, and drop entries
    whose record is gone. Idempotent. `progress(done, total)` is called after each batch."""
    from minyi.intake.selectors import opinion_ids_of
    from minyi.suggestions.selectors import suggestion_ids_of

    tok = tokenizer_for(congress)
    suggestion_ids = list(suggestion_ids_of(congress))
    opinion_ids = list(opinion_ids_of(congress))
    total = len(suggestion_ids) + len(opinion_ids)
    done = written = 0
    for start in range(0, len(suggestion_ids), batch):
        chunk = suggestion_ids[start : start + batch]
        written += index_suggestions(chunk, tok=tok)
        done += len(chunk)
        if progress:
            progress(done, total)
    for start in range(0, len(opinion_ids), batch):
        chunk = opinion_ids[start : start + batch]
        written += index_opinions(chunk, tok=tok)
        done += len(chunk)
        if progress:
            progress(done, total)
    return {"records": total, "entries": written}
