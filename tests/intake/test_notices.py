"""Notices and 待办 of the voter-opinion loop (issue #12): the unit is told when a station forwards an
opinion to it (and finds it in its 待办), the station's liaison clerks and the opinion's deputy are
told when the unit answers, a deputy is told when an opinion is referred to them. Each notice once
(the scan run again sends nothing), to those people only (not another unit, station, deputy or
congress)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.core.work import work_summary
from minyi.intake import actions as A
from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def scan_new() -> list[tuple[str, str]]:
    """(recipient, title) of the notices one scan adds."""
    before = set(Notice.objects.values_list("pk", flat=True))
    run_scan(enqueue=False)
    return sorted(
        Notice.objects.exclude(pk__in=before).values_list("recipient__username", "title"),
    )


def _user(username, congress, role, **kw):
    user = UserFactory(username=username, full_name=username)
    MembershipFactory(user=user, congress=congress, role=role, **kw)
    return user


@pytest.fixture
def people(daytime, intake):
    """A clerk of the other station and the same kind of unit in another congress: never told."""
    w = intake.w
    other_clerk = _user("other_liaison", w.congress, Role.LIAISON_CLERK, station=intake.other_station)
    beta_unit = UnitFactory(congress=w.other_congress, name="乙区住房和城乡建设局")
    beta_handler = _user("beta_handler", w.other_congress, Role.UNIT_HANDLER, unit=beta_unit)
    run_scan(enqueue=False)  # the cursor starts here
    return intake, other_clerk, beta_handler


def test_the_unit_is_told_once_when_a_station_forwards_an_opinion(client, people):
    intake, _other, _beta = people
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a, note="请核实路灯")
    title = f"转办的社情民意：社情民意 #{opinion.pk}"
    assert scan_new() == [("handler_a", title), ("leader_a", title)]
    assert scan_new() == []  # exactly once
    notice = Notice.objects.get(recipient=w.handler_a)
    assert "请核实路灯" in notice.body and notice.suggestion_id is None
    assert notice.url == reverse("intake:opinion", args=[w.congress.code, opinion.pk])
    # the link opens the opinion for the unit; the notice's page leads there
    client.force_login(w.handler_a)
    assert client.get(notice.url).status_code == 200
    response = client.get(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == notice.url


def test_the_forwarded_opinion_is_in_the_units_worklist_until_answered(client, people):
    intake, _other, beta = people
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a)
    summary = work_summary(w.handler_a, w.congress)
    assert summary.count_of("forwarded_opinions") == 1
    assert work_summary(w.handler_b, w.congress).count_of("forwarded_opinions") == 0
    assert work_summary(beta, w.other_congress).count_of("forwarded_opinions") == 0
    client.force_login(w.handler_a)
    page = client.get(reverse("suggestions:worklist", args=[w.congress.code]))
    assert page.status_code == 200
    counts = {s["key"]: s["count"] for s in page.context["sections"]}
    assert counts["forwarded_opinions"] == 1
    assert reverse("intake:opinion", args=[w.congress.code, opinion.pk]) in page.content.decode()
    A.do_answer_forwarded_opinion(opinion, actor=w.handler_a, answer="已安排维修。")
    assert work_summary(w.handler_a, w.congress).count_of("forwarded_opinions") == 0


def test_the_station_and_the_deputy_are_told_once_when_the_unit_answers(people):
    intake, _other, _beta = people
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a)
    run_scan(enqueue=False)
    A.do_answer_forwarded_opinion(opinion, actor=w.leader_a, answer="已安排维修，三日内修复。")
    title = f"单位已答复社情民意：社情民意 #{opinion.pk}"
    # the station's clerk and the deputy — not the other station's clerk, not the unit itself
    assert scan_new() == [("deputy", title), ("liaison", title)]
    assert scan_new() == []
    body = Notice.objects.get(recipient=w.liaison, title=title).body
    assert "已安排维修，三日内修复。" in body and w.unit_a.name in body
    # the liaison clerk's 待办 now has the constituent to tell
    assert work_summary(w.liaison, w.congress).count_of("opinions_to_tell") == 1
    assert work_summary(_other, w.congress).count_of("opinions_to_tell") == 0


def test_an_opinion_without_a_deputy_tells_the_station_only(people):
    intake, _other, _beta = people
    w = intake.w
    opinion = intake.record(deputy=None)
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_b)
    run_scan(enqueue=False)
    A.do_answer_forwarded_opinion(opinion, actor=w.handler_b, answer="已处理。")
    assert [who for who, _title in scan_new()] == ["liaison"]


def test_a_deputy_is_told_once_of_an_opinion_referred_to_them(people):
    intake, _other, _beta = people
    w = intake.w
    opinion = intake.record(deputy=None)
    A.do_refer_opinion(opinion, actor=w.liaison, deputy=intake.cosigner)
    assert scan_new() == [("cosigner", f"交您处理的社情民意：社情民意 #{opinion.pk}")]
    assert scan_new() == []
    assert work_summary(w.cosigner, w.congress).count_of("deputy_opinions") == 1
    assert work_summary(w.deputy, w.congress).count_of("deputy_opinions") == 0


def test_the_station_worklist_counts_its_open_opinions_only(people):
    intake, other_clerk, _beta = people
    w = intake.w
    intake.record()
    intake.record(station=intake.other_station, deputy=None, actor=other_clerk)
    assert work_summary(w.liaison, w.congress).count_of("station_opinions") == 1
    assert work_summary(other_clerk, w.congress).count_of("station_opinions") == 1
    assert work_summary(w.handler_a, w.congress).count_of("station_opinions") == 0
