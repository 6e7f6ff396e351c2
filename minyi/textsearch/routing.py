"""Unit routing (issue #15): which handling units a suggestion should go to, with the reasons.

`route(congress, text, …)` scores every active handling unit of the congress (never the four bodies:
they coordinate, they do not handle) and returns the best `top`, each with its reasons.

1. **Profiles (day one).** Each unit's profile is its name, short name and `Unit.duties` (主要职责,
   edited by the congress's admins on the unit page). The text and the profiles are cut by the
   congress's tokenizer (`segment.tokenizer_for`: jieba + the congress's own words) into words —
   `cut_for_search`, so 小学校 also gives 小学 and 学校 — plus the text's character bigrams at half
   weight (a word jieba cuts differently still meets its duty). Each unit is scored by BM25 of the
   text's terms against its profile, the IDF taken over the congress's unit profiles, so a word
   every unit has (示范区, 管理) weighs nothing and a word one unit has (校舍, 路灯) weighs most.
2. **History (learning).** The congress's past answering assignments (主办 and 分办, not the ones
   cancelled by re-assignment) are the examples. (a) The titles of the suggestions a unit answered
   are added to its profile (at LEARNED_WEIGHT): its "document" grows with what it handled, so a
   路灯 suggestion finds 城市管理局 once 路灯 suggestions went there, whatever its duties say.
   (b) Each past suggestion (title twice, facts) is a TF-IDF vector; the units of the most similar
   ones (k nearest neighbours, similarity ≥ MIN_SIMILARITY) get a vote — the reason "N 件相似的往年
   建议由该单位主办".
3. **Blend.** The profile score is scaled to the best unit's (1.0); the neighbours' vote is absolute
   (full at SATURATION) and mixed in as ``(1 − λ)·profile + λ·votes`` with ``λ = n / (n + 10)``, n
   the number of past examples, at most HISTORY_CEILING: day one (n = 0) is profiles alone; history
   weighs more as it accumulates. The ceiling is low (0.15) because on the real evaluation set
   the learned profiles (a) carried the gain and a louder vote cost top-1 accuracy
   (docs/PERFORMANCE.md). `history=False` ignores the past (day one, as bench/bench_routing.py
   measures it).

Reasons: the words of the text that matched the unit's profile, and "N 件相似的往年建议由该单位主办
（如：《…》）" from the neighbours.

`choosable_units(user, congress, suggestion=None)` is what the actor could pick in the assignment
form (`suggestions.forms.AssignForm`): congress staff every active unit, a coordinator the active
units of their bodies; routing only suggests among them.

Both the profiles and the history are kept per process, keyed by what they are made of (the units'
texts; the count and latest id of the answering assignments), so a page reads two small rows of
fingerprints, not the congress's history.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from .segment import STOP_WORDS, index_terms, tokenizer_for

if TYPE_CHECKING:
    import jieba

    from minyi.congress.models import Congress

#: BM25 parameters of the profile score.
K1 = 1.2
B = 0.5
#: Weight of a name / short-name term against a duty term, and of a character bigram against a word.
NAME_WEIGHT = 2.0
BIGRAM_WEIGHT = 0.5
#: History: neighbours consulted, least similarity that counts, and the blend's pace and ceiling.
NEIGHBOURS = 15
MIN_SIMILARITY = 0.1
HISTORY_PACE = 10
HISTORY_CEILING = 0.15
#: Weight of a term of a past suggestion's title added to the profile of the unit that answered it.
LEARNED_WEIGHT = 0.5
#: The summed similarity of a unit's neighbours at which its history score is full (1.0).
SATURATION = 1.5
#: Weight of the similarity to a unit's centroid against the neighbours' votes.
CENTROID_WEIGHT = 0.0
#: Facts longer than this are cut (the opening states the issue; the rest is detail).
FACTS_CHARS = 600
#: Words shown as the reason, at most.
REASON_WORDS = 5

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
#: Words of a suggestion's title that say what to do, not what about (segment.STOP_WORDS has the
#: rest): they would make any two suggestions look alike.
GENERIC: frozenset[str] = frozenset(
    """
    加快 加大 实施 解决 完善 尽快 推动 促进 进一步 给予 强化 落实 提升 改善 重视 积极 请求 要求 希望 力度
    措施 有效 切实 做好 建立 健全 规范 支持 帮助 增加 增设 出台 制定 研究 关注 考虑 尽早 及时 全面 有序
    """.split()  # noqa: SIM905 - a list of words reads better as text
)


# --- terms -------------------------------------------------------------------------------------------


def _words(text: str, tok: jieba.Tokenizer) -> list[str]:
    """Words of two characters or more (single characters match too much), in order, repeated."""
    return [w for w in index_terms(text, tok) if len(w) >= 2 and w not in GENERIC]


def _bigrams(text: str) -> list[str]:
    out: list[str] = []
    for run in _CJK_RUN.findall(text or ""):
        out.extend(
            "#" + g
            for g in (run[i : i + 2] for i in range(len(run) - 1))
            if g not in GENERIC and g not in STOP_WORDS
        )
    return out


def text_terms(text: str, tok: jieba.Tokenizer) -> Counter[str]:
    """The text's terms: its words, and its character bigrams (prefixed ``#``) at half weight."""
    terms: Counter[str] = Counter()
    for w in _words(text, tok):
        terms[w] += 1.0  # type: ignore[assignment]
    for g in _bigrams(text):
        terms[g] += BIGRAM_WEIGHT  # type: ignore[assignment]
    return terms


def _shown(term: str) -> str:
    return term[1:] if term.startswith("#") else term


# --- profiles ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    pk: int
    name: str
    short_name: str
    duties: str
    body_id: int | None


@dataclass
class Profiles:
    units: dict[int, UnitRow]
    #: unit pk → term → weighted count (name terms count NAME_WEIGHT)
    tf: dict[int, dict[str, float]]
    length: dict[int, float]
    avg_length: float
    idf: dict[str, float]


def _profile_terms(u: UnitRow, tok: jieba.Tokenizer) -> dict[str, float]:
    terms: Counter[str] = Counter()
    for text, weight in ((u.name, NAME_WEIGHT), (u.short_name, NAME_WEIGHT), (u.duties, 1.0)):
        for w in _words(text, tok):
            terms[w] += weight  # type: ignore[assignment]
        for g in _bigrams(text):
            terms[g] += weight * BIGRAM_WEIGHT  # type: ignore[assignment]
    return dict(terms)


def build_profiles(
    rows: Iterable[UnitRow], tok: jieba.Tokenizer, learned: dict[int, Counter[str]] | None = None
) -> Profiles:
    """The units' profiles; `learned`: terms from the suggestions each unit answered, added to its
    profile at LEARNED_WEIGHT."""
    units = {u.pk: u for u in rows}
    tf = {pk: _profile_terms(u, tok) for pk, u in units.items()}
    for pk, terms in (learned or {}).items():
        if pk in tf:
            for t, v in terms.items():
                tf[pk][t] = tf[pk].get(t, 0.0) + LEARNED_WEIGHT * v
    length = {pk: sum(t.values()) for pk, t in tf.items()}
    n = len(units)
    df: Counter[str] = Counter()
    for unit_terms in tf.values():
        df.update(unit_terms.keys())
    idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    avg = (sum(length.values()) / n) if n else 1.0
    return Profiles(units, tf, length, avg or 1.0, idf)


def profile_scores(
    p: Profiles, query: Counter[str], candidates: Iterable[int]
) -> dict[int, tuple[float, list[str]]]:
    """unit pk → (BM25 score, the matched terms by contribution, best first)."""
    out: dict[int, tuple[float, list[str]]] = {}
    for pk in candidates:
        tf = p.tf.get(pk)
        if tf is None:
            continue
        norm = K1 * (1 - B + B * p.length[pk] / p.avg_length)
        total = 0.0
        parts: list[tuple[float, str]] = []
        for term, qw in query.items():
            f = tf.get(term)
            if not f:
                continue
            gain = qw * p.idf[term] * f * (K1 + 1) / (f + norm)
            if gain > 0:
                total += gain
                parts.append((gain, term))
        parts.sort(key=lambda x: (-x[0], x[1]))
        out[pk] = (total, [t for _g, t in parts])
    return out


# --- history -----------------------------------------------------------------------------------------


@dataclass
class Example:
    suggestion_id: int
    title: str
    year: int | None
    units: frozenset[int]
    vector: dict[str, float]


@dataclass
class History:
    examples: list[Example] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    #: unit pk → normalised centroid of the vectors of the suggestions it answered
    centroids: dict[int, dict[str, float]] = field(default_factory=dict)
    #: term → indexes of the examples holding it
    postings: dict[str, list[int]] = field(default_factory=dict)
    #: unit pk → the terms of the titles of the suggestions it answered
    titles: dict[int, Counter[str]] = field(default_factory=dict)


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in weights.values()))
    return {t: v / norm for t, v in weights.items()} if norm else {}


def _damped(count: float) -> float:
    """A term's weight from its count: 1 + log(count), a bigram's half count as it is."""
    return 1 + math.log(count) if count >= 1 else count


def _example_terms(title: str, facts: str, tok: jieba.Tokenizer) -> Counter[str]:
    terms = Counter({t: 2 * v for t, v in text_terms(title, tok).items()})  # the title counts twice
    terms.update(text_terms((facts or "")[:FACTS_CHARS], tok))
    return terms


def build_history(rows: Iterable[tuple[int, int, str, str, int | None]], tok: jieba.Tokenizer) -> History:
    """`rows`: (suggestion id, unit id, title, facts, year) of each answering assignment."""
    by_suggestion: dict[int, tuple[str, str, int | None, set[int]]] = {}
    for sid, unit_id, title, facts, year in rows:
        entry = by_suggestion.setdefault(sid, (title, facts, year, set()))
        entry[3].add(unit_id)
    raw: list[tuple[int, str, int | None, frozenset[int], Counter[str]]] = [
        (sid, title, year, frozenset(units), _example_terms(title, facts, tok))
        for sid, (title, facts, year, units) in sorted(by_suggestion.items())
    ]
    n = len(raw)
    df: Counter[str] = Counter()
    for *_rest, terms in raw:
        df.update(terms.keys())
    idf = {t: math.log(1 + (n + 1) / (d + 0.5)) for t, d in df.items()}
    h = History(idf=idf)
    sums: dict[int, Counter[str]] = defaultdict(Counter)
    for sid, title, year, units, terms in raw:
        vec = _normalised({t: _damped(v) * idf[t] for t, v in terms.items() if v > 0 and idf[t] > 0})
        h.examples.append(Example(sid, title, year, units, vec))
        for unit_id in units:
            sums[unit_id].update(vec)
    for i, ex in enumerate(h.examples):
        for t in ex.vector:
            h.postings.setdefault(t, []).append(i)
    h.centroids = {u: _normalised(dict(c)) for u, c in sums.items()}
    for title, _facts, _year, answered in by_suggestion.values():
        title_terms = text_terms(title, tok)
        for unit_id in answered:
            h.titles.setdefault(unit_id, Counter()).update(title_terms)
    return h


def history_scores(
    h: History, query: Counter[str], candidates: set[int], *, exclude: int | None = None
) -> tuple[dict[int, tuple[float, list[Example]]], float]:
    """unit pk → (history score, the similar past suggestions it answered, most similar first); and
    the similarity of the most similar past suggestion."""
    qvec = _normalised({t: _damped(v) * h.idf[t] for t, v in query.items() if h.idf.get(t, 0) > 0})
    if not qvec:
        return {}, 0.0
    sims: dict[int, float] = defaultdict(float)
    for t, qv in qvec.items():
        for i in h.postings.get(t, ()):
            sims[i] += qv * h.examples[i].vector[t]
    ranked = sorted(
        ((s, i) for i, s in sims.items() if s >= MIN_SIMILARITY and h.examples[i].suggestion_id != exclude),
        key=lambda x: (-x[0], x[1]),
    )[:NEIGHBOURS]
    votes: dict[int, float] = defaultdict(float)
    similar: dict[int, list[Example]] = defaultdict(list)
    for s, i in ranked:
        ex = h.examples[i]
        for u in ex.units:
            if u in candidates:
                votes[u] += s
                similar[u].append(ex)
    out: dict[int, tuple[float, list[Example]]] = {}
    for u in candidates:
        c = h.centroids.get(u)
        centroid = sum(qv * c.get(t, 0.0) for t, qv in qvec.items()) if c else 0.0
        score = votes.get(u, 0.0) + CENTROID_WEIGHT * centroid
        if score > 0:
            out[u] = (score, similar.get(u, []))
    return out, (ranked[0][0] if ranked else 0.0)


# --- kept per process ----------------------------------------------------------------------------------

_lock = threading.Lock()
_profiles: dict[tuple[int, bool], tuple[Any, Profiles]] = {}
_histories: dict[int, tuple[Any, History]] = {}


def _unit_rows(congress: Congress) -> list[UnitRow]:
    from minyi.congress.models import Unit

    rows = (
        Unit.objects.filter(congress=congress, active=True)
        .exclude(kind=Unit.Kind.BODY)
        .order_by("order", "name")
        .values_list("pk", "name", "short_name", "duties", "body_id")
    )
    return [UnitRow(*r) for r in rows]


def profiles_for(congress: Congress, tok: jieba.Tokenizer, past: History | None = None) -> Profiles:
    """The units' profiles, with what they learned from `past` (None: day one)."""
    rows = _unit_rows(congress)
    key = (id(tok), tuple(rows), id(past))
    slot = (congress.pk, past is not None)
    with _lock:
        known = _profiles.get(slot)
        if known is not None and known[0] == key:
            return known[1]
    built = build_profiles(rows, tok, past.titles if past is not None else None)
    with _lock:
        _profiles[slot] = (key, built)
    return built


def _answering_assignments(congress: Congress) -> Any:
    from minyi.suggestions.models import Assignment, AssignmentRole
    from minyi.suggestions.states import AssignmentState

    return Assignment.objects.filter(
        suggestion__congress=congress, role__in=[AssignmentRole.LEAD, AssignmentRole.SPLIT]
    ).exclude(state=AssignmentState.CANCELLED)


def history_for(congress: Congress, tok: jieba.Tokenizer) -> History:
    qs = _answering_assignments(congress)
    fingerprint = qs.aggregate(n=Count("pk"), last=Max("pk"), edited=Max("suggestion__updated_at"))
    key = (id(tok), fingerprint["n"], fingerprint["last"], fingerprint["edited"])
    with _lock:
        known = _histories.get(congress.pk)
        if known is not None and known[0] == key:
            return known[1]
    rows = qs.values_list(
        "suggestion_id", "unit_id", "suggestion__title", "suggestion__facts", "suggestion__year"
    ).order_by("suggestion_id", "pk")
    built = build_history(rows, tok) if fingerprint["n"] else History()
    with _lock:
        _histories[congress.pk] = (key, built)
    return built


# --- routing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One suggested unit."""

    unit_id: int
    name: str
    short_name: str
    score: float
    reasons: list[str]
    #: the matched words (for the page) and the similar past suggestions' titles
    words: list[str]
    similar: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "short_name": self.short_name,
            "score": self.score,
            "reasons": self.reasons,
        }


def history_weight(examples: int) -> float:
    return min(HISTORY_CEILING, examples / (examples + HISTORY_PACE)) if examples > 0 else 0.0


def _scaled(values: dict[int, float]) -> dict[int, float]:
    best = max(values.values(), default=0.0)
    return {k: v / best for k, v in values.items()} if best > 0 else {}


def _distinct_titles(examples: list[Example]) -> list[str]:
    return list(dict.fromkeys(ex.title for ex in examples))


def route(
    congress: Congress,
    text: str,
    *,
    top: int = 3,
    units: set[int] | None = None,
    history: bool = True,
    exclude: int | None = None,
) -> list[Route]:
    """The `top` units for `text` among `units` (None: every active handling unit), best first; a unit
    with no evidence at all is never suggested. `exclude`: the suggestion being assigned (its own
    earlier assignments are not evidence)."""
    tok = tokenizer_for(congress)
    past = history_for(congress, tok) if history else History()
    profiles = profiles_for(congress, tok, past if past.examples else None)
    candidates = set(profiles.units) if units is None else set(profiles.units) & set(units)
    if not candidates or not (text or "").strip():
        return []
    query = text_terms(text, tok)
    by_profile = profile_scores(profiles, query, candidates)
    by_history, best = (
        history_scores(past, query, candidates, exclude=exclude) if past.examples else ({}, 0.0)
    )
    # history weighs more as the examples grow; a unit's history score is absolute (the summed
    # similarity of its neighbours, full at SATURATION), so one faint neighbour counts little
    weight = history_weight(len(past.examples))
    p = _scaled({u: s for u, (s, _w) in by_profile.items()})
    hs = {u: min(1.0, s / SATURATION) for u, (s, _e) in by_history.items()}
    blended = {u: (1 - weight) * p.get(u, 0.0) + weight * hs.get(u, 0.0) for u in candidates}
    order = sorted(
        (u for u, s in blended.items() if s > 0),
        key=lambda u: (-blended[u], profiles.units[u].name),
    )[: max(top, 0)]
    out = []
    for u in order:
        row = profiles.units[u]
        words = _reason_words(by_profile.get(u, (0.0, []))[1], tok)
        examples = by_history.get(u, (0.0, []))[1]
        similar = _distinct_titles(examples)
        reasons = []
        if words:
            reasons.append(_("匹配词：%(w)s") % {"w": "、".join(words)})
        if similar:
            reasons.append(
                _("%(n)d 件相似的往年建议由该单位主办（如：%(t)s）")
                % {"n": len(examples), "t": "、".join(f"《{t}》" for t in similar[:2])}
            )
        out.append(
            Route(
                unit_id=u,
                name=row.name,
                short_name=row.short_name,
                score=round(blended[u], 3),
                reasons=reasons,
                words=words,
                similar=similar[:3],
            )
        )
    return out


def _reason_words(terms: list[str], tok: jieba.Tokenizer) -> list[str]:
    """The matched terms as words to show, by contribution: a bigram only when it is a word of the
    dictionary (not 通安 across 交通|安全) and no shown word already contains it."""
    shown: list[str] = []
    for t in terms:
        w = _shown(t)
        if any(w in s for s in shown) or (t.startswith("#") and not tok.FREQ.get(w)):
            continue
        if not t.startswith("#"):
            shown = [s for s in shown if s not in w]
        shown.append(w)
        if len(shown) >= REASON_WORDS:
            break
    return shown


# --- who may pick which units ------------------------------------------------------------------------


def choosable_units(user: Any, congress: Congress, suggestion: Any = None) -> set[int] | None:
    """The units `user` could choose in the assignment form of `congress` (as `AssignForm` limits
    them): None = every active unit (congress staff), else the ids of the active units under the
    coordinator's bodies (an empty set: the user may not assign at all)."""
    from minyi.accounts.models import STAFF_ROLES
    from minyi.congress.models import Unit
    from minyi.core.kit import roles_of
    from minyi.suggestions.rules import coordinator_bodies

    if roles_of(user, congress) & STAFF_ROLES:
        return None
    bodies = coordinator_bodies(user, congress)
    if not bodies:
        return set()
    return set(
        Unit.objects.filter(congress=congress, active=True, body_id__in=bodies).values_list("pk", flat=True)
    )
