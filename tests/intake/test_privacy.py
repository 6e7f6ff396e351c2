"""A constituent's name and phone: only the liaison clerks of the opinion's station and the opinion's
deputy ever see them. For every persona, every intake page they can open, the suggestion pages and
the API are rendered and searched for the phone and the name; the audit trail never holds them."""

from __future__ import annotations

import re

import pytest
import rules
from django.test import Client
from django.urls import reverse

from minyi.audit.models import AuditEvent
from minyi.intake import actions as A
from minyi.intake.models import Opinion
from minyi.intake.selectors import access_opinion, contact_visible_to, for_reader, opinions_visible_to
from minyi.intake.states import ACTION_LABELS
from minyi.suggestions import actions as SA
from minyi.suggestions.models import Suggestion

from .conftest import NAME, PHONE

PHONE2, NAME2 = "13787654321", "钱隐私"
PHONE3, NAME3 = "13611112222", "孙保密"
PERSONAS = [
    "admin",
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
    "judge",
    "viewer",
    "outsider",
]
#: Who may see the contact data of the three opinions below (all at the liaison's station, all
#: with world.deputy as their deputy).
CLOSE = {"liaison", "deputy"}


@pytest.fixture
def scene(intake, sms, django_capture_on_commit_callbacks):
    """An adopted opinion driven to a reply and notified, one forwarded to unit A and answered, one
    merged into the first; all with contact data."""
    w = intake.w
    event = intake.event(days_ago=3)
    adopted = intake.record(station=None, event=event)
    forwarded = intake.record(constituent_name=NAME2, constituent_phone=PHONE2)
    merged = intake.record(constituent_name=NAME3, constituent_phone=PHONE3)
    A.do_merge_opinion(merged, actor=w.liaison, into=adopted)
    A.do_forward_opinion(forwarded, actor=w.liaison, unit=w.unit_a)
    A.do_answer_forwarded_opinion(forwarded, actor=w.handler_a, answer="已处理。")
    s = A.do_adopt_opinion_as_suggestion(
        adopted,
        actor=w.deputy,
        data=A.AdoptionInput(
            title="关于修复路灯的建议", proposals="尽快修复", category=intake.loop.taxa.category
        ),
    )
    s = SA.do_submit_suggestion(s, actor=w.deputy)
    s = SA.do_accept_suggestion(s, actor=w.clerk)
    s = SA.do_forward_suggestion(s, actor=w.clerk, body=w.gov)
    SA.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_a])
    intake.loop.drive.work(s, upto="replied")
    with django_capture_on_commit_callbacks(execute=True):
        A.do_notify_constituent_of_outcome(Opinion.objects.get(pk=adopted.pk), actor=w.liaison)
        A.do_notify_constituent_of_outcome(Opinion.objects.get(pk=forwarded.pk), actor=w.deputy)
    return {"adopted": adopted, "forwarded": forwarded, "merged": merged, "event": event, "suggestion": s}


def urls(intake, scene) -> list[str]:
    code = intake.w.congress.code
    opinions = [scene["adopted"], scene["forwarded"], scene["merged"]]
    s = scene["suggestion"]
    out = [
        reverse("intake:stations", args=[code]),
        reverse("intake:station", args=[code, intake.station.pk]),
        reverse("intake:station", args=[code, intake.other_station.pk]),
        reverse("intake:station", args=[code, intake.station.pk]) + "?state=adopted",
        reverse("intake:events", args=[code, intake.station.pk]),
        reverse("intake:event", args=[code, scene["event"].pk]),
        reverse("intake:opinions", args=[code]),
        reverse("intake:mine", args=[code]),
        reverse("intake:forwarded", args=[code]),
        reverse("intake:opinion_create", args=[code]),
        *[reverse("intake:opinion", args=[code, o.pk]) for o in opinions],
        *[
            reverse("intake:opinion_step", args=[code, o.pk, action])
            for o in opinions
            for action in ACTION_LABELS
        ],
        reverse("suggestions:detail", args=[code, s.pk]),
        reverse("suggestions:list", args=[code]),
        reverse("suggestions:worklist", args=[code]),
        f"/api/v1/congresses/{code}/suggestions/{s.pk}",
        f"/api/v1/congresses/{code}/suggestions/{s.pk}/timeline",
        f"/api/v1/congresses/{code}/suggestions",
    ]
    return out


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_or_api_shows_the_contact_data_to_anyone_else(intake, scene, persona):
    client = Client()
    client.force_login(getattr(intake.w, persona))
    opened = 0
    for url in urls(intake, scene):
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        if response.status_code != 200:
            continue
        opened += 1
        body = response.content.decode()
        secrets = [PHONE, NAME, PHONE2, NAME2, PHONE3, NAME3]
        if persona in CLOSE and re.search(r"/intake/opinions/\d+/", url):
            continue  # checked below: the close ones see them on the opinion's own pages
        for secret in secrets:
            assert secret not in body, (persona, url, secret)
    assert opened >= (3 if persona != "outsider" else 0)


@pytest.mark.parametrize("persona", sorted(CLOSE))
def test_the_station_and_the_deputy_do_see_the_contact_data_on_the_opinion(intake, scene, persona):
    client = Client()
    client.force_login(getattr(intake.w, persona))
    code = intake.w.congress.code
    for key, phone, name in [
        ("adopted", PHONE, NAME),
        ("forwarded", PHONE2, NAME2),
        ("merged", PHONE3, NAME3),
    ]:
        body = client.get(reverse("intake:opinion", args=[code, scene[key].pk])).content.decode()
        assert phone in body and name in body, (persona, key)
    # …but never on lists, station, event or suggestion pages
    for url in [
        reverse("intake:station", args=[code, intake.station.pk]),
        reverse("intake:event", args=[code, scene["event"].pk]),
        reverse("intake:mine", args=[code]),
        reverse("suggestions:detail", args=[code, scene["suggestion"].pk]),
    ]:
        body = client.get(url).content.decode()
        for secret in (PHONE, NAME, PHONE2, NAME2, PHONE3, NAME3):
            assert secret not in body, (persona, url)


def test_the_predicate_and_the_selectors_agree_for_every_persona(intake, scene):
    w = intake.w
    opinions = list(Opinion.objects.all())
    for persona in PERSONAS + ["leader_b"]:
        user = getattr(w, persona, None) or intake.loop.leader_b
        visible = set(opinions_visible_to(user, w.congress).values_list("pk", flat=True))
        for o in opinions:
            assert (o.pk in visible) == rules.has_perm("intake.view_opinion", user, o), (persona, o.pk)
            assert contact_visible_to(user, o) == (persona in CLOSE), (persona, o.pk)
            if o.pk in visible:
                shown = access_opinion(user, w.congress, o.pk)
                assert (shown.constituent_phone != "") == (persona in CLOSE)
        rows = for_reader(user, Opinion.objects.all())
        assert all((r.constituent_phone == "") == (persona not in CLOSE) for r in rows)


def test_units_see_only_what_was_forwarded_to_them(intake, scene):
    w = intake.w
    assert set(opinions_visible_to(w.handler_a, w.congress)) == {scene["forwarded"]}
    assert set(opinions_visible_to(w.leader_a, w.congress)) == {scene["forwarded"]}
    assert not opinions_visible_to(w.handler_b, w.congress).exists()
    assert not opinions_visible_to(w.coordinator, w.congress).exists()
    assert not opinions_visible_to(w.cosigner, w.congress).exists()
    assert not opinions_visible_to(w.judge, w.congress).exists()
    assert not opinions_visible_to(w.outsider, w.congress).exists()
    assert opinions_visible_to(w.clerk, w.congress).count() == 3


def test_a_superuser_never_sees_contact_data(intake, scene):
    """A platform admin has no rights in a congress without a membership (decision 0009): 404 on the
    opinion page and its API; with a clerk's membership, a clerk's view (without contact data)."""
    from minyi.accounts.models import Role
    from tests.factories import MembershipFactory, UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    opinion = scene["adopted"]
    code = intake.w.congress.code
    assert not rules.has_perm("intake.view_opinion", root, opinion)
    assert not contact_visible_to(root, opinion)
    client = Client()
    client.force_login(root)
    assert client.get(reverse("intake:opinion", args=[code, opinion.pk])).status_code == 404
    assert client.get(reverse("intake:stations", args=[code])).status_code == 404
    MembershipFactory(user=root, congress=intake.w.congress, role=Role.CONGRESS_CLERK)
    root = type(root).objects.get(pk=root.pk)
    assert rules.has_perm("intake.view_opinion", root, opinion)
    assert not contact_visible_to(root, opinion)
    response = client.get(reverse("intake:opinion", args=[code, opinion.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and PHONE not in body and NAME not in body


def test_the_viewer_reads_stations_and_events_but_no_opinion(intake, scene):
    """Voter opinions carry residents' personal data: the read-only viewer sees none of them, on the
    pages, the lists and the rules alike (decision 0009)."""
    w = intake.w
    code = w.congress.code
    opinions = [scene["adopted"], scene["forwarded"], scene["merged"]]
    for opinion in opinions:
        assert not rules.has_perm("intake.view_opinion", w.viewer, opinion)
        assert not contact_visible_to(w.viewer, opinion)
    client = Client()
    client.force_login(w.viewer)
    assert client.get(reverse("intake:stations", args=[code])).status_code == 200
    assert client.get(reverse("intake:event", args=[code, scene["event"].pk])).status_code == 200
    for opinion in opinions:
        assert client.get(reverse("intake:opinion", args=[code, opinion.pk])).status_code == 404
    listing = client.get(reverse("intake:opinions", args=[code]))
    body = listing.content.decode()
    assert listing.status_code in (200, 404)
    for opinion in opinions:
        assert reverse("intake:opinion", args=[code, opinion.pk]) not in body
    for secret in (PHONE, NAME, PHONE2, NAME2, PHONE3, NAME3):
        assert secret not in body


def test_the_audit_trail_never_holds_contact_data(intake, scene):
    assert AuditEvent.objects.filter(code__startswith="intake.").count() > 5
    for row in AuditEvent.objects.all():
        text = f"{row.old} {row.new} {row.note} {row.object_repr}"
        for secret in (PHONE, NAME, PHONE2, NAME2, PHONE3, NAME3):
            assert secret not in text, (row.code, secret)
    recorded = AuditEvent.objects.filter(code="intake.opinion.recorded")
    assert {r.new["constituent"] for r in recorded} == {"***"}


def test_the_suggestion_never_carries_the_contact_data(intake, scene):
    s = Suggestion.objects.get(pk=scene["suggestion"].pk)
    for value in (s.title, s.facts, s.proposals):
        for secret in (PHONE, NAME):
            assert secret not in value
