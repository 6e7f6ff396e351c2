"""Published data for the public site's tests: suggestions moved to 办结 by the real actions
(tests/suggestions/conftest.py's `Driver`) and published, withheld or retracted by the clerk's
actions; another congress's published suggestion and a congress whose public site is closed are
rows made here (their workflow is not what these tests are about)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from minyi.congress.models import Category, Congress, Policy, ResultClass, Unit
from minyi.publication import actions as P
from minyi.publication.models import Publication, PublicationState, PublishedReply
from minyi.publication.public_search import terms_of
from minyi.suggestions.models import Suggestion, SuggestionState
from tests.conftest import World
from tests.factories import BodyFactory, CongressFactory, DeputyFactory, UnitFactory, UserFactory
from tests.suggestions.conftest import Loop, loop  # noqa: F401 - fixtures

#: The resident's own words in the facts: the published copy masks the name, phone and address.
RESIDENT_FACTS = "居民张秀英（电话13812345678）反映，幸福路12号3栋502室楼下的路灯坏了两个月。"
SECRET = {
    "withheld": "关于某涉密工程选址的建议",
    "retracted": "关于已撤回公开事项的建议",
    "never": "关于尚未公开审定事项的建议",
    "foreign": "关于乙区河道整治的建议",
    "closed_site": "关于丙区菜市场改造的建议",
}


@dataclass
class Site:
    w: World
    loop: Loop
    lamp: Publication  # published, with a resident's personal data masked
    parking: Publication  # published, another category, reply class B, basically satisfied
    withheld: Publication
    retracted: Publication
    never: Suggestion  # closed, never published
    foreign: Publication  # published by another congress
    closed_site: Publication  # published by a congress whose public site is closed
    closed_congress: Congress

    @property
    def code(self) -> str:
        return self.w.congress.code


def bare_publication(
    congress: Congress,
    title: str,
    *,
    unit: Unit | None = None,
    result: ResultClass | None = None,
    seq: int = 1,
    category: Category | None = None,
) -> Publication:
    """A published suggestion made directly (no workflow): another congress's, or many rows for a
    query count."""
    user = UserFactory()
    deputy = DeputyFactory(congress=congress)
    unit = unit or UnitFactory(congress=congress, parent=BodyFactory(congress=congress))
    result = (
        result
        or ResultClass.objects.get_or_create(congress=congress, code="A", defaults={"name": "已解决"})[0]
    )
    suggestion = Suggestion.objects.create(
        congress=congress,
        title=title,
        facts=title + "的情况",
        lead=deputy,
        entered_by=user,
        state=SuggestionState.CLOSED,
        year=2026,
        seq=seq,
        number=f"{congress.code.upper()}-2026-{seq:03d}",
    )
    publication = Publication.objects.create(
        congress=congress,
        suggestion=suggestion,
        state=PublicationState.PUBLISHED,
        year=2026,
        number=suggestion.number,
        title=title,
        facts=title + "的情况",
        deputies=deputy.name,
        category=category,
        decided_by=user,
        published_at=timezone.now(),
    )
    PublishedReply.objects.create(
        publication=publication,
        unit=unit,
        result_class=result,
        body=title + "的答复",
        signed_on=datetime.date(2026, 3, 1),
        satisfaction="satisfied",
    )
    publication.terms = terms_of(
        number=publication.number,
        title=title,
        texts=[publication.facts, deputy.name, f"{unit.name}\n{title}的答复"],
        congress=congress,
    )
    publication.save(update_fields=["terms"])
    return publication


@pytest.fixture
def site(daytime, loop) -> Site:  # noqa: F811 - the fixture imported above
    w, drive = loop.w, loop.drive
    clerk = w.clerk
    education = Category.objects.create(congress=w.congress, name="教育")
    lamp_s = drive.to("closed", title="关于修缮幸福路路灯的建议", facts=RESIDENT_FACTS)
    parking_s = drive.to(
        "closed",
        title="关于增加学校周边停车位的建议",
        facts="放学时段学校门口车辆拥堵。",
        proposals="建议在学校周边施划临时停车位。",
        category=education,
        result="B",
        overall="basic",
    )
    withheld_s = drive.to("closed", title=SECRET["withheld"], facts=SECRET["withheld"] + "的内部情况")
    retracted_s = drive.to("closed", title=SECRET["retracted"])
    never = drive.to("closed", title=SECRET["never"])
    lamp = P.do_publish(lamp_s, actor=clerk)
    parking = P.do_publish(parking_s, actor=clerk)
    withheld = P.do_withhold(withheld_s, actor=clerk, reason="涉及工作秘密")
    P.do_publish(retracted_s, actor=clerk)
    retracted = P.do_retract(retracted_s, actor=clerk, reason="发现遗漏的个人信息")
    foreign = bare_publication(w.other_congress, SECRET["foreign"])
    gamma = CongressFactory(code="gamma", name="丙区人大常委会", short_name="丙区")
    Policy.objects.create(congress=gamma, public_site=False)
    closed_site = bare_publication(gamma, SECRET["closed_site"])
    return Site(w, loop, lamp, parking, withheld, retracted, never, foreign, closed_site, gamma)


def more_published(loop: Loop, n: int, *, title: str = "关于完善社区养老服务的建议") -> list[Publication]:  # noqa: F811
    """`n` more published suggestions of the loop's congress (by the real actions)."""
    return [P.do_publish(loop.drive.to("closed", title=f"{title}{i}"), actor=loop.w.clerk) for i in range(n)]
