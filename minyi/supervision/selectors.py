"""Reads for 网上督办. Lists are scoped to one congress and cost a fixed number of queries however
many rows they hold (colours are counted in SQL with `warnings.colour_bounds`). `get_*` helpers
return one record for a user or raise 404 for both "missing" and "forbidden".
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import rules
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from minyi.accounts.models import Membership
from minyi.congress.models import Congress, Unit
from minyi.suggestions.models import Assignment, Deadline, ExtensionRequest, Suggestion
from minyi.suggestions.rules import can_view_suggestion
from minyi.suggestions.states import AssignmentState, ExtensionState, SuggestionState
from minyi.workdays.services import WorkCalendar

from . import deadlines as D
from .models import Inspection, Instruction, KeyTheme, SupervisionRecord, TaskForceMember, ThemeSuggestion
from .rules import coordinator_bodies, in_task_force
from .warnings import GREEN, GREY, RED, YELLOW, Bounds, WarningClock

S = SuggestionState
#: States in which a suggestion may join a key theme or get a leader's instruction (after 立案).
SUPERVISABLE_STATES = (
    S.ACCEPTED,
    S.FORWARDED,
    S.ASSIGNED,
    S.REASSIGNING,
    S.REPLIED,
    S.EVALUATED,
    S.CLOSED,
)
#: States counted as "replied" in a theme's progress.
REPLIED_STATES = (S.REPLIED, S.EVALUATED, S.CLOSED)


# --- the deadlines that supervision watches ----------------------------------------------------------


def _folded_statutory() -> Exists:
    """An open local reply target of the same assignment: the statutory row is shown beside it."""
    return Exists(
        Deadline.objects.filter(
            assignment_id=OuterRef("assignment_id"), kind=Deadline.Kind.REPLY, closed_at__isnull=True
        )
    )


def watched_deadlines(congress: Congress, *, bodies: set[int] | None = None) -> QuerySet[Deadline]:
    """Open deadlines of the supervised kinds (`deadlines.SUPERVISED_KINDS`) of `congress`; a
    statutory reply limit is left out while the same unit's local target is open (the board shows
    both on one row). `bodies`: only what the coordinators of these bodies answer for (their units'
    steps and the assignment of suggestions forwarded to them)."""
    qs = Deadline.objects.filter(
        congress=congress, closed_at__isnull=True, kind__in=D.SUPERVISED_KINDS
    ).exclude(Q(kind=Deadline.Kind.REPLY_STATUTORY) & _folded_statutory())
    if bodies is not None:
        qs = qs.filter(
            Q(assignment__unit__body__in=bodies)
            | Q(assignment__isnull=True, kind=Deadline.Kind.ASSIGN, suggestion__forwarded_to__in=bodies)
        )
    return qs


def colour_q(colour: str, bounds: Bounds, prefix: str = "") -> Q:
    due = f"{prefix}due_on"
    if colour == RED:
        return Q(**{f"{due}__lt": bounds.today})
    if colour == YELLOW:
        return Q(**{f"{due}__gte": bounds.today, f"{due}__lt": bounds.green_from})
    return Q(**{f"{due}__gte": bounds.green_from})


def _colour_counts(bounds: Bounds, prefix: str = "") -> dict[str, Count]:
    return {c: Count("id", filter=colour_q(c, bounds, prefix)) for c in (RED, YELLOW, GREEN)}


@dataclass
class CountRow:
    """One line of the board's tables: a unit, a body, or the congress staff."""

    key: str
    label: str
    red: int = 0
    yellow: int = 0
    green: int = 0
    unit: Unit | None = None
    body_id: int | None = None

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.green

    @property
    def colour(self) -> str:
        if self.red:
            return RED
        if self.yellow:
            return YELLOW
        return GREEN

    def add(self, other: dict[str, int]) -> None:
        self.red += other.get(RED, 0)
        self.yellow += other.get(YELLOW, 0)
        self.green += other.get(GREEN, 0)


@dataclass
class BoardCounts:
    totals: CountRow
    bodies: list[CountRow]
    units: list[CountRow]


STAFF_KEY = "staff"


def board_counts(congress: Congress, bounds: Bounds, *, bodies: set[int] | None = None) -> BoardCounts:
    """Green / yellow / red open deadlines per unit and per body (three queries)."""
    from django.utils.translation import gettext as _

    base = watched_deadlines(congress, bodies=bodies)
    per_unit: list[Any] = list(
        base.filter(assignment__isnull=False)
        .order_by()
        .values("assignment__unit_id")
        .annotate(**_colour_counts(bounds))
    )
    per_forward: list[Any] = list(
        base.filter(assignment__isnull=True)
        .order_by()
        .values("suggestion__forwarded_to_id")
        .annotate(**_colour_counts(bounds))
    )
    ids = {r["assignment__unit_id"] for r in per_unit} | {
        r["suggestion__forwarded_to_id"] for r in per_forward if r["suggestion__forwarded_to_id"]
    }
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids).select_related("body")} if ids else {}
    body_units = {u.body_id: u.body for u in units.values() if u.body_id}
    totals = CountRow("all", _("全部"))
    body_rows: dict[Any, CountRow] = {}
    unit_rows: list[CountRow] = []

    def body_row(body_id: int | None) -> CountRow:
        key = body_id if body_id is not None else STAFF_KEY
        if key not in body_rows:
            if body_id is None:
                body_rows[key] = CountRow(STAFF_KEY, _("人大常委会代表工委（审查、交办）"))
            else:
                body = body_units.get(body_id)
                body_rows[key] = CountRow(
                    f"body-{body_id}", str(body) if body else "?", unit=body, body_id=body_id
                )
        return body_rows[key]

    for r in per_unit:
        unit = units[r["assignment__unit_id"]]
        row = CountRow(f"unit-{unit.pk}", str(unit), unit=unit, body_id=unit.body_id)
        row.add(r)
        unit_rows.append(row)
        body_row(unit.body_id).add(r)
        totals.add(r)
    for r in per_forward:
        forwarded = r["suggestion__forwarded_to_id"]
        body_row(forwarded).add(r)
        if forwarded is None:
            row = CountRow(STAFF_KEY, _("人大常委会代表工委（审查、交办）"))
        else:
            row = CountRow(
                f"forward-{forwarded}",
                _("%(body)s（待交办）") % {"body": body_units.get(forwarded, "?")},
                unit=units.get(forwarded),
                body_id=forwarded,
            )
        row.add(r)
        unit_rows.append(row)
        totals.add(r)

    def urgency(row: CountRow) -> tuple:
        return (-row.red, -row.yellow, -row.total, row.label)

    return BoardCounts(totals, sorted(body_rows.values(), key=urgency), sorted(unit_rows, key=urgency))


def board_list(
    congress: Congress,
    bounds: Bounds,
    colour: str,
    *,
    bodies: set[int] | None = None,
    unit: Unit | None = None,
    body: Unit | None = None,
    staff_only: bool = False,
) -> QuerySet[Deadline]:
    """The open deadlines of one colour, the oldest due date first, optionally of one unit or body
    (its units and what was forwarded to it) or of the congress staff only."""
    qs = watched_deadlines(congress, bodies=bodies).filter(colour_q(colour, bounds))
    if unit is not None:
        qs = qs.filter(Q(assignment__unit=unit) | Q(assignment__isnull=True, suggestion__forwarded_to=unit))
    if body is not None:
        qs = qs.filter(
            Q(assignment__unit__body=body) | Q(assignment__isnull=True, suggestion__forwarded_to=body)
        )
    if staff_only:
        qs = qs.filter(assignment__isnull=True, suggestion__forwarded_to__isnull=True)
    return qs.select_related("suggestion__forwarded_to", "assignment__unit").order_by("due_on", "id")


def attach_statutory(deadlines: list[Deadline]) -> None:
    """Give each local reply target on the list its unit's open statutory limit as `.statutory`
    (one query for the whole list)."""
    ids = [d.assignment_id for d in deadlines if d.kind == Deadline.Kind.REPLY and d.assignment_id]
    statutory = {}
    if ids:
        statutory = {
            d.assignment_id: d
            for d in Deadline.objects.filter(
                assignment_id__in=ids, kind=Deadline.Kind.REPLY_STATUTORY, closed_at__isnull=True
            )
        }
    for d in deadlines:
        d.statutory = statutory.get(d.assignment_id) if d.kind == Deadline.Kind.REPLY else None  # type: ignore[attr-defined]


def pending_extensions(congress: Congress, *, bodies: set[int] | None = None) -> QuerySet[ExtensionRequest]:
    qs = ExtensionRequest.objects.filter(
        assignment__suggestion__congress=congress, state=ExtensionState.PENDING
    )
    if bodies is not None:
        qs = qs.filter(assignment__unit__body__in=bodies)
    return qs.select_related("assignment__unit", "assignment__suggestion", "requested_by").order_by(
        "requested_at", "id"
    )


def pending_reassignments(congress: Congress, *, bodies: set[int] | None = None) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(
        suggestion__congress=congress, state=AssignmentState.REASSIGN_REQUESTED
    ).prefetch_related("reassign_requests__suggested_unit")
    if bodies is not None:
        qs = qs.filter(unit__body__in=bodies)
    return qs.select_related("unit", "suggestion").order_by("state_changed_at", "id")


def board_scope(user: Any, congress: Congress) -> set[int] | None:
    """None when the user sees the whole congress; else the bodies they coordinate."""
    if rules.has_perm("supervision.view_whole_board", user, congress):
        return None
    return coordinator_bodies(user, congress)


# --- deadlines of one suggestion -------------------------------------------------------------------


def may_see_suggestion(user: Any, suggestion: Suggestion) -> bool:
    """The suggestion rules, plus the task force (also when the rules' hook is not installed)."""
    if can_view_suggestion(user, suggestion):
        return True
    return suggestion.state != S.DRAFT and in_task_force(user, suggestion.congress)


def get_suggestion(user: Any, congress: Congress, pk: Any) -> Suggestion:
    """A suggestion for the supervision pages: the user must see it and hold a supervision role."""
    try:
        suggestion = Suggestion.objects.select_related("congress", "lead", "forwarded_to").get(
            pk=int(pk), congress=congress
        )
    except (Suggestion.DoesNotExist, TypeError, ValueError):
        raise Http404("no such suggestion") from None
    allowed = rules.has_perm("supervision.view_board", user, congress) or rules.has_perm(
        "supervision.view_themes", user, congress
    )
    if not allowed or not may_see_suggestion(user, suggestion):
        raise Http404("no such suggestion")
    return suggestion


def get_deadline(user: Any, congress: Congress, pk: Any) -> Deadline:
    """A deadline of `congress` whose suggestion the user may see (deputies included: they may
    always know how the dates of their suggestions were computed)."""
    try:
        deadline = Deadline.objects.select_related(
            "suggestion__congress", "suggestion__lead", "assignment__unit", "commitment"
        ).get(pk=int(pk), congress=congress)
    except (Deadline.DoesNotExist, TypeError, ValueError):
        raise Http404("no such deadline") from None
    if not may_see_suggestion(user, deadline.suggestion):
        raise Http404("no such deadline")
    return deadline


def suggestion_deadlines(suggestion: Suggestion) -> list[Deadline]:
    return list(
        Deadline.objects.filter(suggestion=suggestion)
        .select_related("assignment__unit")
        .order_by(F("closed_at").asc(nulls_first=True), "due_on", "id")
    )


def siblings(deadline: Deadline) -> dict[str, Deadline | None]:
    """For a reply deadline: the unit's open local target and statutory limit (whichever exist)."""
    if deadline.assignment_id is None or deadline.kind not in (*D.REPLY_KINDS, Deadline.Kind.REPLY_STATUTORY):
        return {}
    found = {
        d.kind: d
        for d in Deadline.objects.filter(
            assignment_id=deadline.assignment_id,
            kind__in=[*D.REPLY_KINDS, Deadline.Kind.REPLY_STATUTORY],
            closed_at__isnull=True,
        ).order_by("id")
    }
    local = found.get(Deadline.Kind.REPLY) or found.get(Deadline.Kind.REHANDLE_REPLY)
    return {"local": local, "statutory": found.get(Deadline.Kind.REPLY_STATUTORY)}


def worst_colours(suggestion_ids: list[int], bounds: Bounds) -> dict[int, str]:
    """The most urgent open colour of each suggestion (one query)."""
    if not suggestion_ids:
        return {}
    rows: Iterable[Any] = (
        Deadline.objects.filter(
            suggestion_id__in=suggestion_ids, closed_at__isnull=True, kind__in=D.SUPERVISED_KINDS
        )
        .order_by()
        .values("suggestion_id")
        .annotate(**_colour_counts(bounds))
    )
    out: dict[int, str] = {}
    for r in rows:
        out[r["suggestion_id"]] = RED if r[RED] else YELLOW if r[YELLOW] else GREEN if r[GREEN] else GREY
    return out


# --- recalculation ---------------------------------------------------------------------------------


@dataclass
class Change:
    deadline: Deadline
    old_due: datetime.date
    new_due: datetime.date
    old_rule: str
    new_rule: str

    @property
    def days(self) -> int:
        return (self.new_due - self.old_due).days


@dataclass
class Preview:
    changes: list[Change]
    unchanged: int
    fixed: int
    calendar_version: str
    token: str
    warnings: list[str] = field(default_factory=list)


def recalculation_preview(
    congress: Congress, *, policy: Any, calendar: WorkCalendar, today: datetime.date
) -> Preview:
    """What an explicit recalculation would change: every open deadline of the congress recomputed
    with today's policy and calendar (fixed dates excepted). Two queries."""
    from django.utils.translation import gettext as _

    open_deadlines = list(
        Deadline.objects.filter(congress=congress, closed_at__isnull=True)
        .select_related("suggestion", "assignment__unit")
        .order_by("due_on", "id")
    )
    extended = D.extended_keys(open_deadlines)
    changes, unchanged, fixed = [], 0, 0
    years: set[int] = set()
    for d in open_deadlines:
        result = D.recompute(d, policy=policy, calendar=calendar, extended=extended)
        if result is None:
            fixed += 1
            continue
        if result.changed or result.rule != d.rule:
            changes.append(Change(d, d.due_on, result.due_on, d.rule, result.rule))
            years.update(range(d.started_on.year, max(d.due_on, result.due_on).year + 1))
        else:
            unchanged += 1
    digest = hashlib.sha256(
        ";".join(f"{c.deadline.pk}:{c.old_due}:{c.new_due}:{c.new_rule}" for c in changes).encode()
    ).hexdigest()[:16]
    warnings = []
    missing = calendar.missing_years(years)
    if missing:
        warnings.append(
            _("%(years)s年没有录入节假日安排：这些年份的期限只能按周末计算，重新计算前请先录入日历。")
            % {"years": "、".join(map(str, missing))}
        )
    late = [c for c in changes if c.new_due < today <= c.old_due]
    if late:
        warnings.append(_("有 %(n)s 项期限重新计算后将立即逾期（变为红色），请确认。") % {"n": len(late)})
    return Preview(changes, unchanged, fixed, calendar.version, f"{calendar.version}-{digest}", warnings)


# --- recomputation after a calendar change -----------------------------------------------------------


@dataclass
class CalendarChange:
    """One open deadline whose due date a calendar change moves."""

    deadline: Deadline
    old_due: datetime.date
    new_due: datetime.date
    #: An approved extension's date, moved to the next working day (not recomputed from a rule).
    extension: bool = False

    @property
    def days(self) -> int:
        return (self.new_due - self.old_due).days


@dataclass
class CalendarPreview:
    years: list[int]
    changes: list[CalendarChange]
    unchanged: int
    token: str
    congresses: list[Congress] = field(default_factory=list)


def calendar_recompute_preview(years: Iterable[int], *, congress: Congress | None = None) -> CalendarPreview:  # noqa: C901, PLR0912
    """What `do_recompute_deadlines` would change after the calendar of `years` was completed or
    edited: every open deadline whose period reaches into those years, recomputed with its own
    rule (the number of working days or months it states) and its congress's current calendar
    (national days + its local closures). Approved extensions keep their approved date, moved to the
    next working day if that date is now a rest day. Commitments are dates a unit promised: never
    moved. Only `congress` when given (a local closure), else every congress. A few queries."""
    from minyi.workdays.services import get_calendar

    years = sorted(set(years))
    if not years:
        return CalendarPreview([], [], 0, "empty")
    qs = Deadline.objects.filter(
        closed_at__isnull=True,
        due_on__gte=datetime.date(years[0], 1, 1),
        started_on__lte=datetime.date(years[-1], 12, 31),
    ).exclude(kind=Deadline.Kind.COMMITMENT)
    if congress is not None:
        qs = qs.filter(congress=congress)
    open_deadlines = list(
        qs.select_related("suggestion", "assignment__unit", "congress").order_by(
            "congress_id", "due_on", "id"
        )
    )
    extended = D.extended_keys(open_deadlines)
    approved: dict[int, datetime.date] = {}
    ext_ids = {
        d.assignment_id for d in open_deadlines if d.assignment_id and (d.assignment_id, d.kind) in extended
    }
    if ext_ids:
        for assignment_id, day in (
            ExtensionRequest.objects.filter(assignment_id__in=ext_ids, state=ExtensionState.APPROVED)
            .exclude(approved_due_on=None)
            .order_by("decided_at", "id")
            .values_list("assignment_id", "approved_due_on")
        ):
            if day is not None:
                approved[assignment_id] = day  # the latest approval wins
    calendars: dict[int, WorkCalendar] = {}
    changes: list[CalendarChange] = []
    unchanged = 0
    for d in open_deadlines:
        cal = calendars.get(d.congress_id)
        if cal is None:
            cal = calendars[d.congress_id] = get_calendar(d.congress_id)
        if (d.assignment_id, d.kind) in extended:
            base = approved.get(d.assignment_id) if d.assignment_id else None
            if base is None:
                unchanged += 1
                continue
            new_due, is_extension = cal.next_workday(base), True
        else:
            n = D.stored_n(d)
            if n is None:
                unchanged += 1
                continue
            new_due, is_extension = D.compute(d.kind, d.started_on, n, cal), False
        if new_due != d.due_on:
            changes.append(CalendarChange(d, d.due_on, new_due, is_extension))
        else:
            unchanged += 1
    stamp = ";".join(f"{c}:{cal.version}" for c, cal in sorted(calendars.items()))
    digest = hashlib.sha256(
        (stamp + "|" + ";".join(f"{c.deadline.pk}:{c.old_due}:{c.new_due}" for c in changes)).encode()
    ).hexdigest()[:20]
    congresses = list({c.deadline.congress_id: c.deadline.congress for c in changes}.values())
    return CalendarPreview(years, changes, unchanged, digest, congresses)


# --- key themes ----------------------------------------------------------------------------------


@dataclass
class ThemeProgress:
    total: int = 0
    replied: int = 0
    closed: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0

    @property
    def colour(self) -> str:
        if not self.total:
            return GREY
        if self.red:
            return RED
        if self.yellow:
            return YELLOW
        return GREEN

    @property
    def percent_closed(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0

    @property
    def percent_replied(self) -> int:
        return round(100 * self.replied / self.total) if self.total else 0

    @property
    def label(self) -> str:
        from django.utils.translation import gettext as _

        if not self.total:
            return _("尚无建议")
        if self.red:
            return _("有逾期")
        if self.yellow:
            return _("有临期")
        if self.closed == self.total:
            return _("全部办结")
        return _("按期推进")


def theme_progress(themes: list[KeyTheme], bounds: Bounds) -> dict[int, ThemeProgress]:
    """Progress of each theme: member suggestions by state and open deadlines by colour. The colour
    is red if any member suggestion has an overdue step, yellow if one is nearly due, else green
    (grey without members). Two queries."""
    ids = [t.pk for t in themes]
    out = {pk: ThemeProgress() for pk in ids}
    if not ids:
        return out
    members: Iterable[Any] = (
        ThemeSuggestion.objects.filter(theme_id__in=ids)
        .order_by()
        .values("theme_id")
        .annotate(
            total=Count("id"),
            replied=Count("id", filter=Q(suggestion__state__in=REPLIED_STATES)),
            closed=Count("id", filter=Q(suggestion__state=S.CLOSED)),
        )
    )
    for r in members:
        p = out[r["theme_id"]]
        p.total, p.replied, p.closed = r["total"], r["replied"], r["closed"]
    colours: Iterable[Any] = (
        Deadline.objects.filter(
            closed_at__isnull=True,
            kind__in=D.SUPERVISED_KINDS,
            suggestion__theme_memberships__theme_id__in=ids,
        )
        .order_by()
        .values("suggestion__theme_memberships__theme_id")
        .annotate(**_colour_counts(bounds))
    )
    for c in colours:
        p = out[c["suggestion__theme_memberships__theme_id"]]
        p.red, p.yellow, p.green = c[RED], c[YELLOW], c[GREEN]
    return out


def themes_of(congress: Congress, *, year: int | None = None) -> QuerySet[KeyTheme]:
    qs = KeyTheme.objects.filter(congress=congress).select_related("lead_unit", "supervising_leader")
    if year is not None:
        qs = qs.filter(year=year)
    return qs.annotate(record_count=Count("records", distinct=True)).order_by("-year", "-active", "name")


def theme_years(congress: Congress) -> list[int]:
    return list(
        KeyTheme.objects.filter(congress=congress).order_by("-year").values_list("year", flat=True).distinct()
    )


def get_theme(user: Any, congress: Congress, pk: Any, *, perm: str = "supervision.view_themes") -> KeyTheme:
    try:
        theme = KeyTheme.objects.select_related("congress", "lead_unit", "supervising_leader").get(
            pk=int(pk), congress=congress
        )
    except (KeyTheme.DoesNotExist, TypeError, ValueError):
        raise Http404("no such theme") from None
    if not rules.has_perm("supervision.view_themes", user, congress) or not rules.has_perm(
        perm, user, congress
    ):
        raise Http404("no such theme")
    return theme


def theme_members(theme: KeyTheme) -> QuerySet[ThemeSuggestion]:
    return (
        ThemeSuggestion.objects.filter(theme=theme)
        .select_related("suggestion__lead", "added_by")
        .prefetch_related(
            Prefetch(
                "suggestion__assignments",
                queryset=Assignment.objects.filter(role__in=["lead", "split"])
                .exclude(state=AssignmentState.CANCELLED)
                .select_related("unit")
                .order_by("round", "id"),
                to_attr="answering",
            )
        )
        .order_by("suggestion__year", "suggestion__seq", "id")
    )


def records_of(**target: Any) -> QuerySet[SupervisionRecord]:
    return (
        SupervisionRecord.objects.filter(**target)
        .select_related("unit", "recorded_by", "responded_by", "theme", "suggestion", "instruction")
        .prefetch_related("deputies", "attachments")
        .order_by("-held_on", "-id")
    )


def candidate_suggestions(theme: KeyTheme, query: str = "") -> QuerySet[Suggestion]:
    """Accepted suggestions of the theme's congress that are not yet members, for the picker."""
    qs = Suggestion.objects.filter(congress=theme.congress, state__in=SUPERVISABLE_STATES).exclude(
        theme_memberships__theme=theme
    )
    query = query.strip()
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(number__icontains=query))
    return qs.select_related("lead").order_by("-year", "-seq")


# --- records, inspections, instructions -----------------------------------------------------------


def get_record(user: Any, congress: Congress, pk: Any) -> SupervisionRecord:
    try:
        record = SupervisionRecord.objects.select_related(
            "congress", "theme", "suggestion", "instruction", "unit", "recorded_by", "responded_by"
        ).get(pk=int(pk), congress=congress)
    except (SupervisionRecord.DoesNotExist, TypeError, ValueError):
        raise Http404("no such record") from None
    if not rules.has_perm("supervision.view_record", user, record):
        raise Http404("no such record")
    return record


def get_inspection(user: Any, congress: Congress, pk: Any) -> Inspection:
    try:
        inspection = Inspection.objects.select_related(
            "congress", "suggestion__lead", "assignment__unit", "inspector", "answered_by"
        ).get(pk=int(pk), congress=congress)
    except (Inspection.DoesNotExist, TypeError, ValueError):
        raise Http404("no such inspection") from None
    if not rules.has_perm("supervision.view_inspection", user, inspection):
        raise Http404("no such inspection")
    return inspection


def get_instruction(user: Any, congress: Congress, pk: Any) -> Instruction:
    try:
        instruction = Instruction.objects.select_related(
            "congress", "suggestion__lead", "recorded_by", "concluded_by"
        ).get(pk=int(pk), congress=congress)
    except (Instruction.DoesNotExist, TypeError, ValueError):
        raise Http404("no such instruction") from None
    if not rules.has_perm("supervision.view_instructions", user, congress):
        raise Http404("no such instruction")
    return instruction


def inspections_of(**target: Any) -> QuerySet[Inspection]:
    return (
        Inspection.objects.filter(**target)
        .select_related("assignment__unit", "inspector", "answered_by", "suggestion")
        .order_by("-inspected_on", "-id")
    )


def instructions_of(congress: Congress, *, open_only: bool | None = None) -> QuerySet[Instruction]:
    qs = Instruction.objects.filter(congress=congress).select_related("suggestion", "recorded_by")
    if open_only is True:
        qs = qs.filter(concluded_at__isnull=True)
    elif open_only is False:
        qs = qs.filter(concluded_at__isnull=False)
    return qs.prefetch_related(
        Prefetch(
            "records",
            queryset=SupervisionRecord.objects.select_related("unit").order_by("-held_on", "-id"),
        )
    ).order_by("concluded_at", "-instructed_on", "-id")


def task_force(congress: Congress) -> QuerySet[TaskForceMember]:
    return (
        TaskForceMember.objects.filter(congress=congress, removed_at__isnull=True)
        .select_related("user", "added_by")
        .order_by("added_at", "id")
    )


def task_force_candidates(congress: Congress) -> QuerySet:
    """Accounts with an active role in the congress who are not on the task force."""
    from minyi.accounts.models import User

    members = Membership.objects.filter(congress=congress, active=True).values("user_id")
    current = TaskForceMember.objects.filter(congress=congress, removed_at__isnull=True).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).exclude(pk__in=current).order_by("username")


def open_record_deadlines(congress: Congress, *, bodies: set[int] | None = None) -> dict[str, QuerySet]:
    """Supervision records and inspections that wait for a unit's answer, earliest time limit first."""
    records = SupervisionRecord.objects.filter(
        congress=congress, respond_by__isnull=False, responded_at__isnull=True
    ).select_related("unit", "theme", "suggestion", "instruction")
    inspections = Inspection.objects.filter(
        congress=congress, due_on__isnull=False, answered_at__isnull=True
    ).select_related("assignment__unit", "suggestion")
    if bodies is not None:
        records = records.filter(unit__body__in=bodies)
        inspections = inspections.filter(assignment__unit__body__in=bodies)
    return {
        "records": records.order_by("respond_by", "id"),
        "inspections": inspections.order_by("due_on", "id"),
    }


def group_by(items: list[Any], key: str) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        out[getattr(item, key)].append(item)
    return out


def clock_for(congress: Congress, **kwargs: Any) -> WarningClock:
    return WarningClock.for_congress(congress, **kwargs)
