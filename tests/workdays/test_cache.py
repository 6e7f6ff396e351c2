"""`get_calendar()` must never serve a stale calendar: not after an edit made by another process
(which cannot clear this process's copy), not after a rolled-back edit, not under frozen time."""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from minyi.workdays import services
from minyi.workdays.actions import do_remove_special_day, do_set_special_day
from minyi.workdays.models import CalendarYear, SpecialDay
from minyi.workdays.services import get_calendar, invalidate_calendar, load_calendar

D = datetime.date
FROZEN = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)
ROOT = Path(__file__).resolve().parents[2]


def _root():
    """A platform administrator (superuser): the only one who edits the national calendar."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(
        username="platform_root", defaults={"is_superuser": True, "is_staff": True}
    )[0]


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_a_warm_calendar_costs_one_small_query(django_assert_num_queries):
    get_calendar()
    with django_assert_num_queries(1):
        cal = get_calendar()
    assert cal == load_calendar()


@pytest.mark.django_db
def test_an_edit_that_did_not_clear_this_process_is_still_seen():
    """Like an edit committed by another web worker: this process's copy is not told about it."""
    before = get_calendar()
    assert before.is_workday(D(2026, 3, 2))
    # Written behind the cache's back, as another process would (no invalidate_calendar here).
    CalendarYear.objects.filter(year=2026).update(version=F("version") + 1, revision=uuid.uuid4())
    SpecialDay.objects.create(date=D(2026, 3, 2), year_id=2026, kind=SpecialDay.Kind.HOLIDAY, name="测试")
    after = get_calendar()
    assert not after.is_workday(D(2026, 3, 2))
    assert after.version != before.version


@pytest.mark.django_db
def test_actions_are_seen_at_once_even_before_commit_callbacks(world):
    get_calendar()
    do_set_special_day(D(2026, 3, 2), actor=_root(), kind="holiday", name="测试")  # on_commit never runs here
    assert not get_calendar().is_workday(D(2026, 3, 2))
    do_remove_special_day(D(2026, 3, 2), actor=_root())
    assert get_calendar().is_workday(D(2026, 3, 2))
    do_set_special_day(D(2031, 10, 1), actor=_root(), kind="holiday", name="国庆节")
    cal = get_calendar()
    assert 2031 in cal.entered_years and not cal.is_workday(D(2031, 10, 1))


@pytest.mark.django_db
def test_rolled_back_edits_under_frozen_time_never_leak(world):
    """Two different edits of the same year, each rolled back, at the same frozen instant (as in
    deadline tests): same versions, same updated_at — the second must still see its own data."""
    with time_machine.travel(FROZEN, tick=False):
        original = get_calendar()
        with pytest.raises(Rollback), transaction.atomic():
            do_set_special_day(D(2026, 3, 2), actor=_root(), kind="holiday", name="甲")
            assert not get_calendar().is_workday(D(2026, 3, 2))
            raise Rollback
        assert get_calendar() == original
        with pytest.raises(Rollback), transaction.atomic():
            do_set_special_day(D(2026, 3, 3), actor=_root(), kind="holiday", name="乙")
            cal = get_calendar()
            assert not cal.is_workday(D(2026, 3, 3))
            assert cal.is_workday(D(2026, 3, 2))
            raise Rollback
        assert get_calendar() == original


@pytest.mark.django_db
def test_version_changes_with_every_edit_and_stays_short(world):
    seen = {get_calendar().version}
    for day in (D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4)):
        do_set_special_day(day, actor=_root(), kind="holiday", name="测试")
        seen.add(get_calendar().version)
    do_remove_special_day(D(2026, 3, 2), actor=_root())
    seen.add(get_calendar().version)
    assert len(seen) == 5
    assert all(isinstance(v, str) and 0 < len(v) <= 16 for v in seen)


@pytest.mark.django_db
def test_actions_drop_the_cache_on_commit(world, django_capture_on_commit_callbacks):
    get_calendar()
    with django_capture_on_commit_callbacks() as callbacks:
        do_set_special_day(D(2026, 3, 2), actor=_root(), kind="holiday", name="测试")
    assert invalidate_calendar in callbacks
    with django_capture_on_commit_callbacks(execute=True):
        do_remove_special_day(D(2026, 3, 2), actor=_root())
    assert services._memo is None  # forgotten; the next call rebuilds it
    assert get_calendar().is_workday(D(2026, 3, 2))


@pytest.mark.django_db
def test_a_fresh_process_uses_the_shared_cache(django_assert_num_queries):
    get_calendar()
    services._memo = None  # what a new worker process starts with
    with django_assert_num_queries(1):  # the stamp; the calendar itself comes from the cache
        cal = get_calendar()
    assert cal == load_calendar()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs a database that a second process can open (the SQLite test database is in memory)",
)
# No serialized_rollback: it clashes with content types re-created by an earlier flush, and the
# calendar this test needs is put back after every flush by tests/conftest.py.
@pytest.mark.django_db(transaction=True)
def test_an_edit_committed_by_another_process_is_seen():
    assert get_calendar().is_workday(D(2026, 3, 2))
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    code = (
        "import datetime; from minyi.workdays.actions import do_set_special_day; "
        "do_set_special_day(datetime.date(2026, 3, 2), actor=None, kind='holiday', name='另一进程')"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    cal = get_calendar()
    assert not cal.is_workday(D(2026, 3, 2))
