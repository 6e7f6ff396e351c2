"""The calendar pages: who sees what, edits by managers only, the calculator, the query budget."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.workdays.models import CalendarYear, SpecialDay
from minyi.workdays.seeding import package_days

from ..factories import CongressFactory, MembershipFactory, UserFactory

D = datetime.date
TODAY = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.django_db

YEARS = reverse("workdays:years")


def _root():
    """A platform administrator (superuser): the only one who edits the national calendar."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(
        username="platform_root", defaults={"is_superuser": True, "is_staff": True}
    )[0]


def year_url(year):
    return reverse("workdays:year", args=[year])


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def as_viewer(client, world):
    client.force_login(world.viewer)
    return client


@pytest.fixture
def as_admin(client, world):
    client.force_login(_root())
    return client


def _cell_class(html, day):
    """The CSS class of the month-grid cell whose title starts with the date."""
    match = re.search(r'<td class="([^"]+)" title="' + day.isoformat(), html)
    assert match, day
    return match.group(1)


# --- Access ---------------------------------------------------------------------------------------


def test_sign_in_required(client):
    for url in (YEARS, year_url(2026)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    response = client.post(
        reverse("workdays:set_day", args=[2026]), {"date": "2026-03-02", "kind": "holiday", "name": "x"}
    )
    assert response.status_code == 302
    assert not SpecialDay.objects.filter(date=D(2026, 3, 2)).exists()


def test_a_user_without_any_membership_gets_404(client, db):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(YEARS).status_code == 404
    assert client.get(year_url(2026)).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "deputy", "handler_a", "clerk", "outsider"])
def test_every_member_may_view(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(YEARS).status_code == 200
    assert client.get(year_url(2026)).status_code == 200


@pytest.mark.parametrize("year", [1999, 2101, 0])
def test_years_out_of_range_are_404(as_viewer, year):
    assert as_viewer.get(f"/calendar/{year}/").status_code == 404


# --- Year list ------------------------------------------------------------------------------------


def test_year_list_shows_counts_sources_versions_and_flags_missing_years(as_viewer):
    response = as_viewer.get(YEARS)
    rows = {row.year: row for row in response.context["rows"]}
    days_2026 = package_days([2026])
    row = rows[2026]
    assert row.holidays == sum(kind == "holiday" for kind, _ in days_2026.values())
    assert row.workdays == sum(kind == "workday" for kind, _ in days_2026.values()) == 6
    assert (row.source, row.version, row.missing, row.current) == ("package", 1, False, True)
    assert rows[2027].missing  # next year, not published in the package yet
    assert rows[2004].version == 1 and not rows[2004].missing
    html = response.content.decode()
    assert "未录入" in html
    assert "2027年的节假日安排尚未录入" in html  # the gentle November banner
    assert 'class="alert alert-warning' in html and "alert-danger" not in html


def test_year_list_is_loud_when_the_current_year_is_missing(client, world):
    with time_machine.travel(datetime.datetime(2031, 3, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(world.viewer)
        response = client.get(YEARS)
    html = response.content.decode()
    assert "alert-danger" in html and "2031年的法定节假日和调休安排尚未录入" in html and "只按周末" in html
    rows = {row.year: row for row in response.context["rows"]}
    assert all(rows[y].missing for y in range(2027, 2033))
    assert rows[2031].current


def test_year_list_query_budget(as_viewer, django_assert_max_num_queries):
    as_viewer.get(YEARS)
    with django_assert_max_num_queries(8):
        assert as_viewer.get(YEARS).status_code == 200


# --- Year page ------------------------------------------------------------------------------------


def test_year_page_shows_twelve_months_in_colour(as_viewer):
    response = as_viewer.get(year_url(2026))
    html = response.content.decode()
    assert html.count('class="wd-month"') == 12
    assert 'name="viewport"' in html and "col-12" in html  # phone layout
    assert "wd-holiday" in _cell_class(html, D(2026, 10, 1))
    assert "wd-holiday" in _cell_class(html, D(2026, 2, 17))
    assert "wd-makeup" in _cell_class(html, D(2026, 10, 10))
    assert "wd-makeup" in _cell_class(html, D(2026, 9, 20))
    assert "wd-weekend" in _cell_class(html, D(2026, 10, 11))
    assert "wd-workday" in _cell_class(html, D(2026, 10, 8))
    assert "wd-today" in _cell_class(html, D(2026, 11, 28))
    assert "国庆节" in html and "春节" in html


def test_viewers_see_no_edit_controls(as_viewer):
    html = as_viewer.get(year_url(2026)).content.decode()
    assert "data-confirm" not in html
    assert reverse("workdays:set_day", args=[2026]) not in html
    assert reverse("workdays:remove_day", args=[2026]) not in html


def test_managers_see_the_form_and_confirmed_remove_buttons(as_admin):
    html = as_admin.get(year_url(2026)).content.decode()
    assert reverse("workdays:set_day", args=[2026]) in html
    action = reverse("workdays:remove_day", args=[2026])
    removes = re.findall(
        r'<form method="post" action="' + action + r'"[^>]*data-confirm="([^"]+)"', html, re.S
    )
    assert len(removes) == len(package_days([2026]))
    assert all(message.startswith("确定删除") for message in removes)


def test_a_year_without_data_is_flagged_and_still_shown(as_viewer):
    response = as_viewer.get(year_url(2031))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2031年的放假安排尚未录入" in html
    assert "wd-workday" in _cell_class(html, D(2031, 10, 1))  # weekends-only fallback
    assert "wd-holiday" not in html.split('<table class="wd-month">', 1)[1]


@pytest.mark.parametrize("who", ["viewer", "admin"])
def test_year_page_query_budget(client, world, who, django_assert_max_num_queries):
    client.force_login(getattr(world, who))
    client.get(year_url(2026))
    with django_assert_max_num_queries(9):
        assert client.get(year_url(2026)).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            client.get(year_url(2026), {"start": "2026-09-30", "n": "250", "unit": "days"}).status_code == 200
        )


# --- Edits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer", "clerk", "deputy", "child_admin"])
def test_non_managers_get_404_on_edit_posts_and_nothing_changes(client, world, who):
    if who == "child_admin":
        town = CongressFactory(code="alpha-town", parent=world.congress)
        user = UserFactory(username="town_admin")
        MembershipFactory(user=user, congress=town, role=Role.CONGRESS_ADMIN)
    else:
        user = getattr(world, who)
    client.force_login(user)
    response = client.post(
        reverse("workdays:set_day", args=[2026]), {"date": "2026-03-02", "kind": "holiday", "name": "测试"}
    )
    assert response.status_code == 404
    response = client.post(reverse("workdays:remove_day", args=[2026]), {"date": "2026-10-01"})
    assert response.status_code == 404
    assert not SpecialDay.objects.filter(date=D(2026, 3, 2)).exists()
    assert SpecialDay.objects.filter(date=D(2026, 10, 1)).exists()
    assert not AuditEvent.objects.filter(code__startswith="calendar.").exists()


def test_edit_endpoints_are_post_only(as_admin):
    assert as_admin.get(reverse("workdays:set_day", args=[2026])).status_code == 405
    assert as_admin.get(reverse("workdays:remove_day", args=[2026])).status_code == 405


def test_admin_adds_a_day(as_admin, world):
    response = as_admin.post(
        reverse("workdays:set_day", args=[2027]), {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    )
    assert response.status_code == 302
    assert response["Location"] == year_url(2027) + "#days"
    day = SpecialDay.objects.get(date=D(2027, 10, 1))
    assert (day.kind, day.name) == ("holiday", "国庆节")
    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.MANUAL
    event = AuditEvent.objects.get(code="calendar.day_set")
    assert event.actor == _root()
    page = as_admin.get(response["Location"])
    html = page.content.decode()
    assert "已保存" in html
    assert "wd-holiday" in _cell_class(html, D(2027, 10, 1))


def test_admin_changes_a_holiday_into_a_make_up_day(as_admin):
    response = as_admin.post(
        reverse("workdays:set_day", args=[2026]), {"date": "2026-09-27", "kind": "workday", "name": "国庆节"}
    )
    assert response.status_code == 302
    assert SpecialDay.objects.get(date=D(2026, 9, 27)).kind == "workday"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"date": "2026-03-04", "kind": "workday", "name": "调休"}, "只能是周六或周日"),
        ({"date": "2026-10-01", "kind": "holiday", "name": "国庆节"}, "已经是放假日"),
        ({"date": "1999-10-01", "kind": "holiday", "name": "国庆节"}, "2000 年至 2100 年"),
        ({"date": "2026-13-01", "kind": "holiday", "name": "国庆节"}, "日期格式不对"),
        ({"date": "", "kind": "holiday", "name": "国庆节"}, "请选择日期"),
        ({"date": "2026-03-02", "kind": "rest", "name": "国庆节"}, "类型只能是"),
        ({"date": "2026-03-02", "kind": "holiday", "name": ""}, "请填写节日名称"),
        ({"date": "2026-03-02", "kind": "holiday", "name": "长" * 51}, "最多 50 个字"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(as_admin, data, message):
    response = as_admin.post(reverse("workdays:set_day", args=[2026]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(code__startswith="calendar.").exists()
    assert CalendarYear.objects.get(year=2026).version == 1


def test_admin_removes_a_day(as_admin, world):
    response = as_admin.post(reverse("workdays:remove_day", args=[2026]), {"date": "2026-10-10"})
    assert response.status_code == 302
    assert not SpecialDay.objects.filter(date=D(2026, 10, 10)).exists()
    event = AuditEvent.objects.get(code="calendar.day_removed")
    assert event.actor == _root() and event.old["date"] == "2026-10-10"
    assert "已删除" in as_admin.get(response["Location"]).content.decode()


def test_removing_an_ordinary_day_says_why(as_admin):
    response = as_admin.post(reverse("workdays:remove_day", args=[2026]), {"date": "2026-03-02"}, follow=True)
    assert "不是节假日或调休上班日" in response.content.decode()
    response = as_admin.post(reverse("workdays:remove_day", args=[2026]), {"date": "not-a-date"}, follow=True)
    assert "日期格式不对" in response.content.decode()
    assert not AuditEvent.objects.filter(code__startswith="calendar.").exists()


# --- Calculator -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, result",
    [
        ({"start": "2026-09-30", "n": "1", "unit": "days"}, "2026-10-08"),
        ({"start": "2026-09-18", "n": "10", "unit": "days"}, "2026-10-09"),
        ({"start": "2026-08-31", "n": "1", "unit": "months"}, "2026-09-30"),
        ({"start": "2026-09-01", "n": "1", "unit": "months"}, "2026-10-08"),
        ({"start": "2025-12-02", "n": "1", "unit": "months"}, "2026-01-04"),
        ({"start": "2025-12-30", "n": "3", "unit": "days"}, "2026-01-05"),
    ],
)
def test_calculator(as_viewer, query, result):
    response = as_viewer.get(year_url(2026), query)
    assert response.status_code == 200
    assert response.context["calc"].result.isoformat() == result
    html = response.content.decode()
    assert re.search(r'role="status".*?' + result, html, re.S)


def test_calculator_explains_what_it_skipped(as_viewer):
    calc = as_viewer.get(year_url(2026), {"start": "2026-09-30", "n": "1", "unit": "days"}).context["calc"]
    text = " ".join(calc.lines)
    assert "国庆节" in text and "2026-10-08" in text
    calc = as_viewer.get(year_url(2026), {"start": "2026-09-01", "n": "1", "unit": "months"}).context["calc"]
    text = " ".join(calc.lines)
    assert "2026-10-01" in text and "顺延" in text


def test_calculator_warns_about_years_without_data(as_viewer):
    calc = as_viewer.get(year_url(2026), {"start": "2026-12-01", "n": "2", "unit": "months"}).context["calc"]
    assert calc.result == D(2027, 2, 1)
    assert any("2027年" in w for w in calc.warnings)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "2026-09-30", "n": "-1", "unit": "days"}, "不能是负数"),
        ({"start": "2026-09-30", "n": "1001", "unit": "days"}, "最多 1000"),
        ({"start": "2026-09-30", "n": "121", "unit": "months"}, "最多 120"),
        ({"start": "2026-09-30", "n": "abc", "unit": "days"}, "请填写整数"),
        ({"start": "2026-02-30", "n": "1", "unit": "days"}, "日期格式不对"),
        ({"start": "2026-09-30", "n": "1", "unit": "weeks"}, "请选择"),
    ],
)
def test_calculator_bad_input(as_viewer, query, message):
    response = as_viewer.get(year_url(2026), query)
    assert response.status_code == 200
    assert response.context["calc"] is None
    assert message in response.content.decode()
