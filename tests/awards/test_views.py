"""The awards pages: who sees what (404 for missing and forbidden alike), every form with its error
messages, the judge's scoring pages (conflict shown and refused), and fixed query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from minyi.awards import actions as A
from minyi.awards.models import AwardRound, Nominee, Score
from minyi.awards.selectors import criteria_of
from minyi.awards.states import RoundState, Track
from tests.factories import MembershipFactory

from .conftest import new_round, score_all

PASSWORD = "pw-for-tests-123"


def url(name, *args, code="alpha"):
    return reverse(f"awards:{name}", args=[code, *args])


def client_for(client, user):
    client.force_login(user)
    return client


def test_list_and_detail_visibility(client, loop, panel):
    w = loop.w
    r = new_round(w)
    A.do_assign_judge(r, actor=w.admin, judge=panel[0])
    for user, visible in [
        (w.admin, True),
        (w.clerk, True),
        (w.supervisor, True),
        (w.viewer, False),  # published rounds only, as every member (decision 0009)
        (panel[0], True),  # on the panel
        (panel[1], False),  # a judge, not on this panel
        (w.deputy, False),  # not published
        (w.handler_a, False),
    ]:
        client.force_login(user)
        page = client.get(url("list"))
        assert page.status_code == 200
        assert (r.title in page.content.decode()) is visible, user
        assert client.get(url("round", r.pk)).status_code == (200 if visible else 404), user
    client.force_login(w.outsider)
    assert client.get(url("list")).status_code == 404
    client.force_login(w.admin)
    assert client.get(url("round", 99999)).status_code == 404
    assert client.get(url("round", r.pk, code="beta")).status_code == 404


def test_admin_creates_a_round_through_the_form(client, world):
    w = world
    client.force_login(w.clerk)
    assert client.get(url("create")).status_code == 404
    client.force_login(w.admin)
    page = client.get(url("create"))
    assert page.status_code == 200 and "新建评选" in page.content.decode()
    bad = client.post(url("create"), {"year": "2026", "quarter": "9", "scoring_deadline": "明天"})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "请选择第一至第四季度" in text and "请按“年-月-日 时:分”填写时间" in text and "请填写" in text
    deadline = timezone.localtime(timezone.now() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    good = {
        "year": str(timezone.localdate().year),
        "quarter": str((timezone.localdate().month - 1) // 3 + 1),
        "scoring_deadline": deadline,
        "min_scores": "3",
        "suggestion_quota": "5",
        "unit_quota": "3",
        "unit_min_count": "5",
    }
    response = client.post(url("create"), good)
    r = AwardRound.objects.get()
    assert response.status_code == 302 and response["Location"] == url("round", r.pk)
    again = client.post(url("create"), good)
    assert again.status_code == 422 and "该季度已有评选" in again.content.decode()
    detail = client.get(url("round", r.pk)).content.decode()
    assert "选题精准" in detail and 'data-action="open_nominations"' in detail


def test_setup_forms_and_moves(client, loop, panel):
    w = loop.w
    loop.drive.to("closed")
    r = new_round(w)
    client.force_login(w.admin)
    response = client.post(url("move", r.pk, "open_nominations"))
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.state == RoundState.NOMINATING
    # criteria
    bad = client.post(
        url("criterion_add", r.pk),
        {"criterion-track": "unit", "criterion-name": "", "criterion-weight": "0"},
        follow=True,
    )
    assert "请填写评分项名称" in bad.content.decode()
    client.post(
        url("criterion_add", r.pk),
        {"criterion-track": "unit", "criterion-name": "承诺落实", "criterion-weight": "10"},
    )
    c = criteria_of(r)[Track.UNIT][-1]
    assert c.name == "承诺落实"
    assert (
        client.post(url("criterion_edit", r.pk, c.pk), {"name": "承诺落实", "weight": "200"}).status_code
        == 422
    )
    client.post(url("criterion_edit", r.pk, c.pk), {"name": "承诺落实情况", "weight": "15"})
    client.post(url("criterion_remove", r.pk, c.pk))
    assert c.name not in [x.name for x in criteria_of(r)[Track.UNIT]]
    # panel
    for j in panel:
        client.post(url("judge_add", r.pk), {"judge-judge": j.pk})
    wrong = client.post(url("judge_add", r.pk), {"judge-judge": w.deputy.pk}, follow=True)
    assert "请选择本人大的评审专家" in wrong.content.decode()
    # nominees
    page = client.get(url("nominee_add", r.pk) + "?track=unit")
    assert page.status_code == 200
    missing = client.post(url("nominee_add", r.pk), {"track": "unit", "reason": ""})
    assert missing.status_code == 422 and "请选择承办单位" in missing.content.decode()
    client.post(url("nominee_add", r.pk), {"track": "unit", "unit": w.unit_b.pk, "reason": "办理认真"})
    n = Nominee.objects.get(round=r, unit=w.unit_b)
    assert client.post(url("nominee_remove", r.pk, n.pk), {"reason": ""}).status_code == 422
    client.post(url("nominee_remove", r.pk, n.pk), {"reason": "样本太少"})
    n.refresh_from_db()
    assert n.removed
    detail = client.get(url("round", r.pk)).content.decode()
    assert "样本太少" in detail and "已移出" in detail
    # a refused move is a message, not an error page
    client.post(url("move", r.pk, "publish_results"))
    msg = client.get(url("round", r.pk)).content.decode()
    assert "不能公布结果" in msg
    assert client.post(url("move", r.pk, "nonsense")).status_code == 404
    response = client.post(url("move", r.pk, "start_scoring"))
    r.refresh_from_db()
    assert r.state == RoundState.SCORING
    # the non-admin cannot reach the admin pages
    client.force_login(w.clerk)
    for name, args in [("edit", [r.pk]), ("nominee_add", [r.pk]), ("reopen", [r.pk])]:
        assert client.get(url(name, *args)).status_code == 404
    assert client.post(url("move", r.pk, "close_scoring")).status_code == 404


def _scoring_round(loop, panel):
    w = loop.w
    s = loop.drive.to("closed")
    r = new_round(w)
    A.do_open_nominations(r, actor=w.admin)
    MembershipFactory(user=w.deputy, congress=w.congress, role="judge")
    w.deputy.__dict__.pop("_minyi_memberships", None)
    for j in [*panel, w.deputy]:
        A.do_assign_judge(r, actor=w.admin, judge=j)
    A.do_start_scoring(r, actor=w.admin)
    r.refresh_from_db()
    return r, Nominee.objects.get(round=r, suggestion=s)


def test_judge_scores_on_the_pages(client, loop, panel):
    w = loop.w
    r, n = _scoring_round(loop, panel)
    client.force_login(panel[0])
    listing = client.get(url("score_list", r.pk)).content.decode()
    assert "待评分" in listing and "已评 0 / 1" in listing
    form = client.get(url("score", r.pk, n.pk))
    assert form.status_code == 200 and "选题精准" in form.content.decode()
    crit = criteria_of(r)[Track.SUGGESTION]
    bad = client.post(url("score", r.pk, n.pk), {f"c{crit[0].pk}": "120"})
    assert bad.status_code == 422
    assert "不能大于100" in bad.content.decode() and f"请为“{crit[1].name}”打分" in bad.content.decode()
    ok = client.post(url("score", r.pk, n.pk), {f"c{c.pk}": "85" for c in crit})
    assert ok.status_code == 302
    assert Score.objects.filter(nominee=n, judge=panel[0]).count() == 3
    assert "已评分" in client.get(url("score_list", r.pk)).content.decode()
    # the lead deputy sits on the panel but must abstain: shown, and refused
    client.force_login(w.deputy)
    listing = client.get(url("score_list", r.pk)).content.decode()
    assert "回避" in listing
    page = client.get(url("score", r.pk, n.pk)).content.decode()
    assert "您应当回避" in page and "提交评分" not in page
    refused = client.post(url("score", r.pk, n.pk), {f"c{c.pk}": "100" for c in crit})
    assert refused.status_code == 403 and not Score.objects.filter(judge=w.deputy).exists()
    # not on the panel: 404
    client.force_login(w.judge)
    assert client.get(url("score_list", r.pk)).status_code == 404
    assert client.get(url("score", r.pk, n.pk)).status_code == 404


def test_results_after_publication_for_every_member(client, loop, panel):
    w = loop.w
    r, n = _scoring_round(loop, panel)
    for j in panel:
        score_all(r, n, j, 90)
    A.do_close_scoring(r, actor=w.admin)
    client.force_login(w.clerk)
    assert "评选结果" in client.get(url("round", r.pk)).content.decode()
    client.force_login(w.admin)
    client.post(url("move", r.pk, "approve_results"), {"note": "主任会议审定"})
    client.post(url("move", r.pk, "publish_results"))
    r.refresh_from_db()
    assert r.state == RoundState.PUBLISHED and r.approval_note == "主任会议审定"
    client.force_login(w.cosigner)  # any member, e.g. a deputy
    page = client.get(url("round", r.pk)).content.decode()
    assert "获评" in page and "90.00" in page


@pytest.mark.parametrize("extra", [2, 8])
def test_round_page_query_count_does_not_grow(client, loop, panel, django_assert_max_num_queries, extra):
    w = loop.w
    r = new_round(w)
    A.do_open_nominations(r, actor=w.admin)
    for _ in range(extra):
        s = loop.drive.to("accepted")
        A.do_add_nominee(r, actor=w.admin, suggestion=s, reason="增补")
    for j in panel:
        A.do_assign_judge(r, actor=w.admin, judge=j)
    client.force_login(w.admin)
    with django_assert_max_num_queries(30):
        assert client.get(url("round", r.pk)).status_code == 200
    A.do_start_scoring(r, actor=w.admin)
    client.force_login(panel[0])
    with django_assert_max_num_queries(20):
        assert client.get(url("score_list", r.pk)).status_code == 200


def test_visible_rounds_agree_with_the_view_permission(loop, panel):
    """`rounds_visible_to` is the queryset twin of ``awards.view_round``, for every persona."""
    import rules

    from minyi.awards.selectors import rounds_visible_to

    w = loop.w
    s = loop.drive.to("closed")
    published = new_round(w, min_scores=3)
    A.do_open_nominations(published, actor=w.admin)
    if not published.nominees.exists():
        A.do_add_nominee(published, actor=w.admin, suggestion=s, reason="增补")
    for j in panel:
        A.do_assign_judge(published, actor=w.admin, judge=j)
    A.do_start_scoring(published, actor=w.admin)
    for j in panel:
        score_all(published, published.nominees.get(), j, 80)
    A.do_close_scoring(published, actor=w.admin)
    A.do_approve_results(published, actor=w.admin)
    A.do_publish_results(published, actor=w.admin)
    draft = A.do_create_round(
        w.congress,
        actor=w.admin,
        year=2025,
        quarter=1,
        scoring_deadline=timezone.now() + datetime.timedelta(days=3),
    )
    A.do_assign_judge(draft, actor=w.admin, judge=panel[0])
    rounds = [AwardRound.objects.get(pk=published.pk), AwardRound.objects.get(pk=draft.pk)]
    personas = [w.admin, w.clerk, w.deputy, w.cosigner, w.liaison, w.coordinator, w.handler_a, w.leader_a]
    personas += [w.supervisor, w.inspector, w.judge, w.viewer, w.outsider, *panel]
    for user in personas:
        visible = set(rounds_visible_to(user, w.congress).values_list("pk", flat=True))
        allowed = {
            r.pk for r in rounds if rules.has_perm("awards.view_round", user, AwardRound.objects.get(pk=r.pk))
        }
        assert visible == allowed, user
    assert set(rounds_visible_to(panel[0], w.congress).values_list("pk", flat=True)) == {
        rounds[0].pk,
        rounds[1].pk,
    }
    assert set(rounds_visible_to(w.deputy, w.congress).values_list("pk", flat=True)) == {rounds[0].pk}
    assert set(rounds_visible_to(w.outsider, w.congress).values_list("pk", flat=True)) == set()
