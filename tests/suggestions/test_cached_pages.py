"""What the pages keep under the congress's data version (`minyi.core.versioned`, issue #13): the
suggestion list's year options and the 待办 counts of the home page and the menu badge. After every change, for every persona, the page shows what a
recount gives; one user's kept value never answers another; nothing is recounted while nothing
changes; a reading (an export, a download) changes nothing."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minyi.audit.services import record
from minyi.core import versioned, work
from minyi.suggestions import actions as A
from minyi.suggestions import selectors
from minyi.suggestions.views import _queries as Q_

TZ = ZoneInfo("Asia/Shanghai")
PERSONAS = [
    "clerk",
    "deputy",
    "cosigner",
    "liaison",
    "coordinator",
    "handler_a",
    "handler_b",
    "leader_a",
    "supervisor",
    "inspector",
    "viewer",
]


def at(year: int, month: int, day: int):
    return time_machine.travel(datetime.datetime(year, month, day, 10, tzinfo=TZ), tick=False)


def year_options(client, user) -> list[int]:
    client.force_login(user)
    page = client.get(reverse("suggestions:list", args=["alpha"])).content.decode()
    select = re.search(r'<select name="year".*?</select>', page, re.S)
    assert select, "no year filter"
    return [int(v) for v in re.findall(r'<option value="(\d+)"', select.group(0))]


def recount(w, user) -> list[int]:
    return Q_.suggestion_years(selectors.suggestions_visible_to(user, w.congress))


def check(client, loop, step: str) -> None:
    for persona in PERSONAS:
        user = getattr(loop.w, persona)
        assert year_options(client, user) == recount(loop.w, user), f"{persona}, after {step}"


def test_year_options_follow_every_change_for_every_persona(client, loop):
    w = loop.w
    check(client, loop, "nothing yet")
    with at(2024, 5, 6):
        draft = loop.drive.to("draft", title="二〇二四年的草稿")
    check(client, loop, "a draft (seen by its deputy only)")
    with at(2024, 5, 7):
        loop.drive.to("submitted", cosign=True)
    check(client, loop, "submitted with a co-signer")
    with at(2025, 3, 3):
        accepted = loop.drive.to("accepted")
    check(client, loop, "accepted (numbered in 2025)")
    with at(2025, 3, 4):
        A.do_forward_suggestion(accepted, actor=w.clerk, body=w.gov)
    check(client, loop, "forwarded")
    with at(2025, 3, 5):
        A.do_assign_units(accepted, actor=w.coordinator, lead_units=[w.unit_a], co_units=[w.unit_b])
    check(client, loop, "assigned (the units now see it)")
    with at(2026, 1, 5):
        loop.drive.to("closed", co=True)
    check(client, loop, "a whole round to closing")
    with at(2026, 1, 6):
        A.do_submit_suggestion(draft, actor=w.deputy)
    check(client, loop, "the 2024 draft submitted")
    with at(2026, 1, 7):
        A.do_accept_suggestion(draft, actor=w.clerk)
    check(client, loop, "the 2024 draft accepted in 2026")


def test_one_user_s_years_never_answer_another(client, loop):
    w = loop.w
    with at(2024, 5, 6):
        loop.drive.to("draft")  # only the deputy sees drafts
    with at(2025, 3, 3):
        loop.drive.to("assigned")
    assert year_options(client, w.deputy) == [2025, 2024]
    assert year_options(client, w.clerk) == [2025]  # same version, the deputy's value kept
    assert year_options(client, w.handler_b) == []  # unit B has no assignment
    assert year_options(client, w.deputy) == [2025, 2024]


def _years_counted(client) -> bool:
    """Whether showing the list ran the DISTINCT queries of the year options."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("suggestions:list", args=["alpha"])).status_code == 200
    return any("DISTINCT" in q["sql"] for q in ctx.captured_queries)


def test_kept_while_nothing_changes_and_recounted_after_a_change(client, loop):
    w = loop.w
    with at(2025, 3, 3):
        loop.drive.to("assigned")
    client.force_login(w.clerk)
    assert _years_counted(client)
    assert not _years_counted(client)  # kept
    version = versioned.data_version(w.congress)
    # a reading (an export asked for) moves no version: still kept
    record("export.requested", actor=w.clerk, congress=w.congress)
    assert versioned.data_version(w.congress) == version
    assert not _years_counted(client)
    record("deputy.created", actor=w.outsider, congress=w.other_congress)  # a change in congress beta
    assert not _years_counted(client)
    # a change: counted again
    with at(2025, 3, 4):
        loop.drive.to("submitted")
    assert versioned.data_version(w.congress) > version
    assert _years_counted(client)


# --- the 待办 counts (home page, menu badge) -------------------------------------------------------


def _request(w, user) -> HttpRequest:
    request = HttpRequest()
    request.user = user
    request.congress = w.congress
    return request


def _shown(summary) -> list[tuple]:
    return [(s.key, s.count, s.due_on, s.counted, s.link) for s in summary.sections]


def check_counts(loop, step: str) -> None:
    w = loop.w
    for persona in PERSONAS:
        user = getattr(w, persona)
        kept = work.summary_for_request(_request(w, user))
        assert _shown(kept) == _shown(work.work_summary(user, w.congress)), f"{persona}, after {step}"


def test_work_counts_follow_every_stage_for_every_persona(loop):
    check_counts(loop, "nothing yet")
    with at(2026, 3, 2):
        for stage in loop.drive.STAGES:
            loop.drive.to(stage, co=True, cosign=stage in ("submitted", "replied"))
            check_counts(loop, stage)  # each stage's last action is a different kind
        s = loop.drive.to("assigned")
        for a in s.assignments.all():
            A.do_sign_assignment(a, actor=loop.drive.handler_for(a))
            check_counts(loop, "signed")


def test_work_counts_are_each_user_s_own_and_of_the_day(loop):
    w = loop.w
    with at(2026, 3, 2):
        loop.drive.to("submitted")
        loop.drive.to("assigned")
        clerk = work.summary_for_request(_request(w, w.clerk))
        handler = work.summary_for_request(_request(w, w.handler_a))
        assert clerk.count_of("to_review") == 1 and handler.count_of("to_review") == 0
        assert _shown(handler) == _shown(work.work_summary(w.handler_a, w.congress))
        with CaptureQueriesContext(connection) as same_day:
            work.summary_for_request(_request(w, w.clerk))
    with at(2026, 3, 3), CaptureQueriesContext(connection) as next_day:
        assert _shown(work.summary_for_request(_request(w, w.clerk))) == _shown(clerk)
    assert len(next_day.captured_queries) > len(same_day.captured_queries)  # counted again on a new day


# --- the list's total ("共 N 条" and its pages) ----------------------------------------------------


def list_total(client, user, **params) -> int:
    client.force_login(user)
    response = client.get(reverse("suggestions:list", args=["alpha"]), params)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def recount_total(w, user, **filters) -> int:
    return selectors.filter_suggestions(selectors.suggestions_visible_to(user, w.congress), filters).count()


def test_the_list_total_follows_every_change_for_every_persona_and_filter(client, loop):
    w = loop.w

    def check_totals(step: str) -> None:
        for persona in PERSONAS:
            user = getattr(w, persona)
            assert list_total(client, user) == recount_total(w, user), f"{persona}, after {step}"
        assert list_total(client, w.clerk, state="submitted") == recount_total(w, w.clerk, state="submitted")
        assert list_total(client, w.clerk, q="第二") == recount_total(w, w.clerk, q="第二")

    check_totals("nothing yet")
    with at(2025, 3, 3):
        loop.drive.to("draft", title="第一条草稿")
        check_totals("a draft (its deputy only)")
        loop.drive.to("submitted", title="第二条建议", cosign=True)
        check_totals("submitted with a co-signer")
        loop.drive.to("assigned", title="第二件交办的建议")
        check_totals("assigned to unit A")


def _total_counted(client) -> bool:
    """Whether showing the list ran the COUNT of its total."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("suggestions:list", args=["alpha"])).status_code == 200
    return any("COUNT(" in q["sql"] and "suggestions_suggestion" in q["sql"] for q in ctx.captured_queries)


def test_the_list_total_is_kept_until_a_change_and_is_each_user_s_own(client, loop):
    w = loop.w
    with at(2025, 3, 3):
        loop.drive.to("draft")
        loop.drive.to("assigned")
    assert list_total(client, w.deputy) == 2  # the draft and the assigned one
    assert list_total(client, w.clerk) == 1  # same version: the deputy's total is not the clerk's
    assert list_total(client, w.handler_b) == 0
    assert list_total(client, w.clerk, state="draft") == 0  # nor another filter's
    client.force_login(w.clerk)
    assert not _total_counted(client)  # kept
    with at(2025, 3, 4):
        loop.drive.to("submitted")
    assert _total_counted(client)  # a change: counted again
    assert list_total(client, w.clerk) == 2
