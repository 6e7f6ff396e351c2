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
