"""English pages show no Chinese full-width punctuation (issue #12) — outside what users typed
(titles, facts, names): the translation, the date formats and the notices' texts are English."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from minyi.suggestions.models import Reply
from tests.suggestions.conftest import loop  # noqa: F401 — the fixture is used by name

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_again():
    """A request in English leaves English active in this thread: later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


FULL_WIDTH = "，。：；（）"


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<option\b.*?</option>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def offenders(text: str, user_data: list[str]) -> list[str]:
    for value in sorted(user_data, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    return [text[max(0, m.start() - 40) : m.end() + 20] for m in re.finditer(f"[{FULL_WIDTH}]", text)]


def test_key_pages_in_english_have_no_full_width_punctuation(client, loop):  # noqa: F811
    w = loop.w
    s = loop.drive.to("evaluated", cosign=True)
    reply = Reply.objects.get(assignment__suggestion=s)
    user_data = [s.title, s.facts, s.proposals, reply.body, s.number]
    user_data += [c.text for c in reply.commitments.all()]
    user_data += [ct.summary for ct in s.assignments.get().contacts.all()]
    user_data += [ct.people for ct in s.assignments.get().contacts.all()]
    code = w.congress.code
    pages = {
        w.clerk: [
            reverse("congress:dashboard", args=[code]),
            reverse("suggestions:worklist", args=[code]),
            reverse("suggestions:list", args=[code]),
            reverse("suggestions:detail", args=[code, s.pk]),
            reverse("supervision:board", args=[code]),
            reverse("reports:figures", args=[code]),
            reverse("intake:stations", args=[code]),
        ],
        w.deputy: [
            reverse("suggestions:detail", args=[code, s.pk]),
            reverse("suggestions:reply_letter", args=[code, s.pk, reply.pk]),
            reverse("notifications:inbox"),
        ],
        w.handler_a: [reverse("suggestions:detail", args=[code, s.pk])],
    }
    found = {}
    client.cookies["django_language"] = "en"
    for user, addresses in pages.items():
        client.force_login(user)
        for address in addresses:
            response = client.get(address)
            assert response.status_code == 200, address
            bad = offenders(visible_text(response.content.decode()), user_data)
            if bad:
                found[f"{user.username} {address}"] = bad
    assert not found, found
