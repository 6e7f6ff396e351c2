"""The suggestion pages as each persona sees them: the work list (待办) with deadline colours, the
filtered list, the detail with only the buttons the user may press, drafting with attachments,
downloads and the reply letter — and 404 wherever a persona has no business. Lists and the detail
cost a fixed number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minyi.audit.services import READ_CODES
from minyi.suggestions import actions as A
from minyi.suggestions.models import Attachment, Reply, Suggestion
from minyi.suggestions.selectors import timeline
from tests.audit.support import assert_one_read_row, last_seq

from .conftest import _fingerprint, make_deputy
from .test_attachments import PDF, PNG, use_tmp_storage


def url(name, *args, code="alpha"):
    return reverse(f"suggestions:{name}", args=[code, *args])


def get(client, user, address):
    client.force_login(user)
    return client.get(address)


def html(response) -> str:
    return response.content.decode()


def actions_on(page: str) -> set[str]:
    """The action buttons and links of a page (data-action attributes)."""
    return set(re.findall(r'data-action="([a-z_]+)"', page))


@pytest.fixture
def media(settings, tmp_path):
    use_tmp_storage(settings, tmp_path)
    return tmp_path


# --- work list -----------------------------------------------------------------------------------------


def test_worklist_of_each_role(client, loop):
    w = loop.w
    draft = loop.drive.to("draft", title="草稿中的建议")
    submitted = loop.drive.to("submitted", title="等待审查的建议")
    forwarded = loop.drive.to("forwarded", title="转交政府的建议")
    to_sign = loop.drive.to("assigned", co=True, title="待签收的建议")
    drafted = loop.drive.to("reply_drafted", title="待签发的建议")
    replied = loop.drive.to("replied", title="待测评的建议")
    invitation = loop.drive.to("draft", title="邀请联名的建议")
    A.do_invite_cosigner(invitation, actor=w.deputy, deputy=w.cosigner.deputy_records.get())

    deputy = html(get(client, w.deputy, url("worklist")))
    assert "草稿和退回修改的建议" in deputy and draft.title in deputy
    assert (
        "待测评的答复" in deputy
        and url("evaluate", replied.pk, Reply.objects.get(assignment__suggestion=replied).pk) in deputy
    )
    assert "待确认的联系记录" in deputy
    assert "我的建议办理进展" in deputy and forwarded.title in deputy  # progress of their own
    assert "还剩 10 个工作日" in deputy  # the evaluation deadline of the replied one

    # persona: (what their work list shows, what it does not)
    expected = {
        "cosigner": ([invitation.title, "待确认的联名邀请"], [draft.title]),
        # other people's drafts are nobody's business; each item shows its deadline
        "clerk": ([submitted.title, "待审查", "审查 ·"], [draft.title, "提交后3个工作日内审查"]),
        "coordinator": ([forwarded.title, "待交办"], [submitted.title]),
        "handler_b": ([to_sign.title, "待签收"], [drafted.title]),  # not unit A's work
        "leader_a": ([drafted.title, "待签发的答复"], []),
    }
    for persona, (shown, hidden) in expected.items():
        page = html(get(client, getattr(w, persona), url("worklist")))
        assert [text for text in shown if text not in page] == [], persona
        assert [text for text in hidden if text in page] == [], persona

    entered = A.do_create_suggestion(
        w.congress,
        actor=w.liaison,
        content=A.SuggestionContent(title="联络站代录的草稿"),
        lead=w.deputy.deputy_records.get(),
    )
    liaison = html(get(client, w.liaison, url("worklist")))
    assert "待代表本人提交的草稿" in liaison and entered.title in liaison

    judge = html(get(client, w.judge, url("worklist")))  # scoring is a judge's work (issue #12)
    assert "暂无待办事项" in judge and "您的角色没有需要办理的建议事项" not in judge

    viewer = html(get(client, w.viewer, url("worklist")))
    assert "您的角色没有需要办理的建议事项" in viewer

    assert get(client, w.outsider, url("worklist")).status_code == 404


def test_worklist_deadline_colours_follow_the_calendar(client, loop):
    """Green while there is time, yellow within the policy's warning days, red once overdue —
    computed for the day the page is shown, never stored."""
    start = timezone.localdate()
    s = loop.drive.to("assigned")  # first contact due 10 working days after 交办
    client.force_login(loop.w.handler_a)
    page = html(client.get(url("worklist")))
    assert re.search(r'text-bg-success">还剩 10 个工作日', page)
    due = s.deadlines.get(kind="first_contact").due_on
    with time_machine.travel(
        datetime.datetime.combine(due - datetime.timedelta(days=1), datetime.time(10)), tick=False
    ):
        client.force_login(loop.w.handler_a)  # the session of "today" would have expired by then
        page = html(client.get(url("worklist")))
        assert re.search(r'text-bg-warning">(还剩 1 个工作日|今天到期)', page)
    with time_machine.travel(
        datetime.datetime.combine(due + datetime.timedelta(days=7), datetime.time(10)), tick=False
    ):
        client.force_login(loop.w.handler_a)
        page = html(client.get(url("worklist")))
        assert re.search(r'text-bg-danger">已逾期 \d+ 个工作日', page)
    assert start == timezone.localdate()


def _grow(loop, n, start=0):
    for i in range(start, start + n):
        s = A.do_create_suggestion(
            loop.w.congress,
            actor=loop.w.deputy,
            content=A.SuggestionContent(
                title=f"批量建议{i}",
                facts="情况",
                proposals="建议",
                category=loop.taxa.category,
                channel=loop.taxa.channel,
                collected_on=timezone.localdate(),
            ),
        )
        s = A.do_submit_suggestion(s, actor=loop.w.deputy)
        if i % 3 == 0:
            A.do_accept_suggestion(s, actor=loop.w.clerk)
        if i % 3 == 1:
            A.do_accept_suggestion(s, actor=loop.w.clerk)
            A.do_assign_units(s, actor=loop.w.clerk, lead_units=[loop.w.unit_a], co_units=[loop.w.unit_b])


def _count(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["clerk", "deputy", "handler_a", "coordinator"])
@pytest.mark.parametrize("page", ["list", "worklist"])
def test_lists_cost_a_fixed_number_of_queries(client, loop, persona, page, django_assert_max_num_queries):
    _grow(loop, 5)
    client.force_login(getattr(loop.w, persona))
    address = url(page)
    few = _count(client, address)
    _grow(loop, 25, start=5)
    many = _count(client, address)
    assert many == few, (few, many)
    with django_assert_max_num_queries(20):
        client.get(address)


# --- list --------------------------------------------------------------------------------------------


def test_list_shows_what_each_persona_may_see(client, loop):
    w = loop.w
    draft = loop.drive.to("draft", title="我的草稿")
    assigned = loop.drive.to("assigned", title="交办住建局的建议")
    submitted = loop.drive.to("submitted", title="待审查的建议")
    seen = {
        "deputy": {draft, assigned, submitted},
        "clerk": {assigned, submitted},
        "viewer": {assigned},  # accepted ones only, not under review (decision 0009)
        "handler_a": {assigned},
        "handler_b": set(),
        "coordinator": {assigned},
        "judge": set(),
    }
    for persona, expected in seen.items():
        page = html(get(client, getattr(w, persona), url("list")))
        shown = {s for s in (draft, assigned, submitted) if url("detail", s.pk) in page}
        assert shown == expected, persona
    assert get(client, w.outsider, url("list")).status_code == 404


def test_list_filters(client, loop):
    loop.drive.to("submitted", title="关于物业管理的建议")
    assigned = loop.drive.to("assigned", title="关于学校周边交通的建议")
    client.force_login(loop.w.clerk)

    def titles(**params):
        page = html(client.get(url("list"), params))
        return set(re.findall(r'href="/c/alpha/suggestions/\d+/">([^<]+)</a>', page))

    assert titles() == {"关于物业管理的建议", "关于学校周边交通的建议"}
    assert titles(state="submitted") == {"关于物业管理的建议"}
    assert titles(q="交通") == {"关于学校周边交通的建议"}
    assert titles(q=assigned.number) == {"关于学校周边交通的建议"}
    assert titles(unit=loop.w.unit_a.pk) == {"关于学校周边交通的建议"}
    assert titles(category=loop.taxa.category.pk, year=timezone.localdate().year) == {
        "关于物业管理的建议",
        "关于学校周边交通的建议",
    }
    assert titles(year=2001) == titles()  # not a year of any suggestion: ignored
    assert "没有符合条件的建议" in html(client.get(url("list"), {"q": "不存在"}))
    # nonsense in a filter is ignored, not an error
    assert client.get(url("list"), {"year": "abc", "unit": "x", "state": "nope"}).status_code == 200


def test_list_is_paginated(client, loop):
    _grow(loop, 23)
    client.force_login(loop.w.clerk)
    first = html(client.get(url("list")))
    assert "共 23 条" in first and "第 1 / 2 页" in first
    second = html(client.get(url("list"), {"page": 2}))
    assert second.count('href="/c/alpha/suggestions/') - second.count("/suggestions/new/") >= 3


# --- detail ------------------------------------------------------------------------------------------


def test_detail_for_every_persona_who_may_see_it(client, loop):
    w = loop.w
    s = loop.drive.to("replied", co=True, cosign=True)
    for persona in (
        "deputy",
        "cosigner",
        "clerk",
        "admin",
        "coordinator",
        "handler_a",
        "handler_b",
        "leader_a",
        "supervisor",
        "inspector",
        "viewer",
    ):
        page = get(client, getattr(w, persona), url("detail", s.pk))
        assert page.status_code == 200, persona
        assert s.title in html(page) and s.number in html(page)
    for persona in ("judge", "liaison", "outsider"):
        assert get(client, getattr(w, persona), url("detail", s.pk)).status_code == 404, persona


def test_detail_404_for_missing_and_foreign_ids(client, loop):
    w = loop.w
    beta_deputy = make_deputy(w.other_congress, "beta_deputy")
    foreign = A.do_create_suggestion(
        w.other_congress, actor=beta_deputy, content=A.SuggestionContent(title="乙区的建议")
    )
    A.do_submit_suggestion  # noqa: B018 - the foreign suggestion stays a draft; its id is what matters
    client.force_login(w.clerk)
    assert client.get(url("detail", foreign.pk)).status_code == 404
    assert client.get(url("detail", foreign.pk, code="beta")).status_code == 404
    assert client.get(url("detail", 999999)).status_code == 404
    other_draft = loop.drive.to("draft")
    assert get(client, w.cosigner, url("detail", other_draft.pk)).status_code == 404
    assert get(client, w.clerk, url("detail", other_draft.pk)).status_code == 404


def test_buttons_come_from_the_states_table_and_the_rules(client, loop):
    w = loop.w
    submitted = loop.drive.to("submitted")
    assert {"accept", "return", "decline", "merge"} <= actions_on(
        html(get(client, w.clerk, url("detail", submitted.pk)))
    )
    assert actions_on(html(get(client, w.viewer, url("detail", submitted.pk)))) == set()
    assert "withdraw" in actions_on(html(get(client, w.deputy, url("detail", submitted.pk))))
    assert "accept" not in actions_on(html(get(client, w.deputy, url("detail", submitted.pk))))

    drafted = loop.drive.to("reply_drafted", co=True)
    assert {"sign_off_reply", "send_back_reply"} <= actions_on(
        html(get(client, w.leader_a, url("detail", drafted.pk)))
    )
    handler = actions_on(html(get(client, w.handler_a, url("detail", drafted.pk))))
    assert "sign_off_reply" not in handler and "draft_reply" in handler
    assert actions_on(html(get(client, w.handler_b, url("detail", drafted.pk)))) == set()  # opinion sent
    assert actions_on(html(get(client, w.deputy, url("detail", drafted.pk)))) >= {"confirm_contact"}


def test_detail_keeps_units_internal_work_from_deputies(client, loop):
    w = loop.w
    s = loop.drive.to("reply_drafted", co=True)
    a = loop.drive.answering(s)[0]
    A.do_request_extension(
        a, actor=w.handler_a, reason="内部研究需要时间", until=a.reply_due_on + datetime.timedelta(days=10)
    )
    deputy = html(get(client, w.deputy, url("detail", s.pk)))
    assert "经研究，答复如下" not in deputy  # the draft reply
    assert "内部研究需要时间" not in deputy  # the extension request
    assert "同意主办单位意见" not in deputy  # the co-unit's opinion
    assert "上门听取代表意见" in deputy  # contacts are with the deputy: shown
    lead = html(get(client, w.handler_a, url("detail", s.pk)))
    assert "经研究，答复如下" in lead and "内部研究需要时间" in lead and "同意主办单位意见" in lead
    clerk = html(get(client, w.clerk, url("detail", s.pk)))
    assert {"approve_extension", "refuse_extension"} <= actions_on(clerk)
    co_unit = html(get(client, w.handler_b, url("detail", s.pk)))
    assert "内部研究需要时间" not in co_unit and "经研究，答复如下" not in co_unit


def test_detail_shows_both_evaluation_rounds_and_the_ledger(client, loop):
    w = loop.w
    s = loop.drive.to("evaluated", overall="unsatisfied")
    A.do_order_rehandling(s, actor=w.clerk, note="请重新研究")
    s.refresh_from_db()
    loop.drive.work(s, upto="replied", result="B")
    loop.drive.evaluate(s, overall="satisfied")
    page = html(get(client, w.deputy, url("detail", s.pk)))
    assert "第1轮测评" in page and "第2轮测评" in page  # one round label everywhere (issue #12)
    assert "不满意" in page and "满意" in page
    assert "承诺事项落实情况" in page and "年内完成改造" in page
    assert "第2轮（重新办理）" in page and "第1轮</summary>" in page
    # the timeline, filtered for the deputy: public steps only
    assert "要求重新办理" in page and "签收" not in re.sub(
        r"签收（|签收时间|\d日签收", "", page.split('id="timeline"')[1]
    )


def test_detail_costs_a_fixed_number_of_queries(client, loop, django_assert_max_num_queries):
    s = loop.drive.to("replied", co=True, cosign=True, result="B")
    for persona in ("deputy", "clerk", "handler_a", "coordinator", "leader_a"):
        client.force_login(getattr(loop.w, persona))
        with django_assert_max_num_queries(45):
            assert client.get(url("detail", s.pk)).status_code == 200


# --- drafting, attachments and letters ----------------------------------------------------------------


def test_deputy_drafts_with_attachments_and_downloads_them(client, loop, media):
    w = loop.w
    client.force_login(w.deputy)
    assert client.get(url("create")).status_code == 200
    response = client.post(
        url("create"),
        {
            "title": "关于增设社区食堂的建议",
            "kind": "interim",
            "facts": "老年人吃饭难",
            "proposals": "增设社区食堂",
            "category": loop.taxa.category.pk,
            "channel": loop.taxa.channel.pk,
            "collected_on": timezone.localdate().isoformat(),
            "theme_tags": [loop.taxa.theme.pk],
            "suggested_units": [w.unit_a.pk],
            "attachments": [
                SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
            ],
        },
    )
    s = Suggestion.objects.get(title="关于增设社区食堂的建议")
    assert response.status_code == 302 and response["Location"] == url("detail", s.pk)
    assert s.entered_by == w.deputy and s.lead.user == w.deputy and s.state == "draft"
    assert list(s.suggested_units.all()) == [w.unit_a]
    attachment = Attachment.objects.get(suggestion=s, original_name="调研报告.pdf")

    seq = last_seq()
    download = client.get(url("attachment", attachment.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert_one_read_row(seq, "file.downloaded", actor=w.deputy, congress=w.congress, obj=attachment)
    # no timeline shows a download, the deputy's nor the congress staff's
    assert not timeline(w.deputy, s).filter(code__in=READ_CODES).exists()
    assert not timeline(w.clerk, s).filter(code__in=READ_CODES).exists()
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E8%B0%83%E7%A0%94%E6%8A%A5%E5%91%8A.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF

    # only those who see the suggestion may download
    for persona in ("clerk", "cosigner", "handler_a", "outsider"):
        assert get(client, getattr(w, persona), url("attachment", attachment.pk)).status_code == 404, persona
    A.do_submit_suggestion(s, actor=w.deputy)
    assert get(client, w.clerk, url("attachment", attachment.pk)).status_code == 200
    assert get(client, w.clerk, url("attachment", attachment.pk, code="beta")).status_code == 404
    assert get(client, w.clerk, url("attachment", 999999)).status_code == 404


def test_a_bad_upload_is_refused_and_nothing_is_kept(client, loop, media):
    client.force_login(loop.w.deputy)
    before = _fingerprint()
    response = client.post(
        url("create"),
        {
            "title": "带错误附件的建议",
            "kind": "interim",
            "attachments": [
                SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
            ],
        },
    )
    assert response.status_code == 422
    page = html(response)
    assert "不支持的文件类型" in page and 'value="带错误附件的建议"' in page
    assert "请重新选择" in page
    assert _fingerprint() == before
    assert not Suggestion.objects.filter(title="带错误附件的建议").exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_create_form_errors_keep_the_input(client, loop):
    client.force_login(loop.w.deputy)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url("create"), {"title": "", "kind": "interim", "facts": "情况写了一半", "collected_on": tomorrow}
    )
    assert response.status_code == 422
    page = html(response)
    assert "情况写了一半" in page and "民意收集日期不能晚于今天" in page
    assert not Suggestion.objects.exists()


def test_liaison_clerk_drafts_for_a_deputy_who_submits(client, loop):
    w = loop.w
    lead = w.deputy.deputy_records.get()
    client.force_login(w.liaison)
    page = html(client.get(url("create")))
    assert 'name="lead"' in page
    response = client.post(url("create"), {"lead": lead.pk, "title": "联络站代录的建议", "kind": "interim"})
    s = Suggestion.objects.get(title="联络站代录的建议")
    assert response.status_code == 302 and s.entered_by == w.liaison and s.lead == lead
    liaison_view = actions_on(html(client.get(url("detail", s.pk))))
    assert "submit" not in liaison_view and "edit" in liaison_view
    assert "submit" in actions_on(html(get(client, w.deputy, url("detail", s.pk))))


def test_who_may_start_a_draft(client, loop):
    for persona in ("clerk", "handler_a", "judge", "viewer", "outsider"):
        assert get(client, getattr(loop.w, persona), url("create")).status_code == 404, persona
    assert 'href="/c/alpha/suggestions/new/"' not in html(get(client, loop.w.clerk, url("worklist")))
    assert 'href="/c/alpha/suggestions/new/"' in html(get(client, loop.w.deputy, url("worklist")))


def test_edit_a_returned_suggestion_but_not_a_submitted_one(client, loop, media):
    w = loop.w
    s = loop.drive.to("submitted")
    client.force_login(w.deputy)
    response = client.get(url("edit", s.pk))
    assert response.status_code == 302 and response["Location"] == url("detail", s.pk)
    A.do_return_suggestion(s, actor=w.clerk, reason="请补充数据")
    page = html(client.get(url("edit", s.pk)))
    assert "请补充数据" in page and s.title in page
    response = client.post(
        url("edit", s.pk),
        {
            "title": s.title + "（修改稿）",
            "kind": "interim",
            "facts": "补充了数据",
            "proposals": s.proposals,
            "category": loop.taxa.category.pk,
            "channel": loop.taxa.channel.pk,
            "collected_on": s.collected_on.isoformat(),
            "attachments": [SimpleUploadedFile("数据.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.title.endswith("（修改稿）") and s.facts == "补充了数据"
    attachment = s.attachments.get()
    # the attachment can be removed while the suggestion is editable
    remove = reverse("suggestions:remove_attachment", args=["alpha", s.pk, attachment.pk])
    assert remove in html(client.get(url("edit", s.pk)))
    assert get(client, w.clerk, remove).status_code == 404
    client.force_login(w.deputy)
    assert client.post(remove).status_code == 302
    assert not s.attachments.exists()
    assert get(client, w.clerk, url("edit", s.pk)).status_code == 404


def test_reply_attachments_follow_the_reply(client, loop, media):
    w = loop.w
    s = loop.drive.to("contacted")
    a = loop.drive.answering(s)[0]
    client.force_login(w.handler_a)
    response = client.post(
        reverse("suggestions:draft_reply", args=["alpha", a.pk]),
        {
            "result_class": loop.taxa.result_a.pk,
            "body": "已经解决",
            "c-TOTAL_FORMS": "0",
            "c-INITIAL_FORMS": "0",
            "attachments": [SimpleUploadedFile("照片.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(reply__assignment=a)
    assert client.get(url("attachment", attachment.pk)).status_code == 200
    assert get(client, w.deputy, url("attachment", attachment.pk)).status_code == 404  # still a draft
    A.do_sign_off_reply(a, actor=w.leader_a)
    assert get(client, w.deputy, url("attachment", attachment.pk)).status_code == 200


def test_reply_letter(client, loop):
    w = loop.w
    s = loop.drive.to("replied", cosign=True, result="B")
    reply = Reply.objects.get(assignment__suggestion=s)
    page = get(client, w.deputy, url("reply_letter", s.pk, reply.pk))
    assert page.status_code == 200
    text = html(page)
    assert f"关于领衔代表代表第{s.seq}号建议的答复" in text and s.number in text and "年内完成改造" in text
    assert "领衔代表代表及联名代表联名代表" in text
    assert "data-print" in text and "<script>" not in text  # no inline script (CSP)
    assert get(client, w.handler_b, url("reply_letter", s.pk, reply.pk)).status_code == 404
    draft = loop.drive.to("reply_drafted", title="答复未签发的建议")
    draft_reply = Reply.objects.get(assignment__suggestion=draft)
    assert get(client, w.handler_a, url("reply_letter", draft.pk, draft_reply.pk)).status_code == 404


def test_navigation_and_dashboard_link_to_the_pages(client, loop):
    page = html(get(client, loop.w.handler_a, reverse("congress:dashboard", args=["alpha"])))
    nav = page.split("</nav>")[0]
    assert url("worklist") in nav and url("list") in nav
    assert url("worklist") in page.split("</nav>", 1)[1]


def test_every_running_deadline_links_to_how_it_was_computed(client, loop):
    """The deputy and the unit can open the explanation (rule, calendar, working days) of a date."""
    s = loop.drive.to("assigned")
    running = list(s.deadlines.filter(closed_at__isnull=True, assignment__isnull=False))
    assert running
    for who in (loop.w.deputy, loop.w.handler_a, loop.w.clerk):
        page = html(get(client, who, url("detail", s.pk)))
        for deadline in running:
            explained = reverse("supervision:deadline_detail", args=["alpha", deadline.pk])
            assert f'href="{explained}"' in page, (who, deadline.kind)
            assert client.get(explained).status_code == 200
