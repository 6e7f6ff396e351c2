"""The intake pages: who may open what (404 for missing and forbidden alike), forms that say what is
wrong (422) or refused (409), the disposition steps, photos, and fixed query budgets."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minyi.intake import actions as A
from minyi.intake.models import DutyDay, IntakePhoto, Opinion, StationEvent
from minyi.intake.states import OpinionState as OS
from minyi.suggestions.models import Suggestion
from tests.audit.support import assert_one_read_row, last_seq, read_rows_after

from .conftest import PHONE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, intake, *args) -> str:
    return reverse(f"intake:{name}", args=[intake.w.congress.code, *args])


def test_every_member_sees_the_stations_and_outsiders_get_404(intake):
    intake.event()
    for persona in ("judge", "viewer", "handler_a", "deputy", "liaison"):
        response = client_for(getattr(intake.w, persona)).get(url("stations", intake))
        assert response.status_code == 200
        assert "甲区第一联络站" in response.content.decode()
    assert client_for(intake.w.outsider).get(url("stations", intake)).status_code == 404
    assert client_for(intake.w.outsider).get(url("station", intake, intake.station.pk)).status_code == 404
    assert Client().get(url("stations", intake)).status_code == 302  # sign in first


def test_a_station_of_another_congress_is_404(intake):
    from tests.factories import StationFactory

    beta = StationFactory(congress=intake.w.other_congress)
    assert client_for(intake.w.admin).get(url("station", intake, beta.pk)).status_code == 404
    assert client_for(intake.w.admin).get(url("station", intake, 999999)).status_code == 404


def test_the_opinion_form_defaults_to_today_and_records(intake, sms):
    client = client_for(intake.w.liaison)
    page = client.get(url("opinion_create", intake))
    body = page.content.decode()
    assert page.status_code == 200
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in body
    assert "form-control-lg" in body and 'type="tel"' in body
    response = client.post(
        url("opinion_create", intake),
        {
            "station": intake.station.pk,
            "collected_on": timezone.localdate().isoformat(),
            "content": "公交站台没有遮雨棚。",
            "constituent_name": "周某",
            "constituent_phone": PHONE,
            "deputy": intake.deputy.pk,
        },
    )
    opinion = Opinion.objects.get()
    assert response.status_code == 302 and response["Location"] == url("opinion", intake, opinion.pk)
    assert opinion.deputy == intake.deputy and opinion.constituent_phone == PHONE


def test_the_opinion_form_from_an_event_page(intake):
    event = intake.event(days_ago=2, place="社区礼堂")
    client = client_for(intake.w.liaison)
    body = client.get(url("event", intake, event.pk)).content.decode()
    assert f"?event={event.pk}" in body
    body = client.get(url("opinion_create", intake) + f"?event={event.pk}").content.decode()
    assert f'value="{event.date:%Y-%m-%d}"' in body and "社区礼堂" in body
    response = client.post(
        url("opinion_create", intake),
        {
            "station": intake.station.pk,
            "event": event.pk,
            "collected_on": event.date.isoformat(),
            "content": "问题",
        },
    )
    assert response.status_code == 302
    assert Opinion.objects.get().event == event


def test_the_opinion_form_says_what_is_wrong(intake):
    client = client_for(intake.w.liaison)
    response = client.post(
        url("opinion_create", intake),
        {
            "station": intake.station.pk,
            "collected_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "content": "问题",
            "constituent_phone": "12345",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "请填写11位手机号码" in body
    response = client.post(
        url("opinion_create", intake),
        {
            "station": intake.station.pk,
            "collected_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "content": "问题",
        },
    )
    assert response.status_code == 422 and "收集日期不能晚于今天" in response.content.decode()
    # another station is not a choice for this clerk
    response = client.post(
        url("opinion_create", intake),
        {
            "station": intake.other_station.pk,
            "collected_on": timezone.localdate().isoformat(),
            "content": "问题",
        },
    )
    assert response.status_code == 422 and not Opinion.objects.exists()
    response = client.post(url("opinion_create", intake), {"station": intake.station.pk, "content": ""})
    assert response.status_code == 422


def test_a_bad_photo_is_refused_next_to_the_field(intake, media):
    response = client_for(intake.w.liaison).post(
        url("opinion_create", intake),
        {
            "station": intake.station.pk,
            "collected_on": timezone.localdate().isoformat(),
            "content": "问题",
            "photos": [SimpleUploadedFile("x.png", b"%PDF-1.4 not an image", content_type="image/png")],
        },
    )
    assert response.status_code == 422 and "只能上传照片" in response.content.decode()
    assert not Opinion.objects.exists()


def test_who_may_open_the_opinion_form(intake):
    for persona in ("handler_a", "clerk", "viewer", "judge"):
        assert client_for(getattr(intake.w, persona)).get(url("opinion_create", intake)).status_code == 404
    body = client_for(intake.w.deputy).get(url("opinion_create", intake)).content.decode()
    assert "甲区第二联络站" in body  # a deputy may record at any station
    assert 'name="deputy"' not in body  # …and only for themself


def test_opinion_pages_are_404_for_those_who_may_not_see_them(intake):
    opinion = intake.record()
    for persona in ("cosigner", "handler_a", "coordinator", "judge", "viewer", "outsider"):
        assert (
            client_for(getattr(intake.w, persona)).get(url("opinion", intake, opinion.pk)).status_code == 404
        )
    for persona in ("clerk", "supervisor", "liaison", "deputy"):
        assert (
            client_for(getattr(intake.w, persona)).get(url("opinion", intake, opinion.pk)).status_code == 200
        )
    assert client_for(intake.w.liaison).get(url("opinion", intake, 999999)).status_code == 404
    assert (
        client_for(intake.w.clerk).get(url("opinion_step", intake, opinion.pk, "forward")).status_code == 404
    )
    assert (
        client_for(intake.w.liaison).get(url("opinion_step", intake, opinion.pk, "nonsense")).status_code
        == 404
    )
    assert (
        client_for(intake.w.liaison).get(url("opinion_step", intake, opinion.pk, "adopt")).status_code == 404
    )


def test_the_detail_offers_the_moves_of_the_table(intake):
    opinion = intake.record()
    body = client_for(intake.w.liaison).get(url("opinion", intake, opinion.pk)).content.decode()
    for action in ("refer", "answer_on_spot", "forward", "merge"):
        assert f'data-action="{action}"' in body
    assert 'data-action="adopt"' not in body
    body = client_for(intake.w.deputy).get(url("opinion", intake, opinion.pk)).content.decode()
    assert 'data-action="adopt"' in body and 'data-action="refer"' not in body
    body = client_for(intake.w.clerk).get(url("opinion", intake, opinion.pk)).content.decode()
    assert "您现在可以" not in body  # the congress clerk oversees: no moves on a station's opinion


def test_forward_and_answer_through_the_pages(intake):
    w = intake.w
    opinion = intake.record()
    response = client_for(w.liaison).post(
        url("opinion_step", intake, opinion.pk, "forward"), {"unit": w.unit_a.pk, "note": "请核实"}
    )
    assert response.status_code == 302
    body = client_for(w.handler_a).get(url("forwarded", intake)).content.decode()
    assert f"#{opinion.pk}" in body
    assert client_for(w.handler_b).get(url("opinion", intake, opinion.pk)).status_code == 404
    response = client_for(w.handler_a).post(
        url("opinion_step", intake, opinion.pk, "answer_forwarded"), {"answer": ""}
    )
    assert response.status_code == 422
    response = client_for(w.handler_a).post(
        url("opinion_step", intake, opinion.pk, "answer_forwarded"), {"answer": "已安排维修。"}
    )
    assert response.status_code == 302
    assert Opinion.objects.get(pk=opinion.pk).state == OS.UNIT_ANSWERED
    # the step is no longer possible: back to the opinion with a message
    response = client_for(w.handler_a).get(url("opinion_step", intake, opinion.pk, "answer_forwarded"))
    assert response.status_code == 302


def test_a_refused_move_is_shown_with_409(intake):
    w = intake.w
    main = intake.record()
    dup = intake.record()
    A.do_merge_opinion(main, actor=w.liaison, into=dup)  # main is now merged: not a valid target
    third = intake.record()
    response = client_for(w.liaison).post(url("opinion_step", intake, third.pk, "merge"), {"into": main.pk})
    assert response.status_code == 422  # not offered as a choice at all
    A.do_answer_opinion_on_spot(third, actor=w.liaison, answer="好")
    response = client_for(w.liaison).post(
        url("opinion_step", intake, third.pk, "answer_on_spot"), {"answer": "x"}
    )
    assert response.status_code == 302  # the state no longer allows it: back to the opinion


def test_adopt_through_the_page_leads_to_the_new_draft(intake):
    opinion = intake.record(station=None, event=intake.event())
    client = client_for(intake.w.deputy)
    page = client.get(url("opinion_step", intake, opinion.pk, "adopt")).content.decode()
    assert "局长·代表面对面" in page and "小区路灯坏了很久" in page
    response = client.post(
        url("opinion_step", intake, opinion.pk, "adopt"),
        {
            "title": "关于修复路灯的建议",
            "facts": opinion.content,
            "proposals": "修复",
            "channel": intake.face_channel.pk,
        },
    )
    s = Suggestion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("suggestions:detail", args=[intake.w.congress.code, s.pk])
    assert s.channel == intake.face_channel and s.collected_on == opinion.collected_on
    body = client.get(url("mine", intake)).content.decode()
    assert "已形成建议" in body and s.title[:10] in body


def test_events_and_duty_days_through_the_pages(intake, media):
    client = client_for(intake.w.liaison)
    assert client.get(url("event_create", intake, intake.station.pk)).status_code == 200
    response = client.post(
        url("event_create", intake, intake.station.pk),
        {
            "kind": "face_to_face",
            "date": timezone.localdate().isoformat(),
            "title": "局长·代表面对面",
            "deputies": [intake.deputy.pk],
            "officials": "区住建局局长",
            "photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png")],
        },
    )
    event = StationEvent.objects.get()
    assert response.status_code == 302 and event.photos.count() == 1
    response = client.post(
        url("event_edit", intake, event.pk),
        {"kind": "face_to_face", "date": event.date.isoformat(), "title": event.title, "minutes": "纪要"},
    )
    assert response.status_code == 302 and StationEvent.objects.get().minutes == "纪要"
    day = timezone.localdate().isoformat()
    assert (
        client.post(
            url("duty_day_create", intake, intake.station.pk), {"date": day, "deputies": [intake.deputy.pk]}
        ).status_code
        == 302
    )
    response = client.post(
        url("duty_day_create", intake, intake.station.pk), {"date": day, "deputies": [intake.deputy.pk]}
    )
    assert response.status_code == 422 and "已登记为本站坐班日" in response.content.decode()
    assert DutyDay.objects.count() == 1
    for persona in ("deputy", "handler_a", "judge"):
        other = client_for(getattr(intake.w, persona))
        assert other.get(url("event_create", intake, intake.station.pk)).status_code == 404
        assert other.get(url("duty_day_create", intake, intake.station.pk)).status_code == 404
        assert other.get(url("event_edit", intake, event.pk)).status_code == 404
    assert (
        client_for(intake.w.liaison).get(url("event_create", intake, intake.other_station.pk)).status_code
        == 404
    )


def test_photos_follow_their_record(intake, media):
    event = intake.event()
    event_photo = A.do_add_photo(event, actor=intake.w.liaison, upload=SimpleUploadedFile("e.png", PNG))
    opinion = intake.record()
    opinion_photo = A.do_add_photo(opinion, actor=intake.w.liaison, upload=SimpleUploadedFile("o.png", PNG))
    judge = client_for(intake.w.judge)
    seq = last_seq()
    response = judge.get(url("photo", intake, event_photo.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert_one_read_row(
        seq, "file.downloaded", actor=intake.w.judge, congress=intake.w.congress, obj=event_photo
    )
    seq = last_seq()
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG
    assert judge.get(url("photo", intake, opinion_photo.pk)).status_code == 404
    assert client_for(intake.w.clerk).get(url("photo", intake, opinion_photo.pk)).status_code == 200
    assert client_for(intake.w.outsider).get(url("photo", intake, event_photo.pk)).status_code == 404
    assert [e.code for e in read_rows_after(seq)] == ["file.downloaded"]  # the clerk's; refusals: none
    assert IntakePhoto.objects.count() == 2


def _opinions(intake, n: int) -> None:
    event = intake.event()
    for i in range(n):
        o = intake.record(content=f"意见{i}", station=None, event=event, category=intake.loop.taxa.category)
        if i % 3 == 1:
            A.do_forward_opinion(o, actor=intake.w.liaison, unit=intake.w.unit_a)
        if i % 3 == 2:
            A.do_adopt_opinion_as_suggestion(o, actor=intake.w.deputy, data=A.AdoptionInput(title=f"建议{i}"))


@pytest.mark.parametrize("persona", ["liaison", "deputy", "clerk"])
def test_list_pages_have_a_fixed_query_budget(intake, persona, django_assert_max_num_queries):
    client = client_for(getattr(intake.w, persona))
    _opinions(intake, 3)
    event = StationEvent.objects.get()
    pages = [
        url("stations", intake),
        url("station", intake, intake.station.pk),
        url("event", intake, event.pk),
        url("opinions", intake),
        url("events", intake, intake.station.pk),
    ]
    if persona == "deputy":
        pages.append(url("mine", intake))
    counts = {}
    for page in pages:
        client.get(page)  # warm the session
        cache.clear()  # measured cold: the menu's 待办 counts are cached by data version (#12, #13)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        counts[page] = len(ctx)
    _opinions(intake, 20)
    for page in pages:
        cache.clear()
        with django_assert_max_num_queries(counts[page]):
            assert client.get(page).status_code == 200


def test_notify_is_offered_only_with_an_outcome_not_yet_told(intake, sms, django_capture_on_commit_callbacks):
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a)
    client = client_for(w.liaison)
    assert 'data-action="notify"' not in client.get(url("opinion", intake, opinion.pk)).content.decode()
    A.do_answer_forwarded_opinion(opinion, actor=w.handler_a, answer="已安排维修。")
    body = client.get(url("opinion", intake, opinion.pk)).content.decode()
    assert 'data-action="notify"' in body and "可以告知反映人的结果" in body
    page = client.get(url("opinion_step", intake, opinion.pk, "notify")).content.decode()
    assert PHONE in page and "已安排维修" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("opinion_step", intake, opinion.pk, "notify"), {"text": "【民意】已安排维修。"}
        )
    assert response.status_code == 302 and sms == [(PHONE, "【民意】已安排维修。")]
    assert 'data-action="notify"' not in client.get(url("opinion", intake, opinion.pk)).content.decode()
    response = client.get(url("opinion_step", intake, opinion.pk, "notify"))
    assert response.status_code == 302
    response = client.post(url("opinion_step", intake, opinion.pk, "notify"), {"text": "再发一次"})
    assert response.status_code == 409 and "已就这一结果告知过反映人" in response.content.decode()
    assert len(sms) == 1
    # the congress clerk sees that it was sent, not what was said
    body = client_for(w.clerk).get(url("opinion", intake, opinion.pk)).content.decode()
    assert "已发送" in body and "【民意】已安排维修。" not in body
