"""Accounts belong to the congress that opened them (issue #10): a congress admin cannot give a role
to — or link in a roster import — another congress's account, and the refusal reads exactly like
the one for a username that does not exist (no enumeration). A platform admin can, audited; the
system (management commands) can; the own congress's accounts work as before."""

from __future__ import annotations

import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from minyi.accounts.models import Membership, Role, User
from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.congress import actions
from minyi.congress.models import Deputy
from minyi.congress.roster import import_roster
from minyi.core.errors import DomainError
from tests.factories import MembershipFactory, UserFactory

from .test_roster import deputy, xlsx


@pytest.fixture
def alphas_own(world):
    """An account alpha opened, with no role anywhere yet."""
    return UserFactory(username="alphas_own", full_name="甲区的人", home_congress=world.congress)


def grant_page(client, code, username, role="viewer"):
    return client.post(
        reverse("congress:member_grant", args=[code]),
        {"account": "existing", "username": username, "role": role},
    )


def errors_of(response) -> list[str]:
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', response.content.decode())


def test_grant_page_refuses_another_congress_account_like_a_missing_one(client, world, alphas_own):
    client.force_login(world.outsider)  # beta's admin
    other = grant_page(client, "beta", "alphas_own")
    missing = grant_page(client, "beta", "no_such_one")
    member_elsewhere = grant_page(client, "beta", "viewer")  # holds a role in alpha
    assert other.status_code == missing.status_code == member_elsewhere.status_code == 422
    assert errors_of(other) == [actions.account_not_found("alphas_own")]
    assert errors_of(missing) == [actions.account_not_found("no_such_one")]
    assert errors_of(member_elsewhere) == [actions.account_not_found("viewer")]
    # the same words, apart from the username the admin typed
    assert errors_of(other)[0].replace("alphas_own", "X") == errors_of(missing)[0].replace("no_such_one", "X")
    assert not Membership.objects.filter(congress=world.other_congress, user__in=[alphas_own, world.viewer])


def test_grant_action_refuses_another_congress_account(world, alphas_own):
    for user in (alphas_own, world.viewer):
        with pytest.raises(DomainError) as exc:
            actions.do_grant_role(world.other_congress, actor=world.outsider, user=user, role=Role.VIEWER)
        assert exc.value.errors == {"username": [actions.account_not_found(user.username)]}
    assert not Membership.objects.filter(congress=world.other_congress, user__in=[alphas_own, world.viewer])


def test_own_congress_accounts_are_granted_as_before(client, world, alphas_own):
    client.force_login(world.admin)
    assert grant_page(client, "alpha", "alphas_own").status_code == 302
    # an account already holding a role here gets another one
    assert grant_page(client, "alpha", "viewer", role="inspector").status_code == 302
    assert Membership.objects.filter(congress=world.congress, user=alphas_own, role="viewer").exists()
    assert Membership.objects.filter(congress=world.congress, user=world.viewer, role="inspector").exists()


def test_a_platform_admin_grants_across_congresses_audited(client, world, alphas_own):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert grant_page(client, "beta", "alphas_own").status_code == 302
    membership = Membership.objects.get(congress=world.other_congress, user=alphas_own)
    event = AuditEvent.objects.get(code="membership.granted", object_id=str(membership.pk))
    assert (event.actor, event.congress, event.note) == (root, world.other_congress, "cross_congress")
    alphas_own.refresh_from_db()
    assert alphas_own.home_congress == world.congress  # still alpha's
    # an unclaimed account becomes the congress's that a platform admin first gives it a role in
    loose = UserFactory(username="loose")
    actions.do_grant_role(world.other_congress, actor=root, user=loose, role=Role.VIEWER)
    loose.refresh_from_db()
    assert loose.home_congress == world.other_congress
    assert verify_chain().ok


def test_new_accounts_belong_to_the_congress_that_opened_them(client, world):
    client.force_login(world.outsider)
    response = client.post(
        reverse("congress:member_grant", args=["beta"]),
        {
            "account": "new",
            "username": "betas_new",
            "full_name": "乙区新人",
            "password": "Min-Yi-2026!",
            "role": "viewer",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="betas_new").home_congress == world.other_congress
    client.force_login(world.admin)  # alpha cannot take it
    assert errors_of(grant_page(client, "alpha", "betas_new")) == [actions.account_not_found("betas_new")]


# --- roster import ---------------------------------------------------------------------------------


def test_roster_import_refuses_another_congress_account(world, alphas_own):
    before = (User.objects.count(), Deputy.objects.count(), Membership.objects.count())
    report = import_roster(
        world.other_congress,
        xlsx({"代表": [deputy(登录账号="alphas_own"), deputy(代表证号="D901", 登录账号="viewer")]}),
        actor=world.outsider,
        dry_run=False,
    )
    assert not report.ok
    found = {(e.sheet, e.row, e.column): e.reason for e in report.errors}
    assert set(found) == {("代表", 2, "登录账号"), ("代表", 3, "登录账号")}
    assert (
        found[("代表", 2, "登录账号")] == "登录账号“alphas_own”不能在本人大使用，请换一个登录账号，或留空。"
    )
    assert all("甲区" not in r and "已" not in r for r in found.values())  # nothing about where it is
    assert (User.objects.count(), Deputy.objects.count(), Membership.objects.count()) == before


def test_roster_import_creates_own_accounts_and_links_them(world, alphas_own):
    report = import_roster(
        world.congress,
        xlsx({"代表": [deputy(登录账号="alphas_own"), deputy(代表证号="D901", 登录账号="fresh_one")]}),
        actor=world.admin,
        dry_run=False,
    )
    assert report.ok, report.errors
    assert User.objects.get(username="fresh_one").home_congress == world.congress
    assert Deputy.objects.get(congress=world.congress, number="D900").user == alphas_own


@pytest.mark.parametrize("who", ["system", "platform admin"])
def test_roster_import_by_the_system_or_a_platform_admin_links_any_account(world, alphas_own, who):
    actor = None if who == "system" else UserFactory(username="root", is_superuser=True, is_staff=True)
    if actor is not None:  # a platform admin imports through a membership (decision 0009)
        MembershipFactory(user=actor, congress=world.other_congress, role=Role.CONGRESS_CLERK)
    report = import_roster(
        world.other_congress, xlsx({"代表": [deputy(登录账号="alphas_own")]}), actor=actor, dry_run=False
    )
    assert report.ok, report.errors
    assert Deputy.objects.get(congress=world.other_congress, number="D900").user == alphas_own


# --- the data migration ------------------------------------------------------------------------------


def test_existing_accounts_get_the_congress_of_their_first_membership(world):
    import importlib

    migration = importlib.import_module("minyi.accounts.migrations.0004_user_home_congress")
    twice = UserFactory(username="twice")
    MembershipFactory(user=twice, congress=world.other_congress, role=Role.VIEWER)
    MembershipFactory(user=twice, congress=world.congress, role=Role.VIEWER)
    root = UserFactory(username="root", is_superuser=True)
    MembershipFactory(user=root, congress=world.congress, role=Role.VIEWER)
    nobody = UserFactory(username="nobody")
    migration.home_from_first_membership(django_apps, None)
    homes = dict(User.objects.values_list("username", "home_congress__code"))
    assert homes["twice"] == "beta" and homes["viewer"] == "alpha" and homes["outsider"] == "beta"
    assert homes["root"] is None and homes[nobody.username] is None
