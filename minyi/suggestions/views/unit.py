"""The handling unit's steps: sign for receipt, ask to be relieved, log contacts, send a co-unit
opinion, draft the reply with its commitments and attachments, sign it off or send it back, ask for
more time, and report on commitments."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import actions as A
from ..forms import ContactForm, ExtensionRequestForm, ReasonForm, ReassignRequestForm, ReplyDraftForm
from ..letter import read_body
from ..models import AssignmentRole, Deadline, Reply
from ..states import AssignmentState
from ._common import Call, Step, add_attachments


def _reply_of(assignment) -> Reply | None:
    return Reply.objects.filter(assignment=assignment).select_related("result_class").first()


def _foot_initial(call: Call) -> dict:
    """The letter's foot for a first draft: the unit's last reply's contact and 抄送, else the
    drafting handler's own name and phone."""
    last = (
        Reply.objects.filter(assignment__unit_id=call.obj.unit_id)
        .exclude(contact_name="")
        .order_by("-drafted_at", "-id")
        .values("contact_name", "contact_phone", "cc")
        .first()
    )
    if last:
        return dict(last)
    return {"contact_name": call.user.display_name, "contact_phone": call.user.phone}


def _reply_form(call: Call, data, files):
    reply = _reply_of(call.obj)
    initial = None if data is not None else _foot_initial(call)
    commitments = None
    if reply is not None:
        initial = {
            "body": reply.body,
            "result_class": reply.result_class_id,
            "contact_name": reply.contact_name,
            "contact_phone": reply.contact_phone,
            "cc": reply.cc,
        }
        commitments = [{"text": c.text, "due_on": c.due_on} for c in reply.commitments.all()]
    return ReplyDraftForm(
        data, files, congress=call.congress, initial=initial, commitments_initial=commitments
    )


def _draft_reply(call: Call):
    form = call.form_as(ReplyDraftForm)
    reply = A.do_draft_reply(
        call.obj,
        actor=call.user,
        body=form.cleaned_data["body"],
        result_class=form.cleaned_data["result_class"],
        commitments=form.commitments(),
        contact_name=form.cleaned_data.get("contact_name") or "",
        contact_phone=form.cleaned_data.get("contact_phone") or "",
        cc=form.cleaned_data.get("cc") or "",
    )
    add_attachments(reply, form.cleaned_data.get("attachments") or [], actor=call.user)
    if form.duplicates:
        messages.warning(
            call.request,
            _(
                "答复内容以称呼或“收悉，现答复如下”开头：答复函不再重复加上称呼和开头语。"
                "请在签发前看一下答复函的预览。"
            ),
        )
    return reply


def _co_opinions(call: Call) -> list:
    a = call.obj
    if a.role != AssignmentRole.LEAD:
        return []
    return list(
        a.suggestion.assignments.filter(round=a.round, role=AssignmentRole.CO)
        .exclude(state=AssignmentState.CANCELLED)
        .select_related("unit")
    )


def _reply_context(call: Call) -> dict:
    a = call.obj
    reply = _reply_of(a)
    return {
        "reply": reply,
        "reply_duplicates": bool(reply and read_body(reply.body).duplicates),
        "reply_attachments": list(reply.attachments.all()) if reply else [],
        "co_assignments": _co_opinions(call),
        "contacts": list(a.contacts.all()),
    }


def _sign_off_context(call: Call) -> dict:
    context = _reply_context(call)
    reply = context["reply"]
    context["commitments"] = list(reply.commitments.all()) if reply else []
    return context


def _window_context(call: Call) -> dict:
    window = (
        Deadline.objects.filter(assignment=call.obj, kind=Deadline.Kind.REASSIGN_WINDOW)
        .order_by("-id")
        .first()
    )
    return {"window": window}


def _commitment_context(call: Call) -> dict:
    return {"commitment": call.obj, "progress": list(call.obj.progress_reports.select_related("reported_by"))}


STEPS = [
    Step(
        "sign",
        "assignment",
        lambda c: A.do_sign_assignment(c.obj, actor=c.user),
        confirm=gettext_lazy("确认签收这件建议吗？签收后开始办理。"),
        success=gettext_lazy("已签收。"),
    ),
    Step(
        "request_reassignment",
        "assignment",
        lambda c: A.do_request_reassignment(
            c.obj, actor=c.user, reason=c.data["reason"], suggested_unit=c.form_as(ReassignRequestForm).unit()
        ),
        form=lambda c, d, f: ReassignRequestForm(d, congress=c.congress),
        confirm=gettext_lazy("确定申请调整吗？审批前请继续做好办理准备。"),
        style="outline-warning",
        success=gettext_lazy("已提交调整申请，等待审批。"),
        context=_window_context,
        fields={"reason_required": "reason", "inactive": "suggested_unit"},
        help=gettext_lazy("认为不属于本单位职责的，可在交办后规定期限内申请调整，并说明理由。"),
    ),
    Step(
        "log_contact",
        "assignment",
        lambda c: A.do_log_contact(
            c.obj,
            actor=c.user,
            phase=c.data["phase"],
            method=c.data["method"],
            contacted_on=c.data["contacted_on"],
            people=c.data["people"],
            summary=c.data["summary"],
        ),
        form=lambda c, d, f: ContactForm(d, assigned_on=c.obj.assigned_on, others=c.obj.contacts.all()),
        confirm=gettext_lazy("联系记录登记后不能修改，代表会看到并确认。确定登记吗？"),
        style="outline-primary",
        success=gettext_lazy("已登记联系情况，等待代表确认。"),
        button=gettext_lazy("登记"),
        fields={
            "contacted_in_future": "contacted_on",
            "contacted_before_assignment": "contacted_on",
            "people_required": "people",
            "summary_required": "summary",
            "bad_phase": "phase",
            "bad_method": "method",
        },
        help=gettext_lazy("答复签发前须至少有一次办前或办中的联系记录。"),
    ),
    Step(
        "submit_opinion",
        "assignment",
        lambda c: A.do_submit_opinion(c.obj, actor=c.user, opinion=c.data["text"]),
        form=lambda c, d, f: ReasonForm(
            d, label=_("协办意见"), help_text=_("意见送主办单位，由主办单位统一答复代表。")
        ),
        confirm=gettext_lazy("协办意见提交后不能修改。确定提交吗？"),
        success=gettext_lazy("协办意见已送主办单位。"),
        fields={"opinion_required": "text"},
    ),
    Step(
        "draft_reply",
        "assignment",
        _draft_reply,
        form=_reply_form,
        confirm=None,
        label=gettext_lazy("起草答复"),
        success=gettext_lazy("答复已保存，等待单位负责人签发。"),
        button=gettext_lazy("保存答复稿，送负责人签发"),
        template="suggestions/step_reply.html",
        context=_reply_context,
        fields={
            "body_required": "body",
            "result_class_required": "result_class",
            "inactive": "result_class",
            "commitments_required": "result_class",
            "contact_name_too_long": "contact_name",
            "contact_phone_too_long": "contact_phone",
            "cc_too_long": "cc",
        },
    ),
    Step(
        "sign_off_reply",
        "assignment",
        lambda c: A.do_sign_off_reply(c.obj, actor=c.user, note=c.data.get("text") or ""),
        form=lambda c, d, f: ReasonForm(d, label=_("签发意见"), required=False),
        confirm=gettext_lazy("签发后答复函即送达代表，不能再修改。确定签发吗？"),
        success=gettext_lazy("答复已签发，代表将收到答复并测评。"),
        template="suggestions/step_sign_off.html",
        context=_sign_off_context,
    ),
    Step(
        "send_back_reply",
        "assignment",
        lambda c: A.do_send_back_reply(c.obj, actor=c.user, reason=c.data["text"]),
        form=lambda c, d, f: ReasonForm(d, label=_("退回理由")),
        confirm=gettext_lazy("确定把答复退回承办人修改吗？"),
        style="outline-danger",
        success=gettext_lazy("已退回承办人修改。"),
        template="suggestions/step_sign_off.html",
        context=_sign_off_context,
        fields={"reason_required": "text"},
    ),
    Step(
        "request_extension",
        "assignment",
        lambda c: A.do_request_extension(c.obj, actor=c.user, reason=c.data["reason"], until=c.data["until"]),
        form=lambda c, d, f: ExtensionRequestForm(d),
        confirm=gettext_lazy("确定申请延期吗？"),
        style="outline-secondary",
        success=gettext_lazy("已提交延期申请，等待代表工委审批。"),
        fields={
            "date_required": "until",
            "not_later": "until",
            "beyond_ceiling": "until",
            "reason_required": "reason",
        },
        help=gettext_lazy("须在答复期限届满前申请；延期后最长不超过法定时限。"),
    ),
    Step(
        "report_commitment_progress",
        "commitment",
        lambda c: A.do_report_commitment_progress(c.obj, actor=c.user, text=c.data["text"]),
        form=lambda c, d, f: ReasonForm(d, label=_("进展情况")),
        confirm=gettext_lazy("进展报告提交后不能修改。确定提交吗？"),
        style="outline-primary",
        success=gettext_lazy("已报告落实进展。"),
        context=_commitment_context,
        fields={"text_required": "text"},
    ),
    Step(
        "fulfil_commitment",
        "commitment",
        lambda c: A.do_fulfil_commitment(c.obj, actor=c.user, note=c.data["text"]),
        form=lambda c, d, f: ReasonForm(d, label=_("落实情况")),
        confirm=gettext_lazy("确认该承诺事项已落实吗？"),
        success=gettext_lazy("已确认承诺事项落实。"),
        context=_commitment_context,
        fields={"note_required": "text"},
    ),
    Step(
        "explain_commitment",
        "commitment",
        lambda c: A.do_explain_commitment(c.obj, actor=c.user, explanation=c.data["text"]),
        form=lambda c, d, f: ReasonForm(d, label=_("未落实的原因")),
        confirm=gettext_lazy("说明后该承诺事项记为“未落实已说明”。确定吗？"),
        style="outline-danger",
        success=gettext_lazy("已说明承诺事项未落实的原因。"),
        context=_commitment_context,
        fields={"explanation_required": "text"},
    ),
]
