"""How each kind of deadline is computed, so that a page can explain a stored due date and an admin
can recalculate open deadlines after a change of policy or calendar.

A `suggestions.Deadline` stores its start, its due date, the rule in words and the calendar version
it was computed with. Its due date never moves by itself: when the policy or the calendar changes,
`recompute()` says what the date *would* be now, the explanation page shows the difference, and only
`actions.do_recalculate_deadlines` (explicit, audited) changes it.

Deadlines with a fixed date are never recalculated: commitments (the date the unit promised) and
reply deadlines set by an approved extension (the date the clerk approved).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.suggestions.models import Deadline
from minyi.workdays.explain import Explained, explain_months, explain_working_days, fmt
from minyi.workdays.services import WorkCalendar

K = Deadline.Kind
WORKING_DAYS, MONTHS, FIXED = "working_days", "months", "fixed"


@dataclass(frozen=True)
class KindSpec:
    unit: str  # WORKING_DAYS, MONTHS or FIXED
    policy_field: str = ""
    #: The rule in words, as the actions write it (same message ids).
    rule: Any = ""


SPECS: dict[str, KindSpec] = {
    K.REVIEW: KindSpec(WORKING_DAYS, "review_days", gettext_lazy("提交后%(n)s个工作日内审查")),
    K.ASSIGN: KindSpec(WORKING_DAYS, "assign_days", gettext_lazy("立案后%(n)s个工作日内交办")),
    K.REASSIGN_WINDOW: KindSpec(
        WORKING_DAYS, "reassign_window_days", gettext_lazy("交办后%(n)s个工作日内可申请调整")
    ),
    K.FIRST_CONTACT: KindSpec(
        WORKING_DAYS, "first_contact_days", gettext_lazy("交办后%(n)s个工作日内首次联系代表")
    ),
    K.CO_OPINION: KindSpec(
        WORKING_DAYS, "co_opinion_days", gettext_lazy("交办后%(n)s个工作日内向主办单位提出协办意见")
    ),
    K.REPLY: KindSpec(MONTHS, "reply_months", gettext_lazy("交办后%(n)s个月内答复（本地目标）")),
    K.REPLY_STATUTORY: KindSpec(
        MONTHS, "reply_statutory_months", gettext_lazy("交办后%(n)s个月内答复（法定时限）")
    ),
    K.EVALUATION: KindSpec(WORKING_DAYS, "evaluation_days", gettext_lazy("答复后%(n)s个工作日内测评")),
    K.REHANDLE_REPLY: KindSpec(MONTHS, "rehandle_months", gettext_lazy("决定重新办理后%(n)s个月内重新答复")),
    K.COMMITMENT: KindSpec(FIXED),
}

#: Kinds shown on the supervision board: duties of someone. The re-assignment window is a limit for
#: a request, and the evaluation is the deputy's (the no-feedback job handles it).
SUPERVISED_KINDS = tuple(k for k in K.values if k not in (K.REASSIGN_WINDOW, K.EVALUATION))
REPLY_KINDS = (K.REPLY, K.REHANDLE_REPLY)

_NUMBER = re.compile(r"(\d+)(?=\s*(?:个工作日|个月|working day|month))")


def stored_n(deadline: Deadline) -> int | None:
    """The number of working days or months written in the deadline's rule, if any."""
    match = _NUMBER.search(deadline.rule or "")
    return int(match.group(1)) if match else None


def is_fixed(deadline: Deadline, extended: set[tuple[int | None, str]] | None = None) -> bool:
    """A fixed date (commitment, or a reply date from an approved extension): never recalculated.
    `extended` is the set of (assignment id, kind) that were superseded by an extension
    (`extended_keys()`); without it one query is made."""
    if SPECS[deadline.kind].unit == FIXED:
        return True
    if deadline.kind not in (*REPLY_KINDS, K.REPLY_STATUTORY) or deadline.assignment_id is None:
        return False
    if extended is None:
        extended = extended_keys([deadline])
    return (deadline.assignment_id, deadline.kind) in extended


def extended_keys(deadlines: list[Deadline]) -> set[tuple[int | None, str]]:
    """(assignment id, kind) pairs among `deadlines`' assignments whose reply deadline was superseded
    by an approved extension. One query."""
    ids = {d.assignment_id for d in deadlines if d.assignment_id}
    if not ids:
        return set()
    return set(
        Deadline.objects.filter(
            assignment_id__in=ids, close_reason=Deadline.CloseReason.SUPERSEDED
        ).values_list("assignment_id", "kind")
    )


def policy_n(deadline: Deadline, policy: Any) -> int | None:
    spec = SPECS[deadline.kind]
    return getattr(policy, spec.policy_field) if spec.policy_field else None


def compute(kind: str, started_on: datetime.date, n: int, calendar: WorkCalendar) -> datetime.date:
    spec = SPECS[kind]
    if spec.unit == MONTHS:
        return calendar.add_months(started_on, n)
    return calendar.add_working_days(started_on, n)


def rule_text(deadline: Deadline, n: int) -> str:
    """The deadline's rule with `n` in place of its old number (keeping the wording, e.g. "同意调整后
    …重新交办"), or the kind's standard wording."""
    if _NUMBER.search(deadline.rule or ""):
        return _NUMBER.sub(str(n), deadline.rule, count=1)[:200]
    return str(SPECS[deadline.kind].rule % {"n": n})[:200]


@dataclass
class Recomputed:
    """What a deadline would be under the current policy and calendar."""

    deadline: Deadline
    due_on: datetime.date
    rule: str
    n: int

    @property
    def changed(self) -> bool:
        return self.due_on != self.deadline.due_on


def recompute(
    deadline: Deadline, *, policy: Any, calendar: WorkCalendar, extended: set | None = None
) -> Recomputed | None:
    """The due date under today's policy and calendar; None for fixed dates."""
    if is_fixed(deadline, extended):
        return None
    n = policy_n(deadline, policy)
    if n is None:  # pragma: no cover - every non-fixed kind has a policy field
        return None
    due = compute(deadline.kind, deadline.started_on, n, calendar)
    return Recomputed(deadline, due, rule_text(deadline, n), n)


# --- explanation -------------------------------------------------------------------------------------


@dataclass
class SkippedDay:
    day: datetime.date
    label: str
    name: str
    kind: str  # holiday / makeup / weekend


@dataclass
class Explanation:
    """Everything the deadline page shows about how a due date came about."""

    deadline: Deadline
    unit: str
    n: int | None
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The due date the current policy and calendar give (None for fixed dates).
    current: Recomputed | None = None
    #: Holidays and make-up workdays between start and due date (weekends are only counted).
    special_days: list[SkippedDay] = field(default_factory=list)
    weekends: int = 0
    calendar_changed: bool = False


def explain(  # noqa: C901, PLR0912
    deadline: Deadline,
    *,
    policy: Any,
    calendar: WorkCalendar,
    names: dict[datetime.date, str],
    extended: set | None = None,
) -> Explanation:
    """How `deadline.due_on` follows from its start, rule and calendar, and whether today's policy
    or calendar would give another date."""
    spec = SPECS[deadline.kind]
    fixed = is_fixed(deadline, extended)
    n = stored_n(deadline) if not fixed else None
    out = Explanation(deadline, FIXED if fixed else spec.unit, n)
    start, due = deadline.started_on, deadline.due_on
    if fixed:
        if deadline.kind == K.COMMITMENT:
            out.lines.append(
                _("承诺事项的期限是承办单位在答复中承诺的完成日期 %(d)s，不按工作日推算。") % {"d": fmt(due)}
            )
        else:
            out.lines.append(
                _("该期限经批准延期，截止日期为批准的日期 %(d)s，不按规则推算，也不随规则或日历重新计算。")
                % {"d": fmt(due)}
            )
    elif n is not None:
        explained: Explained
        if spec.unit == MONTHS:
            explained = explain_months(calendar, start, n, names)
        else:
            explained = explain_working_days(calendar, start, n, names)
        out.lines.extend(explained.lines)
        out.warnings.extend(explained.warnings)
        if explained.result != due:
            out.calendar_changed = True
            out.lines.append(
                _(
                    "按现行日历推算为 %(now)s，与存储的期限 %(due)s 不同：日历在期限确定后有过修改。期限不会自动改变。"
                )
                % {"now": fmt(explained.result), "due": fmt(due)}
            )
    if not fixed:
        out.current = recompute(deadline, policy=policy, calendar=calendar, extended=extended)
    if not out.warnings:
        missing = calendar.missing_years_between(start, due)
        if missing:
            out.warnings.append(
                _("%(years)s年没有录入节假日安排，这段时间只按周末计算，结果可能不准确。")
                % {"years": "、".join(map(str, missing))}
            )
    day = start
    one = datetime.timedelta(days=1)
    while day < due:
        day += one
        if day in calendar.workdays:
            out.special_days.append(SkippedDay(day, _("调休上班"), names.get(day, ""), "makeup"))
        elif day in calendar.holidays:
            out.special_days.append(SkippedDay(day, _("放假"), names.get(day, ""), "holiday"))
        elif day.weekday() >= 5:
            out.weekends += 1
    return out
