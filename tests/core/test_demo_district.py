"""The demo is a believable district (issue #12): matters go to the unit whose work they are, 2023
is a closed year like the model district's report, this year is spread over its months with green,
yellow and red items, ten key themes have leaders and records, and award rounds nominate suggestions
of their own quarter, and the awards and points are alive (a published round, one being scored, a
ledger whose recount finds no difference).

The whole demo is seeded once, on a pinned day (2026-11-20, a Friday), and every check looks at it."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from minyi.audit.services import verify_chain
from minyi.awards.demo import quarter_day
from minyi.awards.models import AwardResult, AwardRound, Nominee, Score
from minyi.awards.states import RoundState
from minyi.congress.defaults import CATEGORIES, THEMES
from minyi.congress.models import Congress
from minyi.core import demo_district as district
from minyi.core.periods import Period
from minyi.intake.models import Opinion
from minyi.points.models import LedgerEntry, ManualEntry, MonthlyExpectation, Objection
from minyi.suggestions.models import Assignment, Deadline, Suggestion
from minyi.supervision.models import KeyTheme, SupervisionRecord
from minyi.supervision.selectors import board_counts, watched_deadlines
from minyi.supervision.warnings import WarningClock

TODAY = datetime.date(2026, 11, 20)


# --- the declared table (no database) ------------------------------------------------------------


def test_every_topic_and_concern_goes_to_a_unit_whose_work_it_is():
    for topic in district.TOPICS:
        assert topic.category in CATEGORIES and (not topic.theme or topic.theme in THEMES), topic.title
        assert district.allowed(topic.lead, topic.category), topic.title
        text = topic.title + topic.facts + topic.proposals + topic.answer
        assert district.health_text_ok(text, topic.lead), topic.title
        assert set(topic.co) <= set(district.UNIT_CATEGORIES), topic.title
        assert topic.title.startswith("关于") and topic.title.endswith("的建议"), topic.title
    for concern in district.CONCERNS:
        assert district.allowed(concern.unit, concern.category), concern.content
        assert district.health_text_ok(concern.content + concern.title, concern.unit), concern.content
    assert set(district.THEME_PLANS) == set(THEMES) and len(THEMES) == 10
    for name, plan in district.THEME_PLANS.items():
        assert plan.lead in district.UNIT_CATEGORIES and district.topics_of_theme(name), name


def test_the_rule_refuses_what_it_should():
    assert not district.allowed("区商务局", "卫生健康")
    assert district.allowed("区卫健委", "卫生健康")
    assert not district.allowed("不存在的单位", "其他")
    assert not district.health_text_ok("关于加强农村卫生院医疗设备配置的建议", "区商务局")
    assert district.health_text_ok("关于加强农村卫生院医疗设备配置的建议", "区卫健委")
    assert district.health_text_ok("关于优化营商环境的建议", "区商务局")


# --- the seeded demo -----------------------------------------------------------------------------


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.delenv("MINYI_DEMO_SUPERUSER", raising=False)
    moment = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10)))
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=StringIO())
        yield Congress.objects.get(code="demo")


def check_handling_units_follow_the_text(congress):
    leads = (
        Assignment.objects.filter(suggestion__congress=congress, role__in=["lead", "split"])
        .exclude(state="cancelled")
        .select_related("unit", "suggestion__category")
    )
    checked = 0
    for a in leads:
        s, unit = a.suggestion, a.unit.short_name or a.unit.name
        assert s.category is not None, s.title
        assert district.allowed(unit, s.category.name), (s.title, s.category.name, unit)
        assert district.health_text_ok(s.title + s.facts + s.proposals, unit), (s.title, unit)
        checked += 1
    assert checked > 382 + 60  # 2023 and this year
    titles = set(Suggestion.objects.filter(congress=congress).values_list("title", flat=True))
    assert all(t.startswith("关于") and t.endswith("的建议") for t in titles), titles
    # deputies word the same matter differently: a year's list does not repeat a title much
    for year, most in [(2023, 3), (TODAY.year, 2)]:
        per_title = Counter(
            Suggestion.objects.filter(congress=congress, accepted_at__year=year).values_list(
                "title", flat=True
            )
        )
        assert max(per_title.values()) <= most, (year, per_title.most_common(3))


def check_opinions_match_their_answers(congress):
    by_content = {c.content: c for c in district.CONCERNS}
    opinions = Opinion.objects.filter(congress=congress).select_related("forwarded_to", "category")
    assert opinions.exists()
    for o in opinions:
        concern = by_content[o.content]
        assert o.category is not None and o.category.name == concern.category
        if o.answer:
            assert o.answer == concern.spot_answer
        if o.forwarded_to is not None:
            assert (o.forwarded_to.short_name or o.forwarded_to.name) == concern.unit
        if o.unit_answer:
            assert o.unit_answer == concern.unit_answer


def check_2023_is_a_closed_year_like_the_report(congress):
    out = StringIO()
    call_command("stats", "--congress", congress.code, "--year", "2023", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["suggestions"] == 382
    assert data["participation_rate"] == 1.0
    assert 0.89 <= data["completion_rate"] <= 0.93
    assert 0.96 <= data["satisfaction_rate"] <= 0.995
    assert data["grassroots_share"] > 0.9
    # nothing of 2023 is still open: not on the supervision board, not in anyone's to-do; the 91% is
    # the district's strict 办结 (closed with the deputy satisfied or basically satisfied)
    assert not watched_deadlines(congress).filter(suggestion__accepted_at__year=2023).exists()
    assert not Suggestion.objects.filter(congress=congress, accepted_at__year=2023).exclude(state="closed")
    assert congress.policy.completion_definition == "closed_satisfied"


def check_this_year_is_spread_over_its_months(congress):
    accepted = Suggestion.objects.filter(congress=congress, accepted_at__year=TODAY.year)
    months = {timezone.localtime(s.accepted_at).month for s in accepted}
    assert months == set(range(1, TODAY.month + 1))
    clock = WarningClock.for_congress(congress)
    totals = board_counts(congress, clock.bounds).totals
    assert totals.red >= 3 and totals.yellow >= 2 and totals.green >= 10, totals
    # most answers of the year came on time, a few late
    replies = Deadline.objects.filter(
        congress=congress, kind=Deadline.Kind.REPLY, started_on__year=TODAY.year, closed_at__isnull=False
    )
    on_time = replies.filter(closed_on_time=True).count()
    assert replies.count() >= 40 and 0.75 <= on_time / replies.count() < 1
    assert accepted.filter(state="closed").count() >= 30


def check_ten_key_themes_with_leaders_and_records(congress):
    themes = KeyTheme.objects.filter(congress=congress, year=TODAY.year)
    assert sorted(themes.values_list("name", flat=True)) == sorted(THEMES)
    for theme in themes:
        assert theme.leader_display, theme.name
        lead = theme.lead_unit.short_name or theme.lead_unit.name
        assert lead == district.THEME_PLANS[theme.name].lead, theme.name
        assert SupervisionRecord.objects.filter(theme=theme).exists(), theme.name
        assert theme.suggestions.exists(), theme.name
    assert themes.filter(supervising_leader_name__startswith="常委会主任").count() == 2
    chairs = {
        t.supervising_leader_name for t in themes.filter(supervising_leader_name__startswith="常委会主任")
    }
    assert len(chairs) == 1  # one chair leads two themes


def check_award_rounds_nominate_their_own_quarter(congress):
    rounds = AwardRound.objects.filter(congress=congress)
    assert rounds.count() == 2
    for award_round in rounds:
        period = Period(award_round.year, award_round.quarter)
        nominees = Nominee.objects.filter(round=award_round, suggestion__isnull=False).select_related(
            "suggestion"
        )
        assert nominees.exists()
        for n in nominees:
            assert period.contains(quarter_day(n.suggestion)), (str(period), n.suggestion.title)


def check_awards_and_points_are_alive(congress):
    """The awards and points seeders add a finished round for the last quarter with the judges'
    scores, a round being scored, and a points ledger: `points --period <last quarter> --json`
    prints a non-empty ranking and `--recompute` finds no difference."""
    finished, running = AwardRound.objects.filter(congress=congress).order_by("year", "quarter")
    last = Period.last_quarter()
    assert (finished.state, finished.period_code) == (RoundState.PUBLISHED, last.code)
    assert Score.objects.filter(nominee__round=finished).values("judge").distinct().count() == 5
    winners = AwardResult.objects.filter(round=finished, awarded=True)
    assert winners.filter(nominee__track="suggestion").count() >= 2
    assert running.state == RoundState.SCORING and Score.objects.filter(nominee__round=running).exists()

    assert ManualEntry.objects.filter(congress=congress, state="approved").count() >= 8
    assert ManualEntry.objects.filter(congress=congress, state__in=["submitted", "checked"]).count() == 4
    assert MonthlyExpectation.objects.filter(congress=congress).count() == 2
    assert set(Objection.objects.filter(congress=congress).values_list("state", flat=True)) == {
        "pending",
        "corrected",
    }
    assert LedgerEntry.objects.filter(congress=congress, event="suggestion_awarded").exists()

    out, err = StringIO(), StringIO()
    call_command("points", "--congress", "demo", "--period", last.code, "--json", stdout=out, stderr=err)
    ranking = json.loads(out.getvalue())
    assert ranking and ranking[0]["points"] > 0
    assert set(ranking[0]) == {"rank", "deputy_number", "name", "group", "points", "entries"}
    out, err = StringIO(), StringIO()
    call_command(
        "points", "--congress", "demo", "--period", last.code, "--recompute", "--json", stdout=out, stderr=err
    )
    assert "no difference" in err.getvalue()
    assert json.loads(out.getvalue()) == ranking
    assert verify_chain().ok


def test_the_demo_is_a_believable_district(demo):
    check_handling_units_follow_the_text(demo)
    check_opinions_match_their_answers(demo)
    check_2023_is_a_closed_year_like_the_report(demo)
    check_this_year_is_spread_over_its_months(demo)
    check_ten_key_themes_with_leaders_and_records(demo)
    check_award_rounds_nominate_their_own_quarter(demo)
    check_awards_and_points_are_alive(demo)
