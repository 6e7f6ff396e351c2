"""Demo suggestions for the fictional demo congress: at least one suggestion in every state of the
loop (and every kind of pending request), all made through the real `do_*` actions by the
congress's demo accounts, so audit rows, deadlines and work lists are real.

The demo accounts it expects (created by `seed_demo`): ``clerk`` (congress clerk), ``gov`` (the
government's coordinator), ``deputy1``…, ``liaison1``…, and ``unitN`` / ``leaderN`` (handler and
leader of the N-th unit). It uses the congress's own taxonomies (categories, channels, result
classes A–D, exclusion reasons). Idempotency is the caller's job: every call adds a new set.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from minyi.accounts.models import Membership, Role, User
from minyi.congress.models import (
    Category,
    Channel,
    Congress,
    Deputy,
    ExclusionReason,
    ResultClass,
    ThemeTag,
    Unit,
)
from minyi.core import demo_district
from minyi.core.demo_district import Topic

from . import actions as A
from .models import Assignment, AssignmentRole, Reply, Suggestion
from .states import AssignmentState


def fresh_title(congress: Congress, topic: Topic, year: int) -> str:
    """The topic's title (or one of the other titles deputies give the same matter) used least so far
    among the congress's suggestions of `year` and its drafts — so a year's list does not repeat one."""
    titles = demo_district.titles_of(topic)
    used = Counter(
        Suggestion.objects.filter(congress=congress, title__in=titles)
        .filter(Q(accepted_at__isnull=True) | Q(accepted_at__year=year))
        .values_list("title", flat=True)
    )
    return min(titles, key=lambda t: used[t])


@dataclass
class _Unit:
    unit: Unit
    handler: User
    leader: User | None


@dataclass
class _Cast:
    clerk: User
    coordinator: User
    body: Unit
    deputies: list[tuple[User, Deputy]]
    liaison: User | None
    units: list[_Unit]
    categories: list[Category]
    themes: list[ThemeTag]
    channels: list[Channel]
    results: dict[str, ResultClass]
    exclusions: list[ExclusionReason]
    used: set[int] = field(default_factory=set)


def _user(congress: Congress, username: str) -> User:
    user = User.objects.filter(username=username, memberships__congress=congress).distinct().first()
    if user is None:
        raise RuntimeError(f"the demo account {username!r} of {congress.code} is missing")
    return user


def _load(congress: Congress) -> _Cast:
    coordinator = _user(congress, "gov")
    body = Membership.objects.get(user=coordinator, congress=congress, role=Role.COORDINATOR).unit
    if body is None:
        raise RuntimeError(f"the demo coordinator of {congress.code} has no body")
    deputies: list[tuple[User, Deputy]] = []
    for deputy in Deputy.objects.filter(
        congress=congress, user__username__startswith="deputy"
    ).select_related("user"):
        user = deputy.user
        if user and user.username[len("deputy") :].isdigit() and deputy.in_office_on(timezone.localdate()):
            deputies.append((user, deputy))
    deputies.sort(key=lambda pair: int(pair[0].username[len("deputy") :]))
    if len(deputies) < 6:
        raise RuntimeError(f"{congress.code} needs at least 6 demo deputies (deputy1…) in office")
    handlers = {
        m.unit_id: m.user
        for m in Membership.objects.filter(
            congress=congress, role=Role.UNIT_HANDLER, user__username__startswith="unit"
        )
        .select_related("user")
        .order_by("user__username")
    }
    leaders = {
        m.unit_id: m.user
        for m in Membership.objects.filter(
            congress=congress, role=Role.UNIT_LEADER, user__username__startswith="leader"
        ).select_related("user")
    }
    units = [
        _Unit(unit, handlers[unit.pk], leaders.get(unit.pk))
        for unit in Unit.objects.filter(congress=congress, body=body, active=True).exclude(pk=body.pk)
        if unit.pk in handlers
    ]
    units = [u for u in units if u.leader is not None]
    if len(units) < 3:
        raise RuntimeError(f"{congress.code} needs at least 3 government units with unitN/leaderN accounts")
    results = {r.code: r for r in ResultClass.objects.filter(congress=congress, active=True)}
    cast = _Cast(
        clerk=_user(congress, "clerk"),
        coordinator=coordinator,
        body=body,
        deputies=deputies,
        liaison=User.objects.filter(username="liaison1", memberships__congress=congress).first(),
        units=units,
        categories=list(Category.objects.filter(congress=congress, active=True)),
        themes=list(ThemeTag.objects.filter(congress=congress, active=True)),
        channels=list(Channel.objects.filter(congress=congress, active=True)),
        results=results,
        exclusions=list(ExclusionReason.objects.filter(congress=congress, active=True)),
    )
    if not (cast.categories and cast.channels and cast.exclusions and "A" in results and "B" in results):
        raise RuntimeError(
            f"{congress.code} needs its taxonomies (categories, channels, result classes A/B…)"
        )
    return cast


class _Builder:
    def __init__(self, congress: Congress, cast: _Cast, rng: random.Random) -> None:
        self.congress, self.cast, self.rng = congress, cast, rng
        self.today = timezone.localdate()
        self.topics = list(demo_district.TOPICS)
        rng.shuffle(self.topics)
        self.topic_index = 0
        self.topic_of: dict[int, Topic] = {}
        self.made: list[Suggestion] = []
        # the demo district's units by short name (a stand-in congress has none of them)
        self.by_short = {u.unit.short_name or u.unit.name: u for u in cast.units}

    # --- the cast ---------------------------------------------------------------------------------

    def deputy(self, *, exclude: tuple[User, ...] = ()) -> tuple[User, Deputy]:
        return self.rng.choice([pair for pair in self.cast.deputies if pair[0] not in exclude])

    def units(self, n: int) -> list[_Unit]:
        return self.rng.sample(self.cast.units, n)

    def next_topic(self, *, with_co: bool = False, split: bool = False) -> Topic:
        """The next topic of the district's table (one with co-units when asked; for a split, one
        whose co-unit may also lead the matter, as each split unit answers its part)."""

        def fits(topic: Topic) -> bool:
            co = [c for c in topic.co if c in self.by_short]
            if topic.lead not in self.by_short or not (with_co or split):
                return True
            return bool(co) and (not split or demo_district.allowed(co[0], topic.category))

        for _ in range(len(self.topics)):
            topic = self.topics[self.topic_index % len(self.topics)]
            self.topic_index += 1
            if fits(topic):
                return topic
        return topic

    def content(self, topic: Topic) -> A.SuggestionContent:
        cast = self.cast
        category = next((c for c in cast.categories if c.name == topic.category), None)
        tags = [t for t in cast.themes if t.name == topic.theme]
        return A.SuggestionContent(
            title=fresh_title(self.congress, topic, self.today.year),
            facts=topic.facts,
            proposals=topic.proposals,
            category=category or self.rng.choice(cast.categories),
            theme_tags=tags,
            channel=self.rng.choice(cast.channels),
            collected_on=self.today - datetime.timedelta(days=self.rng.randint(1, 20)),
        )

    def units_for(self, s: Suggestion, n: int) -> list[_Unit]:
        """The topic's lead unit and co-units (n in all) — random ones for a stand-in congress."""
        topic = self.topic_of.get(s.pk)
        if topic is None or topic.lead not in self.by_short:
            return self.units(n)
        picked = [self.by_short[topic.lead]]
        picked += [
            self.by_short[c] for c in topic.co if c in self.by_short and self.by_short[c] not in picked
        ]
        return picked[:n]

    # --- stages ---------------------------------------------------------------------------------

    def draft(
        self,
        *,
        by_liaison: bool = False,
        cosigners: int = 0,
        confirm: bool = True,
        with_co: bool = False,
        split: bool = False,
    ) -> Suggestion:
        user, deputy = self.deputy()
        topic = self.next_topic(with_co=with_co, split=split)
        if by_liaison and self.cast.liaison is not None:
            s = A.do_create_suggestion(
                self.congress, actor=self.cast.liaison, lead=deputy, content=self.content(topic)
            )
        else:
            s = A.do_create_suggestion(self.congress, actor=user, content=self.content(topic))
        self.topic_of[s.pk] = topic
        taken: tuple[User, ...] = (user,)
        for _ in range(cosigners):
            co_user, co_deputy = self.deputy(exclude=taken)
            taken += (co_user,)
            invitation = A.do_invite_cosigner(s, actor=user, deputy=co_deputy)
            if confirm:
                A.do_confirm_cosign(invitation, actor=co_user)
        self.made.append(s)
        return s

    def lead_user(self, s: Suggestion) -> User:
        user = Deputy.objects.select_related("user").get(pk=s.lead_id).user
        assert user is not None  # demo deputies have accounts
        return user

    def submitted(self, **kw: Any) -> Suggestion:
        s = self.draft(**kw)
        return A.do_submit_suggestion(s, actor=self.lead_user(s))

    def accepted(self, **kw: Any) -> Suggestion:
        return A.do_accept_suggestion(self.submitted(**kw), actor=self.cast.clerk)

    def forwarded(self, **kw: Any) -> Suggestion:
        return A.do_forward_suggestion(self.accepted(**kw), actor=self.cast.clerk, body=self.cast.body)

    def assigned(self, *, co: bool = False, split: bool = False, **kw: Any) -> Suggestion:
        s = self.forwarded(with_co=co, split=split, **kw)
        if split:
            picked = self.units_for(s, 2)
            A.do_assign_units(s, actor=self.cast.coordinator, lead_units=[u.unit for u in picked], split=True)
        else:
            picked = self.units_for(s, 2 if co else 1)
            A.do_assign_units(
                s,
                actor=self.cast.coordinator,
                lead_units=[picked[0].unit],
                co_units=[u.unit for u in picked[1:]],
                note="请按时办理并与代表充分沟通。",
            )
        return Suggestion.objects.get(pk=s.pk)

    def _who(self, a: Assignment) -> _Unit:
        return next(u for u in self.cast.units if u.unit.pk == a.unit_id)

    def _assignments(self, s: Suggestion, *roles: str) -> list[Assignment]:
        return list(
            Assignment.objects.filter(suggestion=s, round=s.round, role__in=roles)
            .exclude(state=AssignmentState.CANCELLED)
            .order_by("id")
        )

    def work(self, s: Suggestion, *, upto: str, result: str = "A") -> Suggestion:
        """upto: signed | contacted | drafted | replied."""
        s = Suggestion.objects.get(pk=s.pk)
        answering = self._assignments(s, AssignmentRole.LEAD, AssignmentRole.SPLIT)
        co = self._assignments(s, AssignmentRole.CO)
        for a in answering + co:
            if a.state == AssignmentState.ASSIGNED:
                A.do_sign_assignment(a, actor=self._who(a).handler)
        if upto == "signed":
            return s
        for a in co:
            A.do_submit_opinion(a, actor=self._who(a).handler, opinion="我单位同意主办单位意见，将积极配合。")
        for a in answering:
            A.do_log_contact(
                a,
                actor=self._who(a).handler,
                phase="before",
                method=self.rng.choice(["visit", "meeting", "phone", "site"]),
                contacted_on=self.today,
                people="分管负责人、承办人、领衔代表",
                summary="当面听取代表意见，介绍办理思路。",
            )
        if upto == "contacted":
            return s
        for a in answering:
            self.draft_reply(a, result=result)
        if upto == "drafted":
            return s
        for a in answering:
            A.do_sign_off_reply(a, actor=self._who(a).leader)
        return Suggestion.objects.get(pk=s.pk)

    def draft_reply(self, a: Assignment, *, result: str) -> Reply:
        result_class = self.cast.results.get(result) or self.cast.results["A"]
        commitments = []
        if result_class.requires_commitments:
            commitments = [
                A.CommitmentInput(
                    text="列入年度工作计划，年底前完成",
                    due_on=self.today + datetime.timedelta(days=self.rng.randint(60, 200)),
                )
            ]
        topic = self.topic_of.get(a.suggestion_id)
        return A.do_draft_reply(
            a,
            actor=self._who(a).handler,
            body=topic.answer if topic else "经认真研究，已制定办理方案并组织实施，问题已基本解决。",
            result_class=result_class,
            commitments=commitments,
        )

    def evaluate(self, s: Suggestion, *, overall: str) -> Suggestion:
        s = Suggestion.objects.get(pk=s.pk)
        lead = self.lead_user(s)
        for reply in Reply.objects.filter(
            assignment__suggestion=s, assignment__round=s.round, signed_off_at__isnull=False
        ):
            A.do_evaluate_reply(
                reply,
                actor=lead,
                attitude="satisfied",
                result=overall,
                overall=overall,
                contact_happened=True,
                opinion="问题仍未解决，希望进一步推进。" if overall == "unsatisfied" else "",
            )
        return Suggestion.objects.get(pk=s.pk)

    # --- the set ----------------------------------------------------------------------------------

    def run(self) -> list[Suggestion]:
        cast = self.cast
        self.draft()
        self.draft(by_liaison=True)
        self.draft(cosigners=2, confirm=False)  # invitations waiting for answers
        self.submitted(cosigners=1)
        returned = self.submitted()
        A.do_return_suggestion(returned, actor=cast.clerk, reason="请补充问题涉及的具体小区和人数。")
        declined = self.submitted()
        A.do_decline_suggestion(
            declined,
            actor=cast.clerk,
            reason=cast.exclusions[0],
            disposition="deputy_letter",
            note="属个人诉求，转代表来信办理。",
        )
        main = self.accepted()
        duplicate = self.submitted()
        A.do_merge_suggestion(duplicate, actor=cast.clerk, into=main, note="与主建议内容相近，并案办理。")
        withdrawn = self.submitted()
        A.do_withdraw_suggestion(withdrawn, actor=self.lead_user(withdrawn), reason="问题已由街道解决。")
        joint = self.accepted(cosigners=1)
        A.do_request_withdrawal(joint, actor=self.lead_user(joint), reason="有关部门已着手解决。")
        self.forwarded()

        self.assigned(co=True)  # waiting to be signed for
        self.work(self.assigned(), upto="contacted")  # handling
        asking = self.work(self.assigned(), upto="signed")
        lead = self._assignments(asking, AssignmentRole.LEAD)[0]
        A.do_request_reassignment(
            lead,
            actor=self._who(lead).handler,
            reason="该事项主要涉及属地管理，建议调整由所在镇（街道）主办、我局协办。",
        )
        relieved = self.work(self.assigned(), upto="signed")
        lead = self._assignments(relieved, AssignmentRole.LEAD)[0]
        A.do_request_reassignment(
            lead,
            actor=self._who(lead).handler,
            reason="该事项的资金安排属区财政统筹，建议增加区财政局为主办单位。",
        )
        A.do_approve_reassignment(lead, actor=cast.coordinator, note="同意调整，另行交办。")  # → reassigning
        self.work(self.assigned(co=True), upto="drafted")  # awaiting the leader's sign-off
        extending = self.work(self.assigned(), upto="contacted")
        lead = self._assignments(extending, AssignmentRole.LEAD)[0]
        A.do_request_extension(
            lead,
            actor=self._who(lead).handler,
            reason="涉及多个部门协调，需要更多时间。",
            until=(lead.reply_due_on or self.today) + datetime.timedelta(days=30),
        )

        self.work(self.assigned(cosigners=1), upto="replied")  # awaiting evaluation
        self.work(self.assigned(split=True), upto="replied", result="B")
        self.evaluate(self.work(self.assigned(), upto="replied"), overall="satisfied")  # to close
        self.evaluate(
            self.work(self.assigned(), upto="replied", result="C"), overall="unsatisfied"
        )  # to decide

        rehandled = self.evaluate(self.work(self.assigned(co=True), upto="replied"), overall="unsatisfied")
        A.do_order_rehandling(rehandled, actor=cast.clerk, note="请进一步研究，拿出切实可行的解决方案。")

        closed = self.evaluate(self.work(self.assigned(), upto="replied", result="B"), overall="satisfied")
        A.do_close_suggestion(closed, actor=cast.clerk)
        for commitment in Reply.objects.filter(assignment__suggestion=closed).get().commitments.all():
            a = Assignment.objects.get(suggestion=closed)
            A.do_report_commitment_progress(
                commitment, actor=self._who(a).handler, text="已完成方案设计，正在招标。"
            )

        twice = self.evaluate(self.work(self.assigned(), upto="replied"), overall="unsatisfied")
        A.do_order_rehandling(twice, actor=cast.clerk, note="请重新办理。")
        twice = self.evaluate(self.work(twice, upto="replied", result="C"), overall="unsatisfied")
        A.do_record_coordination_meeting(
            twice,
            actor=cast.clerk,
            held_on=self.today,
            participants="领衔代表、承办单位负责人、代表工委",
            outcome="受财力所限，列入明年计划统筹解决，代表表示理解。",
        )
        A.do_close_suggestion(twice, actor=cast.clerk, explanation="经协调会研究，列入明年计划，予以办结。")
        return [Suggestion.objects.get(pk=s.pk) for s in self.made]


def seed_demo_suggestions(congress: Congress, rng: random.Random | None = None) -> list[Suggestion]:
    """Create one demo set of suggestions (about 30) covering every state of the loop, through the
    actions, using the congress's demo accounts. Returns them."""
    return _Builder(congress, _load(congress), rng or random.Random(2026)).run()
