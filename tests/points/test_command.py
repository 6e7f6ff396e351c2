"""`manage.py points`: the ranking as JSON or text, --recompute reporting exactly the differences
between the stored ledger and the recomputation (and then none), --all, and the refusals."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from minyi.congress.models import DeputyGroup, LiaisonStation
from minyi.intake import actions as IA
from minyi.points import actions as P
from minyi.points.models import LedgerEntry

from .conftest import TODAY, deputy


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("points", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _attend(w, day, deputies):
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    return IA.do_record_event(
        station,
        actor=w.liaison,
        data=IA.EventInput(kind="reception", date=day, title="接待选民", deputies=deputies),
    )


def test_ranking_and_recompute(world):
    w = world
    d = deputy(w.deputy)
    event = _attend(w, datetime.date(2026, 8, 6), [d])
    out, err = run("--congress", "alpha", "--period", "2026Q3", "--recompute")
    assert "1 differences in 2026Q3 (added 1, removed 0, changed 0)" in err
    assert f"+ event:{event.pk}:{d.pk} +2 (2026-08-06)" in err
    assert "2026年第三季度" in out and "A001" in out
    out, err = run("--congress", "alpha", "--period", "2026Q3", "--recompute", "--json")
    assert "no difference" in err
    rows = json.loads(out)
    assert rows[0] == {
        "rank": 1,
        "deputy_number": "A001",
        "name": "领衔代表",
        "group": "",
        "points": 2,
        "entries": 1,
    }
    assert rows[1]["points"] == 0 and rows[1]["rank"] == 2
    # a tampered ledger is found and repaired
    LedgerEntry.objects.filter(deputy=d).update(points=9)
    _out, err = run("--congress", "alpha", "--period", "2026Q3", "--recompute")
    assert f"~ event:{event.pk}:{d.pk} +9 → +2" in err
    assert LedgerEntry.objects.get(deputy=d).points == 2
    # differences elsewhere in the year are counted, not listed
    _attend(w, TODAY - datetime.timedelta(days=1), [d])
    _out, err = run("--congress", "alpha", "--period", "2026Q3", "--recompute")
    assert "0 differences in 2026Q3" in err and "1 elsewhere in 2026" in err


def test_group_year_and_all(world):
    w = world
    group = DeputyGroup.objects.create(congress=w.congress, name="城关代表小组")
    d = deputy(w.deputy)
    d.group = group
    d.save()
    _attend(w, datetime.date(2026, 3, 2), [d])
    out, _err = run("--all")
    assert "alpha: 1 changed entries" in out
    out, _err = run("--congress", "alpha", "--period", "2026", "--group", "城关代表小组", "--json")
    assert [r["deputy_number"] for r in json.loads(out)] == ["A001"]
    P.sync_ledger(w.congress, 2026)
    for args in (
        ["--congress", "nope"],
        ["--congress", "alpha", "--period", "2026Q7"],
        ["--congress", "alpha", "--group", "不存在"],
        [],
    ):
        with pytest.raises(CommandError):
            run(*args)
