"""Whole pages kept under the congress's data version (`minyi.core.kept_pages`, issue #13).

The rule every test here checks in one way or another: a kept page is byte for byte the page a fresh
render gives (the CSRF token aside, which is each request's own) — after every stage of a
suggestion's life, for every persona, on every key page; it is never another user's, another day's,
another language's, or a page with a flash message; and a page the user may not open is refused
whatever is kept."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minyi.audit.services import record
from minyi.core.kept_pages import CSRF_MARK, page_key
from minyi.notifications.actions import mark_read
from minyi.notifications.models import Notice
from minyi.suggestions import actions as A
from tests.notifications.helpers import notices_for

from .test_cached_pages import at
from .test_page_budgets import address
from .test_views_pages import _grow

PAGES = ["home", "todo", "list", "detail", "dashboard", "board", "inbox", "api"]
#: One of each kind of reader: a unit's leader reads the pages as its handler does (plus the
#: sign-off), and a unit without the suggestion is refused it (`test_a_kept_page_is_only_ever_...`).
PERSONAS = ["clerk", "deputy", "cosigner", "coordinator", "handler_a", "supervisor", "viewer"]
_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


@pytest.fixture
def keep(settings):
    settings.MINYI_KEEP_PAGES = True
    return settings


def same(response) -> bytes:
    """The page with its CSRF token (each request's own) blanked."""
    return _TOKEN.sub(b"<token>", response.content)


def how(response) -> str | None:
    """ "hit" (served kept), "miss" (built and offered to the cache) or None (not kept at all)."""
    return getattr(response.wsgi_request, "_minyi_kept_page", None)


def compare(client, url: str, where: str) -> None:
    """The page kept (first and second view with keeping on) equals a fresh render (keeping off)."""
    first = client.get(url)
    second = client.get(url)
    with override_settings(MINYI_KEEP_PAGES=False):
        fresh = client.get(url)
    assert first.status_code == second.status_code == fresh.status_code, where
    if fresh.status_code == 200:
        assert same(first) == same(fresh), f"{where}: the first view differs from a fresh render"
        assert same(second) == same(fresh), f"{where}: the kept page differs from a fresh render"
        assert how(second) == "hit", where


def test_kept_pages_equal_a_fresh_render_after_every_stage_for_every_persona(loop, keep):
    w = loop.w
    clients = {}
    for persona in PERSONAS:
        clients[persona] = Client()
        clients[persona].force_login(getattr(w, persona))
    with at(2026, 3, 2):
        for stage in loop.drive.STAGES:
            subject = loop.drive.to(stage, co=True, cosign=stage in ("submitted", "replied"))
            for persona, client in clients.items():
                for page in PAGES:
                    compare(client, address(page, subject.pk), f"{page} as {persona} at {stage}")


def test_a_kept_page_is_only_ever_its_own_user_s(client, loop, keep):
    w = loop.w
    with at(2026, 3, 2):
        s = loop.drive.to("assigned")
        url = address("detail", s.pk)
        client.force_login(w.clerk)
        assert client.get(url).status_code == 200
        assert how(client.get(url)) == "hit"
        # the same address, kept for the clerk, is refused to whoever may not open it
        for persona in ("handler_b", "outsider", "judge"):
            client.force_login(getattr(w, persona))
            assert client.get(url).status_code == 404, persona
        client.force_login(w.handler_a)
        mine = client.get(url)
        assert how(mine) == "miss" and w.handler_a.display_name in mine.content.decode()
        client.force_login(w.clerk)
        theirs = client.get(url)
        assert how(theirs) == "hit" and w.handler_a.display_name not in theirs.content.decode()


def test_a_reading_or_another_congress_keeps_the_page_and_a_change_here_drops_it(client, loop, keep):
    w = loop.w
    with at(2026, 3, 2):
        loop.drive.to("assigned")
        client.force_login(w.clerk)
        url = address("list", 0)
        assert how(client.get(url)) == "miss"
        record("export.requested", actor=w.clerk, congress=w.congress)  # a reading
        record("deputy.created", actor=w.outsider, congress=w.other_congress)  # another congress
        assert how(client.get(url)) == "hit"
        s = loop.drive.to("submitted", title="一条新的建议")
        again = client.get(url)
        assert how(again) == "miss" and "一条新的建议" in again.content.decode()
        A.do_accept_suggestion(s, actor=w.clerk)
        assert how(client.get(url)) == "miss"


def test_the_next_day_the_language_and_htmx_are_other_pages(client, loop, keep):
    w = loop.w
    with at(2026, 3, 2):
        loop.drive.to("assigned")
        client.force_login(w.handler_a)
        url = address("todo", 0)
        assert how(client.get(url)) == "miss"
        assert how(client.get(url)) == "hit"
        english = client.get(url, headers={"accept-language": "en"})
        assert how(english) == "miss" and "To-do" in english.content.decode()
        partial = client.get(url, headers={"hx-request": "true"})
        assert how(partial) == "miss"
    with at(2026, 3, 3):
        client.force_login(w.handler_a)  # yesterday's session has expired
        assert how(client.get(url)) == "miss"  # deadlines are judged against a new day


def test_notices_move_the_badge_and_the_inbox_at_once(client, loop, keep, django_capture_on_commit_callbacks):
    w = loop.w
    with at(2026, 3, 2):
        loop.drive.to("assigned")
        notices_for(w.congress, [w.handler_a], title="新的交办")
        client.force_login(w.handler_a)
        unread = Notice.objects.filter(recipient=w.handler_a, read_at__isnull=True)
        count = unread.count()
        assert count
        for page in ("home", "inbox"):
            client.get(address(page, 0))
        mark_read(w.handler_a, [unread.first()])  # not an audited change: the key must see it
        for page in ("home", "inbox"):
            response = client.get(address(page, 0))
            assert how(response) == "miss", page
            assert response.context["unread_notices"] == count - 1, page


def test_a_page_with_a_flash_message_is_neither_served_kept_nor_kept(client, loop, keep):
    w = loop.w
    with at(2026, 3, 2):
        loop.drive.to("assigned")
        notices_for(w.congress, [w.handler_a], title="新的交办")
        client.force_login(w.handler_a)
        inbox = address("inbox", 0)
        assert how(client.get(inbox)) == "miss"
        assert how(client.get(inbox)) == "hit"
        client.post(reverse("notifications:read_all"))  # "已将N条通知标为已读。"
        shown = client.get(inbox)
        assert how(shown) is None and "标为已读" in shown.content.decode()
        after = client.get(inbox)
        assert how(after) == "miss" and "标为已读" not in after.content.decode()
        assert not list(get_messages(after.wsgi_request))


def test_a_kept_page_carries_the_request_s_own_working_csrf_token(loop, keep):
    w = loop.w
    client = Client(enforce_csrf_checks=True)
    with at(2026, 3, 2):
        loop.drive.to("assigned")
        notices_for(w.congress, [w.handler_a], title="新的交办")
        client.force_login(w.handler_a)
        inbox = address("inbox", 0)
        client.get(inbox)
        kept = client.get(inbox)
        assert how(kept) == "hit"
        stored = cache.get(page_key(kept.wsgi_request, "inbox"))
        assert stored is not None and CSRF_MARK.encode() in stored[1]
        assert not _TOKEN.search(stored[1])  # no token is kept
        token = re.search(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', kept.content).group(1)
        answer = client.post(reverse("notifications:read_all"), {"csrfmiddlewaretoken": token.decode()})
        assert answer.status_code == 302  # not 403: the token works
        assert not Notice.objects.filter(recipient=w.handler_a, read_at__isnull=True).exists()


def test_keeping_off_keeps_nothing(client, loop, settings):
    settings.MINYI_KEEP_PAGES = False
    with at(2026, 3, 2):
        loop.drive.to("assigned")
        client.force_login(loop.w.clerk)
        client.get(address("list", 0))
        assert how(client.get(address("list", 0))) is None


@pytest.mark.parametrize("page", PAGES)
def test_a_kept_page_costs_a_fixed_handful_of_queries(client, loop, keep, page):
    """Served kept, a page makes four round trips: the session, the user, the memberships with their
    congress, and one statement with the data version and the notices marker — the same with 3
    suggestions as with 30."""
    w = loop.w
    with at(2026, 3, 2):
        subject = loop.drive.to("replied", co=True, cosign=True)
        _grow(loop, 3)
    client.force_login(w.clerk)
    url = address(page, subject.pk)

    def kept_queries() -> int:
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert how(response) == "hit"
        return len(ctx.captured_queries)

    with at(2026, 3, 3):
        few = kept_queries()
        _grow(loop, 27, start=3)
    with at(2026, 3, 4):
        many = kept_queries()
    assert few == many == 4, (few, many)
