"""The public site, `/p/<code>/` (issue #14): anonymous pages over published rows only — filters and
search with a fixed number of queries, a suggestion's page with its replies, the frozen figures with
their definitions, key themes, award results, the Atom feed, the open data with its dictionary, the
language switch, rate limits, pages kept per data version, and nothing unpublished reachable."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from minyi.awards.models import AwardResult, AwardRound, Nominee
from minyi.awards.states import RoundState, Track
from minyi.congress.models import Category
from minyi.publication import actions as P
from minyi.publication import views_public
from minyi.publication.models import PublishedFigures
from minyi.supervision.models import KeyTheme, ThemeSuggestion
from tests.factories import CongressFactory

from .conftest import RESIDENT_FACTS, SECRET, Site, bare_publication, more_published

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Every page of the site that takes no id, by URL name.
PAGES = ("home", "list", "figures", "themes", "awards", "feed", "data")


def url(site: Site | str, name: str, *args: object) -> str:
    code = site if isinstance(site, str) else site.code
    return reverse(f"public:{name}", args=[code, *args])


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def no_secret(body: str) -> None:
    for secret in SECRET.values():
        assert secret not in body
    assert "张秀英" not in body and "13812345678" not in body
    assert "涉及工作秘密" not in body and "发现遗漏的个人信息" not in body  # the refusals' reasons


# --- pages -----------------------------------------------------------------------------------------


def test_home_and_list_show_only_published_suggestions(site, client):
    for name in ("home", "list"):
        body = text(client.get(url(site, name)))
        assert "关于修缮幸福路路灯的建议" in body and "关于增加学校周边停车位的建议" in body
        no_secret(body)
    body = text(client.get(url(site, "list")))
    assert "共 2 件" in body
    # every input has its label
    for field in ("f-q", "f-year", "f-category", "f-unit", "f-result", "f-satisfaction"):
        assert f'for="{field}"' in body and f'id="{field}"' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year=2026", {"lamp", "parking"}),
        ("year=2025", set()),
        ("category={education}", {"parking"}),
        ("unit={unit_a}", {"lamp", "parking"}),
        ("unit={unit_b}", set()),
        ("result={result_b}", {"parking"}),
        ("satisfaction=basic", {"parking"}),
        ("satisfaction=satisfied", {"lamp"}),
        ("satisfaction=unsatisfied", set()),
        ("q=停车", {"parking"}),
        ("q=幸福路", {"lamp"}),
        ("q=答复如下", {"lamp", "parking"}),  # the reply letters are searched too
        ("q=张秀英", set()),  # the masked name is not in the published copy
        ("q=涉密工程", set()),  # a withheld suggestion is never found
        ("q=路灯&category={education}", set()),
        ("year=abc&category=&unit=999999999999", {"lamp", "parking"}),  # bad values are ignored
    ],
)
def test_filters_and_search(site, client, query, expected):
    education = Category.objects.get(congress=site.w.congress, name="教育")
    query = query.format(
        education=education.pk,
        unit_a=site.w.unit_a.pk,
        unit_b=site.w.unit_b.pk,
        result_b=site.loop.taxa.result_b.pk,
    )
    body = text(client.get(url(site, "list") + "?" + query))
    body = body.replace("<mark>", "").replace("</mark>", "")  # the words searched for are marked
    titles = {"lamp": "关于修缮幸福路路灯的建议", "parking": "关于增加学校周边停车位的建议"}
    shown = {key for key, title in titles.items() if f">{title}</a>" in body}
    assert shown == expected
    if "张秀英" not in query:  # (the search box shows what was searched)
        no_secret(body)


def _found(client, site, q: str) -> list[str]:
    """The titles the public list shows for the search `q`, in order (marks removed)."""
    import re

    body = text(client.get(url(site, "list") + "?q=" + q))
    return [re.sub(r"</?mark>", "", t) for t in re.findall(r'<h3[^>]*><a href="[^"]+">(.*?)</a></h3>', body)]


def test_search_finds_segmented_words_in_any_order_ranked_and_marked(site, client):
    lamp, parking = "关于修缮幸福路路灯的建议", "关于增加学校周边停车位的建议"
    # words apart and out of order: no substring match would find these
    assert _found(client, site, "路灯 修缮") == [lamp]
    assert _found(client, site, "幸福路的路灯") == [lamp]
    assert _found(client, site, "学校 停车") == [parking]
    # a word of the reply letter only, and the unit that wrote it
    assert set(_found(client, site, "答复如下")) == {lamp, parking}
    # a title that holds the word ranks above a suggestion whose reply alone does
    bare_publication(site.w.congress, "关于社区卫生服务的建议", unit=site.w.unit_a, seq=90)
    more = bare_publication(site.w.congress, "关于菜市场管理的建议", unit=site.w.unit_a, seq=91)
    more.replies.update(body="卫生服务方面已经安排。")
    from minyi.publication.public_search import reindex

    reindex(site.w.congress)
    assert _found(client, site, "卫生服务")[0] == "关于社区卫生服务的建议"
    body = text(client.get(url(site, "list") + "?q=路灯"))
    assert "<mark>路灯</mark>" in body


def test_search_with_no_suggestion_holding_every_word_shows_those_holding_some(site, client):
    body = text(client.get(url(site, "list") + "?q=路灯 停车位"))
    assert "没有同时包含所有词语的建议" in body
    assert "关于修缮幸福路路灯的建议" in body.replace("<mark>", "").replace("</mark>", "")
    # …but never by one character: 张 of the masked 张某某 must not answer a search for 张秀英
    assert _found(client, site, "张秀英") == []
    assert "没有同时包含所有词语的建议" not in text(client.get(url(site, "list") + "?q=张秀英"))


@pytest.mark.parametrize("q", ["张秀英", "秀英", "13812345678", "5678", "502室"])
def test_search_never_finds_what_was_masked(site, client, q):
    """The index holds the tokens of the masked copy only (`Publication.terms`), so nothing the
    clerk masked can be searched for — not the resident's name, phone or address."""
    from minyi.publication.models import Publication

    assert "秀英" not in Publication.objects.get(pk=site.lamp.pk).terms
    assert _found(client, site, q) == []


def test_search_follows_republication_withholding_and_retraction(site, client):
    lamp = site.lamp
    assert _found(client, site, "路灯") == ["关于修缮幸福路路灯的建议"]
    P.do_retract(lamp.suggestion_id, actor=site.w.clerk, reason="发现遗漏的个人信息")
    assert _found(client, site, "路灯") == []
    P.do_publish(lamp.suggestion_id, actor=site.w.clerk, texts={"title": "关于幸福路照明设施的建议"})
    assert _found(client, site, "照明设施") == ["关于幸福路照明设施的建议"]
    assert _found(client, site, "修缮") == []  # the old title's word is gone from the index


def test_rebuild_search_index_writes_the_public_tokens_again(site, client):
    from django.core.management import call_command

    from minyi.publication.models import Publication

    Publication.objects.update(terms="")
    assert _found(client, site, "路灯") == []
    out = io.StringIO()
    call_command("rebuild_search_index", congress=site.code, stdout=out)
    assert "published copies" in out.getvalue()
    assert _found(client, site, "路灯") == ["关于修缮幸福路路灯的建议"]


def test_list_pages_by_twenty(site, client):
    for i in range(21):
        bare_publication(site.w.congress, f"批量建议{i:02d}", unit=site.w.unit_a, seq=100 + i)
    first = text(client.get(url(site, "list")))
    assert "共 23 件" in first and first.count('class="public-item') == 20 and "page=2" in first
    second = text(client.get(url(site, "list") + "?page=2"))
    assert second.count('class="public-item') == 3
    assert text(client.get(url(site, "list") + "?page=zzz")).count('class="public-item') == 20


def _list_queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", ["", "?q=建议", "?year=2026&unit={unit}&satisfaction=satisfied"])
def test_list_costs_the_same_queries_for_3_and_30_publications(
    daytime, world, client, django_assert_max_num_queries, query
):
    path = url(world.congress.code, "list") + query.format(unit=world.unit_a.pk)
    rows = [
        bare_publication(world.congress, f"关于第{i}件事的建议", unit=world.unit_a, seq=i)
        for i in range(1, 4)
    ]
    assert len(rows) == 3
    few = _list_queries(client, path)
    for i in range(4, 31):
        bare_publication(world.congress, f"关于第{i}件事的建议", unit=world.unit_a, seq=i)
    with django_assert_max_num_queries(few):
        assert client.get(path).status_code == 200
    assert few <= 10


def test_suggestion_page_shows_the_reply_letters_and_nothing_internal(site, client):
    body = text(client.get(url(site, "detail", site.parking.pk)))
    assert "关于增加学校周边停车位的建议" in body
    assert "建议在学校周边施划临时停车位。" in body and "放学时段学校门口车辆拥堵。" in body
    assert site.parking.number in body and "领衔代表" in body and "教育" in body
    assert "甲区住房和城乡建设局的答复" in body and "经研究，答复如下……" in body
    assert "B 正在解决或列入计划解决" in body and "代表测评：基本满意" in body
    assert "年内完成改造" not in body  # a commitment is internal
    no_secret(body)
    lamp = text(client.get(url(site, "detail", site.lamp.pk)))
    assert "居民张某某（电话138******78）" in lamp and RESIDENT_FACTS not in lamp
    assert "代表测评：满意" in lamp


def test_nothing_unpublished_is_reachable_anonymously(site, client):
    """Every public route, with the id of every unpublished object (withheld, retracted, never
    published — its suggestion's id too —, another congress's published one, a missing id) and
    under a congress whose site is closed or that does not exist: 404, or (pages without an id) a
    page without a word of the unpublished texts."""
    unreachable = [
        site.withheld.pk,
        site.retracted.pk,
        site.never.pk,
        site.foreign.pk,
        site.closed_site.pk,
        999_999,
    ]
    for pk in unreachable:
        response = client.get(url(site, "detail", pk))
        assert response.status_code == 404, pk
        no_secret(text(response))
    # the other congress's own site shows its own publication, and not this congress's
    assert client.get(url("beta", "detail", site.foreign.pk)).status_code == 200
    assert client.get(url("beta", "detail", site.lamp.pk)).status_code == 404
    for code in (site.closed_congress.code, "nosuch"):
        for name in PAGES:
            assert client.get(url(code, name)).status_code == 404, (code, name)
        assert client.get(url(code, "detail", site.closed_site.pk)).status_code == 404
        for fmt in ("csv", "json"):
            assert client.get(url(code, "data_download", fmt)).status_code == 404
        assert client.get(url(code, "language", "en")).status_code == 404
    for name in PAGES:
        response = client.get(url(site, name))
        assert response.status_code == 200, name
        no_secret(text(response))
    for fmt in ("csv", "json"):
        response = client.get(url(site, "data_download", fmt) + "?year=2026")
        assert response.status_code == 200
        body = text(response)
        no_secret(body)
        assert "关于修缮幸福路路灯的建议" in body


def test_public_pages_never_read_the_suggestions_own_text(site, client):
    """The pages read the publication app's copies: no query reads a suggestion's, reply's or
    evaluation's own row (the key themes' progress counts member suggestions by state, nothing else)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    paths = [url(site, name) for name in PAGES] + [
        url(site, "detail", site.lamp.pk),
        url(site, "list") + "?q=路灯&satisfaction=satisfied",
        url(site, "data_download", "json"),
    ]
    theme = KeyTheme.objects.create(
        congress=site.w.congress, year=2026, name="路灯", supervising_leader_name="王某某"
    )
    ThemeSuggestion.objects.create(theme=theme, suggestion=site.lamp.suggestion)
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        for query in captured:
            sql = query["sql"]
            assert "suggestions_reply" not in sql and "suggestions_evaluation" not in sql, path
            for column in ("title", "facts", "proposals"):
                assert f'"suggestions_suggestion"."{column}"' not in sql, path


def test_withholding_or_retracting_takes_a_suggestion_off_at_once(site, client):
    with override_settings(MINYI_KEEP_PAGES=True):
        assert client.get(url(site, "detail", site.parking.pk)).status_code == 200
        assert "停车位" in text(client.get(url(site, "list")))
        P.do_retract(site.parking.suggestion, actor=site.w.clerk, reason="更正遮盖")
        assert client.get(url(site, "detail", site.parking.pk)).status_code == 404
        assert "停车位" not in text(client.get(url(site, "list")))


# --- kept pages ------------------------------------------------------------------------------------


@override_settings(MINYI_KEEP_PAGES=True)
def test_a_kept_page_costs_one_query_and_a_publication_shows_at_once(site, client, django_assert_num_queries):
    for name in ("home", "list", "figures", "feed"):
        assert client.get(url(site, name)).status_code == 200
        with django_assert_num_queries(1):
            assert client.get(url(site, name)).status_code == 200
    client.get(url(site, "detail", site.lamp.pk))
    with django_assert_num_queries(1):
        assert client.get(url(site, "detail", site.lamp.pk)).status_code == 200
    [new] = more_published(site.loop, 1, title="关于新建口袋公园的建议")
    assert "关于新建口袋公园的建议0" in text(client.get(url(site, "list")))
    assert "关于新建口袋公园的建议0" in text(client.get(url(site, "feed")))
    assert client.get(url(site, "detail", new.pk)).status_code == 200


@override_settings(MINYI_KEEP_PAGES=True)
def test_made_up_parameters_do_not_build_a_kept_page_again(site, client, django_assert_num_queries):
    """A page is kept under the parameters it reads alone: ``?x=1``, ``?x=2``… (a way to make the
    server build pages over and over) are answered from the kept page, and its links drop them."""
    first = client.get(url(site, "list") + "?year=2026&x=1")
    assert first.wsgi_request._minyi_kept_page == "miss"
    for junk in ("x=2", "utm_source=a", "x=3&y=4"):
        with django_assert_num_queries(1):
            again = client.get(url(site, "list") + f"?{junk}&year=2026")
        assert again.wsgi_request._minyi_kept_page == "hit"
    assert "x%3D1" not in text(first) and '%3Fyear%3D2026"' in text(first)  # the language link
    # a parameter the page reads is a page of its own
    other = client.get(url(site, "list") + "?year=2025")
    assert other.wsgi_request._minyi_kept_page == "miss"


def test_a_long_list_is_counted_up_to_a_bound(site, client, monkeypatch):
    from minyi.publication import selectors

    monkeypatch.setattr(selectors, "MAX_LISTED", 1)
    body = text(client.get(url(site, "list")))
    assert "超过 1 件" in body and body.count('class="public-item') == 1
    assert "page=2" not in body


def test_the_years_offered_are_read_by_probes_whatever_the_rows(site, client, django_assert_num_queries):
    from minyi.publication import selectors
    from minyi.publication.models import Publication

    Publication.objects.filter(pk=site.parking.pk).update(year=2019)
    with django_assert_num_queries(2):
        assert selectors.published_years(site.w.congress.pk) == [2026, 2019]
    Publication.objects.filter(pk=site.parking.pk).update(year=2026 - selectors.MAX_YEARS)
    assert selectors.published_years(site.w.congress.pk) == [2026]  # older than the window
    assert selectors.published_years(site.closed_congress.pk + 1000) == []


# --- figures, themes, awards -------------------------------------------------------------------------


def test_figures_none_published_then_the_frozen_figures_with_definitions(site, client):
    body = text(client.get(url(site, "figures")))
    assert "尚未公布办理情况统计" in body
    P.do_publish_figures(site.w.congress, actor=site.w.clerk, year=2026)
    body = text(client.get(url(site, "figures")))
    assert "统计截至 2026-03-17" in body
    assert "按期答复率" in body and "答复期限" in body  # a label and its definition
    assert "<table" in body and "<caption>" in body
    assert "办结率" in body
    # frozen: a later publication does not move the published figures
    more_published(site.loop, 1)
    assert text(client.get(url(site, "figures"))) == body
    # an unknown year falls back to the latest published
    assert "统计截至 2026-03-17" in text(client.get(url(site, "figures") + "?year=1999"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = text(client.get(url(site, "figures")))
    assert 'lang="en"' in english
    frozen = PublishedFigures.objects.get(congress=site.w.congress)
    label = frozen.payload["translations"]["en"]["on_time_reply_rate"]["label"]
    assert label != "按期答复率" and label in english


def test_themes_show_names_progress_and_published_members_only(site, client):
    theme = KeyTheme.objects.create(
        congress=site.w.congress,
        year=2026,
        name="老旧小区改造",
        plan="内部督办方案：每周调度",
        supervising_leader_name="王某某 常委会副主任",
    )
    for publication_or_suggestion in (site.lamp.suggestion, site.never, site.withheld.suggestion):
        ThemeSuggestion.objects.create(theme=theme, suggestion=publication_or_suggestion)
    KeyTheme.objects.create(
        congress=site.w.other_congress, year=2026, name="乙区的主题", supervising_leader_name="李某"
    )
    body = text(client.get(url(site, "themes")))
    assert "老旧小区改造" in body and "共 3 件建议，已答复 3 件，已办结 3 件。" in body
    assert url(site, "detail", site.lamp.pk) in body
    assert "内部督办方案" not in body and "乙区的主题" not in body
    no_secret(body)


def test_awards_show_published_rounds_results_without_scores(site, client):
    now = datetime.datetime(2026, 3, 1, 9, tzinfo=BEIJING)

    def round_(quarter: int, state: str, title: str) -> AwardRound:
        r = AwardRound.objects.create(
            congress=site.w.congress,
            year=2025,
            quarter=quarter,
            title=title,
            state=state,
            scoring_deadline=now,
            published_at=now if state == RoundState.PUBLISHED else None,
        )
        unit = Nominee.objects.create(
            round=r, track=Track.UNIT, unit=site.w.unit_a, source=Nominee.Source.PROPOSED
        )
        AwardResult.objects.create(
            round=r, nominee=unit, score=Decimal("91.37"), sheets=3, rank=1, awarded=True
        )
        for suggestion in (site.lamp.suggestion, site.never):
            n = Nominee.objects.create(
                round=r, track=Track.SUGGESTION, suggestion=suggestion, source=Nominee.Source.PROPOSED
            )
            AwardResult.objects.create(
                round=r, nominee=n, score=Decimal("88.12"), sheets=3, rank=1, awarded=True
            )
        return r

    round_(4, RoundState.PUBLISHED, "2025年第四季度优秀建议和先进承办单位评选")
    round_(3, RoundState.APPROVED, "尚未公布的第三季度评选")
    body = text(client.get(url(site, "awards")))
    assert "2025年第四季度优秀建议和先进承办单位评选" in body and "甲区住房和城乡建设局" in body
    assert "关于修缮幸福路路灯的建议" in body and "该建议内容未公开" in body
    assert "尚未公布的第三季度评选" not in body and "91.37" not in body and "88.12" not in body
    no_secret(body)


# --- feed, open data -------------------------------------------------------------------------------


def test_atom_feed_of_the_latest_replies(site, client):
    response = client.get(url(site, "feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = text(response)
    assert body.count("<entry>") == 2
    assert "关于修缮幸福路路灯的建议" in body and url(site, "detail", site.lamp.pk) in body
    no_secret(body)
    home = text(client.get(url(site, "home")))
    assert f'type="application/atom+xml" title="最新答复" href="{url(site, "feed")}"' in home


def test_csv_download_opens_in_excel_and_guards_formulas(site, client):
    bare_publication(site.w.congress, '=HYPERLINK("http://x")', unit=site.w.unit_a, seq=77)
    response = client.get(url(site, "data_download", "csv") + "?year=2026")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="alpha-suggestions-2026.csv"' in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [f[0] for f in views_public.DATA_FIELDS if f[0] != "replies"] == list(rows[0])
    by_title = {r["title"]: r for r in rows}
    assert by_title["关于增加学校周边停车位的建议"]["satisfaction"] == "basic"
    assert by_title["关于增加学校周边停车位的建议"]["result_classes"] == "B"
    assert '\'=HYPERLINK("http://x")' in by_title


def test_json_download_and_its_dictionary(site, client):
    data = json.loads(text(client.get(url(site, "data_download", "json"))))
    assert data["year"] == 2026 and len(data["suggestions"]) == 2
    parking = next(s for s in data["suggestions"] if "停车" in s["title"])
    assert parking["replies"][0]["body"] == "经研究，答复如下……"
    assert parking["replies"][0]["satisfaction"] == "basic"
    assert [f["name"] for f in data["fields"]] == [f[0] for f in views_public.DATA_FIELDS]
    assert data["fields"][0] == {
        "name": "number",
        "type": "string",
        "description": "建议编号",
        "description_en": "Suggestion number",
    }
    page = text(client.get(url(site, "data")))
    for name, _kind, zh, en in views_public.DATA_FIELDS:
        assert f"<code>{name}</code>" in page and zh in page and en.replace("'", "&#x27;") in page
    assert client.get(url(site, "data_download", "xml")).status_code == 404
    assert client.get(url(site, "data_download", "csv") + "?year=1999").status_code == 404
    assert client.get(url(site, "data_download", "csv") + "?year=x").status_code == 404


# --- rate limits -------------------------------------------------------------------------------------


def test_searches_are_rate_limited_per_client(site, client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 17, 10, 30, 5, tzinfo=BEIJING), tick=False)
    for i in range(views_public.SEARCHES_PER_MINUTE):
        assert client.get(url(site, "list") + f"?q=路灯{i}").status_code == 200
    refused = client.get(url(site, "list") + "?q=路灯")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "请稍后再试" in text(refused)
    assert client.get(url(site, "list")).status_code == 200  # browsing without a search goes on
    other = client.get(url(site, "list") + "?q=路灯", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200  # another client is not held back
    time_machine.move_to(datetime.datetime(2026, 3, 17, 10, 31, 5, tzinfo=BEIJING), tick=False)
    assert client.get(url(site, "list") + "?q=路灯").status_code == 200


@override_settings(MINYI_KEEP_PAGES=True)
def test_downloads_are_rate_limited_even_when_kept(site, client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 17, 10, 30, 5, tzinfo=BEIJING), tick=False)
    for _i in range(views_public.DOWNLOADS_PER_MINUTE):
        assert client.get(url(site, "data_download", "json")).status_code == 200
    assert client.get(url(site, "data_download", "json")).status_code == 429
    assert client.get(url(site, "data_download", "csv")).status_code == 429
    assert client.get(url(site, "data")).status_code == 200


# --- language ----------------------------------------------------------------------------------------


def test_language_switch_sets_the_cookie_and_goes_back_safely(site, client):
    back = url(site, "list") + "?year=2026"
    response = client.get(
        url(site, "language", "en") + "?next=" + back.replace("?", "%3F").replace("=", "%3D")
    )
    assert response.status_code == 302 and response["Location"] == back
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert 'lang="en"' in text(client.get(back))
    evil = client.get(url(site, "language", "zh-hans") + "?next=https://evil.example/")
    assert evil["Location"] == url(site, "home")
    assert client.get(url(site, "language", "fr")).status_code == 404
    assert 'lang="zh-CN"' in text(client.get(url(site, "home")))


def test_an_inactive_congress_has_no_site(db, client):
    CongressFactory(code="delta", active=False)
    assert client.get(url("delta", "home")).status_code == 404


def test_figure_rows_read_every_shape_the_engine_gives(site):
    """The portal's list (what `do_publish_figures` stores), an overview's dump and
    `Figures.as_dict()` give the same rows; the stored payload is plain JSON."""
    from minyi.publication.public_figures import figures_payload
    from minyi.publication.selectors import figure_rows
    from minyi.reports.dashboard import overview
    from minyi.reports.figures import Scope, compute_figures

    payload = figures_payload(site.w.congress, 2026)
    assert json.loads(json.dumps(payload)) == payload
    portal = {r.key: r for r in figure_rows(payload)}
    figures = compute_figures(site.w.congress, Scope.year(2026))
    for other in (figures.as_dict(), overview(site.w.congress, Scope.year(2026)).dump()):
        rows = {r.key: r for r in figure_rows(json.loads(json.dumps(other, default=str)))}
        for key, row in portal.items():
            assert (rows[key].value, rows[key].numerator, rows[key].denominator) == (
                row.value,
                row.numerator,
                row.denominator,
            )
            assert rows[key].definition == row.definition
    assert portal["suggestions"].numerator == 5 and not portal["suggestions"].is_rate
    english = {r.key: r for r in figure_rows(payload, "en")}
    assert english["suggestions"].label == payload["translations"]["en"]["suggestions"]["label"]
    assert figure_rows({}) == []


def test_paging_through_a_list_counts_its_rows_once(daytime, world, client, django_assert_num_queries):
    """The list's total is kept under the data version and the filters: the second page of the
    same list (a new address, so not a kept page) does not count again."""
    for i in range(1, 26):
        bare_publication(world.congress, f"关于第{i}件事的建议", unit=world.unit_a, seq=i)
    path = url(world.congress.code, "list")
    first = _list_queries(client, path + "?year=2026")
    second = _list_queries(client, path + "?year=2026&page=2")
    assert second == first - 1
    other = f"?year=2026&unit={world.unit_a.pk}"
    assert _list_queries(client, path + other) == first  # other filters: counted
