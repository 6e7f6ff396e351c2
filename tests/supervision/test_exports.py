"""Excel exports of the supervision board, the instruction list and the task force's inspections
(issue #12): the board's red and yellow items in the user's scope (a coordinator of another body
sees none of them; deputies and units 404), formulas as text, one `export.downloaded` audit row."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from minyi.audit.models import AuditEvent
from minyi.supervision import actions as SA
from tests.audit.support import last_seq

from .conftest import D, on

pytestmark = pytest.mark.django_db
TODAY = D(2026, 10, 12)


def rows_of(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def scene(loop):
    with on(D(2026, 9, 1)):
        late = loop.drive.to("assigned", title="=1+1 逾期的建议")
    with on(D(2026, 9, 24)):
        soon = loop.drive.to("assigned", title="快到期的建议")
    with on(TODAY):
        fresh = loop.drive.to("assigned", title="刚交办的建议")
    return {"late": late, "soon": soon, "fresh": fresh}


def test_board_export_holds_the_red_and_yellow_items_in_scope(client, loop, scene, coordinator_b):
    w = loop.w
    address = reverse("supervision:board_export", args=["alpha"])
    for persona in (w.supervisor, w.coordinator):
        client.force_login(persona)
        with on(TODAY):
            rows = rows_of(client.get(address))
        titles = [r[2] for r in rows[1:]]
        assert scene["late"].title in titles and scene["soon"].title in titles
        assert scene["fresh"].title not in titles  # green: not on the board's lists
    client.force_login(coordinator_b)
    with on(TODAY):
        assert rows_of(client.get(address))[1:] == []
    for persona in (w.deputy, w.handler_a, w.outsider):
        client.force_login(persona)
        with on(TODAY):
            assert client.get(address).status_code == 404
    # the board's drill-down filter applies; a unit outside the coordinator's bodies is 404
    client.force_login(coordinator_b)
    with on(TODAY):
        assert client.get(address, {"unit": w.unit_a.pk}).status_code == 404


def test_board_export_escapes_formulas_and_is_audited(client, loop, scene):
    w = loop.w
    client.force_login(w.supervisor)
    since = last_seq()
    with on(TODAY):
        response = client.get(reverse("supervision:board_export", args=["alpha"]))
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == scene["late"].title]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    events = list(AuditEvent.objects.filter(seq__gt=since))
    assert [e.code for e in events] == ["export.downloaded"]
    assert events[0].new["list"] == "supervision_board"


def test_instruction_list_export(client, loop, scene):
    w = loop.w
    with on(TODAY):
        SA.do_record_instruction(
            scene["late"],
            actor=w.inspector,
            leader_name="张区长",
            leader_title="区长",
            instructed_on=TODAY,
            text="请抓紧办理。",
            due_on=None,
        )
    address = reverse("supervision:instruction_list_export", args=["alpha"])
    client.force_login(w.inspector)
    with on(TODAY):
        rows = rows_of(client.get(address, {"show": "open"}))
        assert [r[0] for r in rows[1:]] == ["张区长"]
        assert rows_of(client.get(address, {"show": "closed"}))[1:] == []
    for persona in (w.deputy, w.handler_a):
        client.force_login(persona)
        with on(TODAY):
            assert client.get(address).status_code == 404


def test_theme_export_lists_its_suggestions_for_its_readers(client, loop, scene):
    w = loop.w
    with on(TODAY):
        theme = SA.do_create_theme(
            w.congress,
            actor=w.admin,
            name="=背街小巷整治",
            year=2026,
            plan="逐条督办",
            supervising_leader_name="李主任",
            lead_unit=w.unit_a,
        )
        SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=scene["late"])
    address = reverse("supervision:theme_export", args=["alpha", theme.pk])
    for persona in (w.supervisor, w.viewer):
        client.force_login(persona)
        with on(TODAY):
            rows = rows_of(client.get(address))
        assert [r[1] for r in rows[1:]] == [scene["late"].title]
        assert rows[1][3] == w.unit_a.name
    for persona in (w.deputy, w.handler_a, w.outsider):
        client.force_login(persona)
        with on(TODAY):
            assert client.get(address).status_code == 404


def test_inspection_list_export_is_the_task_forces_ledger(client, loop, scene, task_force):
    w = loop.w
    late = scene["late"]
    assignment = late.assignments.exclude(state="cancelled").get(unit=w.unit_a)
    with on(TODAY):
        SA.do_record_inspection(
            assignment,
            actor=task_force,
            kind="surprise",
            inspected_on=TODAY,
            contacted="no",
            reply_real="unclear",
            solved="no",
            findings='=HYPERLINK("x") 承办单位未与代表联系。',
            required_action="三个工作日内联系代表并报告。",
            due_on=D(2026, 10, 15),
        )
    address = reverse("supervision:inspection_list_export", args=["alpha"])
    page = reverse("supervision:task_force", args=["alpha"])
    for persona in (w.supervisor, w.viewer):
        client.force_login(persona)
        with on(TODAY):
            assert address in client.get(page).content.decode()  # the page links its export
            since = last_seq()
            response = client.get(address)
            rows = rows_of(response)
        assert rows[0][:5] == ["检查日期", "检查方式", "编号", "案由", "被检查单位"]
        assert len(rows) == 2
        row = rows[1]
        assert row[1] == "随机抽查" and row[3] == late.title and row[4] == w.unit_a.name
        assert row[5] == "否" and row[9] == "三个工作日内联系代表并报告。" and row[13] == "专班成员"
        findings = openpyxl.load_workbook(io.BytesIO(response.content)).active.cell(row=2, column=9)
        assert findings.data_type == "s" and findings.quotePrefix  # a formula stays text
        events = list(AuditEvent.objects.filter(seq__gt=since))
        assert [(e.code, e.new["list"], e.new["rows"]) for e in events] == [
            ("export.downloaded", "inspections", 1)
        ]
    for persona in (w.deputy, w.handler_a, w.coordinator, w.outsider):
        client.force_login(persona)
        with on(TODAY):
            assert client.get(address).status_code == 404
