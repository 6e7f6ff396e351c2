"""Every key page of issue #13 — each role's home and 待办, the suggestion list and page, the figures
dashboard, the supervision board, the inbox and the API list — costs a fixed number of queries: the
same with 3 suggestions as with 30 (no more; the API one more, the count of a second page), and no more than its budget (what it costs now; a page that
needs more must say why here). Time is never asserted (bench/bench_pages.py measures it)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .test_cached_pages import at
from .test_views_pages import _grow

#: (page, persona) → the most queries it may take (the first view: nothing kept yet).
BUDGETS = {
    **{
        ("home", p): 14
        for p in (
            "admin",
            "clerk",
            "deputy",
            "liaison",
            "coordinator",
            "handler_a",
            "leader_a",
            "supervisor",
            "inspector",
            "judge",
            "viewer",
        )
    },
    **{
        ("todo", p): 22
        for p in (
            "admin",
            "clerk",
            "deputy",
            "liaison",
            "coordinator",
            "handler_a",
            "leader_a",
            "supervisor",
            "inspector",
            "judge",
            "viewer",
        )
    },
    ("list", "clerk"): 20,
    ("list", "deputy"): 20,
    ("list", "handler_a"): 20,
    ("detail", "clerk"): 45,
    ("detail", "deputy"): 45,
    ("dashboard", "clerk"): 60,
    ("board", "supervisor"): 25,
    ("inbox", "clerk"): 10,
    ("api", "clerk"): 10,
}


#: Queries a page may add when it grows past one page of rows: the API counts the rows only then —
#: the data version and, after a change, the count itself (kept under that version, issue #13).
PAGING = {"api": 2}


def address(page: str, subject: int) -> str:
    return {
        "home": reverse("congress:dashboard", args=["alpha"]),
        "todo": reverse("suggestions:worklist", args=["alpha"]),
        "list": reverse("suggestions:list", args=["alpha"]),
        "detail": reverse("suggestions:detail", args=["alpha", subject]),
        "dashboard": reverse("reports:dashboard", args=["alpha"]),
        "board": reverse("supervision:board", args=["alpha"]),
        "inbox": reverse("notifications:inbox"),
        "api": "/api/v1/congresses/alpha/suggestions",
    }[page]


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("page", "persona"), list(BUDGETS))
def test_key_page_costs_a_fixed_number_of_queries(client, loop, page, persona):
    with at(2026, 3, 2):
        subject = loop.drive.to("replied", co=True, cosign=True)
        _grow(loop, 3)
    client.force_login(getattr(loop.w, persona))
    url = address(page, subject.pk)
    with at(2026, 3, 3):
        few = count(client, url)
    with at(2026, 3, 3):
        _grow(loop, 27, start=3)
    with at(2026, 3, 4):
        many = count(client, url)
    assert many <= few + PAGING.get(page, 0), (
        f"{page} as {persona}: {few} queries with 3 suggestions, {many} with 30"
    )
    assert many <= BUDGETS[page, persona], f"{page} as {persona}: {many} queries"
