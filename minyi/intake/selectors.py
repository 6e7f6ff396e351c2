"""Reads of the intake app.

- `opinions_visible_to`: the row-level twin of ``intake.view_opinion`` (a test keeps them equal for
  every persona); `access_opinion` / `access_station` / `access_event` / `access_photo` fetch one
  record for a user or raise 404 both when it is missing and when it is forbidden.
- `redact` / `for_reader`: **every** opinion a page, an export or an API shows goes through
  `for_reader(user, opinions)`, which blanks the constituent's name and phone unless the reader holds
  ``intake.view_contact`` (a redacted instance refuses to be saved). `contact_visible_to(user,
  opinion)` is the predicate for templates and exports.
- `outcome_of`: what the constituent can be told now (and the idempotency key of that message).
- `same_day_upload_rate(congress, start, end)`: the figure for the reports.
- `opinion_for_suggestion(suggestion)`: the provenance of a suggestion (always redacted), for the
  suggestion pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.audit.models import AuditEvent
from minyi.congress.models import Channel, Congress, LiaisonStation
from minyi.suggestions.models import Suggestion
from minyi.suggestions.selectors import signed_off_replies, suggestion_by_id
from minyi.suggestions.states import SuggestionState

from .models import DutyDay, IntakePhoto, Opinion, OutcomeNotice, StationEvent
from .rules import OVERSIGHT_ROLES, UNIT_VISIBLE_STATES, deputy_of, roles_of, station_ids, unit_ids
from .states import OpinionState, actions_from

OS = OpinionState
MERGE_DEPTH = 50


# --- stations and events ---------------------------------------------------------------------------


def stations_with_counts(congress: Congress) -> QuerySet[LiaisonStation]:
    """The congress's active stations with the number of events and of (open) opinions: counts are
    not personal data, so every member sees them."""
    return (
        LiaisonStation.objects.filter(congress=congress, active=True)
        .select_related("group")
        .annotate(
            event_count=Count("intake_events", distinct=True),
            opinion_count=Count("intake_opinions", distinct=True),
            open_count=Count("intake_opinions", filter=Q(intake_opinions__state=OS.OPEN), distinct=True),
        )
        .order_by("name")
    )


def access_station(
    user: Any, congress: Congress, pk: Any, *, perm: str = "intake.view_station"
) -> LiaisonStation:
    try:
        station = LiaisonStation.objects.select_related("congress", "group").get(
            pk=int(pk), congress=congress
        )
    except (LiaisonStation.DoesNotExist, TypeError, ValueError):
        raise Http404("no such station") from None
    if not rules.has_perm(perm, user, station):
        raise Http404("no such station")
    return station


def events_of(station: LiaisonStation) -> QuerySet[StationEvent]:
    return (
        StationEvent.objects.filter(station=station)
        .annotate(opinion_count=Count("opinions", distinct=True))
        .prefetch_related("deputies")
        .order_by("-date", "-id")
    )


def duty_days_of(station: LiaisonStation) -> QuerySet[DutyDay]:
    return DutyDay.objects.filter(station=station).prefetch_related("deputies").order_by("-date", "-id")


def access_event(user: Any, congress: Congress, pk: Any) -> StationEvent:
    try:
        event = StationEvent.objects.select_related("station__congress", "recorded_by").get(
            pk=int(pk), congress=congress
        )
    except (StationEvent.DoesNotExist, TypeError, ValueError):
        raise Http404("no such event") from None
    if not rules.has_perm("intake.view_station", user, event.station):
        raise Http404("no such event")
    return event


# --- opinions --------------------------------------------------------------------------------------


def _opinion_list(qs: QuerySet[Opinion]) -> QuerySet[Opinion]:
    return qs.select_related(
        "congress", "station", "event", "category", "deputy", "forwarded_to", "suggestion", "merged_into"
    )


def opinions_visible_to(user: Any, congress: Congress) -> QuerySet[Opinion]:
    """The opinions of `congress` that `user` may open (see `rules.can_view_opinion`)."""
    roles = roles_of(user, congress)
    base = Opinion.objects.filter(congress=congress)
    if not roles:
        return base.none()
    if roles & OVERSIGHT_ROLES:
        return base
    q = Q(pk__in=[])
    stations = station_ids(user, congress)
    if stations:
        q |= Q(station__in=stations)
    deputy = deputy_of(user, congress)
    if deputy is not None:
        q |= Q(deputy=deputy)
    units = unit_ids(user, congress)
    if units:
        q |= Q(forwarded_to__in=units, state__in=UNIT_VISIBLE_STATES)
    return base.filter(q)


def contact_visible_to(user: Any, opinion: Opinion) -> bool:
    """Whether `user` may see the constituent's name and phone of `opinion`."""
    return rules.has_perm("intake.view_contact", user, opinion)


def redact(opinion: Opinion) -> Opinion:
    """Blank the contact data on this instance (in memory only; it can no longer be saved)."""
    if not getattr(opinion, "_redacted", False):
        opinion.contact_given = opinion.has_contact  # type: ignore[attr-defined]
    opinion.constituent_name = ""
    opinion.constituent_phone = ""
    opinion._redacted = True  # type: ignore[attr-defined]
    opinion.show_contact = False  # type: ignore[attr-defined]
    return opinion


def for_reader(user: Any, opinions: Iterable[Opinion]) -> list[Opinion]:
    """The opinions as `user` may read them: contact data kept only for those who may see it.
    Every page and export goes through this."""
    out = []
    for opinion in opinions:
        if contact_visible_to(user, opinion):
            opinion.contact_given = opinion.has_contact  # type: ignore[attr-defined]
            opinion.show_contact = True  # type: ignore[attr-defined]
        else:
            redact(opinion)
        out.append(opinion)
    return out


def access_opinion(user: Any, congress: Congress, pk: Any, *, perm: str = "intake.view_opinion") -> Opinion:
    """The opinion `pk` of `congress`, redacted for `user`, if `user` may see it (and holds `perm` on
    it), else 404."""
    try:
        opinion = _opinion_list(Opinion.objects.all()).get(pk=int(pk), congress=congress)
    except (Opinion.DoesNotExist, TypeError, ValueError):
        raise Http404("no such opinion") from None
    if not rules.has_perm("intake.view_opinion", user, opinion) or not rules.has_perm(perm, user, opinion):
        raise Http404("no such opinion")
    return for_reader(user, [opinion])[0]


def access_photo(user: Any, congress: Congress, pk: Any) -> IntakePhoto:
    """A photo of an event (every member) or of an opinion (whoever may see the opinion), else 404."""
    try:
        photo = IntakePhoto.objects.select_related("event__station__congress", "opinion__congress").get(
            pk=int(pk), congress=congress
        )
    except (IntakePhoto.DoesNotExist, TypeError, ValueError):
        raise Http404("no such photo") from None
    if photo.event is not None:
        allowed = rules.has_perm("intake.view_station", user, photo.event.station)
    else:
        allowed = rules.has_perm("intake.view_opinion", user, photo.opinion)
    if not allowed:
        raise Http404("no such photo")
    return photo


def opinion_list(user: Any, congress: Congress, **filters: Any) -> QuerySet[Opinion]:
    """The visible opinions, newest first, ready for a list page (pass the page through
    `for_reader`). Filters: station, event, state, deputy, unit, q."""
    qs = _opinion_list(opinions_visible_to(user, congress))
    if filters.get("station") is not None:
        qs = qs.filter(station=filters["station"])
    if filters.get("event") is not None:
        qs = qs.filter(event=filters["event"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("deputy") is not None:
        qs = qs.filter(deputy=filters["deputy"])
    if filters.get("unit") is not None:
        qs = qs.filter(forwarded_to=filters["unit"])
    if filters.get("q"):
        qs = qs.filter(content__icontains=filters["q"])
    return qs.order_by("-collected_on", "-id")


def merge_targets(opinion: Opinion) -> QuerySet[Opinion]:
    """Opinions `opinion` may be merged into: others of the same congress, at the same station (or
    of the same deputy when it has no station), not merged themselves."""
    qs = (
        Opinion.objects.filter(congress_id=opinion.congress_id)
        .exclude(pk=opinion.pk)
        .exclude(state=OS.MERGED)
    )
    if opinion.station_id is not None:
        qs = qs.filter(station=opinion.station_id)
    else:
        qs = qs.filter(deputy=opinion.deputy_id)
    return qs.order_by("-collected_on", "-id")


def root_of(opinion: Opinion) -> Opinion:
    """The opinion a merged one finally follows (itself when not merged)."""
    current = opinion
    for _step in range(MERGE_DEPTH):
        if current.merged_into_id is None:
            return current
        current = Opinion.objects.select_related("suggestion", "forwarded_to").get(pk=current.merged_into_id)
    return current


# --- moves the user may make -----------------------------------------------------------------------


def available_moves(user: Any, opinion: Opinion) -> list:
    """The table's moves out of the opinion's state that `user` holds the permission for (telling the
    constituent only when there is an outcome not yet told)."""
    moves = []
    for t in actions_from(opinion.state):
        if not rules.has_perm(f"intake.{t.action}", user, opinion):
            continue
        if t.action == "notify" and notify_blocker(opinion) is not None:
            continue
        moves.append(t)
    return moves


def notify_blocker(opinion: Opinion) -> str | None:
    """Why the constituent cannot be told now (None when they can)."""
    outcome = outcome_of(opinion)
    if outcome is None:
        return _("还没有可以告知反映人的结果：转办单位答复或建议答复签发后才能告知。")
    if OutcomeNotice.objects.filter(key=outcome.key).exists():
        return _("已就这一结果告知过反映人，不会重复发送。")
    return None


# --- outcome ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the constituent can be told now, and the key that makes telling it happen once."""

    key: str
    kind: str  # "unit_answer" | "reply" | "declined"
    summary: str
    suggestion: Suggestion | None = None


def _followed_suggestion(suggestion: Suggestion) -> Suggestion:
    """A suggestion merged into another is answered with the main one."""
    for _step in range(MERGE_DEPTH):
        if suggestion.state != SuggestionState.MERGED or suggestion.main_id is None:
            return suggestion
        suggestion = suggestion_by_id(suggestion.main_id)
    return suggestion


REPLIED_STATES = (SuggestionState.REPLIED, SuggestionState.EVALUATED, SuggestionState.CLOSED)


def _clip(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def outcome_of(opinion: Opinion) -> Outcome | None:
    """The outcome the constituent of `opinion` can be told now, or None: a unit's answer to the
    forwarded opinion, or — for an adopted one — the signed-off replies of the suggestion's current
    round (or its decline). A merged opinion follows the one it was merged into."""
    root = root_of(opinion)
    if root.state == OS.UNIT_ANSWERED:
        return Outcome(
            key=f"intake:{opinion.pk}:unit:{root.pk}",
            kind="unit_answer",
            summary=_("%(unit)s答复：%(answer)s")
            % {"unit": root.forwarded_to, "answer": _clip(root.unit_answer, 60)},
        )
    if root.state != OS.ADOPTED or root.suggestion_id is None:
        return None
    suggestion = _followed_suggestion(suggestion_by_id(root.suggestion_id))
    if suggestion.state == SuggestionState.DECLINED:
        return Outcome(
            key=f"intake:{opinion.pk}:s{suggestion.pk}:declined",
            kind="declined",
            summary=_("代表据此提出的建议经审查未予立案。"),
            suggestion=suggestion,
        )
    if suggestion.state not in REPLIED_STATES:
        return None
    replies = list(signed_off_replies(suggestion))
    if not replies:
        return None
    parts = [
        _("%(unit)s答复（%(cls)s）：%(body)s")
        % {"unit": r.assignment.unit, "cls": r.result_class.name, "body": _clip(r.body, 40)}
        for r in replies
    ]
    return Outcome(
        key=f"intake:{opinion.pk}:s{suggestion.pk}:r{suggestion.round}",
        kind="reply",
        summary="；".join(parts),
        suggestion=suggestion,
    )


def outcome_text(opinion: Opinion, outcome: Outcome) -> str:
    """The default SMS text (no name: the message itself goes to the constituent's phone)."""
    where = opinion.station.name if opinion.station is not None else _("代表")
    day = opinion.collected_on
    head = _("【民意】您好！您于%(m)s月%(d)s日在%(where)s反映的“%(what)s”") % {
        "m": day.month,
        "d": day.day,
        "where": where,
        "what": _clip(opinion.content, 20),
    }
    if outcome.kind == "unit_answer":
        body = _("已转有关单位办理。%(summary)s") % {"summary": outcome.summary}
    elif outcome.kind == "declined":
        body = _("已由代表形成建议提交，%(summary)s") % {"summary": outcome.summary}
    else:
        number = outcome.suggestion.number if outcome.suggestion is not None else ""
        body = _("已由代表形成建议%(number)s，%(summary)s") % {
            "number": f"（{number}）" if number else "",
            "summary": outcome.summary,
        }
    tail = _("如有疑问请联系%(where)s。") % {"where": where}
    return f"{head}，{body}{tail}"


def notices_of(opinion: Opinion) -> QuerySet[OutcomeNotice]:
    return (
        OutcomeNotice.objects.filter(opinion=opinion)
        .select_related("created_by")
        .order_by("created_at", "id")
    )


# --- provenance for the suggestion pages -----------------------------------------------------------


def opinion_for_suggestion(suggestion: Suggestion) -> Opinion | None:
    """The opinion a suggestion was adopted from (station, event, collection date), always redacted:
    the suggestion pages never show a constituent's contact data."""
    opinion = (
        Opinion.objects.select_related("station", "event", "deputy", "congress")
        .filter(suggestion=suggestion)
        .first()
    )
    return redact(opinion) if opinion is not None else None


# --- channel for adopted opinions ------------------------------------------------------------------


def grassroots_channels(congress: Congress) -> QuerySet[Channel]:
    return Channel.objects.filter(congress=congress, active=True, grassroots=True).order_by("order", "pk")


def default_channel(opinion: Opinion) -> Channel | None:
    """The collection channel a suggestion adopted from `opinion` gets by default: the congress's
    active grassroots channel named like the opinion's event kind (室点问政, 局长·代表面对面…), else
    its first active grassroots channel (policy order). None if the congress has none."""
    channels = list(grassroots_channels(opinion.congress))
    if not channels:
        return None
    if opinion.event is not None:
        label = str(opinion.event.get_kind_display())
        for channel in channels:
            if channel.name == label:
                return channel
    return channels[0]


# --- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SameDayRate:
    """当日上传率: adopted opinions whose suggestion was submitted on the day the opinion was
    collected ÷ adopted opinions (collected in the period). `rate` is None when nothing was adopted."""

    adopted: int
    same_day: int
    start: datetime.date
    end: datetime.date

    @property
    def rate(self) -> float | None:
        return self.same_day / self.adopted if self.adopted else None


def adopted_opinions(congress: Congress, start: datetime.date, end: datetime.date) -> QuerySet[Opinion]:
    """Adopted opinions of `congress` collected between `start` and `end` (inclusive): the
    denominator of `same_day_upload_rate`, for drill-down."""
    return Opinion.objects.filter(
        congress=congress, state=OS.ADOPTED, suggestion__isnull=False, collected_on__range=(start, end)
    )


def same_day_opinions(congress: Congress, start: datetime.date, end: datetime.date) -> QuerySet[Opinion]:
    """The numerator: those whose suggestion was *first* submitted (the first ``suggestion.submitted``
    audit row; a suggestion returned and submitted again keeps its first day) on the collection
    date, in local time (`settings.TIME_ZONE`)."""
    first_submitted = (
        AuditEvent.objects.filter(suggestion=OuterRef("suggestion"), code="suggestion.submitted")
        .order_by("seq")
        .values("created_at")[:1]
    )
    return (
        adopted_opinions(congress, start, end)
        .annotate(
            submitted_on=TruncDate(
                Subquery(first_submitted, output_field=DateTimeField()),
                tzinfo=timezone.get_current_timezone(),
            )
        )
        .filter(submitted_on=F("collected_on"))
    )


def same_day_upload_rate(congress: Congress, start: datetime.date, end: datetime.date) -> SameDayRate:
    """当日上传率 for opinions collected from `start` to `end` (inclusive); see `SameDayRate`.
    Opinions adopted but not yet submitted count in the denominator (they were not uploaded that day)."""
    return SameDayRate(
        adopted=adopted_opinions(congress, start, end).count(),
        same_day=same_day_opinions(congress, start, end).count(),
        start=start,
        end=end,
    )
