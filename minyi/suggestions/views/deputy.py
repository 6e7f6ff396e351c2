"""The deputy's steps: co-signing, submitting, withdrawing, answering a logged contact and evaluating
a reply. (Drafting itself — create, edit, attachments — is in `drafting.py`.)"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.congress.actions import ensure_policy

from .. import actions as A
from ..forms import EvaluationForm, InviteCosignerForm, ReasonForm
from ..models import CoSigner
from ..states import CoSignerState, SuggestionState
from ._common import Call, Step, detail_url
from ._queries import missing_for_submit


def _worklist(call: Call, _result) -> str:
    return reverse("suggestions:worklist", args=[call.congress.code])


def _invite_form(call: Call, data, files):
    q = call.request.GET.get("q") or (data.get("q") if data else "") or ""
    return InviteCosignerForm(data, suggestion=call.suggestion, q=q)


def _submit_context(call: Call) -> dict:
    s = call.suggestion
    return {
        "missing": missing_for_submit(s),
        "pending_invitations": list(s.cosigners.filter(state=CoSignerState.INVITED).select_related("deputy")),
    }


def _withdraw_form(call: Call, data, files):
    draft = call.suggestion.state == SuggestionState.DRAFT
    return ReasonForm(
        data,
        label=_("撤回理由"),
        required=not draft,
        help_text=_("草稿可以不填；已提交的建议须写明理由。"),
    )


def _evaluate_form(call: Call, data, files):
    return EvaluationForm(data, policy=ensure_policy(call.congress))


def _evaluate(call: Call):
    d = call.data
    return A.do_evaluate_reply(
        call.obj,
        actor=call.user,
        attitude=d["attitude"],
        result=d["result"],
        overall=d["overall"],
        contact_happened=d["contact_happened"] == "yes",
        opinion=d.get("opinion") or "",
    )


def _evaluate_context(call: Call) -> dict:
    reply = call.obj
    return {
        "reply": reply,
        "commitments": list(reply.commitments.all()),
        "contacts": list(reply.assignment.contacts.all()),
    }


def _cosigner_name(result: CoSigner) -> str:
    return _("已邀请%(d)s联名，等待其确认。") % {"d": result.deputy.name}


STEPS = [
    Step(
        "invite_cosigner",
        "suggestion",
        lambda c: A.do_invite_cosigner(c.suggestion, actor=c.user, deputy=c.data["deputy"]),
        form=_invite_form,
        confirm=None,
        success=_cosigner_name,
        button=gettext_lazy("发出邀请"),
        template="suggestions/step_invite.html",
        context=lambda c: {
            "choices": c.form_as(InviteCosignerForm).shown_choices(),
            "q": c.form_as(InviteCosignerForm).q,
        },
        next=lambda c, r: detail_url(c.request, c.suggestion, "cosigners"),
        fields={
            "lead_cannot_cosign": "deputy",
            "not_in_office": "deputy",
            "deputy_without_account": "deputy",
            "wrong_congress": "deputy",
        },
        help=gettext_lazy("被邀请的代表登录后在“待办”中确认或谢绝。提交建议时仍未答复的邀请自动失效。"),
    ),
    Step(
        "revoke_cosigner",
        "cosigner",
        lambda c: A.do_revoke_cosigner(c.obj, actor=c.user),
        perm_on_suggestion=True,
        confirm=gettext_lazy("确定撤销这位代表的联名吗？"),
        style="outline-danger",
        next=lambda c, r: detail_url(c.request, c.suggestion, "cosigners"),
    ),
    Step(
        "confirm_cosign",
        "cosigner",
        lambda c: A.do_confirm_cosign(c.obj, actor=c.user),
        confirm=gettext_lazy("确认作为联名代表附议这件建议吗？"),
        success=gettext_lazy("已确认联名。"),
    ),
    Step(
        "decline_cosign",
        "cosigner",
        lambda c: A.do_decline_cosign(c.obj, actor=c.user),
        confirm=gettext_lazy("确定谢绝联名吗？谢绝后您将不再看到这件建议。"),
        style="outline-danger",
        success=gettext_lazy("已谢绝联名。"),
        next=_worklist,
    ),
    Step(
        "submit",
        "suggestion",
        lambda c: A.do_submit_suggestion(c.suggestion, actor=c.user),
        confirm=gettext_lazy("提交后建议进入审查，不能再修改；尚未答复的联名邀请将失效。确定提交吗？"),
        success=gettext_lazy("已提交，等待代表工委审查。"),
        context=_submit_context,
        help=gettext_lazy("提交前请再检查一遍内容和联名代表。"),
    ),
    Step(
        "withdraw",
        "suggestion",
        lambda c: A.do_withdraw_suggestion(c.suggestion, actor=c.user, reason=c.data.get("text") or ""),
        form=_withdraw_form,
        confirm=gettext_lazy("撤回后这件建议不再办理，也不能恢复。确定撤回吗？"),
        style="outline-danger",
        success=gettext_lazy("建议已撤回。"),
        fields={"reason_required": "text"},
    ),
    Step(
        "request_withdrawal",
        "suggestion",
        lambda c: A.do_request_withdrawal(c.suggestion, actor=c.user, reason=c.data["text"]),
        form=lambda c, d, f: ReasonForm(d, label=_("撤回理由")),
        confirm=gettext_lazy("将请全体联名代表同意撤回。确定发起撤回申请吗？"),
        style="outline-danger",
        success=gettext_lazy("已发起撤回申请，全体联名代表同意后建议即撤回。"),
        help=gettext_lazy("这是联名建议：须经全体联名代表同意才能撤回，任何一位不同意，申请即结束。"),
        fields={"reason_required": "text"},
    ),
    Step(
        "agree_withdrawal",
        "withdrawal",
        lambda c: A.do_answer_withdrawal(c.obj, actor=c.user, agree=True, note=c.data.get("text") or ""),
        context=lambda c: {"withdrawal": c.obj},
        form=lambda c, d, f: ReasonForm(d, label=_("说明"), required=False),
        confirm=gettext_lazy("确定同意撤回这件联名建议吗？"),
        success=gettext_lazy("您已同意撤回。"),
    ),
    Step(
        "refuse_withdrawal",
        "withdrawal",
        lambda c: A.do_answer_withdrawal(c.obj, actor=c.user, agree=False, note=c.data.get("text") or ""),
        context=lambda c: {"withdrawal": c.obj},
        form=lambda c, d, f: ReasonForm(d, label=_("不同意的理由"), required=False),
        confirm=gettext_lazy("不同意后撤回申请即结束，建议继续办理。确定吗？"),
        style="outline-danger",
        success=gettext_lazy("您不同意撤回，建议继续办理。"),
    ),
    Step(
        "confirm_contact",
        "contact",
        lambda c: A.do_confirm_contact(c.obj, actor=c.user, note=c.data.get("text") or ""),
        context=lambda c: {"contact": c.obj},
        form=lambda c, d, f: ReasonForm(d, label=_("补充说明"), required=False),
        confirm=gettext_lazy("确认承办单位确实这样联系过您吗？"),
        success=gettext_lazy("已确认联系情况。"),
    ),
    Step(
        "dispute_contact",
        "contact",
        lambda c: A.do_dispute_contact(c.obj, actor=c.user, note=c.data["text"]),
        context=lambda c: {"contact": c.obj},
        form=lambda c, d, f: ReasonForm(
            d, label=_("异议"), help_text=_("例如：没有联系过我，或联系的情况与记录不符。")
        ),
        confirm=gettext_lazy("确定对这条联系记录提出异议吗？"),
        style="outline-danger",
        success=gettext_lazy("已提出异议，代表工委和承办单位会看到。"),
        fields={"reason_required": "text"},
    ),
    Step(
        "evaluate",
        "reply",
        _evaluate,
        form=_evaluate_form,
        perm_on_suggestion=True,
        confirm=gettext_lazy("测评提交后不能修改。确定提交吗？"),
        success=gettext_lazy("测评已提交，谢谢！"),
        button=gettext_lazy("提交测评"),
        template="suggestions/step_evaluate.html",
        context=_evaluate_context,
        fields={
            "opinion_required": "opinion",
            "contact_answer_required": "contact_happened",
            "rating_required": "overall",
        },
    ),
]
