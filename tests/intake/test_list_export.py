"""The opinion lists as Excel (issue #12): every persona's export holds exactly the opinions their
list shows (none for the viewer), never a constituent's name or phone, user text as text."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from minyi.audit.models import AuditEvent

from .conftest import NAME, PHONE
from .test_privacy import NAME2, NAME3, PERSONAS, PHONE2, PHONE3, scene  # noqa: F401 - the fixture

SECRETS = (PHONE, NAME, PHONE2, NAME2, PHONE3, NAME3)


def cells(response) -> list[list]:
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("persona", PERSONAS)
def test_opinion_export_is_the_list_without_contact_data(intake, scene, persona):  # noqa: F811
    w = intake.w
    code = w.congress.code
    client = Client()
    client.force_login(getattr(w, persona))
    for name in ("opinions", "mine", "forwarded"):
        address = reverse(f"intake:{name}", args=[code])
        page = client.get(address)
        export = client.get(address, {"format": "xlsx"})
        assert export.status_code == page.status_code, (persona, name)
        if page.status_code != 200:
            continue
        listed = {int(pk) for pk in re.findall(r'data-opinion="(\d+)"', page.content.decode())}
        rows = cells(export)
        assert {r[0] for r in rows[1:]} == listed, (persona, name)
        flat = " ".join(str(v) for r in rows for v in r if v is not None)
        for secret in SECRETS:
            assert secret not in flat, (persona, name)


def test_opinion_export_is_audited(intake, scene):  # noqa: F811
    w = intake.w
    client = Client()
    client.force_login(w.clerk)
    before = AuditEvent.objects.filter(code="export.downloaded").count()
    response = client.get(reverse("intake:opinions", args=[w.congress.code]), {"format": "xlsx"})
    assert response.status_code == 200
    row = AuditEvent.objects.filter(code="export.downloaded").order_by("-seq").first()
    assert AuditEvent.objects.filter(code="export.downloaded").count() == before + 1
    assert row.actor == w.clerk and row.new["list"] == "opinions:all"


def test_a_stations_events_export_as_its_ledger(intake, scene):  # noqa: F811
    """活动台账: every event of the station's list (both of them, all pages), the deputies by name,
    the opinions recorded at each; members of the congress only; audited; formulas stay text."""
    w = intake.w
    code = w.congress.code
    second = intake.event(
        kind="reception", days_ago=1, title="=SUM(1) 代表进站接待", deputies=[intake.deputy, intake.cosigner]
    )
    address = reverse("intake:events_export", args=[code, intake.station.pk])
    client = Client()
    client.force_login(w.viewer)  # reads stations and events, never an opinion
    assert address in client.get(reverse("intake:events", args=[code, intake.station.pk])).content.decode()
    since = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = client.get(address)
    assert response.status_code == 200
    rows = cells(response)
    assert rows[0][:3] == ["活动日期", "活动类型", "活动主题"]
    assert [r[2] for r in rows[1:]] == [second.title, scene["event"].title]  # newest first
    assert rows[1][5] == f"{intake.deputy.name}、{intake.cosigner.name}"
    assert rows[2][7] == scene["event"].opinions.count() == 1
    title_cell = openpyxl.load_workbook(io.BytesIO(response.content)).active.cell(row=2, column=3)
    assert title_cell.data_type == "s" and title_cell.quotePrefix
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    for secret in SECRETS:
        assert secret not in flat
    events = list(AuditEvent.objects.filter(seq__gt=since))
    assert [(e.code, e.new["list"], e.new["rows"]) for e in events] == [
        ("export.downloaded", "station_events", 2)
    ]
    other = reverse("intake:events_export", args=[code, intake.other_station.pk])
    assert cells(client.get(other))[1:] == []
    client.force_login(w.outsider)  # no role in this congress
    assert client.get(address).status_code == 404
