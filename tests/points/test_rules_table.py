"""Every rule of the points table: role values, caps (per year and per quarter, also for penalties),
deduplication (once per suggestion; merged suggestions once), penalties, validity dates — and the
rule table's own refusals."""

from __future__ import annotations

import datetime

import pytest

from minyi.congress.models import LiaisonStation
from minyi.core.errors import NotPermitted, ValidationFailed
from minyi.intake import actions as IA
from minyi.points import actions as P
from minyi.points.events import DEFAULT_RULES
from minyi.points.models import LedgerEntry, PointsRule
from minyi.suggestions import actions as SA
from minyi.supervision import actions as SV
from tests.suggestions.conftest import content

from .conftest import TODAY, accept, deputy, ledger, make_deputy, pending, replace_rule, travel


def sync(w, year=TODAY.year):
    return P.sync_ledger(w.congress, year)


def test_default_rules_are_seeded_once_and_audited(world):
    w = world
    assert not PointsRule.objects.filter(congress=w.congress).exists()
    sync(w)
    assert PointsRule.objects.filter(congress=w.congress).count() == len(DEFAULT_RULES)
    assert P.ensure_default_rules(w.congress) == []
    lead = PointsRule.objects.get(congress=w.congress, event="suggestion_accepted", role="lead")
    assert (lead.points, lead.cap, lead.cap_period, lead.valid_to) == (3, 30, "year", None)


def test_role_values_lead_and_cosigner(loop):
    w = loop.w
    lead, co = deputy(w.deputy), deputy(w.cosigner)
    s = accept(loop, cosign=True)
    theme = SV.do_create_theme(
        w.congress, actor=w.admin, year=2026, name="物业管理", supervising_leader_name="王主任"
    )
    SV.do_add_theme_suggestion(theme, actor=w.admin, suggestion=s)
    sync(w)
    assert ledger(w.congress, lead) == {
        f"sugg:{s.pk}:suggestion_accepted:{lead.pk}": 3,
        f"sugg:{s.pk}:suggestion_key:{lead.pk}": 3,
    }
    assert ledger(w.congress, co) == {
        f"sugg:{s.pk}:suggestion_accepted:{co.pk}": 1,
        f"sugg:{s.pk}:suggestion_key:{co.pk}": 1,
    }
    roles = set(LedgerEntry.objects.filter(deputy=co).values_list("role", flat=True))
    assert roles == {"cosigner"}


def test_evaluation_points_go_to_the_lead_only(loop):
    w = loop.w
    s = loop.drive.to("evaluated", cosign=True)
    sync(w)
    lead, co = deputy(w.deputy), deputy(w.cosigner)
    assert ledger(w.congress, lead)[f"eval:{s.pk}:evaluation_on_time:{lead.pk}"] == 1
    assert not [k for k in ledger(w.congress, co) if k.startswith("eval:")]


def test_year_cap(loop):
    w = loop.w
    replace_rule(w, "suggestion_accepted", "lead", points=3, cap=5, cap_period="year")
    made = [accept(loop) for _ in range(3)]
    sync(w)
    lead = deputy(w.deputy)
    rows = list(LedgerEntry.objects.filter(deputy=lead, event="suggestion_accepted").order_by("key"))
    by_suggestion = {int(r.key.split(":")[1]): (r.points, r.raw_points, r.adjustment) for r in rows}
    assert [by_suggestion[s.pk] for s in made] == [(3, 3, ""), (2, 3, "capped"), (0, 3, "capped")]
    # the cap starts again the next year
    with travel(datetime.date(2027, 1, 6)):
        nxt = accept(loop)
        sync(w, 2027)
    assert ledger(w.congress, lead, year=2027) == {f"sugg:{nxt.pk}:suggestion_accepted:{lead.pk}": 3}


def _event(w, day, deputies, title="局长·代表面对面"):
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    return IA.do_record_event(
        station,
        actor=w.liaison,
        data=IA.EventInput(kind="face_to_face", date=day, title=title, deputies=deputies),
    )


def test_quarter_cap_on_attendance(world):
    w = world
    d = deputy(w.deputy)
    q3 = [_event(w, datetime.date(2026, 8, day), [d]) for day in (3, 10, 17, 24, 31)]
    q4 = _event(w, datetime.date(2026, 10, 9), [d])
    sync(w)
    got = ledger(w.congress, d)
    assert [got[f"event:{e.pk}:{d.pk}"] for e in q3] == [2, 2, 2, 2, 0]  # cap 8 per quarter
    assert got[f"event:{q4.pk}:{d.pk}"] == 2
    # an event that has not happened yet does not count (yet)
    future = _event(w, TODAY + datetime.timedelta(days=5), [d])
    sync(w)
    assert f"event:{future.pk}:{d.pk}" not in ledger(w.congress, d)
    with travel(TODAY + datetime.timedelta(days=6)):
        assert [e.key for e in pending(w.congress).added] == [f"event:{future.pk}:{d.pk}"]


def _no_feedback(loop):
    s = loop.drive.to("replied")
    with travel(TODAY + datetime.timedelta(days=30)):
        SA.do_mark_no_feedback(s, actor=None)
    return s


def test_penalty_and_penalty_cap(loop):
    w = loop.w
    replace_rule(w, "evaluation_missed", "lead", points=-2, cap=3, cap_period="year")
    first, second = _no_feedback(loop), _no_feedback(loop)
    with travel(TODAY + datetime.timedelta(days=30)):
        sync(w)
    lead = deputy(w.deputy)
    got = ledger(w.congress, lead)
    assert got[f"eval:{first.pk}:evaluation_missed:{lead.pk}"] == -2
    assert got[f"eval:{second.pk}:evaluation_missed:{lead.pk}"] == -1  # at most 3 taken a year
    entry = LedgerEntry.objects.get(key=f"eval:{second.pk}:evaluation_missed:{lead.pk}")
    assert (entry.raw_points, entry.adjustment, entry.date) == (
        -2,
        "capped",
        TODAY + datetime.timedelta(days=30),
    )


def test_validity_dates(loop):
    w = loop.w
    P.ensure_default_rules(w.congress)
    lead_rule = PointsRule.objects.get(congress=w.congress, event="suggestion_accepted", role="lead")
    co_rule = PointsRule.objects.get(congress=w.congress, event="suggestion_accepted", role="cosigner")
    new_rule = P.do_replace_rule(lead_rule, actor=w.admin, from_date=datetime.date(2026, 10, 1), points=5)
    P.do_end_rule(co_rule, actor=w.admin, valid_to=datetime.date(2026, 9, 30))
    with travel(datetime.date(2026, 9, 30)):
        before = accept(loop, cosign=True)
    with travel(datetime.date(2026, 10, 1)):
        after = accept(loop, cosign=True)
    sync(w)
    lead, co = deputy(w.deputy), deputy(w.cosigner)
    assert ledger(w.congress, lead) == {
        f"sugg:{before.pk}:suggestion_accepted:{lead.pk}": 3,
        f"sugg:{after.pk}:suggestion_accepted:{lead.pk}": 5,
    }
    assert ledger(w.congress, co) == {f"sugg:{before.pk}:suggestion_accepted:{co.pk}": 1}
    assert (
        LedgerEntry.objects.get(key=f"sugg:{after.pk}:suggestion_accepted:{lead.pk}").rule_id == new_rule.pk
    )
    lead_rule.refresh_from_db()
    assert lead_rule.valid_to == datetime.date(2026, 9, 30)


def test_merged_suggestions_count_once(loop):
    w = loop.w
    lead = deputy(w.deputy)
    main = accept(loop)
    dup = loop.drive.to("submitted")  # the same lead's duplicate, merged during review
    SA.do_merge_suggestion(dup, actor=w.clerk, into=main)
    late = accept(loop)  # accepted on its own first, merged afterwards
    SA.do_merge_suggestion(late, actor=w.clerk, into=main)
    third_user = make_deputy(w.congress, "third", number="A003")
    third = deputy(third_user)
    other = SA.do_create_suggestion(w.congress, actor=third_user, content=content(loop.taxa))
    SA.do_submit_suggestion(other, actor=third_user)
    SA.do_merge_suggestion(other, actor=w.clerk, into=main)
    sync(w)
    assert ledger(w.congress, lead) == {f"sugg:{main.pk}:suggestion_accepted:{lead.pk}": 3}
    # the lead of a suggestion merged into another counts as its co-signer, once
    assert ledger(w.congress, third) == {f"sugg:{main.pk}:suggestion_accepted:{third.pk}": 1}
    entry = LedgerEntry.objects.get(deputy=third)
    assert (entry.role, entry.source["suggestion"]) == ("cosigner", main.pk)


def test_once_per_suggestion_for_key_themes_and_evaluations(loop):
    w = loop.w
    lead = deputy(w.deputy)
    s = loop.drive.to("evaluated", overall="unsatisfied")
    SA.do_order_rehandling(s, actor=w.clerk, note="请重新办理")
    loop.drive.work(s)
    loop.drive.evaluate(s)  # a second on-time evaluation of the same suggestion
    t1 = SV.do_create_theme(
        w.congress, actor=w.admin, year=2026, name="物业管理", supervising_leader_name="王主任"
    )
    t2 = SV.do_create_theme(
        w.congress, actor=w.admin, year=2026, name="居家养老", supervising_leader_name="李主任"
    )
    for theme in (t1, t2):
        SV.do_add_theme_suggestion(theme, actor=w.admin, suggestion=s)
    sync(w)
    got = ledger(w.congress, lead)
    assert [k for k in got if "evaluation_on_time" in k] == [f"eval:{s.pk}:evaluation_on_time:{lead.pk}"]
    assert [k for k in got if "suggestion_key" in k] == [f"sugg:{s.pk}:suggestion_key:{lead.pk}"]
    # out of one theme: still a key suggestion; out of both: the entry goes
    SV.do_remove_theme_suggestion(t1, actor=w.admin, suggestion=s, reason="调整")
    assert not pending(w.congress)
    SV.do_remove_theme_suggestion(t2, actor=w.admin, suggestion=s, reason="调整")
    assert [e.key for e in pending(w.congress).removed] == [f"sugg:{s.pk}:suggestion_key:{lead.pk}"]


def test_withdrawn_after_acceptance_loses_the_points(loop):
    w = loop.w
    s = accept(loop)
    sync(w)
    lead = deputy(w.deputy)
    assert ledger(w.congress, lead)
    SA.do_withdraw_suggestion(s, actor=w.deputy, reason="问题已解决")
    assert [e.key for e in pending(w.congress).removed] == [f"sugg:{s.pk}:suggestion_accepted:{lead.pk}"]
    sync(w)
    assert ledger(w.congress, lead) == {}


def test_rule_table_refusals(world):
    w = world
    P.ensure_default_rules(w.congress)
    day = datetime.date(2026, 1, 1)
    with pytest.raises(NotPermitted):
        P.do_add_rule(w.congress, actor=w.clerk, event="duty_day", role="any", points=1, valid_from=day)
    cases = [
        ({"event": "nonsense", "role": "any", "points": 1}, "bad_event"),
        ({"event": "duty_day", "role": "lead", "points": 1}, "bad_role"),
        ({"event": "evaluation_on_time", "role": "cosigner", "points": 1}, "bad_role"),
        ({"event": "duty_day", "role": "any", "points": 0}, "bad_points"),
        ({"event": "duty_day", "role": "any", "points": 101}, "bad_points"),
        ({"event": "duty_day", "role": "any", "points": 1, "cap": 5}, "cap_period_required"),
        ({"event": "duty_day", "role": "any", "points": 1, "cap_period": "year"}, "cap_required"),
        (
            {"event": "duty_day", "role": "any", "points": 1, "valid_to": datetime.date(2025, 1, 1)},
            "dates_reversed",
        ),
        ({"event": "duty_day", "role": "any", "points": 1}, "overlap"),  # the default rule runs on
        ({"event": "suggestion_accepted", "role": "any", "points": 1}, "overlap"),  # any overlaps lead
    ]
    for kwargs, code in cases:
        with pytest.raises(ValidationFailed) as info:
            P.do_add_rule(w.congress, actor=w.admin, valid_from=day, **kwargs)
        assert info.value.code == code, kwargs
    rule = PointsRule.objects.get(congress=w.congress, event="duty_day")
    with pytest.raises(ValidationFailed):
        P.do_end_rule(rule, actor=w.admin, valid_to=datetime.date(1999, 1, 1))
    with pytest.raises(ValidationFailed):
        P.do_replace_rule(rule, actor=w.admin, from_date=rule.valid_from, points=4)
    P.do_end_rule(rule, actor=w.admin, valid_to=datetime.date(2025, 12, 31))
    added = P.do_add_rule(
        w.congress, actor=w.admin, event="duty_day", role="any", points=4, valid_from=day, note="加分"
    )
    assert added.points == 4
