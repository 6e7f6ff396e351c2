"""The supervision actions: key themes and their suggestions, supervision records and the unit's
response, the task force and its inspections, leaders' instructions — each happy path with its
exact audit rows, and every refusal (wrong role, wrong congress, wrong state, bad input), which
changes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.audit.models import AuditEvent
from minyi.congress.models import Unit
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.suggestions import actions as A
from minyi.suggestions.rules import can_view_assignment, can_view_suggestion
from minyi.suggestions.selectors import suggestions_visible_to
from minyi.supervision import actions as SA
from minyi.supervision.models import (
    Inspection,
    Instruction,
    KeyTheme,
    RecordAttachment,
    SupervisionRecord,
    TaskForceMember,
    ThemeSuggestion,
)
from tests.audit.support import domain_event_count
from tests.factories import DeputyFactory, UnitFactory

from .conftest import D, lead_assignment, on

pytestmark = pytest.mark.django_db

TODAY = D(2026, 10, 12)


def _fingerprint() -> tuple:
    return (
        domain_event_count(),
        KeyTheme.objects.count(),
        ThemeSuggestion.objects.count(),
        SupervisionRecord.objects.count(),
        RecordAttachment.objects.count(),
        TaskForceMember.objects.filter(removed_at__isnull=True).count(),
        tuple(Inspection.objects.order_by("pk").values_list("pk", "unit_answer", "deputy_view")),
        tuple(Instruction.objects.order_by("pk").values_list("pk", "concluded_at")),
        tuple(SupervisionRecord.objects.order_by("pk").values_list("pk", "unit_response")),
    )


@contextmanager
def refused(error: type[Exception], code: str | None = None) -> Iterator[None]:
    """The block raises `error` (with `code`) and writes nothing."""
    before = _fingerprint()
    with pytest.raises(error) as info:
        yield
    if code is not None:
        assert info.value.code == code, info.value.code
    assert _fingerprint() == before


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


@pytest.fixture
def today():
    with on(TODAY):
        yield TODAY


@pytest.fixture
def assigned(loop, today):
    return loop.drive.to("assigned")


@pytest.fixture
def theme(loop, today):
    w = loop.w
    return SA.do_create_theme(
        w.congress,
        actor=w.admin,
        year=2026,
        name="物业管理",
        supervising_leader_name="王某某 常委会副主任",
        lead_unit=w.unit_a,
        plan="每季度实地视察一次。",
    )


# --- themes ----------------------------------------------------------------------------------------


def test_create_and_update_a_theme(loop, theme):
    w = loop.w
    event = last_event()
    assert (event.code, event.actor, event.congress, event.unit_id) == (
        "theme.created",
        w.admin,
        w.congress,
        w.unit_a.pk,
    )
    assert event.new["name"] == "物业管理" and event.new["lead_unit"] == w.unit_a.pk
    before = domain_event_count()
    SA.do_update_theme(theme, actor=w.admin, changes={"plan": "每季度实地视察一次。"})  # no change
    assert domain_event_count() == before
    SA.do_update_theme(
        theme, actor=w.admin, changes={"plan": "每月调度。", "supervising_leader": w.supervisor}
    )
    event = last_event()
    assert event.code == "theme.updated"
    assert event.old == {"plan": "每季度实地视察一次。", "supervising_leader": None}
    assert event.new == {"plan": "每月调度。", "supervising_leader": w.supervisor.pk}


def test_theme_refusals(loop, theme):
    w = loop.w
    for who in (w.clerk, w.supervisor, w.inspector, w.deputy, w.outsider):
        with refused(NotPermitted):
            SA.do_create_theme(
                w.congress, actor=who, year=2026, name="居家养老", supervising_leader_name="李某"
            )
    cases = [
        ({"name": "物业管理"}, "duplicate_theme"),
        ({"name": "  "}, "invalid_theme"),
        ({"supervising_leader_name": ""}, "invalid_theme"),
        ({"year": 1999}, "invalid_theme"),
        ({"lead_unit": UnitFactory(congress=w.other_congress)}, "wrong_congress"),
        ({"supervising_leader": w.outsider}, "invalid_theme"),
    ]
    for override, code in cases:
        fields = {"year": 2026, "name": "居家养老", "supervising_leader_name": "李某", **override}
        with refused(ValidationFailed, code):
            SA.do_create_theme(w.congress, actor=w.admin, **fields)
    inactive = UnitFactory(congress=w.congress, parent=w.gov, name="已停用的局", active=False)
    with refused(ValidationFailed, "inactive"):
        SA.do_create_theme(
            w.congress,
            actor=w.admin,
            year=2026,
            name="居家养老",
            supervising_leader_name="李某",
            lead_unit=inactive,
        )
    with refused(ValidationFailed, "unknown_field"):
        SA.do_update_theme(theme, actor=w.admin, changes={"congress": w.other_congress})
    # The same name in another year is fine.
    SA.do_create_theme(w.congress, actor=w.admin, year=2027, name="物业管理", supervising_leader_name="李某")


def test_add_and_remove_theme_suggestions(loop, theme, assigned):
    w = loop.w
    SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=assigned)
    event = last_event()
    assert (event.code, event.suggestion_id, event.new["theme"]) == (
        "theme.suggestion_added",
        assigned.pk,
        theme.pk,
    )
    assert list(theme.suggestions.all()) == [assigned]
    with refused(ValidationFailed, "already_member"):
        SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=assigned)
    draft = loop.drive.to("draft")
    with refused(ValidationFailed, "not_accepted"):
        SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=draft)
    accepted = loop.drive.to("accepted")
    for who in (w.clerk, w.supervisor, w.deputy):
        with refused(NotPermitted):
            SA.do_add_theme_suggestion(theme, actor=who, suggestion=accepted)
    SA.do_remove_theme_suggestion(theme, actor=w.admin, suggestion=assigned, reason="重复")
    event = last_event()
    assert (event.code, event.suggestion_id, event.note) == ("theme.suggestion_removed", assigned.pk, "重复")
    with refused(ValidationFailed, "not_a_member"):
        SA.do_remove_theme_suggestion(theme, actor=w.admin, suggestion=assigned)
    SA.do_update_theme(theme, actor=w.admin, changes={"active": False})
    with refused(InvalidTransition, "theme_closed"):
        SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=assigned)


def test_a_suggestion_of_another_congress_cannot_join(loop, theme):
    from minyi.suggestions.models import Suggestion

    w = loop.w
    other = Suggestion(congress=w.other_congress, title="乙区建议", state="accepted")
    other.lead = DeputyFactory(congress=w.other_congress)
    other.entered_by = w.outsider
    other.save()
    with refused(ValidationFailed, "wrong_congress"):
        SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=other)


# --- supervision records ---------------------------------------------------------------------------


def test_theme_record_with_deputies_and_a_deadline_for_the_lead_unit(loop, theme):
    w = loop.w
    deputy = w.deputy.deputy_records.get()
    record = SA.do_add_supervision_record(
        theme,
        actor=w.supervisor,
        kind="site_visit",
        held_on=TODAY,
        place="幸福小区",
        participants="王某某副主任、住建局局长",
        deputies=[deputy],
        findings="物业服务合同到期未续签。",
        requirements="两周内完成续签。",
        respond_by=D(2026, 10, 26),
    )
    assert record.unit == w.unit_a  # the theme's lead unit
    assert list(record.deputies.all()) == [deputy]
    event = last_event()
    assert (event.code, event.actor, event.unit_id, event.suggestion_id) == (
        "supervision.recorded",
        w.supervisor,
        w.unit_a.pk,
        None,
    )
    assert event.new == {
        "kind": "site_visit",
        "held_on": "2026-10-12",
        "theme": theme.pk,
        "instruction": None,
        "unit": w.unit_a.pk,
        "respond_by": "2026-10-26",
        "deputies": [deputy.pk],
    }

    # The lead unit answers; another unit may not; staff may enter it for them.
    with refused(NotPermitted):
        SA.do_record_unit_response(record, actor=w.handler_b, response="已续签")
    with refused(NotPermitted):
        SA.do_record_unit_response(record, actor=w.deputy, response="已续签")
    with refused(ValidationFailed, "response_required"):
        SA.do_record_unit_response(record, actor=w.handler_a, response=" ")
    SA.do_record_unit_response(record, actor=w.handler_a, response="已于10月20日续签合同。")
    event = last_event()
    assert (event.code, event.actor, event.unit_id) == (
        "supervision.unit_responded",
        w.handler_a,
        w.unit_a.pk,
    )
    assert event.new == {"unit_response": "已于10月20日续签合同。", "on_time": True}
    assert event.old is None
    SA.do_record_unit_response(record, actor=w.clerk, response="补充：已公示。")
    assert last_event().old["unit_response"] == "已于10月20日续签合同。"


def test_record_refusals(loop, theme, assigned):
    w = loop.w
    ok = {"kind": "consultation", "held_on": TODAY, "participants": "委员", "findings": "问题"}
    for who in (w.deputy, w.handler_a, w.coordinator, w.viewer, w.judge, w.outsider):
        with refused(NotPermitted):
            SA.do_add_supervision_record(theme, actor=who, **ok)
    cases = [
        ({"kind": "party"}, "bad_kind"),
        ({"held_on": D(2026, 10, 13)}, "date_in_future"),
        ({"participants": ""}, "participants_required"),
        ({"findings": ""}, "findings_required"),
        ({"respond_by": D(2026, 10, 20)}, "requirements_required"),
        ({"respond_by": D(2026, 10, 9), "requirements": "整改"}, "due_in_past"),
        ({"deputies": [DeputyFactory(congress=w.other_congress)]}, "wrong_congress"),
        ({"unit": UnitFactory(congress=w.other_congress)}, "wrong_congress"),
    ]
    for override, code in cases:
        with refused(ValidationFailed, code):
            SA.do_add_supervision_record(theme, actor=w.supervisor, **{**ok, **override})
    # A suggestion record needs a unit for a time limit (there is no lead unit to default to).
    with refused(ValidationFailed, "unit_required"):
        SA.do_add_supervision_record(
            assigned, actor=w.clerk, **ok, requirements="整改", respond_by=D(2026, 10, 20)
        )
    submitted = loop.drive.to("submitted")
    with refused(ValidationFailed, "not_accepted"):
        SA.do_add_supervision_record(submitted, actor=w.clerk, **ok)
    record = SA.do_add_supervision_record(assigned, actor=w.clerk, **ok)
    with refused(ValidationFailed, "no_unit"):
        SA.do_record_unit_response(record, actor=w.clerk, response="无")
    SA.do_update_theme(theme, actor=w.admin, changes={"active": False})
    with refused(InvalidTransition, "theme_closed"):
        SA.do_add_supervision_record(theme, actor=w.supervisor, **ok)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_photos_and_minutes_are_checked_on_their_content(loop, theme, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    w = loop.w
    record = SA.do_add_supervision_record(
        theme, actor=w.supervisor, kind="site_visit", held_on=TODAY, participants="委员", findings="问题"
    )
    photo = SA.do_add_record_attachment(
        record, actor=w.supervisor, upload=SimpleUploadedFile("现场.png", PNG), kind="photo"
    )
    assert (photo.content_type, photo.original_name, photo.is_image) == ("image/png", "现场.png", True)
    assert photo.file.name.startswith(f"supervision/{w.congress.pk}/") and photo.file.name.endswith(".png")
    event = last_event()
    assert (event.code, event.new["name"], event.new["kind"]) == (
        "supervision.attachment_added",
        "现场.png",
        "photo",
    )
    with refused(ValidationFailed, "file_type"):
        SA.do_add_record_attachment(
            record, actor=w.supervisor, upload=SimpleUploadedFile("x.png", b"#!/bin/sh\necho hi\n")
        )
    with refused(ValidationFailed, "file_empty"):
        SA.do_add_record_attachment(record, actor=w.supervisor, upload=SimpleUploadedFile("x.pdf", b""))
    with refused(NotPermitted):
        SA.do_add_record_attachment(record, actor=w.deputy, upload=io.BytesIO(PNG))
    with refused(ValidationFailed, "bad_kind"):
        SA.do_add_record_attachment(
            record, actor=w.supervisor, upload=SimpleUploadedFile("a.png", PNG), kind="video"
        )


# --- task force and inspections --------------------------------------------------------------------


def test_task_force_members_see_every_suggestion_while_they_serve(loop, assigned, today):
    w = loop.w
    from tests.factories import MembershipFactory, UserFactory

    member = UserFactory(username="tf2", full_name="tf2")
    MembershipFactory(user=member, congress=w.congress, role="deputy")
    assert not can_view_suggestion(member, assigned)
    entry = SA.do_add_task_force_member(w.congress, actor=w.admin, user=member, note="代表")
    event = last_event()
    assert (event.code, event.target_user, event.new) == (
        "taskforce.member_added",
        member,
        {"user": member.pk, "note": "代表"},
    )
    assert can_view_suggestion(member, assigned)
    assert can_view_assignment(member, lead_assignment(assigned))
    assert assigned in suggestions_visible_to(member, w.congress)
    assert not can_view_suggestion(member, loop.drive.to("draft"))  # drafts stay private
    with refused(ValidationFailed, "already_member"):
        SA.do_add_task_force_member(w.congress, actor=w.admin, user=member)
    SA.do_remove_task_force_member(entry, actor=w.admin, reason="换届")
    assert last_event().code == "taskforce.member_removed"
    member = type(member).objects.get(pk=member.pk)  # a new request
    assert not can_view_suggestion(member, assigned)
    assert assigned not in suggestions_visible_to(member, w.congress)
    with refused(InvalidTransition, "already_removed"):
        SA.do_remove_task_force_member(entry, actor=w.admin)


def test_task_force_refusals(loop, today):
    w = loop.w
    for who in (w.clerk, w.supervisor, w.inspector, w.outsider):
        with refused(NotPermitted):
            SA.do_add_task_force_member(w.congress, actor=who, user=w.viewer)
    with refused(ValidationFailed, "not_a_member"):
        SA.do_add_task_force_member(w.congress, actor=w.admin, user=w.outsider)  # no role in alpha


def inspect(member, assignment, **overrides):
    fields = {
        "kind": "surprise",
        "inspected_on": TODAY,
        "contacted": "no",
        "reply_real": "unclear",
        "solved": "no",
        "findings": "承办单位未与代表联系。",
        "required_action": "三个工作日内联系代表并报告。",
        "due_on": D(2026, 10, 15),
    }
    fields.update(overrides)
    return SA.do_record_inspection(assignment, actor=member, **fields)


def test_an_inspection_with_the_units_answer_and_the_deputys_view(loop, assigned, task_force):
    w = loop.w
    a = lead_assignment(assigned)
    inspection = inspect(task_force, a)
    event = last_event()
    assert (event.code, event.actor, event.suggestion_id, event.assignment_id, event.unit_id) == (
        "inspection.recorded",
        task_force,
        assigned.pk,
        a.pk,
        w.unit_a.pk,
    )
    assert event.new["contacted"] == "no" and event.new["due_on"] == "2026-10-15"
    assert inspection.deputy_view == "unknown"

    with refused(NotPermitted):
        SA.do_answer_inspection(inspection, actor=w.handler_b, answer="已联系")
    with refused(NotPermitted):
        SA.do_answer_inspection(inspection, actor=w.coordinator, answer="已联系")
    SA.do_answer_inspection(inspection, actor=w.handler_a, answer="10月13日已上门联系代表。")
    assert last_event().new == {"unit_answer": "10月13日已上门联系代表。", "on_time": True}

    with refused(ValidationFailed, "opinion_required"):
        SA.do_record_deputy_view(inspection, actor=task_force, view="disagrees")
    with refused(ValidationFailed, "bad_deputy_view"):
        SA.do_record_deputy_view(inspection, actor=task_force, view="unknown")
    with refused(NotPermitted):
        SA.do_record_deputy_view(inspection, actor=w.supervisor, view="agrees")
    SA.do_record_deputy_view(inspection, actor=task_force, view="disagrees", opinion="问题仍未解决")
    event = last_event()
    assert (event.code, event.old, event.new) == (
        "inspection.deputy_view_recorded",
        {"deputy_view": "unknown", "deputy_opinion": ""},
        {"deputy_view": "disagrees", "deputy_opinion": "问题仍未解决"},
    )
    SA.do_record_deputy_view(inspection, actor=w.inspector, view="agrees")


def test_inspection_refusals(loop, assigned, task_force):
    w = loop.w
    a = lead_assignment(assigned)
    for who in (w.supervisor, w.inspector, w.admin, w.clerk, w.deputy, w.handler_a):
        with refused(NotPermitted):
            inspect(who, a)
    cases = [
        ({"kind": "annual"}, "bad_kind"),
        ({"contacted": "maybe"}, "check_required"),
        ({"inspected_on": D(2026, 10, 13)}, "date_in_future"),
        ({"inspected_on": D(2026, 10, 9)}, "before_assignment"),
        ({"findings": ""}, "findings_required"),
        ({"required_action": ""}, "action_required"),
        ({"due_on": D(2026, 10, 11)}, "due_in_past"),
        ({"deputy_view": "disagrees"}, "opinion_required"),
    ]
    for override, code in cases:
        with refused(ValidationFailed, code):
            inspect(task_force, a, **override)
    quiet = inspect(task_force, a, required_action="", due_on=None)
    with refused(ValidationFailed, "nothing_to_answer"):
        SA.do_answer_inspection(quiet, actor=w.handler_a, answer="无")


def test_a_cancelled_assignment_cannot_be_inspected(loop, task_force, today):
    w = loop.w
    s = loop.drive.to("assigned")
    a = lead_assignment(s)
    A.do_sign_assignment(a, actor=w.handler_a)
    A.do_request_reassignment(a, actor=w.handler_a, reason="不属本单位职责")
    A.do_approve_reassignment(a, actor=w.coordinator)
    with refused(InvalidTransition, "assignment_cancelled"):
        inspect(task_force, a)


# --- instructions ----------------------------------------------------------------------------------


def test_a_leaders_instruction_and_its_special_supervision(loop, assigned):
    w = loop.w
    instruction = SA.do_record_instruction(
        assigned,
        actor=w.inspector,
        leader_name="李某某",
        leader_title="区委副书记",
        instructed_on=D(2026, 10, 10),
        text="请区住建局抓紧解决，督查考核室跟踪督办。",
        due_on=D(2026, 10, 30),
    )
    event = last_event()
    assert (event.code, event.suggestion_id, event.note) == (
        "instruction.recorded",
        assigned.pk,
        instruction.text,
    )
    assert event.new == {
        "leader_name": "李某某",
        "leader_title": "区委副书记",
        "instructed_on": "2026-10-10",
        "due_on": "2026-10-30",
    }
    record = SA.do_add_supervision_record(
        instruction,
        actor=w.inspector,
        kind="special",
        held_on=TODAY,
        participants="督查考核室",
        findings="已制定整改方案。",
        requirements="10月底前完成。",
        unit=w.unit_a,
        respond_by=D(2026, 10, 28),
    )
    assert (record.instruction, record.suggestion) == (instruction, assigned)
    assert last_event().suggestion_id == assigned.pk
    with refused(NotPermitted):
        SA.do_conclude_instruction(instruction, actor=w.clerk, conclusion="已解决")
    with refused(ValidationFailed, "conclusion_required"):
        SA.do_conclude_instruction(instruction, actor=w.inspector, conclusion="")
    SA.do_conclude_instruction(instruction, actor=w.inspector, conclusion="问题已解决，代表满意。")
    assert last_event().code == "instruction.concluded"
    with refused(InvalidTransition, "already_concluded"):
        SA.do_conclude_instruction(instruction, actor=w.admin, conclusion="再结")
    with refused(InvalidTransition, "instruction_concluded"):
        SA.do_add_supervision_record(
            instruction,
            actor=w.inspector,
            kind="special",
            held_on=TODAY,
            participants="督查室",
            findings="再查",
        )


def test_instruction_refusals(loop, assigned):
    w = loop.w
    ok = {"leader_name": "李某某", "instructed_on": TODAY, "text": "请抓紧办理。"}
    for who in (w.supervisor, w.deputy, w.handler_a, w.coordinator, w.viewer, w.outsider):
        with refused(NotPermitted):
            SA.do_record_instruction(assigned, actor=who, **ok)
    cases = [
        ({"leader_name": ""}, "leader_required"),
        ({"text": " "}, "text_required"),
        ({"instructed_on": D(2026, 10, 13)}, "date_in_future"),
        ({"due_on": D(2026, 10, 1)}, "due_in_past"),
    ]
    for override, code in cases:
        with refused(ValidationFailed, code):
            SA.do_record_instruction(assigned, actor=w.inspector, **{**ok, **override})
    submitted = loop.drive.to("submitted")
    with refused(ValidationFailed, "not_accepted"):
        SA.do_record_instruction(submitted, actor=w.inspector, **ok)
    SA.do_record_instruction(assigned, actor=w.clerk, **ok)  # congress staff may record it too


def test_units_are_scoped_to_the_congress(loop, theme):
    w = loop.w
    court = Unit.objects.create(congress=w.congress, name="甲区人民法院", kind="body", body_code="court")
    record = SA.do_add_supervision_record(
        theme,
        actor=w.supervisor,
        kind="hearing",
        held_on=TODAY,
        participants="委员",
        findings="问题",
        unit=court,
    )
    assert record.unit == court
