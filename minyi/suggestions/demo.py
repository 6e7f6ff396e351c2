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
from dataclasses import dataclass, field
from typing import Any

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

from . import actions as A
from .models import Assignment, AssignmentRole, Reply, Suggestion
from .states import AssignmentState

#: (案由, 情况与问题, 具体建议) — everyday local concerns.
TOPICS = [
    (
        "关于加快老旧小区加装电梯的建议",
        "辖区多个老旧小区居民以老年人为主，上下楼困难。",
        "简化审批流程，加大财政补贴，推动老旧小区加装电梯。",
    ),
    (
        "关于规范小区物业服务收费的建议",
        "部分小区物业服务质量与收费不匹配，业主意见较大。",
        "建立物业服务质量评价机制，公开收费明细。",
    ),
    (
        "关于增设社区老年食堂的建议",
        "部分社区老年人就餐难，现有助餐点覆盖不足。",
        "在人口密集社区增设老年食堂，给予运营补贴。",
    ),
    (
        "关于缓解学校周边上下学交通拥堵的建议",
        "城关小学周边上下学时段车辆拥堵严重。",
        "设置临时停车区和护学岗，错峰放学。",
    ),
    (
        "关于加强农村生活垃圾分类处理的建议",
        "部分村庄垃圾收运不及时，分类设施不足。",
        "完善村级分类设施，建立定时收运制度。",
    ),
    ("关于整治滨河沿线环境的建议", "滨河沿线存在乱堆乱放和污水直排现象。", "开展专项整治，完善截污管网。"),
    (
        "关于增加公共充电桩的建议",
        "新能源汽车增多，小区和公共停车场充电桩不足。",
        "统筹规划公共充电设施，支持小区建设共享充电桩。",
    ),
    (
        "关于提升基层卫生院服务能力的建议",
        "乡镇卫生院专业人才缺乏，群众看病仍需进城。",
        "加强医共体建设，推动专家下沉坐诊。",
    ),
    (
        "关于解决老旧小区停车难的建议",
        "老旧小区车位严重不足，占道停车现象普遍。",
        "挖潜周边空地建设停车场，推行错时共享停车。",
    ),
    (
        "关于扩大学前教育普惠资源的建议",
        "新建小区配套幼儿园不足，入园难问题突出。",
        "落实配套幼儿园建设，增加普惠性学位。",
    ),
    (
        "关于完善乡村道路安全设施的建议",
        "部分乡村道路急弯陡坡缺少警示标志和护栏。",
        "开展隐患排查，补齐安全防护设施。",
    ),
    (
        "关于加强食品小作坊监管的建议",
        "城乡结合部食品小作坊卫生条件参差不齐。",
        "建立登记备案和日常巡查制度，引导规范经营。",
    ),
    (
        "关于推进河道长效管护的建议",
        "部分河道保洁不到位，汛期排涝压力大。",
        "落实河长制，建立常态化保洁和清淤机制。",
    ),
    (
        "关于优化营商环境便利企业办事的建议",
        "企业反映部分审批事项材料多、时间长。",
        "推行一网通办，压缩审批时限。",
    ),
    (
        "关于建设社区嵌入式托育点的建议",
        "双职工家庭三岁以下婴幼儿照护需求大。",
        "依托社区用房建设普惠托育点。",
    ),
    ("关于改善农贸市场环境的建议", "部分农贸市场地面湿滑、排水不畅。", "实施农贸市场提档升级改造。"),
]


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
        self.topic_index = 0
        self.made: list[Suggestion] = []

    # --- the cast ---------------------------------------------------------------------------------

    def deputy(self, *, exclude: tuple[User, ...] = ()) -> tuple[User, Deputy]:
        return self.rng.choice([pair for pair in self.cast.deputies if pair[0] not in exclude])

    def units(self, n: int) -> list[_Unit]:
        return self.rng.sample(self.cast.units, n)

    def content(self) -> A.SuggestionContent:
        title, facts, proposals = TOPICS[self.topic_index % len(TOPICS)]
        self.topic_index += 1
        cast = self.cast
        return A.SuggestionContent(
            title=title,
            facts=facts,
            proposals=proposals,
            category=self.rng.choice(cast.categories),
            theme_tags=self.rng.sample(cast.themes, min(2, len(cast.themes))),
            channel=self.rng.choice(cast.channels),
            collected_on=self.today - datetime.timedelta(days=self.rng.randint(1, 20)),
        )

    # --- stages ---------------------------------------------------------------------------------

    def draft(self, *, by_liaison: bool = False, cosigners: int = 0, confirm: bool = True) -> Suggestion:
        user, deputy = self.deputy()
        if by_liaison and self.cast.liaison is not None:
            s = A.do_create_suggestion(
                self.congress, actor=self.cast.liaison, lead=deputy, content=self.content()
            )
        else:
            s = A.do_create_suggestion(self.congress, actor=user, content=self.content())
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
        s = self.forwarded(**kw)
        if split:
            picked = self.units(2)
            A.do_assign_units(s, actor=self.cast.coordinator, lead_units=[u.unit for u in picked], split=True)
        else:
            picked = self.units(2 if co else 1)
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
        return A.do_draft_reply(
            a,
            actor=self._who(a).handler,
            body="经认真研究，现将办理情况答复如下：……感谢您对我们工作的关心和支持。",
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
        A.do_request_reassignment(lead, actor=self._who(lead).handler, reason="该事项主要属其他部门职责。")
        relieved = self.work(self.assigned(), upto="signed")
        lead = self._assignments(relieved, AssignmentRole.LEAD)[0]
        A.do_request_reassignment(lead, actor=self._who(lead).handler, reason="不属本单位职责。")
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
