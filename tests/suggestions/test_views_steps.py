"""Every action page, through the test client as the real persona: the happy path (the action runs,
a success message, back to the suggestion), a refusal (the page again with the reason as a message,
status 409 for a refused move or 422 for bad input, and nothing changed anywhere), and 404 for a
persona who may not take the action (on GET and POST alike, so pages and ids cannot be probed)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Commitment, CoSigner, Reply
from minyi.suggestions.views.registry import STEPS

from .conftest import _fingerprint

TODAY = timezone.localdate


def url_of(action: str, suggestion, obj) -> str:
    return STEPS[action].url("alpha", suggestion, obj)


def user(loop, name: str):
    return loop.leader_b if name == "leader_b" else getattr(loop.w, name)


def cosigner_deputy(loop):
    return loop.w.cosigner.deputy_records.get()


# --- scenes: a suggestion at the right point, and the record the action is about ---------------------


def draft(loop):
    s = loop.drive.to("draft")
    return s, s


def invited(loop):
    s = loop.drive.to("draft")
    return s, A.do_invite_cosigner(s, actor=loop.w.deputy, deputy=cosigner_deputy(loop))


def cosigned_draft(loop):
    s = loop.drive.to("draft", cosign=True)
    return s, s.cosigners.get()


def cosigned_submitted(loop):
    s = loop.drive.to("submitted", cosign=True)
    return s, s.cosigners.get()


def submitted(loop):
    s = loop.drive.to("submitted")
    return s, s


def joint_submitted(loop):
    s = loop.drive.to("submitted", cosign=True)
    return s, s


def withdrawal_request(loop):
    s = loop.drive.to("submitted", cosign=True)
    return s, A.do_request_withdrawal(s, actor=loop.w.deputy, reason="情况已变化")


def accepted(loop):
    s = loop.drive.to("accepted")
    return s, s


def forwarded(loop):
    s = loop.drive.to("forwarded")
    return s, s


def assigned_lead(loop):
    s = loop.drive.to("assigned")
    return s, loop.drive.answering(s)[0]


def signed_lead(loop):
    s = loop.drive.to("signed")
    return s, loop.drive.answering(s)[0]


def signed_co(loop):
    s = loop.drive.to("signed", co=True)
    return s, loop.drive.co(s)[0]


def reassign_requested(loop):
    s, a = signed_lead(loop)
    A.do_request_reassignment(a, actor=loop.w.handler_a, reason="不属于本单位职责")
    return s, a


def contacted(loop):
    s = loop.drive.to("contacted")
    return s, loop.drive.answering(s)[0].contacts.get()


def contacted_lead(loop):
    s = loop.drive.to("contacted")
    return s, loop.drive.answering(s)[0]


def reply_drafted(loop):
    s = loop.drive.to("reply_drafted")
    return s, loop.drive.answering(s)[0]


def drafted_without_contact(loop):
    s, a = signed_lead(loop)
    loop.drive.draft_reply(a)
    return s, a


def extension(loop):
    s, a = signed_lead(loop)
    a.refresh_from_db()
    request = A.do_request_extension(
        a,
        actor=loop.w.handler_a,
        reason="需要会同多部门研究",
        until=a.reply_due_on + datetime.timedelta(days=14),
    )
    return s, request


def replied(loop):
    s = loop.drive.to("replied")
    return s, Reply.objects.get(assignment__suggestion=s)


def evaluated(loop, overall="satisfied"):
    s = loop.drive.to("evaluated", overall=overall)
    return s, s


def evaluated_unsatisfied(loop):
    return evaluated(loop, "unsatisfied")


def rehandled_unsatisfied(loop):
    s, _s = evaluated_unsatisfied(loop)
    A.do_order_rehandling(s, actor=loop.w.clerk, note="请重新研究")
    s.refresh_from_db()
    loop.drive.work(s, upto="replied")
    loop.drive.evaluate(s, overall="unsatisfied")
    s.refresh_from_db()
    return s, s


def commitment(loop):
    s = loop.drive.to("replied", result="B")
    return s, Commitment.objects.get(reply__assignment__suggestion=s)


def other_accepted(loop):
    return loop.drive.to("accepted", title="关于增设公交站点的建议")


# --- the cases ------------------------------------------------------------------------------------


@dataclass
class Case:
    action: str
    scene: Callable
    actor: str
    data: Callable[[Any, Any, Any], dict] = lambda loop, s, obj: {}
    done: Callable[[Any, Any, Any], bool] = lambda loop, s, obj: True
    stranger: str = "viewer"
    #: (scene, actor, data, status, message) of a refusal; None → repeat the happy POST
    refusal: tuple | None = None
    refusal_status: int = 409
    refusal_text: str = ""


def state_of(obj) -> str:
    obj.refresh_from_db()
    return obj.state


CASES = [
    Case(
        "invite_cosigner",
        draft,
        "deputy",
        data=lambda loop, s, o: {"deputy": cosigner_deputy(loop).pk},
        done=lambda loop, s, o: s.cosigners.get().state == "invited",
        stranger="cosigner",
        refusal=(draft, "deputy", lambda loop, s, o: {"deputy": s.lead_id}),
        refusal_status=422,
        refusal_text="该代表不能被邀请",
    ),
    Case(
        "revoke_cosigner",
        cosigned_draft,
        "deputy",
        done=lambda loop, s, o: state_of(o) == "revoked",
        stranger="cosigner",
        refusal=(cosigned_submitted, "deputy", None),
        refusal_text="当前状态为“待审查”，不能撤销联名邀请",
    ),
    Case(
        "confirm_cosign",
        invited,
        "cosigner",
        done=lambda loop, s, o: state_of(o) == "confirmed",
        stranger="deputy",
        refusal_text="当前状态为“已确认联名”，不能确认联名",
    ),
    Case(
        "decline_cosign",
        invited,
        "cosigner",
        done=lambda loop, s, o: state_of(o) == "declined",
        stranger="deputy",
        refusal=(cosigned_submitted, "cosigner", None),
        refusal_text="不能谢绝联名",
    ),
    Case(
        "submit",
        draft,
        "deputy",
        done=lambda loop, s, o: state_of(s) == "submitted",
        stranger="liaison",
        refusal_text="当前状态为“待审查”，不能提交建议",
    ),
    Case(
        "withdraw",
        submitted,
        "deputy",
        data=lambda loop, s, o: {"text": "问题已经解决"},
        done=lambda loop, s, o: state_of(s) == "withdrawn",
        stranger="clerk",
        refusal=(joint_submitted, "deputy", lambda loop, s, o: {"text": "问题已经解决"}),
        refusal_status=422,
        refusal_text="撤回须经全体联名代表同意",
    ),
    Case(
        "request_withdrawal",
        joint_submitted,
        "deputy",
        data=lambda loop, s, o: {"text": "情况已变化"},
        done=lambda loop, s, o: s.withdrawal_requests.get().state == "pending",
        stranger="cosigner",
        refusal=(submitted, "deputy", lambda loop, s, o: {"text": "情况已变化"}),
        refusal_status=422,
        refusal_text="本建议没有联名代表，可以直接撤回",
    ),
    Case(
        "agree_withdrawal",
        withdrawal_request,
        "cosigner",
        done=lambda loop, s, o: state_of(s) == "withdrawn",
        stranger="deputy",
        refusal_text="不能同意撤回",
    ),
    Case(
        "refuse_withdrawal",
        withdrawal_request,
        "cosigner",
        data=lambda loop, s, o: {"text": "问题仍然存在"},
        done=lambda loop, s, o: state_of(o) == "refused" and s.state == "submitted",
        stranger="deputy",
        refusal_text="不能不同意撤回",
    ),
    Case(
        "accept",
        submitted,
        "clerk",
        done=lambda loop, s, o: state_of(s) == "accepted" and s.number.startswith("甲区〔"),
        stranger="deputy",
        refusal_text="当前状态为“已立案”，不能立案",
    ),
    Case(
        "return",
        submitted,
        "clerk",
        data=lambda loop, s, o: {"text": "请补充具体情况"},
        done=lambda loop, s, o: state_of(s) == "returned" and s.return_reason == "请补充具体情况",
        stranger="coordinator",
        refusal_text="不能退回修改",
    ),
    Case(
        "decline",
        submitted,
        "clerk",
        data=lambda loop, s, o: {"reason": loop.taxa.exclusion.pk, "disposition": "deputy_letter"},
        done=lambda loop, s, o: state_of(s) == "declined",
        stranger="deputy",
        refusal_text="不能不予立案",
    ),
    Case(
        "merge",
        submitted,
        "clerk",
        data=lambda loop, s, o: {"into": other_accepted(loop).pk},
        done=lambda loop, s, o: state_of(s) == "merged",
        stranger="deputy",
        refusal=(submitted, "clerk", lambda loop, s, o: {"into": s.pk}),
        refusal_status=422,
        refusal_text="该建议不能作为主建议",
    ),
    Case(
        "forward",
        accepted,
        "clerk",
        data=lambda loop, s, o: {"body": loop.w.gov.pk},
        done=lambda loop, s, o: state_of(s) == "forwarded",
        stranger="coordinator",
        refusal=(forwarded, "clerk", lambda loop, s, o: {"body": loop.w.gov.pk}),
        refusal_status=422,
        refusal_text="该建议已转交",
    ),
    Case(
        "assign",
        forwarded,
        "coordinator",
        data=lambda loop, s, o: {
            "mode": "lead",
            "lead_unit": loop.w.unit_a.pk,
            "co_units": [loop.w.unit_b.pk],
        },
        done=lambda loop, s, o: state_of(s) == "assigned" and s.assignments.count() == 2,
        stranger="handler_a",
        refusal=(None, "coordinator", lambda loop, s, o: {"mode": "lead", "lead_unit": loop.w.unit_b.pk}),
        refusal_status=422,
        refusal_text="该建议已有主办单位，只能增加协办单位",
    ),
    Case(
        "sign",
        assigned_lead,
        "handler_a",
        done=lambda loop, s, o: state_of(o) == "signed",
        stranger="handler_b",
        refusal_text="不能签收",
    ),
    Case(
        "request_reassignment",
        signed_lead,
        "handler_a",
        data=lambda loop, s, o: {"reason": "不属于本单位职责", "suggested_unit": loop.w.unit_b.pk},
        done=lambda loop, s, o: state_of(o) == "reassign_requested",
        stranger="handler_b",
        refusal_text="不能申请调整",
    ),
    Case(
        "approve_reassignment",
        reassign_requested,
        "coordinator",
        done=lambda loop, s, o: state_of(o) == "cancelled" and state_of(s) == "reassigning",
        stranger="handler_a",
        refusal_text="不能同意调整",
    ),
    Case(
        "refuse_reassignment",
        reassign_requested,
        "clerk",
        data=lambda loop, s, o: {"text": "属于本单位职责"},
        done=lambda loop, s, o: state_of(o) == "handling",
        stranger="handler_a",
        refusal_text="不能不同意调整",
    ),
    Case(
        "log_contact",
        signed_lead,
        "handler_a",
        data=lambda loop, s, o: {
            "phase": "before",
            "method": "phone",
            "contacted_on": TODAY().isoformat(),
            "people": "承办人、代表",
            "summary": "电话听取意见",
        },
        done=lambda loop, s, o: o.contacts.count() == 1 and state_of(o) == "handling",
        stranger="handler_b",
        refusal=(
            signed_lead,
            "handler_a",
            lambda loop, s, o: {
                "phase": "before",
                "method": "phone",
                "contacted_on": (TODAY() + datetime.timedelta(days=1)).isoformat(),
                "people": "承办人",
                "summary": "电话",
            },
        ),
        refusal_status=422,
        refusal_text="联系日期不能晚于今天",
    ),
    Case(
        "confirm_contact",
        contacted,
        "deputy",
        done=lambda loop, s, o: state_of(o) == "confirmed",
        stranger="cosigner",
        refusal_text="不能确认联系情况",
    ),
    Case(
        "dispute_contact",
        contacted,
        "deputy",
        data=lambda loop, s, o: {"text": "没有联系过我"},
        done=lambda loop, s, o: state_of(o) == "disputed",
        stranger="handler_a",
        refusal_text="不能对联系情况提出异议",
    ),
    Case(
        "submit_opinion",
        signed_co,
        "handler_b",
        data=lambda loop, s, o: {"text": "同意主办单位意见"},
        done=lambda loop, s, o: state_of(o) == "opinion_submitted",
        stranger="handler_a",
        refusal_text="不能提交协办意见",
    ),
    Case(
        "draft_reply",
        contacted_lead,
        "handler_a",
        data=lambda loop, s, o: {
            "result_class": loop.taxa.result_b.pk,
            "body": "经研究，答复如下",
            "c-TOTAL_FORMS": "2",
            "c-INITIAL_FORMS": "0",
            "c-0-text": "年内完成改造",
            "c-0-due_on": (TODAY() + datetime.timedelta(days=60)).isoformat(),
            "c-1-text": "",
            "c-1-due_on": "",
        },
        done=lambda loop, s, o: state_of(o) == "reply_drafted" and o.reply.commitments.count() == 1,
        stranger="handler_b",
        refusal=(
            signed_co,
            "handler_b",
            lambda loop, s, o: {
                "result_class": loop.taxa.result_a.pk,
                "body": "答复",
                "c-TOTAL_FORMS": "0",
                "c-INITIAL_FORMS": "0",
            },
        ),
        refusal_status=422,
        refusal_text="协办单位向主办单位提交协办意见，不单独答复",
    ),
    Case(
        "sign_off_reply",
        reply_drafted,
        "leader_a",
        done=lambda loop, s, o: state_of(o) == "replied" and state_of(s) == "replied",
        stranger="handler_a",
        refusal=(drafted_without_contact, "leader_a", None),
        refusal_status=422,
        refusal_text="答复签发前须有联系代表的记录",
    ),
    Case(
        "send_back_reply",
        reply_drafted,
        "leader_a",
        data=lambda loop, s, o: {"text": "请补充具体措施"},
        done=lambda loop, s, o: state_of(o) == "handling",
        stranger="handler_a",
        refusal_text="不能退回答复",
    ),
    Case(
        "request_extension",
        signed_lead,
        "handler_a",
        data=lambda loop, s, o: {
            "reason": "需要会同多部门研究",
            "until": (o.reply_due_on + datetime.timedelta(days=14)).isoformat(),
        },
        done=lambda loop, s, o: o.extension_requests.get().state == "pending",
        stranger="handler_b",
        refusal=(
            signed_lead,
            "handler_a",
            lambda loop, s, o: {
                "reason": "需要研究",
                "until": (o.assigned_on + datetime.timedelta(days=400)).isoformat(),
            },
        ),
        refusal_status=422,
        refusal_text="延期后的答复日期不得晚于交办后",
    ),
    Case(
        "approve_extension",
        extension,
        "clerk",
        done=lambda loop, s, o: state_of(o) == "approved",
        stranger="coordinator",
        refusal_text="不能批准延期",
    ),
    Case(
        "refuse_extension",
        extension,
        "clerk",
        data=lambda loop, s, o: {"text": "理由不充分"},
        done=lambda loop, s, o: state_of(o) == "refused",
        stranger="handler_a",
        refusal_text="不能不批准延期",
    ),
    Case(
        "evaluate",
        replied,
        "deputy",
        data=lambda loop, s, o: {
            "attitude": "satisfied",
            "result": "basic",
            "overall": "basic",
            "contact_happened": "yes",
        },
        done=lambda loop, s, o: state_of(s) == "evaluated",
        stranger="cosigner",
        refusal_text="不能测评",
    ),
    Case(
        "order_rehandling",
        evaluated_unsatisfied,
        "clerk",
        data=lambda loop, s, o: {"text": "请重新研究"},
        done=lambda loop, s, o: state_of(s) == "assigned" and s.round == 2,
        stranger="deputy",
        refusal=(evaluated, "clerk", lambda loop, s, o: {"text": "请重新研究"}),
        refusal_status=422,
        refusal_text="代表对答复满意或基本满意，无需重新办理",
    ),
    Case(
        "record_coordination_meeting",
        rehandled_unsatisfied,
        "clerk",
        data=lambda loop, s, o: {
            "held_on": TODAY().isoformat(),
            "participants": "代表工委、住建局、代表",
            "outcome": "明确分期实施",
        },
        done=lambda loop, s, o: s.coordination_meetings.count() == 1,
        stranger="coordinator",
        refusal=(
            evaluated,
            "clerk",
            lambda loop, s, o: {
                "held_on": TODAY().isoformat(),
                "participants": "代表工委",
                "outcome": "无",
            },
        ),
        refusal_status=422,
        refusal_text="无需召开协调会",
    ),
    Case(
        "close",
        evaluated,
        "clerk",
        done=lambda loop, s, o: state_of(s) == "closed",
        stranger="deputy",
        refusal=(rehandled_unsatisfied, "clerk", lambda loop, s, o: {"text": "已尽力"}),
        refusal_status=422,
        refusal_text="须先登记协调会情况才能办结",
    ),
    Case(
        "report_commitment_progress",
        commitment,
        "handler_a",
        data=lambda loop, s, o: {"text": "已完成设计"},
        done=lambda loop, s, o: o.progress_reports.count() == 1,
        stranger="handler_b",
        refusal=(commitment, "handler_a", lambda loop, s, o: {"text": "   "}),
        refusal_status=422,
        refusal_text="请填写进展情况",
    ),
    Case(
        "fulfil_commitment",
        commitment,
        "handler_a",
        data=lambda loop, s, o: {"text": "已完成改造"},
        done=lambda loop, s, o: state_of(o) == "fulfilled",
        stranger="deputy",
        refusal_text="不能确认承诺已落实",
    ),
    Case(
        "explain_commitment",
        commitment,
        "clerk",
        data=lambda loop, s, o: {"text": "资金未落实"},
        done=lambda loop, s, o: state_of(o) == "explained",
        stranger="handler_b",
        refusal_text="不能说明承诺未落实原因",
    ),
]

IDS = [c.action for c in CASES]


def test_every_step_has_a_case():
    assert {c.action for c in CASES} | {"remove_attachment"} == set(STEPS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_happy_path(client, loop, case):
    s, obj = case.scene(loop)
    url = url_of(case.action, s, obj)
    client.force_login(user(loop, case.actor))
    page = client.get(url)
    assert page.status_code == 200
    assert STEPS[case.action].title in page.content.decode()
    response = client.post(url, case.data(loop, s, obj), follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response.redirect_chain, "no redirect after success"
    body = response.content.decode()
    assert "alert-success" in body
    s.refresh_from_db()
    assert case.done(loop, s, obj)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_refusal_shows_why_and_changes_nothing(client, loop, case):
    if case.refusal is None:  # the same move again, once it has been made
        s, obj = case.scene(loop)
        url = url_of(case.action, s, obj)
        client.force_login(user(loop, case.actor))
        assert client.post(url, case.data(loop, s, obj)).status_code == 302
        actor, data = case.actor, case.data(loop, s, obj)
    else:
        scene, actor, make_data = case.refusal
        s, obj = scene(loop) if scene else case.scene(loop)
        if scene is None:  # the happy move first, then the refused one
            client.force_login(user(loop, actor))
            assert client.post(url_of(case.action, s, obj), case.data(loop, s, obj)).status_code == 302
        data = (make_data or case.data)(loop, s, obj)
        url = url_of(case.action, s, obj)
    client.force_login(user(loop, actor))
    before = _fingerprint()
    response = client.post(url, data)
    assert response.status_code == case.refusal_status, response.content.decode()[:3000]
    body = response.content.decode()
    assert case.refusal_text in body
    assert "alert-danger" in body
    assert _fingerprint() == before
    # what was typed is still there
    for value in data.values():
        if isinstance(value, str) and value.strip() and not value.isdigit() and "-" not in value:
            assert value in body, value


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_other_personas_get_404(client, loop, case):
    s, obj = case.scene(loop)
    url = url_of(case.action, s, obj)
    data = case.data(loop, s, obj)
    before = _fingerprint()
    for name in (case.stranger, "outsider", "judge"):
        client.force_login(user(loop, name))
        assert client.get(url).status_code == 404, name
        assert client.post(url, data).status_code == 404, name
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    assert _fingerprint() == before


def test_records_of_another_suggestion_give_404(client, loop):
    """Changing the suggestion id in a record's address does not reach the record."""
    s, cosigner = invited(loop)
    other = loop.drive.to("draft", title="另一件建议")
    client.force_login(loop.w.cosigner)
    url = STEPS["confirm_cosign"].url("alpha", other, cosigner)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert state_of(cosigner) == "invited"
    # nor does an id that does not exist, or the same suggestion under another congress's address
    assert client.get(STEPS["confirm_cosign"].url("alpha", s, CoSigner(pk=999999))).status_code == 404
    assert client.get(url_of("confirm_cosign", s, cosigner).replace("/alpha/", "/beta/")).status_code == 404


def test_a_form_error_keeps_the_input_and_says_what_is_wrong(client, loop):
    s, a = signed_lead(loop)
    client.force_login(loop.w.handler_a)
    before = _fingerprint()
    response = client.post(
        url_of("log_contact", s, a),
        {"phase": "", "method": "visit", "contacted_on": "", "people": "王科长", "summary": ""},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "请选择联系阶段（办前、办中或办后）。" in body
    assert 'value="王科长"' in body and body.count("invalid-feedback d-block") >= 3
    assert "请按提示修改后再提交" in body
    assert _fingerprint() == before


def test_one_click_steps_confirm_before_acting(client, loop):
    s, a = assigned_lead(loop)
    client.force_login(loop.w.handler_a)
    page = client.get(url_of("sign", s, a)).content.decode()
    assert 'data-confirm="确认签收这件建议吗？签收后开始办理。"' in page
    assert state_of(a) == "assigned"  # a GET changes nothing


def test_assign_in_split_mode(client, loop):
    s, _ = forwarded(loop)
    client.force_login(loop.w.coordinator)
    response = client.post(
        url_of("assign", s, s),
        {
            "mode": "split",
            "split_units": [loop.w.unit_a.pk, loop.w.unit_b.pk],
            "co_units": [loop.w.unit_a.pk],
        },
    )
    assert response.status_code == 302
    assert set(s.assignments.values_list("role", flat=True)) == {"split"}


def test_coordinator_may_only_pick_units_of_their_body(client, loop):
    from tests.factories import BodyFactory, UnitFactory

    court = BodyFactory(congress=loop.w.congress, body_code="court", name="甲区人民法院")
    chamber = UnitFactory(congress=loop.w.congress, parent=court, name="甲区法院民一庭")
    s, _ = forwarded(loop)
    client.force_login(loop.w.coordinator)
    page = client.get(url_of("assign", s, s)).content.decode()
    assert loop.w.unit_a.name in page and chamber.name not in page
    response = client.post(url_of("assign", s, s), {"mode": "lead", "lead_unit": chamber.pk})
    assert response.status_code == 422
    assert Assignment.objects.filter(suggestion=s).count() == 0


def test_evaluate_requires_an_opinion_for_unsatisfied(client, loop):
    s, reply = replied(loop)
    client.force_login(loop.w.deputy)
    data = {
        "attitude": "unsatisfied",
        "result": "unsatisfied",
        "overall": "unsatisfied",
        "contact_happened": "no",
    }
    response = client.post(url_of("evaluate", s, reply), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "评价为“不满意”时，请填写意见和建议" in body
    assert re.search(r'name="overall" value="unsatisfied"[^>]*checked', body)
    assert state_of(s) == "replied"


def test_withdrawal_buttons_follow_the_co_signers(client, loop):
    """A suggestion without confirmed co-signers is withdrawn at once; a joint one by request."""
    alone = loop.drive.to("submitted")
    joint = loop.drive.to("submitted", cosign=True, title="联名的建议")
    client.force_login(loop.w.deputy)
    page = client.get(f"/c/alpha/suggestions/{alone.pk}/").content.decode()
    assert 'data-action="withdraw"' in page and 'data-action="request_withdrawal"' not in page
    page = client.get(f"/c/alpha/suggestions/{joint.pk}/").content.decode()
    assert 'data-action="request_withdrawal"' in page and 'data-action="withdraw"' not in page


def test_decline_cosign_leads_back_to_the_worklist(client, loop):
    s, c = invited(loop)
    client.force_login(loop.w.cosigner)
    response = client.post(url_of("decline_cosign", s, c))
    assert response.status_code == 302 and response["Location"].endswith("/suggestions/todo/")
    assert client.get(f"/c/alpha/suggestions/{s.pk}/").status_code == 404
