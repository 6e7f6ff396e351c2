"""The judge's scoring page shows the suggestion, its signed-off reply and the deputy's evaluation
(issue #12), read through the suggestion selectors; judges outside the panel still get 404."""

from __future__ import annotations

from minyi.suggestions.models import Reply

from .test_views import _scoring_round, url


def test_scoring_page_shows_reply_and_evaluation(client, daytime, loop, panel, django_assert_max_num_queries):
    r, n = _scoring_round(loop, panel)
    reply = Reply.objects.get(assignment__suggestion=n.suggestion)
    client.force_login(panel[0])
    with django_assert_max_num_queries(30):
        page = client.get(url("score", r.pk, n.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert n.suggestion.title in body
    assert 'id="nominee-replies"' in body and reply.body.split("，")[0] in body
    assert str(reply.result_class) in body
    assert 'id="nominee-evaluation"' in body and "满意" in body
    # not on the panel: 404, nothing of the suggestion shown
    client.force_login(loop.w.judge)
    assert client.get(url("score", r.pk, n.pk)).status_code == 404
    client.force_login(loop.w.outsider)
    assert client.get(url("score", r.pk, n.pk)).status_code == 404


def test_results_export_follows_who_may_see_the_results(client, daytime, loop, panel):
    import io

    import openpyxl

    from minyi.awards import actions as AA
    from minyi.awards.states import RoundState

    from .conftest import score_all

    w = loop.w
    r, n = _scoring_round(loop, panel)
    for j in panel:
        score_all(r, n, j, 90)
    AA.do_close_scoring(r, actor=w.admin)
    address = url("results_export", r.pk)
    client.force_login(w.cosigner)  # a member: results not published yet
    assert client.get(address).status_code == 404
    client.force_login(w.admin)
    response = client.get(address)
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(row[2], row[3]) for row in rows[1:]] == [(str(n), 90)]
    AA.do_approve_results(r, actor=w.admin, note="")
    AA.do_publish_results(r, actor=w.admin)
    r.refresh_from_db()
    assert r.state == RoundState.PUBLISHED
    client.force_login(w.cosigner)
    assert client.get(address).status_code == 200
    client.force_login(w.outsider)
    assert client.get(address).status_code == 404


def test_the_judges_todo_export_holds_their_candidates(client, daytime, loop, panel):
    """The 待办 export reads the 待办 page's own sections, other apps' included (core.work)."""
    import io

    import openpyxl
    from django.urls import reverse

    r, n = _scoring_round(loop, panel)
    client.force_login(panel[0])
    response = client.get(reverse("suggestions:worklist_export", args=["alpha"]))
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    page = client.get(reverse("suggestions:worklist", args=["alpha"])).content.decode()
    assert len(rows) > 1 and all(str(row[2]) in page for row in rows[1:])
