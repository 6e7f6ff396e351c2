"""List pages given nonsense in the query string (`?page=<23 digits>`, `?year=abc`, `?year=-1`)
show a page (the first or last one, or the default year), never a 500 — a number too big for the
database's 64-bit integers used to reach a query as an OverflowError (SQLite) or DataError
(PostgreSQL)."""

import pytest
from django.urls import reverse

HUGE = "9" * 23
BAD = [
    {"page": HUGE},
    {"page": "-1"},
    {"page": "abc"},
    {"year": HUGE},
    {"year": "-1"},
    {"year": "abc"},
    {"quarter": HUGE},
    {"unit": HUGE},
    {"group": HUGE},
    {"category": HUGE},
    {"deputy": HUGE},
    {"station": HUGE},
]
PAGES = [
    ("awards", "list"),
    ("congress", "deputies"),
    ("congress", "members"),
    ("intake", "opinions"),
    ("points", "ranking"),
    ("points", "manual"),
    ("points", "objections"),
    ("points", "expectations"),
    ("reports", "figures"),
    ("reports", "league"),
    ("reports", "dashboard"),
    ("reports", "dashboard_list"),
    ("reports", "bulletin"),
    ("reports", "exports"),
    ("suggestions", "list"),
    ("suggestions", "worklist"),
    ("supervision", "board"),
    ("supervision", "theme_list"),
    ("supervision", "instruction_list"),
]


@pytest.mark.django_db
def test_list_pages_survive_bad_numbers(client, world):
    errors = {}
    opened = set()
    for who in ("admin", "clerk", "supervisor"):
        client.force_login(getattr(world, who))
        for app, name in PAGES:
            url = reverse(f"{app}:{name}", args=["alpha"])
            for params in BAD:
                status = client.get(url, params).status_code
                if status == 200:
                    opened.add(name)
                if status >= 500:
                    errors[(who, name, tuple(params.items()))] = status
    assert {"theme_list", "list", "figures"} <= opened
    for params in BAD:
        status = client.get(reverse("notifications:inbox"), params).status_code
        if status >= 500:
            errors[("inbox", tuple(params.items()))] = status
    assert errors == {}
