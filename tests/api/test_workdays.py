"""The calendar router: a year's special days, and working-day / month arithmetic with explanation."""

import datetime

import pytest
import time_machine

from tests.factories import UserFactory

from .conftest import invalid, not_found, ok, refused

pytestmark = pytest.mark.django_db


def test_a_year_of_the_seeded_calendar(api, world):
    body = ok(api.get(world.deputy, "/calendar/2026"))
    assert body["year"] == 2026 and body["known"] is True
    assert body["source"] == "package" and body["version"] == 1
    assert body["calendar_version"]
    national_day = next(d for d in body["special_days"] if d["date"] == "2026-10-01")
    assert national_day == {
        "date": "2026-10-01",
        "weekday": "周四",
        "kind": "holiday",
        "kind_label": "放假",
        "name": "国庆节",
    }
    makeup = next(d for d in body["special_days"] if d["date"] == "2026-10-10")
    assert makeup["kind"] == "workday" and makeup["kind_label"] == "调休上班"
    dates = [d["date"] for d in body["special_days"]]
    assert dates == sorted(dates)


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_a_year_without_data_is_flagged(api, world):
    body = ok(api.get(world.deputy, "/calendar/2030"))
    assert body["known"] is False and body["source"] is None and body["special_days"] == []
    assert body["warnings"] == []  # 2026 itself is known; next year's reminder starts in November


@time_machine.travel("2027-03-02 10:00 +0800", tick=False)
def test_warning_when_this_year_has_no_official_data(api, world):
    body = ok(api.get(world.deputy, "/calendar/2027"))
    assert [w["level"] for w in body["warnings"]] == ["danger"]
    assert "2027" in body["warnings"][0]["message"]


def test_years_outside_the_calendar_range_are_404(api, world):
    not_found(api.get(world.deputy, "/calendar/1999"))
    not_found(api.get(world.deputy, "/calendar/2101"))


def test_calendar_needs_a_membership(api, world):
    nobody = UserFactory(username="nobody")
    not_found(api.get(nobody, "/calendar/2026"))
    not_found(api.get(nobody, "/calendar/add-working-days", {"start": "2026-09-30", "n": 1}))
    assert ok(api.get(world.outsider, "/calendar/2026"))["year"] == 2026  # any congress will do


def test_add_working_days_skips_the_national_day_holiday(api, world):
    body = ok(api.get(world.handler_a, "/calendar/add-working-days", {"start": "2026-09-30", "n": 1}))
    assert body["result"] == "2026-10-08"
    assert body["weekday"] == "周四"
    assert body["unit"] == "days"
    assert any("国庆节" in line for line in body["explanation"])
    assert body["warnings"] == []
    assert body["calendar_version"]


def test_add_working_days_counts_a_makeup_day(api, world):
    # 2026-10-09 (Fri) → the next working day is the make-up Saturday 2026-10-10.
    body = ok(api.get(world.deputy, "/calendar/add-working-days", {"start": "2026-10-09", "n": 1}))
    assert body["result"] == "2026-10-10"
    assert any("调休上班日" in line for line in body["explanation"])


def test_add_working_days_warns_for_a_year_without_data(api, world):
    body = ok(api.get(world.deputy, "/calendar/add-working-days", {"start": "2026-12-30", "n": 5}))
    assert body["result"] == "2027-01-06"
    assert "2027" in body["warnings"][0]


def test_add_months_moves_to_the_next_working_day(api, world):
    body = ok(api.get(world.deputy, "/calendar/add-months", {"start": "2026-09-01", "n": 1}))
    assert body["result"] == "2026-10-08"  # 2026-10-01 is a holiday
    assert body["unit"] == "months"
    assert any("顺延" in line for line in body["explanation"])


def test_calculator_bad_input_is_422(api, world):
    invalid(api.get(world.deputy, "/calendar/add-working-days", {"start": "2026-13-01", "n": 1}))
    invalid(api.get(world.deputy, "/calendar/add-working-days", {"start": "2026-09-30", "n": -1}))
    invalid(api.get(world.deputy, "/calendar/add-working-days", {"start": "2026-09-30", "n": 1001}))
    invalid(api.get(world.deputy, "/calendar/add-working-days", {"start": "2026-09-30"}))
    invalid(api.get(world.deputy, "/calendar/add-months", {"start": "2026-09-30", "n": 121}))
    refused(
        api.get(world.deputy, "/calendar/add-working-days", {"start": "1990-01-01", "n": 1}), 422, "bad_date"
    )


@time_machine.travel("2026-12-06 10:00 +0800", tick=False)
def test_a_partly_entered_year_is_not_complete_until_marked(api, world):
    from minyi.workdays.actions import do_mark_year_complete, do_set_special_day

    body = ok(api.get(world.deputy, "/calendar/2026"))
    assert body["complete"] is True and "2026年部分节假日安排" in body["source_notice"]
    root = UserFactory(username="platform_root", is_superuser=True)
    do_set_special_day(datetime.date(2027, 1, 1), actor=root, kind="holiday", name="元旦")
    body = ok(api.get(world.deputy, "/calendar/2027"))
    assert body["known"] is False and body["complete"] is False and body["version"] == 1
    assert [w["level"] for w in body["warnings"]] == ["warning"]  # one day does not silence it
    do_mark_year_complete(2027, actor=root, notice="国办发明电〔2026〕99号（测试）")
    body = ok(api.get(world.deputy, "/calendar/2027"))
    assert body["complete"] is True and body["source_notice"] == "国办发明电〔2026〕99号（测试）"
    assert body["warnings"] == []
