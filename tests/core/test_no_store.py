"""Every response to a signed-in user carries `Cache-Control: no-store` (pages show residents' phone
numbers, deputies' suggestions, unit replies): no shared proxy and no browser disk cache may keep them.
Static files and responses to anonymous visitors are left alone."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from minyi.points import actions as P
from tests.points.conftest import TODAY, deputy, png, travel


def no_store(response) -> bool:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_pages_for_a_signed_in_user_are_not_stored(client, world):
    client.force_login(world.deputy)
    dashboard = client.get(reverse("congress:dashboard", args=[world.congress.code]))
    assert dashboard.status_code == 200
    assert no_store(dashboard), dashboard.get("Cache-Control")
    # Redirects, HTMX fragments and JSON answers too: everything a signed-in user receives.
    home = client.get(reverse("core:home"))
    assert home.status_code == 302 and no_store(home)
    fragment = client.get(reverse("congress:dashboard", args=[world.congress.code]), HTTP_HX_REQUEST="true")
    assert no_store(fragment)
    missing = client.get("/c/alpha/no-such-page/")
    assert missing.status_code == 404 and no_store(missing)


def test_an_explicit_cache_lifetime_is_overridden_for_a_signed_in_user(client, world):
    """The health check is the one JSON view anyone may call; signed in, even it is not stored."""
    client.force_login(world.viewer)
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200 and no_store(response)
    assert re.search(r"max-age=0\b", response["Cache-Control"])


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def test_a_stored_file_download_is_not_stored(client, world, media):
    """Manual points evidence (a photo of a sign-in sheet) is served from storage by a view that sets
    no cache header of its own."""
    with travel(TODAY):
        entry = P.do_submit_manual_entry(
            deputy(world.deputy),
            actor=world.deputy,
            event="offline_contact",
            activity_date=TODAY - datetime.timedelta(days=5),
            title="走访社区听取居民意见",
            evidence=png(),
        )
        client.force_login(world.deputy)
        response = client.get(reverse("points:manual_evidence", args=[world.congress.code, entry.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert no_store(response), response.get("Cache-Control")


def test_anonymous_responses_keep_their_caching(client, world):
    anonymous = client.get(reverse("core:healthz"))
    assert anonymous.status_code == 200 and "no-store" not in anonymous.get("Cache-Control", "")
    redirect = client.get(reverse("congress:dashboard", args=[world.congress.code]))
    assert redirect.status_code == 302 and "no-store" not in redirect.get("Cache-Control", "")
    # Static files (WhiteNoise answers them before the session is read, signed in or not) are checked
    # with the production static storage in test_production.py.
