"""A user never finds what they may not open: for every persona of the world, the hits are exactly
the records the permission rules let them open (and the list selectors list), in their congress only;
the reply queryset the search uses equals `can_view_reply` row by row."""

from __future__ import annotations

import dataclasses

import pytest
import rules
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.intake import actions as intake_actions
from minyi.intake.models import Opinion
from minyi.intake.selectors import opinions_visible_to
from minyi.suggestions import actions as A
from minyi.suggestions.models import Reply, Suggestion
from minyi.suggestions.rules import can_view_reply, can_view_suggestion
from minyi.suggestions.selectors import replies_of_congress_visible_to, suggestions_visible_to
from minyi.textsearch import search as search_module
from minyi.textsearch.index import index_suggestions
from minyi.textsearch.search import search, similar
from tests.factories import DeputyFactory, MembershipFactory, UserFactory

from .conftest import record_opinion

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin", "clerk", "deputy", "cosigner", "liaison", "coordinator", "handler_a", "handler_b",
    "leader_a", "supervisor", "inspector", "judge", "viewer", "outsider",
]  # fmt: skip
WORD = "排水"


@pytest.fixture
def spread(daytime, loop, station):
    """Suggestions at every kind of stage, replies drafted and signed, opinions kept at the station
    and forwarded to unit A, a draft a liaison clerk entered, another deputy's draft — all about
    排水 — and a suggestion of the other congress about it too."""
    w, drive = loop.w, loop.drive
    other = UserFactory(username="other_deputy", full_name="other_deputy")
    MembershipFactory(user=other, congress=w.congress, role=Role.DEPUTY)
    other_deputy = DeputyFactory(congress=w.congress, user=other, name="另一代表", number="A003")
    made = [
        drive.to("draft", title="关于排水管网改造的建议（草稿）"),
        drive.to("submitted", title="关于排水设施维护的建议"),
        drive.to("assigned", co=True, title="关于排水泵站建设的建议"),
        drive.to("reply_drafted", title="关于排水沟清淤的建议"),
        drive.to("replied", title="关于排水防涝的建议", cosign=True),
        drive.to("replied", split=True, title="关于城区排水规划的建议"),
        A.do_create_suggestion(
            w.congress,
            actor=other,
            content=dataclasses.replace(
                __import__("tests.suggestions.conftest", fromlist=["content"]).content(loop.taxa),
                title="关于农村排水的建议",
            ),
            lead=other_deputy,
        ),
    ]
    # a reply draft of unit A (lead) with a co-unit B: B must not find A's draft
    s_co = made[2]
    drive.work(s_co, upto="reply_drafted")
    kept = record_opinion(loop, station, "居民反映小区排水不畅，雨天积水。")
    forwarded = record_opinion(loop, station, "排水井盖破损，存在安全隐患。")
    intake_actions.do_forward_opinion(forwarded, actor=w.liaison, unit=w.unit_a)
    # the other congress: a suggestion about the same word, indexed
    beta_deputy = DeputyFactory(congress=w.other_congress, name="乙区代表", number="B001")
    beta = Suggestion.objects.create(
        congress=w.other_congress, lead=beta_deputy, entered_by=w.outsider, title="关于乙区排水的建议",
        facts="乙区排水问题。", state="submitted",
    )  # fmt: skip
    index_suggestions([beta.pk])
    # every reply about the word too (the driver's replies say only 经研究，答复如下)
    Reply.objects.update(body="关于排水问题，经研究，答复如下。")
    index_suggestions(Suggestion.objects.values_list("pk", flat=True))
    return {"suggestions": made, "opinions": [kept, forwarded], "beta": beta}


def expected(user, congress) -> set[tuple[str, int]]:
    """What the permission rules let `user` open, one record at a time."""
    out = set()
    for s in Suggestion.objects.filter(congress=congress).select_related("congress", "lead"):
        if can_view_suggestion(user, s):
            out.add(("suggestion", s.pk))
    for r in Reply.objects.filter(assignment__suggestion__congress=congress).select_related(
        "assignment__suggestion__congress", "assignment__unit"
    ):
        if can_view_reply(user, r):
            out.add(("reply", r.pk))
    for o in Opinion.objects.filter(congress=congress):
        if rules.has_perm("intake.view_opinion", user, o):
            out.add(("opinion", o.pk))
    return out


#: The search's plans: ranked (the default at this size), broad (every word common: newest first,
#: the narrow readers' entries checked against the matches), ranked from few candidates (the
#: candidates do not suffice: every match is ranked with its check), on PostgreSQL a planner's
#: estimate that fell short (broad after all: the newest instead) and a narrow reader's own lists
#: instead of the matches checked one by one.
PLANS = {
    "ranked": {},
    "broad": {"BROAD": 0},
    "few-candidates": {"CANDIDATES": 1},
    "estimate-short": {"BROAD": 0, "estimated_matches": lambda *args, **kwargs: 0},
    "narrow-lists": {"NARROW_CHECK": 0},
}


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_finds_exactly_what_it_may_open(spread, loop, persona, plan, client, monkeypatch):
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(search_module, name, value)
    w = loop.w
    user = getattr(w, persona)
    hits = {(e.kind, e.object_id) for e in search(user, w.congress, WORD).entries()}
    assert hits == expected(user, w.congress)
    # …which is what the list selectors list
    listed = {
        ("suggestion", pk) for pk in suggestions_visible_to(user, w.congress).values_list("pk", flat=True)
    }
    listed |= {
        ("reply", pk) for pk in replies_of_congress_visible_to(user, w.congress).values_list("pk", flat=True)
    }
    listed |= {("opinion", pk) for pk in opinions_visible_to(user, w.congress).values_list("pk", flat=True)}
    assert hits == listed
    # the other congress never leaks, whoever asks
    assert ("suggestion", spread["beta"].pk) not in hits
    beta_hits = {(e.kind, e.object_id) for e in search(user, w.other_congress, WORD).entries()}
    assert beta_hits == ({("suggestion", spread["beta"].pk)} if persona == "outsider" else set())
    # similar suggestions: only those the user may open
    for s in similar(w.congress, "排水管网 排水设施", user=user):
        assert ("suggestion", s.entry.suggestion_id) in hits
    # the page: the same hits, or 404 outside one's congress
    client.force_login(user)
    response = client.get(reverse("textsearch:search", args=[w.congress.code]), {"q": WORD})
    if persona == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        shown = {(h.entry.kind, h.entry.object_id) for h in response.context["hits"]}
        assert shown == hits


def test_the_persona_spread_is_not_trivial(spread, loop):
    """Some personas see replies in the unit, some only signed ones, some no opinion at all."""
    w = loop.w
    sees = {p: expected(getattr(w, p), w.congress) for p in PERSONAS}
    reply_drafts = {("reply", r.pk) for r in Reply.objects.filter(signed_off_at__isnull=True)}
    assert reply_drafts and reply_drafts <= sees["handler_a"]
    assert not reply_drafts & sees["deputy"]
    assert not reply_drafts & sees["handler_b"]
    assert any(k == "opinion" for k, _ in sees["liaison"])
    assert not any(k == "opinion" for k, _ in sees["viewer"])
    assert sees["outsider"] == set()
    assert len({frozenset(v) for v in sees.values()}) >= 8


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_reply_queryset_is_the_twin_of_can_view_reply(spread, loop, persona):
    w = loop.w
    user = getattr(w, persona)
    rows = Reply.objects.select_related("assignment__suggestion__congress", "assignment__unit")
    by_rule = {r.pk for r in rows if can_view_reply(user, r)}
    assert set(replies_of_congress_visible_to(user, w.congress).values_list("pk", flat=True)) == by_rule
