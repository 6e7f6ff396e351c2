"""The suggestion page's view model (issue #11): `SuggestionPage` is everything
`suggestions/detail.html` shows — the card, the buttons of what the user may do now (from the
transition table, through `selectors.available_actions`), co-signers and withdrawal, the units by
round with their deadlines, contacts, requests, replies and commitments, the results, the timeline,
the urge buttons and where a grassroots suggestion came from. `suggestion_page(request, s)` builds
it for `request.user`; the view only renders it.

The queries are the page's (its number is pinned by `test_detail_costs_a_fixed_number_of_queries`):
each part below reads its rows once, and the rows carry what the template needs (`.moves`,
`.badges`, …) as attributes set here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, cast

import rules
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from minyi.audit import events as audit_events
from minyi.core.decorators import CongressRequest

from .. import hooks, selectors
from ..models import (
    AssignmentRole,
    CommitmentProgress,
    Deadline,
    ReassignRequest,
    Reply,
    WithdrawalConsent,
)
from ..rules import can_view_assignment, unit_ids
from ..states import (
    OPEN_ASSIGNMENT_STATES,
    WAITING_FOR_COORDINATOR,
    AssignmentState,
    CoSignerState,
    SuggestionState,
    WithdrawalState,
)
from . import _queries as Q_
from ._common import Clock, DeadlineBadge, Move, clock_for, moves
from .registry import STEPS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from minyi.audit.models import AuditEvent
    from minyi.congress.models import ThemeTag, Unit

    from ..models import (
        Assignment,
        Attachment,
        Commitment,
        Contact,
        CoordinationMeeting,
        CoSigner,
        ExtensionRequest,
        Suggestion,
        WithdrawalRequest,
    )

    # What the page sets on the rows it shows (for the template): the type checker's view of them.
    # Nothing is an instance of these classes at run time; the rows are the models' own.

    class CoSignerRow(CoSigner):
        moves: list[Move]

    class WithdrawalRow(WithdrawalRequest):
        moves: list[Move]

    class ContactRow(Contact):
        moves: list[Move]

    class ExtensionRow(ExtensionRequest):
        moves: list[Move]

    class CommitmentRow(Commitment):
        moves: list[Move]
        badge: DeadlineBadge | None

    class ReplyRow(Reply):
        evaluate_url: str

    class AssignmentRow(Assignment):
        inside: bool
        badges: list[DeadlineBadge]
        open_badges: list[DeadlineBadge]
        moves: list[Move]
        can_urge: bool
        show_opinion: bool
        contact_list: list[ContactRow]
        pending_reassign: ReassignRequest | None
        extensions: list[ExtensionRow]
        reply_shown: ReplyRow | None

    class TimelineRow(AuditEvent):
        label: StrOrPromise


#: Suggestion-level actions whose buttons sit next to what they act on, not in the top card.
SUGGESTION_ACTIONS_ELSEWHERE = frozenset(
    {"edit", "revoke_cosigner", "evaluate", "withdraw", "request_withdrawal", "invite_cosigner"}
)

#: What each audit code is called on the timeline: the labels of the event types declared in
#: `minyi.audit.events` that a timeline shows.
TIMELINE_LABELS = {
    t.code: t.label for t in audit_events.TYPES if t.timeline is not audit_events.Timeline.NONE
}

STATE_COLOURS: dict[str, str] = {
    SuggestionState.DRAFT: "secondary",
    SuggestionState.SUBMITTED: "info",
    SuggestionState.RETURNED: "warning",
    SuggestionState.ACCEPTED: "primary",
    SuggestionState.FORWARDED: "primary",
    SuggestionState.ASSIGNED: "primary",
    SuggestionState.REASSIGNING: "warning",
    SuggestionState.REPLIED: "info",
    SuggestionState.EVALUATED: "info",
    SuggestionState.CLOSED: "success",
    SuggestionState.DECLINED: "dark",
    SuggestionState.MERGED: "dark",
    SuggestionState.WITHDRAWN: "dark",
}

#: One block of "what you can do now": a heading ("" for the suggestion itself) and its buttons.
Todo = tuple[str, list[Move]]


@dataclass
class SuggestionPage:
    """What the suggestion page shows to one user; `context()` is the template's context (its
    names are the fields' names)."""

    s: Suggestion
    state_colour: str
    todo: list[Todo]
    can_edit: bool
    show_missing: bool
    can_invite: bool
    invite_url: str
    edit_url: str
    missing: list[str]
    theme_tags: list[ThemeTag]
    suggested_units: list[Unit]
    cosigners: list[CoSignerRow]
    withdrawals: list[WithdrawalRow]
    pending_withdrawal: WithdrawalRow | None
    attachments: list[Attachment]
    own_deadlines: list[DeadlineBadge]
    by_round: list[tuple[int, list[AssignmentRow], bool]]
    signed_replies: list[Reply]
    commitments: list[CommitmentRow]
    results: Any
    meetings: list[CoordinationMeeting]
    merged: list[Suggestion]
    timeline: list[TimelineRow]
    clock: Clock
    #: where a grassroots suggestion came from (station, event, day; never the constituent)
    provenance: Any
    can_urge: bool

    def context(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def suggestion_page(request: CongressRequest, s: Suggestion) -> SuggestionPage:
    """The page of `s` (already fetched through `access_suggestion`) for `request.user`."""
    return _Builder(request, s).build()


class _Builder:
    """Builds a `SuggestionPage` part by part; `todo` gathers the buttons as the parts are read."""

    def __init__(self, request: CongressRequest, s: Suggestion) -> None:
        self.request = request
        self.user = request.user
        self.congress = request.congress
        self.s = s
        self.clock = clock_for(request)
        self.actions = selectors.available_actions(self.user, s)
        self.todo: list[Todo] = []

    def moves(self, obj: Any, names: list[str]) -> list[Move]:
        return moves(self.request, STEPS, self.s, obj, names)

    def build(self) -> SuggestionPage:
        s, congress, s_actions = self.s, self.congress, self.actions
        top = self.suggestion_moves()
        cosigners, confirmed = self.cosigners()
        withdrawals, pending_withdrawal = self.withdrawals()
        self.todo.append(("", top + self.withdraw_moves(confirmed, pending_withdrawal)))
        for c in cosigners:
            answers = [m for m in c.moves if m.action in ("confirm_cosign", "decline_cosign")]
            if answers:
                self.todo.append((_("%(lead)s邀请您联名") % {"lead": s.lead.name}, answers))
        if pending_withdrawal is not None and pending_withdrawal.moves:
            self.todo.append(
                (_("领衔代表申请撤回：%(r)s") % {"r": pending_withdrawal.reason}, pending_withdrawal.moves)
            )
        deadlines = list(s.deadlines.order_by("due_on", "id"))
        assignments, own_deadlines, replies, may_urge = self.assignments(deadlines)
        rounds = sorted({a.round for a in assignments})
        signed_replies = [r for r in replies if r.signed_off_at]
        results = selectors.evaluation_results(s)
        timeline = self.timeline()
        return SuggestionPage(
            s=s,
            state_colour=STATE_COLOURS.get(s.state, "secondary"),
            todo=[(label, ms) for label, ms in self.todo if ms],
            can_edit="edit" in s_actions,
            show_missing="submit" in s_actions or "edit" in s_actions,
            can_invite="invite_cosigner" in s_actions,
            invite_url=reverse("suggestions:invite_cosigner", args=[congress.code, s.pk]),
            edit_url=reverse("suggestions:edit", args=[congress.code, s.pk]),
            missing=Q_.missing_for_submit(s)
            if s.state in (SuggestionState.DRAFT, SuggestionState.RETURNED)
            else [],
            theme_tags=list(s.theme_tags.all()),
            suggested_units=list(s.suggested_units.all()),
            cosigners=cosigners,
            withdrawals=withdrawals,
            pending_withdrawal=pending_withdrawal,
            attachments=list(s.attachments.filter(reply__isnull=True)),
            own_deadlines=own_deadlines,
            by_round=[(n, [a for a in assignments if a.round == n], n == s.round) for n in rounds],
            signed_replies=signed_replies,
            commitments=self.commitments(signed_replies, deadlines),
            results=results,
            meetings=list(s.coordination_meetings.order_by("round")),
            merged=list(s.merged.select_related("lead")),
            timeline=timeline,
            clock=self.clock,
            provenance=hooks.provenance_of(s) if s.channel_id else None,
            can_urge=may_urge
            and (
                s.state == SuggestionState.ASSIGNED
                or (s.state in WAITING_FOR_COORDINATOR and bool(s.forwarded_to_id))
            ),
        )

    # --- the suggestion itself ---------------------------------------------------------------------

    def suggestion_moves(self) -> list[Move]:
        """The top card's buttons: the suggestion's moves but those shown next to what they act on,
        "修改建议" first."""
        s, s_actions = self.s, self.actions
        main_actions = [a for a in s_actions if a in STEPS and a not in SUGGESTION_ACTIONS_ELSEWHERE]
        s_moves = self.moves(s, main_actions)
        if s.state == SuggestionState.ASSIGNED:  # adding co-units while the units are at work
            s_moves = [replace(m, label=_("追加协办单位")) if m.action == "assign" else m for m in s_moves]
        if "edit" in s_actions:
            url = reverse("suggestions:edit", args=[self.congress.code, s.pk])
            s_moves.insert(0, Move("edit", _("修改建议"), url, False, None, "outline-primary"))
        return s_moves

    # --- co-signers and withdrawal -----------------------------------------------------------------

    def cosigners(self) -> tuple[list[CoSignerRow], list[CoSignerRow]]:
        """Every co-signer with its buttons, and the confirmed ones."""
        s = self.s
        cosigners = cast(
            "list[CoSignerRow]", list(s.cosigners.select_related("deputy").order_by("invited_at", "pk"))
        )
        confirmed = [c for c in cosigners if c.state == CoSignerState.CONFIRMED]
        for c in cosigners:
            c.suggestion = s
            names = selectors.available_actions(self.user, c)
            if "revoke_cosigner" in self.actions and c.state in (
                CoSignerState.INVITED,
                CoSignerState.CONFIRMED,
            ):
                names.append("revoke_cosigner")
            c.moves = self.moves(c, names)
        return cosigners, confirmed

    def withdrawals(self) -> tuple[list[WithdrawalRow], WithdrawalRow | None]:
        """Every withdrawal request, and the pending one with its buttons."""
        s = self.s
        withdrawals = cast(
            "list[WithdrawalRow]",
            list(
                s.withdrawal_requests.prefetch_related(
                    Prefetch("consents", queryset=WithdrawalConsent.objects.select_related("deputy"))
                )
            ),
        )
        pending = next((w for w in withdrawals if w.state == WithdrawalState.PENDING), None)
        if pending is not None:
            pending.suggestion = s
            pending.moves = self.moves(pending, selectors.available_actions(self.user, pending))
        return withdrawals, pending

    def withdraw_moves(self, confirmed: list[CoSignerRow], pending: WithdrawalRow | None) -> list[Move]:
        """Withdrawing: straight away without confirmed co-signers (or a draft), else by request."""
        s, s_actions = self.s, self.actions
        out = []
        if "withdraw" in s_actions and (s.state == SuggestionState.DRAFT or not confirmed):
            out += self.moves(s, ["withdraw"])
        if (
            "request_withdrawal" in s_actions
            and confirmed
            and s.state != SuggestionState.DRAFT
            and not pending
        ):
            out += self.moves(s, ["request_withdrawal"])
        return out

    # --- assignments, their deadlines, contacts, requests and replies ------------------------------

    def assignments(
        self, deadlines: list[Deadline]
    ) -> tuple[list[AssignmentRow], list[DeadlineBadge], list[Reply], bool]:
        """Every assignment (all rounds) with what the template shows of it, the suggestion's own
        deadline badges, the replies the user may see and whether they may urge."""
        s, user = self.s, self.user
        assignments = cast(
            "list[AssignmentRow]",
            list(
                s.assignments.select_related("unit", "signed_by")
                .prefetch_related(
                    "contacts",
                    Prefetch(
                        "reassign_requests", queryset=ReassignRequest.objects.select_related("suggested_unit")
                    ),
                    "extension_requests",
                )
                .order_by("round", "id")
            ),
        )
        by_assignment: dict[int, list[DeadlineBadge]] = defaultdict(list)
        own_deadlines = []
        for d in deadlines:
            if d.kind == Deadline.Kind.COMMITMENT:
                continue
            badge = cast("DeadlineBadge", self.clock.badge(d))
            if d.assignment_id:
                by_assignment[d.assignment_id].append(badge)
            else:
                own_deadlines.append(badge)
        my_units = unit_ids(user, self.congress)
        lead_rounds = {
            a.round for a in assignments if a.unit_id in my_units and a.role == AssignmentRole.LEAD
        }
        replies = selectors.replies_visible_to(user, s)
        prefetch_related_objects(
            [c for r in replies for c in r.commitments.all()],
            Prefetch("progress_reports", queryset=CommitmentProgress.objects.select_related("reported_by")),
        )
        reply_of = {r.assignment_id: r for r in replies}
        may_urge = rules.has_perm("notifications.urge", user, s)
        for a in assignments:
            self.assignment(a, by_assignment, lead_rounds, reply_of, may_urge)
        return assignments, own_deadlines, replies, may_urge

    def assignment(
        self,
        a: AssignmentRow,
        by_assignment: dict[int, list[DeadlineBadge]],
        lead_rounds: set[int],
        reply_of: dict[int, Reply],
        may_urge: bool,
    ) -> None:
        s = self.s
        a.suggestion = s
        a.inside = can_view_assignment(self.user, a)
        a.badges = by_assignment.get(a.pk, [])
        a.open_badges = [b for b in a.badges if b.is_open]
        # an earlier round is history: its work is done, the buttons belong to the current round
        current_round = a.round == s.round and a.state != AssignmentState.CANCELLED
        a.moves = self.moves(a, selectors.available_actions(self.user, a)) if current_round else []
        a.can_urge = may_urge and current_round and a.state in OPEN_ASSIGNMENT_STATES
        if a.moves:
            self.todo.append(
                (_("%(unit)s（%(role)s）") % {"unit": a.unit, "role": a.get_role_display()}, a.moves)
            )
        a.show_opinion = a.role == AssignmentRole.CO and (a.inside or a.round in lead_rounds)
        a.contact_list = cast("list[ContactRow]", list(a.contacts.all()))
        for contact in a.contact_list:
            contact.assignment = a
            contact.moves = self.moves(contact, selectors.available_actions(self.user, contact))
            if contact.moves:
                what = {
                    "unit": a.unit,
                    "day": date_format(contact.contacted_on),
                    "method": contact.get_method_display(),
                }
                self.todo.append((_("%(unit)s于%(day)s%(method)s联系您，请确认") % what, contact.moves))
        a.pending_reassign = next((r for r in a.reassign_requests.all() if r.status == "pending"), None)
        a.extensions = cast("list[ExtensionRow]", list(a.extension_requests.all())) if a.inside else []
        for ext in a.extensions:
            ext.assignment = a
            ext.moves = (
                self.moves(ext, selectors.available_actions(self.user, ext)) if ext.state == "pending" else []
            )
            if ext.moves:
                self.todo.append((_("%(unit)s的延期申请") % {"unit": a.unit}, ext.moves))
        a.reply_shown = cast("ReplyRow | None", reply_of.get(a.pk))
        if a.reply_shown is not None:
            self.reply(a, a.reply_shown)

    def reply(self, a: AssignmentRow, r: ReplyRow) -> None:
        """The reply shown under `a`: the evaluate button when it waits for the user's evaluation,
        the buttons of its commitments once signed off."""
        s = self.s
        r.assignment = a
        r.evaluate_url = ""
        if (
            "evaluate" in self.actions
            and a.round == s.round
            and a.state == AssignmentState.REPLIED
            and not hasattr_evaluation(r)
        ):
            r.evaluate_url = reverse("suggestions:evaluate", args=[self.congress.code, s.pk, r.pk])
            evaluate = STEPS["evaluate"]
            self.todo.append(
                (
                    _("%(unit)s的答复") % {"unit": a.unit},
                    [Move("evaluate", evaluate.title, r.evaluate_url, False, None, "primary")],
                )
            )
        for cm in cast("Iterable[CommitmentRow]", r.commitments.all()):
            cm.reply = r
            cm.moves = self.moves(cm, selectors.available_actions(self.user, cm)) if r.signed_off_at else []
            if cm.moves:
                self.todo.append((_("承诺事项：%(t)s") % {"t": Truncator(cm.text).chars(30)}, cm.moves))

    def commitments(self, signed_replies: list[Reply], deadlines: list[Deadline]) -> list[CommitmentRow]:
        """The commitments of the signed-off replies, each with its open deadline's badge."""
        commitments = cast("list[CommitmentRow]", [c for r in signed_replies for c in r.commitments.all()])
        badges = {
            d.commitment_id: self.clock.badge(d)
            for d in deadlines
            if d.kind == Deadline.Kind.COMMITMENT and d.closed_at is None
        }
        for cm in commitments:
            cm.badge = badges.get(cm.pk)
        return commitments

    # --- timeline ----------------------------------------------------------------------------------

    def timeline(self) -> list[TimelineRow]:
        """What happened, newest first (what happened last matters most), each with its label."""
        timeline = cast("list[TimelineRow]", list(selectors.timeline(self.user, self.s))[::-1])
        for event in timeline:
            event.label = audit_events.label_of(event.code)
        return timeline


def hasattr_evaluation(reply: Reply) -> bool:
    try:
        return reply.evaluation is not None
    except Reply.evaluation.RelatedObjectDoesNotExist:
        return False


__all__ = ["STATE_COLOURS", "TIMELINE_LABELS", "SuggestionPage", "hasattr_evaluation", "suggestion_page"]
