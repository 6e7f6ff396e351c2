"""The home page: every congress the user belongs to with their roles; a user of one congress goes
straight to its dashboard; a user without any role is told why there is nothing to see."""

from django.urls import reverse

from minyi.accounts.models import Role
from tests.factories import CongressFactory, MembershipFactory, UserFactory

HOME = reverse("core:home")
NO_ROLE = "您的账号尚未被授予任何人大的角色"


def test_single_congress_user_goes_straight_to_the_dashboard(client, world):
    for user in (world.deputy, world.handler_a, world.viewer, world.admin):
        client.force_login(user)
        response = client.get(HOME)
        assert response.status_code == 302
        assert response.url == reverse("congress:dashboard", args=[world.congress.code])


def test_user_of_several_congresses_sees_each_with_the_roles(client, world):
    user = world.handler_a
    MembershipFactory(user=user, congress=world.other_congress, role=Role.VIEWER)
    MembershipFactory(user=user, congress=world.congress, role=Role.JUDGE)
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.congress.name in html
    assert world.other_congress.name in html
    assert f"承办人（{world.unit_a.name}）" in html
    assert "评审专家" in html
    assert "查阅人员" in html
    assert reverse("congress:dashboard", args=[world.congress.code]) in html
    assert reverse("congress:dashboard", args=[world.other_congress.code]) in html


def test_home_lists_only_the_users_own_congresses(client, world):
    third = CongressFactory(code="gamma", name="丙区人大常委会")
    MembershipFactory(user=world.deputy, congress=world.other_congress, role=Role.VIEWER)
    client.force_login(world.deputy)
    html = client.get(HOME).content.decode()
    assert world.other_congress.name in html
    assert third.name not in html


def test_user_without_memberships_sees_the_explanation(client, db):
    client.force_login(UserFactory(username="newcomer"))
    response = client.get(HOME)
    assert response.status_code == 200
    assert NO_ROLE in response.content.decode()


def test_revoked_membership_no_longer_counts(client, world):
    membership = world.viewer.memberships.get()
    membership.active = False
    membership.save()
    client.force_login(world.viewer)
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert NO_ROLE in html
    assert world.congress.name not in html
    # …and the congress itself is closed to them.
    assert client.get(reverse("congress:dashboard", args=[world.congress.code])).status_code == 404


def test_memberships_of_a_deactivated_congress_do_not_count(client, world):
    world.other_congress.active = False
    world.other_congress.save()
    client.force_login(world.outsider)
    response = client.get(HOME)
    assert NO_ROLE in response.content.decode()


def test_superuser_sees_every_active_congress_as_platform_admin(client, world):
    """Listed with its members and roles page, the one page a platform admin opens there without a
    membership (decision 0009)."""
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.congress.name in html and world.other_congress.name in html
    assert reverse("congress:members", args=[world.congress.code]) in html
    assert NO_ROLE not in html


def test_anonymous_users_are_asked_to_sign_in(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=/"


def test_home_greets_the_user_by_name(client, world):
    world.handler_a.full_name = "测试承办人"
    world.handler_a.save()
    MembershipFactory(user=world.handler_a, congress=world.other_congress, role=Role.VIEWER)
    client.force_login(world.handler_a)
    assert "测试承办人，您好" in client.get(HOME).content.decode()
