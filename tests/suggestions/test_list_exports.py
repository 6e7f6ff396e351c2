"""Excel exports of the suggestion list (with its filters) and the 待办 (issue #12): only the rows
the page shows the user, formulas stored as text (decision 0005), one `export.downloaded` row."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from minyi.audit.models import AuditEvent
from minyi.core import list_export
from minyi.suggestions.models import Suggestion
from tests.audit.support import last_seq


def url(name, *args, code="alpha"):
    return reverse(f"suggestions:{name}", args=[code, *args])


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == list_export.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def three(daytime, loop):
    return {
        "draft": loop.drive.to("draft", title="我的草稿"),
        "assigned": loop.drive.to("assigned", title='=HYPERLINK("http://x","点此")'),
        "submitted": loop.drive.to("submitted", title="待审查的建议"),
    }


def titles(rows):
    return {r[1] for r in rows[1:]}


def test_list_export_holds_only_what_each_persona_sees(client, three, loop):
    w = loop.w
    seen = {
        "deputy": {"draft", "assigned", "submitted"},
        "clerk": {"assigned", "submitted"},
        "viewer": {"assigned"},
        "handler_a": {"assigned"},
        "handler_b": set(),
        "judge": set(),
    }
    for persona, expected in seen.items():
        client.force_login(getattr(w, persona))
        _ws, rows = sheet(client.get(url("list_export")))
        assert titles(rows) == {three[k].title for k in expected}, persona
    client.force_login(w.outsider)
    assert client.get(url("list_export")).status_code == 404


def test_list_export_follows_the_filters_like_the_page(client, three, loop):
    client.force_login(loop.w.clerk)
    for params in ({"state": "submitted"}, {"q": "审查"}, {"unit": loop.w.unit_a.pk}, {}):
        page = client.get(url("list"), params).content.decode()
        _ws, rows = sheet(client.get(url("list_export"), params))
        on_page = {s.title for s in Suggestion.objects.all() if url("detail", s.pk) in page}
        assert titles(rows) == on_page, params


def test_formulas_are_stored_as_text_and_the_download_is_audited(client, three, loop):
    w = loop.w
    client.force_login(w.clerk)
    since = last_seq()
    ws, rows = sheet(client.get(url("list_export")))
    cell = next(c for row in ws.iter_rows() for c in row if c.value == three["assigned"].title)
    assert cell.data_type == "s" and cell.quotePrefix
    events = list(AuditEvent.objects.filter(seq__gt=since))
    assert [e.code for e in events] == ["export.downloaded"]
    assert events[0].actor == w.clerk and events[0].congress_id == w.congress.pk
    assert events[0].suggestion_id is None
    assert events[0].new == {"list": "suggestions", "rows": 2}


def test_worklist_export_is_the_users_own_work(client, three, loop):
    w = loop.w
    client.force_login(w.clerk)
    _ws, rows = sheet(client.get(url("worklist_export")))
    assert three["submitted"].title in {r[2] for r in rows[1:]}
    assert three["draft"].title not in {r[2] for r in rows[1:]}
    client.force_login(w.handler_a)
    _ws, rows = sheet(client.get(url("worklist_export")))
    assert {r[2] for r in rows[1:]} == {three["assigned"].title}
    client.force_login(w.deputy)
    _ws, rows = sheet(client.get(url("worklist_export")))
    assert three["draft"].title in {r[2] for r in rows[1:]}


def test_list_export_costs_a_fixed_number_of_queries(client, daytime, loop, django_assert_max_num_queries):
    for i in range(3):
        loop.drive.to("assigned", title=f"建议{i}")
    client.force_login(loop.w.clerk)
    with django_assert_max_num_queries(15):
        assert client.get(url("list_export")).status_code == 200
    for i in range(3, 8):
        loop.drive.to("assigned", title=f"建议{i}")
    with django_assert_max_num_queries(15):
        assert client.get(url("list_export")).status_code == 200


def test_long_lists_are_cut_with_a_note(monkeypatch):
    monkeypatch.setattr(list_export, "MAX_ROWS", 3)
    data, n = list_export.workbook("表", ["a"], ([i] for i in range(10)))
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert n == 3 and len(rows) == 5 and "3" in rows[-1][0]
