"""The reply letter (答复函, issue #12) reads like a real one: no salutation or opening twice, every
paragraph indented, the closing, the unit and the date (2026年12月6日) right-aligned, then the
contact person, phone and 抄送; the draft form warns when the body brings its own salutation."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from minyi.core.errors import ValidationFailed
from minyi.suggestions import actions as A
from minyi.suggestions.letter import letter_date, paragraphs, read_body
from minyi.suggestions.models import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_again():
    """A request in English leaves English active in this thread: later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


SIGNED = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def url(name, *args):
    return reverse(f"suggestions:{name}", args=["alpha", *args])


def letter_html(client, loop, s) -> str:
    reply = Reply.objects.get(assignment__suggestion=s)
    client.force_login(loop.w.deputy)
    page = client.get(url("reply_letter", s.pk, reply.pk))
    assert page.status_code == 200
    return page.content.decode()


def replied(loop, body, cosign=False, **foot):
    """A suggestion whose reply has `body` (the draft sent back and rewritten), signed off."""
    s = loop.drive.to("reply_drafted", cosign=cosign)
    a = s.assignments.get()
    A.do_send_back_reply(a, actor=loop.w.leader_a, reason="请改写")
    a.refresh_from_db()
    A.do_draft_reply(a, actor=loop.w.handler_a, body=body, result_class=loop.taxa.result_a, **foot)
    a.refresh_from_db()
    A.do_sign_off_reply(a, actor=loop.w.leader_a)
    return s


# --- the text rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "salutation", "opening"),
    [
        ("张三代表：\n您提出的建议收悉，现答复如下：\n一、……", True, True),
        ("尊敬的张三代表：\n经研究，答复如下。", True, True),
        ("张三、李四代表:\n关于……", True, False),
        ("您提出的《关于……的建议》收悉，现将办理情况答复如下：\n一、……", False, True),
        ("一、基本情况\n我局高度重视，经研究……", False, False),
        ("关于王代表提出的问题，我局已经落实。", False, False),
    ],
)
def test_read_body_finds_a_salutation_and_the_stock_opening(body, salutation, opening):
    said = read_body(body)
    assert (said.salutation, said.opening) == (salutation, opening)
    assert said.duplicates == (salutation or opening)


def test_paragraphs_drop_blank_lines_and_typed_indents():
    assert paragraphs("  一、甲\n\n\u3000\u3000二、乙\n") == ["一、甲", "二、乙"]
    assert read_body("……\n感谢您对我们工作的关心和支持！").closing


def test_letter_date_is_chinese_in_chinese_and_english_in_english():
    with translation.override("zh-hans"):
        assert letter_date(datetime.date(2026, 12, 6)) == "2026年12月6日"
        assert letter_date(SIGNED) == "2026年12月7日"
    with translation.override("en"):
        assert letter_date(datetime.date(2026, 12, 6)) == "6 December 2026"
    assert letter_date(None) == ""


# --- the letter ---------------------------------------------------------------------------------------


def test_the_letter_adds_salutation_opening_closing_once_with_contact_cc_and_signature(client, loop):
    with time_machine.travel(SIGNED, tick=False):
        s = replied(
            loop,
            "一、基本情况\n\u3000\u3000我局高度重视。\n\n二、下一步工作\n继续推进。",
            contact_name="王联络",
            contact_phone="0571-88886666",
            cc="区人大常委会代表工委、区政府办公室。",
            cosign=True,
        )
    text = letter_html(client, loop, s)
    assert f"关于领衔代表代表第{s.seq}号建议的答复" in text
    assert text.count("领衔代表代表及联名代表联名代表：") == 1
    assert text.count("收悉，现答复如下：") == 1
    assert text.count("感谢您对我们工作的关心和支持！") == 1
    # one indented paragraph per line, typed indents and blank lines gone
    body = re.search(r'data-field="body">(.*?)</div>', text, re.S).group(1)
    assert re.findall(r'<p class="letter-p">([^<]*)</p>', body) == [
        "一、基本情况",
        "我局高度重视。",
        "二、下一步工作",
        "继续推进。",
    ]
    signature = re.search(r'data-field="signature">(.*?)</div>\s*</div>', text, re.S).group(1)
    assert "承办单位甲" in signature or s.assignments.get().unit.name in signature
    assert "2026年12月7日" in signature
    assert "联系人：王联络" in text and "联系电话：0571-88886666" in text
    assert "抄送：区人大常委会代表工委、区政府办公室。" in text  # one full stop, not two
    assert "suggestions/letter.css" in text


def test_a_body_with_its_own_salutation_and_opening_is_not_doubled(client, loop):
    s = replied(
        loop, "领衔代表代表：\n您提出的建议收悉，现答复如下：\n一、……\n感谢您对我们工作的关心和支持！"
    )
    text = letter_html(client, loop, s)
    assert 'data-field="salutation"' not in text and 'data-field="opening"' not in text
    assert 'data-field="closing"' not in text
    assert text.count("领衔代表代表：") == 1 and text.count("现答复如下") == 1
    assert text.count("关心和支持") == 1


def test_no_contact_no_cc_leaves_the_lines_out(client, loop):
    s = loop.drive.to("replied")
    text = letter_html(client, loop, s)
    assert 'data-field="contact"' not in text and 'data-field="cc"' not in text


def test_the_letter_in_english(client, loop):
    s = replied(loop, "Body", contact_name="Wang", contact_phone="123", cc="Office")
    client.force_login(loop.w.deputy)
    reply = Reply.objects.get(assignment__suggestion=s)
    page = client.get(url("reply_letter", s.pk, reply.pk), HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    text = client.get(url("reply_letter", s.pk, reply.pk)).content.decode()
    assert page.status_code == 200
    assert "Contact: Wang" in text and "Tel.: 123" in text and "cc: Office." in text
    date = timezone.localtime(reply.signed_off_at if reply.signed_off_at else timezone.now()).date()
    reply.refresh_from_db()
    assert letter_date(reply.signed_off_at) != "" and str(date.year) in text
    for mark in "，。：；（）":
        article = text.split('id="reply-letter"', 1)[1].split("</article>", 1)[0]
        assert mark not in article.replace(s.title, "").replace(s.lead.name, ""), mark


# --- the draft form -----------------------------------------------------------------------------------


def test_the_draft_form_offers_the_foot_and_warns_about_a_salutation(client, loop):
    s = loop.drive.to("signed")
    a = s.assignments.get()
    client.force_login(loop.w.handler_a)
    form_url = reverse("suggestions:draft_reply", args=["alpha", a.pk])
    page = client.get(form_url).content.decode()
    assert 'name="contact_name"' in page and 'name="contact_phone"' in page and 'name="cc"' in page
    assert f'value="{loop.w.handler_a.display_name}"' in page  # first draft: the handler's own name
    data = {
        "result_class": loop.taxa.result_a.pk,
        "body": "领衔代表代表：\n经研究，答复如下。",
        "contact_name": "王联络",
        "contact_phone": "0571-1",
        "cc": "区政府办公室",
        "c-TOTAL_FORMS": "1",
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "10",
    }
    response = client.post(form_url, data, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "答复函不再重复加上称呼和开头语" in text
    reply = Reply.objects.get(assignment=a)
    assert (reply.contact_name, reply.contact_phone, reply.cc) == ("王联络", "0571-1", "区政府办公室")
    again = client.get(form_url).content.decode()
    assert 'data-field="duplicate-salutation"' in again and 'value="王联络"' in again
    # a plain body: no warning
    data["body"] = "一、我局已落实。"
    text = client.post(form_url, data, follow=True).content.decode()
    assert "答复函不再重复加上称呼和开头语" not in text
    assert 'data-field="duplicate-salutation"' not in client.get(form_url).content.decode()


def test_the_next_reply_of_the_unit_starts_from_its_last_contact(client, loop):
    first = loop.drive.to("signed")
    A.do_draft_reply(
        first.assignments.get(),
        actor=loop.w.handler_a,
        body="答复",
        result_class=loop.taxa.result_a,
        contact_name="王联络",
        contact_phone="0571-2",
        cc="区政府办公室",
    )
    second = loop.drive.to("signed", title="第二件建议")
    client.force_login(loop.w.handler_a)
    page = client.get(reverse("suggestions:draft_reply", args=["alpha", second.assignments.get().pk]))
    text = page.content.decode()
    assert 'value="王联络"' in text and 'value="0571-2"' in text and 'value="区政府办公室"' in text


def test_the_foot_is_refused_when_too_long(loop):
    s = loop.drive.to("signed")
    with pytest.raises(ValidationFailed) as err:
        A.do_draft_reply(
            s.assignments.get(),
            actor=loop.w.handler_a,
            body="答复",
            result_class=loop.taxa.result_a,
            cc="单" * 201,
        )
    assert err.value.code == "cc_too_long"
    assert not Reply.objects.filter(assignment__suggestion=s).exists()
