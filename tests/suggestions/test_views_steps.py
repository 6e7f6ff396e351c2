"""Every action page, through the test client as the real persona: the happy path (the action runs,
a success message, back to the suggestion), a refusal (the page again with the reason as a message,
status 409 for a refused move or 422 for bad input, and nothing changed anywhere), and 404 for a
persona who may not take the action (on GET and POST alike, so pages and ids cannot be probed)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
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


def at(stage: str, record: Callable[[Any, Any], Any] = lambda loop, s: s, **options: Any) -> Callable:
    """A scene: a new suggestion driven to `stage` (with the `options` of `Driver.to`), and the record
    `record` picks from it (by default the suggestion itself)."""

    def scene(loop):
        s = loop.drive.to(stage, **options)
        return s, record(loop, s)

    return scene


def the_cosigner(loop, s):
    return s.cosigners.get()


def lead(loop, s):
    return loop.drive.answering(s)[0]


def co_unit(loop, s):
    return loop.drive.co(s)[0]


draft = at("draft")
cosigned_draft = at("draft", the_cosigner, cosign=True)
cosigned_submitted = at("submitted", the_cosigner, cosign=True)
submitted = at("submitted")
joint_submitted = at("submitted", cosign=True)
accepted = at("accepted")
forwarded = at("forwarded")
assigned_lead = at("assigned", lead)
signed_lead = at("signed", lead)
signed_co = at("signed", co_unit, co=True)
contacted = at("contacted", lambda loop, s: lead(loop, s).contacts.get())
contacted_lead = at("contacted", lead)
reply_drafted = at("reply_drafted", lead)
replied = at("replied", lambda loop, s: Reply.objects.get(assignment__suggestion=s))
evaluated = at("evaluated")
evaluated_unsatisfied = at("evaluated", overall="unsatisfied")
commitment = at(
    "replied", lambda loop, s: Commitment.objects.get(reply__assignment__suggestion=s), result="B"
)


def invited(loop):
    s = loop.drive.to("draft")
    return s, A.do_invite_cosigner(s, actor=loop.w.deputy, deputy=cosigner_deputy(loop))


def withdrawal_request(loop):
    s = loop.drive.to("submitted", cosign=True)
    return s, A.do_request_withdrawal(s, actor=loop.w.deputy, reason="情况已变化")


def reassign_requested(loop):
    s, a = signed_lead(loop)
    A.do_request_reassignment(a, actor=loop.w.handler_a, reason="不属于本单位职责")
    return s, a


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


def rehandled_unsatisfied(loop):
    s, _s = evaluated_unsatisfied(loop)
    A.do_order_rehandling(s, actor=loop.w.clerk, note="请重新研究")
    s.refresh_from_db()
    loop.drive.work(s, upto="replied")
    loop.drive.evaluate(s, overall="unsatisfied")
    s.refresh_from_db()
    return s, s


def other_accepted(loop):
    return loop.drive.to("accepted", title="关于增设公交站点的建议")


# --- the cases ------------------------------------------------------------------------------------


@dataclass
class Refusal:
    """How an action page refuses: the page again with `text` as the message and `status`. By default
    it is the same move made a second time; with `data` the second move sends that input instead; with
    `scene`, a move (as `actor`, with `data`) in another scene, where the action cannot be taken."""

    status: int
    text: str
    scene: Callable | None = None
    actor: str | None = None
    data: dict | Callable[[Any, Any, Any], dict] | None = None


@dataclass
class Case:
    """One action page. `scene` makes the suggestion and the record the page is about; `actor` posts
    `data` (a dict, or made from (loop, suggestion, record)) and `done` checks what it did; `stranger`
    is a member of the congress who may not take the action."""

    action: str
    scene: Callable
    actor: str
    _: KW_ONLY
    stranger: str
    done: Callable[[Any, Any, Any], bool]
    data: dict | Callable[[Any, Any, Any], dict] = field(default_factory=dict)
    refusal: Refusal

    def form(self, loop, s, obj, data: Any = None) -> dict:
        data = self.data if data is None else data
        return data(loop, s, obj) if callable(data) else dict(data)


def state_of(obj) -> str:
    obj.refresh_from_db()
    return obj.state


def record_is(state: str) -> Callable[[Any, Any, Any], bool]:
    """`done`: the record the page is about is now in `state`."""
    return lambda loop, s, obj: state_of(obj) == state


def suggestion_is(state: str) -> Callable[[Any, Any, Any], bool]:
    """`done`: the suggestion is now in `state`."""
    return lambda loop, s, obj: state_of(s) == state


def date_field(date: datetime.date, days: int = 0) -> str:
    """`date` + `days`, as a form field."""
    return (date + datetime.timedelta(days=days)).isoformat()


def day(days: int) -> str:
    """Today + `days`, as a form field."""
    return date_field(TODAY(), days)


def reply_form(result_class, body: str, *commitments: tuple[str, str]) -> dict:
    """The draft-reply form: the reply and one commitment row ("c-" formset) per (text, due on)."""
    data = {"result_class": result_class.pk, "body": body, "c-TOTAL_FORMS": str(len(commitments))}
    data["c-INITIAL_FORMS"] = "0"
    for i, (text, due_on) in enumerate(commitments):
        data |= {f"c-{i}-text": text, f"c-{i}-due_on": due_on}
    return data


CONTACT = {"phase": "before", "method": "phone", "people": "承办人、代表", "summary": "电话听取意见"}

# fmt: off
CASES = [
    Case("invite_cosigner", draft, "deputy", stranger="cosigner",
         done=lambda loop, s, o: s.cosigners.get().state == "invited",
         data=lambda loop, s, o: {"deputy": cosigner_deputy(loop).pk},
         refusal=Refusal(422, "该代表不能被邀请", scene=draft, data=lambda loop, s, o: {"deputy": s.lead_id})),
    Case("revoke_cosigner", cosigned_draft, "deputy", stranger="cosigner", done=record_is("revoked"),
         refusal=Refusal(409, "当前状态为“待审查”，不能撤销联名邀请", scene=cosigned_submitted)),
    Case("confirm_cosign", invited, "cosigner", stranger="deputy", done=record_is("confirmed"),
         refusal=Refusal(409, "当前状态为“已确认联名”，不能确认联名")),
    Case("decline_cosign", invited, "cosigner", stranger="deputy", done=record_is("declined"),
         refusal=Refusal(409, "不能谢绝联名", scene=cosigned_submitted)),
    Case("submit", draft, "deputy", stranger="liaison", done=suggestion_is("submitted"),
         refusal=Refusal(409, "当前状态为“待审查”，不能提交建议")),
    Case("withdraw", submitted, "deputy", stranger="clerk", done=suggestion_is("withdrawn"),
         data={"text": "问题已经解决"},
         refusal=Refusal(422, "撤回须经全体联名代表同意", scene=joint_submitted)),
    Case("request_withdrawal", joint_submitted, "deputy", stranger="cosigner",
         done=lambda loop, s, o: s.withdrawal_requests.get().state == "pending",
         data={"text": "情况已变化"},
         refusal=Refusal(422, "本建议没有联名代表，可以直接撤回", scene=submitted)),
    Case("agree_withdrawal", withdrawal_request, "cosigner", stranger="deputy", done=suggestion_is("withdrawn"),
         refusal=Refusal(409, "不能同意撤回")),
    Case("refuse_withdrawal", withdrawal_request, "cosigner", stranger="deputy",
         done=lambda loop, s, o: state_of(o) == "refused" and s.state == "submitted",
         data={"text": "问题仍然存在"},
         refusal=Refusal(409, "不能不同意撤回")),
    Case("accept", submitted, "clerk", stranger="deputy",
         done=lambda loop, s, o: state_of(s) == "accepted" and s.number.startswith("甲区〔"),
         refusal=Refusal(409, "当前状态为“已立案”，不能立案")),
    Case("return", submitted, "clerk", stranger="coordinator",
         done=lambda loop, s, o: state_of(s) == "returned" and s.return_reason == "请补充具体情况",
         data={"text": "请补充具体情况"},
         refusal=Refusal(409, "不能退回修改")),
    Case("decline", submitted, "clerk", stranger="deputy", done=suggestion_is("declined"),
         data=lambda loop, s, o: {"reason": loop.taxa.exclusion.pk, "disposition": "deputy_letter"},
         refusal=Refusal(409, "不能不予立案")),
    Case("merge", submitted, "clerk", stranger="deputy", done=suggestion_is("merged"),
         data=lambda loop, s, o: {"into": other_accepted(loop).pk},
         refusal=Refusal(422, "该建议不能作为主建议", scene=submitted, data=lambda loop, s, o: {"into": s.pk})),
    Case("forward", accepted, "clerk", stranger="coordinator", done=suggestion_is("forwarded"),
         data=lambda loop, s, o: {"body": loop.w.gov.pk},
         refusal=Refusal(422, "该建议已转交", scene=forwarded)),
    Case("assign", forwarded, "coordinator", stranger="handler_a",
         done=lambda loop, s, o: state_of(s) == "assigned" and s.assignments.count() == 2,
         data=lambda loop, s, o: {"mode": "lead", "lead_unit": loop.w.unit_a.pk, "co_units": [loop.w.unit_b.pk]},
         refusal=Refusal(422, "该建议已有主办单位，只能增加协办单位",
                         data=lambda loop, s, o: {"mode": "lead", "lead_unit": loop.w.unit_b.pk})),
    Case("sign", assigned_lead, "handler_a", stranger="handler_b", done=record_is("signed"),
         refusal=Refusal(409, "不能签收")),
    Case("request_reassignment", signed_lead, "handler_a", stranger="handler_b",
         done=record_is("reassign_requested"),
         data=lambda loop, s, o: {"reason": "不属于本单位职责", "suggested_unit": loop.w.unit_b.pk},
         refusal=Refusal(409, "不能申请调整")),
    Case("approve_reassignment", reassign_requested, "coordinator", stranger="handler_a",
         done=lambda loop, s, o: state_of(o) == "cancelled" and state_of(s) == "reassigning",
         refusal=Refusal(409, "不能同意调整")),
    Case("refuse_reassignment", reassign_requested, "clerk", stranger="handler_a", done=record_is("handling"),
         data={"text": "属于本单位职责"},
         refusal=Refusal(409, "不能不同意调整")),
    Case("log_contact", signed_lead, "handler_a", stranger="handler_b",
         done=lambda loop, s, o: o.contacts.count() == 1 and state_of(o) == "handling",
         data=lambda loop, s, o: {**CONTACT, "contacted_on": day(0)},
         refusal=Refusal(422, "联系日期不能晚于今天", scene=signed_lead,
                         data=lambda loop, s, o: {**CONTACT, "contacted_on": day(1),
                                                  "people": "承办人", "summary": "电话"})),
    Case("confirm_contact", contacted, "deputy", stranger="cosigner", done=record_is("confirmed"),
         refusal=Refusal(409, "不能确认联系情况")),
    Case("dispute_contact", contacted, "deputy", stranger="handler_a", done=record_is("disputed"),
         data={"text": "没有联系过我"},
         refusal=Refusal(409, "不能对联系情况提出异议")),
    Case("submit_opinion", signed_co, "handler_b", stranger="handler_a", done=record_is("opinion_submitted"),
         data={"text": "同意主办单位意见"},
         refusal=Refusal(409, "不能提交协办意见")),
    Case("draft_reply", contacted_lead, "handler_a", stranger="handler_b",
         done=lambda loop, s, o: state_of(o) == "reply_drafted" and o.reply.commitments.count() == 1,
         data=lambda loop, s, o: reply_form(loop.taxa.result_b, "经研究，答复如下",
                                            ("年内完成改造", day(60)), ("", "")),
         refusal=Refusal(422, "协办单位向主办单位提交协办意见，不单独答复", scene=signed_co, actor="handler_b",
                         data=lambda loop, s, o: reply_form(loop.taxa.result_a, "答复"))),
    Case("sign_off_reply", reply_drafted, "leader_a", stranger="handler_a",
         done=lambda loop, s, o: state_of(o) == "replied" and state_of(s) == "replied",
         refusal=Refusal(422, "答复签发前须有联系代表的记录", scene=drafted_without_contact)),
    Case("send_back_reply", reply_drafted, "leader_a", stranger="handler_a", done=record_is("handling"),
         data={"text": "请补充具体措施"},
         refusal=Refusal(409, "不能退回答复")),
    Case("request_extension", signed_lead, "handler_a", stranger="handler_b",
         done=lambda loop, s, o: o.extension_requests.get().state == "pending",
         data=lambda loop, s, o: {"reason": "需要会同多部门研究", "until": date_field(o.reply_due_on, 14)},
         refusal=Refusal(422, "延期后的答复日期不得晚于交办后", scene=signed_lead,
                         data=lambda loop, s, o: {"reason": "需要研究", "until": date_field(o.assigned_on, 400)})),
    Case("approve_extension", extension, "clerk", stranger="coordinator", done=record_is("approved"),
         refusal=Refusal(409, "不能批准延期")),
    Case("refuse_extension", extension, "clerk", stranger="handler_a", done=record_is("refused"),
         data={"text": "理由不充分"},
         refusal=Refusal(409, "不能不批准延期")),
    Case("evaluate", replied, "deputy", stranger="cosigner", done=suggestion_is("evaluated"),
         data={"attitude": "satisfied", "result": "basic", "overall": "basic", "contact_happened": "yes"},
         refusal=Refusal(409, "不能测评")),
    Case("order_rehandling", evaluated_unsatisfied, "clerk", stranger="deputy",
         done=lambda loop, s, o: state_of(s) == "assigned" and s.round == 2,
         data={"text": "请重新研究"},
         refusal=Refusal(422, "代表对答复满意或基本满意，无需重新办理", scene=evaluated)),
    Case("record_coordination_meeting", rehandled_unsatisfied, "clerk", stranger="coordinator",
         done=lambda loop, s, o: s.coordination_meetings.count() == 1,
         data=lambda loop, s, o: {"held_on": day(0), "participants": "代表工委、住建局、代表",
                                  "outcome": "明确分期实施"},
         refusal=Refusal(422, "无需召开协调会", scene=evaluated,
                         data=lambda loop, s, o: {"held_on": day(0), "participants": "代表工委",
                                                  "outcome": "无"})),
    Case("close", evaluated, "clerk", stranger="deputy", done=suggestion_is("closed"),
         refusal=Refusal(422, "须先登记协调会情况才能办结", scene=rehandled_unsatisfied,
                         data={"text": "已尽力"})),
    Case("report_commitment_progress", commitment, "handler_a", stranger="handler_b",
         done=lambda loop, s, o: o.progress_reports.count() == 1,
         data={"text": "已完成设计"},
         refusal=Refusal(422, "请填写进展情况", scene=commitment, data={"text": "   "})),
    Case("fulfil_commitment", commitment, "handler_a", stranger="deputy", done=record_is("fulfilled"),
         data={"text": "已完成改造"},
         refusal=Refusal(409, "不能确认承诺已落实")),
    Case("explain_commitment", commitment, "clerk", stranger="handler_b", done=record_is("explained"),
         data={"text": "资金未落实"},
         refusal=Refusal(409, "不能说明承诺未落实原因")),
]
# fmt: on

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
    response = client.post(url, case.form(loop, s, obj), follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response.redirect_chain, "no redirect after success"
    body = response.content.decode()
    assert "alert-success" in body
    s.refresh_from_db()
    assert case.done(loop, s, obj)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_refusal_shows_why_and_changes_nothing(client, loop, case):
    refusal = case.refusal
    if refusal.scene is None:  # the happy move first, then again (or with other input)
        s, obj = case.scene(loop)
        client.force_login(user(loop, case.actor))
        assert client.post(url_of(case.action, s, obj), case.form(loop, s, obj)).status_code == 302
    else:  # a move in another scene, where the action cannot be taken
        s, obj = refusal.scene(loop)
    url = url_of(case.action, s, obj)
    actor = refusal.actor or case.actor
    data = case.form(loop, s, obj, refusal.data)
    client.force_login(user(loop, actor))
    before = _fingerprint()
    response = client.post(url, data)
    assert response.status_code == refusal.status, response.content.decode()[:3000]
    body = response.content.decode()
    assert refusal.text in body
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
    data = case.form(loop, s, obj)
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
