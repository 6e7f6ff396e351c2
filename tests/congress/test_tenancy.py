"""Tenancy and permissions on every page: nobody outside alpha sees any of alpha's pages or rows,
not even by putting alpha's ids into beta's URLs; members who may only read get 404 on every edit
page and every edit POST (404, never 403, so nothing can be probed)."""

import pytest
from django.urls import reverse

from minyi.accounts.models import Membership
from tests.audit.support import domain_event_count
from tests.factories import UserFactory

from .support import NOT_ADMINS, NOT_ROSTER_MANAGERS


def read_pages(rows):
    """(url name, args after the congress code) of every page a member may read."""
    return [
        ("dashboard", []),
        ("deputies", []),
        ("deputy_detail", [rows.deputy.pk]),
        ("groups", []),
        ("group_detail", [rows.group.pk]),
        ("stations", []),
        ("station_detail", [rows.station.pk]),
        ("units", []),
        ("unit_detail", [rows.unit.pk]),
        ("terms", []),
        ("policy", []),
        *[("taxonomy", [kind]) for kind in ("categories", "themes", "channels", "results", "exclusions")],
    ]


def roster_edit_pages(rows):
    """Pages (GET shows a form, POST changes something) for those who manage the roster."""
    return [
        ("deputy_create", []),
        ("deputy_edit", [rows.deputy.pk]),
        ("group_create", []),
        ("group_edit", [rows.group.pk]),
        ("station_create", []),
        ("station_edit", [rows.station.pk]),
        ("unit_create", []),
        ("unit_edit", [rows.unit.pk]),
        ("term_create", []),
        ("term_edit", [rows.term.pk]),
        ("session_create", [rows.term.pk]),
        ("session_edit", [rows.session.pk]),
    ]


def roster_post_only(rows):
    return [("unit_set_active", [rows.unit.pk])]


def admin_edit_pages(rows):
    return [
        ("policy_edit", []),
        ("members", []),
        ("member_grant", []),
        *[("taxonomy_create", [kind]) for kind in ("categories", "results")],
        *[
            ("taxonomy_edit", [kind, rows.taxonomy(kind).pk])
            for kind in ("categories", "channels", "results")
        ],
    ]


def admin_post_only(rows):
    membership = Membership.objects.filter(congress=rows.group.congress, role="viewer").first()
    return [
        ("taxonomy_move", ["categories", rows.category.pk]),
        ("taxonomy_set_active", ["themes", rows.theme.pk]),
        *([("member_revoke", [membership.pk])] if membership else []),
    ]


def all_pages(rows):
    return (
        read_pages(rows)
        + roster_edit_pages(rows)
        + roster_post_only(rows)
        + admin_edit_pages(rows)
        + admin_post_only(rows)
    )


def url(code, name, args):
    return reverse(f"congress:{name}", args=[code, *args])


POST_DATA = {"name": "x", "active": "0", "direction": "down", "number": "9"}


def snapshot_alpha(world):
    """Everything a stray POST could have changed."""
    return (domain_event_count(), Membership.objects.filter(active=True).count())


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_non_members_get_404_for_every_alpha_page_and_post(client, world, alpha, who):
    user = world.outsider if who == "outsider" else UserFactory(username="stranger")
    client.force_login(user)
    before = snapshot_alpha(world)
    for name, args in all_pages(alpha):
        target = url("alpha", name, args)
        assert client.get(target).status_code == 404, target
        assert client.post(target, POST_DATA).status_code == 404, target
    assert snapshot_alpha(world) == before


def test_anonymous_users_are_sent_to_sign_in(client, world, alpha):
    for name, args in all_pages(alpha):
        response = client.get(url("alpha", name, args))
        assert response.status_code == 302 and "/accounts/login/" in response.url, name


def test_alpha_ids_in_beta_urls_are_404_for_betas_admin(client, world, alpha, beta):
    """beta's admin may use every page of beta, but alpha's rows are not found there."""
    client.force_login(world.outsider)
    for name, args in all_pages(beta):
        if name in {"member_revoke", "unit_set_active", "taxonomy_move", "taxonomy_set_active"}:
            continue
        assert client.get(url("beta", name, args)).status_code == 200, name
    swapped = [(name, args) for name, args in all_pages(alpha) if any(isinstance(a, int) for a in args)]
    assert len(swapped) >= 15
    post_only = {name for name, _args in roster_post_only(alpha) + admin_post_only(alpha)}
    before = snapshot_alpha(world)
    for name, args in swapped:
        target = url("beta", name, args)
        # POST-only URLs answer GET with 405 whatever the id, which tells nothing about alpha's rows
        assert client.get(target).status_code == (405 if name in post_only else 404), target
        assert client.post(target, POST_DATA).status_code == 404, target
    assert snapshot_alpha(world) == before
    alpha.deputy.refresh_from_db()
    assert alpha.deputy.name == "甲代表"


def test_a_taxonomy_item_is_not_found_under_another_taxonomy(client, world, alpha):
    from minyi.congress.models import Category, ThemeTag

    extra = [Category.objects.create(congress=world.congress, name=f"分类{i}") for i in range(3)]
    assert not ThemeTag.objects.filter(pk=extra[-1].pk).exists()
    client.force_login(world.admin)
    assert client.get(url("alpha", "taxonomy_edit", ["categories", extra[-1].pk])).status_code == 200
    assert client.get(url("alpha", "taxonomy_edit", ["themes", extra[-1].pk])).status_code == 404
    assert client.get(url("alpha", "taxonomy", ["planets"])).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "deputy", "handler_a", "liaison", "judge"])
def test_readers_can_read_but_every_edit_is_404(client, world, alpha, who):
    client.force_login(getattr(world, who))
    for name, args in read_pages(alpha):
        assert client.get(url("alpha", name, args)).status_code == 200, name
    before = snapshot_alpha(world)
    for name, args in roster_edit_pages(alpha) + admin_edit_pages(alpha):
        assert client.get(url("alpha", name, args)).status_code == 404, name
    for name, args in (
        roster_edit_pages(alpha) + roster_post_only(alpha) + admin_edit_pages(alpha) + admin_post_only(alpha)
    ):
        assert client.post(url("alpha", name, args), POST_DATA).status_code == 404, name
    assert snapshot_alpha(world) == before


def test_the_clerk_manages_the_roster_but_not_policy_or_members(client, world, alpha):
    client.force_login(world.clerk)
    for name, args in read_pages(alpha) + roster_edit_pages(alpha):
        assert client.get(url("alpha", name, args)).status_code == 200, name
    for name, args in admin_edit_pages(alpha):
        assert client.get(url("alpha", name, args)).status_code == 404, name
    for name, args in admin_edit_pages(alpha) + admin_post_only(alpha):
        assert client.post(url("alpha", name, args), POST_DATA).status_code == 404, name


def test_the_admin_reaches_every_page(client, world, alpha):
    client.force_login(world.admin)
    for name, args in read_pages(alpha) + roster_edit_pages(alpha) + admin_edit_pages(alpha):
        assert client.get(url("alpha", name, args)).status_code == 200, name


def test_post_only_urls_refuse_get(client, world, alpha):
    client.force_login(world.admin)
    for name, args in roster_post_only(alpha) + admin_post_only(alpha):
        assert client.get(url("alpha", name, args)).status_code == 405, name


def test_persona_lists_cover_the_rules(world):
    """The refusal lists used across these tests match the rules (no persona forgotten)."""
    for who in NOT_ROSTER_MANAGERS:
        assert not getattr(world, who).has_perm("congress.manage_roster", world.congress), who
    for who in NOT_ADMINS:
        assert not getattr(world, who).has_perm("congress.manage_members", world.congress), who
        assert not getattr(world, who).has_perm("congress.manage_policy", world.congress), who
    assert world.clerk.has_perm("congress.manage_roster", world.congress)
    assert world.admin.has_perm("congress.manage_members", world.congress)
