"""Rankings (亮分) per quarter, year and group with shared ranks, and the monthly expectations table
(only accepted suggestions count)."""

from __future__ import annotations

import datetime

import pytest

from minyi.congress.models import Deputy, DeputyGroup, LiaisonStation
from minyi.core.errors import NotPermitted, ValidationFailed
from minyi.intake import actions as IA
from minyi.points import actions as P
from minyi.points import selectors as PS
from minyi.points.models import MonthlyExpectation
from minyi.points.periods import Period
from minyi.suggestions import actions as SA

from .conftest import TODAY, deputy, make_deputy, travel


def _attend(w, day, deputies):
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    IA.do_record_event(
        station,
        actor=w.liaison,
        data=IA.EventInput(kind="reception", date=day, title="接待选民", deputies=deputies),
    )


def test_ranking_shares_ranks_and_includes_everyone_in_office(world):
    w = world
    a, b = deputy(w.deputy), deputy(w.cosigner)
    c = deputy(make_deputy(w.congress, "c", number="A003"))
    d = deputy(make_deputy(w.congress, "d", number="A004"))
    gone = deputy(make_deputy(w.congress, "gone", number="A005", in_office_to=datetime.date(2025, 6, 30)))
    group = DeputyGroup.objects.create(congress=w.congress, name="东城代表小组")
    Deputy.objects.filter(pk__in=[a.pk, c.pk]).update(group=group)
    for day in (datetime.date(2026, 10, 8), datetime.date(2026, 10, 15)):
        _attend(w, day, [a, b])
    _attend(w, datetime.date(2026, 11, 5), [c])
    _attend(w, datetime.date(2026, 8, 5), [d])
    P.sync_ledger(w.congress, 2026)
    q4 = PS.ranking(w.congress, Period(2026, 4))
    assert [(r.deputy.number, r.points, r.entries, r.rank) for r in q4] == [
        ("A001", 4, 2, 1),
        ("A002", 4, 2, 1),
        ("A003", 2, 1, 3),
        ("A004", 0, 0, 4),
    ]
    assert gone.pk not in [r.deputy.pk for r in q4]  # left office before the period
    year = PS.ranking(w.congress, Period(2026))
    assert [(r.deputy.number, r.points, r.rank) for r in year] == [
        ("A001", 4, 1),
        ("A002", 4, 1),
        ("A003", 2, 3),
        ("A004", 2, 3),
    ]
    in_group = PS.ranking(w.congress, Period(2026, 4), group=group)
    assert [(r.deputy.number, r.rank) for r in in_group] == [("A001", 1), ("A003", 2)]
    assert q4[0].as_dict() == {
        "rank": 1,
        "deputy_number": "A001",
        "name": "领衔代表",
        "group": "东城代表小组",
        "points": 4,
        "entries": 2,
    }


def test_periods():
    assert Period.parse("2026Q3") == Period(2026, 3)
    assert Period.parse(" 2026 ") == Period(2026, None)
    for bad in ("2026Q5", "26Q1", "", "1999", "2026-3"):
        with pytest.raises(ValueError):
            Period.parse(bad)
    assert (Period(2026, 1).start, Period(2026, 1).end) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )
    assert Period(2026, 4).end == datetime.date(2026, 12, 31) and Period(2026).end == datetime.date(
        2026, 12, 31
    )
    assert Period.last_quarter(datetime.date(2026, 2, 1)) == Period(2025, 4)
    assert Period.last_quarter(datetime.date(2026, 11, 28)).code == "2026Q3"


def _accepted_on(loop, day):
    with travel(day):
        return loop.drive.to("accepted")


def test_monthly_expectations_count_only_accepted_suggestions(loop):
    w = loop.w
    d = deputy(w.deputy)
    with pytest.raises(NotPermitted):
        P.do_set_expectation(
            w.congress, actor=w.clerk, deputy=d, per_month=1, start_month=datetime.date(2026, 9, 1)
        )
    with pytest.raises(ValidationFailed):
        P.do_set_expectation(
            w.congress, actor=w.admin, deputy=d, per_month=0, start_month=datetime.date(2026, 9, 1)
        )
    e = P.do_set_expectation(
        w.congress, actor=w.admin, deputy=d, per_month=1, start_month=datetime.date(2026, 9, 15), note="区长"
    )
    assert e.start_month == datetime.date(2026, 9, 1)
    _accepted_on(loop, datetime.date(2026, 9, 10))
    with travel(datetime.date(2026, 10, 12)):
        loop.drive.to("submitted")  # written in October but never accepted
        withdrawn = loop.drive.to("accepted")
        SA.do_withdraw_suggestion(withdrawn, actor=w.deputy, reason="已解决")
    _accepted_on(loop, datetime.date(2026, 11, 3))
    (row,) = PS.expectation_table(w.congress, 2026)
    cells = {c.month.month: (c.expected, c.written, c.met) for c in row.cells}
    assert cells[8] == (None, 0, None)  # before the expectation
    assert cells[9] == (1, 1, True)
    assert cells[10] == (1, 0, False)
    assert cells[11] == (1, 1, None)  # the current month is not judged yet
    assert cells[12] == (None, 0, None)  # still to come
    assert (row.met_months, row.due_months) == (1, 2)

    with pytest.raises(ValidationFailed) as info:
        P.do_set_expectation(
            w.congress, actor=w.admin, deputy=d, per_month=2, start_month=datetime.date(2026, 9, 1)
        )
    assert info.value.code == "overlap"
    P.do_set_expectation(
        w.congress, actor=w.admin, deputy=d, per_month=2, start_month=datetime.date(2026, 11, 1)
    )
    e.refresh_from_db()
    assert e.end_month == datetime.date(2026, 10, 1)
    (row,) = PS.expectation_table(w.congress, 2026)
    assert {c.month.month: c.expected for c in row.cells}[11] == 2
    latest = MonthlyExpectation.objects.get(deputy=d, end_month__isnull=True)
    with pytest.raises(ValidationFailed):
        P.do_end_expectation(latest, actor=w.admin, end_month=datetime.date(2026, 10, 1))
    P.do_end_expectation(latest, actor=w.admin, end_month=datetime.date(2026, 11, 1))
    assert PS.expectation_table(w.congress, 2027) == []
    assert TODAY.month == 11
