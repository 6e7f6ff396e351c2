"""The suggestion lifecycle: lists, detail, 待办, timeline, and one POST per step of the loop.

Every endpoint resolves the congress with `congress_for` (404 for non-members), fetches the suggestion
or assignment with `access_suggestion` / `access_assignment` (404 for missing and forbidden alike),
turns ids in the body into rows of the same congress (422 ``unknown_<field>`` otherwise), and calls
the same `do_*` action as the pages. A refused action is a `DomainError` → ``{"code", "detail"}``
with its status (403 ``not_permitted``, 409 ``invalid_transition`` / ``deadline_passed``, 422 for
bad input).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from minyi.congress.models import (
    Category,
    Channel,
    Congress,
    Deputy,
    ExclusionReason,
    ResultClass,
    Session,
    ThemeTag,
    Unit,
)
from minyi.core import versioned
from minyi.core import work as core_work
from minyi.suggestions import actions as A
from minyi.suggestions.models import (
    Assignment,
    AssignmentRole,
    Commitment,
    Contact,
    CoSigner,
    Suggestion,
    WithdrawalConsent,
    WithdrawalRequest,
)
from minyi.suggestions.rules import can_view_assignment
from minyi.suggestions.selectors import (
    access_assignment,
    access_suggestion,
    co_opinions_for,
    filter_suggestions,
    replies_visible_to,
    suggestions_visible_to,
    timeline,
)
from minyi.suggestions.states import AssignmentState, CoSignerState
from minyi.supervision.warnings import WarningClock

from ..common import (
    MAX_YEAR,
    MIN_YEAR,
    READ_ERRORS,
    WRITE_ERRORS,
    IdFilter,
    PageQuery,
    congress_of,
    kept_json,
    label,
    page_of,
    pick,
    pick_many,
    ref,
)
from ..schemas.suggestions import (
    AssignIn,
    AssignmentDetailOut,
    AssignmentOut,
    AssignResultOut,
    CloseIn,
    CommitmentIn,
    CommitmentOut,
    ContactIn,
    ContactOut,
    ContentIn,
    CoordinationIn,
    CoordinationOut,
    CoSignerOut,
    CreateIn,
    DeclineIn,
    EvaluateIn,
    EvaluationOut,
    ExplanationIn,
    ExtensionApproveIn,
    ExtensionIn,
    ExtensionOut,
    ForwardIn,
    InviteIn,
    MergeIn,
    NoteIn,
    OpinionIn,
    ReasonIn,
    ReassignIn,
    ReassignRequestOut,
    ReplyIn,
    ReplyOut,
    RequiredNoteIn,
    StateValue,
    SuggestionDetailOut,
    SuggestionOut,
    SuggestionPage,
    TextIn,
    TimelineEventOut,
    WithdrawalAnswerIn,
    WithdrawalOut,
    WithdrawIn,
    WorkSectionOut,
    actions_of,
    assignment_out,
    attachment_out,
    commitment_out,
    contact_out,
    coordination_out,
    cosigner_out,
    deadline_out,
    entry_item_out,
    evaluation_out,
    event_out,
    extension_out,
    fill,
    reassign_request_out,
    reply_out,
    suggestion_out,
    suggestion_ref,
    withdrawal_out,
    work_item_out,
)

router = Router(tags=["suggestions"])

#: Items per 待办 section (the count says how many there are in all).
WORKLIST_ITEMS = 50


# --- fetching ----------------------------------------------------------------------------------------


def _suggestion(request: HttpRequest, code: str, pk: int) -> Suggestion:
    return access_suggestion(request.user, congress_of(request, code), pk)


def _assignment(request: HttpRequest, code: str, pk: int) -> Assignment:
    return access_assignment(request.user, congress_of(request, code), pk)


def _suggestion_out(suggestion: Suggestion) -> dict[str, Any]:
    """`SuggestionOut` of the suggestion as it is now in the database (after an action)."""
    fresh = Suggestion.objects.select_related("lead", "category", "channel", "forwarded_to").get(
        pk=suggestion.pk
    )
    return suggestion_out(fresh)


def _assign_result(request: HttpRequest, suggestion: Suggestion, created: list[Assignment]) -> dict[str, Any]:
    """`AssignResultOut`: the suggestion now, and the assignments an action has just created."""
    return {
        "suggestion": _suggestion_out(suggestion),
        "assignments": [assignment_out(a, request.user, with_actions=False) for a in created],
    }


def _content(congress: Congress, data: ContentIn) -> A.SuggestionContent:
    return A.SuggestionContent(
        title=data.title,
        facts=data.facts,
        proposals=data.proposals,
        category=pick(Category.objects.filter(congress=congress), data.category_id, "category", _("分类")),
        theme_tags=pick_many(
            ThemeTag.objects.filter(congress=congress), data.theme_tag_ids, "theme_tag", _("主题标签")
        ),
        channel=pick(Channel.objects.filter(congress=congress), data.channel_id, "channel", _("收集渠道")),
        collected_on=data.collected_on,
        suggested_units=pick_many(
            Unit.objects.filter(congress=congress),
            data.suggested_unit_ids,
            "suggested_unit",
            _("建议承办单位"),
        ),
        kind=data.kind,
        session=pick(
            Session.objects.filter(term__congress=congress).select_related("term"),
            data.session_id,
            "session",
            _("会议"),
        ),
    )


def _units(congress: Congress) -> QuerySet[Unit]:
    return Unit.objects.filter(congress=congress)


# --- lists -------------------------------------------------------------------------------------------


class SuggestionFilters(Schema):
    state: list[StateValue] | None = Field(None, description="One or more states (repeat the parameter).")
    year: int | None = Field(
        None,
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="Year of acceptance (立案年度); for suggestions not accepted, the year created.",
    )
    category: int | None = IdFilter("Category id.")
    unit: int | None = IdFilter("Assigned to this unit (in any round).")
    q: str | None = Field(
        None,
        description=(
            "Part of the title, number, facts, proposals or the lead deputy's name, or its words "
            "(jieba's segmentation, any order) anywhere in them. Newest first, as without it."
        ),
    )


@router.get(
    "{code}/suggestions",
    response={200: SuggestionPage, **READ_ERRORS},
    summary="建议列表 · Suggestions I may see (paginated)",
)
def suggestion_list(request, code: str, filters: Query[SuggestionFilters], paging: Query[PageQuery]):
    """The suggestions of the congress that the signed-in user may open (`suggestions_visible_to`:
    the same rule as the pages), newest first."""
    congress = congress_of(request, code)

    def build() -> dict[str, Any]:
        qs = suggestions_visible_to(request.user, congress).select_related(
            "lead", "category", "channel", "forwarded_to"
        )
        chosen = filters.dict(exclude_none=True)
        qs = filter_suggestions(qs, chosen, congress=congress)  # the list page's rule
        # the total over every visible suggestion, kept under the data version per user and
        # filters, like the list page's (issue #13)
        filters_key = versioned.digest(chosen)
        page = page_of(
            qs.order_by("-created_at", "-id"),
            paging,
            count=lambda: versioned.kept(
                congress, "api_suggestion_count", qs.count, request.user.pk, filters_key
            ),
        )
        page["items"] = [suggestion_out(s) for s in page["items"]]
        return page

    # the whole answer, kept like the list page (core.kept_pages)
    return kept_json(request, congress, "api:list", SuggestionPage, build)


@router.get(
    "{code}/worklist",
    response={200: list[WorkSectionOut], **READ_ERRORS},
    summary="我的待办 · My work list",
)
def my_worklist(request, code: str):
    """The 待办 sections of every role the user holds here, from every app — the same sections as
    the 待办 page and the home page's counts (`minyi.core.work`): the suggestion app's (deputy
    first, then congress staff, coordinator, unit), then the supervision, intake, awards and points
    work — each with its count and first items."""
    congress = congress_of(request, code)
    out = []
    for section in core_work.sections(request.user, congress):
        items = list(section.queryset[:WORKLIST_ITEMS])
        count = len(items) if len(items) < WORKLIST_ITEMS else section.queryset.count()
        entry = section.entry
        out.append(
            {
                "key": section.key,
                "label": str(section.label),
                "kind": section.model,
                "counted": section.counted,
                "count": count,
                "items": [
                    work_item_out(section.model, obj)
                    if entry is None
                    else entry_item_out(section.model, obj, entry(obj))
                    for obj in items
                ],
            }
        )
    return out


# --- one suggestion ------------------------------------------------------------------------------------


def _detail(user: Any, suggestion: Suggestion) -> dict[str, Any]:
    s = (
        Suggestion.objects.select_related(
            "congress",
            "lead",
            "category",
            "channel",
            "forwarded_to",
            "session__term",
            "entered_by",
            "decline_reason",
            "main",
        )
        .prefetch_related("theme_tags", "suggested_units")
        .get(pk=suggestion.pk)
    )
    congress = s.congress
    cosigners = list(s.cosigners.select_related("deputy"))
    withdrawals = list(
        s.withdrawal_requests.prefetch_related(
            Prefetch("consents", queryset=WithdrawalConsent.objects.select_related("deputy"))
        )
    )
    assignments = list(s.assignments.select_related("unit").order_by("round", "id"))
    by_id = {a.pk: a for a in assignments}
    contacts = list(
        Contact.objects.filter(assignment__suggestion=s)
        .select_related("assignment__unit")
        .order_by("contacted_on", "id")
    )
    related: list[CoSigner | WithdrawalRequest | Assignment] = [*cosigners, *withdrawals, *assignments]
    for obj in related:
        obj.suggestion = s
    for contact in contacts:
        contact.assignment.suggestion = s
    clock = WarningClock.for_congress(congress)
    deadlines = []
    for d in s.deadlines.order_by("due_on", "id"):
        if d.assignment_id is not None:
            d.assignment = by_id[d.assignment_id]
            if not can_view_assignment(user, d.assignment):
                continue
        deadlines.append(deadline_out(d, clock))
    merged = suggestions_visible_to(user, congress).filter(main=s).order_by("pk")
    s_actions = actions_of(user, s)
    return fill(
        SuggestionDetailOut,
        s,
        **suggestion_out(s),
        session={"id": s.session.pk, "name": str(s.session)} if s.session is not None else None,
        theme_tags=[ref(t) for t in s.theme_tags.all()],
        suggested_units=[ref(u) for u in s.suggested_units.all()],
        entered_by=s.entered_by.display_name,
        decline_reason=ref(s.decline_reason),
        main=suggestion_ref(s.main) if s.main_id else None,
        merged=[suggestion_ref(m) for m in merged],
        cosigners=[_cosigner_with_revoke(cosigner_out(c, user), c, s_actions) for c in cosigners],
        withdrawal_requests=[withdrawal_out(w, user) for w in withdrawals],
        assignments=[assignment_out(a, user) for a in assignments],
        contacts=[contact_out(c, user) for c in contacts],
        replies=[reply_out(r) for r in replies_visible_to(user, s)],
        evaluations=[evaluation_out(e) for e in s.evaluations.order_by("round", "id")],
        coordination_meetings=[coordination_out(m) for m in s.coordination_meetings.order_by("round")],
        deadlines=deadlines,
        attachments=[attachment_out(a) for a in s.attachments.filter(reply__isnull=True)],
        actions=s_actions,
    )


def _cosigner_with_revoke(
    out: dict[str, Any], cosigner: Any, s_actions: list[dict[str, str]]
) -> dict[str, Any]:
    """Revoking is a move on the suggestion; like the page, offer it on each open invitation."""
    revoke = next((a for a in s_actions if a["action"] == "revoke_cosigner"), None)
    if revoke is not None and cosigner.state in (CoSignerState.INVITED, CoSignerState.CONFIRMED):
        out["actions"] = [*out["actions"], revoke]
    return out


@router.get(
    "{code}/suggestions/{suggestion_id}",
    response={200: SuggestionDetailOut, **READ_ERRORS},
    summary="建议详情 · One suggestion with its handling",
)
def suggestion_detail(request, code: str, suggestion_id: int):
    """The suggestion (404 unless the user may open it, as on the page) with its co-signers,
    withdrawal requests, assignments, contacts, the replies the user may read, evaluations,
    deadlines (with their rule and colour) and the moves the user may make now."""
    return _detail(request.user, _suggestion(request, code, suggestion_id))


@router.get(
    "{code}/suggestions/{suggestion_id}/timeline",
    response={200: list[TimelineEventOut], **READ_ERRORS},
    summary="办理过程 · Timeline (audit rows I may see)",
)
def suggestion_timeline(request, code: str, suggestion_id: int):
    """The suggestion's audit rows that the user may see, oldest first (`selectors.timeline`: deputies
    see the public steps, a unit does not see another unit's internal steps)."""
    suggestion = _suggestion(request, code, suggestion_id)
    return [event_out(e) for e in timeline(request.user, suggestion)]


# --- drafting ------------------------------------------------------------------------------------------


@router.post(
    "{code}/suggestions",
    response={201: SuggestionOut, **WRITE_ERRORS},
    summary="起草建议 · Create a draft",
)
def create_suggestion(request, code: str, payload: CreateIn):
    """`do_create_suggestion`: a deputy drafts for themself; a liaison clerk drafts for the deputy
    named by `lead_id`."""
    congress = congress_of(request, code)
    lead = pick(Deputy.objects.filter(congress=congress), payload.lead_id, "lead", _("领衔代表"))
    suggestion = A.do_create_suggestion(
        congress, actor=request.user, content=_content(congress, payload), lead=lead
    )
    return Status(201, _suggestion_out(suggestion))


@router.put(
    "{code}/suggestions/{suggestion_id}",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="修改建议 · Replace the content of a draft or returned suggestion",
)
def update_suggestion(request, code: str, suggestion_id: int, payload: ContentIn):
    """`do_update_suggestion`: all content fields at once, as the form sends them."""
    suggestion = _suggestion(request, code, suggestion_id)
    updated = A.do_update_suggestion(
        suggestion, actor=request.user, content=_content(suggestion.congress, payload)
    )
    return _suggestion_out(updated)


@router.post(
    "{code}/suggestions/{suggestion_id}/cosigners",
    response={200: CoSignerOut, **WRITE_ERRORS},
    summary="邀请联名 · Invite a co-signer",
)
def invite_cosigner(request, code: str, suggestion_id: int, payload: InviteIn):
    """`do_invite_cosigner`: a deputy of the congress, in office, with an account."""
    suggestion = _suggestion(request, code, suggestion_id)
    deputy = pick(
        Deputy.objects.filter(congress=suggestion.congress), payload.deputy_id, "deputy", _("联名代表")
    )
    return cosigner_out(A.do_invite_cosigner(suggestion, actor=request.user, deputy=deputy))


def _cosigner(request: HttpRequest, code: str, suggestion_id: int, cosigner_id: int):
    suggestion = _suggestion(request, code, suggestion_id)
    return get_object_or_404(suggestion.cosigners.select_related("deputy"), pk=cosigner_id)


@router.post(
    "{code}/suggestions/{suggestion_id}/cosigners/{cosigner_id}/revoke",
    response={200: CoSignerOut, **WRITE_ERRORS},
    summary="撤销联名邀请 · Revoke a co-signing invitation",
)
def revoke_cosigner(request, code: str, suggestion_id: int, cosigner_id: int):
    """`do_revoke_cosigner` (the lead deputy or the liaison clerk who entered the draft)."""
    cosigner = _cosigner(request, code, suggestion_id, cosigner_id)
    return cosigner_out(A.do_revoke_cosigner(cosigner, actor=request.user))


@router.post(
    "{code}/suggestions/{suggestion_id}/cosigners/{cosigner_id}/confirm",
    response={200: CoSignerOut, **WRITE_ERRORS},
    summary="确认联名 · Confirm co-signing (the invited deputy)",
)
def confirm_cosign(request, code: str, suggestion_id: int, cosigner_id: int):
    """`do_confirm_cosign`."""
    cosigner = _cosigner(request, code, suggestion_id, cosigner_id)
    return cosigner_out(A.do_confirm_cosign(cosigner, actor=request.user))


@router.post(
    "{code}/suggestions/{suggestion_id}/cosigners/{cosigner_id}/decline",
    response={200: CoSignerOut, **WRITE_ERRORS},
    summary="谢绝联名 · Decline co-signing (the invited deputy)",
)
def decline_cosign(request, code: str, suggestion_id: int, cosigner_id: int):
    """`do_decline_cosign`."""
    cosigner = _cosigner(request, code, suggestion_id, cosigner_id)
    return cosigner_out(A.do_decline_cosign(cosigner, actor=request.user))


@router.post(
    "{code}/suggestions/{suggestion_id}/submit",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="提交建议 · Submit for review (the lead deputy)",
)
def submit_suggestion(request, code: str, suggestion_id: int):
    """`do_submit_suggestion`: only the lead deputy's own account; unanswered invitations lapse."""
    suggestion = _suggestion(request, code, suggestion_id)
    return _suggestion_out(A.do_submit_suggestion(suggestion, actor=request.user))


@router.post(
    "{code}/suggestions/{suggestion_id}/withdraw",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="撤回建议 · Withdraw (no confirmed co-signers)",
)
def withdraw_suggestion(request, code: str, suggestion_id: int, payload: WithdrawIn):
    """`do_withdraw_suggestion`: before assignment; a joint suggestion needs a withdrawal request."""
    suggestion = _suggestion(request, code, suggestion_id)
    return _suggestion_out(A.do_withdraw_suggestion(suggestion, actor=request.user, reason=payload.reason))


@router.post(
    "{code}/suggestions/{suggestion_id}/withdrawal-requests",
    response={200: WithdrawalOut, **WRITE_ERRORS},
    summary="申请撤回联名建议 · Ask the co-signers to agree to a withdrawal",
)
def request_withdrawal(request, code: str, suggestion_id: int, payload: ReasonIn):
    """`do_request_withdrawal` (the lead deputy of a joint suggestion)."""
    suggestion = _suggestion(request, code, suggestion_id)
    return withdrawal_out(A.do_request_withdrawal(suggestion, actor=request.user, reason=payload.reason))


@router.post(
    "{code}/suggestions/{suggestion_id}/withdrawal-requests/{request_id}/answer",
    response={200: WithdrawalOut, **WRITE_ERRORS},
    summary="答复撤回申请 · Agree to or refuse a withdrawal (a co-signer)",
)
def answer_withdrawal(request, code: str, suggestion_id: int, request_id: int, payload: WithdrawalAnswerIn):
    """`do_answer_withdrawal`: one refusal ends the request; the last agreement withdraws."""
    suggestion = _suggestion(request, code, suggestion_id)
    withdrawal = get_object_or_404(suggestion.withdrawal_requests, pk=request_id)
    answered = A.do_answer_withdrawal(withdrawal, actor=request.user, agree=payload.agree, note=payload.note)
    return withdrawal_out(answered)


# --- review and assignment ----------------------------------------------------------------------------


@router.post(
    "{code}/suggestions/{suggestion_id}/accept",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="立案 · Accept (congress staff)",
)
def accept_suggestion(request, code: str, suggestion_id: int, payload: NoteIn):
    """`do_accept_suggestion`: the next number of the year; the assignment deadline starts."""
    suggestion = _suggestion(request, code, suggestion_id)
    return _suggestion_out(A.do_accept_suggestion(suggestion, actor=request.user, note=payload.note))


@router.post(
    "{code}/suggestions/{suggestion_id}/return",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="退回修改 · Return for revision (congress staff)",
)
def return_suggestion(request, code: str, suggestion_id: int, payload: ReasonIn):
    """`do_return_suggestion`, with the reasons."""
    suggestion = _suggestion(request, code, suggestion_id)
    return _suggestion_out(A.do_return_suggestion(suggestion, actor=request.user, reason=payload.reason))


@router.post(
    "{code}/suggestions/{suggestion_id}/decline",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="不予立案 · Decline (congress staff)",
)
def decline_suggestion(request, code: str, suggestion_id: int, payload: DeclineIn):
    """`do_decline_suggestion`, with an exclusion reason of the congress and a disposition."""
    suggestion = _suggestion(request, code, suggestion_id)
    reason = pick(
        ExclusionReason.objects.filter(congress=suggestion.congress),
        payload.reason_id,
        "reason",
        _("不予立案情形"),
    )
    declined = A.do_decline_suggestion(
        suggestion, actor=request.user, reason=reason, disposition=payload.disposition, note=payload.note
    )
    return _suggestion_out(declined)


@router.post(
    "{code}/suggestions/{suggestion_id}/merge",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="并案 · Merge into another suggestion (congress staff)",
)
def merge_suggestion(request, code: str, suggestion_id: int, payload: MergeIn):
    """`do_merge_suggestion` into an accepted suggestion not yet replied."""
    suggestion = _suggestion(request, code, suggestion_id)
    into = pick(
        suggestions_visible_to(request.user, suggestion.congress), payload.into_id, "into", _("主建议")
    )
    merged = A.do_merge_suggestion(suggestion, actor=request.user, into=into, note=payload.note)
    return _suggestion_out(merged)


@router.post(
    "{code}/suggestions/{suggestion_id}/forward",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="转交协调员 · Forward to a body's coordinator (congress staff)",
)
def forward_suggestion(request, code: str, suggestion_id: int, payload: ForwardIn):
    """`do_forward_suggestion` to one of the four bodies (一府一委两院)."""
    suggestion = _suggestion(request, code, suggestion_id)
    body = pick(_units(suggestion.congress), payload.body_id, "body", _("机关"))
    forwarded = A.do_forward_suggestion(suggestion, actor=request.user, body=body, note=payload.note)
    return _suggestion_out(forwarded)


@router.post(
    "{code}/suggestions/{suggestion_id}/assign",
    response={200: AssignResultOut, **WRITE_ERRORS},
    summary="交办 · Assign units: lead + co-units, or split",
)
def assign_units(request, code: str, suggestion_id: int, payload: AssignIn):
    """`do_assign_units`: one lead unit with co-units, or (split) two or more answering units. The
    clerk assigns directly; the coordinator assigns units of the body it was forwarded to."""
    suggestion = _suggestion(request, code, suggestion_id)
    units = _units(suggestion.congress)
    created = A.do_assign_units(
        suggestion,
        actor=request.user,
        lead_units=pick_many(units, payload.lead_unit_ids, "lead_unit", _("承办单位")),
        co_units=pick_many(units, payload.co_unit_ids, "co_unit", _("协办单位")),
        split=payload.split,
        note=payload.note,
    )
    return _assign_result(request, suggestion, created)


# --- evaluation and closing ----------------------------------------------------------------------------


@router.post(
    "{code}/suggestions/{suggestion_id}/replies/{reply_id}/evaluate",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="测评 · Evaluate a reply (the lead deputy)",
)
def evaluate_reply(request, code: str, suggestion_id: int, reply_id: int, payload: EvaluateIn):
    """`do_evaluate_reply`: attitude, result and overall rating, and whether the unit made contact."""
    suggestion = _suggestion(request, code, suggestion_id)
    reply = next((r for r in replies_visible_to(request.user, suggestion) if r.pk == reply_id), None)
    if reply is None:
        raise Http404("no such reply")
    evaluation = A.do_evaluate_reply(
        reply,
        actor=request.user,
        attitude=payload.attitude,
        result=payload.result,
        overall=payload.overall,
        contact_happened=payload.contact_happened,
        opinion=payload.opinion,
    )
    return evaluation_out(evaluation)


@router.post(
    "{code}/suggestions/{suggestion_id}/rehandle",
    response={200: AssignResultOut, **WRITE_ERRORS},
    summary="重新办理 · Order re-handling after 不满意 (congress staff)",
)
def order_rehandling(request, code: str, suggestion_id: int, payload: RequiredNoteIn):
    """`do_order_rehandling`: a new round for the same units."""
    suggestion = _suggestion(request, code, suggestion_id)
    created = A.do_order_rehandling(suggestion, actor=request.user, note=payload.note)
    return _assign_result(request, suggestion, created)


@router.post(
    "{code}/suggestions/{suggestion_id}/coordination-meeting",
    response={200: CoordinationOut, **WRITE_ERRORS},
    summary="登记协调会 · Record a coordination meeting (congress staff)",
)
def record_coordination_meeting(request, code: str, suggestion_id: int, payload: CoordinationIn):
    """`do_record_coordination_meeting`, needed before closing after a second 不满意."""
    suggestion = _suggestion(request, code, suggestion_id)
    meeting = A.do_record_coordination_meeting(
        suggestion,
        actor=request.user,
        held_on=payload.held_on,
        participants=payload.participants,
        outcome=payload.outcome,
    )
    return coordination_out(meeting)


@router.post(
    "{code}/suggestions/{suggestion_id}/close",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="办结 · Close (congress staff)",
)
def close_suggestion(request, code: str, suggestion_id: int, payload: CloseIn):
    """`do_close_suggestion`; an explanation is required after 不满意."""
    suggestion = _suggestion(request, code, suggestion_id)
    closed = A.do_close_suggestion(suggestion, actor=request.user, explanation=payload.explanation)
    return _suggestion_out(closed)


@router.post(
    "{code}/suggestions/{suggestion_id}/contacts/{contact_id}/confirm",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="确认联系情况 · Confirm a logged contact (the lead deputy)",
)
def confirm_contact(request, code: str, suggestion_id: int, contact_id: int, payload: NoteIn):
    """`do_confirm_contact`."""
    contact = _contact(request, code, suggestion_id, contact_id)
    return contact_out(A.do_confirm_contact(contact, actor=request.user, note=payload.note))


@router.post(
    "{code}/suggestions/{suggestion_id}/contacts/{contact_id}/dispute",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="对联系情况提出异议 · Dispute a logged contact (the lead deputy)",
)
def dispute_contact(request, code: str, suggestion_id: int, contact_id: int, payload: RequiredNoteIn):
    """`do_dispute_contact`, saying what is wrong."""
    contact = _contact(request, code, suggestion_id, contact_id)
    return contact_out(A.do_dispute_contact(contact, actor=request.user, note=payload.note))


def _contact(request: HttpRequest, code: str, suggestion_id: int, contact_id: int) -> Contact:
    suggestion = _suggestion(request, code, suggestion_id)
    contacts = Contact.objects.select_related("assignment__unit").filter(assignment__suggestion=suggestion)
    return get_object_or_404(contacts, pk=contact_id)


# --- one assignment (the handling unit's work) -------------------------------------------------------


def _assignment_detail(user: Any, assignment: Assignment) -> dict[str, Any]:
    a = assignment
    s = a.suggestion
    contacts = list(a.contacts.select_related("assignment__unit").order_by("contacted_on", "id"))
    for contact in contacts:
        contact.assignment = a
    reply = next((r for r in replies_visible_to(user, s) if r.assignment_id == a.pk), None)
    co_opinions = []
    if a.role == AssignmentRole.LEAD:
        co_opinions = [
            {
                "assignment_id": co.pk,
                "unit": ref(co.unit),
                "state": co.state,
                "state_label": label(AssignmentState, co.state),
                "opinion": co.opinion,
                "submitted_at": co.opinion_submitted_at,
            }
            for co in co_opinions_for(a)
        ]
    extensions = list(a.extension_requests.order_by("requested_at", "id"))
    for e in extensions:
        e.assignment = a
    clock = WarningClock.for_congress(s.congress)
    deadlines = []
    for d in a.deadlines.order_by("due_on", "id"):
        d.assignment = a
        deadlines.append(deadline_out(d, clock))
    return fill(
        AssignmentDetailOut,
        a,
        **assignment_out(a, user),
        suggestion=suggestion_ref(s),
        contacts=[contact_out(c, user) for c in contacts],
        reply=reply_out(reply) if reply is not None else None,
        co_opinions=co_opinions,
        reassign_requests=[
            reassign_request_out(r) for r in a.reassign_requests.select_related("suggested_unit")
        ],
        extension_requests=[extension_out(e, user) for e in extensions],
        deadlines=deadlines,
    )


@router.get(
    "{code}/assignments/{assignment_id}",
    response={200: AssignmentDetailOut, **READ_ERRORS},
    summary="交办件详情 · One unit's assignment",
)
def assignment_detail(request, code: str, assignment_id: int):
    """A unit's part in the suggestion (404 unless the user is of that unit, the coordinator of its
    body, or oversees the congress): contacts, reply draft, co-unit opinions, requests, deadlines and
    the moves the user may make now."""
    return _assignment_detail(request.user, _assignment(request, code, assignment_id))


def _assignment_out(request: HttpRequest, assignment: Assignment) -> dict[str, Any]:
    a = Assignment.objects.select_related("unit", "suggestion__congress", "suggestion__lead").get(
        pk=assignment.pk
    )
    return assignment_out(a, request.user)


@router.post(
    "{code}/assignments/{assignment_id}/sign",
    response={200: AssignmentOut, **WRITE_ERRORS},
    summary="签收 · Sign for receipt (the unit)",
)
def sign_assignment(request, code: str, assignment_id: int):
    """`do_sign_assignment`."""
    assignment = _assignment(request, code, assignment_id)
    return _assignment_out(request, A.do_sign_assignment(assignment, actor=request.user))


@router.post(
    "{code}/assignments/{assignment_id}/reassignment-request",
    response={200: ReassignRequestOut, **WRITE_ERRORS},
    summary="申请调整 · Ask to be relieved (the unit, within the window)",
)
def request_reassignment(request, code: str, assignment_id: int, payload: ReassignIn):
    """`do_request_reassignment`: after signing, within the policy's window after 交办 (409
    ``deadline_passed`` later)."""
    assignment = _assignment(request, code, assignment_id)
    unit = pick(
        _units(assignment.suggestion.congress),
        payload.suggested_unit_id,
        "suggested_unit",
        _("建议改由的单位"),
    )
    created = A.do_request_reassignment(
        assignment, actor=request.user, reason=payload.reason, suggested_unit=unit
    )
    return reassign_request_out(created)


@router.post(
    "{code}/assignments/{assignment_id}/reassignment-request/approve",
    response={200: AssignmentOut, **WRITE_ERRORS},
    summary="同意调整 · Approve a re-assignment request (staff or the body's coordinator)",
)
def approve_reassignment(request, code: str, assignment_id: int, payload: NoteIn):
    """`do_approve_reassignment`: the assignment is cancelled; a lead or split unit's suggestion waits
    for a replacement."""
    assignment = _assignment(request, code, assignment_id)
    return _assignment_out(
        request, A.do_approve_reassignment(assignment, actor=request.user, note=payload.note)
    )


@router.post(
    "{code}/assignments/{assignment_id}/reassignment-request/refuse",
    response={200: AssignmentOut, **WRITE_ERRORS},
    summary="不同意调整 · Refuse a re-assignment request (staff or the body's coordinator)",
)
def refuse_reassignment(request, code: str, assignment_id: int, payload: RequiredNoteIn):
    """`do_refuse_reassignment`, with the reason."""
    assignment = _assignment(request, code, assignment_id)
    return _assignment_out(
        request, A.do_refuse_reassignment(assignment, actor=request.user, note=payload.note)
    )


@router.post(
    "{code}/assignments/{assignment_id}/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    summary="登记联系代表情况 · Log a contact with the deputy (the unit)",
)
def log_contact(request, code: str, assignment_id: int, payload: ContactIn):
    """`do_log_contact`: before, during or after handling; a visit, meeting, call…"""
    assignment = _assignment(request, code, assignment_id)
    contact = A.do_log_contact(
        assignment,
        actor=request.user,
        phase=payload.phase,
        method=payload.method,
        contacted_on=payload.contacted_on,
        people=payload.people,
        summary=payload.summary,
    )
    contact = Contact.objects.select_related("assignment__unit").get(pk=contact.pk)
    return Status(201, contact_out(contact))


@router.post(
    "{code}/assignments/{assignment_id}/opinion",
    response={200: AssignmentOut, **WRITE_ERRORS},
    summary="提交协办意见 · Send the co-unit's opinion to the lead unit",
)
def submit_opinion(request, code: str, assignment_id: int, payload: OpinionIn):
    """`do_submit_opinion` (co-units only)."""
    assignment = _assignment(request, code, assignment_id)
    return _assignment_out(
        request, A.do_submit_opinion(assignment, actor=request.user, opinion=payload.opinion)
    )


@router.post(
    "{code}/assignments/{assignment_id}/reply",
    response={200: ReplyOut, **WRITE_ERRORS},
    summary="起草答复 · Draft (or rewrite) the reply (lead or split unit)",
)
def draft_reply(request, code: str, assignment_id: int, payload: ReplyIn):
    """`do_draft_reply`: the reply letter with its result class and commitments (required for the
    classes that need them); it then waits for the unit leader."""
    assignment = _assignment(request, code, assignment_id)
    result_class = pick(
        ResultClass.objects.filter(congress=assignment.suggestion.congress),
        payload.result_class_id,
        "result_class",
        _("答复类别"),
    )
    reply = A.do_draft_reply(
        assignment,
        actor=request.user,
        body=payload.body,
        result_class=result_class,
        commitments=[_commitment(c) for c in payload.commitments],
    )
    return reply_out(reply)


def _commitment(c: CommitmentIn) -> A.CommitmentInput:
    return A.CommitmentInput(text=c.text, due_on=c.due_on)


@router.post(
    "{code}/assignments/{assignment_id}/reply/sign-off",
    response={200: ReplyOut, **WRITE_ERRORS},
    summary="签发答复 · Sign the reply off (the unit leader)",
)
def sign_off_reply(request, code: str, assignment_id: int, payload: NoteIn):
    """`do_sign_off_reply`: needs a logged contact (policy) and the co-units' opinions; the reply then
    reaches the deputy."""
    assignment = _assignment(request, code, assignment_id)
    return reply_out(A.do_sign_off_reply(assignment, actor=request.user, note=payload.note))


@router.post(
    "{code}/assignments/{assignment_id}/reply/send-back",
    response={200: AssignmentOut, **WRITE_ERRORS},
    summary="退回答复 · Send the draft back to the handler (the unit leader)",
)
def send_back_reply(request, code: str, assignment_id: int, payload: ReasonIn):
    """`do_send_back_reply`, with the reason."""
    assignment = _assignment(request, code, assignment_id)
    return _assignment_out(
        request, A.do_send_back_reply(assignment, actor=request.user, reason=payload.reason)
    )


@router.post(
    "{code}/assignments/{assignment_id}/extension-requests",
    response={200: ExtensionOut, **WRITE_ERRORS},
    summary="申请延期 · Ask for a later reply date (lead or split unit)",
)
def request_extension(request, code: str, assignment_id: int, payload: ExtensionIn):
    """`do_request_extension`: before the reply date, up to the statutory ceiling."""
    assignment = _assignment(request, code, assignment_id)
    return extension_out(
        A.do_request_extension(assignment, actor=request.user, reason=payload.reason, until=payload.until)
    )


def _extension(request: HttpRequest, code: str, assignment_id: int, request_id: int):
    assignment = _assignment(request, code, assignment_id)
    return get_object_or_404(assignment.extension_requests, pk=request_id)


@router.post(
    "{code}/assignments/{assignment_id}/extension-requests/{request_id}/approve",
    response={200: ExtensionOut, **WRITE_ERRORS},
    summary="批准延期 · Approve an extension (congress staff)",
)
def approve_extension(request, code: str, assignment_id: int, request_id: int, payload: ExtensionApproveIn):
    """`do_approve_extension`, for the date asked or another one."""
    extension = _extension(request, code, assignment_id, request_id)
    return extension_out(
        A.do_approve_extension(extension, actor=request.user, until=payload.until, note=payload.note)
    )


@router.post(
    "{code}/assignments/{assignment_id}/extension-requests/{request_id}/refuse",
    response={200: ExtensionOut, **WRITE_ERRORS},
    summary="不批准延期 · Refuse an extension (congress staff)",
)
def refuse_extension(request, code: str, assignment_id: int, request_id: int, payload: RequiredNoteIn):
    """`do_refuse_extension`, with the reason."""
    extension = _extension(request, code, assignment_id, request_id)
    return extension_out(A.do_refuse_extension(extension, actor=request.user, note=payload.note))


# --- commitments (承诺事项, followed after the reply) --------------------------------------------------


def _commitment_of(request: HttpRequest, code: str, assignment_id: int, commitment_id: int):
    assignment = _assignment(request, code, assignment_id)
    commitments = Commitment.objects.select_related("reply__assignment").filter(reply__assignment=assignment)
    return get_object_or_404(commitments, pk=commitment_id)


@router.post(
    "{code}/assignments/{assignment_id}/commitments/{commitment_id}/progress",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="报告承诺落实进展 · Report progress on a commitment (the unit)",
)
def report_commitment_progress(request, code: str, assignment_id: int, commitment_id: int, payload: TextIn):
    """`do_report_commitment_progress` on an open commitment of a signed-off reply."""
    commitment = _commitment_of(request, code, assignment_id, commitment_id)
    A.do_report_commitment_progress(commitment, actor=request.user, text=payload.text)
    return commitment_out(Commitment.objects.get(pk=commitment.pk))


@router.post(
    "{code}/assignments/{assignment_id}/commitments/{commitment_id}/fulfil",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="确认承诺已落实 · Report a commitment fulfilled (the unit)",
)
def fulfil_commitment(request, code: str, assignment_id: int, commitment_id: int, payload: RequiredNoteIn):
    """`do_fulfil_commitment`, saying how."""
    commitment = _commitment_of(request, code, assignment_id, commitment_id)
    return commitment_out(A.do_fulfil_commitment(commitment, actor=request.user, note=payload.note))


@router.post(
    "{code}/assignments/{assignment_id}/commitments/{commitment_id}/explain",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="说明承诺未落实原因 · Explain why a commitment is not fulfilled (unit or staff)",
)
def explain_commitment(request, code: str, assignment_id: int, commitment_id: int, payload: ExplanationIn):
    """`do_explain_commitment`: the commitment leaves the open ledger as explained."""
    commitment = _commitment_of(request, code, assignment_id, commitment_id)
    explained = A.do_explain_commitment(commitment, actor=request.user, explanation=payload.explanation)
    return commitment_out(explained)
