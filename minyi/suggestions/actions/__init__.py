"""The only writers of the suggestion lifecycle. Every `do_*` takes its subject first, then
keyword-only arguments including `actor` (None only for system moves), runs in one transaction,
locks the rows it changes (suggestion first, then assignment), checks role, congress, relation,
state (against `states.TRANSITIONS`) and input, saves, and writes its audit rows in the same
transaction with one correlation id. A refused move raises a `minyi.core.errors.DomainError`
(`NotPermitted`, `InvalidTransition`, `DeadlinePassed`, `ValidationFailed` with a `code`) with a
Chinese message saying why, and changes nothing.

Each function returns the updated row(s); the instance passed in may be stale afterwards.
"""

from .attachments import do_add_attachment, do_remove_attachment
from .drafting import (
    SuggestionContent,
    do_answer_withdrawal,
    do_confirm_cosign,
    do_create_suggestion,
    do_decline_cosign,
    do_invite_cosigner,
    do_request_withdrawal,
    do_revoke_cosigner,
    do_submit_suggestion,
    do_update_suggestion,
    do_withdraw_suggestion,
)
from .evaluation import (
    do_close_suggestion,
    do_evaluate_reply,
    do_explain_commitment,
    do_fulfil_commitment,
    do_mark_no_feedback,
    do_order_rehandling,
    do_record_coordination_meeting,
    do_report_commitment_progress,
)
from .handling import (
    CommitmentInput,
    do_approve_extension,
    do_approve_reassignment,
    do_confirm_contact,
    do_dispute_contact,
    do_draft_reply,
    do_log_contact,
    do_refuse_extension,
    do_refuse_reassignment,
    do_request_extension,
    do_request_reassignment,
    do_send_back_reply,
    do_sign_assignment,
    do_sign_off_reply,
    do_submit_opinion,
)
from .review import (
    do_accept_suggestion,
    do_assign_units,
    do_decline_suggestion,
    do_forward_suggestion,
    do_merge_suggestion,
    do_return_suggestion,
)

__all__ = [
    "CommitmentInput",
    "SuggestionContent",
    "do_accept_suggestion",
    "do_add_attachment",
    "do_answer_withdrawal",
    "do_approve_extension",
    "do_approve_reassignment",
    "do_assign_units",
    "do_close_suggestion",
    "do_confirm_contact",
    "do_confirm_cosign",
    "do_create_suggestion",
    "do_decline_cosign",
    "do_decline_suggestion",
    "do_dispute_contact",
    "do_draft_reply",
    "do_evaluate_reply",
    "do_explain_commitment",
    "do_forward_suggestion",
    "do_fulfil_commitment",
    "do_invite_cosigner",
    "do_log_contact",
    "do_mark_no_feedback",
    "do_merge_suggestion",
    "do_order_rehandling",
    "do_record_coordination_meeting",
    "do_refuse_extension",
    "do_refuse_reassignment",
    "do_remove_attachment",
    "do_report_commitment_progress",
    "do_request_extension",
    "do_request_reassignment",
    "do_request_withdrawal",
    "do_return_suggestion",
    "do_revoke_cosigner",
    "do_send_back_reply",
    "do_sign_assignment",
    "do_sign_off_reply",
    "do_submit_opinion",
    "do_submit_suggestion",
    "do_update_suggestion",
    "do_withdraw_suggestion",
]
