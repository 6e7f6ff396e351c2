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
- `opinion_progress(congress_pk, code, last4)`: what the public tracking page shows a resident who
  gives the opinion's tracking code and their phone's last 4 digits — the steps and dates, and the
  answer text only as the station gave it (the on-spot answer, or the text of the SMS the station
  approved); never the name, phone, content or any internal note. `tracking_text` is the SMS with
  the code.
"""

from __future__ import annotations

import datetime
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rules
from django.conf import settings
from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.audit.models import AuditEvent
from minyi.congress.models import Channel, Congress, LiaisonStation
from minyi.suggestions.models import Suggestion
from minyi.suggestions.selectors import signed_off_replies, suggestion_by_id
from minyi.suggestions.states import SuggestionState

from .models import (
    TRACKING_ALPHABET,
    TRACKING_KEY_SUFFIX,
    TRACKING_LENGTH,
    DutyDay,
    IntakePhoto,
    Opinion,
    OutcomeNotice,
    StationEvent,
    format_tracking_code,
)
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


def _where(opinion: Opinion) -> str:
    return opinion.station.name if opinion.station is not None else _("代表")


def _head(opinion: Opinion) -> str:
    """The default SMS's opening (it quotes the start of the opinion's content)."""
    day = opinion.collected_on
    return _("【民意】您好！您于%(m)s月%(d)s日在%(where)s反映的“%(what)s”") % {
        "m": day.month,
        "d": day.day,
        "where": _where(opinion),
        "what": _clip(opinion.content, 20),
    }


def outcome_text(opinion: Opinion, outcome: Outcome) -> str:
    """The default SMS text (no name: the message itself goes to the constituent's phone)."""
    where = _where(opinion)
    head = _head(opinion)
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


# --- the tracking code and the public progress page -----------------------------------------------

TRACKING_KEY = "intake:{pk}" + TRACKING_KEY_SUFFIX
_CODE_SEPARATORS = re.compile(r"[\s\-‐‑–—－_·.]+")


def tracking_key(opinion: Opinion) -> str:
    """The key of the tracking-code SMS in the outcome outbox."""
    return TRACKING_KEY.format(pk=opinion.pk)


def normalise_tracking_code(value: str | None) -> str | None:
    """The stored form of a typed code (upper case, without dashes or spaces), or None when it is
    not 8 characters of the code's alphabet."""
    code = _CODE_SEPARATORS.sub("", value or "").upper()
    if len(code) != TRACKING_LENGTH or any(ch not in TRACKING_ALPHABET for ch in code):
        return None
    return code


def tracking_path(congress: Congress) -> str:
    """The public tracking page's path, /p/<congress code>/track/."""
    return reverse("public:track", args=[congress.code])


def tracking_address(congress: Congress) -> str:
    """The public tracking page's address: absolute when `MINYI_SITE_URL` is set."""
    return f"{settings.MINYI_SITE_URL.rstrip('/')}{tracking_path(congress)}"


def tracking_text(opinion: Opinion) -> str:
    """The SMS that gives the constituent the tracking code (no name, no content)."""
    day = opinion.collected_on
    return _(
        "【民意】您好！您%(m)s月%(d)s日在%(where)s反映的意见已登记，查询码%(code)s。"
        "查询办理进度请访问%(url)s ，输入查询码和您手机号码的后四位。"
    ) % {
        "m": day.month,
        "d": day.day,
        "where": _where(opinion),
        "code": format_tracking_code(opinion.tracking_code),
        "url": tracking_address(opinion.congress),
    }


def slip_summary(opinion: Opinion) -> str:
    """One line for the printed slip: the category and the start of the content, with the
    constituent's name and phone masked should the content repeat them."""
    text = _clip(opinion.content, 30)
    for secret in (opinion.constituent_name, opinion.constituent_phone):
        if secret:
            text = text.replace(secret, "***")
    return f"{opinion.category.name}：{text}" if opinion.category is not None else text


def _last4(phone: str) -> str:
    """The last 4 digits of the number a resident gave (a landline's extension left out)."""
    parts = phone.split("-")
    main = parts[1] if len(parts) == 3 else phone
    digits = "".join(ch for ch in main if ch.isdigit())
    return digits[-4:]


@dataclass(frozen=True)
class ProgressStep:
    """One step of an opinion's progress as the public page shows it."""

    kind: str  # received | merged | forwarded | adopted | answered | declined
    label: str
    on: datetime.date | None
    detail: str = ""  # the station, the unit, the suggestion's number
    text: str = ""  # the answer, as the station gave it


@dataclass(frozen=True)
class Progress:
    """What a resident with the code and the phone's last 4 digits may know of their opinion.
    `suggestion_pk`: the suggestion it became (the public site links it only if it is published)."""

    code: str
    steps: tuple[ProgressStep, ...]
    answered: bool
    suggestion_pk: int | None = None
    suggestion_number: str = ""


def _local(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


def _public_text(text: str, opinion: Opinion) -> str:
    """The approved SMS as the page shows it: without the default opening (it quotes the opinion's
    content) and, should the station have kept a quote or a name, without those."""
    head = _head(opinion)
    if text.startswith(head):
        text = text[len(head) :].lstrip("，,。 ")
    for secret in (opinion.constituent_name, opinion.constituent_phone):
        if secret:
            text = text.replace(secret, "…")
    return _without_quotes(text, opinion.content).strip()


#: A run of this many characters of the opinion's content, quoted in a message, is left out.
QUOTE_MIN = 6


def _without_quotes(text: str, content: str) -> str:
    """`text` with every run of at least `QUOTE_MIN` characters that also occurs in `content`
    replaced by "…" (the station's message may quote the resident's words; the page never shows
    them)."""
    content = " ".join(content.split())
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i + QUOTE_MIN
        if j <= len(text) and text[i:j] in content:
            while j < len(text) and text[i : j + 1] in content:
                j += 1
            out.append("…")
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _approved_answer(opinion: Opinion) -> OutcomeNotice | None:
    """The latest outcome message the station approved for this opinion (not the code's SMS)."""
    return (
        OutcomeNotice.objects.filter(opinion=opinion)
        .exclude(key=tracking_key(opinion))
        .order_by("-created_at", "-id")
        .first()
    )


def _suggestion_steps(opinion: Opinion, root: Opinion) -> tuple[list[ProgressStep], Suggestion | None]:
    assert root.suggestion_id is not None
    suggestion = _followed_suggestion(suggestion_by_id(root.suggestion_id))
    steps = [
        ProgressStep("adopted", _("形成代表建议"), _local(root.adopted_at), detail=suggestion.number or "")
    ]
    if suggestion.state == SuggestionState.DECLINED:
        steps.append(ProgressStep("declined", _("建议未予立案"), _local(suggestion.state_changed_at)))
    elif suggestion.state in REPLIED_STATES:
        steps.append(ProgressStep("answered", _("已答复"), _local(suggestion.state_changed_at)))
    return steps, suggestion


def _handling_steps(opinion: Opinion, root: Opinion) -> tuple[list[ProgressStep], Suggestion | None]:
    """The steps of the opinion's handling (the one it was merged into, if merged)."""
    if root.state == OS.ANSWERED:
        # the on-spot answer is the resident's own; an answer given to another resident is not
        return [
            ProgressStep(
                "answered",
                _("已答复"),
                _local(root.state_changed_at),
                text=root.answer if root.pk == opinion.pk else "",
            )
        ], None
    if root.state in (OS.FORWARDED, OS.UNIT_ANSWERED) and root.forwarded_to is not None:
        steps = [
            ProgressStep("forwarded", _("转办单位"), _local(root.forwarded_at), detail=root.forwarded_to.name)
        ]
        if root.state == OS.UNIT_ANSWERED:
            steps.append(ProgressStep("answered", _("已答复"), _local(root.unit_answered_at)))
        return steps, None
    if root.state == OS.ADOPTED and root.suggestion_id is not None:
        return _suggestion_steps(opinion, root)
    return [], None


def opinion_progress(congress_pk: int, code: str | None, last4: str | None) -> Progress | None:
    """The progress of the opinion of congress `congress_pk` with tracking code `code` (typed in any
    case, with or without the dash), if `last4` are the last 4 digits of the phone its constituent
    gave; else None — the same None for an unknown code and for wrong digits."""
    normal = normalise_tracking_code(code)
    digits = (last4 or "").strip()
    if normal is None or not re.fullmatch(r"\d{4}", digits):
        return None
    opinion = (
        Opinion.objects.select_related("station", "congress", "forwarded_to")
        .filter(congress_id=congress_pk, tracking_code=normal)
        .first()
    )
    if opinion is None or not opinion.constituent_phone:
        return None
    if not hmac.compare_digest(_last4(opinion.constituent_phone).encode(), digits.encode()):
        return None
    steps = [ProgressStep("received", _("已收到"), opinion.collected_on, detail=_where(opinion))]
    root = root_of(opinion) if opinion.merged_into_id else opinion
    if opinion.state == OS.MERGED:
        steps.append(ProgressStep("merged", _("与同类意见合并办理"), _local(opinion.state_changed_at)))
    handling, suggestion = _handling_steps(opinion, root)
    steps.extend(handling)
    notice = _approved_answer(opinion)
    if notice is not None:
        # the text the station approved and sent: it is the answer the resident may read
        text = _public_text(notice.text, opinion)
        answered = [s for s in steps if s.kind in ("answered", "declined")]
        if answered:
            last = answered[-1]
            steps[steps.index(last)] = ProgressStep(last.kind, last.label, last.on, last.detail, text)
        else:
            steps.append(ProgressStep("answered", _("已答复"), _local(notice.created_at), text=text))
    return Progress(
        code=format_tracking_code(opinion.tracking_code),
        steps=tuple(steps),
        answered=any(s.kind in ("answered", "declined") for s in steps),
        suggestion_pk=suggestion.pk if suggestion is not None else None,
        suggestion_number=suggestion.number if suggestion is not None else "",
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


def constituent_names_behind(suggestion_id: int) -> list[str]:
    """The names of the residents whose opinions became the suggestion (personal data: for the
    redaction of what is published, `minyi.publication.review`, never shown)."""
    return [
        name
        for name in Opinion.objects.filter(suggestion_id=suggestion_id)
        .exclude(constituent_name="")
        .values_list("constituent_name", flat=True)
    ]


# --- for the search index (minyi.textsearch) --------------------------------------------------------


def opinions_for_index(ids: Iterable[int]) -> QuerySet[Opinion]:
    """The opinions `ids` with their congress, for the search index: it reads only the content and
    the answers (never the constituent's name or phone) and `opinions_visible_to` decides who finds
    them."""
    return Opinion.objects.filter(pk__in=list(ids)).select_related("congress").order_by("pk")


def opinion_ids_of(congress: Congress) -> QuerySet[Opinion, int]:
    """The ids of every opinion of `congress`, in order (rebuilding the search index)."""
    return Opinion.objects.filter(congress=congress).order_by("pk").values_list("pk", flat=True)
