"""A deadline's rule, stored in Chinese, reads in English on an English page (issue #12)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from minyi.suggestions.rule_text import RULES, in_language

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_again():
    """A request in English leaves English active in this thread: later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_every_rule_reads_back_into_english():
    with translation.override("en"):
        assert in_language("提交后3个工作日内审查") == "Review within 3 working days of submission"
        assert in_language("经批准延期至2027-01-08（最长交办后6个月）") == (
            "Extended to 2027-01-08 with approval (at most 6 months after assignment)"
        )
        assert in_language("手工写的规则") == "手工写的规则"  # unknown: as stored
        for msgid in RULES:
            filled = msgid.replace("%(n)s", "5").replace("%(d)s", "2026-12-06")
            english = in_language(filled)
            assert english != filled and not any(ord(ch) > 0x2E80 for ch in english), msgid
    with translation.override("zh-hans"):
        assert in_language("提交后3个工作日内审查") == "提交后3个工作日内审查"


def test_the_suggestion_page_shows_the_rule_in_english(client, loop):
    s = loop.drive.to("assigned")
    client.force_login(loop.w.handler_a)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("suggestions:detail", args=["alpha", s.pk])).content.decode()
    assert "Assign within 5 working days of acceptance" in page and "立案后" not in page
