"""The inbox: every congress of the user, unread count in the nav, open / mark read / mark all read,
nobody else's notices, a fixed query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan
from tests.factories import MembershipFactory

from .helpers import notices_for

INBOX = "/inbox/"


def test_the_inbox_needs_a_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_inbox_lists_my_notices_of_every_congress_newest_first(client, world):
    MembershipFactory(user=world.clerk, congress=world.other_congress, role=Role.VIEWER)
    notices_for(world.congress, [world.clerk], title="甲区通知")
    notices_for(world.other_congress, [world.clerk], title="乙区通知")
    notices_for(world.congress, [world.deputy], title="别人的通知")
    client.force_login(world.clerk)
    html = client.get(INBOX).content.decode()
    assert html.index("乙区通知0") < html.index("甲区通知0")  # newest first
    assert "别人的通知" not in html
    assert "乙区人大常委会" in html and "甲区人大常委会" in html  # which congress, when there are several
    assert "2 条未读" in html


def test_the_nav_shows_the_unread_count_on_every_page(client, world):
    notices_for(world.congress, [world.clerk], title="待办")
    client.force_login(world.clerk)
    html = client.get(reverse("congress:dashboard", args=["alpha"])).content.decode()
    assert f'href="{INBOX}"' in html
    assert 'text-bg-warning">1<span class="visually-hidden">条未读</span>' in html


@pytest.fixture
def three(world):
    return [notices_for(world.congress, [world.clerk], title=t)[0] for t in ("一", "二", "三")]


def test_opening_a_notice_marks_it_read_and_leads_to_the_item(client, loop):
    w = loop.w
    s = loop.drive.to("assigned", direct=True)
    run_scan()
    notice = Notice.objects.get(recipient=w.handler_a)
    client.force_login(w.handler_a)
    response = client.get(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("suggestions:detail", args=["alpha", s.pk]) + f"#assignment-{notice.assignment_id}"
    )
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_one_read_and_unread_filter(client, world, three):
    client.force_login(world.clerk)
    first = three[0]
    response = client.post(reverse("notifications:read", args=[first.pk]), {"next": "/inbox/?show=unread"})
    assert response["Location"] == "/inbox/?show=unread"
    first.refresh_from_db()
    assert first.read_at is not None
    html = client.get(INBOX + "?show=unread").content.decode()
    assert "一0" not in html and "二0" in html and "三0" in html
    # An address elsewhere is not followed.
    response = client.post(
        reverse("notifications:read", args=[three[1].pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == INBOX


def test_mark_all_read_needs_a_confirmation_and_says_how_many(client, world, three):
    client.force_login(world.clerk)
    assert 'data-confirm="确定将全部 3 条未读通知标为已读吗？"' in client.get(INBOX).content.decode()
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将3条通知标为已读。" in response.content.decode()
    assert not Notice.objects.filter(read_at__isnull=True).exists()
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "没有未读通知。" in response.content.decode()


def test_another_persons_notice_is_404(client, world, three):
    client.force_login(world.deputy)
    notice = three[0]
    assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[notice.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    notice.refresh_from_db()
    assert notice.read_at is None


def test_writes_need_post(client, world, three):
    client.force_login(world.clerk)
    assert client.get(reverse("notifications:read", args=[three[0].pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert client.post(INBOX).status_code == 405


def test_an_empty_inbox_says_so(client, world):
    client.force_login(world.judge)
    assert "还没有通知" in client.get(INBOX).content.decode()
    assert "没有未读通知。" in client.get(INBOX + "?show=unread").content.decode()


@pytest.mark.parametrize("count", [3, 45])
def test_the_inbox_has_a_fixed_query_budget_and_pages(client, world, count, django_assert_max_num_queries):
    notices_for(world.congress, [world.clerk], title="x")
    for _ in range(count - 1):
        notices_for(world.congress, [world.clerk], title="x")
    client.force_login(world.clerk)
    with django_assert_max_num_queries(9):
        html = client.get(INBOX).content.decode()
    assert html.count('class="list-group-item') == min(count, 20)
    if count > 20:
        assert "第 1 / 3 页" in html
        assert html.count('class="list-group-item') == 20
        assert client.get(INBOX + "?page=3").content.decode().count('class="list-group-item') == 5
