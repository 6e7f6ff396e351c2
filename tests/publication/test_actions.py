"""The clerk's publication decisions and the units' withhold requests (issue #14): who may, when,
what is copied (masked), and the audit row of each decision."""

from __future__ import annotations

import pytest

from minyi.audit.models import AuditEvent
from minyi.congress.models import Policy
from minyi.core.errors import FieldErrors, InvalidTransition, NotPermitted
from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan
from minyi.publication import actions as P
from minyi.publication import review
from minyi.publication.models import Publication, PublicationState, WithholdRequest, WithholdState

RESIDENT_FACTS = "居民张秀英（电话13812345678）反映，幸福路12号3栋502室楼下的路灯坏了两个月。"


@pytest.fixture
def closed(daytime, loop):
    return loop.drive.to("closed", facts=RESIDENT_FACTS)


def _codes(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), code__startswith="publication.").values_list(
            "code", flat=True
        )
    )


def test_publish_copies_masked_text_and_replies_and_is_audited(closed, loop):
    w = loop.w
    parts = review.draft(closed)
    facts = next(p for p in parts if p.key == "facts")
    assert {f.kind for f in facts.findings} >= {"name", "phone", "address"}
    publication = P.do_publish(closed, actor=w.clerk)
    assert publication.state == PublicationState.PUBLISHED
    assert "张秀英" not in publication.facts and "13812345678" not in publication.facts
    assert "张某某" in publication.facts and "138******78" in publication.facts
    assert publication.masked >= 3
    assert publication.deputies == "领衔代表"
    replies = list(publication.replies.all())
    assert [r.unit_id for r in replies] == [w.unit_a.pk]
    assert replies[0].satisfaction == "satisfied"
    event = AuditEvent.objects.get(code="publication.published")
    assert event.actor_id == w.clerk.pk and event.suggestion_id == closed.pk
    assert event.new["state"] == "published"


def test_publishing_again_keeps_the_first_time_and_replaces_the_copy(closed, loop, time_machine):
    first = P.do_publish(closed, actor=loop.w.clerk)
    time_machine.shift(3600)
    again = P.do_publish(closed, actor=loop.w.clerk, texts={"title": "修缮路灯的建议"})
    assert again.pk == first.pk and again.published_at == first.published_at
    assert again.title == "修缮路灯的建议" and again.replies.count() == 1
    assert AuditEvent.objects.filter(code="publication.published").count() == 2


def test_text_still_holding_personal_data_is_refused_unless_confirmed(closed, loop):
    with pytest.raises(FieldErrors) as caught:
        P.do_publish(closed, actor=loop.w.clerk, texts={"facts": RESIDENT_FACTS})
    assert caught.value.code == "unredacted"
    assert "张秀英" in caught.value.errors["facts"][0]
    assert not Publication.objects.exists()
    # a name the clerk confirms as public (e.g. a public figure the search flagged) passes
    text = "居民李大爷反映路灯问题。"
    with pytest.raises(FieldErrors):
        P.do_publish(closed, actor=loop.w.clerk, texts={"facts": text})
    publication = P.do_publish(closed, actor=loop.w.clerk, texts={"facts": text}, confirmed_public=["李大爷"])
    assert publication.facts == text and publication.confirmed_public == ["李大爷"]


def test_only_staff_decide(closed, loop):
    w = loop.w
    for actor in (w.deputy, w.handler_a, w.coordinator, w.viewer, w.supervisor, w.outsider, None):
        with pytest.raises(NotPermitted):
            P.do_publish(closed, actor=actor)
        with pytest.raises(NotPermitted):
            P.do_withhold(closed, actor=actor, reason="x")
    assert not Publication.objects.exists()


def test_not_before_the_policys_stage(daytime, loop):
    w = loop.w
    replied = loop.drive.to("replied")
    with pytest.raises(InvalidTransition) as caught:
        P.do_publish(replied, actor=w.clerk)
    assert caught.value.code == "not_publishable"
    Policy.objects.filter(congress=w.congress).update(publish_when=Policy.PublishWhen.REPLIED)
    assert P.do_publish(replied, actor=w.clerk).replies.get().satisfaction == ""
    assigned = loop.drive.to("assigned")
    Policy.objects.filter(congress=w.congress).update(publish_when=Policy.PublishWhen.REPLIED)
    with pytest.raises(InvalidTransition):
        P.do_publish(assigned, actor=w.clerk)


def test_publishable_lists_only_undecided_suggestions_at_the_stage(closed, loop):
    w = loop.w
    replied = loop.drive.to("replied")
    assert list(review.publishable(w.congress)) == [closed]
    P.do_withhold(closed, actor=w.clerk, reason="涉及个人事项")
    assert list(review.publishable(w.congress)) == []
    assert list(review.publishable(w.other_congress)) == []
    Policy.objects.filter(congress=w.congress).update(publish_when=Policy.PublishWhen.REPLIED)
    assert list(review.publishable(w.congress)) == [replied]


def test_withhold_and_retract_need_a_reason_and_are_audited(closed, loop):
    w = loop.w
    with pytest.raises(FieldErrors):
        P.do_withhold(closed, actor=w.clerk, reason="  ")
    with pytest.raises(InvalidTransition):
        P.do_retract(closed, actor=w.clerk, reason="撤回")
    publication = P.do_publish(closed, actor=w.clerk)
    with pytest.raises(FieldErrors):
        P.do_retract(closed, actor=w.clerk, reason="")
    retracted = P.do_retract(closed, actor=w.clerk, reason="答复内容需更正")
    assert retracted.pk == publication.pk and retracted.state == PublicationState.RETRACTED
    withheld = P.do_withhold(closed, actor=w.clerk, reason="涉及敏感事项")
    assert withheld.state == PublicationState.WITHHELD and withheld.reason == "涉及敏感事项"
    assert _codes(publication) == ["publication.published", "publication.retracted", "publication.withheld"]
    event = AuditEvent.objects.get(code="publication.withheld")
    assert event.note == "涉及敏感事项" and event.old == {"state": "retracted"}


def test_unit_requests_withholding_and_the_clerk_decides(closed, loop):
    w = loop.w
    with pytest.raises(NotPermitted):
        P.do_request_withhold(closed, actor=w.handler_b, ground="personal", reason="x")  # not its unit
    with pytest.raises(NotPermitted):
        P.do_request_withhold(closed, actor=w.deputy, ground="personal", reason="x")
    with pytest.raises(FieldErrors):
        P.do_request_withhold(closed, actor=w.handler_a, ground="nonsense", reason="x")
    with pytest.raises(FieldErrors):
        P.do_request_withhold(closed, actor=w.handler_a, ground="personal", reason=" ")
    request = P.do_request_withhold(closed, actor=w.handler_a, ground="personal", reason="涉及当事人家庭纠纷")
    assert request.unit == w.unit_a and request.state == WithholdState.PENDING
    with pytest.raises(InvalidTransition) as caught:
        P.do_request_withhold(closed, actor=w.leader_a, ground="other", reason="再申请")
    assert caught.value.code == "request_pending"
    # pending: the clerk cannot publish before deciding
    with pytest.raises(InvalidTransition) as caught:
        P.do_publish(closed, actor=w.clerk)
    assert caught.value.code == "withhold_pending"
    with pytest.raises(NotPermitted):
        P.do_decide_withhold_request(request, actor=w.handler_a, grant=True)
    with pytest.raises(FieldErrors):
        P.do_decide_withhold_request(request, actor=w.clerk, grant=False, note="")
    refused_request = P.do_decide_withhold_request(
        request, actor=w.clerk, grant=False, note="不涉及个人隐私，予以公开"
    )
    assert refused_request.state == WithholdState.REFUSED
    with pytest.raises(InvalidTransition):
        P.do_decide_withhold_request(request, actor=w.clerk, grant=True)
    assert P.do_publish(closed, actor=w.clerk).state == PublicationState.PUBLISHED
    # a second request after publication; granting it takes the suggestion off the site
    second = P.do_request_withhold(closed, actor=w.handler_a, ground="sensitive", reason="情况发生变化")
    P.do_decide_withhold_request(second, actor=w.clerk, grant=True)
    publication = Publication.objects.get(suggestion=closed)
    assert publication.state == PublicationState.WITHHELD and "情况发生变化" in publication.reason
    with pytest.raises(InvalidTransition):
        P.do_request_withhold(closed, actor=w.handler_a, ground="other", reason="again")
    codes = list(
        AuditEvent.objects.filter(suggestion=closed, code__startswith="publication.")
        .order_by("seq")
        .values_list("code", "unit_id")
    )
    assert codes == [
        ("publication.withhold_requested", w.unit_a.pk),
        ("publication.withhold_refused", w.unit_a.pk),
        ("publication.published", None),
        ("publication.withhold_requested", w.unit_a.pk),
        ("publication.withhold_granted", w.unit_a.pk),
        ("publication.withheld", None),
    ]


def test_clerk_withholding_grants_pending_requests(closed, loop):
    w = loop.w
    request = P.do_request_withhold(closed, actor=w.handler_a, ground="secret", reason="涉及工作秘密")
    P.do_withhold(closed, actor=w.clerk, reason="涉及工作秘密")
    request.refresh_from_db()
    assert request.state == WithholdState.GRANTED and request.decided_by == w.clerk


def test_batch_publishes_each_and_reports_the_refused(daytime, loop):
    w = loop.w
    a = loop.drive.to("closed", facts=RESIDENT_FACTS)
    b = loop.drive.to("closed")
    P.do_request_withhold(b, actor=w.handler_a, ground="other", reason="请暂缓公开")
    result = P.do_publish_batch([a, b.pk], actor=w.clerk)
    assert [p.suggestion_id for p in result.published] == [a.pk]
    assert [s.pk for s, _ in result.refused] == [b.pk]
    assert "审定" in result.refused[0][1]
    with pytest.raises(NotPermitted):
        P.do_publish_batch([b], actor=w.deputy)


def test_other_congress_staff_cannot_decide(closed, loop):
    with pytest.raises(NotPermitted):
        P.do_publish(closed, actor=loop.w.outsider)
    with pytest.raises(NotPermitted):
        P.do_request_withhold(closed, actor=loop.w.outsider, ground="other", reason="x")
    assert WithholdRequest.objects.count() == 0


def test_requests_and_decisions_reach_the_clerks_and_the_unit_as_notices(closed, loop):
    w = loop.w
    request = P.do_request_withhold(closed, actor=w.handler_a, ground="personal", reason="涉及当事人隐私")
    run_scan()
    to_clerk = Notice.objects.get(
        recipient=w.clerk, suggestion=closed, title__startswith="不予公开申请待审定"
    )
    assert "涉及当事人隐私" in to_clerk.body
    assert w.unit_a.name in to_clerk.body
    P.do_decide_withhold_request(request, actor=w.clerk, grant=False, note="不涉及隐私，予以公开")
    run_scan()
    to_unit = Notice.objects.get(recipient=w.handler_a, suggestion=closed, title__startswith="不予公开申请")
    assert to_unit.title.startswith("不予公开申请未获同意") and "不涉及隐私" in to_unit.body
    assert not Notice.objects.filter(recipient=w.handler_b, title__startswith="不予公开申请").exists()
