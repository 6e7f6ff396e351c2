"""提出: drafting, co-signing, submitting and withdrawing a suggestion.

Decisions (see docs/WORKFLOW.md):

- A liaison clerk may create and edit a *draft* for a deputy (recorded as `entered_by`) and invite
  co-signers for it; only the lead deputy's own account submits it, and only the lead edits a
  returned suggestion.
- Submitting does not wait for co-signers: invitations still unanswered at submission lapse
  (`cosigner.lapsed`), and only confirmed co-signers count. The lead sees who has not answered
  before submitting.
- Withdrawal is possible before assignment. A draft, or a suggestion without confirmed co-signers,
  is withdrawn at once (`do_withdraw_suggestion`); a joint suggestion needs a withdrawal request
  that every confirmed co-signer agrees to (`do_request_withdrawal` → `do_answer_withdrawal`). One
  refusal ends the request; assigning, declining or merging the suggestion lets it lapse.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minyi.congress.models import Category, Channel, Congress, Deputy, Session, ThemeTag, Unit
from minyi.core.errors import InvalidTransition, ValidationFailed

from ..models import CoSigner, Suggestion, SuggestionKind, WithdrawalConsent, WithdrawalRequest
from ..states import EDITABLE, INITIAL, CoSignerState, SuggestionState, WithdrawalState
from ._common import (
    Ctx,
    active_item,
    apply,
    authorize,
    check_move,
    close_deadlines,
    ctx_for,
    lock_suggestion,
    open_deadline,
    open_deadlines,
    record,
    record_move,
    require_move,
    required_text,
    same_congress,
    wrong_state,
)

TITLE_MAX = 200


@dataclass(frozen=True)
class SuggestionContent:
    """What the lead deputy writes (DOMAIN.md §3.1). Taxonomy rows and units are model instances of
    the suggestion's congress. A draft needs only a title; `do_submit_suggestion` requires the rest
    (except theme tags and suggested units)."""

    title: str
    facts: str = ""
    proposals: str = ""
    category: Category | None = None
    theme_tags: Sequence[ThemeTag] = ()
    channel: Channel | None = None
    collected_on: datetime.date | None = None
    suggested_units: Sequence[Unit] = ()
    kind: str = SuggestionKind.INTERIM
    session: Session | None = None


CONTENT_FIELDS = ["title", "facts", "proposals", "category", "channel", "collected_on", "kind", "session"]


def _content_snapshot(suggestion: Suggestion) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": suggestion.title,
        "facts": suggestion.facts,
        "proposals": suggestion.proposals,
        "category": suggestion.category_id,
        "channel": suggestion.channel_id,
        "collected_on": suggestion.collected_on.isoformat() if suggestion.collected_on else None,
        "kind": suggestion.kind,
        "session": suggestion.session_id,
    }
    if suggestion.pk:
        data["theme_tags"] = sorted(suggestion.theme_tags.values_list("pk", flat=True))
        data["suggested_units"] = sorted(suggestion.suggested_units.values_list("pk", flat=True))
    return data


def _clean_content(ctx: Ctx, content: SuggestionContent) -> SuggestionContent:
    title = required_text(content.title, _("请填写案由。"), code="title_required")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_("案由不能超过%(n)s个字。") % {"n": TITLE_MAX}, code="title_too_long")
    if content.kind not in SuggestionKind.values:
        raise ValidationFailed(_("建议类别不正确。"), code="bad_kind")
    active_item(ctx, content.category, _("分类"))
    active_item(ctx, content.channel, _("收集渠道"))
    for tag in content.theme_tags:
        active_item(ctx, tag, _("主题标签"))
    for unit in content.suggested_units:
        active_item(ctx, unit, _("建议承办单位"))
    if content.session is not None and content.session.term.congress_id != ctx.congress.pk:
        raise ValidationFailed(_("会议不属于本人大。"), code="wrong_congress")
    if content.collected_on and content.collected_on > ctx.today:
        raise ValidationFailed(_("民意收集日期不能晚于今天。"), code="collected_in_future")
    return SuggestionContent(
        title=title,
        facts=(content.facts or "").strip(),
        proposals=(content.proposals or "").strip(),
        category=content.category,
        theme_tags=list(dict.fromkeys(content.theme_tags)),
        channel=content.channel,
        collected_on=content.collected_on,
        suggested_units=list(dict.fromkeys(content.suggested_units)),
        kind=content.kind,
        session=content.session,
    )


def _write_content(suggestion: Suggestion, content: SuggestionContent) -> None:
    for name in CONTENT_FIELDS:
        setattr(suggestion, name, getattr(content, name))


def _check_in_office(ctx: Ctx, deputy: Deputy) -> None:
    if not deputy.in_office_on(ctx.today):
        raise ValidationFailed(_("%(d)s已不在代表任期内。") % {"d": deputy.name}, code="not_in_office")


@transaction.atomic
def do_create_suggestion(
    congress: Congress, *, actor: Any, content: SuggestionContent, lead: Deputy | None = None
) -> Suggestion:
    """Start a draft. A deputy drafts for themself (`lead` may be omitted); a liaison clerk drafts for
    the deputy given as `lead` and is recorded as `entered_by`."""
    ctx = ctx_for(actor, congress)
    if lead is None and actor is not None:
        lead = Deputy.objects.filter(congress=congress, user=actor).first()
    if lead is None:
        raise ValidationFailed(_("请选择领衔代表。"), code="lead_required")
    same_congress(ctx, lead, _("领衔代表"))
    suggestion = Suggestion(congress=congress, lead=lead, entered_by=actor)
    authorize(ctx, "create", suggestion, _("只有代表本人或联络站工作人员可以起草建议。"))
    transition = check_move(ctx, "suggestion", INITIAL, "create")
    _check_in_office(ctx, lead)
    content = _clean_content(ctx, content)
    _write_content(suggestion, content)
    apply(suggestion, transition, ctx)
    suggestion.save()
    suggestion.theme_tags.set(content.theme_tags)
    suggestion.suggested_units.set(content.suggested_units)
    record_move(
        ctx,
        "suggestion.created",
        transition,
        INITIAL,
        suggestion=suggestion,
        new={**_content_snapshot(suggestion), "lead": lead.pk},
        target_user=lead.user,
    )
    return suggestion


@transaction.atomic
def do_update_suggestion(suggestion: Suggestion, *, actor: Any, content: SuggestionContent) -> Suggestion:
    """Replace the content of a draft or of a returned suggestion (all fields at once, as a form
    sends them). Records the old and new value of every changed field."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "edit", suggestion, _("只有领衔代表或为其录入草稿的联络站工作人员可以修改建议。"))
    check_move(ctx, "suggestion", suggestion.state, "edit")
    content = _clean_content(ctx, content)
    before = _content_snapshot(suggestion)
    _write_content(suggestion, content)
    suggestion.save()
    suggestion.theme_tags.set(content.theme_tags)
    suggestion.suggested_units.set(content.suggested_units)
    after = _content_snapshot(suggestion)
    changed = [k for k in after if before.get(k) != after[k]]
    if changed:
        record(
            ctx,
            "suggestion.updated",
            suggestion=suggestion,
            old={k: before[k] for k in changed},
            new={k: after[k] for k in changed},
        )
    return suggestion


# --- co-signers ------------------------------------------------------------------------------------


def _require_editable(suggestion: Suggestion, action: str) -> None:
    if suggestion.state not in EDITABLE:
        raise wrong_state("suggestion", suggestion.state, action)


@transaction.atomic
def do_invite_cosigner(suggestion: Suggestion, *, actor: Any, deputy: Deputy) -> CoSigner:
    """Invite a deputy of the same congress, in office and with an account, to co-sign (联名)."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(
        ctx, "invite_cosigner", suggestion, _("只有领衔代表或为其录入草稿的联络站工作人员可以邀请联名。")
    )
    _require_editable(suggestion, "invite_cosigner")
    same_congress(ctx, deputy, _("联名代表"))
    if deputy.pk == suggestion.lead_id:
        raise ValidationFailed(_("领衔代表不能联名自己的建议。"), code="lead_cannot_cosign")
    _check_in_office(ctx, deputy)
    if deputy.user_id is None:
        raise ValidationFailed(
            _("%(d)s尚未开通账号，无法在线确认联名。") % {"d": deputy.name}, code="deputy_without_account"
        )
    cosigner = CoSigner.objects.select_for_update().filter(suggestion=suggestion, deputy=deputy).first()
    source = cosigner.state if cosigner else INITIAL
    transition = check_move(ctx, "cosigner", source, "invite_cosigner")
    if cosigner is None:
        cosigner = CoSigner(suggestion=suggestion, deputy=deputy, invited_by=actor)
    cosigner.invited_by = actor
    cosigner.invited_at = ctx.now
    cosigner.answered_at = None
    apply(cosigner, transition, ctx)
    cosigner.save()
    record_move(
        ctx,
        "cosigner.invited",
        transition,
        source,
        suggestion=suggestion,
        obj=cosigner,
        new={"deputy": deputy.pk},
        target_user=deputy.user,
    )
    return cosigner


@transaction.atomic
def do_revoke_cosigner(cosigner: CoSigner, *, actor: Any) -> CoSigner:
    """Take back an invitation (or a confirmation) while the suggestion is still a draft or returned."""
    suggestion = lock_suggestion(cosigner.suggestion_id)
    cosigner = CoSigner.objects.select_for_update(of=("self",)).select_related("deputy").get(pk=cosigner.pk)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(
        ctx, "revoke_cosigner", suggestion, _("只有领衔代表或为其录入草稿的联络站工作人员可以撤销联名邀请。")
    )
    _require_editable(suggestion, "revoke_cosigner")
    source = cosigner.state
    transition = check_move(ctx, "cosigner", source, "revoke_cosigner")
    cosigner.answered_at = ctx.now
    apply(cosigner, transition, ctx)
    cosigner.save()
    record_move(
        ctx,
        "cosigner.revoked",
        transition,
        source,
        suggestion=suggestion,
        obj=cosigner,
        target_user=cosigner.deputy.user,
    )
    return cosigner


def _answer_cosign(cosigner: CoSigner, *, actor: Any, action: str, code: str) -> CoSigner:
    suggestion = lock_suggestion(cosigner.suggestion_id)
    cosigner = CoSigner.objects.select_for_update(of=("self",)).select_related("deputy").get(pk=cosigner.pk)
    cosigner.suggestion = suggestion
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, action, cosigner, _("只有被邀请的代表本人可以答复联名邀请。"))
    _require_editable(suggestion, action)
    source = cosigner.state
    transition = check_move(ctx, "cosigner", source, action)
    cosigner.answered_at = ctx.now
    apply(cosigner, transition, ctx)
    cosigner.save()
    record_move(ctx, code, transition, source, suggestion=suggestion, obj=cosigner)
    return cosigner


@transaction.atomic
def do_confirm_cosign(cosigner: CoSigner, *, actor: Any) -> CoSigner:
    """The invited deputy confirms: they co-sign the suggestion."""
    return _answer_cosign(cosigner, actor=actor, action="confirm_cosign", code="cosigner.confirmed")


@transaction.atomic
def do_decline_cosign(cosigner: CoSigner, *, actor: Any) -> CoSigner:
    """The invited deputy declines (or takes back a confirmation before the suggestion is submitted)."""
    return _answer_cosign(cosigner, actor=actor, action="decline_cosign", code="cosigner.declined")


# --- submit ----------------------------------------------------------------------------------------


def _check_complete(suggestion: Suggestion) -> None:
    missing = []
    if not suggestion.facts:
        missing.append(_("情况与问题"))
    if not suggestion.proposals:
        missing.append(_("具体建议"))
    if suggestion.category_id is None:
        missing.append(_("分类"))
    if suggestion.channel_id is None:
        missing.append(_("收集渠道"))
    if suggestion.collected_on is None:
        missing.append(_("民意收集日期"))
    if missing:
        raise ValidationFailed(
            _("提交前请填写：%(f)s。") % {"f": "、".join(str(m) for m in missing)}, code="incomplete"
        )


@transaction.atomic
def do_submit_suggestion(suggestion: Suggestion, *, actor: Any) -> Suggestion:
    """Submit a draft or a revised returned suggestion for review (only the lead deputy's own account).
    Unanswered co-signing invitations lapse; the review deadline starts."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(
        ctx,
        "submit",
        suggestion,
        _("只有领衔代表本人可以提交建议（联络站工作人员录入的草稿也须由代表本人提交）。"),
    )
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, "submit")
    _check_complete(suggestion)
    _check_in_office(ctx, suggestion.lead)
    for unit in suggestion.suggested_units.all():
        active_item(ctx, unit, _("建议承办单位"))
    suggestion.submitted_at = ctx.now
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "submitted_at", "updated_at"])
    confirmed = list(
        suggestion.cosigners.filter(state=CoSignerState.CONFIRMED).values_list("deputy_id", flat=True)
    )
    record_move(
        ctx, "suggestion.submitted", transition, source, suggestion=suggestion, new={"cosigners": confirmed}
    )
    for cosigner in suggestion.cosigners.select_for_update().filter(state=CoSignerState.INVITED):
        lapse = check_move(ctx, "cosigner", cosigner.state, "submit")
        cosigner.answered_at = ctx.now
        apply(cosigner, lapse, ctx)
        cosigner.save()
        record_move(ctx, "cosigner.lapsed", lapse, CoSignerState.INVITED, suggestion=suggestion, obj=cosigner)
    policy = ctx.policy
    open_deadline(
        ctx,
        suggestion=suggestion,
        kind="review",
        started_on=ctx.today,
        due_on=ctx.calendar.add_working_days(ctx.today, policy.review_days),
        rule=_("提交后%(n)s个工作日内审查") % {"n": policy.review_days},
    )
    return suggestion


# --- withdraw --------------------------------------------------------------------------------------


def _confirmed_cosigners(suggestion: Suggestion) -> list[CoSigner]:
    return list(suggestion.cosigners.filter(state=CoSignerState.CONFIRMED).select_related("deputy"))


def _end_suggestion_deadlines(ctx: Ctx, suggestion: Suggestion) -> None:
    close_deadlines(ctx, open_deadlines(suggestion), reason="cancelled")


def _withdraw(ctx: Ctx, suggestion: Suggestion, action: str, reason: str) -> None:
    source = suggestion.state
    transition = check_move(ctx, "suggestion", source, action)
    fields = apply(suggestion, transition, ctx)
    suggestion.save(update_fields=[*fields, "updated_at"])
    _end_suggestion_deadlines(ctx, suggestion)
    record_move(ctx, "suggestion.withdrawn", transition, source, suggestion=suggestion, note=reason)


@transaction.atomic
def do_withdraw_suggestion(suggestion: Suggestion, *, actor: Any, reason: str = "") -> Suggestion:
    """The lead deputy withdraws a draft, or a suggestion without confirmed co-signers that has not
    been assigned yet. A joint suggestion needs `do_request_withdrawal` instead."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "withdraw", suggestion, _("只有领衔代表本人可以撤回建议。"))
    require_move("suggestion", suggestion.state, "withdraw")
    if suggestion.state != SuggestionState.DRAFT:
        reason = required_text(reason, _("请填写撤回理由。"), code="reason_required")
        if _confirmed_cosigners(suggestion):
            raise ValidationFailed(
                _("这是联名建议，撤回须经全体联名代表同意，请发起撤回申请。"), code="cosigners_must_agree"
            )
    _withdraw(ctx, suggestion, "withdraw", (reason or "").strip())
    return suggestion


@transaction.atomic
def do_request_withdrawal(suggestion: Suggestion, *, actor: Any, reason: str) -> WithdrawalRequest:
    """The lead deputy asks the confirmed co-signers of a submitted joint suggestion to agree to its
    withdrawal. The suggestion is withdrawn when the last of them agrees."""
    suggestion = lock_suggestion(suggestion)
    ctx = ctx_for(actor, suggestion.congress)
    authorize(ctx, "request_withdrawal", suggestion, _("只有领衔代表本人可以申请撤回建议。"))
    require_move("suggestion", suggestion.state, "agree_withdrawal")
    reason = required_text(reason, _("请填写撤回理由。"), code="reason_required")
    cosigners = _confirmed_cosigners(suggestion)
    if not cosigners:
        raise ValidationFailed(_("本建议没有联名代表，可以直接撤回。"), code="no_cosigners")
    if suggestion.withdrawal_requests.filter(state=WithdrawalState.PENDING).exists():
        raise ValidationFailed(_("已有一项撤回申请在等待联名代表答复。"), code="withdrawal_pending")
    transition = check_move(ctx, "withdrawal", INITIAL, "request_withdrawal")
    request = WithdrawalRequest(suggestion=suggestion, requested_by=actor, reason=reason, created_at=ctx.now)
    apply(request, transition, ctx)
    request.save()
    WithdrawalConsent.objects.bulk_create(
        WithdrawalConsent(request=request, deputy=c.deputy) for c in cosigners
    )
    record_move(
        ctx,
        "withdrawal.requested",
        transition,
        INITIAL,
        suggestion=suggestion,
        obj=request,
        new={"asked": [c.deputy_id for c in cosigners]},
        note=reason,
    )
    return request


@transaction.atomic
def do_answer_withdrawal(
    request: WithdrawalRequest, *, actor: Any, agree: bool, note: str = ""
) -> WithdrawalRequest:
    """A confirmed co-signer agrees to or refuses the withdrawal. One refusal ends the request; the
    last agreement withdraws the suggestion."""
    suggestion = lock_suggestion(request.suggestion_id)
    request = WithdrawalRequest.objects.select_for_update().get(pk=request.pk)
    request.suggestion = suggestion
    ctx = ctx_for(actor, suggestion.congress)
    action = "agree_withdrawal" if agree else "refuse_withdrawal"
    authorize(ctx, action, request, _("只有被征求意见的联名代表可以答复撤回申请。"))
    source = request.state
    transition = check_move(ctx, "withdrawal", source, action)
    consent = request.consents.select_for_update(of=("self",)).get(deputy__user=actor)
    if consent.answer != WithdrawalConsent.Answer.PENDING:
        raise InvalidTransition(_("您已答复过该撤回申请。"), code="already_answered")
    consent.answer = WithdrawalConsent.Answer.AGREED if agree else WithdrawalConsent.Answer.REFUSED
    consent.note = (note or "").strip()
    consent.answered_at = ctx.now
    consent.save()
    if not agree:
        request.decided_at = ctx.now
        apply(request, transition, ctx)
        request.save()
        record_move(
            ctx,
            "withdrawal.refused",
            transition,
            source,
            suggestion=suggestion,
            obj=request,
            note=consent.note,
        )
        return request
    record(ctx, "withdrawal.agreed", suggestion=suggestion, obj=request, new={"deputy": consent.deputy_id})
    if request.consents.exclude(answer=WithdrawalConsent.Answer.AGREED).exists():
        return request
    request.decided_at = ctx.now
    apply(request, transition, ctx)
    request.save()
    _withdraw(ctx, suggestion, "agree_withdrawal", request.reason)
    return request


def lapse_withdrawal_requests(ctx: Ctx, suggestion: Suggestion, action: str) -> None:
    """Pending withdrawal requests lapse when the suggestion is assigned, declined or merged."""
    for request in suggestion.withdrawal_requests.select_for_update().filter(state=WithdrawalState.PENDING):
        transition = check_move(ctx, "withdrawal", request.state, action)
        request.decided_at = ctx.now
        apply(request, transition, ctx)
        request.save()
        record_move(
            ctx, "withdrawal.lapsed", transition, WithdrawalState.PENDING, suggestion=suggestion, obj=request
        )
