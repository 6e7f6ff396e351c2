"""A co-signer who has confirmed sees that they have (issue #12): on the suggestion page (a notice
with the date, "(you)" in the list of co-signers) and in their list of suggestions."""

from __future__ import annotations

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


def page(client, user, name, *args, **query):
    client.force_login(user)
    response = client.get(reverse(f"suggestions:{name}", args=["alpha", *args]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_confirmed_cosigner_sees_it_on_the_page_and_in_the_list(client, loop):
    s = loop.drive.to("accepted", cosign=True)
    text = page(client, loop.w.cosigner, "detail", s.pk)
    assert 'data-field="my-cosign"' in text and "确认联名这件建议" in text
    assert "联名代表 <span" in text and "（您）" in text
    listing = page(client, loop.w.cosigner, "list")
    assert s.title in listing and 'data-field="cosigned"' in listing and "我已联名" in listing


def test_the_lead_and_an_invited_cosigner_do_not(client, loop):
    s = loop.drive.to("draft")
    invitation = A.do_invite_cosigner(s, actor=loop.w.deputy, deputy=loop.w.cosigner.deputy_records.get())
    text = page(client, loop.w.cosigner, "detail", s.pk)
    assert 'data-field="my-cosign"' not in text
    A.do_confirm_cosign(invitation, actor=loop.w.cosigner)
    assert 'data-field="my-cosign"' in page(client, loop.w.cosigner, "detail", s.pk)
    lead = page(client, loop.w.deputy, "detail", s.pk)
    assert 'data-field="my-cosign"' not in lead and "（您）" not in lead
    assert 'data-field="cosigned"' not in page(client, loop.w.deputy, "list")


def test_the_english_page_says_it_in_english(client, loop):
    s = loop.drive.to("accepted", cosign=True)
    client.cookies["django_language"] = "en"
    text = page(client, loop.w.cosigner, "detail", s.pk)
    assert "You confirmed your co-signature of this suggestion on" in text and "(you)" in text
