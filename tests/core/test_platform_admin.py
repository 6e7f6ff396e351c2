"""Decision 0009: a platform admin (an active superuser) has no rights inside a congress by being a
superuser. Without a membership every congress page and endpoint is 404, except the members and
roles pages (cross-congress grants); with a membership, exactly that role's rights — Django's
superuser bypass of ``user.has_perm`` never applies."""

from __future__ import annotations

import pytest
import rules
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.core.tenancy import congress_for, congresses_of
from tests.factories import MembershipFactory, UserFactory

HOME = "/"

CONGRESS_PAGES = [
    ("congress:dashboard", ()),
    ("congress:deputies", ()),
    ("congress:deputy_create", ()),
    ("congress:units", ()),
    ("congress:stations", ()),
    ("suggestions:list", ()),
    ("reports:figures", ()),
    ("points:ranking", ()),
    ("awards:list", ()),
]
API = ["", "/deputies", "/suggestions"]


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _urls(code):
    return [reverse(name, args=[code, *args]) for name, args in CONGRESS_PAGES]


def test_without_a_membership_every_congress_page_and_endpoint_is_404(client, world, root):
    client.force_login(root)
    for congress in (world.congress, world.other_congress):
        for url in _urls(congress.code):
            assert client.get(url).status_code == 404, url
        for tail in API:
            url = f"/api/v1/congresses/{congress.code}{tail}"
            assert client.get(url).status_code == 404, url
    assert congresses_of(root) == []
    for perm in ("congress.view_roster", "congress.manage_roster", "congress.manage_policy"):
        assert root.has_perm(perm, world.congress)  # Django's own check would let them in…
        assert not rules.has_perm(perm, root, world.congress)  # …ours does not


def test_the_members_pages_are_the_platform_admins_way_into_a_congress(client, world, root):
    client.force_login(root)
    for congress in (world.congress, world.other_congress):
        assert client.get(reverse("congress:members", args=[congress.code])).status_code == 200
        assert client.get(reverse("congress:member_grant", args=[congress.code])).status_code == 200
        assert congress_for(root, congress.code, platform=True) == congress
    # the home page lists them (and the calendar), not the congresses' dashboards
    html = client.get(HOME).content.decode()
    assert reverse("congress:members", args=[world.other_congress.code]) in html
    assert reverse("workdays:years") in html
    assert reverse("congress:dashboard", args=[world.congress.code]) + '"' not in html
    # a congress admin is no platform admin: not in another congress
    client.force_login(world.admin)
    assert client.get(reverse("congress:members", args=[world.other_congress.code])).status_code == 404


@pytest.mark.parametrize("role", [Role.DEPUTY, Role.VIEWER])
def test_with_a_membership_exactly_that_roles_rights(client, world, root, role):
    MembershipFactory(user=root, congress=world.congress, role=role)
    twin = world.deputy if role == Role.DEPUTY else world.viewer
    client.force_login(root)
    assert client.get(reverse("congress:dashboard", args=[world.congress.code])).status_code == 200
    assert client.get(reverse("congress:deputies", args=[world.congress.code])).status_code == 200
    # no bypass: a deputy or viewer may not add a deputy (this was 200 through user.has_perm)
    assert client.get(reverse("congress:deputy_create", args=[world.congress.code])).status_code == 404
    mine = client.get(f"/api/v1/congresses/{world.congress.code}").json()["permissions"]
    client.force_login(twin)
    theirs = client.get(f"/api/v1/congresses/{world.congress.code}").json()["permissions"]
    assert mine == {**theirs, "manage_members": True}  # + the members pages, as a platform admin
    # …and still nothing in the other congress
    client.force_login(root)
    assert client.get(reverse("congress:dashboard", args=[world.other_congress.code])).status_code == 404


def test_a_congress_admin_of_one_congress_reaches_no_other(client, world):
    client.force_login(world.admin)
    for url in _urls(world.other_congress.code):
        assert client.get(url).status_code == 404, url
