"""Issue #10 in a real browser: a platform administrator enters a 2027 holiday, sees the year is
still provisional, marks it complete with its notice, previews the deadline it moves and confirms;
a congress admin enters a local typhoon closure and previews its own deadlines. Screenshots under
test-artifacts/screenshots/test_calendar_completeness/."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from minyi.suggestions.models import Deadline
from minyi.workdays.services import get_calendar
from tests.factories import UserFactory
from tests.suggestions.conftest import loop  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date
#: "Now" in these tests: a working Tuesday in December 2026, before 2027 has any calendar, with the
#: reply deadline below still ahead (on the real date it is past from January 2027 on).
BEFORE_2027 = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def calendar(time_machine, db):
    time_machine.move_to(BEFORE_2027, tick=True)
    # A transactional test starts from flushed tables: put the official calendar back first.
    call_command("seed_calendar", "--years", "2025-2026", stdout=io.StringIO())


@pytest.fixture
def reply_in_2027(calendar, loop):  # noqa: F811
    """An open local reply deadline due Friday 1 January 2027 (computed while 2027 had no calendar)."""
    s = loop.drive.to("assigned")
    assignment = s.assignments.first()
    return Deadline.objects.create(
        congress=loop.w.congress,
        suggestion=s,
        assignment=assignment,
        kind=Deadline.Kind.REPLY,
        started_on=D(2026, 12, 1),
        due_on=D(2027, 1, 1),
        rule="交办后1个月内答复（本地目标）",
        calendar_version="-",
    )


def test_platform_admin_completes_2027_with_preview_and_confirm(reply_in_2027, page, login, shot):
    UserFactory(username="platform_root", full_name="平台管理员", is_superuser=True, is_staff=True)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "platform_root")
    page.goto("/calendar/2027/")
    page.fill("#id_date", "2027-01-01")
    page.select_option("#id_kind", "holiday")
    page.fill("#id_name", "元旦")
    with page.expect_navigation():
        page.locator("#edit button[type=submit]").click()
    # One day entered: the year is still provisional, and the page says so.
    expect(page.locator("[data-field=completeness]")).to_contain_text("尚未确认完整")
    expect(page.locator("#complete")).to_be_visible()
    shot(page, "1-provisional-year")

    page.fill("#id_notice", "国办发明电〔2026〕99号（测试）")
    with page.expect_navigation():
        page.locator("#complete button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("按新日历重新计算期限")
    row = page.locator(f"tr[data-deadline='{reply_in_2027.pk}']")
    expect(row).to_contain_text("2027-01-01")
    expect(row).to_contain_text("2027-01-04")
    shot(page, "2-preview")

    page.fill("#id_reason", "国务院公布了2027年放假安排")
    with page.expect_navigation():
        page.get_by_role("button", name="确认调整").click()
    expect(page.locator(".alert-success")).to_contain_text("已调整 1 项期限")
    reply_in_2027.refresh_from_db()
    assert reply_in_2027.due_on == D(2027, 1, 4)
    page.goto("/calendar/2027/")
    expect(page.locator("[data-field=completeness]")).to_contain_text("国办发明电〔2026〕99号（测试）")
    shot(page, "3-complete-year")


def test_congress_admin_adds_a_local_closure(reply_in_2027, phone_page, login, shot):
    page = phone_page
    login(page, "admin")
    page.goto("/c/alpha/supervision/closures/")
    expect(page.locator("h1")).to_have_text("本地停止办公日")
    cal = get_calendar()
    day = cal.next_workday(datetime.date.today() + datetime.timedelta(days=3))
    assert D(2026, 12, 1) < day < D(2027, 1, 1)  # a closure inside the open reply period
    page.fill("#id_date", day.isoformat())
    page.fill("#id_name", "台风停工")
    shot(page, "1-closure-form")
    with page.expect_navigation():
        page.locator("#add button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("按新日历重新计算期限")
    expect(page.locator("body")).to_contain_text("本地停止办公日只影响")
    shot(page, "2-closure-preview")
    page.goto("/c/alpha/supervision/closures/")
    expect(page.locator(f"tr[data-date='{day.isoformat()}']")).to_contain_text("台风停工")
    shot(page, "3-closure-list")
