"""Demo data of the intake app for the fictional demo congress: events and duty days at every active
station, and voter opinions in every disposition — open, answered on the spot, forwarded, answered by
the unit, merged, adopted as a suggestion (one submitted the same day, one driven through the real
suggestion actions to a signed-off reply and the constituent told by SMS).

Everything goes through the real `do_*` actions with the demo accounts that `seed_demo` creates:
``liaisonN`` (the liaison clerk of the N-th station, by name order of the roster), ``deputyN``,
``clerk``, ``unitN`` / ``leaderN`` (handler and leader of the N-th unit). Constituents' names and
phones are fictional (phones 1390000xxxx). Idempotency is the caller's job: every call adds a set.

Hook (in `seed_demo`, after the suggestions): ``seed_demo_intake(congress, rng=random.Random(2026))``.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from minyi.accounts.models import Membership, Role, User
from minyi.congress.models import Category, Congress, Deputy, LiaisonStation, ResultClass, Unit
from minyi.core import demo_district
from minyi.core.demo_district import Concern
from minyi.suggestions import actions as SA
from minyi.suggestions.models import Suggestion
from minyi.suggestions.selectors import assignment_of

from . import actions as A
from .models import EventKind, Opinion

#: Everyday concerns voters bring to a station, each with the unit whose work it is and the answers
#: (`core.demo_district.CONCERNS`).
CONCERNS = demo_district.CONCERNS
OFFICIALS = [
    "区住建局局长、区城管局副局长",
    "区交通局局长、街道办事处主任",
    "区民政局局长、区卫健委副主任",
    "区生态环境分局局长、区水利局副局长",
]


def _user(congress: Congress, username: str) -> User | None:
    return User.objects.filter(username=username, memberships__congress=congress).distinct().first()


class _Seeder:
    def __init__(self, congress: Congress, rng: random.Random) -> None:
        self.congress, self.rng = congress, rng
        self.today = timezone.localdate()
        self.concern = 0
        self.phone = 0
        self.categories = {c.name: c for c in Category.objects.filter(congress=congress, active=True)}
        self.clerk = _user(congress, "clerk")
        self.units = self._units()
        self.results = {r.code: r for r in ResultClass.objects.filter(congress=congress, active=True)}
        self.concern_of: dict[int, Concern] = {}

    def _units(self) -> list[tuple[Unit, User, User | None]]:
        """(unit, handler, leader) for each unit with a demo handler account."""
        out = []
        handlers = Membership.objects.filter(
            congress=self.congress, role=Role.UNIT_HANDLER, active=True, unit__isnull=False
        ).select_related("unit", "user")
        for m in handlers.order_by("unit__order", "unit__pk"):
            if m.unit is None:
                continue
            leader = (
                Membership.objects.filter(
                    congress=self.congress, role=Role.UNIT_LEADER, unit=m.unit, active=True
                )
                .select_related("user")
                .first()
            )
            out.append((m.unit, m.user, leader.user if leader else None))
        return out

    def next_concern(self) -> tuple[Concern, Any]:
        concern = CONCERNS[self.concern % len(CONCERNS)]
        self.concern += 1
        return concern, self.categories.get(concern.category)

    def unit_of(self, opinion: Opinion, index: int) -> tuple[Unit, User, User | None]:
        """The unit whose work the opinion is (the demo district's), else one by turn (a stand-in)."""
        concern = self.concern_of[opinion.pk]
        for row in self.units:
            if (row[0].short_name or row[0].name) == concern.unit:
                return row
        return self.units[index % len(self.units)]

    def next_phone(self) -> str:
        self.phone += 1
        return f"1390000{self.phone:04d}"

    # --- per station --------------------------------------------------------------------------

    def station(self, station: LiaisonStation, clerk: User, index: int) -> list[Opinion]:
        deputies = list(
            Deputy.objects.filter(congress=self.congress, group=station.group, user__isnull=False).order_by(
                "number"
            )[:6]
        ) or list(Deputy.objects.filter(congress=self.congress, user__isnull=False).order_by("number")[:6])
        if not deputies:
            return []
        face_day = self.today - datetime.timedelta(days=self.rng.randint(3, 20))
        face = A.do_record_event(
            station,
            actor=clerk,
            data=A.EventInput(
                kind=EventKind.FACE_TO_FACE,
                date=face_day,
                title="局长·代表面对面：群众急难愁盼问题现场答疑",
                place=station.address,
                topics="一、老旧小区改造和加装电梯；二、学校周边交通安全；三、农贸市场环境整治。",
                deputies=deputies[:3],
                officials=OFFICIALS[index % len(OFFICIALS)],
                minutes="与会局长逐一回应群众提问，现场答复3件，需会后办理的已登记转办。",
            ),
        )
        inquiry = A.do_record_event(
            station,
            actor=clerk,
            data=A.EventInput(
                kind=EventKind.STATION_INQUIRY,
                date=self.today - datetime.timedelta(days=self.rng.randint(21, 45)),
                title="室点问政：居家养老服务",
                place=station.address,
                topics="社区助餐、上门护理和适老化改造。",
                deputies=deputies[1:4],
                officials="区民政局分管负责人",
            ),
        )
        for offset in (7, 14):
            day = self.today - datetime.timedelta(days=offset + index % 3)
            A.do_record_duty_day(
                station, actor=clerk, date=day, deputies=deputies[:2], notes="接待选民来访。"
            )
        A.do_record_duty_day(
            station,
            actor=clerk,
            date=self.today + datetime.timedelta(days=7 - index % 3),
            deputies=deputies[2:4] or deputies[:1],
            notes="预告：下周坐班。",
        )
        made = []
        lead = deputies[0]
        for event in (face, inquiry):
            for _ in range(2):
                concern, category = self.next_concern()
                made.append(
                    A.do_record_opinion(
                        self.congress,
                        actor=clerk,
                        data=A.OpinionInput(
                            content=concern.content,
                            event=event,
                            category=category,
                            constituent_name=self.rng.choice(
                                ["王阿姨", "李师傅", "张先生", "刘女士", "陈大爷"]
                            ),
                            constituent_phone=self.next_phone(),
                            deputy=lead,
                        ),
                    )
                )
                self.concern_of[made[-1].pk] = concern
        concern, category = self.next_concern()
        lead_user = lead.user
        assert lead_user is not None
        made.append(
            A.do_record_opinion(
                self.congress,
                actor=lead_user,
                data=A.OpinionInput(
                    content=concern.content,
                    station=station,
                    collected_on=self.today,
                    category=category,
                    constituent_name="孙先生",
                    constituent_phone=self.next_phone(),
                ),
            )
        )
        self.concern_of[made[-1].pk] = concern
        return made

    # --- dispositions -------------------------------------------------------------------------

    def dispose(self, opinions: list[Opinion], clerk: User, index: int) -> None:
        """Five opinions of one station: open / answered / forwarded (answered by the unit on even
        stations) / merged, and the deputy's own one adopted (submitted the same day on some)."""
        if len(opinions) < 5 or not self.units:
            return
        first, second, third, fourth, own = opinions
        A.do_answer_opinion_on_spot(second, actor=clerk, answer=self.concern_of[second.pk].spot_answer)
        unit, handler, _leader = self.unit_of(third, index)
        A.do_forward_opinion(third, actor=clerk, unit=unit, note="请核实后答复。")
        if index % 2 == 0:
            A.do_answer_forwarded_opinion(third, actor=handler, answer=self.concern_of[third.pk].unit_answer)
            A.do_notify_constituent_of_outcome(third, actor=clerk)
        A.do_merge_opinion(fourth, actor=clerk, into=first, note="反映的是同一问题。")
        assert own.deputy is not None and own.deputy.user is not None
        deputy_user = own.deputy.user
        suggestion = A.do_adopt_opinion_as_suggestion(
            own,
            actor=deputy_user,
            data=A.AdoptionInput(
                title=self.concern_of[own.pk].title,
                proposals="建议相关部门尽快研究解决，并向群众反馈。",
                category=own.category or next(iter(self.categories.values()), None),
            ),
        )
        if index % 3 != 2:
            SA.do_submit_suggestion(suggestion, actor=deputy_user)
        if index == 0:
            self.loop(suggestion, own, clerk, self.unit_of(own, 0))

    def loop(
        self, suggestion: Suggestion, opinion: Opinion, clerk: User, handling: tuple[Unit, User, User | None]
    ) -> None:
        """One adopted opinion all the way: accepted, assigned, answered, constituent told."""
        if self.clerk is None or "A" not in self.results:
            return
        unit, handler, leader = handling
        if leader is None:
            return
        suggestion = SA.do_accept_suggestion(suggestion, actor=self.clerk)
        SA.do_assign_units(suggestion, actor=self.clerk, lead_units=[unit])
        assignment = assignment_of(suggestion, unit)
        SA.do_sign_assignment(assignment, actor=handler)
        SA.do_log_contact(
            assignment,
            actor=handler,
            phase="before",
            method="visit",
            contacted_on=self.today,
            people="承办人、领衔代表",
            summary="上门听取代表和群众意见，现场查看。",
        )
        SA.do_draft_reply(
            assignment,
            actor=handler,
            body=self.concern_of[opinion.pk].unit_answer,
            result_class=self.results["A"],
            commitments=[],
        )
        SA.do_sign_off_reply(assignment, actor=leader)
        A.do_notify_constituent_of_outcome(Opinion.objects.get(pk=opinion.pk), actor=clerk)


def seed_demo_intake(congress: Congress, *, rng: random.Random | None = None) -> list[Opinion]:
    """Events, duty days and opinions in every disposition at the congress's active stations, through
    the actions. Returns the opinions made."""
    seeder = _Seeder(congress, rng or random.Random(2026))
    made: list[Opinion] = []
    clerks = (
        Membership.objects.filter(
            congress=congress, role=Role.LIAISON_CLERK, active=True, station__active=True
        )
        .select_related("station", "user")
        .order_by("station__name", "pk")
    )
    seen: set[int] = set()
    index = 0
    for m in clerks:
        if m.station is None or m.station.pk in seen:
            continue
        seen.add(m.station.pk)
        opinions = seeder.station(m.station, m.user, index)
        seeder.dispose(opinions, m.user, index)
        made.extend(opinions)
        index += 1
    return made


__all__ = ["seed_demo_intake"]
