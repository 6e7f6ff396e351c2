"""The calendar actions: who may edit, what is refused, the audit rows and the year versions."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.core.errors import NotPermitted, ValidationFailed
from minyi.workdays.actions import do_remove_special_day, do_set_special_day
from minyi.workdays.models import CalendarYear, SpecialDay
from minyi.workdays.rules import can_manage_calendar
from minyi.workdays.services import get_calendar

from ..factories import CongressFactory, MembershipFactory, UserFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def _root():
    """A platform administrator (superuser): the only one who edits the national calendar."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(
        username="platform_root", defaults={"is_superuser": True, "is_staff": True}
    )[0]


def _calendar_events():
    return list(AuditEvent.objects.filter(code__startswith="calendar.").order_by("seq"))


def _version(year):
    return CalendarYear.objects.get(year=year).version


@pytest.fixture
def child_admin(world):
    """Admin of a township congress below the district: may not edit the national calendar."""
    town = CongressFactory(code="alpha-town", name="甲镇人大", short_name="甲镇", parent=world.congress)
    user = UserFactory(username="town_admin")
    MembershipFactory(user=user, congress=town, role=Role.CONGRESS_ADMIN)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# --- Who may edit ---------------------------------------------------------------------------------


def test_who_may_manage_the_calendar(world, child_admin, superuser):
    # The national calendar moves every congress's deadlines: platform administrators only.
    assert not can_manage_calendar(world.admin)  # admin of a top-level congress
    assert not can_manage_calendar(world.outsider)  # admin of another top-level congress
    assert can_manage_calendar(superuser)
    for user in (world.clerk, world.deputy, world.viewer, world.supervisor, world.coordinator, child_admin):
        assert not can_manage_calendar(user), user
    assert not can_manage_calendar(AnonymousUser())


def test_inactive_platform_admins_may_not_manage(superuser):
    superuser.is_active = False
    assert not can_manage_calendar(superuser)


@pytest.mark.parametrize(
    "who", ["admin", "outsider", "clerk", "deputy", "viewer", "supervisor", "handler_a", "child_admin"]
)
def test_non_managers_are_refused_and_nothing_changes(world, child_admin, who):
    actor = child_admin if who == "child_admin" else getattr(world, who)
    with pytest.raises(NotPermitted):
        do_set_special_day(D(2026, 3, 2), actor=actor, kind="holiday", name="测试")
    with pytest.raises(NotPermitted):
        do_set_special_day(D(2031, 10, 1), actor=actor, kind="holiday", name="国庆节")
    with pytest.raises(NotPermitted):
        do_remove_special_day(D(2026, 10, 1), actor=actor)
    assert not SpecialDay.objects.filter(date__in=[D(2026, 3, 2), D(2031, 10, 1)]).exists()
    assert SpecialDay.objects.filter(date=D(2026, 10, 1)).exists()
    assert not CalendarYear.objects.filter(year=2031).exists()
    assert _version(2026) == 1
    assert _calendar_events() == []


# --- Setting a day --------------------------------------------------------------------------------


def test_add_a_holiday_to_a_known_year(world):
    special = do_set_special_day(D(2026, 3, 2), actor=_root(), kind="holiday", name="临时放假")
    assert (special.date, special.kind, special.name, special.year_id) == (
        D(2026, 3, 2),
        "holiday",
        "临时放假",
        2026,
    )
    year = CalendarYear.objects.get(year=2026)
    assert year.version == 2 and year.source == CalendarYear.Source.PACKAGE
    [event] = _calendar_events()
    assert event.code == "calendar.day_set"
    assert event.actor == _root()
    assert event.congress is None  # the calendar is national
    assert event.object_type == "workdays.specialday" and event.object_id == str(special.pk)
    assert event.old is None
    assert event.new == {"date": "2026-03-02", "kind": "holiday", "name": "临时放假", "year_version": 2}
    assert not get_calendar().is_workday(D(2026, 3, 2))
    assert verify_chain().ok


def test_first_day_of_a_missing_year_creates_it_as_manual(world):
    assert not CalendarYear.objects.filter(year=2027).exists()
    do_set_special_day(D(2027, 1, 1), actor=_root(), kind="holiday", name=" 元旦 ")
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.version) == (CalendarYear.Source.MANUAL, 1)
    assert SpecialDay.objects.get(date=D(2027, 1, 1)).name == "元旦"  # trimmed
    do_set_special_day(D(2027, 2, 6), actor=_root(), kind="holiday", name="春节")
    assert _version(2027) == 2
    assert [e.new["year_version"] for e in _calendar_events()] == [1, 2]
    # Entering days does not make the year complete: its dates stay provisional and warned about.
    cal = get_calendar()
    assert 2027 in cal.entered_years and 2027 not in cal.known_years
    assert cal.is_provisional(D(2027, 3, 1)) and cal.missing_years([2027]) == [2027]


def test_make_up_workday_on_a_weekend(world):
    saturday = D(2026, 3, 7)
    assert not get_calendar().is_workday(saturday)
    do_set_special_day(saturday, actor=_root(), kind="workday", name="调休")
    assert get_calendar().is_workday(saturday)
    assert _calendar_events()[0].new == {
        "date": "2026-03-07",
        "kind": "workday",
        "name": "调休",
        "year_version": 2,
    }


def test_change_a_holiday_into_a_make_up_workday_records_old_and_new(world):
    # 27 September 2026 (Sunday) is a Mid-Autumn holiday in the package.
    do_set_special_day(D(2026, 9, 27), actor=_root(), kind="workday", name="国庆节")
    [event] = _calendar_events()
    assert event.old == {"date": "2026-09-27", "kind": "holiday", "name": "中秋节"}
    assert event.new == {"date": "2026-09-27", "kind": "workday", "name": "国庆节", "year_version": 2}
    assert SpecialDay.objects.filter(date=D(2026, 9, 27)).count() == 1
    assert get_calendar().is_workday(D(2026, 9, 27))


def test_superuser_and_system_may_edit(world, superuser):
    do_set_special_day(D(2026, 3, 2), actor=superuser, kind="holiday", name="甲")
    do_set_special_day(D(2026, 3, 3), actor=None, kind="holiday", name="乙")
    events = _calendar_events()
    assert [e.actor for e in events] == [superuser, None]
    assert _version(2026) == 3


def test_a_holiday_on_a_date_that_is_already_that_holiday_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        do_set_special_day(D(2026, 10, 1), actor=_root(), kind="holiday", name="国庆节")
    assert refused.value.code == "already_holiday"
    assert "2026-10-01" in refused.value.detail and "已经是放假日" in refused.value.detail
    with pytest.raises(ValidationFailed) as refused:
        do_set_special_day(D(2026, 10, 10), actor=_root(), kind="workday", name="国庆节")
    assert refused.value.code == "already_workday"
    assert "已经是调休上班日" in refused.value.detail
    assert _version(2026) == 1
    assert _calendar_events() == []


def test_renaming_a_holiday_is_a_correction(world):
    do_set_special_day(D(2026, 10, 1), actor=_root(), kind="holiday", name="别的名字")
    assert SpecialDay.objects.get(date=D(2026, 10, 1)).name == "别的名字"
    [event] = _calendar_events()
    assert event.code == "calendar.day_set"
    assert event.old == {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"}
    assert event.new == {"date": "2026-10-01", "kind": "holiday", "name": "别的名字", "year_version": 2}
    assert _version(2026) == 2


@pytest.mark.parametrize(
    "day, kind, name, code",
    [
        (D(2026, 3, 4), "workday", "调休", "workday_on_weekday"),  # a Wednesday
        (D(2026, 10, 8), "workday", "国庆节", "workday_on_weekday"),  # Thursday after the holiday
        (D(1999, 12, 31), "holiday", "元旦", "bad_date"),
        (D(2101, 1, 1), "holiday", "元旦", "bad_date"),
        ("2026-03-02", "holiday", "测试", "bad_date"),
        (datetime.datetime(2026, 3, 2, 8, 0), "holiday", "测试", "bad_date"),
        (D(2026, 3, 2), "rest", "测试", "bad_kind"),
        (D(2026, 3, 2), "", "测试", "bad_kind"),
        (D(2026, 3, 2), "holiday", "   ", "bad_name"),
        (D(2026, 3, 2), "holiday", "长" * 51, "bad_name"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_changes_nothing(world, day, kind, name, code):
    with pytest.raises(ValidationFailed) as refused:
        do_set_special_day(day, actor=_root(), kind=kind, name=name)
    assert refused.value.code == code
    assert refused.value.detail  # a human message
    assert not SpecialDay.objects.filter(date=D(2026, 3, 2)).exists()
    assert not SpecialDay.objects.filter(date=D(2026, 3, 4)).exists()
    assert CalendarYear.objects.filter(year__lt=2000).count() == 0
    assert _version(2026) == 1
    assert _calendar_events() == []


def test_fifty_characters_are_allowed(world):
    do_set_special_day(D(2026, 3, 2), actor=_root(), kind="holiday", name="长" * 50)
    assert SpecialDay.objects.get(date=D(2026, 3, 2)).name == "长" * 50


def test_edge_years_are_allowed(world):
    do_set_special_day(D(2000, 1, 3), actor=_root(), kind="holiday", name="甲")
    do_set_special_day(D(2100, 12, 31), actor=_root(), kind="holiday", name="乙")
    assert set(CalendarYear.objects.filter(year__in=[2000, 2100]).values_list("year", flat=True)) == {
        2000,
        2100,
    }


# --- Removing a day -------------------------------------------------------------------------------


def test_remove_a_day(world):
    do_remove_special_day(D(2026, 10, 10), actor=_root())  # the Saturday make-up workday
    assert not SpecialDay.objects.filter(date=D(2026, 10, 10)).exists()
    assert not get_calendar().is_workday(D(2026, 10, 10))  # an ordinary Saturday again
    [event] = _calendar_events()
    assert event.code == "calendar.day_removed"
    assert event.actor == _root()
    assert event.old == {"date": "2026-10-10", "kind": "workday", "name": "国庆节"}
    assert event.new == {"date": "2026-10-10", "year_version": 2}
    assert _version(2026) == 2
    assert verify_chain().ok


def test_remove_a_holiday_makes_a_weekday_a_working_day_again(world):
    do_remove_special_day(D(2026, 10, 7), actor=_root())
    assert get_calendar().add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 7)


@pytest.mark.parametrize(
    "day, code",
    [
        (D(2026, 3, 2), "not_special"),
        (D(2031, 10, 1), "not_special"),
        (D(1999, 1, 1), "bad_date"),
        (D(2101, 1, 1), "bad_date"),
    ],
)
def test_removing_what_is_not_there_is_refused(world, day, code):
    with pytest.raises(ValidationFailed) as refused:
        do_remove_special_day(day, actor=_root())
    assert refused.value.code == code
    assert not CalendarYear.objects.filter(year=2031).exists()
    assert _calendar_events() == []


def test_audit_sequence_of_a_session(world):
    do_set_special_day(D(2027, 1, 1), actor=_root(), kind="holiday", name="元旦")
    do_set_special_day(D(2027, 1, 2), actor=_root(), kind="holiday", name="元旦")
    do_remove_special_day(D(2027, 1, 2), actor=_root())
    do_set_special_day(D(2027, 1, 2), actor=_root(), kind="workday", name="元旦")
    assert [(e.code, e.object_repr[:10]) for e in _calendar_events()] == [
        ("calendar.day_set", "2027-01-01"),
        ("calendar.day_set", "2027-01-02"),
        ("calendar.day_removed", "2027-01-02"),
        ("calendar.day_set", "2027-01-02"),
    ]
    assert _version(2027) == 4
    assert verify_chain().ok
