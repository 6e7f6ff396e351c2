"""The congress staff's and coordinators' steps: review (accept, return, decline, merge), forward and
assign, decide on re-assignment and extension requests, and after evaluation order re-handling,
record a coordination meeting or close."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import actions as A
from ..forms import (
    ApproveExtensionForm,
    AssignForm,
    CoordinationForm,
    DeclineForm,
    ForwardForm,
    MergeForm,
    ReasonForm,
)
from ..models import Evaluation, Rating, ReassignRequest, Suggestion
from ..rules import coordinator_bodies, is_staff
from ..states import AssignmentState
from ._common import Call, Step


def _merge_form(call: Call, data, files):
    return MergeForm(data, suggestion=call.suggestion, q=call.request.GET.get("q") or "")


def _assign_form(call: Call, data, files):
    staff = is_staff(call.user, call.suggestion)
    bodies = None if staff else coordinator_bodies(call.user, call.congress)
    return AssignForm(data, congress=call.congress, bodies=bodies)


def _assign(call: Call):
    form = call.form_as(AssignForm)
    split = form.cleaned_data["mode"] == "split"
    return A.do_assign_units(
        call.suggestion,
        actor=call.user,
        lead_units=form.chosen_lead_units(),
        co_units=form.chosen_co_units(),
        split=split,
        note=form.cleaned_data.get("note") or "",
    )


def _assign_context(call: Call) -> dict:
    s = call.suggestion
    current = list(
        s.assignments.filter(round=s.round).exclude(state=AssignmentState.CANCELLED).select_related("unit")
    )
    return {"current_assignments": current, "suggested_units": list(s.suggested_units.all())}


def _assigned(result) -> str:
    return _("已交办：%(u)s。") % {"u": "、".join(f"{a.unit}（{a.get_role_display()}）" for a in result)}


def _accepted(result: Suggestion) -> str:
    return _("已立案，编号为 %(n)s。") % {"n": result.number}


def _reassign_context(call: Call) -> dict:
    request = call.obj.reassign_requests.filter(status=ReassignRequest.Status.PENDING).select_related(
        "suggested_unit", "requested_by"
    )
    return {"reassign_request": request.first()}


def _unsatisfied_now(s: Suggestion) -> bool:
    return Evaluation.objects.filter(
        suggestion=s, round=s.round, kind=Evaluation.Kind.RATED, overall=Rating.UNSATISFIED
    ).exists()


def _evaluations_context(call: Call) -> dict:
    s = call.suggestion
    evaluations = list(
        Evaluation.objects.filter(suggestion=s)
        .select_related("reply__assignment__unit")
        .order_by("round", "id")
    )
    meetings = list(s.coordination_meetings.order_by("round"))
    return {"evaluations": evaluations, "meetings": meetings, "unsatisfied": _unsatisfied_now(s)}


def _close_form(call: Call, data, files):
    required = _unsatisfied_now(call.suggestion)
    return ReasonForm(
        data,
        label=_("办结说明"),
        required=required,
        help_text=_("代表不满意的建议须写明办结说明。") if required else _("可不填。"),
    )


def _extension_context(call: Call) -> dict:
    return {"extension": call.obj, "assignment": call.obj.assignment}


STEPS = [
    Step(
        "accept",
        "suggestion",
        lambda c: A.do_accept_suggestion(c.suggestion, actor=c.user, note=c.data.get("text") or ""),
        form=lambda c, d, f: ReasonForm(d, label=_("立案说明"), required=False),
        confirm=gettext_lazy("立案后将给予建议编号，并开始计算交办时限。确定立案吗？"),
        success=_accepted,
    ),
    Step(
        "return",
        "suggestion",
        lambda c: A.do_return_suggestion(c.suggestion, actor=c.user, reason=c.data["text"]),
        form=lambda c, d, f: ReasonForm(
            d, label=_("退回修改的理由"), help_text=_("代表会看到这些理由，修改后重新提交。")
        ),
        confirm=gettext_lazy("确定把建议退回代表修改吗？"),
        style="outline-warning",
        success=gettext_lazy("已退回代表修改。"),
        fields={"reason_required": "text"},
    ),
    Step(
        "decline",
        "suggestion",
        lambda c: A.do_decline_suggestion(
            c.suggestion,
            actor=c.user,
            reason=c.data["reason"],
            disposition=c.data["disposition"],
            note=c.data.get("note") or "",
        ),
        form=lambda c, d, f: DeclineForm(d, congress=c.congress),
        confirm=gettext_lazy("不予立案后不能恢复。确定不予立案吗？"),
        style="outline-danger",
        success=gettext_lazy("已不予立案。"),
        fields={"reason_required": "reason", "inactive": "reason", "bad_disposition": "disposition"},
    ),
    Step(
        "merge",
        "suggestion",
        lambda c: A.do_merge_suggestion(
            c.suggestion, actor=c.user, into=c.data["into"], note=c.data.get("note") or ""
        ),
        form=_merge_form,
        confirm=gettext_lazy("并案后这件建议随主建议一并办理、答复，不能撤销。确定并案吗？"),
        style="outline-secondary",
        template="suggestions/step_merge.html",
        context=lambda c: {"choices": c.form_as(MergeForm).shown_choices(), "q": c.form_as(MergeForm).q},
        success=gettext_lazy("已并案。"),
        fields={
            "bad_main": "into",
            "main_required": "into",
            "merge_into_itself": "into",
            "wrong_congress": "into",
        },
        help=gettext_lazy("只能并入已立案、尚未答复的建议。每位代表仍会收到答复。"),
    ),
    Step(
        "forward",
        "suggestion",
        lambda c: A.do_forward_suggestion(
            c.suggestion, actor=c.user, body=c.data["body"], note=c.data.get("note") or ""
        ),
        form=lambda c, d, f: ForwardForm(d, congress=c.congress),
        confirm=gettext_lazy("确定转交该机关的协调员交办吗？"),
        success=gettext_lazy("已转交协调员。"),
        fields={"not_a_body": "body", "already_forwarded": "body", "inactive": "body"},
        help=gettext_lazy("转交后由该机关的交办协调员确定承办单位；也可以直接交办。"),
    ),
    Step(
        "assign",
        "suggestion",
        _assign,
        form=_assign_form,
        confirm=gettext_lazy("交办后承办单位的答复期限开始计算。确定交办吗？"),
        success=_assigned,
        template="suggestions/step_assign.html",
        context=_assign_context,
        fields={
            "one_lead": "lead_unit",
            "lead_exists": "lead_unit",
            "split_needs_units": "split_units",
            "split_without_co": "co_units",
            "nothing_to_assign": "co_units",
        },
    ),
    Step(
        "approve_reassignment",
        "assignment",
        lambda c: A.do_approve_reassignment(c.obj, actor=c.user, note=c.data.get("text") or ""),
        form=lambda c, d, f: ReasonForm(d, label=_("审批意见"), required=False),
        confirm=gettext_lazy("同意后该单位不再承办；主办（分办）单位被调整的，须另行交办。确定同意吗？"),
        success=gettext_lazy("已同意调整。"),
        context=_reassign_context,
    ),
    Step(
        "refuse_reassignment",
        "assignment",
        lambda c: A.do_refuse_reassignment(c.obj, actor=c.user, note=c.data["text"]),
        form=lambda c, d, f: ReasonForm(d, label=_("不同意调整的理由")),
        confirm=gettext_lazy("确定不同意调整吗？该单位须继续办理。"),
        style="outline-danger",
        success=gettext_lazy("已不同意调整，该单位继续办理。"),
        context=_reassign_context,
        fields={"reason_required": "text"},
    ),
    Step(
        "approve_extension",
        "extension",
        lambda c: A.do_approve_extension(
            c.obj, actor=c.user, until=c.data.get("until"), note=c.data.get("note") or ""
        ),
        form=lambda c, d, f: ApproveExtensionForm(d),
        confirm=gettext_lazy("确定批准延期吗？"),
        success=gettext_lazy("已批准延期。"),
        context=_extension_context,
        fields={"not_later": "until", "beyond_ceiling": "until", "date_required": "until"},
    ),
    Step(
        "refuse_extension",
        "extension",
        lambda c: A.do_refuse_extension(c.obj, actor=c.user, note=c.data["text"]),
        form=lambda c, d, f: ReasonForm(d, label=_("不批准的理由")),
        confirm=gettext_lazy("确定不批准延期吗？答复期限不变。"),
        style="outline-danger",
        success=gettext_lazy("已不批准延期。"),
        context=_extension_context,
        fields={"reason_required": "text"},
    ),
    Step(
        "order_rehandling",
        "suggestion",
        lambda c: A.do_order_rehandling(c.suggestion, actor=c.user, note=c.data["text"]),
        form=lambda c, d, f: ReasonForm(
            d,
            label=_("重新办理的要求"),
            help_text=_("原承办单位将按原承办方式重新办理，并在规定期限内重新答复。"),
        ),
        confirm=gettext_lazy("确定要求原承办单位重新办理吗？"),
        success=gettext_lazy("已要求重新办理，原承办单位须重新答复。"),
        context=_evaluations_context,
        fields={"note_required": "text"},
    ),
    Step(
        "record_coordination_meeting",
        "suggestion",
        lambda c: A.do_record_coordination_meeting(
            c.suggestion,
            actor=c.user,
            held_on=c.data["held_on"],
            participants=c.data["participants"],
            outcome=c.data["outcome"],
        ),
        form=lambda c, d, f: CoordinationForm(d),
        confirm=gettext_lazy("协调会情况登记后不能修改。确定登记吗？"),
        style="outline-primary",
        success=gettext_lazy("已登记协调会情况。"),
        context=_evaluations_context,
        fields={
            "held_in_future": "held_on",
            "participants_required": "participants",
            "outcome_required": "outcome",
        },
    ),
    Step(
        "close",
        "suggestion",
        lambda c: A.do_close_suggestion(c.suggestion, actor=c.user, explanation=c.data.get("text") or ""),
        form=_close_form,
        confirm=gettext_lazy("办结后不能恢复办理（承诺事项仍继续跟踪落实）。确定办结吗？"),
        success=gettext_lazy("建议已办结。"),
        context=_evaluations_context,
        fields={"explanation_required": "text"},
    ),
]
