"""The dashboards' summary table (`FigureSnapshot`) stays exactly in step with the records: after
every kind of action — drafting, review, assignment, handling, replies, evaluation, re-handling,
closing, commitments, the roster, taxonomies and policy, a history import, and the passing of a
day — what the dashboard shows from its snapshot equals a full recount. And when nothing has
changed, the snapshot is what is shown (no recount)."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from minyi.congress import actions as CA
from minyi.reports import dashboard as D
from minyi.reports import history as H
from minyi.reports.figures import Scope
from minyi.reports.models import FigureSnapshot
from minyi.suggestions import actions as A
from minyi.suggestions.models import Commitment, Contact

from .conftest import on
from .test_history import good, ledger

d = datetime.date
TZ = ZoneInfo("Asia/Shanghai")
VIEW_DAY = datetime.datetime(2025, 12, 31, 20, tzinfo=TZ)
Q = "year=2025"


class Watch:
    """Shows the congress dashboard and unit A's from their snapshots and compares them with a
    recount, after each step."""

    def __init__(self, build):
        self.b, self.w = build, build.w
        self.steps = 0
        self.recomputed = 0

    def views(self):
        return [(None, Scope.year(2025)), (self.w.unit_a, Scope.year(2025))]

    def check(self, step: str) -> None:
        with time_machine.travel(VIEW_DAY, tick=False):
            for unit, scope in self.views():
                shown, hit = D.cached_overview(self.w.congress, scope, Q, unit=unit)
                fresh = D.overview(self.w.congress, scope, Q, unit=unit)
                assert shown.dump() == fresh.dump(), f"stale after {step} ({unit})"
                self.recomputed += not hit
                again, hit_again = D.cached_overview(self.w.congress, scope, Q, unit=unit)
                assert hit_again and again.dump() == fresh.dump(), f"not kept after {step}"
        self.steps += 1


@pytest.fixture
def watch(build):
    w = Watch(build)
    w.check("nothing yet")
    return w


def test_snapshots_follow_every_kind_of_action(build, watch):
    b, w = build, build.w
    unit_a, unit_b = w.unit_a, w.unit_b
    d3 = b.deputy("第三代表")

    # drafting and review
    s = b.draft(d(2025, 3, 3), title="主线")
    watch.check("create")
    b.invite(s, d(2025, 3, 3), w.cosigner.deputy_records.get())
    watch.check("invite + confirm co-signing")
    b.invite(s, d(2025, 3, 3), d3, confirm=False)
    watch.check("decline co-signing")
    b.submit(s, d(2025, 3, 3))
    watch.check("submit")
    with on(d(2025, 3, 3), 11):
        A.do_return_suggestion(s, actor=w.clerk, reason="请补充情况")
    watch.check("return")
    b.submit(s, d(2025, 3, 4))
    b.accept(s, d(2025, 3, 4))
    watch.check("accept")

    # assignment
    b.assign(s, d(2025, 3, 5), unit_a, co=[unit_b])
    watch.check("assign")
    b.sign(s, unit_a, d(2025, 3, 6))
    b.sign(s, unit_b, d(2025, 3, 6))
    watch.check("sign")
    other = b.new(d(2025, 3, 5), title="调整")
    b.assign(other, d(2025, 3, 6), unit_b)
    b.sign(other, unit_b, d(2025, 3, 6))
    with on(d(2025, 3, 7), 9):
        A.do_request_reassignment(b.current(other, unit_b), actor=w.handler_b, reason="不属于本单位职责")
    watch.check("request re-assignment")
    with on(d(2025, 3, 7), 10):
        A.do_approve_reassignment(b.current(other, unit_b), actor=w.clerk)
    watch.check("approve re-assignment")
    b.assign(other, d(2025, 3, 10), unit_a)
    watch.check("assign again")

    # handling
    visit = b.contact(s, unit_a, d(2025, 3, 10), "visit")
    watch.check("log contact")
    b.dispute(visit, d(2025, 3, 11))
    watch.check("dispute contact")
    call = b.contact(s, unit_a, d(2025, 3, 12), "meeting")
    with on(d(2025, 3, 13), 9):
        A.do_confirm_contact(Contact.objects.get(pk=call.pk), actor=s.lead.user)
    watch.check("confirm contact")
    b.opinion(s, unit_b, d(2025, 3, 14))
    watch.check("co-unit opinion")
    staff = b.staff_of(unit_a)
    with on(d(2025, 3, 20), 10):
        A.do_draft_reply(
            b.current(s, unit_a),
            actor=staff.handler,
            body="答复",
            result_class=b.taxa.classes["B"],
            commitments=[A.CommitmentInput(text="年内完成", due_on=d(2025, 6, 30))],
        )
    watch.check("draft reply")
    with on(d(2025, 3, 20), 11):
        A.do_send_back_reply(b.current(s, unit_a), actor=staff.leader, reason="请写明时间表")
    watch.check("send back reply")
    b.reply(s, unit_a, d(2025, 3, 21), "B", commitments=[d(2025, 6, 30)])
    watch.check("sign off reply")

    # an extension on the other suggestion
    b.sign(other, unit_a, d(2025, 3, 11))
    with on(d(2025, 3, 12), 9):
        request = A.do_request_extension(
            b.current(other, unit_a), actor=w.handler_a, reason="需要预算", until=d(2025, 6, 10)
        )
    watch.check("request extension")
    with on(d(2025, 3, 12), 15):
        A.do_approve_extension(request, actor=w.clerk)
    watch.check("approve extension")

    # evaluation, re-handling, coordination, closing
    b.evaluate(s, d(2025, 3, 25), "unsatisfied")
    watch.check("evaluate (unsatisfied)")
    b.rehandle(s, d(2025, 3, 27))
    watch.check("order re-handling")
    b.sign(s, unit_b, d(2025, 4, 1))
    b.opinion(s, unit_b, d(2025, 4, 2))
    b.handle(s, unit_a, d(2025, 4, 10), "A")
    b.evaluate(s, d(2025, 4, 12), "unsatisfied")
    watch.check("second evaluation")
    with on(d(2025, 4, 14), 10):
        A.do_record_coordination_meeting(
            s, actor=w.clerk, held_on=d(2025, 4, 14), participants="各方", outcome="已说明情况"
        )
    watch.check("coordination meeting")
    b.close(s, d(2025, 4, 15), "经协调已说明")
    watch.check("close")

    # commitments
    first, *_rest = Commitment.objects.filter(reply__assignment__suggestion=s).order_by("id")
    with on(d(2025, 5, 1), 10):
        A.do_fulfil_commitment(first, actor=w.handler_a, note="已完成")
    watch.check("fulfil commitment")
    third = b.full(d(2025, 5, 5), unit_a, result="C")
    watch.check("a whole loop")
    with on(d(2025, 9, 1), 10):
        A.do_explain_commitment(
            Commitment.objects.filter(reply__assignment__suggestion=third).first(),
            actor=w.handler_a,
            explanation="受条件限制",
        )
    watch.check("explain commitment")

    # no feedback, decline, merge, withdraw, forward
    quiet = b.new(d(2025, 6, 2), title="未反馈")
    b.assign(quiet, d(2025, 6, 3), unit_a)
    b.handle(quiet, unit_a, d(2025, 6, 10))
    b.no_feedback(quiet, d(2025, 7, 10))
    watch.check("no feedback")
    b.decline(b.new(d(2025, 7, 1), accept=False, title="不予立案"), d(2025, 7, 2))
    watch.check("decline")
    b.merge(b.new(d(2025, 7, 3), accept=False, title="并案"), other, d(2025, 7, 4))
    watch.check("merge")
    b.withdraw(b.new(d(2025, 7, 5), title="撤回"), d(2025, 7, 6))
    watch.check("withdraw")
    b.forward(b.new(d(2025, 8, 1), title="转交"), d(2025, 8, 2))
    watch.check("forward")

    # the roster, taxonomies and policy
    CA.do_update_deputy(d3, actor=w.admin, changes={"in_office_to": d(2025, 6, 30)})
    watch.check("deputy leaves office")
    CA.do_update_taxonomy_item(b.taxa.online, actor=w.admin, changes={"grassroots": True})
    watch.check("channel becomes grassroots")
    CA.do_update_policy(
        w.congress.policy, actor=w.admin, changes={"completion_definition": "closed_satisfied"}
    )
    watch.check("completion definition")
    CA.do_update_policy(w.congress.policy, actor=w.admin, changes={"no_feedback_excluded": False})
    watch.check("no-feedback policy")

    # a history import
    f = io.BytesIO(
        ledger(
            [
                good(
                    1,
                    **{
                        "建议编号": "甲区〔2025〕第901号",
                        "立案日期": d(2025, 2, 1),
                        "交办日期": d(2025, 2, 3),
                        "见面联系日期": d(2025, 2, 5),
                        "答复日期": d(2025, 2, 20),
                        "办结日期": d(2025, 2, 28),
                    },
                )
            ]
        )
    )  # noqa: E501
    f.name = "history.xlsx"
    assert H.import_history(w.congress, f, actor=w.clerk, dry_run=False).ok
    watch.check("history import")

    assert watch.steps >= 35
    assert watch.recomputed >= watch.steps  # every step changed the data, so every view recounted


def test_the_snapshot_is_used_while_nothing_changes_and_expires_with_the_day(build, watch):
    b, w = build, build.w
    b.full(d(2025, 3, 3), w.unit_a)
    watch.check("a loop")
    with time_machine.travel(VIEW_DAY, tick=False):
        _ov, hit = D.cached_overview(w.congress, Scope.year(2025), Q)
        assert hit
    with time_machine.travel(VIEW_DAY + datetime.timedelta(days=1), tick=False):
        shown, hit = D.cached_overview(w.congress, Scope.year(2025), Q)
        assert not hit  # a new day: open deadlines are judged anew
        assert shown.dump() == D.overview(w.congress, Scope.year(2025), Q).dump()
    assert FigureSnapshot.objects.filter(congress=w.congress).count() == 2  # congress + unit A


def test_another_congress_s_changes_keep_this_congress_s_snapshot(build, watch):
    from minyi.congress.models import Category

    b, w = build, build.w
    b.full(d(2025, 3, 3), w.unit_a)
    watch.check("a loop")
    CA.do_add_taxonomy_item(
        w.other_congress, actor=w.outsider, kind="categories", fields={"name": "乙区分类"}
    )
    assert Category.objects.filter(congress=w.other_congress).exists()
    with time_machine.travel(VIEW_DAY, tick=False):
        _ov, hit = D.cached_overview(w.congress, Scope.year(2025), Q)
    assert hit


def test_the_page_serves_the_snapshot_with_fewer_queries(client, build):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build.full(d(2025, 3, 3), build.w.unit_a)
    client.force_login(build.w.clerk)
    path = reverse("reports:dashboard", args=["alpha"]) + f"?{Q}"
    with time_machine.travel(VIEW_DAY, tick=False):
        with CaptureQueriesContext(connection) as cold:
            first = client.get(path)
        with CaptureQueriesContext(connection) as warm:
            second = client.get(path)
    assert first.context["from_snapshot"] is False and second.context["from_snapshot"] is True
    assert len(warm.captured_queries) < len(cold.captured_queries) - 5
    assert first.content.decode().count('id="card-') == second.content.decode().count('id="card-') == 10
    assert first.context["overview"].dump() == second.context["overview"].dump()


def test_a_new_revision_of_the_definitions_leaves_old_snapshots_unread(build, watch, monkeypatch):
    """A deployment that changes how a figure is counted moves no data version: the snapshot key
    holds `figures.DEFINITIONS_VERSION`, so numbers stored under the old definitions are not shown."""
    w = build.w
    build.full(d(2025, 3, 3), w.unit_a)
    watch.check("a loop")
    with time_machine.travel(VIEW_DAY, tick=False):
        assert D.cached_overview(w.congress, Scope.year(2025), Q)[1]
        monkeypatch.setattr(D, "DEFINITIONS_VERSION", D.DEFINITIONS_VERSION + 1)  # the next release
        _shown, hit = D.cached_overview(w.congress, Scope.year(2025), Q)
        assert not hit
        assert D.cached_overview(w.congress, Scope.year(2025), Q)[1]  # kept under the new key
