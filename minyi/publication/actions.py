"""Every publication decision goes through a `do_*` action here: it checks the actor's permission
(`rules.py`), the suggestion's stage (the policy's `publish_when`), validates, writes the publication
rows and its audit row (codes ``publication.*``) in the same transaction. A refused move raises a
`minyi.core.errors.DomainError` with a Chinese message and changes nothing.

Decisions (docs/user-guide/publication.md):

- Only a suggestion at the policy's stage (答复签发后 or 办结后) with a number may be published; the
  publication copies its title, facts, proposals and every signed reply letter **as the clerk
  confirmed their masking**. Each text is searched again when it is saved: a piece of personal data
  still in it refuses the publication unless the clerk confirmed that very text as public
  (`confirmed_public`, kept on the row and in the audit row).
- Publishing again (after a new reply, or to correct the masking) replaces the copy; the first
  publication time stays (the feed's order).
- While a handling unit's request to withhold is pending, the suggestion is not published: the clerk
  decides the request first. Granting it withholds the suggestion (and takes it off the site if it
  was published); refusing it needs a note.
- Withholding and retracting need a reason; the public site shows neither the text nor the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from minyi.accounts.models import User
from minyi.congress.models import Congress
from minyi.core.errors import DomainError, FieldErrors, InvalidTransition, NotPermitted, ValidationFailed
from minyi.core.kit import Actor, Ctx, authorize, clean_text, record
from minyi.intake.selectors import constituent_names_behind
from minyi.suggestions.models import Suggestion
from minyi.suggestions.selectors import suggestion_for_update

from . import public_search, redaction, review
from .models import (
    Publication,
    PublicationState,
    PublishedFigures,
    PublishedReply,
    WithholdGround,
    WithholdRequest,
    WithholdState,
)
from .rules import requesting_units

REASON_MAX = 2000


def _staff_only() -> str:
    return _("只有代表工委工作人员可以决定公开。")


def _user(actor: Actor) -> User:
    """The acting user (`authorize` has refused the system already: these decisions are people's)."""
    assert actor is not None
    return actor


def _lock(suggestion: Suggestion | int) -> Suggestion:
    return suggestion_for_update(suggestion if isinstance(suggestion, int) else suggestion.pk)


def _no_pending_request(suggestion: Suggestion) -> None:
    if WithholdRequest.objects.filter(suggestion=suggestion, state=WithholdState.PENDING).exists():
        raise InvalidTransition(_("承办单位申请不予公开，请先审定该申请。"), code="withhold_pending")


def _final_texts(
    parts: Sequence[review.Part], texts: Mapping[str, str], public: Sequence[str], known: Iterable[str]
) -> dict[str, str]:
    """The text of each part as it will be published: the clerk's edited text, or the masked one;
    refused (FieldErrors by part) while personal data the clerk did not confirm is found in it."""
    final: dict[str, str] = {}
    errors: dict[str, str] = {}
    known = list(known)
    for part in parts:
        text = texts.get(part.key)
        text = part.masked if text is None else text.strip()
        if part.key == "title" and not text:
            errors[part.key] = _("案由不能为空。")
            continue
        left = redaction.find(text, known=known, public=public)
        if left:
            errors[part.key] = _("仍有可能的个人信息未遮盖：%(items)s。请遮盖，或确认其可以公开。") % {
                "items": "、".join(dict.fromkeys(f.text for f in left))
            }
        final[part.key] = text
    if errors:
        raise FieldErrors(errors, code="unredacted")
    return final


@transaction.atomic
def do_publish(
    suggestion: Suggestion | int,
    *,
    actor: Actor,
    texts: Mapping[str, str] | None = None,
    confirmed_public: Sequence[str] = (),
) -> Publication:
    """Publish the suggestion and its signed replies, masked (see the module's text). `texts` maps a
    part's key ("title", "facts", "proposals", "reply-<pk>") to the clerk's final text; a part not
    in it is published with every finding masked."""
    suggestion = _lock(suggestion)
    ctx = Ctx(actor=actor, congress=suggestion.congress)
    authorize(ctx, "publication.decide", ctx.congress, _staff_only())
    if not review.is_publishable(suggestion, ctx.policy):
        raise InvalidTransition(
            _("该建议尚未到可公开的阶段（%(when)s）。") % {"when": ctx.policy.get_publish_when_display()},
            code="not_publishable",
        )
    _no_pending_request(suggestion)
    confirmed = [c.strip() for c in confirmed_public if c and c.strip()]
    known = constituent_names_behind(suggestion.pk)  # read once: for the draft and for the re-check
    parts = review.draft(suggestion, known=known)
    public = [*review.deputy_names(suggestion), *confirmed]
    final = _final_texts(parts, texts or {}, public, known)
    replies = [p for p in parts if p.reply is not None]
    if not replies:
        raise InvalidTransition(_("该建议还没有已签发的答复，不能公开。"), code="no_reply")
    publication = Publication.objects.select_for_update().filter(suggestion=suggestion).first()
    first_time = publication is None or publication.published_at is None
    if publication is None:
        publication = Publication(congress=ctx.congress, suggestion=suggestion)
    old_state = publication.state
    publication.state = PublicationState.PUBLISHED
    publication.year = suggestion.year or ctx.today.year
    publication.number = suggestion.number
    publication.title = final["title"]
    publication.facts = final["facts"]
    publication.proposals = final["proposals"]
    publication.deputies = "、".join(review.deputy_names(suggestion))[:500]
    publication.category_id = suggestion.category_id
    publication.accepted_on = suggestion.accepted_at and suggestion.accepted_at.date()
    publication.closed_on = suggestion.closed_at and suggestion.closed_at.date()
    publication.masked = sum(
        len(p.findings) for p in parts if final.get(p.key) is not None and final[p.key] != p.original
    )
    publication.confirmed_public = confirmed
    publication.reason = ""
    publication.decided_by = _user(actor)
    publication.decided_at = ctx.now
    if first_time:
        publication.published_at = ctx.now
    publication.terms = public_search.terms_of(
        number=publication.number,
        title=publication.title,
        texts=[
            publication.facts,
            publication.proposals,
            publication.deputies,
            *(f"{p.reply.assignment.unit.name}\n{final[p.key]}" for p in replies if p.reply is not None),
        ],
        congress=ctx.congress,
    )
    publication.save()
    publication.replies.all().delete()
    PublishedReply.objects.bulk_create(
        PublishedReply(
            publication=publication,
            unit=part.reply.assignment.unit,
            result_class=part.reply.result_class,
            round=part.reply.assignment.round,
            body=final[part.key],
            signed_on=(part.reply.signed_off_at or ctx.now).date(),
            satisfaction=_satisfaction(part.reply),
        )
        for part in replies
        if part.reply is not None
    )
    record(
        ctx,
        "publication.published",
        publication,
        suggestion=suggestion,
        old={"state": old_state} if old_state else None,
        new={"state": publication.state, "masked": publication.masked, "confirmed_public": confirmed},
    )
    return publication


def _satisfaction(reply) -> str:
    evaluation = getattr(reply, "evaluation", None)
    return evaluation.overall if evaluation is not None else ""


@dataclass
class BatchResult:
    published: list[Publication]
    refused: list[tuple[Suggestion, str]]


def do_publish_batch(suggestions: Iterable[Suggestion | int], *, actor: Actor) -> BatchResult:
    """Publish each suggestion with every finding masked (the clerk confirmed the batch page's list
    of findings); one transaction each: a suggestion that is refused (a pending withhold request, a
    finding that masking cannot clear, not at the stage) is reported and the others go on."""
    result = BatchResult([], [])
    for item in suggestions:
        pk = item if isinstance(item, int) else item.pk
        try:
            result.published.append(do_publish(pk, actor=actor))
        except NotPermitted:
            raise
        except DomainError as refused:
            result.refused.append((Suggestion.objects.get(pk=pk), str(refused)))
    return result


def _decision(ctx: Ctx, suggestion: Suggestion, state: str, reason: str) -> Publication:
    publication = Publication.objects.select_for_update().filter(suggestion=suggestion).first()
    if publication is None:
        publication = Publication(
            congress=ctx.congress,
            suggestion=suggestion,
            year=suggestion.year or ctx.today.year,
            number=suggestion.number,
        )
    publication.state = state
    publication.reason = reason
    publication.decided_by = _user(ctx.actor)
    publication.decided_at = ctx.now
    publication.save()
    return publication


@transaction.atomic
def do_withhold(suggestion: Suggestion | int, *, actor: Actor, reason: str) -> Publication:
    """Decide not to publish the suggestion (不予公开), with a reason; any pending withhold request
    of a unit is granted with it. A published suggestion leaves the public site."""
    suggestion = _lock(suggestion)
    ctx = Ctx(actor=actor, congress=suggestion.congress)
    authorize(ctx, "publication.decide", ctx.congress, _staff_only())
    reason = clean_text(reason, _("请填写不予公开的理由。"), limit=REASON_MAX, field="reason")
    if not suggestion.number:
        raise InvalidTransition(_("只有已立案的建议才需要决定是否公开。"), code="not_accepted")
    before = getattr(review.publication_of(suggestion), "state", "")
    publication = _decision(ctx, suggestion, PublicationState.WITHHELD, reason)
    for request in WithholdRequest.objects.select_for_update().filter(
        suggestion=suggestion, state=WithholdState.PENDING
    ):
        _close_request(ctx, request, WithholdState.GRANTED, reason)
    record(
        ctx,
        "publication.withheld",
        publication,
        suggestion=suggestion,
        old={"state": before} if before else None,
        new={"state": publication.state},
        note=reason,
    )
    return publication


@transaction.atomic
def do_retract(suggestion: Suggestion | int, *, actor: Actor, reason: str) -> Publication:
    """Take a published suggestion off the public site (撤回公开), with a reason."""
    suggestion = _lock(suggestion)
    ctx = Ctx(actor=actor, congress=suggestion.congress)
    authorize(ctx, "publication.decide", ctx.congress, _staff_only())
    reason = clean_text(reason, _("请填写撤回公开的理由。"), limit=REASON_MAX, field="reason")
    current = review.publication_of(suggestion)
    if current is None or current.state != PublicationState.PUBLISHED:
        raise InvalidTransition(_("该建议没有公开，无需撤回。"), code="not_published")
    publication = _decision(ctx, suggestion, PublicationState.RETRACTED, reason)
    record(
        ctx,
        "publication.retracted",
        publication,
        suggestion=suggestion,
        old={"state": PublicationState.PUBLISHED},
        new={"state": publication.state},
        note=reason,
    )
    return publication


@transaction.atomic
def do_request_withhold(
    suggestion: Suggestion | int, *, actor: Actor, ground: str, reason: str
) -> WithholdRequest:
    """A handling unit asks that the suggestion not be published (申请不予公开), with a ground and a
    reason; the clerk decides (`do_decide_withhold_request`). One pending request per unit."""
    suggestion = _lock(suggestion)
    ctx = Ctx(actor=actor, congress=suggestion.congress)
    authorize(ctx, "publication.request_withhold", suggestion, _("只有承办该建议的单位可以申请不予公开。"))
    if ground not in WithholdGround.values:
        raise FieldErrors({"ground": _("请选择理由类别。")}, code="bad_ground")
    reason = clean_text(reason, _("请填写具体理由。"), limit=REASON_MAX, field="reason")
    current = review.publication_of(suggestion)
    if current is not None and current.state == PublicationState.WITHHELD:
        raise InvalidTransition(_("该建议已决定不予公开。"), code="already_withheld")
    unit = requesting_units(actor, suggestion)[0]
    if WithholdRequest.objects.filter(suggestion=suggestion, unit=unit, state=WithholdState.PENDING).exists():
        raise InvalidTransition(_("本单位已提出申请，正在等待审定。"), code="request_pending")
    request = WithholdRequest.objects.create(
        congress=ctx.congress,
        suggestion=suggestion,
        unit=unit,
        ground=ground,
        reason=reason,
        requested_by=_user(actor),
        requested_at=ctx.now,
    )
    record(
        ctx,
        "publication.withhold_requested",
        request,
        suggestion=suggestion,
        unit=unit,
        new={"ground": ground},
        note=reason,
    )
    return request


def _close_request(ctx: Ctx, request: WithholdRequest, state: str, note: str) -> None:
    request.state = state
    request.decided_by = ctx.actor
    request.decided_at = ctx.now
    request.decision_note = note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    code = (
        "publication.withhold_granted" if state == WithholdState.GRANTED else "publication.withhold_refused"
    )
    record(ctx, code, request, suggestion=request.suggestion, unit=request.unit, note=note)


@transaction.atomic
def do_decide_withhold_request(
    request: WithholdRequest | int, *, actor: Actor, grant: bool, note: str = ""
) -> WithholdRequest:
    """The clerk grants (the suggestion is withheld, off the site if it was published) or refuses (a
    note is required: the unit reads why) a unit's withhold request."""
    pk = request if isinstance(request, int) else request.pk
    found = WithholdRequest.objects.select_related("suggestion", "unit").filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(_("申请不存在。"), code="not_found")
    suggestion = _lock(found.suggestion_id)
    request = WithholdRequest.objects.select_for_update().select_related("suggestion", "unit").get(pk=pk)
    ctx = Ctx(actor=actor, congress=suggestion.congress)
    authorize(ctx, "publication.decide", ctx.congress, _staff_only())
    if request.state != WithholdState.PENDING:
        raise InvalidTransition(_("该申请已审定。"), code="already_decided")
    if grant:
        reason = note.strip() or f"{request.get_ground_display()}：{request.reason}"
        before = getattr(review.publication_of(suggestion), "state", "")
        publication = _decision(ctx, suggestion, PublicationState.WITHHELD, reason[:REASON_MAX])
        _close_request(ctx, request, WithholdState.GRANTED, note.strip())
        record(
            ctx,
            "publication.withheld",
            publication,
            suggestion=suggestion,
            old={"state": before} if before else None,
            new={"state": publication.state},
            note=reason,
        )
    else:
        note = clean_text(
            note, _("不同意申请时请填写审定意见，承办单位将看到。"), limit=REASON_MAX, field="note"
        )
        _close_request(ctx, request, WithholdState.REFUSED, note)
    return request


@transaction.atomic
def do_publish_figures(congress: Congress, *, actor: Actor, year: int) -> PublishedFigures:
    """Publish the year's figures as the inside dashboard computes them today (frozen: the public
    site shows this copy, with its date, until the clerk publishes again)."""
    ctx = Ctx(actor=actor, congress=congress)
    authorize(ctx, "publication.decide", congress, _staff_only())
    if not isinstance(year, int) or not 2000 <= year <= ctx.today.year:
        raise FieldErrors({"year": _("请选择%(y)s年或以前的年度。") % {"y": ctx.today.year}}, code="bad_year")
    from .public_figures import figures_payload

    figures = PublishedFigures.objects.create(
        congress=congress,
        year=year,
        as_of=ctx.today,
        payload=figures_payload(congress, year),
        published_by=_user(actor),
        published_at=ctx.now,
    )
    record(ctx, "publication.figures_published", figures, new={"year": year, "as_of": ctx.today.isoformat()})
    return figures
