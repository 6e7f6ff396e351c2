"""Reading suggestions: the list (visibility, filters, pages, query budget), the detail, the
timeline and the work list."""

import pytest
import time_machine

from minyi.suggestions import actions as act
from tests.factories import UnitFactory

from .conftest import A, Api, invalid, not_found, ok

pytestmark = pytest.mark.django_db


def ids(body) -> list[int]:
    return [s["id"] for s in body["items"]]


# --- list ------------------------------------------------------------------------------------------


def test_list_follows_the_visibility_rule(api, loop):
    w, drive = loop.w, loop.drive
    draft = drive.to("draft")
    submitted = drive.to("submitted")
    assigned = drive.to("assigned")
    assert set(ids(ok(api.get(w.deputy, f"{A}/suggestions")))) == {draft.pk, submitted.pk, assigned.pk}
    # Staff see everything but other people's drafts.
    assert set(ids(ok(api.get(w.clerk, f"{A}/suggestions")))) == {submitted.pk, assigned.pk}
    # The viewer: accepted suggestions only, not those under review (decision 0009).
    assert set(ids(ok(api.get(w.viewer, f"{A}/suggestions")))) == {assigned.pk}
    assert api.get(w.viewer, f"{A}/suggestions/{submitted.pk}").status_code == 404
    # Units see what was assigned to them; the coordinator what was forwarded to the body.
    assert ids(ok(api.get(w.handler_a, f"{A}/suggestions"))) == [assigned.pk]
    assert ids(ok(api.get(w.handler_b, f"{A}/suggestions"))) == []
    assert ids(ok(api.get(w.coordinator, f"{A}/suggestions"))) == [assigned.pk]
    # Another deputy sees nothing of these.
    assert ids(ok(api.get(w.cosigner, f"{A}/suggestions"))) == []


def test_list_item_fields(api, loop):
    s = loop.drive.to("accepted")
    item = ok(api.get(loop.w.clerk, f"{A}/suggestions"))["items"][0]
    assert item["id"] == s.pk
    assert item["number"] == s.number and item["number"].startswith("甲区〔")
    assert item["state"] == "accepted" and item["state_label"] == "已立案"
    assert item["lead"] == {"id": s.lead_id, "name": "领衔代表"}
    assert item["category"] == {"id": loop.taxa.category.pk, "name": "城乡建设"}
    assert item["kind"] == "interim" and item["kind_label"] == "闭会期间建议"
    assert item["round"] == 1


def test_list_filters(api, loop):
    w, drive, taxa = loop.w, loop.drive, loop.taxa
    from minyi.congress.models import Category

    other_category = Category.objects.create(congress=w.congress, name="教育")
    housing = drive.to("assigned", title="关于加装电梯的建议")
    school = drive.to("submitted", title="关于学校午餐的建议", category=other_category)
    child = UnitFactory(congress=w.congress, parent=w.unit_b, name="甲区教育局下属中心")
    split = drive.to("assigned", split=True, title="关于分办的建议")

    def found(**params):
        return set(ids(ok(api.get(w.clerk, f"{A}/suggestions", params))))

    assert found(state="submitted") == {school.pk}
    assert found(state=["submitted", "assigned"]) == {school.pk, housing.pk, split.pk}
    assert found(category=other_category.pk) == {school.pk}
    assert found(category=taxa.category.pk) == {housing.pk, split.pk}
    assert found(unit=w.unit_a.pk) == {housing.pk, split.pk}
    assert found(unit=w.unit_b.pk) == {split.pk}
    assert found(unit=child.pk) == set()
    assert found(q="电梯") == {housing.pk}
    assert found(q="引入物业服务") == {housing.pk, school.pk, split.pk}  # the proposals too
    assert found(q=housing.number) == {housing.pk}
    assert found(q="领衔代表") == {housing.pk, school.pk, split.pk}
    year = housing.year
    assert found(year=year) == {housing.pk, school.pk, split.pk}
    assert found(year=year - 1) == set()


def test_list_bad_filters_are_422(api, loop):
    invalid(api.get(loop.w.clerk, f"{A}/suggestions", {"state": "nonsense"}))
    invalid(api.get(loop.w.clerk, f"{A}/suggestions", {"year": "last"}))
    invalid(api.get(loop.w.clerk, f"{A}/suggestions", {"page_size": 0}))


def test_list_pages(api, loop):
    made = [loop.drive.to("submitted", title=f"建议{i}") for i in range(5)]
    body = ok(api.get(loop.w.clerk, f"{A}/suggestions", {"page_size": 2, "page": 3}))
    assert body["count"] == 5 and body["page"] == 3 and body["page_size"] == 2
    assert ids(body) == [made[0].pk]  # newest first
    assert ok(api.get(loop.w.clerk, f"{A}/suggestions", {"page": 4, "page_size": 2}))["count"] == 5


def test_list_of_another_congress_is_404(api, loop):
    not_found(api.get(loop.w.outsider, f"{A}/suggestions"))


@pytest.mark.parametrize("persona", ["clerk", "deputy", "handler_a", "coordinator"])
def test_list_query_count_does_not_grow(api, loop, persona, django_assert_max_num_queries):
    user = getattr(loop.w, persona)
    for _ in range(3):
        loop.drive.to("assigned")
    api.get(user, A)
    with django_assert_max_num_queries(8):
        small = ok(api.get(user, f"{A}/suggestions"))
    for _ in range(6):
        loop.drive.to("assigned")
    with django_assert_max_num_queries(8):
        big = ok(api.get(user, f"{A}/suggestions"))
    assert big["count"] == small["count"] + 6


# --- detail ----------------------------------------------------------------------------------------


def test_detail_of_a_replied_suggestion(api, loop):
    w = loop.w
    s = loop.drive.to("replied", co=True, cosign=True, result="B")
    body = ok(api.get(w.deputy, f"{A}/suggestions/{s.pk}"))
    assert body["id"] == s.pk and body["state"] == "replied"
    assert body["facts"] and body["proposals"]
    assert body["theme_tags"] == [{"id": loop.taxa.theme.pk, "name": "物业管理"}]
    assert [c["deputy"]["name"] for c in body["cosigners"]] == ["联名代表"]
    assert body["cosigners"][0]["state"] == "confirmed"
    assert [(a["unit"]["id"], a["role"]) for a in body["assignments"]] == [
        (w.unit_a.pk, "lead"),
        (w.unit_b.pk, "co"),
    ]
    # A deputy does not see the units' working states.
    assert {a["state"] for a in body["assignments"]} == {None}
    assert all(a["reply_due_on"] for a in body["assignments"] if a["role"] == "lead")
    assert [c["method"] for c in body["contacts"]] == ["visit"]
    assert body["contacts"][0]["actions"] == [
        {"action": "confirm_contact", "label": "确认联系情况"},
        {"action": "dispute_contact", "label": "对联系情况提出异议"},
    ]
    (reply,) = body["replies"]
    assert reply["result_class"]["code"] == "B"
    assert reply["signed_off_at"] and reply["evaluation"] is None
    assert [c["text"] for c in reply["commitments"]] == ["年内完成改造"]
    assert {a["action"] for a in body["actions"]} == {"evaluate"}
    # The deputy sees suggestion-level deadlines only, with their rule and colour.
    kinds = [d["kind"] for d in body["deadlines"]]
    assert "review" in kinds and "evaluation" in kinds
    assert all(d["assignment_id"] is None for d in body["deadlines"])
    evaluation = next(d for d in body["deadlines"] if d["kind"] == "evaluation")
    assert evaluation["colour"] in ("green", "yellow") and evaluation["rule"]
    assert evaluation["status_label"].startswith("还剩")


def test_detail_for_staff_and_units(api, loop):
    w = loop.w
    s = loop.drive.to("reply_drafted", co=True)
    clerk = ok(api.get(w.clerk, f"{A}/suggestions/{s.pk}"))
    assert [a["state"] for a in clerk["assignments"]] == ["reply_drafted", "opinion_submitted"]
    assert any(d["kind"] == "reply_statutory" for d in clerk["deadlines"])
    assert clerk["replies"][0]["signed_off_at"] is None  # staff oversee drafts
    # The co-unit sees its own assignment, not the lead unit's working state or draft reply.
    co = ok(api.get(w.handler_b, f"{A}/suggestions/{s.pk}"))
    assert [a["state"] for a in co["assignments"]] == [None, "opinion_submitted"]
    assert co["replies"] == []
    assert {d["assignment_id"] for d in co["deadlines"]} <= {None, co["assignments"][1]["id"]}
    # The deputy does not see an unsigned reply.
    assert ok(api.get(w.deputy, f"{A}/suggestions/{s.pk}"))["replies"] == []


def test_detail_is_404_for_those_who_may_not_see_it(api, loop):
    w = loop.w
    draft = loop.drive.to("draft")
    assigned = loop.drive.to("assigned")
    for user in (w.clerk, w.cosigner, w.handler_a, w.outsider):
        not_found(api.get(user, f"{A}/suggestions/{draft.pk}"))
    not_found(api.get(w.handler_b, f"{A}/suggestions/{assigned.pk}"))
    not_found(api.get(w.clerk, f"{A}/suggestions/999999"))
    # Another congress's member, even with the right id and their own congress's code.
    not_found(api.get(w.outsider, f"/congresses/beta/suggestions/{assigned.pk}"))


def test_detail_of_a_merged_suggestion_names_its_main(api, loop):
    w = loop.w
    main = loop.drive.to("accepted")
    dup = loop.drive.to("submitted")
    act.do_merge_suggestion(dup, actor=w.clerk, into=main)
    body = ok(api.get(w.clerk, f"{A}/suggestions/{dup.pk}"))
    assert body["state"] == "merged" and body["main"]["id"] == main.pk
    assert [m["id"] for m in ok(api.get(w.clerk, f"{A}/suggestions/{main.pk}"))["merged"]] == [dup.pk]


@time_machine.travel("2026-03-02 10:00 +0800", tick=True)
def test_detail_deadline_colours(api, loop):
    w = loop.w
    s = loop.drive.to("submitted")
    review = ok(api.get(w.clerk, f"{A}/suggestions/{s.pk}"))["deadlines"][0]
    assert review["kind"] == "review" and review["due_on"] == "2026-03-05"
    assert review["colour"] == "yellow" and review["colour_label"] == "临期"  # within 3 working days
    assert review["status_label"] == "还剩 3 个工作日" and review["working_days_left"] == 3
    with time_machine.travel("2026-03-06 10:00 +0800", tick=False):
        later = Api()  # the session of four days ago has expired
        late = ok(later.get(w.clerk, f"{A}/suggestions/{s.pk}"))["deadlines"][0]
        assert late["colour"] == "red" and late["status_label"] == "已逾期 1 个工作日"
    act.do_accept_suggestion(s, actor=w.clerk)
    deadlines = ok(api.get(w.clerk, f"{A}/suggestions/{s.pk}"))["deadlines"]
    assert deadlines[0]["colour"] == "grey" and deadlines[0]["status_label"] == "按期完成"
    assert deadlines[0]["closed_on_time"] is True
    assert deadlines[1]["kind"] == "assign" and deadlines[1]["colour"] == "green"


def test_detail_query_count_is_bounded(api, loop, django_assert_max_num_queries):
    w = loop.w
    s = loop.drive.to("replied", co=True, cosign=True, result="B")
    api.get(w.clerk, A)
    with django_assert_max_num_queries(32):
        ok(api.get(w.clerk, f"{A}/suggestions/{s.pk}"))


# --- timeline --------------------------------------------------------------------------------------


def test_timeline_for_staff_and_for_the_deputy(api, loop):
    w = loop.w
    s = loop.drive.to("replied")
    staff = [e["code"] for e in ok(api.get(w.clerk, f"{A}/suggestions/{s.pk}/timeline"))]
    assert staff[:4] == [
        "suggestion.created",
        "suggestion.submitted",
        "suggestion.accepted",
        "suggestion.forwarded",
    ]
    assert "assignment.signed" in staff and "reply.drafted" in staff
    deputy = ok(api.get(w.deputy, f"{A}/suggestions/{s.pk}/timeline"))
    deputy_codes = [e["code"] for e in deputy]
    assert "reply.signed_off" in deputy_codes
    assert "assignment.signed" not in deputy_codes and "reply.drafted" not in deputy_codes
    first = deputy[0]
    assert first["actor"] == "deputy" and first["seq"] < deputy[-1]["seq"]
    assert first["new"]["title"] == s.title


def test_timeline_is_404_for_those_who_may_not_see_it(api, loop):
    s = loop.drive.to("assigned")
    not_found(api.get(loop.w.handler_b, f"{A}/suggestions/{s.pk}/timeline"))
    not_found(api.get(loop.w.outsider, f"{A}/suggestions/{s.pk}/timeline"))


# --- work list -------------------------------------------------------------------------------------


def section(body, key):
    return next(s for s in body if s["key"] == key)


def test_worklist_by_role(api, loop):
    w = loop.w
    draft = loop.drive.to("draft")
    submitted = loop.drive.to("submitted")
    assigned = loop.drive.to("assigned")
    replied = loop.drive.to("replied")

    deputy = ok(api.get(w.deputy, f"{A}/worklist"))
    assert [i["id"] for i in section(deputy, "drafts")["items"]] == [draft.pk]
    to_evaluate = section(deputy, "to_evaluate")
    assert to_evaluate["kind"] == "reply" and to_evaluate["count"] == 1
    assert to_evaluate["items"][0]["suggestion"]["id"] == replied.pk
    assert to_evaluate["items"][0]["unit"]["id"] == w.unit_a.pk

    clerk = ok(api.get(w.clerk, f"{A}/worklist"))
    assert [i["suggestion"]["id"] for i in section(clerk, "to_review")["items"]] == [submitted.pk]
    assert section(clerk, "to_review")["label"] == "待审查"

    unit = ok(api.get(w.handler_a, f"{A}/worklist"))
    to_sign = section(unit, "to_sign")
    assert [i["suggestion"]["id"] for i in to_sign["items"]] == [assigned.pk]
    assert to_sign["items"][0]["kind"] == "assignment" and to_sign["items"][0]["state"] == "assigned"
    assert to_sign["items"][0]["due_on"]

    assert [s["key"] for s in ok(api.get(w.viewer, f"{A}/worklist"))] == []


def test_worklist_counts_beyond_the_first_items(api, loop, monkeypatch):
    from minyi.api.routers import suggestions as router

    monkeypatch.setattr(router, "WORKLIST_ITEMS", 2)
    for _ in range(3):
        loop.drive.to("submitted")
    to_review = section(ok(api.get(loop.w.clerk, f"{A}/worklist")), "to_review")
    assert to_review["count"] == 3 and len(to_review["items"]) == 2


def test_worklist_of_another_congress_is_404(api, loop):
    not_found(api.get(loop.w.outsider, f"{A}/worklist"))


def test_worklist_query_count_does_not_grow(api, loop, django_assert_max_num_queries):
    w = loop.w
    for _ in range(2):
        loop.drive.to("replied")
        loop.drive.to("submitted")
    for user in (w.clerk, w.deputy, w.handler_a, w.leader_a, w.coordinator):
        api.get(user, A)
        with django_assert_max_num_queries(14):
            ok(api.get(user, f"{A}/worklist"))
    for _ in range(4):
        loop.drive.to("replied")
        loop.drive.to("submitted")
    for user in (w.clerk, w.deputy, w.handler_a, w.leader_a, w.coordinator):
        with django_assert_max_num_queries(14):
            ok(api.get(user, f"{A}/worklist"))


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_worklist_holds_every_apps_work_as_the_home_page_counts_it(api, loop):
    """The API's 待办 is the 待办 page's: every app's sections (here a resident's opinion forwarded
    to unit A, from the intake app), with the counts the home page and the menu badge show."""
    from django.urls import reverse

    from minyi.congress.models import LiaisonStation
    from minyi.core.work import work_summary
    from minyi.intake import actions as IA

    w = loop.w
    loop.drive.to("submitted")
    loop.drive.to("assigned")
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    opinion = IA.do_record_opinion(
        w.congress,
        actor=w.liaison,
        data=IA.OpinionInput(
            content="小区门口的路灯坏了。", station=station, deputy=w.deputy.deputy_records.get()
        ),
    )
    IA.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a)
    for persona in ("deputy", "clerk", "liaison", "coordinator", "handler_a", "judge", "viewer"):
        user = getattr(w, persona)
        body = ok(api.get(user, f"{A}/worklist"))
        summary = work_summary(user, w.congress)
        assert [(s["key"], s["count"], s["counted"]) for s in body] == [
            (c.key, c.count, c.counted) for c in summary.sections
        ], persona
    unit = ok(api.get(w.handler_a, f"{A}/worklist"))
    assert {"to_sign", "forwarded_opinions"} <= {s["key"] for s in unit}
    forwarded = section(unit, "forwarded_opinions")
    assert forwarded["kind"] == "opinion" and forwarded["count"] == 1
    [item] = forwarded["items"]
    assert item["id"] == opinion.pk and item["suggestion"] is None
    assert item["title"] == "小区门口的路灯坏了。" and item["state_label"] == "已转办"
    assert item["url"] == reverse("intake:opinion", args=[w.congress.code, opinion.pk])
    deputy = ok(api.get(w.deputy, f"{A}/worklist"))
    assert section(deputy, "progress")["counted"] is False  # information, not work


def test_list_total_is_kept_per_user_and_filter_and_follows_a_change(api, loop):
    """Past one page the API's total is kept under the data version (issue #13): each user's own,
    each filter's own, and counted again after any change."""
    w = loop.w

    def total(user, **params):
        query = "&".join(f"{k}={v}" for k, v in {"page_size": 1, **params}.items())
        return ok(api.get(user, f"{A}/suggestions?{query}"))["count"]

    loop.drive.to("draft")
    loop.drive.to("submitted")
    loop.drive.to("assigned")
    assert total(w.deputy) == 3  # their draft too
    assert total(w.clerk) == 2  # the same data version: not the deputy's total
    assert total(w.clerk, state="submitted") == 1 and total(w.clerk, state="assigned") == 1
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as again:
        assert total(w.clerk) == 2
    assert not any("COUNT(" in q["sql"] for q in again.captured_queries)  # kept, not counted
    loop.drive.to("submitted")
    assert total(w.clerk) == 3 and total(w.clerk, state="submitted") == 2
    assert total(w.handler_a) == 1
