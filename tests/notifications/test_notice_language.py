"""Notices are written in Chinese by the scan; an English reader's inbox shows their fixed texts in
English, what users typed (the suggestion's title) as typed (issue #12)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan
from minyi.notifications.texts import in_language

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 3, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _chinese_again():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_fixed_texts_read_in_english_and_typed_words_stay():
    with translation.override("en"):
        assert in_language("新交办件：关于加装电梯的建议") == "New assignment: 关于加装电梯的建议"
    with translation.override("zh-hans"):
        assert in_language("新交办件：关于加装电梯的建议") == "新交办件：关于加装电梯的建议"


def test_the_inbox_in_english(client, loop):
    with time_machine.travel(MORNING, tick=False):
        s = loop.drive.to("assigned")
        run_scan()
    notice = Notice.objects.filter(recipient=loop.w.handler_a).first()
    assert notice is not None and "：" in notice.title  # stored in Chinese
    client.force_login(loop.w.handler_a)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert s.title in page
    assert notice.title.split("：")[0] not in page  # the fixed prefix is in English
    notice.refresh_from_db()
    assert "：" in notice.title  # the stored row is untouched
