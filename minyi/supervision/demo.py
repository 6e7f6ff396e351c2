"""Demo data for 网上督办, so that the board is alive the day the demo is seeded: suggestions whose
steps are overdue (red) and nearly due (yellow) as of today, pending extension and re-assignment
requests, the district's ten key themes (`core.demo_district.THEME_PLANS`) with their leaders and
supervision records, a task force with an inspection, and a leader's
instruction under special supervision.

Everything goes through the real actions. Suggestions that must be old are made *in the past*: the
clock is moved back with `time_machine` while the actions run, so their audit rows, deadlines and
timestamps agree with each other exactly as if the people had worked on those days.

It needs the congress's demo accounts (see `seed_demo`): an admin, a clerk, a supervisor, an
inspector, the government's coordinator, deputies with accounts, units of the government with a
handler and a leader, and the taxonomies (categories, channels). Hook it into `seed_demo` after
`seed_demo_suggestions`: ``seed_demo_supervision(congress, rng=random.Random(2026))``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from minyi.accounts.models import Membership, Role, User
from minyi.congress.actions import ensure_policy
from minyi.congress.models import Category, Channel, Congress, Deputy, ThemeTag, Unit
from minyi.core import demo_district
from minyi.core.demo_district import Topic
from minyi.core.demo_names import NameGenerator
from minyi.suggestions import actions as A
from minyi.suggestions.demo import fresh_title
from minyi.suggestions.models import Assignment, Suggestion
from minyi.suggestions.states import AssignmentState
from minyi.workdays.services import get_calendar

from . import actions as SA
from .models import KeyTheme
from .warnings import RED, YELLOW, colour_bounds

Date = datetime.date
ONE_DAY = datetime.timedelta(days=1)

#: theme → (lead unit's short name, plan, its topics): the ten key themes of the district
#: (`core.demo_district.THEME_PLANS`), the first three of which get red and yellow items below.
THEMES: dict[str, tuple[str, str, list[Topic]]] = {
    name: (plan.lead, plan.plan, demo_district.topics_of_theme(name))
    for name, plan in demo_district.THEME_PLANS.items()
}
#: (kind, place, findings, requirements) of the record of each theme without one of its own below.
THEME_RECORDS: dict[str, tuple[str, str, str, str]] = {
    "老旧小区改造": ("site_visit", "城关街道人民路小区加装电梯现场",
        "今年加装电梯进度符合计划，但部分楼栋低层住户协调难，燃气管道改造与加装电梯未同步施工。",
        "请区住建局统筹加装电梯与燃气管道改造，避免重复开挖，每季度报送进展。"),
    "学前教育": ("consultation", "区人大常委会第一会议室",
        "新建小区配套幼儿园移交仍有两所滞后，普惠性学位在月湖街道缺口较大。",
        "请区教育局会同区住建局督促配套幼儿园按期移交，一个月内报送月湖街道学位补充方案。"),
    "停车难": ("site_visit", "东城街道和平小区周边",
        "夜间暗访发现机关单位停车场错时开放后利用率不高，居民不知道开放时间和入口。",
        "请区城管局在小区公告栏和地图软件上公布错时开放停车场信息，两周内反馈。"),
    "垃圾分类": ("site_visit", "南山镇青山村、滨河街道滨江小区",
        "农村分类收运体系基本建成，但个别村庄收运车辆周末不收运，小区督导员早晚时段不足。",
        "请区城管局完善农村周末收运安排，优化督导员排班，月底前报送整改情况。"),
    "河道治理": ("site_visit", "滨河沿线、青石镇石桥村村塘",
        "滨河沿线排口整治成效明显，部分村塘清淤后缺少日常保洁，汛前仍有淤积。",
        "请区水利局将村塘保洁纳入村级河长巡查内容，汛前完成重点村塘清淤。"),
    "食品安全": ("consultation", "区市场监管局会议室",
        "校园周边专项整治后“三无”食品明显减少，食品小作坊集中加工区入驻率仍偏低。",
        "请区市场监管局研究入驻扶持措施，年底前提高小作坊集中加工区入驻率。"),
    "营商环境": ("chair_report", "主任会议",
        "区发改委汇报了一网通办、应急转贷和“综合查一次”的推进情况，企业代表座谈中反映的三个问题已有回应。",
        "年底前完成剩余涉企事项一网通办改造，明年一季度向主任会议报告营商环境评价结果。"),
}  # fmt: skip


def leader_of(theme: KeyTheme) -> str:
    """The theme's supervising leader with the title (the supervisor account is a vice-chair)."""
    return theme.supervising_leader_name or f"常委会副主任{theme.leader_display}"


def at(day: Date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@contextmanager
def back_to(day: Date, hour: int = 10) -> Iterator[None]:
    """Run the block as if it were `day` (the actions read the clock)."""
    import time_machine  # a dev dependency: only the demo moves the clock

    with time_machine.travel(at(day, hour), tick=False):
        yield


@dataclass
class _UnitCast:
    unit: Unit
    handler: User
    leader: User | None


@dataclass
class _Cast:
    admin: User
    clerk: User
    supervisor: User | None
    inspector: User | None
    coordinator: User
    body: Unit
    deputies: list[tuple[User, Deputy]]
    units: list[_UnitCast]
    categories: list[Category]
    channels: list[Channel]
    tags: dict[str, ThemeTag]
    viewer: User | None


def _first(congress: Congress, role: str, **where: Any) -> User | None:
    m = (
        Membership.objects.filter(congress=congress, role=role, active=True, user__is_active=True, **where)
        .select_related("user", "unit")
        .order_by("user__username")
        .first()
    )
    return m.user if m else None


def _cast(congress: Congress) -> _Cast:
    admin, clerk = _first(congress, Role.CONGRESS_ADMIN), _first(congress, Role.CONGRESS_CLERK)
    coordinator_m = (
        Membership.objects.filter(
            congress=congress, role=Role.COORDINATOR, active=True, unit__body_code=Unit.BodyCode.GOVERNMENT
        )
        .select_related("user", "unit")
        .order_by("user__username")
        .first()
    )
    if admin is None or clerk is None or coordinator_m is None:
        raise RuntimeError(f"{congress.code} needs an admin, a clerk and the government's coordinator")
    body = coordinator_m.unit
    assert body is not None  # a coordinator's membership always names its body
    today = timezone.localdate()
    deputy_users = set(
        Membership.objects.filter(congress=congress, role=Role.DEPUTY, active=True).values_list(
            "user_id", flat=True
        )
    )
    deputies: list[tuple[User, Deputy]] = []
    for d in (
        Deputy.objects.filter(congress=congress, user__isnull=False).select_related("user").order_by("number")
    ):
        if d.user is not None and d.user_id in deputy_users and d.in_office_on(today):
            deputies.append((d.user, d))
    handlers = {
        m.unit_id: m.user
        for m in Membership.objects.filter(congress=congress, role=Role.UNIT_HANDLER, active=True)
        .select_related("user")
        .order_by("-user__username")
    }
    leaders = {
        m.unit_id: m.user
        for m in Membership.objects.filter(congress=congress, role=Role.UNIT_LEADER, active=True)
        .select_related("user")
        .order_by("-user__username")
    }
    units = [
        _UnitCast(u, handlers[u.pk], leaders.get(u.pk))
        for u in Unit.objects.filter(congress=congress, body=body, active=True)
        .exclude(pk=body.pk)
        .order_by("order", "name")
        if u.pk in handlers
    ]
    categories = list(Category.objects.filter(congress=congress, active=True))
    channels = list(Channel.objects.filter(congress=congress, active=True))
    if len(deputies) < 4 or len(units) < 3 or not categories or not channels:
        raise RuntimeError(
            f"{congress.code} needs deputies with accounts, 3 government units with handlers and taxonomies"
        )
    return _Cast(
        admin=admin,
        clerk=clerk,
        supervisor=_first(congress, Role.SUPERVISOR),
        inspector=_first(congress, Role.INSPECTOR),
        coordinator=coordinator_m.user,
        body=body,
        deputies=deputies,
        units=units,
        categories=categories,
        channels=channels,
        tags={t.name: t for t in ThemeTag.objects.filter(congress=congress, active=True)},
        viewer=_first(congress, Role.VIEWER),
    )


class _Seeder:
    def __init__(self, congress: Congress, cast: _Cast, rng: random.Random) -> None:
        self.congress, self.cast, self.rng = congress, cast, rng
        self.today = timezone.localdate()
        self.calendar = get_calendar()
        self.policy = ensure_policy(congress)
        self.bounds = colour_bounds(today=self.today, calendar=self.calendar, policy=self.policy)
        self.names = NameGenerator(random.Random(rng.random()))

    # --- days --------------------------------------------------------------------------------------

    def workday_before(self, day: Date) -> Date:
        while not self.calendar.is_workday(day):
            day -= ONE_DAY
        return day

    def day_for(self, colour: str, step: str, *, earliest: int, latest: int) -> Date:
        """A working day between `earliest` and `latest` days ago on which starting `step` ("reply":
        the local reply target; "contact": the first contact; "assign": assignment after
        acceptance) makes that step's deadline `colour` today."""
        p, cal = self.policy, self.calendar
        compute = {
            "reply": lambda day: cal.add_months(day, p.reply_months),
            "contact": lambda day: cal.add_working_days(day, p.first_contact_days),
            "assign": lambda day: cal.add_working_days(day, p.assign_days),
        }[step]
        days = [self.today - datetime.timedelta(days=back) for back in range(earliest, latest + 1)]
        # People work on working days; only when the holidays leave no such day (e.g. a month
        # after the Spring Festival) does the demo start a step on a rest day.
        for day in [d for d in days if cal.is_workday(d)] + [d for d in days if not cal.is_workday(d)]:
            if self.bounds.colour_of(compute(day)) == colour:
                return day
        return self.workday_before(self.today - datetime.timedelta(days=latest))

    # --- suggestions -------------------------------------------------------------------------------

    def unit_for(self, short_name: str) -> _UnitCast:
        """The unit of that short name (the demo district's), else one at random (a stand-in)."""
        for u in self.cast.units:
            if short_name and short_name == (u.unit.short_name or u.unit.name):
                return u
        return self.rng.choice(self.cast.units)

    def suggestion(self, day: Date, topic: Topic, theme: str, *, forward_only: bool = False) -> Suggestion:
        """Drafted, submitted, accepted and forwarded on `day`; assigned that day unless `forward_only`."""
        user, _deputy = self.rng.choice(self.cast.deputies)
        tag = self.cast.tags.get(theme)
        category = next((c for c in self.cast.categories if c.name == topic.category), None)
        content = A.SuggestionContent(
            title=fresh_title(self.congress, topic, self.today.year),
            facts=topic.facts,
            proposals=topic.proposals,
            category=category or self.rng.choice(self.cast.categories),
            theme_tags=[tag] if tag else [],
            channel=self.rng.choice(self.cast.channels),
            collected_on=day - datetime.timedelta(days=self.rng.randint(2, 10)),
        )
        with back_to(day, 9):
            s = A.do_create_suggestion(self.congress, actor=user, content=content)
            s = A.do_submit_suggestion(s, actor=user)
        with back_to(day, 11):
            s = A.do_accept_suggestion(s, actor=self.cast.clerk)
            s = A.do_forward_suggestion(s, actor=self.cast.clerk, body=self.cast.body)
        if not forward_only:
            with back_to(day, 15):
                A.do_assign_units(s, actor=self.cast.coordinator, lead_units=[self.unit_for(topic.lead).unit])
        return Suggestion.objects.get(pk=s.pk)

    def lead(self, s: Suggestion) -> Assignment:
        return (
            s.assignments.filter(role="lead")
            .exclude(state=AssignmentState.CANCELLED)
            .select_related("unit")
            .get()
        )

    def handler(self, a: Assignment) -> User:
        return next(u.handler for u in self.cast.units if u.unit.pk == a.unit_id)

    def sign(self, s: Suggestion, day: Date) -> Assignment:
        a = self.lead(s)
        with back_to(day, 9):
            A.do_sign_assignment(a, actor=self.handler(a))
        return self.lead(s)

    def contact(self, s: Suggestion, day: Date) -> None:
        a = self.lead(s)
        with back_to(day, 16):
            A.do_log_contact(
                a,
                actor=self.handler(a),
                phase="before",
                method="visit",
                contacted_on=day,
                people=f"{a.unit.short_name or a.unit.name}承办人、领衔代表",
                summary="上门听取代表意见，介绍办理思路。",
            )

    # --- the whole set -----------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        today = self.today
        made: dict[str, list[Suggestion]] = {name: [] for name in THEMES}
        red: list[Suggestion] = []
        yellow: list[Suggestion] = []

        def add(theme: str, s: Suggestion, bucket: list | None = None) -> Suggestion:
            made[theme].append(s)
            if bucket is not None:
                bucket.append(s)
            return s

        topics = {name: list(spec[2]) for name, spec in THEMES.items()}
        # Red: the reply (local target) is overdue; one of them never contacted the deputy either.
        day = self.day_for(RED, "reply", earliest=45, latest=75)
        s = add("物业管理", self.suggestion(day, topics["物业管理"].pop(0), "物业管理"), red)
        self.sign(s, day + ONE_DAY)
        day = self.day_for(RED, "reply", earliest=40, latest=70)
        s = add("居家养老", self.suggestion(day, topics["居家养老"].pop(0), "居家养老"), red)
        self.sign(s, day + ONE_DAY)
        self.contact(s, self.workday_before(day + datetime.timedelta(days=6)))
        # Yellow: the reply is due within the warning days.
        day = self.day_for(YELLOW, "reply", earliest=20, latest=45)
        s = add("物业管理", self.suggestion(day, topics["物业管理"].pop(0), "物业管理"), yellow)
        self.sign(s, day + ONE_DAY)
        self.contact(s, self.workday_before(day + datetime.timedelta(days=5)))
        extension_target = s
        # Yellow: the first contact with the deputy is nearly due.
        day = self.day_for(YELLOW, "contact", earliest=5, latest=40)
        s = add("乡村振兴", self.suggestion(day, topics["乡村振兴"].pop(0), "乡村振兴"), yellow)
        self.sign(s, day)
        # Red at the body: forwarded to the government's coordinator but not assigned in time.
        day = self.day_for(RED, "assign", earliest=10, latest=40)
        add("居家养老", self.suggestion(day, topics["居家养老"].pop(0), "居家养老", forward_only=True), red)
        # Green: assigned this week; one unit asks to be relieved of it.
        day = self.workday_before(today - ONE_DAY)
        s = add("乡村振兴", self.suggestion(day, topics["乡村振兴"].pop(0), "乡村振兴"))
        a = self.sign(s, day)
        with back_to(today, 9):
            A.do_request_reassignment(
                a,
                actor=self.handler(a),
                reason="该事项涉及多个部门职责，建议明确由我局主办、相关部门协办并分工负责。",
            )
        day = self.workday_before(today - datetime.timedelta(days=3))
        s = add("物业管理", self.suggestion(day, topics["物业管理"].pop(0), "物业管理"))

        # A pending extension request on the nearly-due reply.
        a = self.lead(extension_target)
        if a.reply_due_on and a.reply_due_on >= today:
            with back_to(today, 9):
                A.do_request_extension(
                    a,
                    actor=self.handler(a),
                    reason="涉及多个部门和资金安排，需要进一步协调。",
                    until=min(
                        (a.reply_due_on or today) + datetime.timedelta(days=30),
                        self.calendar.add_months(a.assigned_on, self.policy.reply_max_months),
                    ),
                )
        themes = self.themes(made)
        self.records(themes)
        self.other_records(themes)
        self.task_force(red[0])
        self.instruction(red[0])
        return {"themes": themes, "red": red, "yellow": yellow, "made": made}

    # --- themes, records, task force, instruction ---------------------------------------------------

    def themes(self, made: dict[str, list[Suggestion]]) -> list[KeyTheme]:
        cast, today = self.cast, self.today
        out = []
        # one chair, four vice-chairs and a secretary-general lead the ten themes' supervision
        people: dict[str, list[str]] = {"常委会主任": self.names.take(1), "常委会副主任": self.names.take(4)}
        people["常委会秘书长"] = self.names.take(1)
        for i, (name, (unit_short, plan, _topics)) in enumerate(THEMES.items()):
            existing = KeyTheme.objects.filter(congress=self.congress, year=today.year, name=name).first()
            if existing is not None:
                continue
            title = demo_district.THEME_PLANS[name].leader_title
            leader = people[title][i % len(people[title])]
            with back_to(
                self.workday_before(today.replace(month=1, day=20) if today.month > 1 else today), 10
            ):
                theme = SA.do_create_theme(
                    self.congress,
                    actor=cast.admin,
                    year=today.year,
                    name=name,
                    supervising_leader=cast.supervisor if name == "物业管理" else None,
                    supervising_leader_name=f"{title}{leader}" if name != "物业管理" else "",
                    lead_unit=self.unit_for(unit_short).unit,
                    plan=plan,
                )
            members = list(made[name])
            tag = cast.tags.get(name)
            if tag is not None:  # accepted suggestions of the demo set carrying the theme's tag
                members += list(
                    Suggestion.objects.filter(
                        congress=self.congress, theme_tags=tag, accepted_at__year=today.year
                    )
                    .filter(
                        ~Q(state__in=["draft", "submitted", "returned", "declined", "merged", "withdrawn"])
                    )
                    .exclude(pk__in=[s.pk for s in members])
                    .order_by("pk")[:6]
                )
            for s in members:
                SA.do_add_theme_suggestion(theme, actor=cast.admin, suggestion=s)
            out.append(theme)
        return out

    def records(self, themes: list[KeyTheme]) -> None:
        cast, today = self.cast, self.today
        recorder = cast.supervisor or cast.clerk
        deputies = [d for _u, d in self.rng.sample(cast.deputies, min(3, len(cast.deputies)))]
        by_name = {t.name: t for t in themes}
        if "物业管理" in by_name:
            theme = by_name["物业管理"]
            held = self.workday_before(today - datetime.timedelta(days=9))
            with back_to(held, 16):
                SA.do_add_supervision_record(
                    theme,
                    actor=recorder,
                    kind="site_visit",
                    held_on=held,
                    place="城关街道人民路小区、东城街道和平小区",
                    participants=f"{leader_of(theme)}、城建环保工委委员、{theme.lead_unit}分管负责人",
                    deputies=deputies,
                    findings="两个小区尚无物业服务，楼道堆物严重；物业收费公示栏内容过期。",
                    requirements="请区住建局在两周内提出老旧小区物业兜底方案，并督促物业企业按季度公示收费。",
                    unit=theme.lead_unit,
                    respond_by=self.calendar.add_working_days(held, 10),
                )
            held = self.workday_before(today - datetime.timedelta(days=20))
            with back_to(held, 15):
                SA.do_add_supervision_record(
                    theme,
                    actor=cast.clerk,
                    kind="phone",
                    held_on=held,
                    participants="代表工委工作人员、区住建局联络员",
                    findings="物业费公示制度草案尚未提交。",
                    requirements="请于本周内报送公示制度草案。",
                    unit=theme.lead_unit,
                    respond_by=self.calendar.add_working_days(held, 5),
                )
        if "居家养老" in by_name:
            theme = by_name["居家养老"]
            held = self.workday_before(today - datetime.timedelta(days=25))
            with back_to(held, 15):
                record = SA.do_add_supervision_record(
                    theme,
                    actor=recorder,
                    kind="consultation",
                    held_on=held,
                    place="区人大常委会第二会议室",
                    participants=f"{leader_of(theme)}、社会建设工委、{theme.lead_unit}、月湖街道办事处",
                    deputies=deputies[:2],
                    findings="助餐点选址难、运营补贴标准低，部分助餐点难以持续运营。",
                    requirements="请区民政局会同财政局研究提高运营补贴，一个月内反馈。",
                    unit=theme.lead_unit,
                    respond_by=self.calendar.add_working_days(held, 15),
                )
            handler = next((u.handler for u in cast.units if u.unit.pk == record.unit_id), cast.clerk)
            with back_to(self.workday_before(today - datetime.timedelta(days=6)), 10):
                SA.do_record_unit_response(
                    record,
                    actor=handler,
                    response="已会同区财政局将助餐点运营补贴由每餐2元提高至3元，并新增4个助餐点选址，年底前投入运营。",
                )
        if "乡村振兴" in by_name:
            theme = by_name["乡村振兴"]
            held = self.workday_before(today - datetime.timedelta(days=3))
            with back_to(held, 10):
                SA.do_add_supervision_record(
                    theme,
                    actor=recorder,
                    kind="chair_report",
                    held_on=held,
                    place="主任会议",
                    participants=f"主任会议组成人员、{theme.lead_unit}主要负责人",
                    findings="区农业农村局汇报了特色农产品品牌建设和村道养护的推进情况，进度总体符合督办方案。",
                    requirements="年底前完成区域公共品牌注册，村道养护资金纳入明年预算。",
                )

    def other_records(self, themes: list[KeyTheme]) -> None:
        """One supervision record for each theme without its own in `records`, some weeks apart."""
        cast, today = self.cast, self.today
        recorder = cast.supervisor or cast.clerk
        deputies = [d for _u, d in self.rng.sample(cast.deputies, min(2, len(cast.deputies)))]
        for n, theme in enumerate(t for t in themes if t.name in THEME_RECORDS):
            kind, place, findings, requirements = THEME_RECORDS[theme.name]
            held = self.workday_before(today - datetime.timedelta(days=12 + 9 * n))
            if held < timezone.localdate(theme.created_at):  # early in the year: not before the theme
                held = self.workday_before(today)
            lead_unit = theme.lead_unit
            with back_to(held, 15):
                SA.do_add_supervision_record(
                    theme,
                    actor=recorder,
                    kind=kind,
                    held_on=held,
                    place=place,
                    participants=f"{leader_of(theme)}、代表工委、{lead_unit}分管负责人",
                    deputies=deputies if kind != "chair_report" else [],
                    findings=findings,
                    requirements=requirements,
                    unit=lead_unit if kind != "chair_report" else None,
                    respond_by=self.calendar.add_working_days(held, 15) if kind != "chair_report" else None,
                )

    def task_force(self, target: Suggestion) -> None:
        cast, today = self.cast, self.today
        members = [cast.deputies[1][0], *([cast.viewer] if cast.viewer else [])]
        added = []
        for user in members:
            SA.do_add_task_force_member(
                self.congress,
                actor=cast.admin,
                user=user,
                note="区人大代表" if user == members[0] else "代表工委",
            )
            added.append(user)
        a = self.lead(target)
        with back_to(self.workday_before(today - ONE_DAY), 15):
            SA.do_record_inspection(
                a,
                actor=added[0],
                kind="surprise",
                inspected_on=self.workday_before(today - ONE_DAY),
                contacted="no",
                reply_real="unclear",
                solved="no",
                findings="承办单位签收后未与领衔代表联系，也未提出办理方案。",
                required_action="三个工作日内与领衔代表见面沟通，并报送办理方案。",
                due_on=self.calendar.add_working_days(today, 3),
                deputy_view="disagrees",
                deputy_opinion="至今没有人联系我，问题仍未解决。",
            )

    def instruction(self, target: Suggestion) -> None:
        cast, today = self.cast, self.today
        recorder = cast.inspector or cast.clerk
        day = self.workday_before(today - datetime.timedelta(days=4))
        with back_to(day, 11):
            instruction = SA.do_record_instruction(
                target,
                actor=recorder,
                leader_name=self.names.next(),
                leader_title="区委副书记",
                instructed_on=day,
                text="群众反映强烈，请区住建局主要负责同志牵头，限期解决；督查考核室跟踪督办。",
                due_on=self.calendar.add_working_days(today, 8),
            )
        if cast.inspector is not None:
            with back_to(self.workday_before(today - ONE_DAY), 16):
                SA.do_add_supervision_record(
                    instruction,
                    actor=cast.inspector,
                    kind="special",
                    held_on=self.workday_before(today - ONE_DAY),
                    participants="区委督查考核室、区住建局分管负责人",
                    findings="承办单位已成立专班，但尚未与代表见面。",
                    requirements="两个工作日内与代表见面，并书面报告落实情况。",
                    unit=self.lead(target).unit,
                    respond_by=self.calendar.add_working_days(today, 2),
                )


def seed_demo_supervision(congress: Congress, *, rng: random.Random | None = None) -> dict[str, Any]:
    """Create the supervision demo set (see the module docstring). Returns what it made:
    ``{"themes", "red", "yellow", "made"}``."""
    return _Seeder(congress, _cast(congress), rng or random.Random(2026)).run()
