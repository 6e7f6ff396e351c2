"""Named permissions on suggestion-lifecycle records, built from small predicates.

Every move's permission is ``suggestions.<action>`` (the action names of `states.py`) and combines
two things: the *role* that the states table allows for that action (in the record's congress, so a
member of another congress never passes), and the *relation* to the record (the lead deputy's own
account, a member of the assigned unit, the coordinator of the body…). The *state* is not part of the
permission: the actions check it against the table, and pages combine both (`selectors.available_moves`).

Check permissions with ``rules.has_perm(name, user, obj)`` (as the actions and `access_*` helpers
do), not ``user.has_perm``: Django lets an active superuser pass every ``user.has_perm`` check,
whereas here a superuser has only the roles of their own memberships in the congress (decision
0009: no access to a congress's records by being a platform admin).

`view_suggestion` is the row-level twin of `selectors.suggestions_visible_to`; a test keeps them equal
for every persona. Who sees what:

- congress staff (clerk, admin), supervisors and inspectors: every suggestion of their congress
  except other people's drafts;
- viewers: the accepted suggestions (`VIEWER_STATES`), their signed-off replies and public
  timeline rows — no assignment (a unit's working records);
- deputies: the suggestions they lead, those they are invited to co-sign (until they decline or the
  invitation lapses or is revoked), and the main suggestion of any suggestion of theirs that was
  merged into it (so they read the main's replies);
- liaison clerks: the drafts they entered for a deputy, while they are drafts;
- coordinators: suggestions forwarded to their body, or with an assignment to a unit under it;
- unit clerks, handlers and leaders: suggestions with an assignment (of any round or state) for
  their unit.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from minyi.accounts.models import STAFF_ROLES, UNIT_WORK_ROLES, Role
from minyi.core.kit import roles_of
from minyi.core.tenancy import has_role, units_of

from .states import AssignmentState, CoSignerState, SuggestionState, roles_for_action

#: Roles that see every (non-draft) suggestion of their congress.
OVERSIGHT_ROLES = frozenset({Role.CONGRESS_CLERK, Role.CONGRESS_ADMIN, Role.SUPERVISOR, Role.INSPECTOR})
#: What a viewer (查阅人员, read-only) reads: the suggestions the congress accepted (立案), from then
#: on — not those under review, returned, declined (often personal matters), merged or withdrawn —
#: with their signed-off replies and the public timeline rows; never a unit's working records
#: (assignments, contacts, drafts, co-unit opinions, extension requests). Decision 0009.
VIEWER_STATES = frozenset(
    {
        SuggestionState.ACCEPTED,
        SuggestionState.FORWARDED,
        SuggestionState.ASSIGNED,
        SuggestionState.REASSIGNING,
        SuggestionState.REPLIED,
        SuggestionState.EVALUATED,
        SuggestionState.CLOSED,
    }
)
#: Co-signer invitations that still give sight of the suggestion.
VISIBLE_COSIGNER_STATES = (CoSignerState.INVITED, CoSignerState.CONFIRMED)
#: Checks added by other apps (the supervision task force, 督导专班, see minyi/supervision/apps.py):
#: ``hook(user, congress) -> bool``; True lets the user see what OVERSIGHT_ROLES see.
OVERSIGHT_HOOKS: list[Any] = []


def has_oversight(user: Any, congress: Any, roles: set[str]) -> bool:
    """One of the oversight roles, or an oversight hook that says yes."""
    return bool(roles & OVERSIGHT_ROLES) or any(hook(user, congress) for hook in OVERSIGHT_HOOKS)


# --- navigation from any record of the lifecycle to its suggestion / assignment ------------------


def suggestion_of(obj: Any):
    """The suggestion a record belongs to (the record itself for a Suggestion)."""
    from .models import Suggestion

    if isinstance(obj, Suggestion):
        return obj
    if hasattr(obj, "suggestion"):
        return obj.suggestion
    return assignment_of(obj).suggestion


def assignment_of(obj: Any):
    from .models import Assignment

    if isinstance(obj, Assignment):
        return obj
    if hasattr(obj, "assignment"):
        return obj.assignment
    if hasattr(obj, "reply"):  # Commitment
        return obj.reply.assignment
    raise TypeError(f"no assignment for {type(obj).__name__}")


def coordinator_bodies(user: Any, congress: Any) -> set[int]:
    return units_of(user, congress, [Role.COORDINATOR])


def unit_ids(user: Any, congress: Any, roles: frozenset[str] = UNIT_WORK_ROLES) -> set[int]:
    return units_of(user, congress, roles)


# --- relation predicates ---------------------------------------------------------------------------


@rules.predicate
def is_lead_deputy(user: Any, obj: Any) -> bool:
    suggestion = suggestion_of(obj)
    return (
        bool(user.pk)
        and suggestion.lead.user_id == user.pk
        and has_role(user, suggestion.congress, Role.DEPUTY)
    )


@rules.predicate
def is_drafter(user: Any, obj: Any) -> bool:
    """The lead deputy, or the liaison clerk who entered the draft for them."""
    suggestion = suggestion_of(obj)
    if is_lead_deputy(user, suggestion):
        return True
    return suggestion.entered_by_id == user.pk and has_role(user, suggestion.congress, Role.LIAISON_CLERK)


@rules.predicate
def is_invited_deputy(user: Any, cosigner: Any) -> bool:
    """The deputy a co-signing invitation is addressed to."""
    return (
        bool(user.pk)
        and cosigner.deputy.user_id == user.pk
        and has_role(user, cosigner.suggestion.congress, Role.DEPUTY)
    )


@rules.predicate
def is_asked_cosigner(user: Any, request: Any) -> bool:
    """A co-signer whose consent a withdrawal request asks for."""
    return (
        bool(user.pk)
        and has_role(user, request.suggestion.congress, Role.DEPUTY)
        and request.consents.filter(deputy__user=user).exists()
    )


@rules.predicate
def is_staff(user: Any, obj: Any) -> bool:
    return bool(roles_of(user, suggestion_of(obj).congress) & STAFF_ROLES)


@rules.predicate
def is_dispatcher(user: Any, obj: Any) -> bool:
    """Congress staff, or the coordinator of the body the suggestion was forwarded to."""
    suggestion = suggestion_of(obj)
    if is_staff(user, suggestion):
        return True
    return suggestion.forwarded_to_id is not None and suggestion.forwarded_to_id in coordinator_bodies(
        user, suggestion.congress
    )


@rules.predicate
def is_unit_supervisor(user: Any, obj: Any) -> bool:
    """Congress staff, or the coordinator of the body the assignment's unit belongs to."""
    assignment = assignment_of(obj)
    if is_staff(user, assignment):
        return True
    return assignment.unit.body_id in coordinator_bodies(user, assignment.suggestion.congress)


@rules.predicate
def is_unit_worker(user: Any, obj: Any) -> bool:
    """A clerk, handler or leader of the assignment's unit."""
    assignment = assignment_of(obj)
    return assignment.unit_id in unit_ids(user, assignment.suggestion.congress)


@rules.predicate
def is_unit_leader(user: Any, obj: Any) -> bool:
    assignment = assignment_of(obj)
    return assignment.unit_id in unit_ids(user, assignment.suggestion.congress, frozenset({Role.UNIT_LEADER}))


# --- visibility ------------------------------------------------------------------------------------


def _reads_by_role(user: Any, suggestion: Any, roles: set[str]) -> bool:
    """Sees it for a role alone: oversight every non-draft suggestion, a viewer the accepted ones."""
    if suggestion.state == SuggestionState.DRAFT:
        return False
    if has_oversight(user, suggestion.congress, roles):
        return True
    return Role.VIEWER in roles and suggestion.state in VIEWER_STATES


@rules.predicate
def can_view_suggestion(user: Any, suggestion: Any) -> bool:  # noqa: PLR0911
    from .models import Assignment, CoSigner, Suggestion

    roles = roles_of(user, suggestion.congress)
    if not roles:
        return False
    draft = suggestion.state == SuggestionState.DRAFT
    if _reads_by_role(user, suggestion, roles):
        return True
    if Role.DEPUTY in roles:
        if suggestion.lead.user_id == user.pk:
            return True
        if CoSigner.objects.filter(
            suggestion=suggestion, deputy__user=user, state__in=VISIBLE_COSIGNER_STATES
        ).exists():
            return True
        if (
            Suggestion.objects.filter(main=suggestion)
            .filter(
                Q(lead__user=user) | Q(cosigners__deputy__user=user, cosigners__state=CoSignerState.CONFIRMED)
            )
            .exists()
        ):
            return True
    if Role.LIAISON_CLERK in roles and draft and suggestion.entered_by_id == user.pk:
        return True
    if draft:
        return False
    bodies = coordinator_bodies(user, suggestion.congress)
    if bodies and (
        suggestion.forwarded_to_id in bodies
        or Assignment.objects.filter(suggestion=suggestion, unit__body__in=bodies).exists()
    ):
        return True
    units = unit_ids(user, suggestion.congress)
    return bool(units) and Assignment.objects.filter(suggestion=suggestion, unit__in=units).exists()


@rules.predicate
def can_view_assignment(user: Any, assignment: Any) -> bool:
    """Oversight roles, the coordinator of the unit's body, and the unit's own members. (Deputies
    see replies, not the units' working records.)"""
    congress = assignment.suggestion.congress
    roles = roles_of(user, congress)
    if has_oversight(user, congress, roles):
        return True
    if assignment.unit.body_id in coordinator_bodies(user, congress):
        return True
    return assignment.unit_id in unit_ids(user, congress)


@rules.predicate
def can_view_reply(user: Any, reply: Any) -> bool:
    """A signed-off reply: whoever sees the suggestion. A reply still in the unit: whoever sees the
    assignment."""
    assignment = reply.assignment
    if assignment.state == AssignmentState.REPLIED or reply.signed_off_at is not None:
        return can_view_suggestion(user, assignment.suggestion)
    return can_view_assignment(user, assignment)


# --- permissions -----------------------------------------------------------------------------------


def _role(machine: str, action: str):
    """Has, in the record's congress, one of the roles the states table allows for the action."""
    roles = roles_for_action(machine, action)

    @rules.predicate(name=f"role_for_{machine}_{action}")
    def predicate(user: Any, obj: Any) -> bool:
        return bool(roles_of(user, suggestion_of(obj).congress) & roles)

    return predicate


#: permission name (= action name) → (machine whose table gives the roles, the kind of record the
#: permission is checked on, relation predicate).
PERMISSIONS: dict[str, tuple[str, str, Any]] = {
    "create": ("suggestion", "suggestion", is_drafter),  # on the unsaved Suggestion
    "edit": ("suggestion", "suggestion", is_drafter),
    "invite_cosigner": ("cosigner", "suggestion", is_drafter),
    "revoke_cosigner": ("cosigner", "suggestion", is_drafter),
    "submit": ("suggestion", "suggestion", is_lead_deputy),
    "withdraw": ("suggestion", "suggestion", is_lead_deputy),
    "request_withdrawal": ("withdrawal", "suggestion", is_lead_deputy),
    "accept": ("suggestion", "suggestion", is_staff),
    "return": ("suggestion", "suggestion", is_staff),
    "decline": ("suggestion", "suggestion", is_staff),
    "merge": ("suggestion", "suggestion", is_staff),
    "forward": ("suggestion", "suggestion", is_staff),
    "assign": ("suggestion", "suggestion", is_dispatcher),
    "evaluate": ("suggestion", "suggestion", is_lead_deputy),
    "order_rehandling": ("suggestion", "suggestion", is_staff),
    "record_coordination_meeting": ("suggestion", "suggestion", is_staff),
    "close": ("suggestion", "suggestion", is_staff),
    "confirm_cosign": ("cosigner", "cosigner", is_invited_deputy),
    "decline_cosign": ("cosigner", "cosigner", is_invited_deputy),
    "agree_withdrawal": ("withdrawal", "withdrawal", is_asked_cosigner),
    "refuse_withdrawal": ("withdrawal", "withdrawal", is_asked_cosigner),
    "sign": ("assignment", "assignment", is_unit_worker),
    "request_reassignment": ("assignment", "assignment", is_unit_worker),
    "approve_reassignment": ("assignment", "assignment", is_unit_supervisor),
    "refuse_reassignment": ("assignment", "assignment", is_unit_supervisor),
    "log_contact": ("assignment", "assignment", is_unit_worker),
    "submit_opinion": ("assignment", "assignment", is_unit_worker),
    "draft_reply": ("assignment", "assignment", is_unit_worker),
    "send_back_reply": ("assignment", "assignment", is_unit_leader),
    "sign_off_reply": ("assignment", "assignment", is_unit_leader),
    "request_extension": ("extension", "assignment", is_unit_worker),
    "approve_extension": ("extension", "extension", is_staff),
    "refuse_extension": ("extension", "extension", is_staff),
    "confirm_contact": ("contact", "contact", is_lead_deputy),
    "dispute_contact": ("contact", "contact", is_lead_deputy),
    "report_commitment_progress": ("commitment", "commitment", is_unit_worker),
    "fulfil_commitment": ("commitment", "commitment", is_unit_worker),
    "explain_commitment": ("commitment", "commitment", is_unit_worker | is_staff),
}

for _name, (_machine, _kind, _relation) in PERMISSIONS.items():
    rules.add_perm(f"suggestions.{_name}", _role(_machine, _name) & _relation)

rules.add_perm("suggestions.view_suggestion", can_view_suggestion)
rules.add_perm("suggestions.view_assignment", can_view_assignment)
rules.add_perm("suggestions.view_reply", can_view_reply)
