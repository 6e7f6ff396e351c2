"""Reads of the suggestion lifecycle.

- `suggestions_visible_to` / `assignments_visible_to`: the row-level twins of the
  ``suggestions.view_suggestion`` / ``view_assignment`` rules (a test keeps them equal for every
  persona); who sees what is described in `rules.py`.
- `access_suggestion` / `access_assignment` / `access_attachment`: fetch one record for a user, or
  raise 404 both when it does not exist and when the user may not see it, so ids cannot be probed.
- `worklist`: the 待办 sections of every role the user holds.
- `timeline`: the suggestion's audit rows that the viewer may see.
- `available_moves`: what the user may do to a record now (table + permission), for buttons.
- Figures' raw material: `evaluation_results`, `open_deadlines_due`, `commitment_ledger`,
  `suggestions_due_for_no_feedback`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import Role
from minyi.audit import events as audit_events
from minyi.audit.models import AuditEvent
from minyi.congress.models import Congress, Deputy, Unit
from minyi.core.work import WorkSection

from . import hooks
from .models import (
    Assignment,
    AssignmentRole,
    Attachment,
    Commitment,
    Contact,
    CoSigner,
    Deadline,
    Evaluation,
    ExtensionRequest,
    Rating,
    Reply,
    Suggestion,
    WithdrawalConsent,
)
from .rules import (
    PERMISSIONS,
    STAFF_ROLES,
    UNIT_WORK_ROLES,
    VIEWER_STATES,
    VISIBLE_COSIGNER_STATES,
    can_view_assignment,
    can_view_reply,
    can_view_suggestion,
    coordinator_bodies,
    has_oversight,
    roles_of,
    suggestion_of,
    unit_ids,
)
from .states import (
    EDITABLE,
    AssignmentState,
    CommitmentState,
    ContactState,
    CoSignerState,
    ExtensionState,
    SuggestionState,
    WithdrawalState,
    roles_for_action,
    transition_for,
)

S = SuggestionState


def _suggestion_list(qs: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    return qs.select_related("lead", "category", "channel", "forwarded_to", "entered_by")


# --- visibility ------------------------------------------------------------------------------------


def suggestions_visible_to(user: Any, congress: Congress) -> QuerySet[Suggestion]:
    """The suggestions of `congress` that `user` may open (see `rules.can_view_suggestion`)."""
    roles = roles_of(user, congress)
    base = Suggestion.objects.filter(congress=congress)
    if not roles:
        return base.none()
    q = Q(pk__in=[])
    not_draft = ~Q(state=S.DRAFT)
    if has_oversight(user, congress, roles):
        q |= not_draft
    if Role.VIEWER in roles:
        q |= Q(state__in=VIEWER_STATES)
    if Role.DEPUTY in roles:
        invited = CoSigner.objects.filter(deputy__user=user, state__in=VISIBLE_COSIGNER_STATES).values(
            "suggestion"
        )
        # the lead and the co-signings as id lists: every term of an OR is then an index lookup (a
        # join to the deputy inside the OR made the database read every suggestion of the congress)
        led = Deputy.objects.filter(congress=congress, user=user).values("pk")
        cosigned = CoSigner.objects.filter(deputy__user=user, state=CoSignerState.CONFIRMED).values(
            "suggestion"
        )
        merged_mains = (
            Suggestion.objects.filter(congress=congress, main__isnull=False)
            .filter(Q(lead__in=led) | Q(pk__in=cosigned))
            .values("main")
        )
        q |= Q(lead__in=led) | Q(pk__in=invited) | Q(pk__in=merged_mains)
    if Role.LIAISON_CLERK in roles:
        q |= Q(state=S.DRAFT, entered_by=user)
    bodies = coordinator_bodies(user, congress)
    if bodies:
        assigned = Assignment.objects.filter(unit__body__in=bodies).values("suggestion")
        q |= not_draft & (Q(forwarded_to__in=bodies) | Q(pk__in=assigned))
    units = unit_ids(user, congress)
    if units:
        q |= not_draft & Q(pk__in=Assignment.objects.filter(unit__in=units).values("suggestion"))
    return base.filter(q)


def filter_suggestions(
    qs: QuerySet[Suggestion], filters: dict[str, Any], *, congress: Congress | None = None
) -> QuerySet[Suggestion]:
    """The suggestion lists' filters, one rule for the list page, its Excel export and the API:
    `state` (one state, or a list of states), `year` (of acceptance; for suggestions not accepted,
    the year created), `category`, `unit` (assigned to it in any round) and `q`: the text as it is
    in the title, number, facts, proposals or the lead deputy's name, or — given the `congress` —
    its words anywhere in them, in any order (the full-text index, `hooks.suggestions_matching`).
    Either way only within `qs`: the reader's visible suggestions."""
    state = filters.get("state")
    if state:
        qs = qs.filter(state__in=state) if isinstance(state, list | tuple) else qs.filter(state=state)
    if filters.get("year"):
        y = filters["year"]
        qs = qs.filter(Q(year=y) | Q(year__isnull=True, created_at__year=y))
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("unit"):
        qs = qs.filter(pk__in=Assignment.objects.filter(unit_id=filters["unit"]).values("suggestion"))
    q = (filters.get("q") or "").strip()
    if q:
        found = (
            Q(title__icontains=q)
            | Q(number__icontains=q)
            | Q(facts__icontains=q)
            | Q(proposals__icontains=q)
            | Q(lead__name__icontains=q)
        )
        ids = hooks.suggestions_matching(congress, q) if congress is not None else []
        if ids:
            found |= Q(pk__in=ids)
        qs = qs.filter(found)
    return qs


def assignments_visible_to(user: Any, congress: Congress) -> QuerySet[Assignment]:
    """The assignments of `congress` that `user` may open (see `rules.can_view_assignment`)."""
    roles = roles_of(user, congress)
    base = Assignment.objects.filter(suggestion__congress=congress).select_related("unit", "suggestion")
    if has_oversight(user, congress, roles):
        return base
    bodies = coordinator_bodies(user, congress)
    units = unit_ids(user, congress)
    if not bodies and not units:
        return base.none()
    return base.filter(Q(unit__body__in=bodies) | Q(unit__in=units))


def access_suggestion(
    user: Any, congress: Congress, pk: Any, *, perm: str = "suggestions.view_suggestion"
) -> Suggestion:
    """The suggestion `pk` of `congress` if `user` may see it (and holds `perm` on it), else 404."""
    try:
        suggestion = Suggestion.objects.select_related("congress", "lead", "category", "channel").get(
            pk=int(pk), congress=congress
        )
    except (Suggestion.DoesNotExist, TypeError, ValueError):
        raise Http404("no such suggestion") from None
    if not can_view_suggestion(user, suggestion) or not rules.has_perm(perm, user, suggestion):
        raise Http404("no such suggestion")
    return suggestion


def access_assignment(
    user: Any, congress: Congress, pk: Any, *, perm: str = "suggestions.view_assignment"
) -> Assignment:
    """The assignment `pk` of `congress` if `user` may see it (and holds `perm` on it), else 404."""
    try:
        assignment = Assignment.objects.select_related(
            "unit", "suggestion__congress", "suggestion__lead"
        ).get(pk=int(pk), suggestion__congress=congress)
    except (Assignment.DoesNotExist, TypeError, ValueError):
        raise Http404("no such assignment") from None
    if not can_view_assignment(user, assignment) or not rules.has_perm(perm, user, assignment):
        raise Http404("no such assignment")
    return assignment


def access_attachment(user: Any, pk: Any) -> Attachment:
    """The attachment `pk` if `user` may see what it is attached to, else 404. An attachment of a
    reply follows the reply (signed off: whoever sees the suggestion; a draft: the unit and those
    who oversee it); an attachment of the suggestion follows the suggestion."""
    try:
        attachment = Attachment.objects.select_related(
            "suggestion__congress", "suggestion__lead", "reply__assignment__unit"
        ).get(pk=int(pk))
    except (Attachment.DoesNotExist, TypeError, ValueError):
        raise Http404("no such attachment") from None
    reply = attachment.reply
    if reply is not None:
        reply.assignment.suggestion = attachment.suggestion
        allowed = can_view_reply(user, reply)
    else:
        allowed = can_view_suggestion(user, attachment.suggestion)
    if not allowed:
        raise Http404("no such attachment")
    return attachment


def replies_visible_to(user: Any, suggestion: Suggestion) -> list[Reply]:
    """The replies of a suggestion (every round) that `user` may read, oldest first: signed-off ones
    for everyone who sees the suggestion, drafts for the unit and those who oversee it."""
    replies = (
        Reply.objects.filter(assignment__suggestion=suggestion)
        .select_related("assignment__unit", "result_class", "evaluation")
        .prefetch_related("commitments", "attachments")
        .order_by("assignment__round", "id")
    )
    visible = []
    for reply in replies:
        reply.assignment.suggestion = suggestion
        if can_view_reply(user, reply):
            visible.append(reply)
    return visible


def replies_of_congress_visible_to(user: Any, congress: Congress) -> QuerySet[Reply]:
    """Every reply of `congress` (all rounds) that `user` may read: the queryset twin of
    `rules.can_view_reply` (a test compares them for every persona) — signed off (or its
    assignment replied): whoever sees the suggestion; still in the unit: whoever sees the
    assignment."""
    base = Reply.objects.filter(assignment__suggestion__congress=congress)
    visible = suggestions_visible_to(user, congress).values("pk")
    return base.filter(
        (REPLY_RELEASED & Q(assignment__suggestion__in=visible))
        | Q(pk__in=unreleased_replies_visible_to(user, congress).values("pk"))
    )


#: A reply out of the unit: signed off, or its assignment replied (`rules.can_view_reply`).
REPLY_RELEASED = Q(assignment__state=AssignmentState.REPLIED) | Q(signed_off_at__isnull=False)


def released_replies() -> QuerySet[Reply]:
    """Every reply out of the unit (any congress): whoever sees its suggestion may read it."""
    return Reply.objects.filter(REPLY_RELEASED)


def unreleased_replies_visible_to(user: Any, congress: Congress) -> QuerySet[Reply]:
    """The replies of `congress` still in their unit that `user` may read: whoever sees the
    assignment (`rules.can_view_reply`)."""
    in_unit = assignments_visible_to(user, congress).exclude(state=AssignmentState.REPLIED).values("pk")
    # the negation of REPLY_RELEASED written as plain conditions (an exclude() across the join
    # would read every reply of the congress)
    return Reply.objects.filter(assignment__in=in_unit, signed_off_at__isnull=True)


def co_opinions_for(assignment: Assignment) -> QuerySet[Assignment]:
    """The co-units of the same suggestion and round, with their opinions (for the lead unit)."""
    return Assignment.objects.filter(
        suggestion_id=assignment.suggestion_id, round=assignment.round, role=AssignmentRole.CO
    ).select_related("unit")


# --- timeline ------------------------------------------------------------------------------------

#: Audit codes everyone who sees the suggestion may see (deputies see only these): the event types
#: declared `Timeline.PUBLIC` in `minyi.audit.events`.
PUBLIC_CODES = audit_events.public_codes()


def timeline(user: Any, suggestion: Suggestion) -> QuerySet[AuditEvent]:
    """The suggestion's audit rows that `user` may see, oldest first. The rule:

    - congress staff, supervisors, inspectors and the coordinators involved see every row;
    - unit members see the rows not tied to a unit (the suggestion's own steps), every row of their
      own unit, and the public rows of other units — not another unit's internal steps (signing,
      re-assignment requests, drafts and send-back reasons, extension requests, draft attachments);
    - deputies (and liaison clerks, for their drafts) and viewers see the public rows
      (`PUBLIC_CODES`) and the attachments of the suggestion itself.
    """
    events = AuditEvent.objects.filter(suggestion=suggestion).select_related("actor", "unit").order_by("seq")
    if not can_view_suggestion(user, suggestion):
        return events.none()
    congress = suggestion.congress
    roles = roles_of(user, congress)
    bodies = coordinator_bodies(user, congress)
    if has_oversight(user, congress, roles) or (
        bodies
        and (
            suggestion.forwarded_to_id in bodies
            or suggestion.assignments.filter(unit__body__in=bodies).exists()
        )
    ):
        return events
    visible = Q(code__in=PUBLIC_CODES) | Q(code__in=audit_events.own_codes(), unit__isnull=True)
    units = unit_ids(user, congress)
    if units:
        visible |= Q(unit__isnull=True) | Q(unit__in=units)
    return events.filter(visible)


# --- what a user may do now ------------------------------------------------------------------------


def _machine_of(obj: Any) -> str:
    from .models import CoSigner as _CoSigner
    from .models import ExtensionRequest as _Extension
    from .models import WithdrawalRequest as _Withdrawal

    kinds = {
        Suggestion: "suggestion",
        Assignment: "assignment",
        _CoSigner: "cosigner",
        _Withdrawal: "withdrawal",
        _Extension: "extension",
        Contact: "contact",
        Commitment: "commitment",
    }
    return kinds[type(obj)]


def _state_allows(machine: str, action: str, obj: Any, roles: set[str]) -> bool:
    """Whether the table allows `action` on `obj` now, for one of `roles`."""
    if machine == "suggestion" and action in ("invite_cosigner", "revoke_cosigner"):
        return obj.state in EDITABLE and bool(roles & roles_for_action("cosigner", action))
    if machine == "suggestion" and action in ("withdraw", "request_withdrawal"):
        # a joint suggestion (confirmed co-signers) needs a request once it has been submitted
        joint = obj.state != S.DRAFT and obj.cosigners.filter(state=CoSignerState.CONFIRMED).exists()
        if action == "withdraw" and joint:
            return False
        if action == "request_withdrawal":
            if not joint or obj.withdrawal_requests.filter(state=WithdrawalState.PENDING).exists():
                return False
            action = "agree_withdrawal"  # the suggestion states that allow it
    answering_only = ("draft_reply", "request_extension", "send_back_reply", "sign_off_reply")
    if machine == "assignment" and action in answering_only and not obj.answers:
        return False
    if machine == "assignment" and action == "submit_opinion" and obj.answers:
        return False
    transition = transition_for(machine, obj.state, action)
    return transition is not None and bool(roles & transition.roles)


def available_actions(user: Any, obj: Any) -> list[str]:
    """The actions `user` may take on `obj` (a Suggestion, Assignment, CoSigner, WithdrawalRequest,
    ExtensionRequest, Contact or Commitment) in its current state: allowed by the states table for
    one of the user's roles and by the named permission ``suggestions.<action>`` on `obj`. Pages use
    it to decide which buttons to show (labels: `states.ACTION_LABELS`); the actions check the same
    again, plus their input. System moves and `create` are never offered."""
    machine = _machine_of(obj)
    roles = roles_of(user, suggestion_of(obj).congress)
    if not roles:
        return []
    found = []
    for action, (_perm_machine, object_kind, _relation) in PERMISSIONS.items():
        if object_kind != machine or action == "create":
            continue
        if _state_allows(machine, action, obj, roles) and rules.has_perm(f"suggestions.{action}", user, obj):
            found.append(action)
    return found


# --- work lists (待办) -------------------------------------------------------------------------------


#: Deadlines that are limits for a request rather than duties (not shown as "due" on work lists).
NOT_DUTIES = (Deadline.Kind.REASSIGN_WINDOW,)
#: Kinds that tell when a unit's answer is due.
REPLY_KINDS = (Deadline.Kind.REPLY, Deadline.Kind.REHANDLE_REPLY)


def _first_due(kinds: tuple[str, ...] = (), **link: Any) -> Subquery:
    """The earliest open duty deadline linked by `link` (OuterRef paths) — what the 待办 page shows
    as an item's time limit (`first_duty`), as an expression for the counts' nearest due date."""
    qs = Deadline.objects.filter(closed_at__isnull=True, **link).exclude(kind__in=NOT_DUTIES)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return Subquery(qs.order_by("due_on").values("due_on")[:1])


def suggestion_due(path: str = "pk") -> Subquery:
    """The suggestion's own nearest deadline (not a unit's)."""
    return _first_due(suggestion=OuterRef(path), assignment__isnull=True, commitment__isnull=True)


def assignment_due(path: str = "pk", kinds: tuple[str, ...] = ()) -> Subquery:
    return _first_due(kinds, assignment=OuterRef(path), commitment__isnull=True)


def _dated(section: WorkSection) -> WorkSection:
    """`section` with the due-date expression of its kind of rows."""
    if section.due is None:
        section.due = {
            "suggestion": lambda: suggestion_due(),
            "reply": lambda: suggestion_due("assignment__suggestion"),
            "assignment": lambda: assignment_due(),
            "extension": lambda: assignment_due("assignment", REPLY_KINDS),
            "commitment": lambda: _first_due(commitment=OuterRef("pk")),
        }.get(section.model, lambda: None)()
    return section


def _unsatisfied_now() -> Exists:
    return Exists(
        Evaluation.objects.filter(
            suggestion=OuterRef("pk"),
            round=OuterRef("round"),
            kind=Evaluation.Kind.RATED,
            overall=Rating.UNSATISFIED,
        )
    )


def deputy_worklist(user: Any, congress: Congress) -> list[WorkSection]:
    mine = Suggestion.objects.filter(congress=congress, lead__user=user)
    return [
        WorkSection(
            "drafts",
            _("草稿和退回修改的建议"),
            "suggestion",
            _suggestion_list(mine.filter(state__in=EDITABLE)).order_by("-updated_at"),
        ),
        WorkSection(
            "cosign_invitations",
            _("待确认的联名邀请"),
            "cosigner",
            CoSigner.objects.filter(
                suggestion__congress=congress,
                deputy__user=user,
                state=CoSignerState.INVITED,
                suggestion__state__in=EDITABLE,
            )
            .select_related("suggestion__lead", "invited_by")
            .order_by("invited_at"),
        ),
        WorkSection(
            "to_evaluate",
            _("待测评的答复"),
            "reply",
            Reply.objects.filter(
                assignment__suggestion__in=mine.filter(state=S.REPLIED),
                assignment__round=F("assignment__suggestion__round"),
                assignment__state=AssignmentState.REPLIED,
                evaluation__isnull=True,
            )
            .select_related("assignment__unit", "assignment__suggestion", "result_class")
            .order_by("signed_off_at"),
        ),
        WorkSection(
            "withdrawal_requests",
            _("待答复的撤回申请"),
            "withdrawal_consent",
            WithdrawalConsent.objects.filter(
                request__suggestion__congress=congress,
                deputy__user=user,
                answer=WithdrawalConsent.Answer.PENDING,
                request__state=WithdrawalState.PENDING,
            )
            .select_related("request__suggestion__lead")
            .order_by("request__created_at"),
        ),
        WorkSection(
            "contacts_to_confirm",
            _("待确认的联系记录"),
            "contact",
            Contact.objects.filter(assignment__suggestion__in=mine, state=ContactState.PENDING)
            .select_related("assignment__unit", "assignment__suggestion")
            .order_by("contacted_on"),
        ),
    ]


def clerk_worklist(user: Any, congress: Congress) -> list[WorkSection]:
    qs = Suggestion.objects.filter(congress=congress)
    evaluated = qs.filter(state=S.EVALUATED).annotate(unsatisfied_now=_unsatisfied_now())
    return [
        WorkSection(
            "to_review",
            _("待审查"),
            "suggestion",
            _suggestion_list(qs.filter(state=S.SUBMITTED)).order_by("submitted_at"),
        ),
        WorkSection(
            "to_dispatch",
            _("待交办或转交"),
            "suggestion",
            # the ids by the (congress, state) index first: with ORDER BY accepted_at, SQLite would
            # otherwise walk the (congress, accepted_at) index through every suggestion of the
            # congress looking for the few accepted ones (issue #13)
            _suggestion_list(
                Suggestion.objects.filter(
                    pk__in=qs.filter(state__in=[S.ACCEPTED, S.REASSIGNING]).values("pk")
                ).filter(Q(state=S.ACCEPTED) | Q(forwarded_to__isnull=True))
            ).order_by("accepted_at"),
        ),
        WorkSection(
            "to_decide",
            _("代表不满意、待决定重新办理或办结"),
            "suggestion",
            _suggestion_list(evaluated.filter(unsatisfied_now=True)).order_by("state_changed_at"),
        ),
        WorkSection(
            "to_close",
            _("已测评、待办结"),
            "suggestion",
            _suggestion_list(evaluated.filter(unsatisfied_now=False)).order_by("state_changed_at"),
        ),
        WorkSection(
            "extension_requests",
            _("待审批的延期申请"),
            "extension",
            ExtensionRequest.objects.filter(
                assignment__suggestion__congress=congress, state=ExtensionState.PENDING
            )
            .select_related("assignment__unit", "assignment__suggestion")
            .order_by("requested_at"),
        ),
        WorkSection(
            "reassign_requests",
            _("待审批的调整申请"),
            "assignment",
            Assignment.objects.filter(suggestion__congress=congress, state=AssignmentState.REASSIGN_REQUESTED)
            .select_related("unit", "suggestion")
            .order_by("state_changed_at"),
        ),
    ]


def coordinator_worklist(user: Any, congress: Congress) -> list[WorkSection]:
    bodies = coordinator_bodies(user, congress)
    return [
        WorkSection(
            "to_dispatch",
            _("待交办"),
            "suggestion",
            _suggestion_list(
                Suggestion.objects.filter(
                    congress=congress, state__in=[S.FORWARDED, S.REASSIGNING], forwarded_to__in=bodies
                )
            ).order_by("state_changed_at"),
        ),
        WorkSection(
            "reassign_requests",
            _("待审批的调整申请"),
            "assignment",
            Assignment.objects.filter(
                suggestion__congress=congress, state=AssignmentState.REASSIGN_REQUESTED, unit__body__in=bodies
            )
            .select_related("unit", "suggestion")
            .order_by("state_changed_at"),
        ),
    ]


def unit_worklist(user: Any, congress: Congress) -> list[WorkSection]:
    units = unit_ids(user, congress)
    leader_units = unit_ids(user, congress, frozenset({Role.UNIT_LEADER}))
    mine = Assignment.objects.filter(suggestion__congress=congress, unit__in=units).select_related(
        "unit", "suggestion"
    )
    sections = [
        WorkSection(
            "to_sign",
            _("待签收"),
            "assignment",
            mine.filter(state=AssignmentState.ASSIGNED).order_by("assigned_at"),
        ),
        WorkSection(
            "to_handle",
            _("办理中（主办、分办）"),
            "assignment",
            mine.filter(
                state__in=[AssignmentState.SIGNED, AssignmentState.HANDLING],
                role__in=[AssignmentRole.LEAD, AssignmentRole.SPLIT],
            ).order_by("reply_due_on"),
        ),
        WorkSection(
            "co_opinions",
            _("待提交协办意见"),
            "assignment",
            mine.filter(
                state__in=[AssignmentState.SIGNED, AssignmentState.HANDLING], role=AssignmentRole.CO
            ).order_by("assigned_at"),
        ),
    ]
    if leader_units:
        sections.append(
            WorkSection(
                "to_sign_off",
                _("待签发的答复"),
                "assignment",
                Assignment.objects.filter(
                    suggestion__congress=congress, unit__in=leader_units, state=AssignmentState.REPLY_DRAFTED
                )
                .select_related("unit", "suggestion", "reply")
                .order_by("state_changed_at"),
            )
        )
    sections.append(
        WorkSection(
            "commitments",
            _("待落实的承诺事项"),
            "commitment",
            commitment_ledger(congress).filter(reply__assignment__unit__in=units),
        )
    )
    return sections


def worklist(user: Any, congress: Congress) -> list[WorkSection]:
    """The 待办 sections of every role `user` holds in `congress`, deputy first."""
    roles = roles_of(user, congress)
    sections: list[WorkSection] = []
    if Role.DEPUTY in roles:
        sections += deputy_worklist(user, congress)
    if roles & STAFF_ROLES:
        sections += clerk_worklist(user, congress)
    if Role.COORDINATOR in roles:
        sections += coordinator_worklist(user, congress)
    if roles & UNIT_WORK_ROLES:
        sections += unit_worklist(user, congress)
    return [_dated(s) for s in sections]


def deputy_progress(user: Any, congress: Congress) -> QuerySet[Suggestion]:
    """The deputy's own suggestions past drafting: those they lead and those they co-sign."""
    # two indexed id lists in one UNION ALL, not an OR over a join (which read every suggestion of
    # the congress; an OR of the two lists still made PostgreSQL scan them all: 280 → 30 ms at 100k)
    led = Suggestion.objects.filter(congress=congress, lead__user=user).order_by().values("pk")
    cosigned = (
        CoSigner.objects.filter(
            deputy__user=user, state=CoSignerState.CONFIRMED, suggestion__congress=congress
        )
        .order_by()
        .values("suggestion")
    )
    return (
        Suggestion.objects.filter(pk__in=led.union(cosigned, all=True))
        .exclude(state__in=EDITABLE)
        .select_related("lead", "category")
        .order_by("-state_changed_at", "-pk")
    )


def entered_drafts(user: Any, congress: Congress) -> QuerySet[Suggestion]:
    """Drafts a liaison clerk entered for deputies, waiting for the deputy to submit them."""
    return (
        Suggestion.objects.filter(congress=congress, entered_by=user, state=S.DRAFT)
        .exclude(lead__user=user)
        .select_related("lead", "category")
        .order_by("-updated_at", "-pk")
    )


def work_sections(user: Any, congress: Congress, roles: frozenset[str]) -> list[WorkSection]:
    """The suggestion app's 待办 sections for `minyi.core.work` (registered in `apps.py`): the
    work lists of `worklist`, the drafts a liaison clerk entered for deputies and, for information
    (not counted as work), a deputy's own suggestions in progress."""
    found = worklist(user, congress)
    if Role.LIAISON_CLERK in roles:
        found.append(
            _dated(
                WorkSection(
                    "entered_drafts",
                    _("代代表录入、待代表本人提交的草稿"),
                    "suggestion",
                    entered_drafts(user, congress),
                )
            )
        )
    if Role.DEPUTY in roles:
        found.append(
            WorkSection(
                "progress",
                _("我的建议办理进展"),
                "suggestion",
                deputy_progress(user, congress),
                counted=False,
            )
        )
    return found


# --- figures' raw material -------------------------------------------------------------------------


@dataclass
class EvaluationResults:
    first: list[Evaluation]
    final: list[Evaluation]


def evaluation_results(suggestion: Suggestion) -> EvaluationResults:
    """The evaluations of the first round and of the last evaluated round (the same when there was
    no re-handling)."""
    evaluations = list(
        Evaluation.objects.filter(suggestion=suggestion)
        .select_related("reply__assignment__unit")
        .order_by("round", "id")
    )
    if not evaluations:
        return EvaluationResults([], [])
    last_round = evaluations[-1].round
    return EvaluationResults(
        first=[e for e in evaluations if e.round == 1],
        final=[e for e in evaluations if e.round == last_round],
    )


def open_deadlines_due(congress: Congress | None, before: datetime.date) -> QuerySet[Deadline]:
    """Open deadlines due on or before `before` (all congresses when `congress` is None), for warnings
    and reminders. Uses the partial index on open deadlines. `reassign_window` rows are limits for a
    request, not duties: filter them out for overdue warnings."""
    qs = Deadline.objects.filter(closed_at__isnull=True, due_on__lte=before)
    if congress is not None:
        qs = qs.filter(congress=congress)
    return qs.select_related("suggestion", "assignment__unit").order_by("due_on", "id")


def suggestions_due_for_no_feedback(today: datetime.date) -> QuerySet[Suggestion]:
    """Replied suggestions whose evaluation deadline has passed: the job calls `do_mark_no_feedback`."""
    overdue = Deadline.objects.filter(
        suggestion=OuterRef("pk"), kind=Deadline.Kind.EVALUATION, closed_at__isnull=True, due_on__lt=today
    )
    return Suggestion.objects.filter(state=S.REPLIED).filter(Exists(overdue))


def commitment_ledger(congress: Congress) -> QuerySet[Commitment]:
    """Open commitments of signed-off replies (承诺事项台账), earliest due first."""
    return (
        Commitment.objects.filter(
            reply__assignment__suggestion__congress=congress,
            reply__signed_off_at__isnull=False,
            state=CommitmentState.OPEN,
        )
        .select_related("reply__assignment__unit", "reply__assignment__suggestion")
        .prefetch_related(Prefetch("progress_reports"))
        .order_by("due_on", "id")
    )


# --- reads for the apps that stand apart (awards, points, notifications, intake) -------------------
# They read suggestions only through these functions, never through the models' managers, so the
# suggestion app alone knows how its tables are queried (decision 0007).


def suggestions_by_ids(ids: Any) -> QuerySet[Suggestion]:
    """The suggestions `ids` (any congress: the caller has its ids from its own rows)."""
    return Suggestion.objects.filter(pk__in=ids)


def suggestions_with_merged(ids: Any) -> QuerySet[Suggestion]:
    """The suggestions `ids` and those merged into them (their family)."""
    return Suggestion.objects.filter(Q(pk__in=ids) | Q(main_id__in=ids))


def suggestions_of_interest_to(user: Any) -> QuerySet[Suggestion]:
    """The suggestions `user` leads or co-signs (confirmed): with their `main_id`, the families a
    judge may not score (awards' conflict rule, as an SQL condition for the judge's 待办)."""
    cosigned = CoSigner.objects.filter(deputy__user=user, state=CoSignerState.CONFIRMED).values("suggestion")
    return Suggestion.objects.filter(Q(lead__user=user) | Q(pk__in=cosigned))


def suggestion_by_id(pk: int) -> Suggestion:
    return Suggestion.objects.get(pk=pk)


def confirmed_cosigners(suggestion_ids: Any) -> QuerySet[CoSigner]:
    """Confirmed co-signers of the suggestions `suggestion_ids`."""
    return CoSigner.objects.filter(suggestion_id__in=suggestion_ids, state=CoSignerState.CONFIRMED)


def nominable_suggestions(congress: Congress) -> QuerySet[Suggestion]:
    """Accepted suggestions of `congress` still standing (not withdrawn, merged or declined)."""
    return Suggestion.objects.filter(congress=congress, accepted_at__isnull=False).exclude(
        state__in=[S.WITHDRAWN, S.MERGED, S.DECLINED]
    )


def closed_resolved_and_satisfied(
    congress: Congress, closed_from: datetime.datetime, closed_before: datetime.datetime
) -> QuerySet[Suggestion]:
    """Suggestions of `congress` closed in [closed_from, closed_before) whose final round has replies
    and evaluations, every reply's result class counting as resolved and every evaluation rated
    satisfied; by closing time."""
    final_replies = Reply.objects.filter(
        assignment__suggestion=OuterRef("pk"),
        assignment__round=OuterRef("round"),
        assignment__state=AssignmentState.REPLIED,
    )
    final_evaluations = Evaluation.objects.filter(suggestion=OuterRef("pk"), round=OuterRef("round"))
    return (
        Suggestion.objects.filter(
            congress=congress,
            state=S.CLOSED,
            closed_at__gte=closed_from,
            closed_at__lt=closed_before,
        )
        .filter(Exists(final_replies), Exists(final_evaluations))
        .exclude(Exists(final_replies.filter(result_class__counts_as_resolved=False)))
        .exclude(Exists(final_evaluations.exclude(kind=Evaluation.Kind.RATED, overall=Rating.SATISFIED)))
        .select_related("lead")
        .order_by("closed_at", "id")
    )


def accepted_led_by(
    congress: Congress, lead_ids: Any, submitted_from: datetime.datetime, submitted_before: datetime.datetime
) -> QuerySet[Suggestion]:
    """Accepted, not withdrawn suggestions of `congress` led by `lead_ids` and submitted in
    [submitted_from, submitted_before)."""
    return Suggestion.objects.filter(
        congress=congress,
        lead_id__in=lead_ids,
        accepted_at__isnull=False,
        submitted_at__gte=submitted_from,
        submitted_at__lt=submitted_before,
    ).exclude(state=S.WITHDRAWN)


def evaluations_on_time(suggestion_ids: Any) -> set[tuple[int, int]]:
    """(suggestion id, round) of the evaluations of `suggestion_ids` done within their deadline."""
    return set(
        Deadline.objects.filter(
            suggestion_id__in=suggestion_ids, kind=Deadline.Kind.EVALUATION, closed_on_time=True
        ).values_list("suggestion_id", "round")
    )


def deadline_table() -> QuerySet[Deadline]:
    """Every deadline row, for set-based scans that add their own conditions (the notification scan
    inserts its reminders with one INSERT … SELECT over it)."""
    return Deadline.objects.all()


def signed_off_replies(suggestion: Suggestion) -> QuerySet[Reply]:
    """The signed-off replies of the suggestion's current round, with unit and result class, in order."""
    return (
        Reply.objects.filter(
            assignment__suggestion=suggestion, assignment__round=suggestion.round, signed_off_at__isnull=False
        )
        .select_related("assignment__unit", "result_class")
        .order_by("id")
    )


def assignment_of(suggestion: Suggestion, unit: Any) -> Assignment:
    """The assignment of `suggestion` to `unit` (one per suggestion and unit in a round)."""
    return Assignment.objects.get(suggestion=suggestion, unit=unit)


def assignment_with_unit(pk: int) -> Assignment:
    return Assignment.objects.select_related("unit").get(pk=pk)


def suggestion_for_update(pk: int) -> Suggestion:
    """The suggestion `pk` with its congress, locked for the caller's transaction (an action of
    another app that writes its own rows about the suggestion, e.g. 催办)."""
    return Suggestion.objects.select_for_update().select_related("congress").get(pk=pk)


def signed_replies_of_every_round(suggestion: Suggestion) -> QuerySet[Reply]:
    """Every signed-off reply of the suggestion, all rounds, with its unit, result class and the
    deputy's evaluation (if any), in order: what the clerk may publish (minyi.publication)."""
    return (
        Reply.objects.filter(assignment__suggestion=suggestion, signed_off_at__isnull=False)
        .select_related("assignment__unit", "result_class", "evaluation")
        .order_by("assignment__round", "id")
    )


def units_assigned_to(suggestion: Suggestion) -> list[Unit]:
    """The units that have (or had, in any round, cancelled ones aside) an assignment of the suggestion."""
    ids = (
        Assignment.objects.filter(suggestion=suggestion)
        .exclude(state=AssignmentState.CANCELLED)
        .values("unit_id")
    )
    return list(Unit.objects.filter(pk__in=ids))


def suggestions_for_index(ids: Any) -> QuerySet[Suggestion]:
    """The suggestions `ids` with their congress and lead deputy, for the search index
    (minyi.textsearch), which decides nothing about who may see them."""
    return Suggestion.objects.filter(pk__in=list(ids)).select_related("congress", "lead").order_by("pk")


def replies_for_index(suggestion_ids: Any) -> QuerySet[Reply]:
    """Every reply (any state, every round) of the suggestions `suggestion_ids`, with unit and
    commitments, for the search index; who may find one is `replies_of_congress_visible_to`."""
    return (
        Reply.objects.filter(assignment__suggestion_id__in=list(suggestion_ids))
        .select_related("assignment__unit")
        .prefetch_related("commitments")
        .order_by("pk")
    )


def suggestion_ids_of(congress: Congress) -> QuerySet[Suggestion, int]:
    """The ids of every suggestion of `congress`, in order (rebuilding the search index)."""
    return Suggestion.objects.filter(congress=congress).order_by("pk").values_list("pk", flat=True)


def reply_result_classes(suggestion_ids: Any) -> dict[int, list[Reply]]:
    """The signed-off replies of the suggestions `suggestion_ids` (every round), with unit and result
    class, by suggestion id: what a similar-suggestion hit shows of its answers."""
    out: dict[int, list[Reply]] = {}
    replies = (
        Reply.objects.filter(assignment__suggestion_id__in=list(suggestion_ids), signed_off_at__isnull=False)
        .select_related("assignment__unit", "result_class")
        .order_by("assignment__round", "pk")
    )
    for reply in replies:
        out.setdefault(reply.assignment.suggestion_id, []).append(reply)
    return out
