"""Fixtures for the congress administration pages: a populated alpha (groups, stations, deputies,
terms, taxonomies) and the same kinds of rows in beta, to prove that nothing crosses over."""

import datetime
from dataclasses import dataclass

import pytest

from minyi.congress.models import (
    Category,
    Channel,
    Deputy,
    DeputyGroup,
    ExclusionReason,
    LiaisonStation,
    ResultClass,
    Session,
    Term,
    ThemeTag,
    Unit,
)
from tests.factories import BodyFactory, DeputyFactory, DeputyGroupFactory, StationFactory, UnitFactory


@dataclass
class Rows:
    """One row of each kind in a congress."""

    group: DeputyGroup
    station: LiaisonStation
    deputy: Deputy
    body: Unit
    unit: Unit
    term: Term
    session: Session
    category: Category
    theme: ThemeTag
    channel: Channel
    result: ResultClass
    exclusion: ExclusionReason

    def taxonomy(self, kind: str):
        return {
            "categories": self.category,
            "themes": self.theme,
            "channels": self.channel,
            "results": self.result,
            "exclusions": self.exclusion,
        }[kind]


def make_rows(congress, prefix: str) -> Rows:
    group = DeputyGroupFactory(congress=congress, name=f"{prefix}第一代表小组")
    body = BodyFactory(congress=congress, body_code=Unit.BodyCode.GOVERNMENT)
    term = Term.objects.create(congress=congress, number=18, start_date=datetime.date(2022, 1, 1))
    return Rows(
        group=group,
        station=StationFactory(congress=congress, name=f"{prefix}中心联络站", group=group),
        deputy=DeputyFactory(
            congress=congress, name=f"{prefix}代表", number=f"{prefix}-001", group=group, phone="13800000000"
        ),
        body=body,
        unit=UnitFactory(congress=congress, parent=body, name=f"{prefix}民政局"),
        term=term,
        session=Session.objects.create(
            term=term, number=1, start_date=datetime.date(2022, 1, 5), end_date=datetime.date(2022, 1, 8)
        ),
        category=Category.objects.create(congress=congress, name=f"{prefix}城乡建设", order=10),
        theme=ThemeTag.objects.create(congress=congress, name=f"{prefix}物业管理", order=10),
        channel=Channel.objects.create(
            congress=congress, name=f"{prefix}联络站接待", order=10, grassroots=True
        ),
        result=ResultClass.objects.create(
            congress=congress, code="A", name=f"{prefix}解决或基本解决", order=10
        ),
        exclusion=ExclusionReason.objects.create(congress=congress, name=f"{prefix}涉及本人私事", order=10),
    )


@pytest.fixture
def alpha(world) -> Rows:
    return make_rows(world.congress, "甲")


@pytest.fixture
def beta(world) -> Rows:
    return make_rows(world.other_congress, "乙")
