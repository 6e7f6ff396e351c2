"""Hot topics (issue #15): counts per suggestion, stop words removed, the trend against last year, one
congress only."""

from __future__ import annotations

import pytest

from minyi.suggestions.models import Suggestion
from minyi.textsearch.segment import tokenizer_for
from minyi.textsearch.topics import compute_hot_topics, hot_topics, terms_of
from tests.factories import UnitFactory  # noqa: F401 - the world's factories are loaded with it

pytestmark = pytest.mark.django_db


def _suggestion(loop, title: str, year: int, facts: str = "", congress=None):
    s = loop.drive.to("submitted", title=title, facts=facts or title)
    Suggestion.objects.filter(pk=s.pk).update(year=year, congress=congress or loop.w.congress)
    return s


def test_stop_words_and_generic_words_are_removed(loop):
    terms = terms_of("关于加强老旧小区路灯建设问题的建议", tokenizer_for(loop.w.congress))
    assert "路灯" in terms
    assert not terms & {"关于", "加强", "建设", "问题", "建议", "的"}


def test_counts_and_trend(loop):
    for title in ("关于维修路灯的建议", "关于增设路灯的建议", "关于修好路灯、缓解停车难的建议"):
        _suggestion(loop, title, 2026)
    _suggestion(loop, "关于解决停车难的建议", 2026)
    for title in ("关于停车难的建议", "关于停车场收费的建议", "关于路灯的建议"):
        _suggestion(loop, title, 2025)
    topics = {t.term: t for t in compute_hot_topics(loop.w.congress, 2026)}
    assert topics["路灯"].count == 3 and topics["路灯"].last == 1 and topics["路灯"].trend == "up"
    assert topics["停车难"].count == 2 and topics["停车难"].last == 1
    assert list(topics)[0] == "路灯"
    assert "建议" not in topics


def test_a_term_said_twice_in_one_suggestion_counts_once(loop):
    _suggestion(loop, "关于路灯的建议", 2026, facts="路灯坏了，路灯不亮，路灯太暗。")
    _suggestion(loop, "关于路灯维修的建议", 2026)
    topics = {t.term: t for t in compute_hot_topics(loop.w.congress, 2026)}
    assert topics["路灯"].count == 2 and topics["路灯"].trend == "new"


def test_topics_are_per_congress(loop):
    for title in ("关于新建停车场的建议", "关于停车场收费的建议"):
        _suggestion(loop, title, 2026, congress=loop.w.other_congress)
    assert all(t.term != "停车场" for t in hot_topics(loop.w.congress, 2026))
    assert any(t.term == "停车场" for t in hot_topics(loop.w.other_congress, 2026))


def test_a_quarter_against_the_same_quarter_last_year_and_in_the_bulletin(loop):
    import datetime
    import io
    import zoneinfo

    from openpyxl import load_workbook

    from minyi.reports.bulletin import build_bulletin, bulletin_workbook

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")

    def accepted(title: str, when: datetime.date) -> None:
        s = _suggestion(loop, title, when.year)
        Suggestion.objects.filter(pk=s.pk).update(
            accepted_at=datetime.datetime(when.year, when.month, when.day, 10, tzinfo=tz)
        )

    accepted("关于维修路灯的建议", datetime.date(2026, 2, 3))
    accepted("关于增设路灯的建议", datetime.date(2026, 3, 9))
    accepted("关于路灯照明的建议", datetime.date(2026, 5, 9))  # the second quarter
    accepted("关于路灯老化的建议", datetime.date(2025, 1, 20))
    topics = {t.term: t for t in compute_hot_topics(loop.w.congress, 2026, quarter=1)}
    assert (topics["路灯"].count, topics["路灯"].last) == (2, 1)
    b = build_bulletin(loop.w.congress, 2026, 1, today=datetime.date(2026, 4, 10))
    assert [t.term for t in b.topics][:1] == ["路灯"]
    sheet = load_workbook(io.BytesIO(bulletin_workbook(b)))["热点话题"]
    assert [c.value for c in sheet[2]] == ["路灯", 2, 1, 1]
