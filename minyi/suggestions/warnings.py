"""Deadline warnings (预警): the colour of a time limit on a given day. Computed, never stored.

One rule for every page, list, board and API (DOMAIN.md §4):

- **red** (逾期): the due date has passed — ``today > due_on``;
- **yellow** (临期): due today, or within the congress's ``policy.warning_days`` working days —
  the working days in (today, due_on] are at most ``warning_days``;
- **green** (正常): later than that;
- **grey**: the deadline is closed (met, missed and handled, superseded or cancelled), or it was
  a window for a request (申请调整期限) that has passed — a lapsed window is not overdue work.

The rule lives in the suggestion app (below supervision, whose board, records and pages use it
through `minyi.supervision.warnings`, and below reports and the API) because the suggestion pages
colour their own deadlines: it needs only the deadline, the policy and the calendar.

Working days come from the official calendar (`minyi.workdays`); a year without calendar data falls
back to Monday–Friday and the status lists it in `missing_years`, so pages warn instead of failing.

`deadline_status()` takes a `suggestions.Deadline`; `status_for()` takes plain dates, for the
supervision records' own time limits (整改时限). `colour_bounds()` turns the rule into two dates so
that lists can count and filter colours in SQL: red ⇔ ``due_on < today``, yellow ⇔
``today <= due_on < green_from``, green ⇔ ``due_on >= green_from`` (leave `WINDOW_KINDS` out of
such counts, as the supervision board does).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.workdays.services import WorkCalendar, get_calendar

Date = datetime.date

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
#: Open colours, most urgent first.
OPEN_COLOURS = (RED, YELLOW, GREEN)
COLOUR_LABELS = {
    RED: gettext_lazy("逾期"),
    YELLOW: gettext_lazy("临期"),
    GREEN: gettext_lazy("正常"),
    GREY: gettext_lazy("已结束"),
}
#: Deadline kinds that bound a request rather than a duty: never red (see `deadline_status`).
WINDOW_KINDS = frozenset({"reassign_window"})
#: Bootstrap contextual class of each colour.
LEVELS = {GREEN: "success", YELLOW: "warning", RED: "danger", GREY: "secondary"}


@dataclass(frozen=True)
class Status:
    """How a time limit stands on `today`."""

    colour: str
    #: Working days in (today, due_on]: how many are left (0 = due today or on the next rest
    #: days); negative when overdue (the working days since the due date). None once closed.
    working_days_left: int | None
    #: Working days in (started_on, today] — or up to the day it closed — never negative.
    working_days_used: int
    #: Working days in (started_on, due_on]: the whole allowance.
    working_days_total: int
    label: str
    due_on: Date
    #: Calendar days past the due date (0 unless red).
    days_overdue: int = 0
    #: Years between the start and the due date (or today) without official calendar data: the
    #: working days above were counted Monday–Friday there, so pages must say so.
    missing_years: tuple[int, ...] = field(default_factory=tuple)
    #: The due date falls in a year whose official calendar is not confirmed complete: it is
    #: provisional (暂定) and may move when the year is completed (`WorkCalendar.is_provisional`).
    provisional: bool = False

    @property
    def level(self) -> str:
        return LEVELS[self.colour]

    @property
    def colour_label(self) -> str:
        return str(COLOUR_LABELS[self.colour])

    @property
    def used_of_allowance(self) -> int:
        """The working days used, at most the whole allowance (the rest is `working_days_overdue`)."""
        return min(self.working_days_used, self.working_days_total)

    @property
    def working_days_overdue(self) -> int:
        left = self.working_days_left
        return -left if left is not None and left < 0 else 0

    @property
    def is_open(self) -> bool:
        return self.colour != GREY

    @property
    def is_red(self) -> bool:
        return self.colour == RED

    @property
    def is_yellow(self) -> bool:
        return self.colour == YELLOW


@dataclass(frozen=True)
class Bounds:
    """The colour rule of one day as two dates (for SQL filters and counts)."""

    today: Date
    #: The first due date that is green: the (warning_days + 1)-th working day after today.
    green_from: Date

    def colour_of(self, due_on: Date) -> str:
        if due_on < self.today:
            return RED
        if due_on < self.green_from:
            return YELLOW
        return GREEN


def colour_bounds(*, today: Date, calendar: WorkCalendar, policy: Any) -> Bounds:
    return Bounds(today=today, green_from=calendar.add_working_days(today, policy.warning_days + 1))


def _missing(calendar: WorkCalendar, start: Date, *ends: Date) -> tuple[int, ...]:
    low = min(start, *ends)
    high = max(start, *ends)
    return tuple(calendar.missing_years_between(low, high))


def status_for(
    *,
    started_on: Date,
    due_on: Date,
    closed_on: Date | None = None,
    closed_label: str = "",
    today: Date,
    calendar: WorkCalendar,
    policy: Any,
) -> Status:
    """The status of any time limit from `started_on` to `due_on` (closed on `closed_on`, if so)."""
    total = max(calendar.working_days_between(started_on, due_on), 0)
    if closed_on is not None:
        used = max(calendar.working_days_between(started_on, closed_on), 0)
        if not closed_label:
            closed_label = _("按期完成") if closed_on <= due_on else _("逾期完成")
        return Status(
            GREY,
            None,
            used,
            total,
            str(closed_label),
            due_on,
            0,
            _missing(calendar, started_on, due_on),
            False,
        )
    used = max(calendar.working_days_between(started_on, today), 0) if today > started_on else 0
    left = calendar.working_days_between(today, due_on)
    missing = _missing(calendar, started_on, due_on, today)
    provisional = calendar.is_provisional(due_on)
    if due_on < today:
        late = -left
        label = _("已逾期 %(n)s 个工作日") % {"n": late} if late > 0 else _("已逾期")
        return Status(RED, left, used, total, label, due_on, (today - due_on).days, missing, provisional)
    if due_on == today:
        return Status(YELLOW, 0, used, total, _("今天到期"), due_on, 0, missing, provisional)
    label = _("还剩 %(n)s 个工作日") % {"n": left}
    colour = YELLOW if left <= policy.warning_days else GREEN
    return Status(colour, left, used, total, label, due_on, 0, missing, provisional)


def _closed_label(deadline: Any) -> str:
    reason = deadline.close_reason
    if reason == "done":
        return _("按期完成") if deadline.closed_on_time else _("逾期完成")
    return str(deadline.get_close_reason_display())


def deadline_status(deadline: Any, *, today: Date, calendar: WorkCalendar, policy: Any) -> Status:
    """The colour and working-day counts of a `suggestions.Deadline` on `today`, with the congress's
    `policy` (its `warning_days`) and the working-day `calendar`."""
    closed_on = timezone.localdate(deadline.closed_at) if deadline.closed_at is not None else None
    closed_label = _closed_label(deadline) if closed_on is not None else ""
    if closed_on is None and deadline.kind in WINDOW_KINDS and deadline.due_on < today:
        # A window for a request (申请调整) is not a duty: once it has passed it simply lapsed.
        closed_on, closed_label = deadline.due_on, _("申请期限已过")
    return status_for(
        started_on=deadline.started_on,
        due_on=deadline.due_on,
        closed_on=closed_on,
        closed_label=closed_label,
        today=today,
        calendar=calendar,
        policy=policy,
    )


def deadline_statuses(
    deadlines: Iterable[Any], *, today: Date, calendar: WorkCalendar, policy: Any
) -> list[tuple[Any, Status]]:
    """Each deadline with its status (the batch form for lists; no queries)."""
    return [(d, deadline_status(d, today=today, calendar=calendar, policy=policy)) for d in deadlines]


class WarningClock:
    """Today, the calendar and a congress's policy, loaded once (per request or per loop)."""

    def __init__(self, policy: Any, *, calendar: WorkCalendar | None = None, today: Date | None = None):
        self.policy = policy
        # The congress's own calendar: national days plus its local closures.
        self.calendar = calendar or get_calendar(getattr(policy, "congress_id", None))
        self.today = today or timezone.localdate()
        self.bounds = colour_bounds(today=self.today, calendar=self.calendar, policy=policy)

    @classmethod
    def for_congress(cls, congress: Any, **kwargs: Any) -> WarningClock:
        from minyi.congress.actions import ensure_policy

        return cls(ensure_policy(congress), **kwargs)

    def status(self, deadline: Any) -> Status:
        return deadline_status(deadline, today=self.today, calendar=self.calendar, policy=self.policy)

    def status_for(self, *, started_on: Date, due_on: Date, closed_on: Date | None = None) -> Status:
        return status_for(
            started_on=started_on,
            due_on=due_on,
            closed_on=closed_on,
            today=self.today,
            calendar=self.calendar,
            policy=self.policy,
        )

    def statuses(self, deadlines: Iterable[Any]) -> list[tuple[Any, Status]]:
        return deadline_statuses(deadlines, today=self.today, calendar=self.calendar, policy=self.policy)
