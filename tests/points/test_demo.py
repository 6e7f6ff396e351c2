"""The demo: after `seed_demo` (and its suggestions), the awards and points hooks add a finished
round for the last quarter with the judges' scores, a round being scored, and a points ledger —
`points --period <last quarter> --json` prints a non-empty ranking and `--recompute` finds no
difference."""

from __future__ import annotations

import io
import json
import random

from django.core.management import call_command

from minyi.audit.services import verify_chain
from minyi.awards.demo import seed_demo_awards
from minyi.awards.models import AwardResult, AwardRound, Score
from minyi.awards.states import RoundState
from minyi.congress.models import Congress
from minyi.points.demo import seed_demo_points
from minyi.points.models import LedgerEntry, ManualEntry, MonthlyExpectation, Objection
from minyi.points.periods import Period


def test_demo_awards_and_points(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    congress = Congress.objects.get(code="demo")
    hooked = "seed_demo_points: done" in out.getvalue()  # seed_demo runs the feature seeders itself
    if hooked:
        finished, running = AwardRound.objects.filter(congress=congress).order_by("year", "quarter")
    else:
        finished, running = seed_demo_awards(congress, rng=random.Random(2026))
    last = Period.last_quarter()
    assert (finished.state, finished.period_code) == (RoundState.PUBLISHED, last.code)
    assert Score.objects.filter(nominee__round=finished).values("judge").distinct().count() == 5
    winners = AwardResult.objects.filter(round=finished, awarded=True)
    assert winners.filter(nominee__track="suggestion").count() >= 2
    assert running.state == RoundState.SCORING and Score.objects.filter(nominee__round=running).exists()

    if not hooked:
        assert seed_demo_points(congress, rng=random.Random(2026))["entries"] > 0
    assert ManualEntry.objects.filter(congress=congress, state="approved").count() >= 8
    assert ManualEntry.objects.filter(congress=congress, state__in=["submitted", "checked"]).count() == 4
    assert MonthlyExpectation.objects.filter(congress=congress).count() == 2
    assert set(Objection.objects.filter(congress=congress).values_list("state", flat=True)) == {
        "pending",
        "corrected",
    }
    assert LedgerEntry.objects.filter(congress=congress, event="suggestion_awarded").exists()

    out, err = io.StringIO(), io.StringIO()
    call_command("points", "--congress", "demo", "--period", last.code, "--json", stdout=out, stderr=err)
    ranking = json.loads(out.getvalue())
    assert ranking and ranking[0]["points"] > 0
    assert set(ranking[0]) == {"rank", "deputy_number", "name", "group", "points", "entries"}
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "points", "--congress", "demo", "--period", last.code, "--recompute", "--json", stdout=out, stderr=err
    )
    assert "no difference" in err.getvalue()
    assert json.loads(out.getvalue()) == ranking
    assert verify_chain().ok
    assert AwardRound.objects.filter(congress=congress).count() == 2
