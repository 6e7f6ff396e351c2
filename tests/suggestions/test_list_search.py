"""The suggestion lists' search (`q` of the list page, its Excel export and the API): the text as it
stands, or its words anywhere in the suggestion, in any order — the full-text index
(`textsearch.listing`, through `hooks.register_text_matcher`) — and never beyond what the reader
may see."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LAMP = "关于修缮幸福路路灯的建议"
BUS = "关于优化公交线路的建议"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _listed(user, q: str) -> set[str]:
    body = _client(user).get(reverse("suggestions:list", args=["alpha"]), {"q": q}).content.decode()
    return {t for t in (LAMP, BUS) if t in body}


def _api(user, q: str) -> set[str]:
    response = _client(user).get("/api/v1/congresses/alpha/suggestions", {"q": q})
    assert response.status_code == 200
    return {item["title"] for item in response.json()["items"]}


def _exported(user, q: str) -> set[str]:
    response = _client(user).get(reverse("suggestions:list_export", args=["alpha"]), {"q": q})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    cells = {str(c) for row in book.active.iter_rows(values_only=True) for c in row if c}
    return {t for t in (LAMP, BUS) if t in cells}


def test_words_apart_and_out_of_order_are_found_on_the_page_the_export_and_the_api(daytime, loop):
    w, drive = loop.w, loop.drive
    drive.to("submitted", title=LAMP, facts="幸福路的路灯坏了两个月。", proposals="建议尽快修复。")
    drive.to("submitted", title=BUS, facts="早高峰公交拥挤。", proposals="建议加密班次。")
    for q in ("路灯 修缮", "幸福路的路灯", "路灯修缮"):
        assert _listed(w.clerk, q) == {LAMP}, q
        assert _api(w.clerk, q) == {LAMP}, q
    assert _exported(w.clerk, "路灯 修缮") == {LAMP}
    # the text as it stands still matches, a fragment of a word included
    assert _listed(w.clerk, "幸福") == {LAMP}
    assert _listed(w.clerk, "公交") == {BUS}
    assert _listed(w.clerk, "地铁 路灯") == set()  # every word must be there


def test_the_index_never_widens_what_the_reader_sees(daytime, loop):
    """A deputy's list search finds only their own suggestions, though the index holds every
    suggestion of the congress; another congress's reader finds nothing."""
    from minyi.suggestions import actions as A
    from tests.suggestions.conftest import content

    w, drive = loop.w, loop.drive
    drive.to("submitted", title=LAMP, facts="幸福路的路灯坏了两个月。")
    # the co-signer, a deputy too, drafts their own suggestion on the same matter
    own = A.do_create_suggestion(
        w.congress, actor=w.cosigner, content=content(loop.taxa, title="关于幸福路路灯亮化的建议")
    )
    assert _listed(w.deputy, "路灯 修缮") == {LAMP}
    body = (
        _client(w.cosigner).get(reverse("suggestions:list", args=["alpha"]), {"q": "路灯"}).content.decode()
    )
    assert own.title in body and LAMP not in body
    assert _api(w.cosigner, "路灯 修缮") == set()
