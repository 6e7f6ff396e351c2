"""Helpers that drive a suggestion to a given state through the real actions, so audit rows,
deadlines and timestamps always agree with the state.

`loop` is the `world` of tests/conftest.py plus the congress's taxonomies (factories: initial rows
only), a leader for unit B, and a `Driver` with one method per stage::

    s = loop.drive.to("replied")                      # lead unit A, contact logged, reply class A
    s = loop.drive.to("assigned", co=True)            # lead unit A + co-unit B
    s = loop.drive.to("assigned", split=True)         # split between units A and B
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.congress.models import Category, Channel, ExclusionReason, ResultClass, ThemeTag
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, AssignmentRole, Deadline, Reply, Suggestion
from minyi.suggestions.states import AssignmentState
from tests.audit.support import domain_event_count
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory


@dataclass
class Taxa:
    category: Category
    theme: ThemeTag
    channel: Channel
    result_a: ResultClass
    result_b: ResultClass
    exclusion: ExclusionReason


def make_taxa(congress) -> Taxa:
    return Taxa(
        category=Category.objects.create(congress=congress, name="城乡建设"),
        theme=ThemeTag.objects.create(congress=congress, name="物业管理"),
        channel=Channel.objects.create(congress=congress, name="联络站接待选民", grassroots=True),
        result_a=ResultClass.objects.create(
            congress=congress, code="A", name="已解决或基本解决", counts_as_resolved=True
        ),
        result_b=ResultClass.objects.create(
            congress=congress, code="B", name="正在解决或列入计划解决", requires_commitments=True
        ),
        exclusion=ExclusionReason.objects.create(congress=congress, name="没有具体内容"),
    )


def content(taxa: Taxa, **overrides: Any) -> A.SuggestionContent:
    values: dict[str, Any] = {
        "title": "关于加强老旧小区物业管理的建议",
        "facts": "多个老旧小区没有物业，环境脏乱。",
        "proposals": "建议由街道牵头引入物业服务。",
        "category": taxa.category,
        "theme_tags": [taxa.theme],
        "channel": taxa.channel,
        "collected_on": timezone.localdate() - datetime.timedelta(days=3),
    }
    values.update(overrides)
    return A.SuggestionContent(**values)


class Driver:
    """Moves a fresh suggestion through the real actions up to a named stage."""

    STAGES = [
        "draft",
        "submitted",
        "accepted",
        "forwarded",
        "assigned",
        "signed",
        "contacted",
        "reply_drafted",
        "replied",
        "evaluated",
        "closed",
    ]

    def __init__(self, world: World, taxa: Taxa, leader_b) -> None:
        self.w, self.taxa, self.leader_b = world, taxa, leader_b

    def leader_for(self, assignment: Assignment):
        return self.w.leader_a if assignment.unit_id == self.w.unit_a.pk else self.leader_b

    def handler_for(self, assignment: Assignment):
        return self.w.handler_a if assignment.unit_id == self.w.unit_a.pk else self.w.handler_b

    def answering(self, s: Suggestion) -> list[Assignment]:
        return list(
            s.assignments.filter(round=s.round, role__in=[AssignmentRole.LEAD, AssignmentRole.SPLIT])
            .exclude(state=AssignmentState.CANCELLED)
            .order_by("id")
        )

    def co(self, s: Suggestion) -> list[Assignment]:
        return list(
            s.assignments.filter(round=s.round, role=AssignmentRole.CO).exclude(
                state=AssignmentState.CANCELLED
            )
        )

    def to(
        self,
        stage: str,
        *,
        cosign: bool = False,
        co: bool = False,
        split: bool = False,
        direct: bool = False,
        result: str = "A",
        overall: str = "satisfied",
        **content_overrides: Any,
    ) -> Suggestion:
        """A new suggestion at `stage`. `cosign`: with a confirmed co-signer; `co`: lead A + co-unit
        B; `split`: split between A and B; `direct`: the clerk assigns without forwarding;
        `result`: the reply class; `overall`: the evaluation."""
        w = self.w
        target = self.STAGES.index(stage)
        s = A.do_create_suggestion(
            w.congress, actor=w.deputy, content=content(self.taxa, **content_overrides)
        )
        if cosign:
            invitation = A.do_invite_cosigner(s, actor=w.deputy, deputy=w.cosigner.deputy_records.get())
            A.do_confirm_cosign(invitation, actor=w.cosigner)
        if target < 1:
            return s
        s = A.do_submit_suggestion(s, actor=w.deputy)
        if target < 2:
            return s
        s = A.do_accept_suggestion(s, actor=w.clerk)
        if target < 3:
            return s
        if not direct:
            s = A.do_forward_suggestion(s, actor=w.clerk, body=w.gov)
        if target < 4:
            return s
        dispatcher = w.clerk if direct else w.coordinator
        if split:
            A.do_assign_units(s, actor=dispatcher, lead_units=[w.unit_a, w.unit_b], split=True)
        else:
            A.do_assign_units(s, actor=dispatcher, lead_units=[w.unit_a], co_units=[w.unit_b] if co else [])
        s.refresh_from_db()
        if target < 5:
            return s
        self.work(s, upto=stage, result=result)
        s.refresh_from_db()
        if target < 9:
            return s
        self.evaluate(s, overall=overall)
        s.refresh_from_db()
        if target < 10:
            return s
        return A.do_close_suggestion(
            s, actor=w.clerk, explanation="已办结" if overall == "unsatisfied" else ""
        )

    def work(self, s: Suggestion, *, upto: str = "replied", result: str = "A") -> None:
        """Every unit of the current round signs; co-units send opinions; answering units log a
        contact, draft a reply of class `result` and (at "replied") have it signed off."""
        target = self.STAGES.index(upto)
        s = Suggestion.objects.get(pk=s.pk)
        for a in [*self.answering(s), *self.co(s)]:
            if a.state == AssignmentState.ASSIGNED:
                A.do_sign_assignment(a, actor=self.handler_for(a))
        if target < 6:
            return
        for a in self.co(s):
            A.do_submit_opinion(
                a, actor=self.handler_for(a), opinion="同意主办单位意见，将配合做好相关工作。"
            )
        for a in self.answering(s):
            A.do_log_contact(
                a,
                actor=self.handler_for(a),
                phase="before",
                method="visit",
                contacted_on=timezone.localdate(),
                people="承办人、代表",
                summary="上门听取代表意见。",
            )
        if target < 7:
            return
        for a in self.answering(s):
            self.draft_reply(a, result=result)
        if target < 8:
            return
        for a in self.answering(s):
            A.do_sign_off_reply(a, actor=self.leader_for(a))

    def draft_reply(self, a: Assignment, *, result: str = "A") -> Reply:
        result_class = self.taxa.result_a if result == "A" else self.taxa.result_b
        commitments = []
        if result_class.requires_commitments:
            commitments = [
                A.CommitmentInput(
                    text="年内完成改造", due_on=timezone.localdate() + datetime.timedelta(days=90)
                )
            ]
        return A.do_draft_reply(
            a,
            actor=self.handler_for(a),
            body="经研究，答复如下……",
            result_class=result_class,
            commitments=commitments,
        )

    def evaluate(self, s: Suggestion, *, overall: str = "satisfied") -> None:
        s = Suggestion.objects.get(pk=s.pk)
        for reply in Reply.objects.filter(assignment__suggestion=s, assignment__round=s.round).order_by("id"):
            A.do_evaluate_reply(
                reply,
                actor=self.w.deputy,
                attitude="satisfied",
                result=overall,
                overall=overall,
                contact_happened=True,
                opinion="仍未解决" if overall == "unsatisfied" else "",
            )


@dataclass
class Loop:
    w: World
    taxa: Taxa
    leader_b: Any
    drive: Driver


@pytest.fixture
def loop(world) -> Loop:
    taxa = make_taxa(world.congress)
    leader_b = UserFactory(username="leader_b", full_name="leader_b")
    MembershipFactory(user=leader_b, congress=world.congress, role=Role.UNIT_LEADER, unit=world.unit_b)
    return Loop(w=world, taxa=taxa, leader_b=leader_b, drive=Driver(world, taxa, leader_b))


def codes(suggestion: Suggestion | int) -> list[str]:
    """The audit codes of a suggestion (or of the suggestion with that id), in order."""
    pk = suggestion if isinstance(suggestion, int) else suggestion.pk
    return list(AuditEvent.objects.filter(suggestion_id=pk).order_by("seq").values_list("code", flat=True))


def lead_and_co_round(*, confirmed: bool = False, sent_back: bool = False) -> list[str]:
    """The audit codes of one round with a lead unit and a co-unit, from the two assignments to the
    deputy's evaluation: both units sign, the co-unit gives its opinion, the lead unit logs a contact
    (`confirmed`: the deputy confirms it) and drafts the reply (`sent_back`: the leader sends it back
    once and it is drafted again), the leader signs it off, the deputy evaluates."""
    return [
        "assignment.created",
        "assignment.created",
        "assignment.signed",
        "assignment.signed",
        "assignment.opinion_submitted",
        "contact.logged",
        *(["contact.confirmed"] if confirmed else []),
        "reply.drafted",
        *(["reply.sent_back", "reply.drafted"] if sent_back else []),
        "reply.signed_off",
        "suggestion.replied",
        "evaluation.recorded",
        "suggestion.evaluated",
    ]


def refresh(obj):
    obj.refresh_from_db()
    return obj


@contextmanager
def refused(error: type[Exception], code: str | None = None, match: str | None = None) -> Iterator[Any]:
    """The block raises `error` (with `code`, and a message matching `match`) and writes nothing:
    no audit row, no deadline, no state change anywhere."""
    before = _fingerprint()
    with pytest.raises(error, match=match) as info:
        yield info
    if code is not None:
        assert info.value.code == code, info.value.code
    assert _fingerprint() == before


def _fingerprint() -> tuple:
    return (
        domain_event_count(),
        Deadline.objects.count(),
        Deadline.objects.filter(closed_at__isnull=True).count(),
        tuple(Suggestion.objects.order_by("pk").values_list("pk", "state", "round")),
        tuple(Assignment.objects.order_by("pk").values_list("pk", "state")),
    )


def make_deputy(congress, username: str, **fields: Any):
    """Another deputy with an account (user + DEPUTY membership + roster row)."""
    from tests.factories import DeputyFactory

    user = UserFactory(username=username, full_name=username)
    MembershipFactory(user=user, congress=congress, role=Role.DEPUTY)
    DeputyFactory(congress=congress, user=user, name=username, **fields)
    return user
