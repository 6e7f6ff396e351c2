"""Demo data for 网上督办, so that the board is alive the day the demo is seeded: suggestions whose
steps are overdue (red) and nearly due (yellow) as of today, pending extension and re-assignment
requests, three key themes with supervision records, a task force with an inspection, and a leader's
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
from minyi.core.demo_names import NameGenerator
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Suggestion
from minyi.suggestions.states import AssignmentState
from minyi.workdays.services import get_calendar

from . import actions as SA
from .models import KeyTheme
from .warnings import RED, YELLOW, colour_bounds

Date = datetime.date
ONE_DAY = datetime.timedelta(days=1)

#: theme → (lead unit name contains, plan, [(案由, 情况与问题, 具体建议)])
THEMES: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "物业管理": (
        "住房和城乡建设",
        "由常委会副主任领衔督办：每季度实地视察一次，年中召开协商会，年底向主任会议报告办理情况。"
        "重点推动老旧小区物业全覆盖、物业服务收费公开和业主委员会规范运行。",
        [
            (
                "关于推进老旧小区物业服务全覆盖的建议",
                "城关街道、东城街道仍有二十余个老旧小区没有物业服务，环境脏乱、设施失修。",
                "由街道牵头引入国有物业企业兜底服务，财政对首三年给予补贴。",
            ),
            (
                "关于公开物业服务收费明细的建议",
                "部分小区物业费、公共收益使用情况不公开，业主意见较大。",
                "建立物业收费和公共收益公示制度，每半年公示一次并接受业主查询。",
            ),
            (
                "关于规范业主委员会选举和运行的建议",
                "多个小区业委会长期未换届，部分业委会运行不规范。",
                "出台业委会选举指导规则，由社区党组织指导换届。",
            ),
        ],
    ),
    "居家养老": (
        "民政",
        "由常委会副主任领衔督办：走访社区助餐点和日间照料中心，听取代表和老年人意见，推动社区嵌入式养老服务。",
        [
            (
                "关于增设社区老年助餐点的建议",
                "月湖街道、滨河街道老年人口多，现有助餐点覆盖不足，就餐排队时间长。",
                "在人口密集社区新增助餐点，对运营企业给予场地和餐费补贴。",
            ),
            (
                "关于为高龄独居老人安装紧急呼叫设备的建议",
                "高龄独居老人发生意外时难以及时求助。",
                "为80岁以上独居老人免费安装紧急呼叫设备，并与社区网格员联动。",
            ),
        ],
    ),
    "乡村振兴": (
        "农业农村",
        "由常委会主任领衔督办：组织代表视察乡村产业项目，召开协商会，向主任会议报告推进情况。",
        [
            (
                "关于扶持乡村特色农产品品牌建设的建议",
                "南山镇、青石镇特色农产品品质好但品牌弱，销售渠道单一。",
                "统一打造区域公共品牌，支持合作社开展电商销售。",
            ),
            (
                "关于改善农村道路养护的建议",
                "北岗镇部分村道年久失修，雨季通行困难。",
                "将村道养护纳入财政预算，建立村道专管员制度。",
            ),
        ],
    ),
}


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

    def unit_for(self, hint: str) -> _UnitCast:
        for u in self.cast.units:
            if hint and hint in u.unit.name:
                return u
        return self.rng.choice(self.cast.units)

    def suggestion(
        self, day: Date, topic: tuple[str, str, str], theme: str, *, forward_only: bool = False
    ) -> Suggestion:
        """Drafted, submitted, accepted and forwarded on `day`; assigned that day unless `forward_only`."""
        title, facts, proposals = topic
        user, _deputy = self.rng.choice(self.cast.deputies)
        tag = self.cast.tags.get(theme)
        content = A.SuggestionContent(
            title=title,
            facts=facts,
            proposals=proposals,
            category=self.rng.choice(self.cast.categories),
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
                A.do_assign_units(
                    s, actor=self.cast.coordinator, lead_units=[self.unit_for(THEMES[theme][0]).unit]
                )
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
                a, actor=self.handler(a), reason="该事项属于交通运输部门职责，建议改由区交通局办理。"
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
        self.task_force(red[0])
        self.instruction(red[0])
        return {"themes": themes, "red": red, "yellow": yellow, "made": made}

    # --- themes, records, task force, instruction ---------------------------------------------------

    def themes(self, made: dict[str, list[Suggestion]]) -> list[KeyTheme]:
        cast, today = self.cast, self.today
        out = []
        for name, (unit_hint, plan, _topics) in THEMES.items():
            existing = KeyTheme.objects.filter(congress=self.congress, year=today.year, name=name).first()
            if existing is not None:
                continue
            leader = self.names.next()
            with back_to(
                self.workday_before(today.replace(month=1, day=20) if today.month > 1 else today), 10
            ):
                theme = SA.do_create_theme(
                    self.congress,
                    actor=cast.admin,
                    year=today.year,
                    name=name,
                    supervising_leader=cast.supervisor if name == "物业管理" else None,
                    supervising_leader_name=f"{leader} 常委会副主任" if name != "物业管理" else "",
                    lead_unit=self.unit_for(unit_hint).unit,
                    plan=plan,
                )
            members = list(made[name])
            tag = cast.tags.get(name)
            if tag is not None:  # accepted suggestions of the demo set carrying the theme's tag
                members += list(
                    Suggestion.objects.filter(congress=self.congress, theme_tags=tag)
                    .filter(
                        ~Q(state__in=["draft", "submitted", "returned", "declined", "merged", "withdrawn"])
                    )
                    .exclude(pk__in=[s.pk for s in members])
                    .order_by("pk")[:3]
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
                    participants=f"常委会副主任{theme.leader_display}、城建环保工委委员、{theme.lead_unit}分管负责人",
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
                    participants=f"常委会副主任{theme.leader_display}、社会建设工委、{theme.lead_unit}、月湖街道办事处",
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
