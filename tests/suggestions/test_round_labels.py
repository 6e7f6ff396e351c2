"""Round labels are one form everywhere (issue #12): 第1轮 / 第2轮 in Chinese, Round 1 / Round 2 in
English — no 第一轮, 首轮 or 最终测评 beside them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from minyi.suggestions import actions as A

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_again():
    """A request in English leaves English active in this thread: later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_spells_a_round_in_words():
    offenders = [
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if re.search(r"第[一二三四五六七八九十]轮|首轮|最终测评", p.read_text(encoding="utf-8"))
    ]
    assert not offenders


def test_a_rehandled_suggestion_labels_its_rounds_alike_in_both_languages(client, loop):
    w = loop.w
    s = loop.drive.to("evaluated", overall="unsatisfied")
    A.do_order_rehandling(s, actor=w.clerk, note="请重新研究")
    s.refresh_from_db()
    loop.drive.work(s, upto="replied", result="B")
    loop.drive.evaluate(s, overall="satisfied")
    client.force_login(w.deputy)
    address = reverse("suggestions:detail", args=["alpha", s.pk])
    page = client.get(address).content.decode()
    assert "第1轮</summary>" in page and "第2轮（重新办理）" in page
    assert "第1轮测评" in page and "第2轮测评" in page
    client.cookies["django_language"] = "en"
    page = client.get(address).content.decode()
    assert "Round 1</summary>" in page and "Round 2 (re-handling)" in page
    assert "Round 1 evaluation" in page and "Round 2 evaluation" in page
    assert "First round" not in page and "Handling round" not in page
