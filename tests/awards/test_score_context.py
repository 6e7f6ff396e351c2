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
