"""测评, 重新办理, 办结 and the commitment ledger.

Decisions (see docs/WORKFLOW.md):

- The lead deputy evaluates every reply of the round (one per lead unit, several for a split); the
  suggestion is `evaluated` when the last one is in. Opinion text is required when any of the three
  ratings is 不满意 and `policy.opinion_required_if_unsatisfied`.
- No evaluation by the deadline: the scheduled job calls `do_mark_no_feedback` (actor None) after
  the evaluation deadline has passed; it records a "no feedback" evaluation for every reply still
  without one.
- After 不满意 (overall) in round 1 the clerk orders re-handling (a new round with new assignments
  for the same units, reply due `policy.rehandle_months` after the decision) or closes with a written
  explanation. After 不满意 in a re-handling round there is no third round: a coordination meeting
  (协调会) is recorded, then the suggestion is closed with an explanation.
- Rounds are kept: evaluations carry their round, so first-round and final results are both
  queryable (`selectors.evaluation_results`).
- Commitments stay open after closing, on the ledger, until the unit reports them fulfilled or
  explains why not (the clerk may also record the explanation).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minyi.core.errors import InvalidTransition, ValidationFailed

from ..models import (
    Assignment,
    AssignmentRole,
    Commitment,
    CommitmentProgress,
    CoordinationMeeting,
    Deadline,
    Evaluation,
    Rating,
    Reply,
    Suggestion,
)
from ..states import AssignmentState
from ._common import (
    Ctx,
    apply,
    authorize,
    check_move,
    close_deadlines,
    ctx_for,
    date_text,
    lock_suggestion,
    open_deadlines,
    record,
    record_move,
    required_text,
)
from .review import new_assignment


def round_replies(suggestion: Suggestion) -> list[Reply]:
    """The signed-off replies of the suggestion's current round."""
    return list(
        Reply.objects.filter(
            assignment__suggestion=suggestion,
            assignment__round=suggestion.round,
            assignment__state=AssignmentState.REPLIED,
        ).select_related("assignment__unit")
    )


def _round_unsatisfied(suggestion: Suggestion) -> bool:
    return Evaluation.objects.filter(
        suggestion=suggestion, round=suggestion.round, kind=Evaluation.Kind.RATED, overall=Rating.UNSATISFIED
    ).exists()


def _finish_evaluation(ctx: Ctx, suggestion: Suggestion, action: str, code: str, *, reason: str) -> None:
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, action)
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "updated_at"])
    close_deadlines(ctx, open_deadlines(suggestion, Deadline.Kind.EVALUATION), reason=reason)
    record_move(ctx, code, transition, source, suggestion=suggestion, new={"round": suggestion.round})


@transaction.atomic
def do_evaluate_reply(
    reply: Reply,
    *,
    actor: Any,
    attitude: str,
    result: str,
    overall: str,
    contact_happened: bool,
    opinion: str = "",
) -> Evaluation:
    """测评 of one signed-off reply of the current round by the lead deputy: handling attitude,
    result and overall (满意 / 基本满意 / 不满意), and whether the unit really made contact."""
    assignment = Assignment.objects.only("suggestion_id").get(pk=reply.assignment_id)
    suggestion = lock_suggestion(assignment.suggestion_id)
    reply = Reply.objects.select_for_update(of=("self",)).select_related("assignment__unit").get(pk=reply.pk)
    reply.assignment.suggestion = suggestion
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "evaluate", suggestion, _("只有领衔代表本人可以测评。"))
    check_move(ctx, "suggestion", suggestion.state, "evaluate")
    if reply.assignment.state != AssignmentState.REPLIED or reply.assignment.round != suggestion.round:
        raise InvalidTransition(_("只能测评本轮已签发的答复。"), code="not_a_current_reply")
    if Evaluation.objects.filter(reply=reply).exists():
        raise InvalidTransition(_("已测评过该答复。"), code="already_evaluated")
    ratings = {"attitude": attitude, "result": result, "overall": overall}
    labels = {"attitude": _("办理态度"), "result": _("办理结果"), "overall": _("总体评价")}
    for name, value in ratings.items():
        if value not in Rating.values:
            raise ValidationFailed(
                _("请选择%(what)s（满意、基本满意或不满意）。") % {"what": labels[name]},
                code="rating_required",
            )
    if not isinstance(contact_happened, bool):
        raise ValidationFailed(_("请说明承办单位是否确曾与您联系。"), code="contact_answer_required")
    opinion = (opinion or "").strip()
    if Rating.UNSATISFIED in ratings.values() and ctx.policy.opinion_required_if_unsatisfied and not opinion:
        raise ValidationFailed(_("评价为“不满意”时，请填写意见和建议。"), code="opinion_required")
    evaluation = Evaluation.objects.create(
        suggestion=suggestion,
        reply=reply,
        round=suggestion.round,
        kind=Evaluation.Kind.RATED,
        contact_happened=contact_happened,
        opinion=opinion,
        evaluated_by=actor,
        evaluated_at=ctx.now,
        **ratings,
    )
    record(
        ctx,
        "evaluation.recorded",
        suggestion=suggestion,
        assignment=reply.assignment,
        obj=evaluation,
        new={**ratings, "contact_happened": contact_happened, "round": suggestion.round},
        note=opinion,
    )
    if all(Evaluation.objects.filter(reply=r).exists() for r in round_replies(suggestion)):
        _finish_evaluation(
            ctx, suggestion, "evaluate", "suggestion.evaluated", reason=Deadline.CloseReason.DONE
        )
    return evaluation


@transaction.atomic
def do_mark_no_feedback(suggestion: Suggestion, *, actor: Any = None) -> Suggestion:
    """System action (actor None), run by the scheduled job: the evaluation deadline has passed
    without an evaluation of every reply; those replies are recorded as "no feedback"."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    check_move(ctx, "suggestion", suggestion.state, "mark_no_feedback")
    deadline = open_deadlines(suggestion, Deadline.Kind.EVALUATION).order_by("-due_on").first()
    if deadline is not None and ctx.today <= deadline.due_on:
        raise ValidationFailed(
            _("测评期限（%(d)s）未到，不能记为未反馈。") % {"d": date_text(deadline.due_on)},
            code="deadline_not_passed",
        )
    missing = [r for r in round_replies(suggestion) if not Evaluation.objects.filter(reply=r).exists()]
    for reply in missing:
        Evaluation.objects.create(
            suggestion=suggestion,
            reply=reply,
            round=suggestion.round,
            kind=Evaluation.Kind.NO_FEEDBACK,
            evaluated_at=ctx.now,
        )
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "mark_no_feedback")
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "updated_at"])
    close_deadlines(
        ctx, open_deadlines(suggestion, Deadline.Kind.EVALUATION), reason=Deadline.CloseReason.MISSED
    )
    record_move(
        ctx,
        "suggestion.no_feedback",
        transition,
        source,
        suggestion=suggestion,
        new={"round": suggestion.round, "replies": [r.pk for r in missing]},
    )
    return suggestion


def _staff_denied() -> str:
    return _("只有代表工委工作人员可以作出此决定。")


@transaction.atomic
def do_order_rehandling(suggestion: Suggestion, *, actor: Any, note: str) -> list[Assignment]:
    """重新办理 after 不满意: a new round with new assignments for the same units (same roles), each
    with a reply deadline `policy.rehandle_months` after today."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "order_rehandling", suggestion, _staff_denied())
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "order_rehandling")
    if suggestion.round > 1:
        raise ValidationFailed(
            _("该建议已重新办理过一次；再次不满意的，应登记协调会情况后办结。"), code="already_rehandled"
        )
    if not _round_unsatisfied(suggestion):
        raise ValidationFailed(_("代表对答复满意或基本满意，无需重新办理。"), code="not_unsatisfied")
    note = required_text(note, _("请写明重新办理的要求。"), code="note_required")
    previous = list(
        suggestion.assignments.filter(round=suggestion.round)
        .exclude(state=AssignmentState.CANCELLED)
        .select_related("unit")
        .order_by("id")
    )
    suggestion.round += 1
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "round", "updated_at"])
    record_move(
        ctx,
        "suggestion.rehandling_ordered",
        transition,
        source,
        suggestion=suggestion,
        new={"round": suggestion.round},
        note=note,
    )
    order = {AssignmentRole.LEAD: 0, AssignmentRole.SPLIT: 0, AssignmentRole.CO: 1}
    previous.sort(key=lambda a: (order[AssignmentRole(a.role)], a.pk))
    return [
        new_assignment(ctx, suggestion, a.unit, a.role, action="order_rehandling", note=note)
        for a in previous
    ]


@transaction.atomic
def do_record_coordination_meeting(
    suggestion: Suggestion, *, actor: Any, held_on: datetime.date, participants: str, outcome: str
) -> CoordinationMeeting:
    """协调会 after 不满意: who met, when, and what was agreed. Required before closing a suggestion
    whose re-handling reply was again rated 不满意."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "record_coordination_meeting", suggestion, _staff_denied())
    check_move(ctx, "suggestion", suggestion.state, "record_coordination_meeting")
    if not _round_unsatisfied(suggestion):
        raise ValidationFailed(_("代表对本轮答复未评价“不满意”，无需召开协调会。"), code="not_unsatisfied")
    if suggestion.coordination_meetings.filter(round=suggestion.round).exists():
        raise ValidationFailed(_("本轮已登记过协调会。"), code="already_recorded")
    if held_on is None or held_on > ctx.today:
        raise ValidationFailed(_("协调会日期不能晚于今天。"), code="held_in_future")
    participants = required_text(participants, _("请填写参加人员。"), code="participants_required")
    outcome = required_text(outcome, _("请填写协调结果。"), code="outcome_required")
    meeting = CoordinationMeeting.objects.create(
        suggestion=suggestion,
        round=suggestion.round,
        held_on=held_on,
        participants=participants[:500],
        outcome=outcome,
        recorded_by=actor,
        recorded_at=ctx.now,
    )
    record(
        ctx,
        "suggestion.coordination_recorded",
        suggestion=suggestion,
        obj=meeting,
        new={"held_on": held_on, "round": suggestion.round},
        note=outcome,
    )
    return meeting


@transaction.atomic
def do_close_suggestion(suggestion: Suggestion, *, actor: Any, explanation: str = "") -> Suggestion:
    """办结. After 不满意 the explanation is required, and after 不满意 in a re-handling round a
    coordination meeting must have been recorded. Open commitments stay on the ledger."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "close", suggestion, _("只有代表工委工作人员可以办结建议。"))
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "close")
    explanation = (explanation or "").strip()
    if _round_unsatisfied(suggestion):
        if not explanation:
            raise ValidationFailed(_("代表不满意的建议，办结时须写明办结说明。"), code="explanation_required")
        if (
            suggestion.round > 1
            and not suggestion.coordination_meetings.filter(round=suggestion.round).exists()
        ):
            raise ValidationFailed(
                _("重新办理后代表仍不满意的建议，须先登记协调会情况才能办结。"), code="coordination_required"
            )
    suggestion.closed_at, suggestion.closing_explanation = ctx.now, explanation
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "closed_at", "closing_explanation", "updated_at"])
    close_deadlines(
        ctx,
        open_deadlines(suggestion).exclude(kind=Deadline.Kind.COMMITMENT),
        reason=Deadline.CloseReason.CANCELLED,
    )
    record_move(ctx, "suggestion.closed", transition, source, suggestion=suggestion, note=explanation)
    return suggestion


# --- commitments ---------------------------------------------------------------------------------


def _lock_commitment(commitment: Commitment) -> tuple[Suggestion, Commitment]:
    suggestion_id = Commitment.objects.values_list("reply__assignment__suggestion_id", flat=True).get(
        pk=commitment.pk
    )
    suggestion = lock_suggestion(suggestion_id)
    locked = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("reply__assignment__unit")
        .get(pk=commitment.pk)
    )
    locked.reply.assignment.suggestion = suggestion
    if locked.reply.signed_off_at is None:
        raise InvalidTransition(_("答复尚未签发，承诺事项还未生效。"), code="reply_not_signed_off")
    return suggestion, locked


def _commitment_move(
    ctx: Ctx, suggestion: Suggestion, commitment: Commitment, action: str, code: str, note: str
) -> None:
    source = commitment.state
    transition = check_move(ctx, "commitment", source, action)
    commitment.closed_by, commitment.closed_at, commitment.closing_note = ctx.actor, ctx.now, note
    apply(commitment, transition, ctx)
    commitment.save()
    reason = Deadline.CloseReason.DONE if action == "fulfil_commitment" else Deadline.CloseReason.MISSED
    close_deadlines(
        ctx, open_deadlines(suggestion, Deadline.Kind.COMMITMENT).filter(commitment=commitment), reason=reason
    )
    record_move(
        ctx,
        code,
        transition,
        source,
        suggestion=suggestion,
        assignment=commitment.reply.assignment,
        obj=commitment,
        note=note,
    )


def _commitment_denied() -> str:
    return _("只有作出承诺的承办单位可以报告承诺事项落实情况。")


@transaction.atomic
def do_report_commitment_progress(commitment: Commitment, *, actor: Any, text: str) -> CommitmentProgress:
    """The unit reports progress on an open commitment (跟踪落实)."""
    suggestion, commitment = _lock_commitment(commitment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "report_commitment_progress", commitment, _commitment_denied())
    check_move(ctx, "commitment", commitment.state, "report_commitment_progress")
    text = required_text(text, _("请填写落实进展。"), code="text_required")
    progress = CommitmentProgress.objects.create(
        commitment=commitment, text=text, reported_by=actor, reported_at=ctx.now
    )
    record(
        ctx,
        "commitment.progress_reported",
        suggestion=suggestion,
        assignment=commitment.reply.assignment,
        obj=commitment,
        note=text,
    )
    return progress


@transaction.atomic
def do_fulfil_commitment(commitment: Commitment, *, actor: Any, note: str) -> Commitment:
    """The unit reports the commitment fulfilled, saying how."""
    suggestion, commitment = _lock_commitment(commitment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "fulfil_commitment", commitment, _commitment_denied())
    check_move(ctx, "commitment", commitment.state, "fulfil_commitment")
    note = required_text(note, _("请填写落实情况。"), code="note_required")
    _commitment_move(ctx, suggestion, commitment, "fulfil_commitment", "commitment.fulfilled", note)
    return commitment


@transaction.atomic
def do_explain_commitment(commitment: Commitment, *, actor: Any, explanation: str) -> Commitment:
    """The unit (or the congress clerk) explains why the commitment cannot be fulfilled; it leaves
    the open ledger as "explained" (its deadline counts as missed)."""
    suggestion, commitment = _lock_commitment(commitment)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(
        ctx,
        "explain_commitment",
        commitment,
        _("只有作出承诺的承办单位或代表工委工作人员可以说明承诺未落实的原因。"),
    )
    check_move(ctx, "commitment", commitment.state, "explain_commitment")
    explanation = required_text(explanation, _("请说明未落实的原因。"), code="explanation_required")
    _commitment_move(ctx, suggestion, commitment, "explain_commitment", "commitment.explained", explanation)
    return commitment
