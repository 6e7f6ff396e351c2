"""The supervision board: counts of green / yellow / red open deadlines per body and per unit, the
yellow and red lists oldest first with drill-down, who may see it (404 for deputies, units, other
congresses; coordinators see their own body only), decisions on extension and re-assignment
requests, and a query count that does not grow with the data."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from minyi.audit.models import AuditEvent
from minyi.suggestions import actions as A
from minyi.suggestions.models import Deadline
from minyi.supervision.selectors import board_counts
from minyi.supervision.warnings import WarningClock
from tests.factories import UnitFactory

from .conftest import D, deadline, lead_assignment, on

pytestmark = pytest.mark.django_db
K = Deadline.Kind
TODAY = D(2026, 10, 12)  # a Monday, after the National Day holidays


def board_url(**params) -> str:
    url = reverse("supervision:board", args=["alpha"])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.fixture
def scene(loop):
    """On 12 October 2026:

    - `late`: assigned 1 September → first contact (15 Sep) and reply (8 Oct) overdue (red);
    - `soon`: assigned 24 September → first contact due 15 October, 3 working days left (yellow);
    - `fresh`: assigned 12 October (green);
    - `waiting`: accepted 24 September, forwarded to the government, not assigned (red: due 9
      October, five working days after the Mid-Autumn and National Day holidays);
    - `staff`: accepted 25 September (a holiday) and not dispatched (red, 9 October → the staff's row)."""
    with on(D(2026, 9, 1)):
        late = loop.drive.to("assigned")
    with on(D(2026, 9, 24)):
        soon = loop.drive.to("assigned")
        waiting = loop.drive.to("forwarded")
    with on(D(2026, 9, 25)):
        staff = loop.drive.to("accepted")
    with on(TODAY):
        fresh = loop.drive.to("assigned")
    return {"late": late, "soon": soon, "fresh": fresh, "waiting": waiting, "staff": staff}


def test_counts_per_body_and_unit(loop, scene):
    w = loop.w
    clock = WarningClock.for_congress(w.congress, today=TODAY)
    counts = board_counts(w.congress, clock.bounds)
    assert (counts.totals.red, counts.totals.yellow, counts.totals.green) == (4, 1, 3)
    units = {row.key: (row.red, row.yellow, row.green) for row in counts.units}
    assert units == {
        f"unit-{w.unit_a.pk}": (2, 1, 3),
        f"forward-{w.gov.pk}": (1, 0, 0),
        "staff": (1, 0, 0),
    }
    bodies = {row.key: (row.red, row.yellow, row.green) for row in counts.bodies}
    assert bodies == {f"body-{w.gov.pk}": (3, 1, 3), "staff": (1, 0, 0)}
    # The coordinator's view: the government's units and what was forwarded to it.
    scoped = board_counts(w.congress, clock.bounds, bodies={w.gov.pk})
    assert (scoped.totals.red, scoped.totals.yellow, scoped.totals.green) == (3, 1, 3)


def rows(html: str, colour: str) -> list[str]:
    """The deadline ids listed in the red or yellow section, in order."""
    section = html.split(f'id="{colour}-list"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-deadline="(\d+)"', section)


def test_the_board_lists_yellow_and_red_items_oldest_first(client, loop, scene):
    w = loop.w
    client.force_login(w.supervisor)
    with on(TODAY):
        response = client.get(board_url())
    assert response.status_code == 200
    html = response.content.decode()
    late, soon = scene["late"], scene["soon"]
    assert rows(html, "red") == [
        str(deadline(late, K.FIRST_CONTACT).pk),  # 15 September
        str(deadline(late, K.REPLY).pk),  # 8 October, with the statutory limit beside it
        str(deadline(scene["waiting"], K.ASSIGN).pk),  # 9 October (5 working days after 24 Sep)
        str(deadline(scene["staff"], K.ASSIGN).pk),  # 9 October too
    ]
    assert rows(html, "yellow") == [str(deadline(soon, K.FIRST_CONTACT).pk)]
    assert (
        'data-count="red">4<' in html and 'data-count="yellow">1<' in html and 'data-count="green">3<' in html
    )
    # 15 Sep → 12 Oct: the Mid-Autumn and National Day holidays are not counted, the make-up
    # Sunday 20 September and Saturday 10 October are.
    assert "已逾期 15 个工作日" in html
    assert "还剩 3 个工作日" in html
    assert "法定时限" in html and "2026-12-01" in html  # late's statutory limit, on the reply row
    assert "本年度的办理期限暂时只按周末计算" not in html  # 2026 has calendar data


def test_drill_down_to_a_unit_a_body_and_the_staff(client, loop, scene):
    w = loop.w
    client.force_login(w.clerk)
    with on(TODAY):
        unit_b = client.get(board_url(unit=w.unit_b.pk)).content.decode()
        gov = client.get(board_url(body=w.gov.pk)).content.decode()
        staff = client.get(board_url(staff=1)).content.decode()
        foreign = client.get(board_url(unit=UnitFactory(congress=w.other_congress).pk))
        not_a_body = client.get(board_url(body=w.unit_a.pk))
    assert rows(unit_b, "red") == [] and rows(unit_b, "yellow") == []
    assert "正在查看：甲区教育局" in unit_b
    assert len(rows(gov, "red")) == 3 and len(rows(gov, "yellow")) == 1
    assert rows(staff, "red") == [str(deadline(scene["staff"], K.ASSIGN).pk)]
    assert foreign.status_code == 404 and not_a_body.status_code == 404


@pytest.mark.parametrize("who", ["admin", "clerk", "supervisor", "inspector", "coordinator"])
def test_who_sees_the_board(client, loop, scene, who):
    client.force_login(getattr(loop.w, who))
    with on(TODAY):
        assert client.get(board_url()).status_code == 200


@pytest.mark.parametrize(
    "who", ["deputy", "cosigner", "liaison", "handler_a", "leader_a", "judge", "viewer", "outsider"]
)
def test_deputies_units_and_other_congresses_get_404(client, loop, scene, who):
    client.force_login(getattr(loop.w, who))
    assert client.get(board_url()).status_code == 404


def test_the_board_of_another_congress_is_404_and_anonymous_users_sign_in(client, loop, scene):
    client.force_login(loop.w.admin)
    assert client.get(reverse("supervision:board", args=["beta"])).status_code == 404
    client.logout()
    response = client.get(board_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_task_force_sees_the_board(client, loop, scene, task_force):
    client.force_login(task_force)
    with on(TODAY):
        assert client.get(board_url()).status_code == 200


def test_a_coordinator_sees_only_their_body(client, loop, scene, coordinator_b):
    w = loop.w
    client.force_login(coordinator_b)
    with on(TODAY):
        html = client.get(board_url()).content.decode()
        assert client.get(board_url(unit=w.unit_a.pk)).status_code == 404
    assert rows(html, "red") == [] and 'data-count="red">0<' in html
    client.force_login(w.coordinator)
    with on(TODAY):
        html = client.get(board_url()).content.decode()
    assert len(rows(html, "red")) == 3  # not the staff's own review/assignment step
    assert "延期申请" not in html  # extensions are decided by the congress staff


def test_a_year_without_calendar_data_warns_on_the_board(client, loop):
    with on(D(2027, 3, 1)):
        client.force_login(loop.w.supervisor)
        html = client.get(board_url()).content.decode()
    assert "2027年的法定节假日和调休安排尚未录入" in html


def test_the_board_has_a_fixed_query_count(client, loop, scene, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def requests(n: int) -> None:
        with on(D(2026, 9, 28)):
            for _ in range(n):
                s = loop.drive.to("assigned", co=True)
                a = lead_assignment(s)
                A.do_sign_assignment(a, actor=loop.w.handler_a)
                A.do_request_extension(a, actor=loop.w.handler_a, reason="需要协调", until=D(2026, 11, 20))
                s = loop.drive.to("assigned")
                a = lead_assignment(s)
                A.do_sign_assignment(a, actor=loop.w.handler_a)
                A.do_request_reassignment(a, actor=loop.w.handler_a, reason="不属本单位")
                loop.drive.to("forwarded")  # a red row without a unit: its body is shown

    client.force_login(loop.w.clerk)
    requests(1)
    with on(TODAY), CaptureQueriesContext(connection) as first:
        assert client.get(board_url()).status_code == 200
    budget = len(first)  # counted now: the deque of connection.queries rotates under the building below
    requests(4)
    with on(TODAY), django_assert_max_num_queries(budget):
        html = client.get(board_url()).content.decode()
    assert html.count("data-extension=") == 5 and html.count("data-reassignment=") == 5
    assert len(first) <= 25, len(first)


def test_extensions_and_reassignments_are_decided_from_the_board(client, loop, scene):
    w = loop.w
    a = lead_assignment(scene["soon"])
    with on(D(2026, 10, 9)):
        A.do_sign_assignment(a, actor=w.handler_a)
        request = A.do_request_extension(a, actor=w.handler_a, reason="需要协调资金", until=D(2026, 11, 20))
    url = reverse("supervision:decide_extension", args=["alpha", request.pk])
    client.force_login(w.coordinator)
    with on(TODAY):
        assert client.post(url, {"decision": "approve"}).status_code == 404
    client.force_login(w.clerk)
    with on(TODAY):
        response = client.post(url, {"decision": "approve", "until": "2026-11-13", "next": board_url()})
    assert response.status_code == 302 and response["Location"] == board_url()
    assert deadline(scene["soon"], K.REPLY).due_on == D(2026, 11, 13)
    assert AuditEvent.objects.filter(code="extension.approved", suggestion=scene["soon"]).exists()
    # Decided requests are gone from the board; a second decision is 404.
    with on(TODAY):
        assert client.post(url, {"decision": "refuse", "note": "不行"}).status_code == 404

    b = lead_assignment(scene["fresh"])
    with on(TODAY):
        A.do_sign_assignment(b, actor=w.handler_a)
        A.do_request_reassignment(b, actor=w.handler_a, reason="不属本单位职责")
    url = reverse("supervision:decide_reassignment", args=["alpha", b.pk])
    client.force_login(w.coordinator)
    with on(TODAY):
        response = client.post(url, {"decision": "refuse", "note": ""}, follow=True)
    assert "请写明不同意调整的理由" in response.content.decode()  # the action's own refusal
    with on(TODAY):
        client.post(url, {"decision": "approve"})
    b.refresh_from_db()
    assert b.state == "cancelled"
    assert AuditEvent.objects.filter(
        code="assignment.reassignment_approved", assignment=b, actor=w.coordinator
    ).exists()


def test_unsafe_next_urls_are_ignored(client, loop, scene):
    w = loop.w
    a = lead_assignment(scene["soon"])
    with on(D(2026, 10, 9)):
        A.do_sign_assignment(a, actor=w.handler_a)
        request = A.do_request_extension(a, actor=w.handler_a, reason="需要协调资金", until=D(2026, 11, 20))
    client.force_login(w.clerk)
    with on(TODAY):
        response = client.post(
            reverse("supervision:decide_extension", args=["alpha", request.pk]),
            {"decision": "refuse", "note": "理由不充分", "next": "https://evil.example/"},
        )
    assert response["Location"] == board_url()
