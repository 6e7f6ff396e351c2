"""The demo district's current year: suggestions accepted in every month from January to today, each
handled by the unit whose work it is (`core.demo_district.TOPICS`) and taken as far as its dates
allow — the older ones answered, rated and closed (most on time, a few late), the recent ones still
being handled, so that the board shows a realistic mix of on-time (green), nearly due (yellow) and
overdue (red) items.

Everything goes through the real actions, each run on its own day (`demo.back_to` moves the clock),
so audit rows, deadlines and figures agree as if the people had worked on those days. Runs in
`seed_demo` before the other feature seeders (so the year's suggestions have the year's first
numbers): ``seed_demo_year(congress, rng=random.Random(2026))``.
"""

from __future__ import annotations

import datetime
import random

from minyi.congress.models import Congress, ResultClass
from minyi.core import demo_district
from minyi.core.demo_district import Topic
from minyi.suggestions import actions as A
from minyi.suggestions.demo import fresh_title
from minyi.suggestions.models import Assignment, Reply, Suggestion
from minyi.suggestions.states import AssignmentState

from .demo import ONE_DAY, Date, _Cast, _cast, _Seeder, _UnitCast, back_to

#: Suggestions accepted per month (January has the session's).
PER_MONTH = 7
SESSION_EXTRA = 5
#: (class code, weight) of the answers; B and C carry commitments.
CLASSES = [("A", 62), ("B", 28), ("C", 8), ("D", 2)]


class _Year(_Seeder):
    def __init__(self, congress: Congress, cast: _Cast, rng: random.Random) -> None:
        super().__init__(congress, cast, rng)
        self.by_short = {u.unit.short_name or u.unit.name: u for u in cast.units}
        self.topics = list(demo_district.TOPICS)
        rng.shuffle(self.topics)
        self.results = {r.code: r for r in ResultClass.objects.filter(congress=congress, active=True)}
        self.made: list[Suggestion] = []

    def days_of(self, month: int) -> list[Date]:
        """Working days of `month` this year before today on which suggestions are accepted."""
        first = datetime.date(self.today.year, month, 1)
        n = PER_MONTH + (SESSION_EXTRA if month == 1 else 0)
        days = []
        day = first
        while day.month == month and day < self.today:
            if self.calendar.is_workday(day):
                days.append(day)
            day += ONE_DAY
        if not days:
            return []
        return sorted(self.rng.choice(days) for _ in range(n))

    def units_of(self, topic: Topic) -> list[_UnitCast]:
        lead = self.by_short.get(topic.lead)
        if lead is None:  # a stand-in congress
            return [self.rng.choice(self.cast.units)]
        return [lead] + [self.by_short[c] for c in topic.co if c in self.by_short][:1]

    def seed(self) -> list[Suggestion]:
        i = 0
        for month in range(1, self.today.month + 1):
            for day in self.days_of(month):
                self.one(day, self.topics[i % len(self.topics)], i)
                i += 1
        return self.made

    def after(self, day: Date, low: int, high: int) -> Date:
        return self.calendar.add_working_days(day, self.rng.randint(low, high))

    def one(self, day: Date, topic: Topic, i: int) -> None:
        cast, rng, today = self.cast, self.rng, self.today
        user, deputy = cast.deputies[(i * 7) % len(cast.deputies)]
        category = next((c for c in cast.categories if c.name == topic.category), None)
        tag = cast.tags.get(topic.theme)
        content = A.SuggestionContent(
            title=fresh_title(self.congress, topic, self.today.year),
            facts=topic.facts,
            proposals=topic.proposals,
            category=category or rng.choice(cast.categories),
            theme_tags=[tag] if tag else [],
            channel=rng.choices(cast.channels, weights=[8 if c.grassroots else 1 for c in cast.channels])[0],
            collected_on=day - datetime.timedelta(days=rng.randint(1, 12)),
        )
        with back_to(day, 9):
            s = A.do_create_suggestion(self.congress, actor=user, content=content)
            if i % 3 == 0:
                co_user, co_deputy = cast.deputies[(i * 7 + 3) % len(cast.deputies)]
                if co_user != user:
                    A.do_confirm_cosign(A.do_invite_cosigner(s, actor=user, deputy=co_deputy), actor=co_user)
            s = A.do_submit_suggestion(s, actor=user)
        accepted = self.after(day, 0, 2)
        if accepted >= today:
            self.made.append(s)
            return
        with back_to(accepted, 11):
            s = A.do_accept_suggestion(s, actor=cast.clerk)
            s = A.do_forward_suggestion(s, actor=cast.clerk, body=cast.body)
        assigned = self.after(accepted, 1, 4)
        self.made.append(s)
        if assigned >= today:
            return
        units = self.units_of(topic)
        with back_to(assigned, 15):
            A.do_assign_units(
                s,
                actor=cast.coordinator,
                lead_units=[units[0].unit],
                co_units=[u.unit for u in units[1:]],
                note="请按时办理，办理前与领衔代表见面沟通。",
            )
        self.handle(Suggestion.objects.get(pk=s.pk), topic, units, assigned, i)

    def handle(self, s: Suggestion, topic: Topic, units: list[_UnitCast], assigned: Date, i: int) -> None:
        rng, today = self.rng, self.today
        rows = {
            a.unit_id: a
            for a in Assignment.objects.filter(suggestion=s).exclude(state=AssignmentState.CANCELLED)
        }
        lead_cast = units[0]
        lead = rows[lead_cast.unit.pk]
        signed = self.after(assigned, 0, 1)
        if signed >= today:
            return
        with back_to(signed, 9):
            for u in units:
                A.do_sign_assignment(rows[u.unit.pk], actor=u.handler)
        late = i % 11 == 5  # about one in eleven is answered late (or is overdue now)
        silent = i % 23 == 7  # and a few never contacted the deputy in time
        contacted = self.after(assigned, 11, 14) if silent else self.after(assigned, 2, 8)
        if contacted < today:
            with back_to(contacted, 16):
                A.do_log_contact(
                    lead,
                    actor=lead_cast.handler,
                    phase="before",
                    method=rng.choice(["visit", "visit", "meeting", "phone", "site"]),
                    contacted_on=contacted,
                    people=f"{lead_cast.unit.short_name or lead_cast.unit.name}分管负责人、承办人、领衔代表",
                    summary="听取代表意见，现场查看情况，介绍办理思路和工作计划。",
                )
        for u in units[1:]:
            day = self.after(assigned, 3, 8)
            if day < today:
                with back_to(day, 10):
                    A.do_submit_opinion(
                        rows[u.unit.pk],
                        actor=u.handler,
                        opinion="我单位同意主办单位的办理意见，将按职责积极配合。",
                    )
        replied = self.reply_day(assigned, contacted, late=late)
        if replied is not None and lead_cast.leader is not None:
            self.answer(s, topic, lead, lead_cast, replied)

    def reply_day(self, assigned: Date, contacted: Date, *, late: bool) -> Date | None:
        """When the lead unit answers: within the month (late ones after it), after the contact;
        None when that is not yet."""
        rng, cal = self.rng, self.calendar
        due = cal.add_months(assigned, self.policy.reply_months)
        replied = (
            due + datetime.timedelta(days=rng.randint(3, 12))
            if late
            else assigned + datetime.timedelta(days=rng.randint(14, 27))
        )
        replied = min(replied, due) if not late else replied
        if replied <= contacted:  # a slow contact (holidays): the answer follows it
            replied = contacted + datetime.timedelta(days=rng.randint(3, 8))
        replied = self.workday_before(replied)
        if replied >= self.today or contacted >= replied:
            return None
        return replied

    def answer(
        self, s: Suggestion, topic: Topic, lead: Assignment, lead_cast: _UnitCast, replied: Date
    ) -> None:
        """Reply drafted and signed off on `replied`, commitments followed up, then rated and closed
        as far as today allows."""
        cast, rng, today = self.cast, self.rng, self.today
        assert lead_cast.leader is not None
        code = rng.choices([c for c, _w in CLASSES], weights=[w for _c, w in CLASSES])[0]
        result = self.results.get(code) or self.results["A"]
        commitments = []
        if result.requires_commitments:
            commitments = [
                A.CommitmentInput(
                    text="列入明年工作计划，按计划推进并向代表反馈进展",
                    due_on=replied + datetime.timedelta(days=rng.randint(90, 240)),
                )
            ]
        with back_to(replied, 11):
            A.do_draft_reply(
                lead, actor=lead_cast.handler, body=topic.answer, result_class=result, commitments=commitments
            )
        with back_to(replied, 16):
            A.do_sign_off_reply(Assignment.objects.get(pk=lead.pk), actor=lead_cast.leader)
        reply = Reply.objects.get(assignment=lead, signed_off_at__isnull=False)
        self.follow_up(reply, lead_cast, replied)
        evaluated = self.after(replied, 2, 8)
        if evaluated >= today:
            return
        overall = rng.choices(["satisfied", "basic"], weights=[88, 12])[0]
        lead_user = s.lead.user
        assert lead_user is not None  # demo deputies have accounts
        with back_to(evaluated, 20):
            A.do_evaluate_reply(
                reply,
                actor=lead_user,
                attitude="satisfied",
                result=overall,
                overall=overall,
                contact_happened=True,
                opinion="",
            )
        closed = self.after(evaluated, 2, 10)
        if closed < today:
            with back_to(closed, 10):
                A.do_close_suggestion(Suggestion.objects.get(pk=s.pk), actor=cast.clerk)

    def follow_up(self, reply: Reply, unit: _UnitCast, replied: Date) -> None:
        """The commitments of a B/C answer: progress reported after a month or two, fulfilled a
        little before they fall due (跟踪落实) — those not yet due stay open."""
        rng, today = self.rng, self.today
        for commitment in reply.commitments.all():
            halfway = self.workday_before(replied + datetime.timedelta(days=rng.randint(30, 60)))
            done = self.workday_before(commitment.due_on - datetime.timedelta(days=rng.randint(3, 25)))
            if halfway < today and halfway < done:
                with back_to(halfway, 10):
                    A.do_report_commitment_progress(
                        commitment, actor=unit.handler, text="已完成方案制定和资金安排，正在组织实施。"
                    )
            if done < today:
                with back_to(done, 10):
                    A.do_fulfil_commitment(
                        commitment, actor=unit.handler, note="承诺事项已按计划完成，已向领衔代表反馈。"
                    )


def seed_demo_year(congress: Congress, *, rng: random.Random | None = None) -> list[Suggestion]:
    """The current year's suggestions, month by month up to today (see the module docstring)."""
    return _Year(congress, _cast(congress), rng or random.Random(2026)).seed()


__all__ = ["seed_demo_year"]
