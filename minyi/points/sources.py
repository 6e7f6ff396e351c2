"""Where ledger entries come from: a small registry of *sources*.

A source is a function ``source(congress, window) -> iterable of SourceEvent``: every point event of
the congress whose date falls in ``window.start … window.end`` (and, for dated activities, not after
``window.today``). Sources are pure reads, so the same inputs always give the same events, and the
ledger can be rebuilt at any time (`engine.compute_year`).

Built-in sources (registered below):

- ``suggestions``: the audit trail (``suggestion.accepted``, ``suggestion.evaluated`` with the
  evaluation deadline met, ``suggestion.no_feedback``) plus the suggestions' lead and co-signers;
- ``key_themes``: the audit trail of key-theme membership (``theme.suggestion_added`` /
  ``theme.suggestion_removed``);
- ``awards``: published awards, through `minyi.awards.selectors.awarded_suggestions`;
- ``intake``: liaison-station events and duty days, replayed from their audit rows
  (``intake.event.recorded`` / ``intake.event.updated`` / ``intake.duty_day.recorded``);
- ``manual``: this app's approved manual entries.

Which audit codes a source reads, and which point event each feeds, is declared once with the code
in `minyi.audit.events` (an event type's ``points``); the sources ask it, not string literals.

Another app plugs in its own source with ``@register("name")`` (replacing a built-in of the same
name), e.g. intake may later provide attendance through a selector of its own.

Deduplication: suggestion events are counted per *family* — a main suggestion and every suggestion
merged into it (并案) — once per deputy and event, with the deputy's best part in the family (lead
of the main suggestion = 领衔; co-signer of the main, or lead or co-signer of a merged suggestion =
联名), dated at the family's earliest such event.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from minyi.audit import events as audit_events
from minyi.audit.models import AuditEvent
from minyi.congress.models import Congress

from .events import ROLE_ORDER, PointsRole


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date
    today: datetime.date

    def holds(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class SourceEvent:
    key: str
    event: str
    deputy_id: int
    role: str
    date: datetime.date
    description: str
    source: dict[str, Any] = field(default_factory=dict)


Source = Callable[[Congress, Window], Iterable[SourceEvent]]
SOURCES: dict[str, Source] = {}


def register(name: str) -> Callable[[Source], Source]:
    def decorator(fn: Source) -> Source:
        SOURCES[name] = fn
        return fn

    return decorator


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _before(day: datetime.date) -> datetime.datetime:
    """Midnight after `day` (local time)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def feeds(code: str) -> str:
    """The point event an audit row of `code` feeds (`minyi.audit.events`: the type's `points`)."""
    feed = audit_events.get(code).points
    return feed.event if feed else ""


def audit_rows(congress: Congress, codes: Iterable[str], *, until: datetime.date | None = None):
    """The congress's audit rows of `codes` — for a source, `audit_events.codes_feeding(name)`."""
    qs = AuditEvent.objects.filter(congress=congress, code__in=list(codes))
    if until is not None:
        qs = qs.filter(created_at__lt=_before(until))
    return qs.order_by("seq")


# --- suggestion families ---------------------------------------------------------------------------


@dataclass
class Family:
    main_id: int
    number: str
    title: str
    state: str
    lead_id: int
    members: dict[int, str]  # deputy id → best role in the family

    @property
    def label(self) -> str:
        return f"“{self.title}”（{self.number}）" if self.number else f"“{self.title}”"


def families(suggestion_ids: Iterable[int]) -> dict[int, Family]:
    """The family of each suggestion id (keyed by every id asked for), in three queries."""
    from minyi.suggestions.selectors import confirmed_cosigners, suggestions_by_ids, suggestions_with_merged

    ids = set(suggestion_ids)
    if not ids:
        return {}
    main_of = {pk: (main_id or pk) for pk, main_id in suggestions_by_ids(ids).values_list("pk", "main_id")}
    mains = set(main_of.values())
    rows = list(suggestions_with_merged(mains).values("pk", "main_id", "lead_id", "number", "title", "state"))
    confirmed: dict[int, list[int]] = defaultdict(list)
    for suggestion_id, deputy_id in confirmed_cosigners([r["pk"] for r in rows]).values_list(
        "suggestion_id", "deputy_id"
    ):
        confirmed[suggestion_id].append(deputy_id)
    by_main: dict[int, Family] = {}
    for r in rows:
        if r["main_id"] is None and r["pk"] in mains:
            by_main[r["pk"]] = Family(r["pk"], r["number"], r["title"], r["state"], r["lead_id"], {})
    for r in sorted(rows, key=lambda r: r["main_id"] is not None):
        fam = by_main.get(r["main_id"] or r["pk"])
        if fam is None:
            continue
        is_main = r["pk"] == fam.main_id
        people = [(r["lead_id"], PointsRole.LEAD if is_main else PointsRole.COSIGNER)]
        people += [(d, PointsRole.COSIGNER) for d in confirmed[r["pk"]]]
        for deputy_id, role in people:
            best = fam.members.get(deputy_id)
            if best is None or ROLE_ORDER[role] < ROLE_ORDER[best]:
                fam.members[deputy_id] = role
    return {pk: by_main[main] for pk, main in main_of.items() if main in by_main}


def _family_events(
    occurrences: Iterable[tuple[int, datetime.date, dict[str, Any]]],
    event: str,
    describe: Callable[[Family], str],
    window: Window,
    *,
    skip_states: tuple[str, ...] = (),
) -> list[SourceEvent]:
    """One event per (family, deputy), dated at the family's earliest occurrence, in `window`."""
    occurrences = list(occurrences)
    fams = families(sid for sid, _day, _src in occurrences)
    first: dict[int, tuple[datetime.date, dict[str, Any]]] = {}
    for sid, day, src in occurrences:
        fam = fams.get(sid)
        if fam is None or fam.state in skip_states:
            continue
        if fam.main_id not in first or day < first[fam.main_id][0]:
            first[fam.main_id] = (day, src)
    by_main = {f.main_id: f for f in fams.values()}
    out = []
    for main_id, (day, src) in first.items():
        if not window.holds(day):
            continue
        fam = by_main[main_id]
        for deputy_id, role in sorted(fam.members.items()):
            out.append(
                SourceEvent(
                    key=f"sugg:{main_id}:{event}:{deputy_id}",
                    event=event,
                    deputy_id=deputy_id,
                    role=role,
                    date=day,
                    description=describe(fam)[:300],
                    source={"kind": "suggestion", "suggestion": main_id, **src},
                )
            )
    return out


# --- built-in sources ------------------------------------------------------------------------------


@register("suggestions")
def suggestion_events(congress: Congress, window: Window) -> list[SourceEvent]:
    from minyi.suggestions.selectors import evaluations_on_time, suggestions_by_ids
    from minyi.suggestions.states import SuggestionState

    rows = list(
        audit_rows(congress, audit_events.codes_feeding("suggestions"), until=window.end).values(
            "seq", "code", "suggestion_id", "created_at", "new"
        )
    )
    accepted = [
        (r["suggestion_id"], local_date(r["created_at"]), {"audit": r["seq"]})
        for r in rows
        if feeds(r["code"]) == "suggestion_accepted" and r["suggestion_id"]
    ]
    out = _family_events(
        accepted,
        "suggestion_accepted",
        lambda f: f"建议{f.label}立案",
        window,
        skip_states=(SuggestionState.WITHDRAWN,),
    )
    # evaluations: the lead deputy of the evaluated suggestion, once per suggestion
    evaluated = [r for r in rows if feeds(r["code"]) == "evaluation_on_time" and r["suggestion_id"]]
    missed = [r for r in rows if feeds(r["code"]) == "evaluation_missed" and r["suggestion_id"]]
    ids = {r["suggestion_id"] for r in evaluated + missed}
    info = {s["pk"]: s for s in suggestions_by_ids(ids).values("pk", "lead_id", "number", "title")}
    on_time = evaluations_on_time(ids)
    for event, candidates, ok in (
        (
            "evaluation_on_time",
            evaluated,
            lambda r: (r["suggestion_id"], (r["new"] or {}).get("round")) in on_time,
        ),
        ("evaluation_missed", missed, lambda r: True),
    ):
        seen: set[int] = set()
        for r in candidates:
            sid = r["suggestion_id"]
            if sid in seen or not ok(r) or sid not in info:
                continue
            seen.add(sid)
            day = local_date(r["created_at"])
            if not window.holds(day):
                continue
            s = info[sid]
            label = f"“{s['title']}”（{s['number']}）" if s["number"] else f"“{s['title']}”"
            text = f"按期测评建议{label}" if event == "evaluation_on_time" else f"建议{label}逾期未测评"
            out.append(
                SourceEvent(
                    key=f"eval:{sid}:{event}:{s['lead_id']}",
                    event=event,
                    deputy_id=s["lead_id"],
                    role=PointsRole.LEAD,
                    date=day,
                    description=text[:300],
                    source={"kind": "suggestion", "suggestion": sid, "audit": r["seq"]},
                )
            )
    return out


@register("key_themes")
def key_theme_events(congress: Congress, window: Window) -> list[SourceEvent]:
    """Suggestions that are members of a key theme now, dated when they (last) joined it."""
    member_since: dict[tuple[str, int], tuple[datetime.date, int]] = {}
    for r in audit_rows(congress, audit_events.codes_feeding("key_themes")).values(
        "seq", "code", "object_id", "suggestion_id", "created_at"
    ):
        if not r["suggestion_id"]:
            continue
        pair = (r["object_id"], r["suggestion_id"])
        feed = audit_events.get(r["code"]).points
        if feed and not feed.ends:
            member_since.setdefault(pair, (local_date(r["created_at"]), r["seq"]))
        else:
            member_since.pop(pair, None)
    # the source names the suggestion only: moving between themes does not change the entry
    occurrences: list[tuple[int, datetime.date, dict[str, Any]]] = [
        (sid, day, {}) for (_theme, sid), (day, _seq) in member_since.items()
    ]
    return _family_events(occurrences, "suggestion_key", lambda f: f"建议{f.label}列为重点督办建议", window)


@register("awards")
def award_events(congress: Congress, window: Window) -> list[SourceEvent]:
    from minyi.awards.selectors import awarded_suggestions

    occurrences: list[tuple[int, datetime.date, dict[str, Any]]] = [
        (a.suggestion_id, a.date, {"award_round": a.round_id, "period": a.period})
        for a in awarded_suggestions(congress, datetime.date(2000, 1, 1), window.end)
    ]
    return _family_events(occurrences, "suggestion_awarded", lambda f: f"建议{f.label}评为优秀建议", window)


def _intake_labels() -> dict[str, str]:
    try:
        from minyi.intake.models import EventKind
    except ImportError:  # the intake app is optional
        return {}
    return {k: str(v) for k, v in EventKind.choices}


@register("intake")
def intake_events(congress: Congress, window: Window) -> list[SourceEvent]:
    """Events and duty days as their audit rows describe them now (updates replayed in order)."""
    state: dict[tuple[str, str], dict[str, Any]] = {}
    for r in audit_rows(congress, audit_events.codes_feeding("intake")).values(
        "code", "object_id", "object_repr", "new"
    ):
        kind = "duty" if feeds(r["code"]) == "duty_day" else "event"
        current = state.setdefault((kind, r["object_id"]), {})
        current.update(r["new"] or {})
        current["repr"] = r["object_repr"]
    labels = _intake_labels()
    out = []
    for (kind, object_id), data in sorted(state.items()):
        try:
            day = datetime.date.fromisoformat(str(data.get("date")))
        except ValueError:
            continue
        if day > window.today or not window.holds(day):
            continue
        if kind == "event":
            what = labels.get(data.get("kind", ""), "")
            text = (
                f"参加联络站活动（{what}）：{data.get('title', '')}"
                if what
                else f"参加联络站活动：{data.get('title', '')}"
            )
            event, source = "event_attended", {"kind": "station_event", "event": int(object_id)}
        else:
            text = f"联络站坐班：{data.get('repr', '')}"
            event, source = (
                "duty_day",
                {"kind": "duty_day", "duty_day": int(object_id), "station": data.get("station")},
            )
        for deputy_id in sorted(set(data.get("deputies") or [])):
            out.append(
                SourceEvent(
                    key=f"{kind}:{object_id}:{deputy_id}",
                    event=event,
                    deputy_id=int(deputy_id),
                    role=PointsRole.ANY,
                    date=day,
                    description=text[:300],
                    source=source,
                )
            )
    return out


@register("manual")
def manual_events(congress: Congress, window: Window) -> list[SourceEvent]:
    from .events import event_label
    from .models import ManualEntry

    out = []
    for m in ManualEntry.objects.filter(
        congress=congress,
        state=ManualEntry.State.APPROVED,
        activity_date__gte=window.start,
        activity_date__lte=window.end,
    ).order_by("id"):
        out.append(
            SourceEvent(
                key=m.key,
                event=m.event,
                deputy_id=m.deputy_id,
                role=PointsRole.ANY,
                date=m.activity_date,
                description=f"{event_label(m.event)}：{m.title}"[:300],
                source={"kind": "manual", "manual": m.pk},
            )
        )
    return out
