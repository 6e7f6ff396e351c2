"""Chinese word segmentation for the search index (jieba), one dictionary per congress.

- `tokenizer_for(congress)`: a `jieba.Tokenizer` of its own for each congress, holding jieba's main
  dictionary plus the congress's **user dictionary** — its categories and theme tags (`Category`,
  `ThemeTag`) and its units' names and short names (`Unit`). Each congress gets its own instance, so
  one congress's words never change how another's text is cut. The word list is read again when the
  congress's data version (`core.versioned.data_version`) moves; the tokenizer is rebuilt only when
  the list itself changed (a copy of the main dictionary, about 0.1 s, kept per process).
- `index_terms(text, tok)`: the tokens stored in the index — `cut_for_search` (the words and the
  shorter words inside long ones: 老旧小区 → 老旧, 小区, 老旧小区), punctuation, spaces and stop
  words dropped, lower-cased.
- `query_words(text, tok)`: the words of a query — `cut` (the longest words), with, for each word, the
  shorter words `cut_for_search` finds inside it, so that a query word matches either whole or by its
  parts (see `search.py`).
- `key_terms(text, tok, limit)`: the draft's key words by TF-IDF (jieba's IDF table), for similar
  suggestions.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jieba

if TYPE_CHECKING:
    from minyi.congress.models import Congress

jieba.setLogLevel(logging.WARNING)

#: Frequent function words and the genre's own boilerplate (every suggestion "建议", "关于" …): they
#: match everything and rank nothing.
STOP_WORDS: frozenset[str] = frozenset(
    """
    的 了 和 与 及 以及 或 或者 等 等等 在 是 为 对 对于 把 被 将 从 向 由 于 以 之 其 并 而 且 也 都 就 还
    又 很 更 最 这 那 这个 那个 这些 那些 此 该 各 每 有 没有 无 不 没 要 会 能 可 可以 应 应当 应该 需要
    进行 开展 加强 推进 提高 做好 相关 有关 问题 情况 方面 工作 建议 关于 一是 二是 三是 四是 五是 目前
    当前 现在 已经 一些 一个 一定 我们 他们 我 你 他 她 它 本 个 中 上 下 内 外 时 后 前 年 月 日 号 第
    """.split()  # noqa: SIM905 - a list of a hundred words reads better as text
)

#: A token is kept only if it holds a letter or a digit (CJK characters are letters).
_WORDY = re.compile(r"\w", re.UNICODE)
_ONLY_DIGITS = re.compile(r"^\d{1,2}$")
_JIEBA_SPECIAL = re.compile(r"[\s　]+")


def _keep(token: str) -> bool:
    token = token.strip()
    if not token or not _WORDY.search(token) or "_" in token:
        return False
    if token in STOP_WORDS:
        return False
    return not _ONLY_DIGITS.match(token)


def _clean(token: str) -> str:
    return token.strip().lower()


# --- the tokenizers --------------------------------------------------------------------------------

_lock = threading.Lock()
_base: jieba.Tokenizer | None = None
#: frozenset of user words → its tokenizer (a handful per process: one per congress, at most).
_by_words: dict[frozenset[str], jieba.Tokenizer] = {}
#: congress pk → (data version, its words)
_words_of: dict[int, tuple[int, frozenset[str]]] = {}
_MAX_TOKENIZERS = 16


def base_tokenizer() -> jieba.Tokenizer:
    """jieba's main dictionary, loaded once per process (no user words)."""
    global _base
    with _lock:
        if _base is None:
            tok = jieba.Tokenizer()
            tok.initialize()
            _base = tok
            _freeze()
        return _base


def _tokenizer_with(words: frozenset[str]) -> jieba.Tokenizer:
    found = _by_words.get(words)
    if found is not None:
        return found
    base = base_tokenizer()
    with _lock:
        tok = jieba.Tokenizer()
        # a copy of the loaded main dictionary instead of a second load (its own FREQ: add_word
        # writes into it, so the words stay this tokenizer's)
        tok.FREQ = dict(base.FREQ)
        tok.total = base.total
        tok.initialized = True
        for word in sorted(words):
            tok.add_word(word, freq=max(tok.suggest_freq(word), 1000))
        if len(_by_words) >= _MAX_TOKENIZERS:
            _by_words.pop(next(iter(_by_words)))
        _by_words[words] = tok
        _freeze()
        return tok


def _freeze() -> None:
    """Move every object alive now — the dictionaries just loaded, and what the process holds for
    good (modules, templates, URL patterns) — out of the cyclic collector's sight (`gc.freeze`, as
    servers do before forking workers). Without it, the collections of the oldest generation that
    a search's allocations trigger walked them all: one search in five took 60–70 ms more at 100k
    (docs/PERFORMANCE.md). Called only when a tokenizer is built (once per congress and process)."""
    gc.freeze()


def dictionary_words(congress: Congress) -> frozenset[str]:
    """The congress's own words: its categories, theme tags and units (names and short names)."""
    from minyi.congress.models import Category, ThemeTag, Unit

    names: set[str] = set()
    names.update(Category.objects.filter(congress=congress).values_list("name", flat=True))
    names.update(ThemeTag.objects.filter(congress=congress).values_list("name", flat=True))
    for name, short in Unit.objects.filter(congress=congress).values_list("name", "short_name"):
        names.update((name, short))
    words = set()
    for name in names:
        name = _JIEBA_SPECIAL.sub("", name or "")
        # a name is one word; a taxonomy name with a separator (城建·交通) also gives its parts
        for part in [name, *re.split(r"[、·/，,（）()和与及]", name)]:
            if 2 <= len(part) <= 20 and _WORDY.search(part):
                words.add(part)
    return frozenset(words)


def tokenizer_for(congress: Congress | None, *, version: int | None = None) -> jieba.Tokenizer:
    """The tokenizer of `congress` (jieba's dictionary + its user dictionary), or the bare one."""
    if congress is None:
        return base_tokenizer()
    if version is None:
        from minyi.core.versioned import data_version

        version = data_version(congress)
    known = _words_of.get(congress.pk)
    if known is None or known[0] != version:
        known = (version, dictionary_words(congress))
        _words_of[congress.pk] = known
    return _tokenizer_with(known[1])


# --- cutting ---------------------------------------------------------------------------------------


_CJK = re.compile(r"^[\u3400-\u9fff]+$")


def _glue(prev: str, word: str) -> str | None:
    """The two characters across a boundary where jieba left a single character (路 | 灯不亮 → 路灯),
    so a word it cut apart is still found whole; not across a stop word (的, 和 …)."""
    if not prev or not word or (len(prev) != 1 and len(word) != 1):
        return None
    if prev in STOP_WORDS or word in STOP_WORDS or not (_CJK.match(prev) and _CJK.match(word)):
        return None
    return prev[-1] + word[0]


def index_terms(text: str, tok: jieba.Tokenizer) -> list[str]:
    """The tokens to index for `text` (in order, repeated as they occur: bm25 counts them): jieba's
    `cut_for_search` (each word, and the dictionary's 2- and 3-character words inside a longer one)
    plus the glued pair across a single character (see `_glue`)."""
    out: list[str] = []
    prev = ""
    for raw in tok.cut(text or "", HMM=True):
        word = raw.strip()
        if len(word) > 2:
            out += [word[i : i + 2] for i in range(len(word) - 1) if tok.FREQ.get(word[i : i + 2])]
        if len(word) > 3:
            out += [word[i : i + 3] for i in range(len(word) - 2) if tok.FREQ.get(word[i : i + 3])]
        glued = _glue(prev, word)
        if glued:
            out.append(glued)
        out.append(word)
        prev = word
    return [_clean(t) for t in out if _keep(t)]


@dataclass(frozen=True)
class QueryWord:
    """One word of a query, and the shorter words inside it (empty when it has none)."""

    word: str
    parts: tuple[str, ...] = ()


def parts_of(word: str, tok: jieba.Tokenizer) -> tuple[str, ...]:
    """The shorter words `cut_for_search` finds inside `word` (老旧小区 → 老旧, 小区), when together
    they cover it; else none (a fragment alone does not stand for the word)."""
    parts = tuple(
        dict.fromkeys(
            _clean(p) for p in tok.cut_for_search(word, HMM=False) if _keep(p) and _clean(p) != word
        )
    )
    if parts and sum(len(p) for p in parts) < len(word):
        return ()
    return parts


def query_words(text: str, tok: jieba.Tokenizer, *, limit: int = 12) -> list[QueryWord]:
    """The words of the query `text`, once each, in order (at most `limit`)."""
    out: list[QueryWord] = []
    seen: set[str] = set()
    for raw in tok.cut(text or "", HMM=True):
        word = _clean(raw)
        if not _keep(word) or word in seen:
            continue
        seen.add(word)
        out.append(QueryWord(word, parts_of(word, tok)))
        if len(out) >= limit:
            break
    return out


_idf: tuple[dict[str, float], float] | None = None


def _idf_table() -> tuple[dict[str, float], float]:
    global _idf
    if _idf is None:
        import jieba.analyse

        default = jieba.analyse.default_tfidf
        _idf = (default.idf_freq, default.median_idf)
    return _idf


def key_terms(text: str, tok: jieba.Tokenizer, *, limit: int = 12, boost: Iterable[str] = ()) -> list[str]:
    """The `limit` words of `text` with the highest TF-IDF (term count × jieba's IDF), words of two
    characters or more; the words of `boost` (the title) count twice."""
    idf, median = _idf_table()
    counts: dict[str, float] = {}
    for source, weight in ((text, 1.0), (" ".join(boost), 1.0)):
        for raw in tok.cut(source or "", HMM=True):
            word = _clean(raw)
            if len(word) < 2 or not _keep(word):
                continue
            counts[word] = counts.get(word, 0.0) + weight
    scored = sorted(counts.items(), key=lambda kv: (-kv[1] * idf.get(kv[0], median), kv[0]))
    return [w for w, _ in scored[:limit]]
