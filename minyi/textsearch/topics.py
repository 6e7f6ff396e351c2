"""Hot topics (issue #15): the words and phrases most suggestions of a year (or a quarter) are about,
with the count of the same period a year earlier.

A term's count is the number of the congress's suggestions of the period (the 立案年度, as the
suggestion list's year filter; a quarter by `accepted_at`) that the suggestion list's keyword search
for it finds (`?q=`: title, number, facts, proposals, lead deputy) — a suggestion that says 路灯 five
times counts once, and the drill-down list holds exactly the count. Terms are the words of the congress's tokenizer (`segment.tokenizer_for`,
jieba's longest cut plus the congress's own words), of two characters or more, without
`segment.STOP_WORDS`, routing's generic verbs (`routing.GENERIC`) and the genre's own words below
(建议, 群众, 我区…), numbers and place-less fillers.

`hot_topics(congress, year, …)` is kept under the congress's data version (`core.versioned.kept`):
one query for the version on a page, none for the suggestions until something changes.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Case, Q, Value, When

from minyi.core.versioned import kept

from .routing import GENERIC
from .segment import STOP_WORDS, tokenizer_for

if TYPE_CHECKING:
    import jieba

    from minyi.congress.models import Congress

#: Words every suggestion uses whatever it is about.
TOPIC_STOP_WORDS: frozenset[str] = frozenset(
    """
    建议 意见 问题 加强 进一步 群众 居民 市民 百姓 老百姓 我区 我市 我县 全区 全市 全县 本区 地方 部分 存在 由于
    因为 所以 但是 同时 通过 造成 导致 影响 严重 不足 较大 较多 很多 许多 没有 不能 不够 需要 希望 政府 部门 有关部门
    相关部门 单位 管理 情况 工作 发展 建设 实施 推进 提高 提升 加快 加大 完善 解决 落实 保障 今年 去年 明年 近年
    近年来 多年 目前 现在 现状 方面 措施 办法 要求 内容 一定 有效 及时 积极 主要 重要 基本 特别 尤其 比较 非常
    """.split()  # noqa: SIM905 - a list of words reads better as text
)
FACTS_CHARS = 2000


@dataclass(frozen=True)
class Topic:
    term: str
    count: int
    last: int

    @property
    def change(self) -> int:
        return self.count - self.last

    @property
    def trend(self) -> str:
        """ "up", "down" or "same" against the same period a year earlier ("new" when it had none)."""
        if self.last == 0:
            return "new"
        return "up" if self.count > self.last else "down" if self.count < self.last else "same"


def terms_of(text: str, tok: jieba.Tokenizer) -> set[str]:
    out = set()
    for raw in tok.cut(text or "", HMM=True):
        word = raw.strip().lower()
        if (
            len(word) < 2
            or word in STOP_WORDS
            or word in GENERIC
            or word in TOPIC_STOP_WORDS
            or not any("\u4e00" <= ch <= "\u9fff" or ch.isalpha() for ch in word)
            or word.isdigit()
        ):
            continue
        out.add(word)
    return out


def _period(year: int, quarter: int | None) -> Q:
    """The suggestions of a period as the suggestion list filters a year (`filter_suggestions`: the
    立案年度, else the year created); a quarter by the date of acceptance."""
    q = Q(year=year) | Q(year__isnull=True, created_at__year=year)
    if quarter is not None:
        first_month = 3 * (quarter - 1) + 1
        start = datetime.date(year, first_month, 1)
        end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, first_month + 3, 1)
        q &= Q(accepted_at__date__gte=start, accepted_at__date__lt=end)
    return q


def compute_hot_topics(
    congress: Congress, year: int, *, limit: int = 10, quarter: int | None = None, version: int | None = None
) -> list[Topic]:
    """The `limit` terms most suggestions of `year` (or its `quarter`, 1–4) are about, with the count
    of the same period a year earlier. Candidates are the terms jieba finds in the most suggestions'
    titles and facts (a term held by one suggestion only is no topic); each is then counted as the
    suggestion list counts its keyword (`filter_suggestions`: case-insensitive, in the title, number,
    facts, proposals or the lead deputy's name), this period and last year's. One query (two without
    the congress's data `version`, which the tokenizer is kept under)."""
    from minyi.suggestions.models import Suggestion
    from minyi.suggestions.states import SuggestionState

    tok = tokenizer_for(congress, version=version)
    now, before = _period(year, quarter), _period(year - 1, quarter)
    # what congress staff see: every suggestion but the drafts
    rows = (
        Suggestion.objects.filter(congress=congress)
        .exclude(state=SuggestionState.DRAFT)
        .filter(now | before)
        .annotate(
            current=Case(When(now, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .order_by()
        .values_list("current", "title", "number", "facts", "proposals", "lead__name")
    )
    held: Counter[str] = Counter()
    searched: list[tuple[bool, tuple[str, ...]]] = []
    for current, title, number, facts, proposals, lead in rows:
        if current:
            held.update(terms_of(f"{title}\n{(facts or '')[:FACTS_CHARS]}", tok))
        searched.append((current, tuple((v or "").lower() for v in (title, number, facts, proposals, lead))))
    candidates = [t for t, n in sorted(held.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 2][: 3 * limit]
    this: Counter[str] = Counter()
    last: Counter[str] = Counter()
    for term in candidates:
        for current, fields in searched:
            if any(term in f for f in fields):
                (this if current else last)[term] += 1
    ranked = sorted(candidates, key=lambda t: (-this[t], -held[t], t))[:limit]
    return [Topic(t, this[t], last[t]) for t in ranked]


def hot_topics(congress: Congress, year: int, *, limit: int = 10, quarter: int | None = None) -> list[Topic]:
    """`compute_hot_topics`, kept under the congress's data version."""
    return kept(
        congress,
        "textsearch-hot-topics",
        lambda: compute_hot_topics(congress, year, limit=limit, quarter=quarter),
        year,
        quarter or 0,
        limit,
    )
