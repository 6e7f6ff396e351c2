"""The clerk's publication pages and the unit's withhold request page (issue #14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minyi.publication.models import Publication, PublicationState, WithholdRequest

from .test_actions import RESIDENT_FACTS

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def closed(daytime, loop):
    return loop.drive.to("closed", facts=RESIDENT_FACTS)


def _url(name, *args, code="alpha"):
    return reverse(f"publication:{name}", args=[code, *args])


def test_only_staff_open_the_pages(client, closed, loop):
    w = loop.w
    for user in (w.deputy, w.handler_a, w.viewer, w.supervisor, w.outsider):
        client.force_login(user)
        assert client.get(_url("index")).status_code == 404
        assert client.get(_url("review", closed.pk)).status_code == 404
        assert client.post(_url("withhold", closed.pk), {"reason": "x"}).status_code == 404
    assert not Publication.objects.exists()


def test_index_review_and_publish(client, closed, loop):
    client.force_login(loop.w.clerk)
    page = client.get(_url("index"))
    assert page.status_code == 200 and closed.number in page.content.decode()
    review = client.get(_url("review", closed.pk)).content.decode()
    assert '<mark class="finding"' in review and "张秀英" in review  # the clerk sees what is found
    assert "张某某" in review  # and the masked text to confirm
    # a clerk who puts the name back is told, and nothing is published
    refused = client.post(_url("review", closed.pk), {"text-facts": RESIDENT_FACTS})
    assert refused.status_code == 422
    assert "仍有可能的个人信息未遮盖" in refused.content.decode()
    assert not Publication.objects.exists()
    done = client.post(_url("review", closed.pk), {}, follow=True)
    assert "已公开" in done.content.decode()
    publication = Publication.objects.get()
    assert publication.state == PublicationState.PUBLISHED and "张秀英" not in publication.facts


def test_batch_confirms_then_publishes(client, daytime, loop):
    a = loop.drive.to("closed", facts=RESIDENT_FACTS)
    b = loop.drive.to("closed")
    client.force_login(loop.w.clerk)
    empty = client.post(_url("batch"), {}, follow=True)
    assert "请先勾选" in empty.content.decode()
    confirm = client.post(_url("batch"), {"s": [a.pk, b.pk]})
    assert confirm.status_code == 200 and "张秀英" in confirm.content.decode()
    assert not Publication.objects.exists()
    client.post(_url("batch"), {"s": [a.pk, b.pk], "confirm": "1"})
    assert Publication.objects.filter(state=PublicationState.PUBLISHED).count() == 2


def test_withhold_and_retract_from_the_page(client, closed, loop):
    client.force_login(loop.w.clerk)
    client.post(_url("review", closed.pk), {})
    blank = client.post(_url("retract", closed.pk), {"reason": ""}, follow=True)
    assert "请填写理由" in blank.content.decode()
    client.post(_url("retract", closed.pk), {"reason": "需更正"})
    assert Publication.objects.get().state == PublicationState.RETRACTED
    client.post(_url("withhold", closed.pk), {"reason": "涉及个人事项"})
    assert Publication.objects.get().state == PublicationState.WITHHELD


def test_unit_requests_and_clerk_decides(client, closed, loop):
    w = loop.w
    client.force_login(w.handler_b)  # not a unit of this suggestion
    assert client.get(_url("request_withhold", closed.pk)).status_code == 404
    client.force_login(w.handler_a)
    detail = client.get(reverse("suggestions:detail", args=["alpha", closed.pk])).content.decode()
    assert _url("request_withhold", closed.pk) in detail
    bad = client.post(_url("request_withhold", closed.pk), {"ground": "personal", "reason": ""})
    assert bad.status_code == 422
    client.post(_url("request_withhold", closed.pk), {"ground": "personal", "reason": "涉及当事人隐私"})
    request = WithholdRequest.objects.get()
    client.force_login(w.clerk)
    work = client.get(reverse("suggestions:worklist", args=["alpha"])).content.decode()
    assert "不予公开申请待审定" in work and closed.title in work
    refused = client.post(_url("decide_request", request.pk), {"grant": "0", "note": ""}, follow=True)
    assert "审定意见" in refused.content.decode()
    client.post(_url("decide_request", request.pk), {"grant": "1", "note": ""})
    assert Publication.objects.get().state == PublicationState.WITHHELD


def test_staff_work_lists_what_awaits_a_decision(client, closed, loop):
    client.force_login(loop.w.clerk)
    work = client.get(reverse("suggestions:worklist", args=["alpha"])).content.decode()
    assert "待公开审定" in work and _url("review", closed.pk) in work
    client.force_login(loop.w.deputy)
    assert "待公开审定" not in client.get(reverse("suggestions:worklist", args=["alpha"])).content.decode()
