"""The other supervision pages: the deadline explanation, the recalculation preview and confirm,
key themes, supervision records (with the unit's response and files), leaders' instructions, the
task force and its inspections — who may open what (404 otherwise), forms that show every error,
and fixed query counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from minyi.audit.models import AuditEvent
from minyi.congress.actions import do_update_policy, ensure_policy
from minyi.suggestions.models import Deadline
from minyi.supervision import actions as SA
from minyi.supervision.models import Inspection, Instruction, KeyTheme, SupervisionRecord, TaskForceMember
from tests.audit.support import assert_one_read_row, last_seq

from .conftest import D, deadline, lead_assignment, on
from .test_actions import PNG

pytestmark = pytest.mark.django_db
K = Deadline.Kind
TODAY = D(2026, 10, 12)


def url(name: str, *args) -> str:
    return reverse(f"supervision:{name}", args=["alpha", *args])


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def assigned(loop):
    with on(D(2026, 9, 24)):
        return loop.drive.to("assigned")


@pytest.fixture
def theme(loop, assigned):
    w = loop.w
    with on(TODAY):
        theme = SA.do_create_theme(
            w.congress,
            actor=w.admin,
            year=2026,
            name="物业管理",
            supervising_leader_name="王某某 副主任",
            lead_unit=w.unit_a,
        )
        SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=assigned)
    return theme


# --- the deadline page -------------------------------------------------------------------------------


def test_the_deadline_page_explains_the_date(client, loop, assigned):
    w = loop.w
    contact = deadline(assigned, K.FIRST_CONTACT)
    client.force_login(w.deputy)  # the lead deputy may see how the dates of their suggestion came about
    with on(TODAY):
        html = text(client.get(url("deadline_detail", contact.pk)))
    assert "交办后10个工作日内首次联系代表" in html
    assert "2026-09-24" in html and "2026-10-15" in html
    # The calendar used, in words, never the internal token (issue #10).
    assert contact.calendar_version not in html
    assert "2026年日历 第1版（国务院办公厅关于2026年部分节假日安排的通知（chinese-calendar 数据包））" in html
    assert "还剩 3 个工作日" in html and "临期" in html
    assert "国庆节" in html and "中秋节" in html  # the holidays on the way
    assert "调休上班" in html and "2026-10-10" in html  # the make-up Saturday
    assert "8 个（共 10 个）" not in html  # used: 28, 29, 30 Sep, 8, 9, 10 Oct = 6 … and 12 Oct
    assert "7 个（共 10 个）" in html


def test_the_reply_deadline_shows_the_local_target_beside_the_statutory_ceiling(client, loop, assigned):
    client.force_login(loop.w.supervisor)
    with on(TODAY):
        html = text(client.get(url("deadline_detail", deadline(assigned, K.REPLY).pk)))
    assert 'data-limit="local"' in html and "2026-10-26" in html
    assert 'data-limit="statutory"' in html and "2026-12-24" in html
    assert 'data-limit="ceiling"' in html and "2027-03-24" in html  # six months after 交办
    assert "24 Oct" not in html
    assert "该日是周末，期限顺延至其后第一个工作日" in html


def test_a_deadline_in_a_year_without_calendar_data_warns(client, loop, assigned):
    statutory = deadline(assigned, K.REPLY_STATUTORY)
    Deadline.objects.filter(pk=statutory.pk).update(due_on=D(2027, 1, 8))  # as if it ran into 2027
    client.force_login(loop.w.clerk)
    with on(D(2027, 1, 4)):
        client.force_login(loop.w.clerk)
        response = client.get(url("deadline_detail", statutory.pk))
    assert response.status_code == 200
    assert "2027年没有录入节假日安排" in text(response)


@pytest.mark.parametrize("who", ["handler_b", "judge", "outsider", "liaison"])
def test_the_deadline_page_is_404_for_those_who_cannot_see_the_suggestion(client, loop, assigned, who):
    client.force_login(getattr(loop.w, who))
    assert client.get(url("deadline_detail", deadline(assigned, K.REPLY).pk)).status_code == 404
    assert client.get(url("deadline_detail", 999999)).status_code == 404


# --- recalculation ---------------------------------------------------------------------------------


def test_recalculation_is_previewed_then_confirmed(client, loop, assigned):
    w = loop.w
    with on(TODAY):
        do_update_policy(ensure_policy(w.congress), actor=w.admin, changes={"first_contact_days": 12})
    contact = deadline(assigned, K.FIRST_CONTACT)
    client.force_login(w.admin)
    with on(TODAY):
        page = client.get(url("recalculate"))
        assert page.status_code == 200
        assert f'data-deadline="{contact.pk}"' in text(page) and "2026-10-19" in text(page)
        token = page.context["form"]["token"].value()
        empty = client.post(url("recalculate"), {"reason": "", "token": token})
        assert empty.status_code == 422 and "这个字段是必填项" in text(empty)
        stale = client.post(url("recalculate"), {"reason": "规则调整", "token": "0-0"})
        assert stale.status_code == 422 and "请重新预览" in text(stale)
        contact.refresh_from_db()
        assert contact.due_on == D(2026, 10, 15)
        done = client.post(url("recalculate"), {"reason": "规则调整", "token": token})
    assert done.status_code == 302 and done["Location"] == url("board")
    contact.refresh_from_db()
    assert contact.due_on == D(2026, 10, 19)
    assert AuditEvent.objects.filter(code="deadline.recalculated", actor=w.admin).count() == 1


@pytest.mark.parametrize("who", ["clerk", "supervisor", "inspector", "deputy", "coordinator"])
def test_only_admins_recalculate(client, loop, who):
    client.force_login(getattr(loop.w, who))
    assert client.get(url("recalculate")).status_code == 404
    assert client.post(url("recalculate"), {"reason": "x", "token": "x"}).status_code == 404


# --- key themes ------------------------------------------------------------------------------------


def test_an_admin_sets_a_theme_and_adds_suggestions_through_the_pages(client, loop, assigned):
    w = loop.w
    client.force_login(w.admin)
    with on(TODAY):
        bad = client.post(url("theme_create"), {"year": 2026, "name": "", "supervising_leader_name": ""})
        assert bad.status_code == 422
        assert "保存失败" in text(bad)
        response = client.post(
            url("theme_create"),
            {
                "year": 2026,
                "name": "居家养老",
                "supervising_leader_name": "李某某 副主任",
                "lead_unit": w.unit_b.pk,
                "plan": "上门调研",
            },
        )
        theme = KeyTheme.objects.get(name="居家养老")
        assert response.status_code == 302 and response["Location"] == url("theme_detail", theme.pk)
        duplicate = client.post(
            url("theme_create"), {"year": 2026, "name": "居家养老", "supervising_leader_name": "李某"}
        )
        assert duplicate.status_code == 422 and "2026年已有督办主题“居家养老”" in text(duplicate)
        found = text(client.get(url("theme_detail", theme.pk), {"q": assigned.number}))
        assert f'name="suggestion" value="{assigned.pk}"' in found
        client.post(url("theme_add_suggestion", theme.pk), {"suggestion": assigned.pk})
        assert list(theme.suggestions.all()) == [assigned]
        again = client.post(url("theme_add_suggestion", theme.pk), {"suggestion": assigned.pk}, follow=True)
        assert "该建议已在督办主题“居家养老”中" in text(again)
        detail = text(client.get(url("theme_detail", theme.pk)))
        assert f'data-suggestion="{assigned.pk}" data-colour="yellow"' in detail
        client.post(url("theme_remove_suggestion", theme.pk, assigned.pk), {"reason": "归入物业管理"})
        assert not theme.suggestions.exists()
        edit = client.post(
            url("theme_edit", theme.pk),
            {
                "year": 2026,
                "name": "居家养老",
                "supervising_leader_name": "李某某 副主任",
                "plan": "上门调研",
                "active": "",
            },
        )
        assert edit.status_code == 302
    theme.refresh_from_db()
    assert not theme.active and theme.lead_unit is None


def test_theme_colours_follow_the_member_suggestions(client, loop, theme, assigned):
    client.force_login(loop.w.supervisor)
    with on(D(2026, 10, 12)):  # first contact due 15 October: yellow
        assert 'data-colour="yellow"' in text(client.get(url("theme_list")))
    with on(D(2026, 10, 16)):  # overdue
        client.force_login(loop.w.supervisor)
        html = text(client.get(url("theme_detail", theme.pk)))
    assert 'id="theme-colour"' in html and 'data-colour="red"' in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("clerk", 200),
        ("supervisor", 200),
        ("inspector", 200),
        ("viewer", 200),
        ("deputy", 404),
        ("handler_a", 404),
        ("coordinator", 404),
        ("outsider", 404),
    ],
)
def test_who_reads_themes(client, loop, theme, who, status):
    client.force_login(getattr(loop.w, who))
    assert client.get(url("theme_list")).status_code == status
    assert client.get(url("theme_detail", theme.pk)).status_code == status


@pytest.mark.parametrize("who", ["clerk", "supervisor", "viewer"])
def test_only_admins_manage_themes(client, loop, theme, assigned, who):
    client.force_login(getattr(loop.w, who))
    assert client.get(url("theme_create")).status_code == 404
    assert client.get(url("theme_edit", theme.pk)).status_code == 404
    assert client.post(url("theme_add_suggestion", theme.pk), {"suggestion": assigned.pk}).status_code == 404
    assert client.post(url("theme_remove_suggestion", theme.pk, assigned.pk)).status_code == 404


def test_theme_pages_of_another_congress_are_404(client, loop, theme):
    client.force_login(loop.w.outsider)
    assert client.get(reverse("supervision:theme_detail", args=["beta", theme.pk])).status_code == 404


# --- supervision records ---------------------------------------------------------------------------


def test_a_supervisor_records_a_site_visit_with_photos_and_the_unit_answers(
    client, loop, theme, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    w = loop.w
    deputy = w.deputy.deputy_records.get()
    client.force_login(w.supervisor)
    with on(TODAY):
        form = {
            "kind": "site_visit",
            "held_on": "2026-10-12",
            "place": "幸福小区",
            "participants": "王某某副主任",
            "deputies": [deputy.pk],
            "findings": "电梯长期停运。",
            "requirements": "一周内恢复运行。",
            "unit": w.unit_a.pk,
            "respond_by": "2026-10-19",
            "file_kind": "photo",
        }
        bad = client.post(
            url("theme_record_create", theme.pk),
            {**form, "findings": "", "uploads": [SimpleUploadedFile("a.png", PNG)]},
        )
        assert bad.status_code == 422 and "这个字段是必填项" in text(bad)
        evil = client.post(
            url("theme_record_create", theme.pk),
            {**form, "uploads": [SimpleUploadedFile("a.png", b"MZ\x90\x00 not an image")]},
        )
        assert evil.status_code == 422 and "不支持的文件类型" in text(evil)
        assert not SupervisionRecord.objects.exists()  # the record and the bad file go together
        response = client.post(
            url("theme_record_create", theme.pk), {**form, "uploads": [SimpleUploadedFile("现场.png", PNG)]}
        )
    record = SupervisionRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == url("record_detail", record.pk)
    assert record.attachments.count() == 1 and list(record.deputies.all()) == [deputy]
    photo = record.attachments.get()

    # The lead unit sees the record (not the theme) and answers; another unit gets 404.
    client.force_login(w.handler_b)
    assert client.get(url("record_detail", record.pk)).status_code == 404
    assert client.get(url("record_attachment", photo.pk)).status_code == 404
    client.force_login(w.handler_a)
    assert client.get(url("theme_detail", theme.pk)).status_code == 404
    with on(D(2026, 10, 14)):
        page = client.get(url("record_detail", record.pk))
        assert page.status_code == 200 and "提交反馈" in text(page)
        empty = client.post(url("record_detail", record.pk), {"form": "response", "response": ""})
        assert empty.status_code == 422
        done = client.post(
            url("record_detail", record.pk), {"form": "response", "response": "电梯已于10月14日恢复运行。"}
        )
    assert done.status_code == 302
    record.refresh_from_db()
    assert record.unit_response == "电梯已于10月14日恢复运行。" and record.responded_by == w.handler_a
    seq = last_seq()
    download = client.get(url("record_attachment", photo.pk))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert_one_read_row(seq, "file.downloaded", actor=w.handler_a, congress=w.congress, obj=photo)
    assert b"".join(download.streaming_content) == PNG
    # A deputy who took part does not browse the supervision pages.
    client.force_login(w.deputy)
    assert client.get(url("record_detail", record.pk)).status_code == 404


# --- instructions, task force, inspections ----------------------------------------------------------


def test_the_inspection_office_records_an_instruction_and_its_special_supervision(client, loop, assigned):
    w = loop.w
    client.force_login(w.inspector)
    with on(TODAY):
        bad = client.post(
            url("instruction_create", assigned.pk),
            {"leader_name": "", "instructed_on": "2026-10-12", "text": ""},
        )
        assert bad.status_code == 422
        response = client.post(
            url("instruction_create", assigned.pk),
            {
                "leader_name": "李某某",
                "leader_title": "区委副书记",
                "instructed_on": "2026-10-10",
                "text": "请抓紧解决。",
                "due_on": "2026-10-14",
            },
        )
        instruction = Instruction.objects.get()
        assert response["Location"] == url("instruction_detail", instruction.pk)
        board = text(client.get(url("instruction_list")))
        assert f'data-instruction="{instruction.pk}"' in board and "临期" in board
        client.post(
            url("instruction_record_create", instruction.pk),
            {
                "kind": "special",
                "held_on": "2026-10-12",
                "participants": "督查考核室",
                "findings": "已制定方案",
                "file_kind": "other",
            },
        )
        assert instruction.records.count() == 1
        client.post(url("instruction_detail", instruction.pk), {"conclusion": "已解决"})
    instruction.refresh_from_db()
    assert not instruction.is_open
    client.force_login(w.supervisor)
    assert client.post(url("instruction_detail", instruction.pk), {"conclusion": "x"}).status_code == 404
    assert client.get(url("instruction_create", assigned.pk)).status_code == 404
    client.force_login(w.deputy)
    assert client.get(url("instruction_list")).status_code == 404
    assert client.get(url("instruction_detail", instruction.pk)).status_code == 404


def test_the_admin_designates_the_task_force_which_then_inspects(client, loop, assigned):
    w = loop.w
    client.force_login(w.admin)
    with on(TODAY):
        response = client.post(url("task_force"), {"user": w.viewer.pk, "note": "代表工委"})
        assert response.status_code == 302
        member = TaskForceMember.objects.get(user=w.viewer)
        outsider = client.post(url("task_force"), {"user": w.outsider.pk})
        assert outsider.status_code == 422  # not offered: no role in this congress
    client.force_login(w.viewer)
    with on(TODAY):
        assert client.get(url("board")).status_code == 200
        page = client.get(url("inspection_create", assigned.pk))
        assert page.status_code == 200
        a = lead_assignment(assigned)
        bad = client.post(url("inspection_create", assigned.pk), {"assignment": a.pk, "kind": "routine"})
        assert bad.status_code == 422
        response = client.post(
            url("inspection_create", assigned.pk),
            {
                "assignment": a.pk,
                "kind": "surprise",
                "inspected_on": "2026-10-12",
                "contacted": "no",
                "reply_real": "unclear",
                "solved": "no",
                "findings": "未联系代表。",
                "required_action": "立即联系代表。",
                "due_on": "2026-10-14",
                "deputy_view": "unknown",
            },
        )
    inspection = Inspection.objects.get()
    assert response["Location"] == url("inspection_detail", inspection.pk)
    client.force_login(w.handler_b)
    assert client.get(url("inspection_detail", inspection.pk)).status_code == 404
    client.force_login(w.handler_a)
    with on(TODAY):
        client.post(url("inspection_detail", inspection.pk), {"form": "answer", "answer": "已电话联系代表。"})
        assert (
            client.post(
                url("inspection_detail", inspection.pk), {"form": "deputy_view", "view": "agrees"}
            ).status_code
            == 404
        )
    client.force_login(w.viewer)
    with on(TODAY):
        client.post(
            url("inspection_detail", inspection.pk), {"form": "deputy_view", "view": "agrees", "opinion": ""}
        )
    inspection.refresh_from_db()
    assert (inspection.unit_answer, inspection.deputy_view) == ("已电话联系代表。", "agrees")
    client.force_login(w.admin)
    with on(TODAY):
        client.post(url("task_force_remove", member.pk), {"reason": "换届"})
    client.force_login(w.viewer)
    assert client.get(url("board")).status_code == 404
    assert client.get(url("inspection_create", assigned.pk)).status_code == 404


@pytest.mark.parametrize("who", ["clerk", "supervisor", "viewer"])
def test_only_admins_change_the_task_force(client, loop, who):
    client.force_login(getattr(loop.w, who))
    assert client.post(url("task_force"), {"user": loop.w.judge.pk}).status_code == 404


# --- the suggestion's supervision page and query counts ---------------------------------------------


def test_the_suggestion_page_gathers_everything(client, loop, theme, assigned, task_force):
    w = loop.w
    with on(TODAY):
        SA.do_record_instruction(
            assigned, actor=w.inspector, leader_name="李某某", instructed_on=TODAY, text="请抓紧。"
        )
        SA.do_record_inspection(
            lead_assignment(assigned), actor=task_force, kind="routine", inspected_on=TODAY,
            contacted="yes", reply_real="yes", solved="partly", findings="正在推进。",
        )  # fmt: skip
        SA.do_add_supervision_record(
            assigned, actor=w.clerk, kind="phone", held_on=TODAY, participants="代表工委", findings="催办"
        )
        client.force_login(w.supervisor)
        html = text(client.get(url("suggestion_detail", assigned.pk)))
    assert "领导批示 · 专项督查" in html and "物业管理" in html and "正在推进" in html and "催办" in html
    assert html.count("data-deadline=") == Deadline.objects.filter(suggestion=assigned).count()
    client.force_login(w.deputy)
    assert client.get(url("suggestion_detail", assigned.pk)).status_code == 404


def test_pages_have_a_fixed_query_count(
    client, loop, theme, assigned, task_force, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = loop.w

    def grow(n: int) -> None:
        with on(TODAY):
            for _ in range(n):
                s = loop.drive.to("assigned")
                SA.do_add_theme_suggestion(theme, actor=w.admin, suggestion=s)
                SA.do_add_supervision_record(
                    theme, actor=w.supervisor, kind="site_visit", held_on=TODAY, participants="委员",
                    deputies=[w.deputy.deputy_records.get()], findings="问题",
                )  # fmt: skip
                i = SA.do_record_instruction(
                    s, actor=w.inspector, leader_name="李某", instructed_on=TODAY, text="批示", due_on=TODAY
                )
                SA.do_add_supervision_record(
                    i, actor=w.inspector, kind="special", held_on=TODAY, participants="督查室", findings="查"
                )
                SA.do_record_inspection(
                    lead_assignment(s), actor=task_force, kind="routine", inspected_on=TODAY,
                    contacted="yes", reply_real="yes", solved="yes", findings="好",
                )  # fmt: skip
                SA.do_add_task_force_member(w.congress, actor=w.admin, user=_member(loop))

    pages = [
        url("theme_list"),
        url("theme_detail", theme.pk),
        url("instruction_list"),
        url("task_force"),
        url("recalculate"),
    ]
    client.force_login(w.admin)
    grow(1)
    with on(TODAY):
        before = {}
        for page in pages:
            with CaptureQueriesContext(connection) as q:
                assert client.get(page).status_code == 200
            before[page] = len(q)
        grow(5)
        for page in pages:
            with django_assert_max_num_queries(before[page]):
                assert client.get(page).status_code == 200
            assert before[page] <= 20, (page, before[page])


_counter = iter(range(1000))


def _member(loop):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=f"tf-extra-{next(_counter)}")
    MembershipFactory(user=user, congress=loop.w.congress, role="deputy")
    return user


@pytest.fixture
def record_and_inspection(loop, theme, assigned, task_force):
    """A theme record for unit A and an inspection of unit A — created after a few others, so that
    their ids differ from the congress's (a permission must never compare a record with a congress)."""
    w = loop.w
    with on(TODAY):
        for _ in range(3):
            SA.do_add_supervision_record(
                theme, actor=w.supervisor, kind="phone", held_on=TODAY, participants="委员", findings="调度"
            )
        record = SA.do_add_supervision_record(
            theme, actor=w.supervisor, kind="site_visit", held_on=TODAY, participants="委员", findings="问题",
            requirements="整改", respond_by=D(2026, 10, 20),
        )  # fmt: skip
        for _ in range(3):
            SA.do_record_inspection(
                lead_assignment(assigned), actor=task_force, kind="routine", inspected_on=TODAY,
                contacted="yes", reply_real="yes", solved="yes", findings="好",
            )  # fmt: skip
        inspection = SA.do_record_inspection(
            lead_assignment(assigned), actor=task_force, kind="surprise", inspected_on=TODAY,
            contacted="no", reply_real="no", solved="no", findings="差", required_action="整改", due_on=D(2026, 10, 20),
        )  # fmt: skip
    assert record.pk != w.congress.pk and inspection.pk != w.congress.pk
    return record, inspection


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("clerk", 200),
        ("supervisor", 200),
        ("inspector", 200),
        ("viewer", 200),
        ("handler_a", 200),  # the supervised unit
        ("leader_a", 200),
        ("coordinator", 200),  # the unit's body
        ("handler_b", 404),
        ("deputy", 404),
        ("judge", 404),
        ("outsider", 404),
    ],
)
def test_who_opens_a_record_and_an_inspection(client, loop, record_and_inspection, who, status):
    record, inspection = record_and_inspection
    client.force_login(getattr(loop.w, who))
    with on(TODAY):
        assert client.get(url("record_detail", record.pk)).status_code == status
        assert client.get(url("inspection_detail", inspection.pk)).status_code == status


def test_the_task_force_opens_records_and_inspections(client, loop, record_and_inspection, task_force):
    record, inspection = record_and_inspection
    client.force_login(task_force)
    with on(TODAY):
        assert client.get(url("record_detail", record.pk)).status_code == 200
        assert client.get(url("inspection_detail", inspection.pk)).status_code == 200
