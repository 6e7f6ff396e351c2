"""A deputy adopts an opinion as a suggestion: the draft keeps the link, a grassroots channel and the
collection date; and the same-day upload rate (当日上传率), counted by hand."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.congress.models import Channel
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.intake import actions as A
from minyi.intake.models import Opinion
from minyi.intake.selectors import (
    default_channel,
    opinion_for_suggestion,
    same_day_opinions,
    same_day_upload_rate,
)
from minyi.intake.states import OpinionState as OS
from minyi.suggestions import actions as SA
from minyi.suggestions.states import SuggestionState
from tests.factories import DeputyFactory, MembershipFactory, UserFactory

from .conftest import NAME, PHONE, last_row, refused

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def adopt(intake, opinion, **kw):
    actor = kw.pop("actor", intake.w.deputy)
    data = A.AdoptionInput(title=kw.pop("title", "关于修复小区路灯的建议"), **kw)
    return A.do_adopt_opinion_as_suggestion(opinion, actor=actor, data=data)


def test_adoption_makes_a_linked_draft_with_the_grassroots_channel_and_collection_date(intake):
    event = intake.event(days_ago=6)
    opinion = intake.record(station=None, event=event, category=intake.loop.taxa.category)
    s = adopt(intake, opinion, proposals="建议尽快修复。")
    opinion.refresh_from_db()
    assert opinion.state == OS.ADOPTED and opinion.suggestion == s and opinion.adopted_at is not None
    assert s.state == SuggestionState.DRAFT and s.lead == intake.deputy and s.entered_by == intake.w.deputy
    assert s.channel == intake.face_channel  # named like the event kind 局长·代表面对面
    assert s.channel.grassroots
    assert s.collected_on == event.date == opinion.collected_on
    assert s.facts == opinion.content and s.proposals == "建议尽快修复。"
    assert s.category == intake.loop.taxa.category
    row = last_row("intake.opinion.adopted")
    assert row.suggestion == s and row.actor == intake.w.deputy
    assert row.old == {"state": "open"}
    assert row.new == {
        "state": "adopted",
        "suggestion": s.pk,
        "channel": intake.face_channel.pk,
        "collected_on": event.date.isoformat(),
    }
    assert AuditEvent.objects.filter(suggestion=s, code="suggestion.created").exists()
    assert PHONE not in str(list(AuditEvent.objects.filter(suggestion=s).values_list("new", "old", "note")))


def test_default_channel_without_a_matching_event_kind_is_the_first_grassroots_one(intake):
    opinion = intake.record()
    assert default_channel(opinion) == intake.loop.taxa.channel  # order 0, before 局长·代表面对面
    reception = intake.record(station=None, event=intake.event(kind="reception"))
    assert default_channel(reception) == intake.loop.taxa.channel
    s = adopt(intake, opinion)
    assert s.channel == intake.loop.taxa.channel


def test_the_deputy_may_pick_another_grassroots_channel_but_not_a_non_grassroots_one(intake):
    visit = Channel.objects.create(congress=intake.w.congress, name="代表走访调研", grassroots=True)
    web = Channel.objects.create(congress=intake.w.congress, name="网络征集", grassroots=False)
    opinion = intake.record()
    with refused(ValidationFailed, "channel_not_grassroots"):
        adopt(intake, opinion, channel=web)
    beta = Channel.objects.create(congress=intake.w.other_congress, name="联络站", grassroots=True)
    with refused(ValidationFailed, "wrong_congress"):
        adopt(intake, opinion, channel=beta)
    assert adopt(intake, opinion, channel=visit).channel == visit


def test_no_grassroots_channel_no_adoption(intake):
    Channel.objects.filter(congress=intake.w.congress, grassroots=True).update(active=False)
    opinion = intake.record()
    with refused(ValidationFailed, "no_grassroots_channel"):
        adopt(intake, opinion)


def test_only_the_opinions_own_deputy_adopts(intake):
    opinion = intake.record()
    for who in ("liaison", "cosigner", "clerk", "admin", "handler_a", "outsider"):
        with refused(NotPermitted):
            adopt(intake, opinion, actor=getattr(intake.w, who))
    nobody = intake.record(deputy=None)
    with refused(NotPermitted):
        adopt(intake, nobody)
    adopt(intake, opinion)
    with refused(InvalidTransition):
        adopt(intake, opinion)


def test_the_suggestion_actions_checks_apply_and_a_refusal_leaves_nothing(intake):
    opinion = intake.record()
    with refused(ValidationFailed, "title_required"):
        adopt(intake, opinion, title=" ")
    # a deputy whose term ended cannot lead a suggestion any more
    user = UserFactory(username="former")
    from minyi.accounts.models import Role

    MembershipFactory(user=user, congress=intake.w.congress, role=Role.DEPUTY)
    former = DeputyFactory(congress=intake.w.congress, user=user, in_office_to=timezone.localdate())
    old = intake.record(deputy=former)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=2)),
        refused(ValidationFailed, "not_in_office"),
    ):
        adopt(intake, old, actor=user)


def test_answered_forwarded_or_merged_opinions_are_not_adopted(intake):
    w = intake.w
    answered = intake.record()
    A.do_answer_opinion_on_spot(answered, actor=w.liaison, answer="已答复")
    forwarded = intake.record()
    A.do_forward_opinion(forwarded, actor=w.liaison, unit=w.unit_a)
    for opinion in (answered, forwarded):
        with refused(InvalidTransition):
            adopt(intake, opinion)


def test_photos_can_go_along_as_attachments(intake, media):
    opinion = intake.record()
    A.do_add_photo(opinion, actor=intake.w.liaison, upload=ContentFile(PNG, name="路灯.png"))
    s = adopt(intake, opinion, copy_photos=True)
    assert [a.original_name for a in s.attachments.all()] == ["路灯.png"]
    other = intake.record()
    A.do_add_photo(other, actor=intake.w.liaison, upload=ContentFile(PNG, name="x.png"))
    assert adopt(intake, other).attachments.count() == 0


def test_provenance_for_the_suggestion_pages_is_redacted(intake):
    opinion = intake.record()
    s = adopt(intake, opinion)
    shown = opinion_for_suggestion(s)
    assert shown.pk == opinion.pk and shown.station == intake.station
    assert shown.constituent_phone == "" and shown.constituent_name == "" and shown.contact_given
    assert Opinion.objects.get(pk=opinion.pk).constituent_phone == PHONE


def test_the_suggestion_page_says_where_it_came_from_without_the_constituent(intake, client):
    event = intake.event(days_ago=6)
    s = adopt(intake, intake.record(event=event))
    client.force_login(intake.w.deputy)
    response = client.get(reverse("suggestions:detail", args=[s.congress.code, s.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="provenance"' in html
    assert str(intake.station) in html and str(event) in html
    assert PHONE not in html and NAME not in html
    # a suggestion written directly has no such line
    direct = intake.loop.drive.to("draft")
    assert direct.channel_id is not None
    html = client.get(reverse("suggestions:detail", args=[s.congress.code, direct.pk])).content.decode()
    assert 'id="provenance"' not in html


# --- same-day upload rate --------------------------------------------------------------------------


def at(day: datetime.date, hour: int, minute: int = 0):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=False
    )


def test_same_day_upload_rate_by_hand(intake):
    """Ten opinions, counted by hand (period 3-10 … 3-12, local time Asia/Shanghai):

    | # | collected | adopted? | first submitted          | counts as    |
    |---|-----------|----------|--------------------------|--------------|
    | 1 | 3-10      | yes      | 3-10 09:00               | same day     |
    | 2 | 3-10      | yes      | 3-10 23:30 (15:30 UTC)   | same day     |
    | 3 | 3-10      | yes      | 3-11 00:30 (3-10 UTC!)   | not          |
    | 4 | 3-10      | yes      | 3-12 10:00               | not          |
    | 5 | 3-10      | yes      | never (still a draft)    | not          |
    | 6 | 3-11      | yes      | 3-11, returned, 3-13     | same day (first submission counts) |
    | 7 | 3-11      | no (answered on the spot) | —       | not adopted  |
    | 8 | 3-11      | no (open) | —                       | not adopted  |
    | 9 | 3-09      | yes      | 3-09                     | outside 3-10…3-12 |
    |10 | 3-12      | yes      | 3-12 18:00 (last day)    | same day     |

    In 3-10 … 3-12: adopted = 1,2,3,4,5,6,10 = 7; same day = 1,2,6,10 = 4.
    """
    w = intake.w
    d9, d10, d11, d12, d13 = (datetime.date(2026, 3, day) for day in (9, 10, 11, 12, 13))
    made: dict[int, object] = {}

    def record_and_adopt(n: int, day: datetime.date, hour: int = 8):
        with at(day, hour):
            opinion = intake.record()
            made[n] = opinion
            return adopt(intake, opinion, facts="情况", proposals="建议", category=intake.loop.taxa.category)

    def submit(s, day: datetime.date, hour: int, minute: int = 0):
        with at(day, hour, minute):
            return SA.do_submit_suggestion(s, actor=w.deputy)

    submit(record_and_adopt(1, d10), d10, 9)
    submit(record_and_adopt(2, d10), d10, 23, 30)
    submit(record_and_adopt(3, d10), d11, 0, 30)
    submit(record_and_adopt(4, d10), d12, 10)
    record_and_adopt(5, d10)
    s6 = submit(record_and_adopt(6, d11), d11, 10)
    with at(d11, 15):
        SA.do_return_suggestion(s6, actor=w.clerk, reason="请补充情况")
    submit(s6, d13, 9)
    with at(d11, 9):
        seven = intake.record()
        A.do_answer_opinion_on_spot(seven, actor=w.liaison, answer="已答复")
        intake.record()
    submit(record_and_adopt(9, d9), d9, 10)
    submit(record_and_adopt(10, d12), d12, 18)

    rate = same_day_upload_rate(w.congress, d10, d12)
    assert (rate.adopted, rate.same_day) == (7, 4)
    assert rate.rate == pytest.approx(4 / 7)
    assert set(same_day_opinions(w.congress, d10, d12).values_list("pk", flat=True)) == {
        made[1].pk,
        made[2].pk,
        made[6].pk,
        made[10].pk,
    }
    assert same_day_upload_rate(w.other_congress, d10, d12).rate is None
    assert same_day_upload_rate(w.congress, d9, d9).rate == 1.0
