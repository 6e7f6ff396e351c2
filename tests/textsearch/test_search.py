"""Chinese full-text search: segmented words found where `icontains` misses them, ranked, current
after every action that changes text, and never a hit the reader could not open."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from minyi.suggestions import actions as A
from minyi.suggestions.models import Suggestion
from minyi.suggestions.selectors import filter_suggestions, suggestions_visible_to
from minyi.textsearch.models import SearchEntry
from minyi.textsearch.search import Filters, fts5_query, search, snippet
from minyi.textsearch.segment import query_words, tokenizer_for
from tests.suggestions.conftest import content

from .conftest import record_opinion

pytestmark = pytest.mark.django_db


def found(user, congress, q, **filters) -> list[tuple[str, int]]:
    return [(e.kind, e.object_id) for e in search(user, congress, q, Filters(**filters)).entries()]


def titles(user, congress, q, **filters) -> list[str]:
    return [e.title for e in search(user, congress, q, Filters(**filters)).entries()]


def test_segmented_words_found_where_icontains_misses_them_and_ranked(daytime, loop):
    w = loop.w
    drive = loop.drive
    lift = drive.to(
        "submitted",
        title="关于老旧小区加装电梯的建议",
        facts="我区老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。加装电梯需要全体业主协商。",
        proposals="建议简化老旧小区加装电梯的审批流程，对加装电梯给予财政补贴。",
    )
    drive.to(
        "submitted",
        title="关于加强电梯维保监管的建议",
        facts="部分商场电梯维保不到位，存在安全隐患。",
        proposals="建议市场监管部门加强检查。",
    )
    drive.to(
        "submitted",
        title="关于老旧小区雨污分流改造的建议",
        facts="老旧小区雨污管网混接，雨季污水外溢。",
        proposals="建议纳入改造计划。",
    )
    query = "老旧小区电梯"
    # icontains looks for the whole string and finds nothing
    listed = filter_suggestions(suggestions_visible_to(w.clerk, w.congress), {"q": query})
    assert not listed.exists()
    # the index finds the words, and the suggestion about both comes first
    hits = titles(w.clerk, w.congress, query)
    assert hits[0] == lift.title
    assert "关于老旧小区雨污分流改造的建议" not in hits  # no 电梯 in it: every word must match
    # a word inside a longer one: 小区 finds 老旧小区
    assert lift.title in titles(w.clerk, w.congress, "小区 电梯")


def test_words_are_or_ed_when_no_entry_holds_them_all(daytime, loop):
    w = loop.w
    s = loop.drive.to("submitted", title="关于增设公交站台的建议", facts="公交站台距离小区太远。")
    results = search(w.clerk, w.congress, "公交站台 游泳馆")
    assert results.relaxed
    assert [e.object_id for e in results.entries()] == [s.pk]


def test_the_user_dictionary_keeps_the_congress_words_whole(daytime, loop):
    w = loop.w
    tok = tokenizer_for(w.congress)
    # 甲区住房和城乡建设局 (a unit of the world) and 物业管理 (a theme tag) stay one word each
    assert "甲区住房和城乡建设局" in [qw.word for qw in query_words("甲区住房和城乡建设局答复", tok)]
    assert "物业管理" in [qw.word for qw in query_words("物业管理问题", tok)]
    # …only in their own congress: the other congress's tokenizer does not know the unit
    other = tokenizer_for(w.other_congress)
    assert other is not tok
    assert "甲区住房和城乡建设局" not in [qw.word for qw in query_words("甲区住房和城乡建设局答复", other)]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "a OR b",
        "NEAR(a b)",
        "*",
        "-",
        "AND",
        "title:x",
        '电梯"OR"',
        "^电梯",
        "'; DROP TABLE x; --",
        "(",
        "电梯 NOT",
    ],
)
def test_query_syntax_from_users_is_only_text(daytime, loop, query, client):
    w = loop.w
    loop.drive.to("submitted", title="关于电梯安全的建议")
    search(w.clerk, w.congress, query).entries()  # no syntax error
    client.force_login(w.clerk)
    response = client.get(reverse("textsearch:search", args=[w.congress.code]), {"q": query})
    assert response.status_code == 200


def test_fts5_tokens_are_quoted():
    tok = tokenizer_for(None)
    expression = fts5_query(query_words('电梯" OR "x', tok))
    assert expression.count('"') % 2 == 0
    assert " OR x" not in expression


def test_snippet_escapes_and_marks_the_words():
    text = "前言" * 40 + "<b>加装电梯</b>需要补贴" + "后文" * 40
    html = str(snippet(text, ["电梯", "补贴"]))
    assert "&lt;b&gt;加装<mark>电梯</mark>&lt;/b&gt;需要<mark>补贴</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert "<b>" not in html
    assert len(html) < 200


def test_filters_narrow_the_hits(daytime, loop, station):
    w = loop.w
    s = loop.drive.to("submitted", title="关于停车难的建议", facts="小区停车位不足。")
    opinion = record_opinion(loop, station, "居民反映小区停车位不足，晚上乱停车。")
    assert set(found(w.clerk, w.congress, "停车")) == {("suggestion", s.pk), ("opinion", opinion.pk)}
    assert found(w.clerk, w.congress, "停车", kind="opinion") == [("opinion", opinion.pk)]
    assert found(w.clerk, w.congress, "停车", kind="suggestion") == [("suggestion", s.pk)]
    year = daytime.year
    assert set(found(w.clerk, w.congress, "停车", year=year)) == {
        ("suggestion", s.pk),
        ("opinion", opinion.pk),
    }
    assert found(w.clerk, w.congress, "停车", year=year - 1) == []
    assert found(w.clerk, w.congress, "停车", category=loop.taxa.category.pk) == [("suggestion", s.pk)]


# --- kept current by the actions ---------------------------------------------------------------------


def test_the_index_follows_every_action_that_changes_text(daytime, loop, station):
    w = loop.w
    drive = loop.drive
    s = drive.to(
        "draft", title="关于整治噪声扰民的建议", facts="夜间施工噪声扰民。", proposals="建议加强执法。"
    )
    assert found(w.deputy, w.congress, "噪声") == [("suggestion", s.pk)]
    # edited: the removed word no longer matches, the new one does
    A.do_update_suggestion(
        s, actor=w.deputy, content=content(loop.taxa, title="关于整治油烟扰民的建议", facts="餐馆油烟扰民。")
    )
    assert found(w.deputy, w.congress, "噪声") == []
    assert found(w.deputy, w.congress, "油烟") == [("suggestion", s.pk)]
    # accepted: the year and number are given
    s = A.do_submit_suggestion(Suggestion.objects.get(pk=s.pk), actor=w.deputy)
    s = A.do_accept_suggestion(s, actor=w.clerk)
    entry = SearchEntry.objects.get(kind="suggestion", object_id=s.pk)
    assert entry.year == s.year
    # a reply drafted, sent back and rewritten, signed off
    A.do_forward_suggestion(s, actor=w.clerk, body=w.gov)
    A.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_a])
    drive.work(s, upto="contacted")
    (assignment,) = drive.answering(s)
    A.do_draft_reply(
        assignment, actor=w.handler_a, body="已责令餐馆安装油烟净化器。", result_class=loop.taxa.result_a
    )
    reply_hit = ("reply", assignment.reply.pk)
    assert reply_hit in found(w.handler_a, w.congress, "净化器")
    assert reply_hit not in found(w.deputy, w.congress, "净化器")  # a draft stays in the unit
    A.do_send_back_reply(assignment, actor=w.leader_a, reason="请写明时间。")
    assignment.refresh_from_db()
    A.do_draft_reply(
        assignment, actor=w.handler_a, body="已于三月底前安装油烟过滤设备。", result_class=loop.taxa.result_a
    )
    assert reply_hit not in found(w.handler_a, w.congress, "净化器")
    assert reply_hit in found(w.handler_a, w.congress, "过滤设备")
    assignment.refresh_from_db()
    A.do_sign_off_reply(assignment, actor=w.leader_a)
    assert reply_hit in found(w.deputy, w.congress, "过滤设备")  # signed off: the deputy finds it
    # an opinion recorded, then answered on the spot
    opinion = record_opinion(loop, station, "小区门口道路坑洼，雨天积水。")
    assert found(w.liaison, w.congress, "积水") == [("opinion", opinion.pk)]
    from minyi.intake import actions as intake_actions

    intake_actions.do_answer_opinion_on_spot(opinion, actor=w.liaison, answer="已联系养护所修补路面。")
    assert found(w.liaison, w.congress, "修补路面") == [("opinion", opinion.pk)]


def test_rebuild_is_idempotent_and_restores_the_index(daytime, loop, station):
    w = loop.w
    s = loop.drive.to("replied", title="关于路灯维修的建议")
    opinion = record_opinion(loop, station, "路灯不亮。")
    before = sorted(SearchEntry.objects.values_list("kind", "object_id", "terms"))
    SearchEntry.objects.all().delete()
    assert found(w.clerk, w.congress, "路灯") == []
    call_command("rebuild_search_index", "--congress", "alpha", stdout=__import__("io").StringIO())
    call_command("rebuild_search_index", stdout=__import__("io").StringIO())
    assert sorted(SearchEntry.objects.values_list("kind", "object_id", "terms")) == before
    assert {("suggestion", s.pk), ("opinion", opinion.pk)} <= set(found(w.clerk, w.congress, "路灯"))


def test_the_unit_s_answer_to_a_forwarded_opinion_is_found(daytime, loop, station):
    from minyi.intake import actions as intake_actions

    w = loop.w
    opinion = record_opinion(
        loop,
        station,
        "公园路灯不亮，晚上散步不安全。",
        constituent_name="王秀英",
        constituent_phone="13800138000",
    )
    intake_actions.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a)
    assert found(w.handler_a, w.congress, "维修工单") == []
    intake_actions.do_answer_forwarded_opinion(
        opinion, actor=w.handler_a, answer="已派出维修工单，三日内修复。"
    )
    assert found(w.handler_a, w.congress, "维修工单") == [("opinion", opinion.pk)]
    assert found(w.liaison, w.congress, "维修工单") == [("opinion", opinion.pk)]
    # the unit never finds what the station kept: the constituent's contact data are not indexed
    entry = SearchEntry.objects.get(kind="opinion", object_id=opinion.pk)
    assert "13800138000" not in entry.terms + entry.text and "王秀英" not in entry.terms + entry.text
    assert found(w.liaison, w.congress, "王秀英") == []
