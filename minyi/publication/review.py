"""What the clerk reviews before publishing (公开审定): the texts a publication would copy, each with
the personal data found in it and its masked form, and the lists of the clerk's publication work.

A `Part` is one text to publish: the title, the facts, the proposals, or one signed reply letter.
`draft(suggestion)` gives the parts with their findings (`redaction.find`): names the congress knows
(the residents whose opinions became the suggestion) and names it must leave alone (the suggestion's
own deputies, whose names are public) are passed to the search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from minyi.congress.models import Congress, Policy
from minyi.intake.selectors import constituent_names_behind
from minyi.suggestions.models import Reply, Suggestion
from minyi.suggestions.selectors import confirmed_cosigners, signed_replies_of_every_round
from minyi.suggestions.states import SuggestionState

from . import redaction
from .models import Publication, PublicationState, WithholdRequest, WithholdState

S = SuggestionState
#: The suggestion states from which a suggestion may be published, by the policy's `publish_when`.
PUBLISHABLE_STATES = {
    Policy.PublishWhen.REPLIED: (S.REPLIED, S.EVALUATED, S.CLOSED),
    Policy.PublishWhen.CLOSED: (S.CLOSED,),
}
KIND_LABELS = {
    "name": _("姓名"),
    "phone": _("电话"),
    "id_card": _("身份证号"),
    "address": _("住址"),
    "plate": _("车牌号"),
}


@dataclass
class Part:
    key: str
    label: str
    original: str
    findings: list[redaction.Finding] = field(default_factory=list)
    reply: Reply | None = None

    @property
    def masked(self) -> str:
        return redaction.mask(self.original, self.findings)

    @property
    def highlighted(self) -> SafeString:
        """The original text with each finding marked (for the clerk's eyes only)."""
        out: list[str] = []
        at = 0
        for f in self.findings:
            out.append(escape(self.original[at : f.start]))
            kind = KIND_LABELS.get(f.kind, f.kind)
            out.append(f'<mark class="finding" title="{escape(kind)}">{escape(f.text)}</mark>')
            at = f.end
        out.append(escape(self.original[at:]))
        return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above

    @property
    def kinds(self) -> list[str]:
        return sorted({str(KIND_LABELS.get(f.kind, f.kind)) for f in self.findings})


def deputy_names(suggestion: Suggestion) -> list[str]:
    """The lead deputy and the confirmed co-signers, as the publication prints them."""
    names = [suggestion.lead.name] if suggestion.lead_id else []
    names += [c.deputy.name for c in confirmed_cosigners([suggestion.pk]).select_related("deputy")]
    return names


def draft(
    suggestion: Suggestion, *, public: tuple[str, ...] = (), known: list[str] | None = None
) -> list[Part]:
    """The parts a publication of `suggestion` would copy, with the personal data found in each.
    `known`: the residents' names behind it (`constituent_names_behind`, read here when not given)."""
    if known is None:
        known = constituent_names_behind(suggestion.pk)
    public_names = (*deputy_names(suggestion), *public)
    parts = [
        Part("title", str(_("案由")), suggestion.title),
        Part("facts", str(_("情况与问题")), suggestion.facts),
        Part("proposals", str(_("具体建议")), suggestion.proposals),
    ]
    for reply in signed_replies_of_every_round(suggestion):
        label = _("%(unit)s的答复（第%(round)s轮）") % {
            "unit": reply.assignment.unit.name,
            "round": reply.assignment.round,
        }
        parts.append(Part(f"reply-{reply.pk}", str(label), reply.body, reply=reply))
    for part in parts:
        part.findings = redaction.find(part.original, known=known, public=public_names)
    return parts


def publishable(congress: Congress) -> QuerySet[Suggestion]:
    """Suggestions at the policy's publishing stage on which no decision has been taken yet (待审定).
    The policy is read inside the query (the 待办 counts run every section in one statement)."""
    early = Policy.objects.filter(congress=OuterRef("congress"), publish_when=Policy.PublishWhen.REPLIED)
    return (
        Suggestion.objects.filter(congress=congress)
        .filter(Q(state=S.CLOSED) | (Q(state__in=(S.REPLIED, S.EVALUATED)) & Exists(early)))
        .exclude(number="")
        .filter(~Exists(Publication.objects.filter(suggestion=OuterRef("pk"))))
        .annotate(
            withhold_pending=Exists(
                WithholdRequest.objects.filter(suggestion=OuterRef("pk"), state=WithholdState.PENDING)
            )
        )
        .select_related("lead", "category")
        .order_by("year", "seq", "id")
    )


def is_publishable(suggestion: Suggestion, policy: Policy) -> bool:
    return suggestion.state in PUBLISHABLE_STATES[Policy.PublishWhen(policy.publish_when)] and bool(
        suggestion.number
    )


def decided(congress: Congress, state: str) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(congress=congress, state=state)
        .select_related("suggestion", "decided_by")
        .order_by("-decided_at", "-id")
    )


def pending_withhold_requests(congress: Congress) -> QuerySet[WithholdRequest]:
    return (
        WithholdRequest.objects.filter(congress=congress, state=WithholdState.PENDING)
        .select_related("suggestion", "unit", "requested_by")
        .order_by("requested_at", "id")
    )


def withhold_requests_of(suggestion: Suggestion) -> QuerySet[WithholdRequest]:
    return WithholdRequest.objects.filter(suggestion=suggestion).select_related("unit", "requested_by")


def publication_of(suggestion: Suggestion) -> Publication | None:
    return Publication.objects.filter(suggestion=suggestion).first()


def counts(congress: Congress) -> dict[str, int]:
    """The tabs' counts of the clerk's publication page."""
    by_state = dict(
        Publication.objects.filter(congress=congress).values_list("state").annotate(n=Count("id"))
    )
    return {
        "pending": publishable(congress).count(),
        "requests": pending_withhold_requests(congress).count(),
        PublicationState.PUBLISHED: by_state.get(PublicationState.PUBLISHED, 0),
        PublicationState.WITHHELD: by_state.get(PublicationState.WITHHELD, 0),
        PublicationState.RETRACTED: by_state.get(PublicationState.RETRACTED, 0),
    }
