"""Fixtures for the figures tests: a `Builder` that drives suggestions through the real actions on
chosen days (time-machine), so deadlines, timestamps and audit rows are exactly what the platform
would record. Factories make initial rows only (deputies, units, accounts, taxonomies)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minyi.accounts.models import Role
from minyi.congress.models import Category, Channel, Deputy, ExclusionReason, ResultClass, ThemeTag, Unit
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, AssignmentRole, Contact, Reply, Suggestion
from minyi.suggestions.states import AssignmentState
from tests.conftest import World
from tests.factories import DeputyFactory, MembershipFactory, UnitFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
d = datetime.date
TERM_START = d(2022, 1, 1)


@contextmanager
def on(day: datetime.date, hour: int = 10, minute: int = 0) -> Iterator[None]:
    """Run the block at `hour`:`minute` local time on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)
    with time_machine.travel(moment, tick=False):
        yield


@dataclass
class Taxa:
    category: Category
    other_category: Category
    theme: ThemeTag
    grassroots: Channel
    online: Channel
    classes: dict[str, ResultClass]
    exclusion: ExclusionReason


def make_taxa(congress) -> Taxa:
    classes = {}
    for order, (code, resolved, commitments) in enumerate(
        [("A", True, False), ("B", False, True), ("C", False, True), ("D", False, False)]
    ):
        classes[code] = ResultClass.objects.create(
            congress=congress,
            code=code,
            name=f"{code}类",
            order=order,
            counts_as_resolved=resolved,
            requires_commitments=commitments,
        )
    return Taxa(
        category=Category.objects.create(congress=congress, name="城乡建设", order=1),
        other_category=Category.objects.create(congress=congress, name="教育", order=2),
        theme=ThemeTag.objects.create(congress=congress, name="物业管理"),
        grassroots=Channel.objects.create(congress=congress, name="联络站接待选民", grassroots=True),
        online=Channel.objects.create(congress=congress, name="网络征集", grassroots=False),
        classes=classes,
        exclusion=ExclusionReason.objects.create(congress=congress, name="没有具体内容"),
    )


@dataclass
class Staff:
    handler: Any
    leader: Any


@dataclass
class Builder:
    """Drives suggestions through the real actions on given days. Units are assigned directly by the
    congress clerk (or forwarded to the government first); each unit has a handler and a leader."""

    w: World
    taxa: Taxa
    staff: dict[int, Staff] = field(default_factory=dict)

    # people and units -------------------------------------------------------------------------
    def deputy(
        self,
        name: str,
        *,
        start: datetime.date = TERM_START,
        end: datetime.date | None = None,
        account: bool = True,
    ) -> Deputy:
        user = None
        if account:
            user = UserFactory(username=f"dep_{name}", full_name=name)
            MembershipFactory(user=user, congress=self.w.congress, role=Role.DEPUTY)
        return DeputyFactory(
            congress=self.w.congress, user=user, name=name, in_office_from=start, in_office_to=end
        )

    def unit(self, name: str, parent: Unit | None = None) -> Unit:
        unit = UnitFactory(congress=self.w.congress, parent=parent or self.w.gov, name=name)
        self.staff_of(unit)
        return unit

    def staff_of(self, unit: Unit) -> Staff:
        if unit.pk not in self.staff:
            if unit.pk == self.w.unit_a.pk:
                self.staff[unit.pk] = Staff(self.w.handler_a, self.w.leader_a)
            else:
                handler = self.w.handler_b if unit.pk == self.w.unit_b.pk else None
                if handler is None:
                    handler = UserFactory(username=f"h{unit.pk}", full_name=f"承办人{unit.pk}")
                    MembershipFactory(
                        user=handler, congress=self.w.congress, role=Role.UNIT_HANDLER, unit=unit
                    )
                leader = UserFactory(username=f"l{unit.pk}", full_name=f"负责人{unit.pk}")
                MembershipFactory(user=leader, congress=self.w.congress, role=Role.UNIT_LEADER, unit=unit)
                self.staff[unit.pk] = Staff(handler, leader)
        return self.staff[unit.pk]

    # drafting and review ------------------------------------------------------------------------
    def draft(
        self,
        day: datetime.date,
        *,
        lead: Deputy | None = None,
        channel: Channel | None = None,
        category: Category | None = None,
        themes: Sequence[ThemeTag] = (),
        kind: str = "interim",
        title: str = "关于改善老旧小区物业管理的建议",
    ) -> Suggestion:
        lead = lead or self.w.deputy.deputy_records.get()
        content = A.SuggestionContent(
            title=title,
            facts="多个老旧小区没有物业，环境脏乱。",
            proposals="建议由街道牵头引入物业服务。",
            category=category or self.taxa.category,
            theme_tags=list(themes),
            channel=channel or self.taxa.grassroots,
            collected_on=day,
            kind=kind,
        )
        with on(day, 9):
            return A.do_create_suggestion(self.w.congress, actor=lead.user, content=content, lead=lead)

    def invite(self, s: Suggestion, day: datetime.date, deputy: Deputy, *, confirm: bool = True) -> None:
        with on(day, 9, 10):
            invitation = A.do_invite_cosigner(s, actor=s.lead.user, deputy=deputy)
            if confirm:
                A.do_confirm_cosign(invitation, actor=deputy.user)
            else:
                A.do_decline_cosign(invitation, actor=deputy.user)

    def submit(self, s: Suggestion, day: datetime.date) -> Suggestion:
        with on(day, 9, 30):
            return A.do_submit_suggestion(s, actor=s.lead.user)

    def new(self, day: datetime.date, *, accept: bool = True, hour: int = 10, minute: int = 0, **kw: Any):
        """Drafted and submitted on `day`, and accepted at `hour`:`minute` unless `accept` is False."""
        s = self.submit(self.draft(day, **kw), day)
        return self.accept(s, day, hour=hour, minute=minute) if accept else s

    def accept(self, s: Suggestion, day: datetime.date, *, hour: int = 10, minute: int = 0) -> Suggestion:
        with on(day, hour, minute):
            return A.do_accept_suggestion(s, actor=self.w.clerk)

    def decline(self, s: Suggestion, day: datetime.date) -> Suggestion:
        with on(day):
            return A.do_decline_suggestion(
                s, actor=self.w.clerk, reason=self.taxa.exclusion, disposition="returned", note="无具体内容"
            )

    def merge(self, s: Suggestion, into: Suggestion, day: datetime.date) -> Suggestion:
        with on(day):
            return A.do_merge_suggestion(s, actor=self.w.clerk, into=into)

    def withdraw(self, s: Suggestion, day: datetime.date) -> Suggestion:
        with on(day, 11):
            return A.do_withdraw_suggestion(s, actor=s.lead.user, reason="问题已自行解决")

    def forward(self, s: Suggestion, day: datetime.date) -> Suggestion:
        with on(day, 11):
            return A.do_forward_suggestion(s, actor=self.w.clerk, body=self.w.gov)

    # assignment and handling --------------------------------------------------------------------
    def assign(
        self,
        s: Suggestion,
        day: datetime.date,
        lead: Unit | None = None,
        *,
        co: Sequence[Unit] = (),
        split: Sequence[Unit] = (),
    ) -> list[Assignment]:
        with on(day, 11):
            if split:
                return A.do_assign_units(s, actor=self.w.clerk, lead_units=list(split), split=True)
            return A.do_assign_units(
                s, actor=self.w.clerk, lead_units=[lead or self.w.unit_a], co_units=list(co)
            )

    def current(self, s: Suggestion, unit: Unit) -> Assignment:
        s.refresh_from_db()
        return Assignment.objects.exclude(state=AssignmentState.CANCELLED).get(
            suggestion=s, unit=unit, round=s.round
        )

    def sign(self, s: Suggestion, unit: Unit, day: datetime.date) -> None:
        with on(day, 14):
            A.do_sign_assignment(self.current(s, unit), actor=self.staff_of(unit).handler)

    def contact(
        self, s: Suggestion, unit: Unit, day: datetime.date, method: str = "visit", phase: str = "before"
    ) -> Contact:
        with on(day, 15):
            return A.do_log_contact(
                self.current(s, unit),
                actor=self.staff_of(unit).handler,
                phase=phase,
                method=method,
                contacted_on=day,
                people="承办人、代表",
                summary="听取代表意见。",
            )

    def dispute(self, contact: Contact, day: datetime.date) -> None:
        with on(day, 16):
            A.do_dispute_contact(contact, actor=contact.assignment.suggestion.lead.user, note="没有见面")

    def opinion(self, s: Suggestion, unit: Unit, day: datetime.date) -> None:
        with on(day, 15, 30):
            A.do_submit_opinion(
                self.current(s, unit), actor=self.staff_of(unit).handler, opinion="同意主办意见。"
            )

    def reply(
        self,
        s: Suggestion,
        unit: Unit,
        day: datetime.date,
        result: str = "A",
        commitments: Sequence[datetime.date] = (),
    ) -> Reply:
        """Draft and sign off the unit's reply of class `result`, with commitments due on the given
        days (class B and C need at least one: a default one three months ahead is added)."""
        assignment = self.current(s, unit)
        klass = self.taxa.classes[result]
        dues = list(commitments) or (
            [day + datetime.timedelta(days=90)] if klass.requires_commitments else []
        )
        staff = self.staff_of(unit)
        with on(day, 16):
            A.do_draft_reply(
                assignment,
                actor=staff.handler,
                body="经研究，答复如下……",
                result_class=klass,
                commitments=[
                    A.CommitmentInput(text=f"承诺事项{i + 1}", due_on=due) for i, due in enumerate(dues)
                ],
            )
            return A.do_sign_off_reply(assignment, actor=staff.leader)

    def handle(self, s: Suggestion, unit: Unit, day: datetime.date, result: str = "A", **kw: Any) -> Reply:
        """Sign, log a face-to-face contact and reply, all on `day`."""
        self.sign(s, unit, day)
        self.contact(s, unit, day)
        return self.reply(s, unit, day, result, **kw)

    # evaluation and closing ---------------------------------------------------------------------
    def evaluate(
        self, s: Suggestion, day: datetime.date, overall: str = "satisfied", *, unit: Unit | None = None
    ):
        """The lead deputy rates the current round's replies (only `unit`'s if given)."""
        s.refresh_from_db()
        replies = Reply.objects.filter(
            assignment__suggestion=s, assignment__round=s.round, signed_off_at__isnull=False
        ).order_by("id")
        if unit is not None:
            replies = replies.filter(assignment__unit=unit)
        with on(day, 17):
            for reply in replies:
                A.do_evaluate_reply(
                    reply,
                    actor=s.lead.user,
                    attitude="satisfied",
                    result=overall,
                    overall=overall,
                    contact_happened=True,
                    opinion="问题仍未解决" if overall == "unsatisfied" else "",
                )

    def no_feedback(self, s: Suggestion, day: datetime.date) -> None:
        with on(day, 2):
            A.do_mark_no_feedback(s, actor=None)

    def rehandle(self, s: Suggestion, day: datetime.date) -> None:
        with on(day, 10):
            A.do_order_rehandling(s, actor=self.w.clerk, note="请重新办理并当面答复代表。")

    def close(self, s: Suggestion, day: datetime.date, explanation: str = "") -> Suggestion:
        with on(day, 11):
            return A.do_close_suggestion(s, actor=self.w.clerk, explanation=explanation)

    def fulfil(self, s: Suggestion, day: datetime.date, *, round: int = 1) -> None:
        from minyi.suggestions.models import Commitment

        with on(day, 10):
            for c in Commitment.objects.filter(
                reply__assignment__suggestion=s, reply__assignment__round=round, state="open"
            ).select_related("reply__assignment__unit"):
                A.do_fulfil_commitment(c, actor=self.staff_of(c.reply.assignment.unit).handler, note="已完成")

    def full(
        self,
        day: datetime.date,
        unit: Unit,
        *,
        overall: str = "satisfied",
        result: str = "A",
        late_reply: bool = False,
        **kw: Any,
    ) -> Suggestion:
        """A whole loop for one lead unit, accepted and assigned on `day`: handled within the week
        (or 40 days late), rated `overall` and closed."""
        s = self.new(day, **kw)
        self.assign(s, day, unit)
        reply_day = day + datetime.timedelta(days=75 if late_reply else 3)
        self.handle(s, unit, reply_day, result)
        self.evaluate(s, reply_day + datetime.timedelta(days=1), overall)
        self.close(s, reply_day + datetime.timedelta(days=2), "已说明" if overall == "unsatisfied" else "")
        s.refresh_from_db()
        return s


@pytest.fixture
def build(world) -> Builder:
    return Builder(world, make_taxa(world.congress))


def lead_of(s: Suggestion) -> Assignment:
    return s.assignments.get(role=AssignmentRole.LEAD, round=1)
