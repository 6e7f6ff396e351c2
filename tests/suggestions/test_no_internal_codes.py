"""No internal codes reach users (issue #12): the timeline names each step by its label from the
audit registry (minyi/audit/events.py) in the page's language — never `suggestion.accepted`-style
codes — and no calendar revision hashes or preview tokens show as text."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from minyi.audit import events as audit_events
from minyi.suggestions import actions as A

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_again():
    """A request in English leaves English active in this thread: later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


CODES = set(audit_events.codes())
HEXLIKE = re.compile(r"\b[0-9a-f]{16,}\b")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_timelines_show_labels_not_codes(client, loop, language):
    w = loop.w
    s = loop.drive.to("evaluated", overall="unsatisfied", cosign=True)
    A.do_order_rehandling(s, actor=w.clerk, note="请重新研究")
    s.refresh_from_db()
    loop.drive.work(s, upto="replied", result="B")
    client.cookies["django_language"] = language
    for who in (w.clerk, w.deputy, w.handler_a, w.cosigner):
        client.force_login(who)
        page = client.get(reverse("suggestions:detail", args=["alpha", s.pk])).content.decode()
        timeline = visible_text(page.split('id="timeline"', 1)[1].split("</section>", 1)[0])
        shown = set(re.findall(r"\b[a-z_]+\.[a-z_.]+\b", timeline))
        assert not shown & CODES, (who.username, shown & CODES)
        assert not HEXLIKE.search(visible_text(page)), who.username
        labels = [audit_events.label_of(c) for c in ("suggestion.accepted",)]
        assert all(label not in CODES for label in labels)


def test_every_declared_code_has_a_label_of_its_own():
    """label_of falls back to the code for an undeclared row; every declared one has a label."""
    for code in CODES:
        assert audit_events.label_of(code) != code, code
