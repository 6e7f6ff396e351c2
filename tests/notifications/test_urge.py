"""催办 by hand: who may, what is urged, every refusal (nothing written), the audit row, the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.notifications.actions import do_urge
from minyi.notifications.models import Delivery, Notice
from minyi.suggestions import actions as A
from minyi.suggestions.models import AssignmentRole
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.suggestions.conftest import refused

from .conftest import sent


@pytest.fixture
def handling(loop):
    """A suggestion forwarded to the government and assigned to unit A (lead) and unit B (co)."""
    return loop.drive.to("assigned", co=True)


def nothing_sent() -> None:
    assert Notice.objects.count() == 0 and Delivery.objects.count() == 0


@pytest.mark.parametrize("who", ["clerk", "admin", "supervisor", "inspector"])
def test_staff_leaders_and_inspectors_urge_every_unit_handling_it(loop, handling, who):
    w = loop.w
    w.leader_a.email, w.leader_a.phone = "leader@a.cn", "13700000000"
    w.leader_a.save()
    actor = getattr(w, who)
    notices = do_urge(handling, actor=actor, message="  请加快办理。 ")
    assert sent() == [
        ("urged", "handler_a"),
        ("urged", "handler_b"),
        ("urged", "leader_a"),
        ("urged", "leader_b"),
    ]
    assert len(notices) == 4
    notice = Notice.objects.get(recipient=w.leader_a)
    assert notice.title == "催办：" + handling.title
    assert notice.body == f"{who}催办：请加快办理。\n承办单位：甲区住房和城乡建设局、甲区教育局"
    assert sorted(notice.deliveries.values_list("channel", "address")) == [
        ("email", "leader@a.cn"),
        ("sms", "13700000000"),
    ]
    event = AuditEvent.objects.get(code="suggestion.urged")
    assert notice.event == event
    assert (event.actor, event.suggestion, event.assignment, event.note) == (
        actor,
        handling,
        None,
        "请加快办理。",
    )
    assert event.new == {
        "units": [w.unit_a.pk, w.unit_b.pk],
        "recipients": sorted([w.handler_a.pk, w.handler_b.pk, w.leader_a.pk, loop.leader_b.pk]),
    }


def test_urging_one_assignment_reaches_only_its_unit(loop, handling):
    w = loop.w
    co = handling.assignments.get(role=AssignmentRole.CO)
    do_urge(co, actor=w.clerk, message="请尽快提交协办意见。")
    assert sent() == [("urged", "handler_b"), ("urged", "leader_b")]
    event = AuditEvent.objects.get(code="suggestion.urged")
    assert (event.assignment, event.unit, event.object_type) == (co, w.unit_b, "suggestions.assignment")
    assert Notice.objects.filter(assignment=co).count() == 2


def test_a_suggestion_waiting_at_the_coordinator_urges_the_coordinator(loop):
    s = loop.drive.to("forwarded")
    do_urge(s, actor=loop.w.clerk, message="请尽快交办。")
    assert sent() == [("urged", "gov")]
    assert AuditEvent.objects.get(code="suggestion.urged").unit == loop.w.gov


def test_urging_twice_is_two_urges(loop, handling):
    do_urge(handling, actor=loop.w.clerk, message="第一次")
    do_urge(handling, actor=loop.w.clerk, message="第二次")
    assert Notice.objects.count() == 8 and AuditEvent.objects.filter(code="suggestion.urged").count() == 2


@pytest.mark.parametrize(
    "who",
    ["deputy", "cosigner", "liaison", "coordinator", "handler_a", "leader_a", "judge", "viewer", "outsider"],
)
def test_others_may_not_urge(loop, handling, who):
    with refused(NotPermitted, "not_permitted"):
        do_urge(handling, actor=getattr(loop.w, who), message="快")
    nothing_sent()


def test_a_superuser_urges_only_through_a_membership(loop, handling):
    """No superuser bypass inside a congress (decision 0009): refused without a membership, allowed
    with a clerk's."""
    root = UserFactory(username="root", is_superuser=True)
    with refused(NotPermitted, "not_permitted"):
        do_urge(handling, actor=root, message="请办理")
    nothing_sent()
    MembershipFactory(user=root, congress=loop.w.congress, role=Role.CONGRESS_CLERK)
    root = type(root).objects.get(pk=root.pk)
    assert len(do_urge(handling, actor=root, message="请办理")) == 4


@pytest.mark.parametrize(
    ("message", "code"),
    [("", "message_required"), ("   ", "message_required"), ("字" * 501, "message_too_long")],
)
def test_the_message_is_required_and_short(loop, handling, message, code):
    with refused(ValidationFailed, code):
        do_urge(handling, actor=loop.w.clerk, message=message)
    nothing_sent()


@pytest.mark.parametrize(
    ("stage", "direct"),
    [("draft", False), ("submitted", False), ("accepted", True), ("replied", False), ("closed", False)],
)
def test_there_is_nothing_to_urge_before_assignment_or_after_the_reply(loop, stage, direct):
    s = loop.drive.to(stage, direct=direct)
    with refused(InvalidTransition, "not_open", match="没有正在办理的单位"):
        do_urge(s, actor=loop.w.clerk, message="快")
    nothing_sent()


def test_a_replied_assignment_is_not_urged(loop):
    s = loop.drive.to("replied")
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    with refused(InvalidTransition, "not_open", match="已答复"):
        do_urge(lead, actor=loop.w.clerk, message="快")


def test_a_unit_without_people_cannot_be_urged(loop):
    w = loop.w
    nobody = UnitFactory(congress=w.congress, parent=w.gov, name="甲区无人局")
    s = loop.drive.to("accepted", direct=True)
    A.do_assign_units(s, actor=w.clerk, lead_units=[nobody])
    with refused(ValidationFailed, "no_recipients"):
        do_urge(s, actor=w.clerk, message="快")


# --- pages -------------------------------------------------------------------------------------------


def urge_url(kind: str, pk: int, code: str = "alpha") -> str:
    return reverse(f"notifications:urge_{kind}", args=[code, pk])


def test_the_clerk_urges_from_the_page(client, loop, handling):
    client.force_login(loop.w.clerk)
    page = client.get(urge_url("suggestion", handling.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "甲区住房和城乡建设局（主办，答复期限" in html and "甲区教育局（协办）" in html
    assert "data-confirm=" in html
    response = client.post(urge_url("suggestion", handling.pk), {"message": "请加快办理。"})
    assert response.status_code == 302
    assert response["Location"] == reverse("suggestions:detail", args=["alpha", handling.pk])
    assert Notice.objects.count() == 4
    assert "已催办，通知已发给4人。" in client.get(response["Location"]).content.decode()


def test_the_page_shows_every_bad_input(client, loop, handling):
    client.force_login(loop.w.clerk)
    response = client.post(urge_url("suggestion", handling.pk), {"message": ""})
    assert response.status_code == 422 and "请填写催办意见。" in response.content.decode()
    response = client.post(urge_url("suggestion", handling.pk), {"message": "字" * 501})
    assert (
        response.status_code == 422 and "催办意见不能超过500个字（现有501个）。" in response.content.decode()
    )
    nothing_sent()


def test_the_assignment_page_urges_one_unit(client, loop, handling):
    co = handling.assignments.get(role=AssignmentRole.CO)
    client.force_login(loop.w.supervisor)
    response = client.post(urge_url("assignment", co.pk), {"message": "请尽快提交协办意见。"})
    assert response.status_code == 302 and response["Location"].endswith(f"#assignment-{co.pk}")
    assert sent() == [("urged", "handler_b"), ("urged", "leader_b")]


def test_nothing_to_urge_is_said_and_refused(client, loop):
    s = loop.drive.to("replied")
    client.force_login(loop.w.clerk)
    page = client.get(urge_url("suggestion", s.pk)).content.decode()
    assert "没有正在办理的单位可以催办" in page and 'name="message"' not in page
    assert client.post(urge_url("suggestion", s.pk), {"message": "快"}).status_code == 409
    nothing_sent()


@pytest.mark.parametrize("who", ["handler_a", "deputy", "coordinator", "viewer", "outsider"])
def test_the_pages_are_404_for_those_who_may_not_urge(client, loop, handling, who):
    client.force_login(getattr(loop.w, who))
    co = handling.assignments.get(role=AssignmentRole.CO)
    assert client.get(urge_url("suggestion", handling.pk)).status_code == 404
    assert client.post(urge_url("suggestion", handling.pk), {"message": "快"}).status_code == 404
    assert client.get(urge_url("assignment", co.pk)).status_code == 404
    nothing_sent()


def test_ids_of_another_congress_are_404(client, loop, handling):
    client.force_login(loop.w.outsider)  # an admin, but of "beta"
    assert client.get(urge_url("suggestion", handling.pk, code="beta")).status_code == 404
    client.force_login(loop.w.clerk)
    assert client.get(urge_url("suggestion", 999999)).status_code == 404


def detail(client, suggestion) -> str:
    response = client.get(reverse("suggestions:detail", args=["alpha", suggestion.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_suggestion_page_offers_the_urges_to_those_who_may(client, loop, handling):
    co = handling.assignments.get(role=AssignmentRole.CO)
    lead = handling.assignments.get(role=AssignmentRole.LEAD)
    client.force_login(loop.w.clerk)
    html = detail(client, handling)
    assert f'href="{urge_url("suggestion", handling.pk)}"' in html
    assert f'href="{urge_url("assignment", co.pk)}"' in html
    assert f'href="{urge_url("assignment", lead.pk)}"' in html
    # the lead deputy and the unit itself see the page, not the buttons
    for who in ("deputy", "handler_a"):
        client.force_login(getattr(loop.w, who))
        html = detail(client, handling)
        assert "/urge/" not in html, who


def test_no_urge_button_when_nothing_is_being_handled(client, loop):
    s = loop.drive.to("replied")
    client.force_login(loop.w.clerk)
    assert "/urge/" not in detail(client, s)
