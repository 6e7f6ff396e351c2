"""The points ranking as Excel (issue #12): the same rows and ranks as the page, for every member
who may see the ranking (404 for another congress), audited as a download."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse

from minyi.audit.models import AuditEvent
from minyi.points import actions as P
from minyi.points import selectors as S
from minyi.points.periods import Period

from .conftest import TODAY, deputy
from .test_views import _attend


def url(code="alpha"):
    return reverse("points:ranking", args=[code])


def test_ranking_export(client, world):
    w = world
    _attend(w, [deputy(w.deputy)])
    P.sync_ledger(w.congress, TODAY.year)
    period = Period.quarter_containing(TODAY)
    expected = [(r.rank, r.deputy.name, r.points) for r in S.ranking(w.congress, period)]
    for user in (w.deputy, w.viewer, w.admin):
        client.force_login(user)
        response = client.get(url(), {"period": period.code, "format": "xlsx"})
        assert response.status_code == 200
        rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert [(r[0], r[2], r[4]) for r in rows[1:]] == expected
    row = AuditEvent.objects.filter(code="export.downloaded").order_by("-seq").first()
    assert row.actor == w.admin and row.new["list"] == "points_ranking"
    client.force_login(w.outsider)
    assert client.get(url(), {"period": period.code, "format": "xlsx"}).status_code == 404


def test_manual_entries_export_holds_what_the_list_shows(client, world, settings, tmp_path):
    from tests.suggestions.test_attachments import use_tmp_storage

    from .conftest import make_deputy, png

    use_tmp_storage(settings, tmp_path)
    w = world
    d = deputy(w.deputy)
    client.force_login(w.deputy)
    client.post(
        reverse("points:manual_create", args=["alpha"]),
        {
            "deputy": d.pk,
            "event": "offline_training",
            "activity_date": "2026-11-02",
            "title": "=参加代表培训班",
            "evidence": png(),
        },
    )
    other = make_deputy(w.congress, "other", number="A010")
    address = reverse("points:manual", args=["alpha"])
    for user, titles in ((w.deputy, ["=参加代表培训班"]), (other, []), (w.clerk, ["=参加代表培训班"])):
        client.force_login(user)
        response = client.get(address, {"format": "xlsx"})
        assert response.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert [r[2] for r in ws.iter_rows(min_row=2, values_only=True)] == titles, user
        for row in ws.iter_rows(min_row=2):
            assert row[2].data_type == "s" and row[2].quotePrefix


def test_objections_export_for_the_staff_only(client, world):
    from minyi.points.models import LedgerEntry

    w = world
    d = deputy(w.deputy)
    _attend(w, [d])
    P.sync_ledger(w.congress, TODAY.year)
    entry = LedgerEntry.objects.get(deputy=d)
    client.force_login(w.deputy)
    assert (
        client.post(
            reverse("points:object", args=["alpha", entry.pk]), {"reason": "+我那天在外地出差"}
        ).status_code
        == 302
    )
    address = reverse("points:objections", args=["alpha"])
    client.force_login(w.clerk)
    response = client.get(address, {"format": "xlsx"})
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=2))
    assert [r[3].value for r in rows] == ["+我那天在外地出差"] and rows[0][3].quotePrefix
    for user in (w.deputy, w.viewer, w.outsider):
        client.force_login(user)
        assert client.get(address, {"format": "xlsx"}).status_code == 404


def test_a_deputys_record_exports_for_those_who_may_read_it(client, world):
    """履职档案 as Excel: the year's entries of the page (its year), for the deputy and the staff;
    a co-signer (another deputy) gets 404 like the page; audited against the deputy's record."""
    w = world
    d = deputy(w.deputy)
    _attend(w, [d])
    P.sync_ledger(w.congress, TODAY.year)
    address = reverse("points:record", args=["alpha", d.pk])
    expected = [(e.date, e.points) for e in S.record_of(d, Period(TODAY.year))]
    assert expected
    for user in (w.deputy, w.clerk):
        client.force_login(user)
        assert "format=xlsx" in client.get(address).content.decode()
        response = client.get(address, {"year": TODAY.year, "format": "xlsx"})
        assert response.status_code == 200
        rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert rows[0] == ("日期", "事项", "身份", "内容与来源", "积分")
        assert [(r[0].date(), r[4]) for r in rows[1:]] == expected
        assert rows[1][1] == "参加联络站活动"
    row = AuditEvent.objects.filter(code="export.downloaded").order_by("-seq").first()
    assert (row.actor, row.new["list"], row.object_id) == (w.clerk, "points_record", str(d.pk))
    earlier = client.get(address, {"year": TODAY.year - 1, "format": "xlsx"})
    assert len(list(openpyxl.load_workbook(io.BytesIO(earlier.content)).active.iter_rows())) == 1
    client.force_login(w.cosigner)
    assert client.get(address, {"format": "xlsx"}).status_code == 404
