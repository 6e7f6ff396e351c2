"""The write half of reports' history import (`minyi.reports.history.import_history`): past years'
closed suggestions created in bulk — suggestions, confirmed co-signers, assignments, contacts,
signed-off replies, evaluations and the deadlines the actions would have opened — and the
numbering counters kept past the imported serial numbers. reports.history reads and checks the
ledger, holds the congress's lock, and writes the batch and the audit rows; nothing here checks
permission or writes audit rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.congress.models import Category, Channel, Congress, Deputy, Policy, ResultClass, Unit
from minyi.workdays.services import WorkCalendar

from ..models import (
    Assignment,
    AssignmentRole,
    Contact,
    ContactMethod,
    ContactPhase,
    CoSigner,
    Deadline,
    Evaluation,
    Reply,
    Suggestion,
    SuggestionCounter,
)
from ..states import AssignmentState, ContactState, CoSignerState

IMPORTED_NOTE = "历史数据导入"
#: Local times of the day given to the ledger's dates.
TIMES = {
    "accepted": datetime.time(9),
    "assigned": datetime.time(10),
    "contact": datetime.time(11),
    "reply": datetime.time(15),
    "evaluated": datetime.time(17),
    "closed": datetime.time(18),
}


@dataclass
class ImportedSuggestion:
    """One checked row of a past year's ledger (reports.history checks it), ready to be written."""

    row: int
    number: str
    seq: int | None
    title: str
    lead: Deputy
    cosigners: list[Deputy]
    category: Category | None
    channel: Channel | None
    kind: str
    lead_units: list[Unit]
    co_units: list[Unit]
    accepted_on: datetime.date
    assigned_on: datetime.date | None
    contact_on: datetime.date | None
    replied_on: datetime.date | None
    classes: list[ResultClass]
    ratings: list[str | None]
    rated: bool
    state: str
    closed_on: datetime.date | None


# --- writing -----------------------------------------------------------------------------------------------


def _at(day: datetime.date, what: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, TIMES[what]))


class _Writer:
    def __init__(
        self,
        congress: Congress,
        entered_by: Any,
        policy: Policy,
        calendar: WorkCalendar,
        rule: Callable[[str, int], str],
    ):
        self.congress, self.user = congress, entered_by
        self.policy, self.calendar, self.rule = policy, calendar, rule

    def deadline(
        self,
        s: Suggestion,
        kind: str,
        started: datetime.date,
        due: datetime.date,
        n: int,
        done: datetime.date | None,
        done_at: datetime.datetime | None,
        assignment: Assignment | None = None,
    ) -> Deadline:
        return Deadline(
            congress=self.congress,
            suggestion=s,
            assignment=assignment,
            round=1,
            kind=kind,
            started_on=started,
            due_on=due,
            rule=self.rule(kind, n),
            calendar_version=self.calendar.version,
            created_at=_at(started, "accepted"),
            closed_at=done_at if done else None,
            closed_on_time=(done <= due) if done else None,
            close_reason=Deadline.CloseReason.DONE if done else "",
        )

    def suggestions(self, planned: list[ImportedSuggestion]) -> list[Suggestion]:
        rows = []
        for p in planned:
            last = p.closed_on or p.replied_on or p.assigned_on or p.accepted_on
            what = (
                "closed"
                if p.closed_on
                else "reply"
                if p.replied_on
                else "assigned"
                if p.assigned_on
                else "accepted"
            )
            rows.append(
                Suggestion(
                    congress=self.congress,
                    kind=p.kind,
                    title=p.title,
                    category=p.category,
                    channel=p.channel,
                    lead=p.lead,
                    entered_by=self.user,
                    state=p.state,
                    state_changed_at=_at(last, what),
                    round=1,
                    year=p.accepted_on.year,
                    seq=p.seq,
                    number=p.number,
                    submitted_at=_at(p.accepted_on, "accepted"),
                    accepted_at=_at(p.accepted_on, "accepted"),
                    closed_at=_at(p.closed_on, "closed") if p.closed_on else None,
                    closing_explanation=IMPORTED_NOTE if p.closed_on else "",
                )
            )
        return Suggestion.objects.bulk_create(rows, batch_size=500)

    def write(self, planned: list[ImportedSuggestion], suggestions: list[Suggestion]) -> None:
        deadlines: list[Deadline] = []
        answering = self._first_round(planned, suggestions, deadlines)
        replies = self._answers(answering, deadlines)
        self._evaluations(answering, replies)

    def _first_round(
        self, planned: list[ImportedSuggestion], suggestions: list[Suggestion], deadlines: list[Deadline]
    ) -> list[tuple[ImportedSuggestion, Suggestion, Assignment, int]]:
        """Co-signers and assignments (written), assignment deadlines (added to `deadlines`); the
        answering assignments with their row and unit index."""
        policy, cal = self.policy, self.calendar
        cosigners: list[CoSigner] = []
        assignments: list[Assignment] = []
        answering: list[tuple[ImportedSuggestion, Suggestion, Assignment, int]] = []
        for p, s in zip(planned, suggestions, strict=True):
            for d in p.cosigners:
                at = _at(p.accepted_on, "accepted")
                cosigners.append(
                    CoSigner(
                        suggestion=s,
                        deputy=d,
                        state=CoSignerState.CONFIRMED,
                        invited_by=self.user,
                        invited_at=at,
                        answered_at=at,
                    )
                )
            assign_due = cal.add_working_days(p.accepted_on, policy.assign_days)
            assigned_at = _at(p.assigned_on, "assigned") if p.assigned_on else None
            deadlines.append(
                self.deadline(
                    s,
                    Deadline.Kind.ASSIGN,
                    p.accepted_on,
                    assign_due,
                    policy.assign_days,
                    p.assigned_on,
                    assigned_at,
                )
            )
            if not p.assigned_on:
                continue
            assert assigned_at is not None
            role = AssignmentRole.LEAD if len(p.lead_units) == 1 else AssignmentRole.SPLIT
            for i, unit in enumerate(p.lead_units):
                a = Assignment(
                    suggestion=s,
                    unit=unit,
                    round=1,
                    role=role,
                    state=AssignmentState.REPLIED if p.replied_on else AssignmentState.HANDLING,
                    state_changed_at=_at(p.replied_on, "reply") if p.replied_on else assigned_at,
                    assigned_by=self.user,
                    assigned_at=assigned_at,
                    assigned_on=p.assigned_on,
                    reply_due_on=cal.add_months(p.assigned_on, policy.reply_months),
                    note=IMPORTED_NOTE,
                )
                assignments.append(a)
                answering.append((p, s, a, i))
            for unit in p.co_units:
                assignments.append(
                    Assignment(
                        suggestion=s,
                        unit=unit,
                        round=1,
                        role=AssignmentRole.CO,
                        state=AssignmentState.OPINION_SUBMITTED if p.replied_on else AssignmentState.HANDLING,
                        state_changed_at=assigned_at,
                        assigned_by=self.user,
                        assigned_at=assigned_at,
                        assigned_on=p.assigned_on,
                        note=IMPORTED_NOTE,
                    )
                )
        CoSigner.objects.bulk_create(cosigners, batch_size=1000)
        Assignment.objects.bulk_create(assignments, batch_size=1000)
        return answering

    def _answers(
        self,
        answering: list[tuple[ImportedSuggestion, Suggestion, Assignment, int]],
        deadlines: list[Deadline],
    ) -> list[Reply]:
        """Contacts, replies and every deadline (written); the replies."""
        policy, cal = self.policy, self.calendar
        replies: list[Reply] = []
        contacts: list[Contact] = []
        for p, s, a, i in answering:
            assert p.assigned_on is not None  # only assigned rows answer
            reply_at = _at(p.replied_on, "reply") if p.replied_on else None
            local = cal.add_months(p.assigned_on, policy.reply_months)
            statutory = cal.add_months(p.assigned_on, policy.reply_statutory_months)
            deadlines.append(
                self.deadline(
                    s,
                    Deadline.Kind.REPLY,
                    p.assigned_on,
                    local,
                    policy.reply_months,
                    p.replied_on,
                    reply_at,
                    a,
                )
            )
            deadlines.append(
                self.deadline(
                    s,
                    Deadline.Kind.REPLY_STATUTORY,
                    p.assigned_on,
                    statutory,
                    policy.reply_statutory_months,
                    p.replied_on,
                    reply_at,
                    a,
                )
            )
            if p.contact_on or not p.replied_on:
                contact_due = cal.add_working_days(p.assigned_on, policy.first_contact_days)
                contact_at = _at(p.contact_on, "contact") if p.contact_on else None
                deadlines.append(
                    self.deadline(
                        s,
                        Deadline.Kind.FIRST_CONTACT,
                        p.assigned_on,
                        contact_due,
                        policy.first_contact_days,
                        p.contact_on,
                        contact_at,
                        a,
                    )
                )
            if p.contact_on:
                contacts.append(
                    Contact(
                        assignment=a,
                        phase=ContactPhase.BEFORE,
                        method=ContactMethod.VISIT,
                        contacted_on=p.contact_on,
                        people=IMPORTED_NOTE,
                        summary=_("%(note)s：见面联系代表（原始记录未导入）。") % {"note": IMPORTED_NOTE},
                        logged_by=self.user,
                        logged_at=_at(p.contact_on, "contact"),
                        state=ContactState.CONFIRMED,
                        answered_at=_at(p.contact_on, "contact"),
                    )
                )
            if p.replied_on:
                replies.append(
                    Reply(
                        assignment=a,
                        body=_("（%(note)s：答复函原文未导入。）") % {"note": IMPORTED_NOTE},
                        result_class=p.classes[i],
                        drafted_by=self.user,
                        drafted_at=_at(p.replied_on, "reply"),
                        signed_off_by=self.user,
                        signed_off_at=reply_at,
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=1000)
        Reply.objects.bulk_create(replies, batch_size=1000)
        Deadline.objects.bulk_create(deadlines, batch_size=2000)
        return replies

    def _evaluations(
        self, answering: list[tuple[ImportedSuggestion, Suggestion, Assignment, int]], replies: list[Reply]
    ) -> None:
        evaluations: list[Evaluation] = []
        by_assignment = {r.assignment_id: r for r in replies}
        for p, s, a, i in answering:
            if not p.rated or a.pk not in by_assignment:
                continue
            assert p.replied_on is not None  # a reply was written for it
            rating = p.ratings[i]
            evaluations.append(
                Evaluation(
                    suggestion=s,
                    reply=by_assignment[a.pk],
                    round=1,
                    kind=Evaluation.Kind.RATED if rating else Evaluation.Kind.NO_FEEDBACK,
                    attitude=rating or "",
                    result=rating or "",
                    overall=rating or "",
                    contact_happened=bool(p.contact_on) if rating else None,
                    evaluated_at=_at(p.replied_on, "evaluated"),
                )
            )
        Evaluation.objects.bulk_create(evaluations, batch_size=1000)

    def counters(self, planned: list[ImportedSuggestion]) -> None:
        """Keep the numbering counter of each year past the imported serial numbers, so that the
        next suggestion accepted in that year does not take an imported number."""
        highest: dict[int, int] = {}
        for p in planned:
            if p.seq is not None:
                highest[p.accepted_on.year] = max(highest.get(p.accepted_on.year, 0), p.seq)
        for year, seq in highest.items():
            SuggestionCounter.objects.get_or_create(congress=self.congress, year=year)
            SuggestionCounter.objects.filter(congress=self.congress, year=year, last__lt=seq).update(last=seq)


def import_closed_suggestions(
    rows: list[ImportedSuggestion],
    *,
    congress: Congress,
    entered_by: Any,
    policy: Policy,
    calendar: WorkCalendar,
    rule: Callable[[str, int], str],
) -> list[Suggestion]:
    """Create the suggestions of `rows` with everything that hangs on them (see the module) and keep
    the numbering counters past them; return the suggestions in the order of `rows`. `entered_by`
    is the user the rows name as having entered, drafted and signed them; `rule(kind, n)` is a
    deadline's rule in words. The caller runs this in its transaction and writes the audit rows."""
    writer = _Writer(congress, entered_by, policy, calendar, rule)
    suggestions = writer.suggestions(rows)
    writer.write(rows, suggestions)
    writer.counters(rows)
    return suggestions
