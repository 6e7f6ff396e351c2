"""A favicon (issue #12): SVG and ICO in static/, linked from every page, /favicon.ico redirected."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_the_icons_exist_and_are_what_they_say():
    svg = finders.find("favicon.svg")
    ico = finders.find("favicon.ico")
    assert svg and ico and finders.find("apple-touch-icon.png")
    with open(svg, encoding="utf-8") as f:
        assert f.read().startswith("<svg")
    with open(ico, "rb") as f:
        assert f.read(4) == b"\x00\x00\x01\x00"  # the ICO header


def test_every_page_links_the_icon(client):
    page = client.get("/accounts/login/").content.decode()
    assert f'href="{static("favicon.svg")}"' in page and f'href="{static("favicon.ico")}"' in page


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_favicon_ico_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == static("favicon.ico")
