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
