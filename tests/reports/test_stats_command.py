"""`manage.py stats`: the JSON keys, rates as unrounded fractions, nulls for empty denominators, the
definitions, the scopes and every refusal."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from minyi.congress.models import Session, Term
from minyi.reports.figures import SPECS

from .scenario import EXPECTED, as_value, build_year

d = datetime.date
REQUIRED = [
    "suggestions",
    "deputies_in_office",
    "participating_deputies",
    "participation_rate",
    "grassroots_share",
    "on_time_assignment_rate",
    "on_time_reply_rate",
    "contact_rate",
    "completion_rate",
    "satisfaction_rate",
    "first_round_satisfaction_rate",
    "resolution_rate",
    "commitment_fulfilment_rate",
    "definitions",
]


def stats(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def stats_json(*args: str) -> dict:
    return json.loads(stats(*args, "--json"))


def test_json_has_every_figure_with_the_hand_counted_values(build):
    build_year(build)
    data = stats_json("--congress", "alpha", "--year", "2025", "--as-of", "2025-12-31")
    for key in REQUIRED:
        assert key in data, key
    for spec in SPECS:
        assert data[spec.key] == as_value(EXPECTED[spec.key]), spec.key
        assert data["definitions"][spec.key]
        part = data["figures"][spec.key]
        expected = EXPECTED[spec.key]
        if spec.rate:
            assert (part["numerator"], part["denominator"]) == expected
        else:
            assert part["numerator"] == expected and part["denominator"] is None
    assert data["participation_rate"] == 4 / 6  # unrounded
    assert isinstance(data["suggestions"], int)
    assert data["scope"]["start"] == "2025-01-01" and data["scope"]["as_of"] == "2025-12-31"
    assert data["policy"] == {"completion_definition": "closed", "no_feedback_excluded": True}
    assert data["congress"] == "alpha"


def test_empty_denominators_are_null(build):
    data = stats_json("--congress", "alpha", "--year", "2030")
    assert data["suggestions"] == 0
    for key in REQUIRED[5:-1]:
        assert data[key] is None, key
    assert data["deputies_in_office"] == 2 and data["participation_rate"] == 0.0
    raw = stats("--congress", "alpha", "--year", "2030", "--json")
    assert '"satisfaction_rate": null' in raw


def test_unit_and_range_options(build):
    build_year(build)
    by_name = stats_json(
        "--congress", "alpha", "--year", "2025", "--unit", "甲区教育局", "--as-of", "2025-12-31"
    )
    by_id = stats_json(
        "--congress", "alpha", "--year", "2025", "--unit", str(build.w.unit_b.pk), "--as-of", "2025-12-31"
    )
    assert by_name == by_id
    assert by_name["suggestions"] == 2 and by_name["satisfaction_rate"] is None
    assert by_name["scope"]["unit"] == build.w.unit_b.pk
    march = stats_json(
        "--congress", "alpha", "--from", "2025-03-01", "--to", "2025-03-31", "--as-of", "2025-12-31"
    )
    assert march["suggestions"] == 3
    session = stats_json("--congress", "alpha", "--year", "2025", "--kind", "session")
    assert session["suggestions"] == 1
    body = stats_json("--congress", "alpha", "--year", "2025", "--body", build.w.gov.name)
    assert body["suggestions"] == 5


def test_term_session_and_league(build):
    build_year(build)
    term = Term.objects.create(congress=build.w.congress, number=18, start_date=d(2022, 1, 1))
    Session.objects.create(term=term, number=4, start_date=d(2025, 1, 8), end_date=d(2025, 1, 11))
    assert stats_json("--congress", "alpha", "--term", "18")["suggestions"] == 6
    data = stats_json("--congress", "alpha", "--term", "18", "--session", "4", "--league", "--min-count", "1")
    assert data["suggestions"] == 6
    assert [row["name"] for row in data["league"]["ranked"]] == ["甲区住房和城乡建设局", "甲区教育局"]
    assert data["league"]["ranked"][0]["satisfaction"] == {
        "numerator": 3,
        "denominator": 3,
        "value": 1.0,
        "low": pytest.approx(0.4385, abs=5e-5),
        "high": 1.0,
    }


def test_table_output(build):
    build_year(build)
    text = stats("--congress", "alpha", "--year", "2025", "--as-of", "2025-12-31", "--league")
    assert "建议数（立案）" in text and "66.7%" in text and "甲区住房和城乡建设局" in text
    assert "—" in stats("--congress", "alpha", "--year", "2030")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--congress", "nope"], "no congress"),
        (["--congress", "alpha", "--from", "2025-01-01"], "--from needs --to"),
        (["--congress", "alpha", "--to", "2025-01-01"], "--to needs --from"),
        (["--congress", "alpha", "--from", "2025-02-01", "--to", "2025-01-01"], "after"),
        (["--congress", "alpha", "--from", "2025-13-01", "--to", "2025-12-31"], "not a date"),
        (["--congress", "alpha", "--as-of", "yesterday"], "not a date"),
        (["--congress", "alpha", "--unit", "没有这个单位"], "no single unit"),
        (["--congress", "alpha", "--body", "甲区住房和城乡建设局"], "no single body"),
        (["--congress", "alpha", "--session", "1"], "--session needs --term"),
        (["--congress", "alpha", "--term", "99"], "no such term"),
        (["--congress", "beta", "--unit", "甲区教育局"], "no single unit"),  # another congress's unit
    ],
)
def test_refusals(world, args, message):
    with pytest.raises(CommandError, match=message):
        stats(*args)


def test_year_and_range_are_exclusive(world):
    with pytest.raises(CommandError):
        stats("--congress", "alpha", "--year", "2025", "--from", "2025-01-01", "--to", "2025-02-01")


def test_key_options(build):
    from minyi.supervision.actions import do_add_theme_suggestion, do_create_theme

    year = build_year(build)
    theme = do_create_theme(
        build.w.congress, actor=build.w.admin, year=2025, name="物业管理", supervising_leader_name="王某某"
    )
    do_add_theme_suggestion(theme, actor=build.w.admin, suggestion=year.s["S4"])
    assert stats_json("--congress", "alpha", "--year", "2025", "--key", "yes")["suggestions"] == 1
    assert stats_json("--congress", "alpha", "--year", "2025", "--key", "no")["suggestions"] == 5
    data = stats_json("--congress", "alpha", "--year", "2025", "--key-theme", str(theme.pk))
    assert data["suggestions"] == 1 and data["scope"]["key_theme"] == theme.pk
    with pytest.raises(CommandError, match="no key theme"):
        stats("--congress", "beta", "--key-theme", str(theme.pk))
