"""Every intake action: the happy path with its exact audit row, and every refusal (which writes
nothing)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.intake import actions as A
from minyi.intake.models import DutyDay, IntakePhoto, Opinion, RedactedOpinionError
from minyi.intake.selectors import redact
from minyi.intake.states import OpinionState as OS
from tests.factories import CongressFactory, DeputyFactory, StationFactory

from .conftest import NAME, PHONE, intake_codes, last_row, refused

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TODAY = timezone.localdate


def png(name: str = "现场.png") -> ContentFile:
    return ContentFile(PNG, name=name)


# --- events ----------------------------------------------------------------------------------------


def test_record_event_with_deputies_officials_and_photos(intake, media):
    w = intake.w
    event = A.do_record_event(
        intake.station,
        actor=w.liaison,
        data=A.EventInput(
            kind="face_to_face",
            date=TODAY() - datetime.timedelta(days=1),
            title="局长·代表面对面：老旧小区改造",
            place="甲区第一联络站会议室",
            topics="加装电梯；停车难",
            deputies=[intake.deputy, intake.cosigner, intake.deputy],
            officials="区住建局局长 王某",
            minutes="现场答复2件。",
        ),
        photos=[png()],
    )
    assert event.station == intake.station and event.congress == w.congress
    assert set(event.deputies.all()) == {intake.deputy, intake.cosigner}
    assert intake_codes() == ["intake.event.recorded", "intake.photo.added"]
    row = last_row("intake.event.recorded")
    assert row.actor == w.liaison and row.congress == w.congress
    assert row.new["station"] == intake.station.pk
    assert row.new["deputies"] == sorted([intake.deputy.pk, intake.cosigner.pk])
    assert row.new["officials"] == "区住建局局长 王某" and row.new["kind"] == "face_to_face"
    photo = IntakePhoto.objects.get()
    assert photo.event == event and photo.content_type == "image/png" and photo.original_name == "现场.png"
    assert photo.file.name.startswith(f"intake/{w.congress.pk}/") and "现场" not in photo.file.name


def test_congress_clerk_may_record_events_too(intake):
    event = A.do_record_event(
        intake.other_station,
        actor=intake.w.clerk,
        data=A.EventInput(kind="inspection", date=TODAY(), title="视察调研"),
    )
    assert event.station == intake.other_station


@pytest.mark.parametrize("who", ["deputy", "handler_a", "coordinator", "viewer", "supervisor", "outsider"])
def test_only_station_clerks_and_staff_record_events(intake, who):
    data = A.EventInput(kind="reception", date=TODAY(), title="接待选民")
    with refused(NotPermitted):
        A.do_record_event(intake.station, actor=getattr(intake.w, who), data=data)


def test_liaison_clerk_of_another_station_may_not_record_there(intake):
    with refused(NotPermitted):
        A.do_record_event(
            intake.other_station,
            actor=intake.w.liaison,
            data=A.EventInput(kind="reception", date=TODAY(), title="接待选民"),
        )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "party"}, "bad_kind"),
        ({"title": "  "}, "title_required"),
        ({"title": "长" * 201}, "title_too_long"),
        ({"date": TODAY() + datetime.timedelta(days=400)}, "date_too_late"),
        ({"date": TODAY() + datetime.timedelta(days=3), "minutes": "纪要"}, "minutes_before_event"),
    ],
)
def test_event_input_is_checked(intake, overrides, code):
    values = {"kind": "station_inquiry", "date": TODAY(), "title": "室点问政"}
    values.update(overrides)
    with refused(ValidationFailed, code):
        A.do_record_event(intake.station, actor=intake.w.liaison, data=A.EventInput(**values))


def test_event_deputies_must_be_of_the_congress_and_in_office(intake):
    stranger = DeputyFactory(congress=intake.w.other_congress)
    gone = DeputyFactory(congress=intake.w.congress, in_office_to=datetime.date(2023, 1, 1))
    for deputy, code in [(stranger, "wrong_congress"), (gone, "not_in_office")]:
        with refused(ValidationFailed, code):
            A.do_record_event(
                intake.station,
                actor=intake.w.liaison,
                data=A.EventInput(kind="reception", date=TODAY(), title="接待", deputies=[deputy]),
            )


def test_inactive_station_takes_no_events(intake):
    intake.station.active = False
    intake.station.save()
    with refused(ValidationFailed, "inactive"):
        A.do_record_event(
            intake.station,
            actor=intake.w.liaison,
            data=A.EventInput(kind="reception", date=TODAY(), title="接待"),
        )


def test_update_event_records_only_the_changed_fields(intake):
    event = intake.event(deputies=[intake.deputy])
    data = A.EventInput(
        kind=event.kind,
        date=event.date,
        title=event.title,
        place=event.place,
        topics=event.topics,
        deputies=[intake.deputy, intake.cosigner],
        officials=event.officials,
        minutes="会后补充：已转办2件。",
    )
    A.do_update_event(event, actor=intake.w.liaison, data=data)
    row = last_row("intake.event.updated")
    assert row.old == {"minutes": "", "deputies": [intake.deputy.pk]}
    assert row.new == {
        "minutes": "会后补充：已转办2件。",
        "deputies": sorted([intake.deputy.pk, intake.cosigner.pk]),
    }
    A.do_update_event(event, actor=intake.w.liaison, data=data)  # nothing changed: no row
    assert intake_codes().count("intake.event.updated") == 1
    with refused(NotPermitted):
        A.do_update_event(event, actor=intake.w.deputy, data=data)


def test_event_date_cannot_move_after_its_opinions(intake):
    event = intake.event(days_ago=5)
    intake.record(event=event, station=None)
    data = A.EventInput(kind=event.kind, date=TODAY(), title=event.title, deputies=[intake.deputy])
    with refused(ValidationFailed, "opinions_before_event"):
        A.do_update_event(event, actor=intake.w.liaison, data=data)


# --- duty days -------------------------------------------------------------------------------------


def test_record_duty_day(intake):
    day = TODAY() + datetime.timedelta(days=3)
    duty = A.do_record_duty_day(
        intake.station,
        actor=intake.w.liaison,
        date=day,
        deputies=[intake.deputy, intake.cosigner],
        notes="上午",
    )
    assert set(duty.deputies.all()) == {intake.deputy, intake.cosigner}
    row = last_row("intake.duty_day.recorded")
    assert row.new == {
        "station": intake.station.pk,
        "date": day.isoformat(),
        "deputies": sorted([intake.deputy.pk, intake.cosigner.pk]),
        "notes": "上午",
    }


def test_duty_day_refusals(intake):
    w = intake.w
    A.do_record_duty_day(intake.station, actor=w.liaison, date=TODAY(), deputies=[intake.deputy])
    with refused(ValidationFailed, "duty_day_exists"):
        A.do_record_duty_day(intake.station, actor=w.liaison, date=TODAY(), deputies=[intake.cosigner])
    with refused(ValidationFailed, "deputies_required"):
        A.do_record_duty_day(intake.station, actor=w.liaison, date=TODAY() - datetime.timedelta(days=1))
    with refused(ValidationFailed, "date_too_late"):
        A.do_record_duty_day(
            intake.station,
            actor=w.liaison,
            date=TODAY() + datetime.timedelta(days=400),
            deputies=[intake.deputy],
        )
    for who in (w.deputy, w.handler_a, w.outsider):
        with refused(NotPermitted):
            A.do_record_duty_day(intake.station, actor=who, date=TODAY(), deputies=[intake.deputy])
    with refused(NotPermitted):
        A.do_record_duty_day(intake.other_station, actor=w.liaison, date=TODAY(), deputies=[intake.deputy])
    assert DutyDay.objects.count() == 1


# --- recording opinions ----------------------------------------------------------------------------


def test_liaison_clerk_records_an_opinion_and_the_audit_never_holds_the_contact(intake):
    opinion = intake.record(place="人民路口", category=intake.loop.taxa.category)
    assert opinion.state == OS.OPEN and opinion.station == intake.station and opinion.deputy == intake.deputy
    assert opinion.constituent_name == NAME and opinion.constituent_phone == PHONE
    assert opinion.collected_on == TODAY()
    row = last_row("intake.opinion.recorded")
    assert row.actor == intake.w.liaison and row.target_user == intake.w.deputy
    assert row.object_type == "intake.opinion" and row.object_repr == f"社情民意 #{opinion.pk}"
    assert row.new == {
        "state": "open",
        "station": intake.station.pk,
        "event": None,
        "collected_on": TODAY().isoformat(),
        "place": "人民路口",
        "content": "小区路灯坏了很久，晚上出行不安全。",
        "category": intake.loop.taxa.category.pk,
        "deputy": intake.deputy.pk,
        "constituent": "***",
    }
    assert PHONE not in str(row.new) and NAME not in str(row.new)


def test_opinion_at_an_event_takes_its_station_date_and_place(intake):
    event = intake.event(days_ago=4, place="社区礼堂")
    opinion = intake.record(station=None, event=event, constituent_name="", constituent_phone="")
    assert opinion.station == intake.station and opinion.collected_on == event.date
    assert opinion.place == "社区礼堂"
    assert last_row("intake.opinion.recorded").new["constituent"] == ""


def test_phone_is_normalised_and_checked(intake):
    opinion = intake.record(constituent_phone=" 139 1234 5678 ")
    assert opinion.constituent_phone == PHONE
    landline = intake.record(constituent_phone="0551-12345678")
    assert landline.constituent_phone == "0551-12345678"
    for bad in ("12345", "23912345678", "电话"):
        with refused(ValidationFailed, "bad_phone"):
            intake.record(constituent_phone=bad)


def test_a_deputy_records_for_themself_anywhere(intake):
    w = intake.w
    own = intake.record(actor=w.deputy, station=None, deputy=None)
    assert own.deputy == intake.deputy and own.station is None and own.recorded_by == w.deputy
    at_station = intake.record(actor=w.deputy, station=intake.other_station, deputy=None)
    assert at_station.station == intake.other_station and at_station.deputy == intake.deputy
    with refused(NotPermitted, "not_own_deputy"):
        intake.record(actor=w.deputy, deputy=intake.cosigner)


@pytest.mark.parametrize("who", ["handler_a", "coordinator", "clerk", "admin", "viewer", "judge", "outsider"])
def test_others_may_not_record_opinions(intake, who):
    with refused(NotPermitted):
        intake.record(actor=getattr(intake.w, who))


def test_liaison_clerk_records_only_at_their_station(intake):
    with refused(NotPermitted):
        intake.record(station=intake.other_station)
    with refused(NotPermitted):
        intake.record(station=None)


def test_opinion_input_is_checked(intake):
    event = intake.event(days_ago=3)
    other_event = A.do_record_event(
        intake.other_station,
        actor=intake.w.clerk,
        data=A.EventInput(kind="reception", date=TODAY(), title="接待"),
    )
    future_event = intake.event(days_ago=-3, title="下周的活动")
    beta_category = type(intake.loop.taxa.category).objects.create(
        congress=intake.w.other_congress, name="城乡建设"
    )
    cases = [
        ({"content": " "}, ValidationFailed, "content_required"),
        ({"content": "长" * 5001}, ValidationFailed, "content_too_long"),
        ({"collected_on": TODAY() + datetime.timedelta(days=1)}, ValidationFailed, "collected_in_future"),
        (
            {"event": event, "collected_on": event.date - datetime.timedelta(days=1)},
            ValidationFailed,
            "collected_before_event",
        ),
        ({"event": other_event}, ValidationFailed, "event_not_at_station"),
        ({"event": future_event}, ValidationFailed, "event_in_future"),
        ({"category": beta_category}, ValidationFailed, "wrong_congress"),
        ({"constituent_name": "名" * 65}, ValidationFailed, "constituent_name_too_long"),
        ({"deputy": DeputyFactory(congress=intake.w.other_congress)}, ValidationFailed, "wrong_congress"),
    ]
    for overrides, error, code in cases:
        with refused(error, code):
            intake.record(**overrides)


def test_other_congress_rows_are_refused(intake):
    beta_station = StationFactory(congress=intake.w.other_congress)
    with refused(ValidationFailed, "wrong_congress"):
        intake.record(station=beta_station)
    with refused(NotPermitted):
        A.do_record_opinion(
            CongressFactory(code="gamma"), actor=intake.w.liaison, data=A.OpinionInput(content="x")
        )


def test_photos_are_checked_on_their_content_before_anything_is_stored(intake, media):
    with refused(ValidationFailed, "file_type"):
        A.do_record_opinion(
            intake.w.congress,
            actor=intake.w.liaison,
            data=A.OpinionInput(content="x", station=intake.station),
            photos=[png(), ContentFile(PDF, name="fake.png")],
        )
    assert not any(media.rglob("*.png")) and not any(media.rglob("*.pdf"))
    opinion = intake.record()
    with refused(ValidationFailed, "file_empty"):
        A.do_add_photo(opinion, actor=intake.w.liaison, upload=ContentFile(b"", name="a.png"))


def test_photos_of_an_opinion_by_the_close_people_only(intake, media):
    opinion = intake.record()
    A.do_add_photo(opinion, actor=intake.w.deputy, upload=png())
    photo = A.do_add_photo(opinion, actor=intake.w.liaison, upload=png("b.png"))
    for who in (intake.w.clerk, intake.w.handler_a, intake.w.cosigner):
        with refused(NotPermitted):
            A.do_add_photo(opinion, actor=who, upload=png())
        with refused(NotPermitted):
            A.do_remove_photo(photo, actor=who)
    A.do_remove_photo(photo, actor=intake.w.liaison)
    assert last_row("intake.photo.removed").old["name"] == "b.png"
    assert opinion.photos.count() == 1


def test_event_photos_by_station_managers(intake, media):
    event = intake.event()
    A.do_add_photo(event, actor=intake.w.clerk, upload=png())
    with refused(NotPermitted):
        A.do_add_photo(event, actor=intake.w.deputy, upload=png())


def test_a_redacted_opinion_cannot_be_saved(intake):
    opinion = redact(Opinion.objects.get(pk=intake.record().pk))
    with pytest.raises(RedactedOpinionError):
        opinion.save()
    assert Opinion.objects.get(pk=opinion.pk).constituent_phone == PHONE


# --- refer -----------------------------------------------------------------------------------------


def test_refer_to_a_deputy(intake):
    opinion = intake.record(deputy=None)
    A.do_refer_opinion(opinion, actor=intake.w.liaison, deputy=intake.cosigner)
    opinion.refresh_from_db()
    assert opinion.deputy == intake.cosigner and opinion.state == OS.OPEN
    row = last_row("intake.opinion.referred")
    assert row.old == {"deputy": None} and row.new == {"deputy": intake.cosigner.pk}
    assert row.target_user == intake.w.cosigner
    with refused(ValidationFailed, "same_deputy"):
        A.do_refer_opinion(opinion, actor=intake.w.liaison, deputy=intake.cosigner)
    with refused(NotPermitted):
        A.do_refer_opinion(opinion, actor=intake.w.cosigner, deputy=intake.deputy)
    with refused(ValidationFailed, "wrong_congress"):
        A.do_refer_opinion(
            opinion, actor=intake.w.liaison, deputy=DeputyFactory(congress=intake.w.other_congress)
        )
    A.do_answer_opinion_on_spot(opinion, actor=intake.w.liaison, answer="已答复")
    with refused(InvalidTransition):
        A.do_refer_opinion(opinion, actor=intake.w.liaison, deputy=intake.deputy)


# --- answered on the spot --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["liaison", "deputy"])
def test_answer_on_the_spot(intake, who):
    opinion = intake.record()
    A.do_answer_opinion_on_spot(opinion, actor=getattr(intake.w, who), answer=" 已联系社区维修。 ")
    opinion.refresh_from_db()
    assert opinion.state == OS.ANSWERED and opinion.answer == "已联系社区维修。"
    row = last_row("intake.opinion.answered")
    assert row.old == {"state": "open"} and row.new == {"state": "answered", "answer": "已联系社区维修。"}
    with refused(InvalidTransition):
        A.do_answer_opinion_on_spot(opinion, actor=intake.w.liaison, answer="再答一次")


def test_answer_on_the_spot_refusals(intake):
    opinion = intake.record()
    with refused(ValidationFailed, "answer_required"):
        A.do_answer_opinion_on_spot(opinion, actor=intake.w.liaison, answer="  ")
    for who in ("cosigner", "clerk", "admin", "handler_a", "outsider"):
        with refused(NotPermitted):
            A.do_answer_opinion_on_spot(opinion, actor=getattr(intake.w, who), answer="好")


# --- forwarded to a unit ---------------------------------------------------------------------------


def test_forward_then_the_unit_answers(intake):
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a, note="请核实")
    opinion.refresh_from_db()
    assert opinion.state == OS.FORWARDED and opinion.forwarded_to == w.unit_a
    row = last_row("intake.opinion.forwarded")
    assert (
        row.unit == w.unit_a
        and row.new == {"state": "forwarded", "unit": w.unit_a.pk}
        and row.note == "请核实"
    )
    with refused(NotPermitted):
        A.do_answer_forwarded_opinion(opinion, actor=w.handler_b, answer="不是我们")
    with refused(NotPermitted):
        A.do_answer_forwarded_opinion(opinion, actor=w.liaison, answer="代答")
    with refused(ValidationFailed, "answer_required"):
        A.do_answer_forwarded_opinion(opinion, actor=w.handler_a, answer="")
    A.do_answer_forwarded_opinion(opinion, actor=w.leader_a, answer="已安排维修。")
    opinion.refresh_from_db()
    assert opinion.state == OS.UNIT_ANSWERED and opinion.unit_answer == "已安排维修。"
    assert opinion.unit_answered_by == w.leader_a
    row = last_row("intake.opinion.unit_answered")
    assert row.unit == w.unit_a
    assert row.new == {"state": "unit_answered", "answer": "已安排维修。", "station": opinion.station_id}
    with refused(InvalidTransition):
        A.do_answer_forwarded_opinion(opinion, actor=w.handler_a, answer="再答")


def test_forward_refusals(intake):
    w = intake.w
    opinion = intake.record()
    with refused(ValidationFailed, "unit_required"):
        A.do_forward_opinion(opinion, actor=w.liaison, unit=None)
    w.unit_b.active = False
    w.unit_b.save()
    with refused(ValidationFailed, "inactive"):
        A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_b)
    from tests.factories import UnitFactory

    with refused(ValidationFailed, "wrong_congress"):
        A.do_forward_opinion(opinion, actor=w.liaison, unit=UnitFactory(congress=w.other_congress))
    for who in ("clerk", "coordinator", "handler_a", "cosigner"):
        with refused(NotPermitted):
            A.do_forward_opinion(opinion, actor=getattr(w, who), unit=w.unit_a)


def test_the_unit_returns_a_forwarded_opinion(intake):
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.deputy, unit=w.unit_a)
    with refused(ValidationFailed, "reason_required"):
        A.do_return_forwarded_opinion(opinion, actor=w.handler_a, reason="")
    with refused(NotPermitted):
        A.do_return_forwarded_opinion(opinion, actor=w.handler_b, reason="不是我们")
    A.do_return_forwarded_opinion(opinion, actor=w.handler_a, reason="属于街道职责")
    opinion.refresh_from_db()
    assert (
        opinion.state == OS.OPEN and opinion.forwarded_to is None and opinion.return_reason == "属于街道职责"
    )
    row = last_row("intake.opinion.returned")
    assert row.unit == w.unit_a and row.old == {"state": "forwarded", "unit": w.unit_a.pk}
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_b)
    opinion.refresh_from_db()
    assert opinion.forwarded_to == w.unit_b and opinion.return_reason == ""


def test_a_coordinator_answers_what_was_forwarded_to_its_body(intake):
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.gov)
    A.do_answer_forwarded_opinion(opinion, actor=w.coordinator, answer="已转住建局办理。")
    assert Opinion.objects.get(pk=opinion.pk).state == OS.UNIT_ANSWERED


# --- merged ----------------------------------------------------------------------------------------


def test_merge_into_another_opinion(intake):
    w = intake.w
    main = intake.record(content="路灯坏了")
    dup = intake.record(content="路灯不亮")
    A.do_merge_opinion(dup, actor=w.liaison, into=main, note="同一问题")
    dup.refresh_from_db()
    assert dup.state == OS.MERGED and dup.merged_into == main
    row = last_row("intake.opinion.merged")
    assert row.new == {"state": "merged", "into": main.pk} and row.note == "同一问题"
    third = intake.record()
    with refused(ValidationFailed, "into_is_merged"):
        A.do_merge_opinion(third, actor=w.liaison, into=dup)
    with refused(ValidationFailed, "merge_into_itself"):
        A.do_merge_opinion(third, actor=w.liaison, into=third)
    with refused(ValidationFailed, "into_required"):
        A.do_merge_opinion(third, actor=w.liaison, into=None)
    elsewhere = intake.record(actor=w.deputy, station=intake.other_station, deputy=None)
    with refused(ValidationFailed, "into_elsewhere"):
        A.do_merge_opinion(third, actor=w.liaison, into=elsewhere)
    with refused(InvalidTransition):
        A.do_merge_opinion(dup, actor=w.liaison, into=third)
    with refused(NotPermitted):
        A.do_merge_opinion(third, actor=w.clerk, into=main)


def test_a_deputy_merges_their_own_opinions_without_a_station(intake):
    w = intake.w
    a = intake.record(actor=w.deputy, station=None, deputy=None)
    b = intake.record(actor=w.deputy, station=None, deputy=None)
    A.do_merge_opinion(b, actor=w.deputy, into=a)
    assert Opinion.objects.get(pk=b.pk).merged_into_id == a.pk


def test_one_call_one_correlation_id(intake, media):
    opinion = A.do_record_opinion(
        intake.w.congress,
        actor=intake.w.liaison,
        data=A.OpinionInput(content="x", station=intake.station),
        photos=[png(), png("2.png")],
    )
    from minyi.audit.models import AuditEvent

    rows = list(AuditEvent.objects.filter(code__startswith="intake.").order_by("seq"))
    assert [r.code for r in rows] == ["intake.opinion.recorded", "intake.photo.added", "intake.photo.added"]
    assert len({r.correlation_id for r in rows}) == 1
    assert opinion.photos.count() == 2
