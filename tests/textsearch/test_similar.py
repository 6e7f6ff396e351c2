"""Similar suggestions: near-duplicates of the labelled fixture find each other, the draft itself is
left out, later years are not shown, and the panels (drafting form, clerk's review) show them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from minyi.suggestions.models import Suggestion
from minyi.textsearch.search import similar

pytestmark = pytest.mark.django_db

FIXTURE = json.loads(
    (Path(__file__).resolve().parents[2] / "bench" / "similar" / "near_duplicates.json").read_text("utf-8")
)


def test_near_duplicates_of_the_fixture_find_each_other(daytime, loop):
    w = loop.w
    groups = FIXTURE["groups"][:5]
    made: dict[int, int] = {}
    for g, group in enumerate(groups):
        for item in group["items"]:
            made[loop.drive.to("submitted", **item).pk] = g
    for item in FIXTURE["distractors"][:10]:
        made[loop.drive.to("submitted", **item).pk] = -1
    found_mates = 0
    for pk, g in made.items():
        if g < 0:
            continue
        draft = Suggestion.objects.get(pk=pk)
        hits = similar(
            w.congress, f"{draft.facts}\n{draft.proposals}", title=draft.title, user=w.clerk, exclude=pk
        )
        ids = [h.entry.suggestion_id for h in hits]
        assert pk not in ids and len(ids) <= 5
        mates = {o for o, og in made.items() if og == g and o != pk}
        assert mates & set(ids), (draft.title, ids)  # every near-duplicate finds one of its group
        found_mates += ids[0] in mates
    assert found_mates >= 0.7 * sum(1 for g in made.values() if g >= 0)


def test_similar_shows_earlier_years_with_their_replies_not_later_ones(daytime, loop):
    w = loop.w
    old = loop.drive.to(
        "replied", title="关于加快老旧小区加装电梯的建议", facts="老旧小区没有电梯，老年人上下楼困难。"
    )
    hits = similar(w.congress, "老旧小区加装电梯，老年人上下楼难", title="加装电梯", user=w.deputy)
    assert [h.entry.suggestion_id for h in hits] == [old.pk]
    assert [r.result_class.code for r in hits[0].replies] == ["A"]
    assert similar(w.congress, "老旧小区加装电梯", user=w.deputy, year=old.year - 1) == []


def test_the_drafting_panel_shows_similar_suggestions(daytime, loop, client):
    w = loop.w
    old = loop.drive.to(
        "replied", title="关于推进垃圾分类的建议", facts="小区垃圾分类投放点设置不合理，混投普遍。"
    )
    client.force_login(w.deputy)
    form = client.get(reverse("suggestions:create", args=[w.congress.code]))
    assert reverse("textsearch:similar", args=[w.congress.code]) in form.content.decode()
    response = client.post(
        reverse("textsearch:similar", args=[w.congress.code]),
        {"title": "关于完善垃圾分类设施的建议", "facts": "垃圾分类投放点破损", "proposals": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "相似的建议" in html and "<mark>垃圾</mark>" in html
    assert reverse("suggestions:detail", args=[w.congress.code, old.pk]) in html
    # nothing typed: nothing shown
    assert (
        "similar-hit"
        not in client.post(reverse("textsearch:similar", args=[w.congress.code]), {}).content.decode()
    )


def test_the_clerk_reviews_with_the_similar_suggestions_beside(daytime, loop, client):
    w = loop.w
    earlier = loop.drive.to("replied", title="关于整治河道黑臭水体的建议", facts="城区河道水体发黑发臭。")
    submitted = loop.drive.to(
        "submitted", title="关于河道清淤和黑臭水体治理的建议", facts="内河水体黑臭，淤积严重。"
    )
    client.force_login(w.clerk)
    page = client.get(reverse("suggestions:detail", args=[w.congress.code, submitted.pk])).content.decode()
    panel_url = reverse("textsearch:similar_to", args=[w.congress.code, submitted.pk])
    assert panel_url in page
    panel = client.get(panel_url).content.decode()
    assert reverse("suggestions:detail", args=[w.congress.code, earlier.pk]) in panel
    assert f'data-suggestion="{submitted.pk}"' not in panel
    # the deputy's own page has no review panel
    client.force_login(w.deputy)
    assert (
        panel_url
        not in client.get(
            reverse("suggestions:detail", args=[w.congress.code, submitted.pk])
        ).content.decode()
    )
    # and a reader who may not open the suggestion gets 404 from the panel
    client.force_login(w.outsider)
    assert client.get(panel_url).status_code == 404


def test_another_deputys_draft_is_never_suggested(daytime, loop):
    w = loop.w
    draft = loop.drive.to("draft", title="关于增设公交站台的建议", facts="公交站台太远。")
    assert [h.entry.suggestion_id for h in similar(w.congress, "增设公交站台", user=w.deputy)] == [draft.pk]
    assert similar(w.congress, "增设公交站台", user=w.cosigner) == []


def test_pairs_of_two_common_words_are_left_out_unless_none_is_left(monkeypatch):
    from minyi.textsearch import search as search_module
    from minyi.textsearch.segment import QueryWord

    words = [QueryWord(w) for w in ("社区", "设施", "西湖", "健身器材")]
    monkeypatch.setattr(search_module, "_common", lambda congress, w: w.word in {"社区", "设施"})
    pairs = {(a.word, b.word) for a, b in search_module._pairs(None, words)}
    assert ("社区", "设施") not in pairs
    assert ("社区", "西湖") in pairs and ("西湖", "健身器材") in pairs and len(pairs) == 5
    monkeypatch.setattr(search_module, "_common", lambda congress, w: True)
    assert len(search_module._pairs(None, words)) == 6
