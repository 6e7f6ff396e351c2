"""Every state of the suggestion lifecycle and every allowed move, in one table.

`TRANSITIONS[machine][(from_state, action)]` gives the `Transition` (target state and the roles that
may make the move). The `do_*` actions ask this table before they change anything
(`check_transition`), the pages ask it which buttons to show (`actions_from`), and
`tests/suggestions/test_workflow_doc.py` keeps the diagrams in `docs/WORKFLOW.md` equal to it.

Machines:

- ``suggestion``: the case itself (草稿 → 审查 → 交办 → 办理 → 答复 → 测评 → 办结).
- ``assignment``: one unit's part in one round (签收 → 办理 → 答复签发 / 协办意见).
- ``cosigner``: one co-signing invitation (联名邀请).
- ``withdrawal``: a joint suggestion's withdrawal request that the co-signers answer.
- ``extension``: a unit's request for a later reply date (延期申请).
- ``contact``: the deputy's confirmation of a logged contact (联系记录确认).
- ``commitment``: a commitment of a reply on the follow-up ledger (承诺事项).
- ``reassign_request``: a unit's request to be relieved of an assignment (申请调整), which a
  dispatcher approves or refuses (its `status` field).

The machines are `minyi.core.states` machines (the engine every app uses); this module keeps the
suggestion app's names for them. `INITIAL` ("[*]") as the source state means "the row is created by this action". Roles are
`accounts.Role` values, or `SYSTEM` for moves made by scheduled jobs (actor None). The table says
which *role* may make a move; the actions add the relation to the record (the lead deputy's own
account, a member of the assigned unit, the coordinator of the body) through `rules.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minyi.accounts.models import STAFF_ROLES, UNIT_WORK_ROLES, Role
from minyi.core.states import INITIAL, SYSTEM, Machine, Transition, define

__all__ = ["INITIAL", "SYSTEM", "Machine", "Transition"]


class SuggestionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审查")
    # the same Chinese words as the actions, another English word: the state has a context
    RETURNED = "returned", pgettext_lazy("state", "退回修改")
    ACCEPTED = "accepted", _("已立案")
    FORWARDED = "forwarded", _("待协调员交办")
    ASSIGNED = "assigned", _("办理中")
    REASSIGNING = "reassigning", _("待重新交办")
    REPLIED = "replied", _("已答复待测评")
    EVALUATED = "evaluated", _("已测评待办结")
    CLOSED = "closed", _("已办结")
    DECLINED = "declined", pgettext_lazy("state", "不予立案")
    MERGED = "merged", _("已并案")
    WITHDRAWN = "withdrawn", _("已撤回")


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("待签收")
    SIGNED = "signed", _("已签收")
    REASSIGN_REQUESTED = "reassign_requested", _("申请调整中")
    HANDLING = "handling", _("办理中")
    REPLY_DRAFTED = "reply_drafted", _("答复待签发")
    REPLIED = "replied", _("已答复")
    OPINION_SUBMITTED = "opinion_submitted", _("已提交协办意见")
    CANCELLED = "cancelled", _("已调整撤销")


class CoSignerState(models.TextChoices):
    INVITED = "invited", _("待确认")
    CONFIRMED = "confirmed", _("已确认联名")
    DECLINED = "declined", _("已谢绝")
    REVOKED = "revoked", _("已撤销邀请")
    LAPSED = "lapsed", _("未答复已失效")


class WithdrawalState(models.TextChoices):
    PENDING = "pending", _("待联名代表同意")
    AGREED = "agreed", _("已同意撤回")
    REFUSED = "refused", _("联名代表不同意")
    LAPSED = "lapsed", _("已失效")


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class ContactState(models.TextChoices):
    PENDING = "pending", _("待代表确认")
    CONFIRMED = "confirmed", _("代表已确认")
    DISPUTED = "disputed", _("代表有异议")


class CommitmentState(models.TextChoices):
    OPEN = "open", _("落实中")
    FULFILLED = "fulfilled", _("已落实")
    EXPLAINED = "explained", _("未落实已说明")


class ReassignRequestState(models.TextChoices):
    """`ReassignRequest.status`."""

    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")


#: Each machine's state choices, by machine name.
MACHINES: Final[Mapping[str, type[models.TextChoices]]] = {
    "suggestion": SuggestionState,
    "assignment": AssignmentState,
    "cosigner": CoSignerState,
    "withdrawal": WithdrawalState,
    "extension": ExtensionState,
    "contact": ContactState,
    "commitment": CommitmentState,
    "reassign_request": ReassignRequestState,
}

#: What a record of each machine is called in messages.
MACHINE_NOUNS: Final[Mapping[str, Promise]] = {
    "suggestion": _("该建议"),
    "assignment": _("该交办件"),
    "cosigner": _("该联名邀请"),
    "withdrawal": _("该撤回申请"),
    "extension": _("该延期申请"),
    "contact": _("该联系记录"),
    "commitment": _("该承诺事项"),
    "reassign_request": _("该调整申请"),
}

#: What each action is called on a button and in messages.
ACTION_LABELS: Final[Mapping[str, Promise]] = {
    "create": _("起草建议"),
    "edit": _("修改建议"),
    "invite_cosigner": _("邀请联名"),
    "revoke_cosigner": _("撤销联名邀请"),
    "confirm_cosign": _("确认联名"),
    "decline_cosign": _("谢绝联名"),
    "submit": _("提交建议"),
    "withdraw": _("撤回建议"),
    "request_withdrawal": _("申请撤回联名建议"),
    "agree_withdrawal": _("同意撤回"),
    "refuse_withdrawal": _("不同意撤回"),
    "accept": _("立案"),
    "return": _("退回修改"),
    "decline": _("不予立案"),
    "merge": _("并案"),
    "forward": _("转交协调员"),
    "assign": _("交办"),
    "sign": _("签收"),
    "request_reassignment": _("申请调整"),
    "approve_reassignment": _("同意调整"),
    "refuse_reassignment": _("不同意调整"),
    "log_contact": _("登记联系代表情况"),
    "confirm_contact": _("确认联系情况"),
    "dispute_contact": _("对联系情况提出异议"),
    "submit_opinion": _("提交协办意见"),
    "draft_reply": _("起草答复"),
    "send_back_reply": _("退回答复"),
    "sign_off_reply": _("签发答复"),
    "request_extension": _("申请延期"),
    "approve_extension": _("批准延期"),
    "refuse_extension": _("不批准延期"),
    "evaluate": _("测评"),
    "mark_no_feedback": _("记为未反馈"),
    "order_rehandling": _("重新办理"),
    "record_coordination_meeting": _("登记协调会"),
    "close": _("办结"),
    "report_commitment_progress": _("报告承诺落实进展"),
    "fulfil_commitment": _("确认承诺已落实"),
    "explain_commitment": _("说明承诺未落实原因"),
}


# Role groups used in the table.
STAFF: Final = STAFF_ROLES
DISPATCHERS: Final = STAFF | {Role.COORDINATOR}
UNIT_WORKERS: Final = UNIT_WORK_ROLES
LEADER: Final = frozenset({Role.UNIT_LEADER})
DEPUTY: Final = frozenset({Role.DEPUTY})
DRAFTERS: Final = frozenset({Role.DEPUTY, Role.LIAISON_CLERK})
ONLY_SYSTEM: Final = frozenset({SYSTEM})

S = SuggestionState
A = AssignmentState
C = CoSignerState
W = WithdrawalState
E = ExtensionState
K = ContactState
M = CommitmentState
R = ReassignRequestState

#: Suggestion states from which the lead may still withdraw (before assignment, DOMAIN.md §3.2).
WITHDRAWABLE: Final = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.FORWARDED)
#: Suggestion states in which the content and the co-signers may change.
EDITABLE: Final = (S.DRAFT, S.RETURNED)
#: Assignments still being worked on (a unit can be urged about them, 催办).
OPEN_ASSIGNMENT_STATES: Final = (A.ASSIGNED, A.SIGNED, A.REASSIGN_REQUESTED, A.HANDLING, A.REPLY_DRAFTED)
#: Suggestion states that wait for a coordinator to assign units (the coordinator can be urged).
WAITING_FOR_COORDINATOR: Final = (S.FORWARDED, S.REASSIGNING)

# (machine, [(source, action, target, roles), ...])
_ROWS: list[tuple[str, list[tuple[str, str, str, frozenset[str]]]]] = [
    (
        "suggestion",
        [
            (INITIAL, "create", S.DRAFT, DRAFTERS),
            (S.DRAFT, "edit", S.DRAFT, DRAFTERS),
            (S.RETURNED, "edit", S.RETURNED, DEPUTY),
            (S.DRAFT, "submit", S.SUBMITTED, DEPUTY),
            (S.RETURNED, "submit", S.SUBMITTED, DEPUTY),
            *[(state, "withdraw", S.WITHDRAWN, DEPUTY) for state in WITHDRAWABLE],
            *[(state, "agree_withdrawal", S.WITHDRAWN, DEPUTY) for state in WITHDRAWABLE if state != S.DRAFT],
            (S.SUBMITTED, "accept", S.ACCEPTED, STAFF),
            (S.SUBMITTED, "return", S.RETURNED, STAFF),
            (S.SUBMITTED, "decline", S.DECLINED, STAFF),
            (S.SUBMITTED, "merge", S.MERGED, STAFF),
            (S.ACCEPTED, "merge", S.MERGED, STAFF),
            (S.ACCEPTED, "forward", S.FORWARDED, STAFF),
            (S.FORWARDED, "forward", S.FORWARDED, STAFF),
            (S.REASSIGNING, "forward", S.FORWARDED, STAFF),
            (S.ACCEPTED, "assign", S.ASSIGNED, STAFF),
            (S.FORWARDED, "assign", S.ASSIGNED, DISPATCHERS),
            (S.REASSIGNING, "assign", S.ASSIGNED, DISPATCHERS),
            (S.ASSIGNED, "assign", S.ASSIGNED, DISPATCHERS),
            (S.ASSIGNED, "approve_reassignment", S.REASSIGNING, DISPATCHERS),
            (S.ASSIGNED, "sign_off_reply", S.REPLIED, LEADER),
            (S.REPLIED, "evaluate", S.EVALUATED, DEPUTY),
            (S.REPLIED, "mark_no_feedback", S.EVALUATED, ONLY_SYSTEM),
            (S.EVALUATED, "order_rehandling", S.ASSIGNED, STAFF),
            (S.EVALUATED, "record_coordination_meeting", S.EVALUATED, STAFF),
            (S.EVALUATED, "close", S.CLOSED, STAFF),
        ],
    ),
    (
        "assignment",
        [
            (INITIAL, "assign", A.ASSIGNED, DISPATCHERS),
            (INITIAL, "order_rehandling", A.ASSIGNED, STAFF),
            (A.ASSIGNED, "sign", A.SIGNED, UNIT_WORKERS),
            (A.SIGNED, "request_reassignment", A.REASSIGN_REQUESTED, UNIT_WORKERS),
            (A.HANDLING, "request_reassignment", A.REASSIGN_REQUESTED, UNIT_WORKERS),
            (A.REASSIGN_REQUESTED, "approve_reassignment", A.CANCELLED, DISPATCHERS),
            (A.REASSIGN_REQUESTED, "refuse_reassignment", A.HANDLING, DISPATCHERS),
            (A.SIGNED, "log_contact", A.HANDLING, UNIT_WORKERS),
            (A.HANDLING, "log_contact", A.HANDLING, UNIT_WORKERS),
            (A.REPLY_DRAFTED, "log_contact", A.REPLY_DRAFTED, UNIT_WORKERS),
            (A.REPLIED, "log_contact", A.REPLIED, UNIT_WORKERS),
            (A.SIGNED, "submit_opinion", A.OPINION_SUBMITTED, UNIT_WORKERS),
            (A.HANDLING, "submit_opinion", A.OPINION_SUBMITTED, UNIT_WORKERS),
            (A.SIGNED, "draft_reply", A.REPLY_DRAFTED, UNIT_WORKERS),
            (A.HANDLING, "draft_reply", A.REPLY_DRAFTED, UNIT_WORKERS),
            (A.REPLY_DRAFTED, "draft_reply", A.REPLY_DRAFTED, UNIT_WORKERS),
            (A.SIGNED, "request_extension", A.SIGNED, UNIT_WORKERS),
            (A.HANDLING, "request_extension", A.HANDLING, UNIT_WORKERS),
            (A.REPLY_DRAFTED, "request_extension", A.REPLY_DRAFTED, UNIT_WORKERS),
            (A.REPLY_DRAFTED, "send_back_reply", A.HANDLING, LEADER),
            (A.REPLY_DRAFTED, "sign_off_reply", A.REPLIED, LEADER),
        ],
    ),
    (
        "cosigner",
        [
            (INITIAL, "invite_cosigner", C.INVITED, DRAFTERS),
            (C.DECLINED, "invite_cosigner", C.INVITED, DRAFTERS),
            (C.REVOKED, "invite_cosigner", C.INVITED, DRAFTERS),
            (C.LAPSED, "invite_cosigner", C.INVITED, DRAFTERS),
            (C.INVITED, "revoke_cosigner", C.REVOKED, DRAFTERS),
            (C.CONFIRMED, "revoke_cosigner", C.REVOKED, DRAFTERS),
            (C.INVITED, "confirm_cosign", C.CONFIRMED, DEPUTY),
            (C.INVITED, "decline_cosign", C.DECLINED, DEPUTY),
            (C.CONFIRMED, "decline_cosign", C.DECLINED, DEPUTY),
            (C.INVITED, "submit", C.LAPSED, DEPUTY),
        ],
    ),
    (
        "withdrawal",
        [
            (INITIAL, "request_withdrawal", W.PENDING, DEPUTY),
            (W.PENDING, "agree_withdrawal", W.AGREED, DEPUTY),
            (W.PENDING, "refuse_withdrawal", W.REFUSED, DEPUTY),
            (W.PENDING, "assign", W.LAPSED, DISPATCHERS),
            (W.PENDING, "decline", W.LAPSED, STAFF),
            (W.PENDING, "merge", W.LAPSED, STAFF),
        ],
    ),
    (
        "extension",
        [
            (INITIAL, "request_extension", E.PENDING, UNIT_WORKERS),
            (E.PENDING, "approve_extension", E.APPROVED, STAFF),
            (E.PENDING, "refuse_extension", E.REFUSED, STAFF),
        ],
    ),
    (
        "contact",
        [
            (INITIAL, "log_contact", K.PENDING, UNIT_WORKERS),
            (K.PENDING, "confirm_contact", K.CONFIRMED, DEPUTY),
            (K.PENDING, "dispute_contact", K.DISPUTED, DEPUTY),
        ],
    ),
    (
        "commitment",
        [
            (INITIAL, "sign_off_reply", M.OPEN, LEADER),
            (M.OPEN, "report_commitment_progress", M.OPEN, UNIT_WORKERS),
            (M.OPEN, "fulfil_commitment", M.FULFILLED, UNIT_WORKERS),
            (M.OPEN, "explain_commitment", M.EXPLAINED, UNIT_WORKERS | STAFF),
        ],
    ),
    (
        "reassign_request",
        [
            (INITIAL, "request_reassignment", R.PENDING, UNIT_WORKERS),
            (R.PENDING, "approve_reassignment", R.APPROVED, DISPATCHERS),
            (R.PENDING, "refuse_reassignment", R.REFUSED, DISPATCHERS),
        ],
    ),
]


#: Each machine of the suggestion app, by name.
MACHINE: Final[Mapping[str, Machine]] = {
    machine: define(
        machine,
        MACHINES[machine],
        rows,
        labels=ACTION_LABELS,
        noun=MACHINE_NOUNS[machine],
        state_field="status" if machine == "reassign_request" else "state",
    )
    for machine, rows in _ROWS
}

#: The table: machine → (from_state, action) → Transition.
TRANSITIONS: Final[Mapping[str, Mapping[tuple[str, str], Transition]]] = {
    name: m.transitions for name, m in MACHINE.items()
}


def transition_for(machine: str, source: str, action: str) -> Transition | None:
    return MACHINE[machine].transition_for(source, action)


def actions_from(machine: str, source: str) -> list[Transition]:
    """The moves out of `source`, in table order (what a page may offer, before role checks)."""
    return MACHINE[machine].actions_from(source)


def roles_for_action(machine: str, action: str) -> frozenset[str]:
    """Every role that may make `action` on `machine` from some state."""
    return MACHINE[machine].roles_for_action(action)


def state_label(machine: str, state: str) -> str:
    return MACHINE[machine].state_label(state)


def terminal_states(machine: str) -> frozenset[str]:
    """States with no way out."""
    return MACHINE[machine].terminal_states()


def mermaid(machine: str) -> str:
    """The machine as a Mermaid state diagram, as kept in docs/WORKFLOW.md (a test compares them).
    Each edge is labelled ``action (role, role…)``."""
    return MACHINE[machine].mermaid()
