"""办理: what a handling unit does with its assignment — sign for receipt, ask to be relieved,
log contacts with the deputy, send co-unit opinions, draft the reply, have it signed off, ask for
more time.

Decisions (see docs/WORKFLOW.md):

- A unit signs for receipt first; re-assignment (申请调整) can be requested after signing, within
  `policy.reassign_window_days` working days after 交办, in the first round only. Later requests are
  refused with `DeadlinePassed`.
- A lead unit's reply cannot be signed off while a co-unit of the same round has neither sent its
  opinion nor been relieved, and — when `policy.contact_required` — without a logged contact of
  phase 办前 or 办中 that the deputy has not disputed.
- Extensions are asked for before the current reply date passes; the new date may not be later
  than `policy.reply_max_months` after 交办 (the statutory ceiling).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minyi.congress.models import ResultClass, Unit
from minyi.core.errors import DeadlinePassed, InvalidTransition, ValidationFailed

from ..models import (
    Assignment,
    AssignmentRole,
    Commitment,
    Contact,
    ContactMethod,
    ContactPhase,
    Deadline,
    ExtensionRequest,
    ReassignRequest,
    Reply,
)
from ..states import INITIAL, AssignmentState, ContactState, ExtensionState, SuggestionState, Transition
from ._common import (
    Ctx,
    active_item,
    apply,
    authorize,
    check_move,
    close_deadlines,
    ctx_for,
    date_text,
    lock_assignment,
    lock_suggestion,
    open_deadline,
    open_deadlines,
    record_move,
    require_move,
    required_text,
)

#: Deadlines that end when a unit's part is finished (replied, opinion sent, relieved).
UNIT_DEADLINES = (
    Deadline.Kind.REASSIGN_WINDOW,
    Deadline.Kind.FIRST_CONTACT,
    Deadline.Kind.CO_OPINION,
    Deadline.Kind.REPLY,
    Deadline.Kind.REPLY_STATUTORY,
    Deadline.Kind.REHANDLE_REPLY,
)
REPLY_DEADLINES = (Deadline.Kind.REPLY, Deadline.Kind.REPLY_STATUTORY, Deadline.Kind.REHANDLE_REPLY)


def _unit_denied() -> str:
    return _("只有该承办单位的工作人员可以办理此交办件。")


def _move(
    ctx: Ctx,
    assignment: Assignment,
    transition: Transition,
    code: str,
    *,
    extra: Sequence[str] = (),
    new: dict[str, Any] | None = None,
    note: str = "",
    obj: Any = None,
) -> None:
    """Put the assignment in the transition's target state, save it (with the `extra` fields the
    caller changed) and write the audit row."""
    source = assignment.state
    fields = apply(assignment, transition, ctx)
    assignment.save(update_fields=[*fields, *extra])
    record_move(
        ctx,
        code,
        transition,
        source,
        suggestion=assignment.suggestion,
        assignment=assignment,
        obj=obj,
        new=new,
        note=note,
    )


def _require_answering(assignment: Assignment) -> None:
    if not assignment.answers:
        raise ValidationFailed(
            _("协办单位向主办单位提交协办意见，不单独答复。"), code="co_unit_does_not_reply"
        )


# --- receipt and re-assignment -----------------------------------------------------------------------


@transaction.atomic
def do_sign_assignment(assignment: Assignment, *, actor: Any) -> Assignment:
    """签收: the unit acknowledges receipt."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "sign", assignment, _("只有该承办单位的工作人员可以签收。"))
    transition = check_move(ctx, "assignment", assignment.state, "sign")
    assignment.signed_by, assignment.signed_at = actor, ctx.now
    _move(ctx, assignment, transition, "assignment.signed", extra=["signed_by", "signed_at"])
    return assignment


def reassign_window_end(ctx: Ctx, assignment: Assignment) -> datetime.date:
    """The last day on which the unit may ask to be relieved (as stored when it was assigned)."""
    deadline = (
        Deadline.objects.filter(assignment=assignment, kind=Deadline.Kind.REASSIGN_WINDOW)
        .order_by("-id")
        .first()
    )
    if deadline is not None:
        return deadline.due_on
    return ctx.calendar.add_working_days(assignment.assigned_on, ctx.policy.reassign_window_days)


@transaction.atomic
def do_request_reassignment(
    assignment: Assignment, *, actor: Any, reason: str, suggested_unit: Unit | None = None
) -> ReassignRequest:
    """申请调整: the unit says the suggestion is not its business, within the window after 交办."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "request_reassignment", assignment, _("只有该承办单位的工作人员可以申请调整。"))
    transition = check_move(ctx, "assignment", assignment.state, "request_reassignment")
    opened = check_move(ctx, "reassign_request", INITIAL, "request_reassignment")
    if assignment.round > 1:
        raise ValidationFailed(_("重新办理阶段不能申请调整。"), code="rehandling_round")
    last_day = reassign_window_end(ctx, assignment)
    if ctx.today > last_day:
        raise DeadlinePassed(
            _("申请调整须在交办后%(n)s个工作日内（%(d)s前）提出，现已超过期限。")
            % {"n": ctx.policy.reassign_window_days, "d": date_text(last_day)}
        )
    reason = required_text(reason, _("请写明申请调整的理由。"), code="reason_required")
    if suggested_unit is not None:
        active_item(ctx, suggested_unit, _("建议改由的单位"))
    request = ReassignRequest.objects.create(
        assignment=assignment,
        status=opened.target,
        reason=reason,
        suggested_unit=suggested_unit,
        requested_by=actor,
        requested_at=ctx.now,
    )
    _move(
        ctx,
        assignment,
        transition,
        "assignment.reassignment_requested",
        new={"suggested_unit": suggested_unit.pk if suggested_unit else None},
        note=reason,
        obj=request,
    )
    close_deadlines(ctx, open_deadlines(suggestion, Deadline.Kind.REASSIGN_WINDOW, assignment=assignment))
    return request


def _pending_reassign_request(assignment: Assignment) -> ReassignRequest:
    request = (
        assignment.reassign_requests.select_for_update().filter(status=ReassignRequest.Status.PENDING).first()
    )
    if request is None:  # pragma: no cover - the state machine and the request row move together
        raise InvalidTransition(_("没有待审批的调整申请。"))
    return request


@transaction.atomic
def do_approve_reassignment(assignment: Assignment, *, actor: Any, note: str = "") -> Assignment:
    """Relieve the unit: its assignment is cancelled. If it was a lead or split unit, the suggestion
    goes back to the dispatcher (`reassigning`) to assign a replacement."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(
        ctx,
        "approve_reassignment",
        assignment,
        _("只有代表工委工作人员或该单位所属机关的协调员可以审批调整申请。"),
    )
    transition = check_move(ctx, "assignment", assignment.state, "approve_reassignment")
    request = _pending_reassign_request(assignment)
    decided = check_move(ctx, "reassign_request", request.status, "approve_reassignment")
    note = (note or "").strip()
    apply(request, decided, ctx)
    request.decided_by, request.decided_at, request.decision_note = actor, ctx.now, note
    request.save()
    assignment.cancelled_at = ctx.now
    _move(
        ctx,
        assignment,
        transition,
        "assignment.reassignment_approved",
        extra=["cancelled_at"],
        note=note,
        obj=request,
    )
    close_deadlines(
        ctx, open_deadlines(suggestion, assignment=assignment), reason=Deadline.CloseReason.CANCELLED
    )
    if assignment.answers and suggestion.state == SuggestionState.ASSIGNED:
        source = suggestion.state
        back = check_move(ctx, "suggestion", source, "approve_reassignment")
        fields = apply(suggestion, back, ctx)
        suggestion.save(update_fields=[*fields, "updated_at"])
        record_move(
            ctx,
            "suggestion.reassigning",
            back,
            source,
            suggestion=suggestion,
            new={"relieved": assignment.unit_id},
        )
        days = ctx.policy.assign_days
        open_deadline(
            ctx,
            suggestion=suggestion,
            kind=Deadline.Kind.ASSIGN,
            started_on=ctx.today,
            due_on=ctx.calendar.add_working_days(ctx.today, days),
            rule=_("同意调整后%(n)s个工作日内重新交办") % {"n": days},
        )
    return assignment


@transaction.atomic
def do_refuse_reassignment(assignment: Assignment, *, actor: Any, note: str) -> Assignment:
    """Refuse the request: the unit keeps the suggestion and handles it."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(
        ctx,
        "refuse_reassignment",
        assignment,
        _("只有代表工委工作人员或该单位所属机关的协调员可以审批调整申请。"),
    )
    transition = check_move(ctx, "assignment", assignment.state, "refuse_reassignment")
    note = required_text(note, _("请写明不同意调整的理由。"), code="reason_required")
    request = _pending_reassign_request(assignment)
    apply(request, check_move(ctx, "reassign_request", request.status, "refuse_reassignment"), ctx)
    request.decided_by, request.decided_at, request.decision_note = actor, ctx.now, note
    request.save()
    _move(ctx, assignment, transition, "assignment.reassignment_refused", note=note, obj=request)
    return assignment


# --- contacts ------------------------------------------------------------------------------------


@transaction.atomic
def do_log_contact(
    assignment: Assignment,
    *,
    actor: Any,
    phase: str,
    method: str,
    contacted_on: datetime.date,
    people: str,
    summary: str,
) -> Contact:
    """联系记录: the unit logs a contact with the deputy (before, during or after handling). The first
    one of a lead or split unit meets the first-contact deadline (judged on `contacted_on`)."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "log_contact", assignment, _("只有该承办单位的工作人员可以登记联系代表情况。"))
    transition = check_move(ctx, "assignment", assignment.state, "log_contact")
    contact_move = check_move(ctx, "contact", INITIAL, "log_contact")
    if phase not in ContactPhase.values:
        raise ValidationFailed(_("请选择联系阶段（办前、办中或办后）。"), code="bad_phase")
    if method not in ContactMethod.values:
        raise ValidationFailed(_("请选择联系方式。"), code="bad_method")
    if contacted_on is None or contacted_on > ctx.today:
        raise ValidationFailed(_("联系日期不能晚于今天。"), code="contacted_in_future")
    if contacted_on < assignment.assigned_on:
        raise ValidationFailed(
            _("联系日期不能早于交办日期（%(d)s）。") % {"d": date_text(assignment.assigned_on)},
            code="contacted_before_assignment",
        )
    people = required_text(people, _("请填写参加人员。"), code="people_required")
    summary = required_text(summary, _("请填写联系情况摘要。"), code="summary_required")
    contact = Contact(
        assignment=assignment,
        phase=phase,
        method=method,
        contacted_on=contacted_on,
        people=people[:500],
        summary=summary,
        logged_by=actor,
        logged_at=ctx.now,
    )
    apply(contact, contact_move, ctx)
    contact.save()
    _move(
        ctx,
        assignment,
        transition,
        "contact.logged",
        obj=contact,
        new={"phase": phase, "method": method, "contacted_on": contacted_on},
    )
    close_deadlines(
        ctx, open_deadlines(suggestion, Deadline.Kind.FIRST_CONTACT, assignment=assignment), on=contacted_on
    )
    return contact


def _answer_contact(contact: Contact, *, actor: Any, action: str, code: str, note: str) -> Contact:
    suggestion = lock_suggestion(contact.assignment.suggestion_id)
    contact = (
        Contact.objects.select_for_update(of=("self",)).select_related("assignment__unit").get(pk=contact.pk)
    )
    contact.assignment.suggestion = suggestion
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, action, contact, _("只有领衔代表本人可以确认联系情况。"))
    source = contact.state
    transition = check_move(ctx, "contact", source, action)
    contact.deputy_note = note
    contact.answered_by, contact.answered_at = actor, ctx.now
    apply(contact, transition, ctx)
    contact.save()
    record_move(
        ctx,
        code,
        transition,
        source,
        suggestion=suggestion,
        assignment=contact.assignment,
        obj=contact,
        note=note,
    )
    return contact


@transaction.atomic
def do_confirm_contact(contact: Contact, *, actor: Any, note: str = "") -> Contact:
    """The lead deputy confirms that the logged contact happened as described."""
    return _answer_contact(
        contact, actor=actor, action="confirm_contact", code="contact.confirmed", note=(note or "").strip()
    )


@transaction.atomic
def do_dispute_contact(contact: Contact, *, actor: Any, note: str) -> Contact:
    """The lead deputy disputes the logged contact (it did not happen, or not like that)."""
    note = required_text(note, _("请说明对联系情况的异议。"), code="reason_required")
    return _answer_contact(contact, actor=actor, action="dispute_contact", code="contact.disputed", note=note)


# --- co-unit opinion ---------------------------------------------------------------------------------


@transaction.atomic
def do_submit_opinion(assignment: Assignment, *, actor: Any, opinion: str) -> Assignment:
    """A co-unit (协办) sends its opinion to the lead unit."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "submit_opinion", assignment, _("只有该协办单位的工作人员可以提交协办意见。"))
    transition = check_move(ctx, "assignment", assignment.state, "submit_opinion")
    if assignment.answers:
        raise ValidationFailed(_("主办（分办）单位应起草答复，不提交协办意见。"), code="not_a_co_unit")
    assignment.opinion = required_text(opinion, _("请填写协办意见。"), code="opinion_required")
    assignment.opinion_submitted_at = ctx.now
    _move(
        ctx, assignment, transition, "assignment.opinion_submitted", extra=["opinion", "opinion_submitted_at"]
    )
    close_deadlines(ctx, open_deadlines(suggestion, Deadline.Kind.CO_OPINION, assignment=assignment))
    close_deadlines(
        ctx,
        open_deadlines(suggestion, *UNIT_DEADLINES, assignment=assignment),
        reason=Deadline.CloseReason.CANCELLED,
    )
    return assignment


# --- reply ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    """One commitment (承诺事项) of a reply: what will be done, and by when."""

    text: str
    due_on: datetime.date


def _check_commitments(
    ctx: Ctx, result_class: ResultClass, commitments: Sequence[CommitmentInput]
) -> list[CommitmentInput]:
    cleaned = []
    for item in commitments:
        text = required_text(item.text, _("请填写承诺事项的内容。"), code="commitment_text_required")
        if item.due_on is None:
            raise ValidationFailed(_("请填写承诺事项的完成时间。"), code="commitment_due_required")
        if item.due_on < ctx.today:
            raise ValidationFailed(_("承诺完成时间不能早于今天。"), code="commitment_due_past")
        cleaned.append(CommitmentInput(text=text, due_on=item.due_on))
    if result_class.requires_commitments and not cleaned:
        raise ValidationFailed(
            _("答复类别为“%(c)s”，须写明承诺事项及完成时间。") % {"c": result_class},
            code="commitments_required",
        )
    return cleaned


@transaction.atomic
def do_draft_reply(
    assignment: Assignment,
    *,
    actor: Any,
    body: str,
    result_class: ResultClass,
    commitments: Sequence[CommitmentInput] = (),
    contact_name: str = "",
    contact_phone: str = "",
    cc: str = "",
) -> Reply:
    """答复函: the handler writes (or rewrites) the reply of a lead or split unit and puts it before
    the unit leader. Commitments are required when the result class requires them; rewriting
    replaces them. The contact person, phone and 抄送 line are printed at the letter's foot."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "draft_reply", assignment, _("只有该承办单位的工作人员可以起草答复。"))
    transition = check_move(ctx, "assignment", assignment.state, "draft_reply")
    _require_answering(assignment)
    body = required_text(body, _("请填写答复内容。"), code="body_required")
    if result_class is None:
        raise ValidationFailed(_("请选择答复类别。"), code="result_class_required")
    active_item(ctx, result_class, _("答复类别"))
    cleaned = _check_commitments(ctx, result_class, commitments)
    reply = Reply.objects.filter(assignment=assignment).first()
    if reply is None:
        reply = Reply(assignment=assignment)
    reply.body, reply.result_class, reply.drafted_by, reply.drafted_at = body, result_class, actor, ctx.now
    reply.contact_name = _optional(contact_name, 40, _("联系人姓名太长。"), "contact_name_too_long")
    reply.contact_phone = _optional(contact_phone, 40, _("联系电话太长。"), "contact_phone_too_long")
    reply.cc = _optional(cc, 200, _("抄送单位太长。"), "cc_too_long").rstrip("。.；;")
    reply.save()
    reply.commitments.all().delete()
    Commitment.objects.bulk_create(Commitment(reply=reply, text=c.text, due_on=c.due_on) for c in cleaned)
    _move(
        ctx,
        assignment,
        transition,
        "reply.drafted",
        obj=reply,
        new={
            "result_class": result_class.code,
            "commitments": [{"text": c.text, "due_on": c.due_on} for c in cleaned],
        },
    )
    return reply


def _optional(value: str | None, limit: int, message: str, code: str) -> str:
    """An optional one-line field of the letter: stripped, blank allowed, refused when too long."""
    text = " ".join((value or "").split())
    if len(text) > limit:
        raise ValidationFailed(message, code=code)
    return text


def _leader_denied() -> str:
    return _("只有该承办单位的负责人可以签发或退回答复。")


@transaction.atomic
def do_send_back_reply(assignment: Assignment, *, actor: Any, reason: str) -> Assignment:
    """The unit leader sends the draft back to the handler with a reason."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "send_back_reply", assignment, _leader_denied())
    transition = check_move(ctx, "assignment", assignment.state, "send_back_reply")
    reason = required_text(reason, _("请写明退回答复的理由。"), code="reason_required")
    reply = assignment.reply
    reply.sent_back_reason = reason
    reply.save(update_fields=["sent_back_reason"])
    _move(ctx, assignment, transition, "reply.sent_back", obj=reply, note=reason)
    return assignment


def _check_contact(ctx: Ctx, assignment: Assignment) -> None:
    if not ctx.policy.contact_required:
        return
    logged = (
        assignment.contacts.filter(phase__in=[ContactPhase.BEFORE, ContactPhase.DURING])
        .exclude(state=ContactState.DISPUTED)
        .exists()
    )
    if not logged:
        raise ValidationFailed(
            _("答复签发前须有联系代表的记录（办前或办中，且代表未提出异议），请先登记联系情况。"),
            code="contact_missing",
        )


def _check_co_opinions(assignment: Assignment) -> None:
    if assignment.role != AssignmentRole.LEAD:
        return
    pending = (
        Assignment.objects.filter(
            suggestion=assignment.suggestion, round=assignment.round, role=AssignmentRole.CO
        )
        .exclude(state__in=[AssignmentState.OPINION_SUBMITTED, AssignmentState.CANCELLED])
        .select_related("unit")
    )
    names = "、".join(str(a.unit) for a in pending)
    if names:
        raise ValidationFailed(
            _("协办单位尚未提交协办意见：%(u)s。") % {"u": names}, code="co_opinions_pending"
        )


@transaction.atomic
def do_sign_off_reply(assignment: Assignment, *, actor: Any, note: str = "") -> Reply:
    """签发: the unit leader signs the reply off and it goes to the deputy. When it is the last reply
    of the round, the suggestion is replied and the evaluation deadline starts. Commitments go on the
    ledger with their own deadlines."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "sign_off_reply", assignment, _leader_denied())
    transition = check_move(ctx, "assignment", assignment.state, "sign_off_reply")
    reply = (
        Reply.objects.select_for_update(of=("self",))
        .select_related("result_class")
        .get(assignment=assignment)
    )
    _check_contact(ctx, assignment)
    _check_co_opinions(assignment)
    commitments = list(reply.commitments.all())
    if reply.result_class.requires_commitments and not commitments:
        raise ValidationFailed(
            _("答复类别为“%(c)s”，须写明承诺事项及完成时间。") % {"c": reply.result_class},
            code="commitments_required",
        )
    reply.signed_off_by, reply.signed_off_at = actor, ctx.now
    reply.save(update_fields=["signed_off_by", "signed_off_at"])
    _move(ctx, assignment, transition, "reply.signed_off", obj=reply, note=(note or "").strip())
    close_deadlines(ctx, open_deadlines(suggestion, *REPLY_DEADLINES, assignment=assignment))
    close_deadlines(
        ctx,
        open_deadlines(suggestion, Deadline.Kind.FIRST_CONTACT, assignment=assignment),
        reason=Deadline.CloseReason.MISSED,
    )
    close_deadlines(
        ctx,
        open_deadlines(suggestion, *UNIT_DEADLINES, assignment=assignment),
        reason=Deadline.CloseReason.CANCELLED,
    )
    for commitment in commitments:
        check_move(ctx, "commitment", INITIAL, "sign_off_reply")
        open_deadline(
            ctx,
            suggestion=suggestion,
            assignment=assignment,
            commitment=commitment,
            kind=Deadline.Kind.COMMITMENT,
            started_on=ctx.today,
            due_on=max(commitment.due_on, ctx.today),
            rule=_("答复承诺于%(d)s前落实") % {"d": date_text(commitment.due_on)},
        )
    _finish_round_if_replied(ctx, suggestion)
    return reply


def _finish_round_if_replied(ctx: Ctx, suggestion: Any) -> None:
    if suggestion.state != SuggestionState.ASSIGNED:
        return
    answering = suggestion.assignments.filter(
        round=suggestion.round, role__in=[AssignmentRole.LEAD, AssignmentRole.SPLIT]
    ).exclude(state=AssignmentState.CANCELLED)
    if not answering.exists() or answering.exclude(state=AssignmentState.REPLIED).exists():
        return
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "sign_off_reply")
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "updated_at"])
    record_move(ctx, "suggestion.replied", transition, source, suggestion=suggestion)
    days = ctx.policy.evaluation_days
    open_deadline(
        ctx,
        suggestion=suggestion,
        kind=Deadline.Kind.EVALUATION,
        started_on=ctx.today,
        due_on=ctx.calendar.add_working_days(ctx.today, days),
        rule=_("答复后%(n)s个工作日内测评") % {"n": days},
    )


# --- extension -----------------------------------------------------------------------------------


def _ceiling(ctx: Ctx, assignment: Assignment) -> datetime.date:
    return ctx.calendar.add_months(assignment.assigned_on, ctx.policy.reply_max_months)


def _check_new_due(ctx: Ctx, assignment: Assignment, until: datetime.date | None) -> datetime.date:
    if until is None:
        raise ValidationFailed(_("请填写延期后的答复日期。"), code="date_required")
    if assignment.reply_due_on and until <= assignment.reply_due_on:
        raise ValidationFailed(
            _("延期后的答复日期须晚于现在的答复期限（%(d)s）。") % {"d": date_text(assignment.reply_due_on)},
            code="not_later",
        )
    ceiling = _ceiling(ctx, assignment)
    if until > ceiling:
        raise ValidationFailed(
            _("延期后的答复日期不得晚于交办后%(n)s个月（%(d)s）。")
            % {"n": ctx.policy.reply_max_months, "d": date_text(ceiling)},
            code="beyond_ceiling",
        )
    return until


@transaction.atomic
def do_request_extension(
    assignment: Assignment, *, actor: Any, reason: str, until: datetime.date
) -> ExtensionRequest:
    """延期申请 of a lead or split unit, before its reply date has passed."""
    suggestion, assignment = lock_assignment(assignment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "request_extension", assignment, _("只有该承办单位的工作人员可以申请延期。"))
    check_move(ctx, "assignment", assignment.state, "request_extension")
    transition = check_move(ctx, "extension", INITIAL, "request_extension")
    _require_answering(assignment)
    if assignment.extension_requests.filter(state=ExtensionState.PENDING).exists():
        raise ValidationFailed(_("已有一项延期申请在等待审批。"), code="extension_pending")
    if assignment.reply_due_on and ctx.today > assignment.reply_due_on:
        raise DeadlinePassed(
            _("答复期限（%(d)s）已过，不能再申请延期。") % {"d": date_text(assignment.reply_due_on)}
        )
    reason = required_text(reason, _("请写明延期理由。"), code="reason_required")
    until = _check_new_due(ctx, assignment, until)
    request = ExtensionRequest(
        assignment=assignment, reason=reason, requested_due_on=until, requested_by=actor, requested_at=ctx.now
    )
    apply(request, transition, ctx)
    request.save()
    record_move(
        ctx,
        "extension.requested",
        transition,
        INITIAL,
        suggestion=suggestion,
        assignment=assignment,
        obj=request,
        new={"until": until, "current": assignment.reply_due_on},
        note=reason,
    )
    return request


def _lock_extension(request: ExtensionRequest) -> tuple[Any, Assignment, ExtensionRequest]:
    suggestion, assignment = lock_assignment(request.assignment_id)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    request.assignment = assignment
    return suggestion, assignment, request


@transaction.atomic
def do_approve_extension(
    request: ExtensionRequest, *, actor: Any, until: datetime.date | None = None, note: str = ""
) -> ExtensionRequest:
    """The congress clerk approves, for the date asked or another one up to the statutory ceiling.
    The unit's reply deadline is superseded by the new one (and the statutory one too when the new
    date is later)."""
    suggestion, assignment, request = _lock_extension(request)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "approve_extension", request, _("只有代表工委工作人员可以审批延期申请。"))
    source = request.state
    transition = check_move(ctx, "extension", source, "approve_extension")
    require_move("assignment", assignment.state, "request_extension")
    until = _check_new_due(ctx, assignment, until or request.requested_due_on)
    old_due = assignment.reply_due_on
    request.approved_due_on, request.decided_by, request.decided_at = until, actor, ctx.now
    request.decision_note = (note or "").strip()
    apply(request, transition, ctx)
    request.save()
    assignment.reply_due_on = until
    assignment.save(update_fields=["reply_due_on"])
    rule = _("经批准延期至%(d)s（最长交办后%(n)s个月）") % {
        "d": date_text(until),
        "n": ctx.policy.reply_max_months,
    }
    for deadline in open_deadlines(suggestion, *REPLY_DEADLINES, assignment=assignment):
        if deadline.due_on >= until:
            continue
        close_deadlines(ctx, [deadline], reason=Deadline.CloseReason.SUPERSEDED)
        open_deadline(
            ctx,
            suggestion=suggestion,
            assignment=assignment,
            kind=deadline.kind,
            started_on=deadline.started_on,
            due_on=until,
            rule=rule,
        )
    record_move(
        ctx,
        "extension.approved",
        transition,
        source,
        suggestion=suggestion,
        assignment=assignment,
        obj=request,
        new={"until": until, "previous": old_due},
        note=request.decision_note,
    )
    return request


@transaction.atomic
def do_refuse_extension(request: ExtensionRequest, *, actor: Any, note: str) -> ExtensionRequest:
    """The congress clerk refuses; the reply date stays."""
    suggestion, assignment, request = _lock_extension(request)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "refuse_extension", request, _("只有代表工委工作人员可以审批延期申请。"))
    source = request.state
    transition = check_move(ctx, "extension", source, "refuse_extension")
    note = required_text(note, _("请写明不批准延期的理由。"), code="reason_required")
    request.decided_by, request.decided_at, request.decision_note = actor, ctx.now, note
    apply(request, transition, ctx)
    request.save()
    record_move(
        ctx,
        "extension.refused",
        transition,
        source,
        suggestion=suggestion,
        assignment=assignment,
        obj=request,
        note=note,
    )
    return request
