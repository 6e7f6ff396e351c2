"""Factories create *initial* rows only; later states are reached through the real actions."""

import datetime

import factory

from minyi.accounts.models import Membership, Role, User
from minyi.congress.models import Congress, Deputy, DeputyGroup, LiaisonStation, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password("pw-for-tests-123")


class CongressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Congress
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"测试{n}区人大常委会")
    short_name = factory.Sequence(lambda n: f"测{n}")
    level = Congress.Level.COUNTY


class DeputyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeputyGroup

    congress = factory.SubFactory(CongressFactory)
    name = factory.Sequence(lambda n: f"第{n}代表小组")


class DeputyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deputy

    congress = factory.SubFactory(CongressFactory)
    name = factory.Sequence(lambda n: f"代表{n}")
    number = factory.Sequence(lambda n: f"D{n:04d}")
    in_office_from = datetime.date(2022, 1, 1)


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonStation

    congress = factory.SubFactory(CongressFactory)
    name = factory.Sequence(lambda n: f"第{n}联络站")


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("congress", "body_code")

    congress = factory.SubFactory(CongressFactory)
    name = factory.LazyAttribute(lambda o: f"{o.congress.short_name}{Unit.BodyCode(o.body_code).label}")
    kind = Unit.Kind.BODY
    body_code = Unit.BodyCode.GOVERNMENT


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    congress = factory.SubFactory(CongressFactory)
    parent = factory.LazyAttribute(lambda o: BodyFactory(congress=o.congress))
    name = factory.Sequence(lambda n: f"测试局{n}")
    kind = Unit.Kind.DEPARTMENT


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    congress = factory.SubFactory(CongressFactory)
    role = Role.VIEWER
