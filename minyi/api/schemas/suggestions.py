"""Schemas of the suggestion lifecycle API, and the functions that turn rows into their output.

Output is built from rows fetched through the suggestion selectors (`access_*`,
`suggestions_visible_to`, `replies_visible_to`, `timeline`, `worklist`); what a user may see of
another unit's work follows `rules.can_view_assignment`, as on the pages.

Each `*_out` function names only the fields that are not simply the row's attribute of the same
name (labels, references, what the user may see or do); `fill` copies the rest, so a field added to
a schema is filled from the row without a second list to keep in step.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Schema

from minyi.core.work import WorkEntry
from minyi.suggestions.models import (
    AssignmentRole,
    ContactMethod,
    ContactPhase,
    Deadline,
    Disposition,
    Evaluation,
    Rating,
    ReassignRequest,
    SuggestionKind,
    WithdrawalConsent,
)
from minyi.suggestions.rules import can_view_assignment
from minyi.suggestions.selectors import available_actions
from minyi.suggestions.states import (
    ACTION_LABELS,
    AssignmentState,
    CommitmentState,
    ContactState,
    CoSignerState,
    ExtensionState,
    SuggestionState,
    WithdrawalState,
)
from minyi.supervision.warnings import WarningClock

from ..common import Ref, label, ref


def _literal(choices: Any) -> Any:
    return Literal[tuple(choices.values)]  # type: ignore[valid-type]


if TYPE_CHECKING:
    # A Literal built from the choices at run time is not a type to mypy: it checks these fields as
    # the str they are, while pydantic (below) gets the Literal and refuses any other value.
    KindValue = str
    RatingValue = str
    DispositionValue = str
    PhaseValue = str
    MethodValue = str
    StateValue = str
else:
    KindValue = _literal(SuggestionKind)
    RatingValue = _literal(Rating)
    DispositionValue = _literal(Disposition)
    PhaseValue = _literal(ContactPhase)
    MethodValue = _literal(ContactMethod)
    StateValue = _literal(SuggestionState)


# --- input -----------------------------------------------------------------------------------------


class ContentIn(Schema):
    """What the lead deputy writes. A draft needs only a title; submitting needs facts, proposals,
    category, channel and the collection date too. Ids name rows of the same congress."""

    title: str = Field(..., description="案由 (at most 200 characters).")
    facts: str = Field("", description="情况与问题")
    proposals: str = Field("", description="具体建议")
    category_id: int | None = None
    theme_tag_ids: list[int] = Field(default_factory=list)
    channel_id: int | None = None
    collected_on: datetime.date | None = Field(None, description="民意收集日期 (not in the future).")
    suggested_unit_ids: list[int] = Field(default_factory=list)
    kind: KindValue = SuggestionKind.INTERIM.value
    session_id: int | None = None

    model_config = {"extra": "forbid"}


class CreateIn(ContentIn):
    lead_id: int | None = Field(
        None, description="The lead deputy's roster id: required when a liaison clerk drafts for a deputy."
    )


class InviteIn(Schema):
    deputy_id: int = Field(..., description="Roster id of the deputy invited to co-sign.")


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class WithdrawIn(Schema):
    reason: str = Field("", description="Required unless the suggestion is still a draft.")


class WithdrawalAnswerIn(Schema):
    agree: bool
    note: str = ""


class DeclineIn(Schema):
    reason_id: int = Field(..., description="An exclusion reason (不予立案情形) of the congress.")
    disposition: DispositionValue
    note: str = ""


class MergeIn(Schema):
    into_id: int = Field(..., description="The accepted suggestion this one is merged into.")
    note: str = ""


class ForwardIn(Schema):
    body_id: int = Field(..., description="One of the four bodies (a unit of kind 'body').")
    note: str = ""


class AssignIn(Schema):
    lead_unit_ids: list[int] = Field(
        default_factory=list, description="One lead unit; or, with split, two or more units."
    )
    co_unit_ids: list[int] = Field(default_factory=list, description="Co-units (not with split).")
    split: bool = False
    note: str = ""


class EvaluateIn(Schema):
    attitude: RatingValue
    result: RatingValue
    overall: RatingValue
    contact_happened: bool = Field(..., description="Whether the unit really made contact.")
    opinion: str = Field("", description="Required when a rating is 'unsatisfied'.")


class CoordinationIn(Schema):
    held_on: datetime.date
    participants: str
    outcome: str


class CloseIn(Schema):
    explanation: str = Field("", description="Required after an 'unsatisfied' evaluation.")


class ReassignIn(Schema):
    reason: str
    suggested_unit_id: int | None = None


class ContactIn(Schema):
    phase: PhaseValue
    method: MethodValue
    contacted_on: datetime.date
    people: str
    summary: str


class OpinionIn(Schema):
    opinion: str


class CommitmentIn(Schema):
    text: str
    due_on: datetime.date


class ReplyIn(Schema):
    body: str
    result_class_id: int
    commitments: list[CommitmentIn] = Field(default_factory=list)


class TextIn(Schema):
    text: str


class ExplanationIn(Schema):
    explanation: str


class ExtensionIn(Schema):
    reason: str
    until: datetime.date


class ExtensionApproveIn(Schema):
    until: datetime.date | None = Field(None, description="Another date than the one asked for.")
    note: str = ""


class RequiredNoteIn(Schema):
    note: str


# --- output ----------------------------------------------------------------------------------------


class ActionOut(Schema):
    action: str
    label: str


class SuggestionRef(Schema):
    id: int
    number: str
    title: str
    state: str


class SuggestionOut(Schema):
    id: int
    number: str = Field(description="建议编号, empty until accepted.")
    title: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    round: int
    lead: Ref
    category: Ref | None
    channel: Ref | None
    forwarded_to: Ref | None
    year: int | None = Field(description="Year of acceptance (立案年度).")
    collected_on: datetime.date | None
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    updated_at: datetime.datetime


class SuggestionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SuggestionOut]


class CoSignerOut(Schema):
    id: int
    deputy: Ref
    state: str
    state_label: str
    invited_at: datetime.datetime
    answered_at: datetime.datetime | None
    actions: list[ActionOut] = Field(default_factory=list)


class ConsentOut(Schema):
    deputy: Ref
    answer: str
    answer_label: str
    answered_at: datetime.datetime | None


class WithdrawalOut(Schema):
    id: int
    state: str
    state_label: str
    reason: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    consents: list[ConsentOut]
    actions: list[ActionOut] = Field(default_factory=list)


class AssignmentOut(Schema):
    id: int
    suggestion_id: int
    unit: Ref
    role: str
    role_label: str
    round: int
    state: str | None = Field(description="Null for users who may not see this unit's work.")
    state_label: str | None
    assigned_on: datetime.date
    reply_due_on: datetime.date | None
    signed_at: datetime.datetime | None
    actions: list[ActionOut] = Field(default_factory=list)


class AssignResultOut(Schema):
    suggestion: SuggestionOut
    assignments: list[AssignmentOut]


class ContactOut(Schema):
    id: int
    assignment_id: int
    unit: Ref
    phase: str
    phase_label: str
    method: str
    method_label: str
    contacted_on: datetime.date
    people: str
    summary: str
    state: str
    state_label: str
    deputy_note: str
    logged_at: datetime.datetime
    actions: list[ActionOut] = Field(default_factory=list)


class CommitmentOut(Schema):
    id: int
    text: str
    due_on: datetime.date
    state: str
    state_label: str
    closing_note: str


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime
    reply_id: int | None


class ResultClassOut(Schema):
    id: int
    code: str
    name: str


class EvaluationOut(Schema):
    id: int
    reply_id: int
    round: int
    kind: str
    kind_label: str
    attitude: str
    result: str
    overall: str
    overall_label: str
    contact_happened: bool | None
    opinion: str
    evaluated_at: datetime.datetime


class ReplyOut(Schema):
    id: int
    assignment_id: int
    unit: Ref
    round: int
    body: str
    result_class: ResultClassOut
    drafted_at: datetime.datetime
    signed_off_at: datetime.datetime | None
    sent_back_reason: str
    commitments: list[CommitmentOut]
    attachments: list[AttachmentOut]
    evaluation: EvaluationOut | None


class DeadlineOut(Schema):
    id: int
    kind: str
    kind_label: str
    round: int
    assignment_id: int | None
    unit: Ref | None
    started_on: datetime.date
    due_on: datetime.date
    rule: str = Field(description="How the due date was computed, in words.")
    due_provisional: bool = Field(
        description="The due date falls in a year whose official holiday calendar is not yet confirmed "
        "complete (暂定): it may move when the year is completed."
    )
    calendar_revisions: dict = Field(
        description='Revision of the calendar used per year, e.g. {"national": {"2026": 3}, "local": {"2026": 1}} '
        "(local: the congress's own closure days)."
    )
    colour: Literal["green", "yellow", "red", "grey"] = Field(
        description="预警: red = overdue, yellow = due within the policy's warning days, green = later, "
        "grey = closed (the rule of minyi.supervision.warnings, as on every page)."
    )
    colour_label: str
    status_label: str = Field(description="E.g. 还剩 3 个工作日, 已逾期 2 个工作日, 按期完成.")
    working_days_left: int | None = Field(description="Negative when overdue; null once closed.")
    missing_years: list[int] = Field(description="Years counted without official calendar data.")
    closed_at: datetime.datetime | None
    closed_on_time: bool | None
    close_reason: str


class CoordinationOut(Schema):
    id: int
    round: int
    held_on: datetime.date
    participants: str
    outcome: str


class SuggestionDetailOut(SuggestionOut):
    facts: str
    proposals: str
    session: Ref | None
    theme_tags: list[Ref]
    suggested_units: list[Ref]
    entered_by: str
    return_reason: str
    decline_reason: Ref | None
    decline_disposition: str
    decline_note: str
    main: SuggestionRef | None = Field(description="The suggestion this one was merged into.")
    merged: list[SuggestionRef] = Field(description="Suggestions merged into this one (that you may see).")
    closing_explanation: str
    cosigners: list[CoSignerOut]
    withdrawal_requests: list[WithdrawalOut]
    assignments: list[AssignmentOut]
    contacts: list[ContactOut]
    replies: list[ReplyOut]
    evaluations: list[EvaluationOut]
    coordination_meetings: list[CoordinationOut]
    deadlines: list[DeadlineOut]
    attachments: list[AttachmentOut]
    actions: list[ActionOut] = Field(description="What you may do to the suggestion now.")


class ReassignRequestOut(Schema):
    id: int
    reason: str
    suggested_unit: Ref | None
    status: str
    status_label: str
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str


class ExtensionOut(Schema):
    id: int
    assignment_id: int
    reason: str
    requested_due_on: datetime.date
    state: str
    state_label: str
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    approved_due_on: datetime.date | None
    decision_note: str
    actions: list[ActionOut] = Field(default_factory=list)


class CoOpinionOut(Schema):
    assignment_id: int
    unit: Ref
    state: str
    state_label: str
    opinion: str
    submitted_at: datetime.datetime | None


class AssignmentDetailOut(AssignmentOut):
    suggestion: SuggestionRef
    note: str
    opinion: str
    opinion_submitted_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    contacts: list[ContactOut]
    reply: ReplyOut | None
    co_opinions: list[CoOpinionOut]
    reassign_requests: list[ReassignRequestOut]
    extension_requests: list[ExtensionOut]
    deadlines: list[DeadlineOut]


class TimelineEventOut(Schema):
    seq: int
    at: datetime.datetime
    code: str = Field(description="Stable dotted audit code, e.g. suggestion.accepted.")
    actor: str | None
    unit: Ref | None
    assignment_id: int | None
    object_type: str
    object_id: str
    old: Any
    new: Any
    note: str


class WorkItemOut(Schema):
    kind: str = Field(
        description="The suggestion app's rows: suggestion, cosigner, reply, withdrawal_consent, "
        "contact, extension, assignment or commitment (with `suggestion`); another app's rows "
        "(nominee, opinion, instruction, objection, manual_entry…) carry `title` and `url` instead."
    )
    id: int
    suggestion: SuggestionRef | None = Field(
        description="The suggestion the row is about (null for another app's rows)."
    )
    assignment_id: int | None
    unit: Ref | None
    state: str | None
    state_label: str | None
    due_on: datetime.date | None
    title: str | None = Field(None, description="Another app's row: what it is, as the 待办 page shows it.")
    number: str | None = Field(
        None, description="Another app's row: the suggestion or opinion number, if any."
    )
    url: str | None = Field(None, description="Another app's row: the page where the work is done.")


class WorkSectionOut(Schema):
    key: str
    label: str
    kind: str
    counted: bool = Field(
        description="False for a section shown for information, not work (a deputy's own suggestions in progress)."
    )
    count: int
    items: list[WorkItemOut] = Field(description="The first items, oldest or most urgent first.")


# --- rows → output -----------------------------------------------------------------------------------


def fill(schema: type[Schema], obj: Any, **computed: Any) -> dict[str, Any]:
    """The output of `schema` for the row `obj`: every field given in `computed` takes that value,
    every other field is the attribute of `obj` with the same name (``id`` is the primary key)."""
    return {name: computed[name] if name in computed else getattr(obj, name) for name in schema.model_fields}


def actions_of(user: Any, obj: Any) -> list[dict[str, str]]:
    """The moves `user` may make on `obj` now (none without a user: a row shown without its buttons)."""
    if user is None:
        return []
    return [{"action": a, "label": str(ACTION_LABELS[a])} for a in available_actions(user, obj)]


def suggestion_ref(s: Any) -> dict[str, Any]:
    return fill(SuggestionRef, s)


def suggestion_out(s: Any) -> dict[str, Any]:
    return fill(
        SuggestionOut,
        s,
        kind_label=label(SuggestionKind, s.kind),
        state_label=label(SuggestionState, s.state),
        lead=ref(s.lead),
        category=ref(s.category),
        channel=ref(s.channel),
        forwarded_to=ref(s.forwarded_to),
    )


def cosigner_out(c: Any, user: Any = None) -> dict[str, Any]:
    return fill(
        CoSignerOut,
        c,
        deputy=ref(c.deputy),
        state_label=label(CoSignerState, c.state),
        actions=actions_of(user, c),
    )


def withdrawal_out(w: Any, user: Any = None) -> dict[str, Any]:
    consents = [
        fill(ConsentOut, c, deputy=ref(c.deputy), answer_label=label(WithdrawalConsent.Answer, c.answer))
        for c in w.consents.all()
    ]
    return fill(
        WithdrawalOut,
        w,
        state_label=label(WithdrawalState, w.state),
        consents=consents,
        actions=actions_of(user, w),
    )


def assignment_out(a: Any, user: Any, *, with_actions: bool = True) -> dict[str, Any]:
    visible = bool(can_view_assignment(user, a))
    return fill(
        AssignmentOut,
        a,
        unit=ref(a.unit),
        role_label=label(AssignmentRole, a.role),
        state=a.state if visible else None,
        state_label=label(AssignmentState, a.state) if visible else None,
        signed_at=a.signed_at if visible else None,
        actions=actions_of(user, a) if with_actions and visible else [],
    )


def contact_out(c: Any, user: Any = None) -> dict[str, Any]:
    return fill(
        ContactOut,
        c,
        unit=ref(c.assignment.unit),
        phase_label=label(ContactPhase, c.phase),
        method_label=label(ContactMethod, c.method),
        state_label=label(ContactState, c.state),
        actions=actions_of(user, c),
    )


def attachment_out(a: Any) -> dict[str, Any]:
    return fill(AttachmentOut, a)


def evaluation_out(e: Any) -> dict[str, Any]:
    return fill(
        EvaluationOut,
        e,
        kind_label=label(Evaluation.Kind, e.kind),
        overall_label=label(Rating, e.overall),
    )


def commitment_out(c: Any) -> dict[str, Any]:
    return fill(CommitmentOut, c, state_label=label(CommitmentState, c.state))


def reply_out(r: Any) -> dict[str, Any]:
    evaluation = getattr(r, "evaluation", None)
    return fill(
        ReplyOut,
        r,
        unit=ref(r.assignment.unit),
        round=r.assignment.round,
        result_class=fill(ResultClassOut, r.result_class),
        commitments=[commitment_out(c) for c in r.commitments.all()],
        attachments=[attachment_out(a) for a in r.attachments.all()],
        evaluation=evaluation_out(evaluation) if evaluation is not None else None,
    )


def deadline_out(d: Any, clock: WarningClock) -> dict[str, Any]:
    status = clock.status(d)
    return fill(
        DeadlineOut,
        d,
        kind_label=label(Deadline.Kind, d.kind),
        unit=ref(d.assignment.unit) if d.assignment_id else None,
        colour=status.colour,
        colour_label=status.colour_label,
        status_label=status.label,
        working_days_left=status.working_days_left,
        missing_years=list(status.missing_years),
        due_provisional=status.provisional,
    )


def reassign_request_out(r: Any) -> dict[str, Any]:
    return fill(
        ReassignRequestOut,
        r,
        suggested_unit=ref(r.suggested_unit),
        status_label=label(ReassignRequest.Status, r.status),
    )


def extension_out(e: Any, user: Any = None) -> dict[str, Any]:
    return fill(ExtensionOut, e, state_label=label(ExtensionState, e.state), actions=actions_of(user, e))


def coordination_out(m: Any) -> dict[str, Any]:
    return fill(CoordinationOut, m)


def event_out(e: Any) -> dict[str, Any]:
    return fill(
        TimelineEventOut,
        e,
        at=e.created_at,
        actor=e.actor.display_name if e.actor_id else None,
        unit=ref(e.unit),
    )


_WORK_STATES = {
    "suggestion": SuggestionState,
    "cosigner": CoSignerState,
    "withdrawal_consent": WithdrawalConsent.Answer,
    "contact": ContactState,
    "extension": ExtensionState,
    "assignment": AssignmentState,
    "commitment": CommitmentState,
}


def work_item_out(kind: str, obj: Any) -> dict[str, Any]:
    """One row of a 待办 section, whatever its model (the section's `kind`)."""
    assignment = None
    if kind == "suggestion":
        suggestion = obj
    elif kind in ("cosigner",):
        suggestion = obj.suggestion
    elif kind == "withdrawal_consent":
        suggestion = obj.request.suggestion
    elif kind == "assignment":
        assignment, suggestion = obj, obj.suggestion
    elif kind == "commitment":
        assignment = obj.reply.assignment
        suggestion = assignment.suggestion
    else:  # reply, contact, extension
        assignment = obj.assignment
        suggestion = assignment.suggestion
    state = obj.answer if kind == "withdrawal_consent" else getattr(obj, "state", None)
    due_on = {
        "assignment": lambda: obj.reply_due_on,
        "extension": lambda: obj.requested_due_on,
        "commitment": lambda: obj.due_on,
    }.get(kind, lambda: None)()
    choices = _WORK_STATES.get(kind)
    return {
        "kind": kind,
        "id": obj.pk,
        "suggestion": suggestion_ref(suggestion),
        "assignment_id": assignment.pk if assignment is not None else None,
        "unit": ref(assignment.unit) if assignment is not None else None,
        "state": state,
        "state_label": label(choices, state) if choices is not None and state else None,
        "due_on": due_on,
    }


def entry_item_out(kind: str, obj: Any, entry: WorkEntry) -> dict[str, Any]:
    """One row of another app's 待办 section, as that app describes it (`core.work.WorkEntry`)."""
    return {
        "kind": kind,
        "id": obj.pk,
        "suggestion": None,
        "assignment_id": None,
        "unit": None,
        "state": None,
        "state_label": entry.state or None,
        "due_on": entry.due_on,
        "title": entry.title,
        "number": entry.number or None,
        "url": entry.url,
    }
