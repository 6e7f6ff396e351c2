"""The registers and ledgers an office exports (issue #12), on a phone: the 导出Excel button is on
the page, visible without scrolling sideways, and gives an .xlsx download — the deputies' roster,
the units, the stations, accounts and roles (admin), a station's activity ledger (its liaison
clerk) and the task force's inspection records (the supervisor). Screenshots are saved under
test-artifacts/screenshots/test_list_exports/."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from minyi.intake import actions as IA
from minyi.supervision import actions as SV
from tests.suggestions.conftest import Driver, make_taxa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(daytime, world):
    w = world
    drive = Driver(w, make_taxa(w.congress), None)
    assigned = drive.to("assigned", direct=True)
    SV.do_add_task_force_member(w.congress, actor=w.admin, user=w.inspector)
    SV.do_record_inspection(
        assigned.assignments.get(unit=w.unit_a),
        actor=w.inspector,
        kind="routine",
        inspected_on=datetime.date.today(),
        contacted="yes",
        reply_real="yes",
        solved="partly",
        findings="已联系代表，问题部分解决。",
        required_action="一个月内报告后续进展。",
        due_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    station = w.liaison.memberships.get().station
    IA.do_record_event(
        station,
        actor=w.liaison,
        data=IA.EventInput(
            kind="face_to_face",
            date=datetime.date.today() - datetime.timedelta(days=2),
            title="局长·代表面对面：老旧小区改造",
            deputies=[w.deputy.deputy_records.get()],
            officials="区住建局局长",
        ),
    )
    return w, station


def _export(page: Page, shot, name: str, what: str) -> list[tuple]:
    button = page.locator(f'[data-export="{what}"]')
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"], what
    shot(page, name)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    with open(download.path(), "rb") as f:
        return list(openpyxl.load_workbook(io.BytesIO(f.read())).active.iter_rows(values_only=True))


def test_office_exports_on_a_phone(scene, browser_context, login, shot):
    w, station = scene
    admin = browser_context(phone=True).new_page()
    login(admin, "admin")
    for path, what, header in (
        ("/c/alpha/deputies/", "deputies", "代表证号"),
        ("/c/alpha/units/", "units", "上级单位"),
        ("/c/alpha/stations/", "stations", "名称"),
        ("/c/alpha/members/", "members", "姓名"),
    ):
        admin.goto(path)
        rows = _export(admin, shot, what, what)
        assert rows[0][0] == header and len(rows) > 1, what
    liaison = browser_context(phone=True).new_page()
    login(liaison, "liaison")
    liaison.goto(f"/c/alpha/intake/stations/{station.pk}/events/")
    rows = _export(liaison, shot, "station_events", "station_events")
    assert rows[1][2] == "局长·代表面对面：老旧小区改造"
    supervisor = browser_context(phone=True).new_page()
    login(supervisor, "supervisor")
    supervisor.goto("/c/alpha/supervision/task-force/")
    rows = _export(supervisor, shot, "inspections", "inspections")
    assert rows[1][9] == "一个月内报告后续进展。"
