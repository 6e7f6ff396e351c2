"""待办 counts (issue #12): `minyi.core.work.work_summary` gives per section the open items and the
nearest due date in one query, and its counts equal the 待办 page's lists for every role."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minyi.core.tenancy import memberships_of
from minyi.core.work import sections, work_summary
from minyi.suggestions import actions as A
from minyi.suggestions.models import Deadline

pytestmark = pytest.mark.django_db

PERSONAS = ("clerk", "admin", "deputy", "cosigner", "coordinator", "handler_a", "handler_b", "leader_a")


def _page_counts(client, user, congress) -> dict[str, int]:
    client.force_login(user)
    response = client.get(reverse("suggestions:worklist", args=[congress.code]))
    assert response.status_code == 200
    return {s["key"]: s["count"] for s in response.context["sections"]}


def _summary_counts(user, congress) -> dict[str, int]:
    return {s.key: s.count for s in work_summary(user, congress).sections}


@pytest.fixture
def busy(daytime, loop):
    """Suggestions at every stage of the loop, for every role to have something to do."""
    d = loop.drive
    for stage in ("draft", "submitted", "accepted", "forwarded", "assigned", "signed", "reply_drafted"):
        d.to(stage)
    d.to("replied", co=True)
    d.to("evaluated")
    d.to("evaluated", overall="unsatisfied")
    d.to("assigned", direct=True, split=True)
    draft = d.to("draft")
    A.do_invite_cosigner(draft, actor=loop.w.deputy, deputy=loop.w.cosigner.deputy_records.get())
    return loop


@pytest.mark.parametrize("who", PERSONAS)
def test_the_home_counts_equal_the_worklist(client, busy, who):
    w = busy.w
    user = getattr(w, who)
    page = _page_counts(client, user, w.congress)
    summary = _summary_counts(user, w.congress)
    assert summary == page
    assert sum(summary.values()) > 0
    total = work_summary(user, w.congress).total
    assert total == sum(s.count for s in work_summary(user, w.congress).sections if s.counted)


def test_the_counts_match_the_lists_with_many_items(client, busy):
    """Past the page's 50-item limit the section still counts every item (as the page says)."""
    w = busy.w
    for _ in range(3):
        busy.drive.to("submitted")
    assert _summary_counts(w.clerk, w.congress) == _page_counts(client, w.clerk, w.congress)


def test_the_nearest_due_date_is_the_earliest_open_duty(busy):
    w = busy.w
    summary = work_summary(w.clerk, w.congress)
    review = next(s for s in summary.sections if s.key == "to_review")
    expected = (
        Deadline.objects.filter(
            congress=w.congress,
            kind=Deadline.Kind.REVIEW,
            closed_at__isnull=True,
            suggestion__state="submitted",
        )
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    assert expected is not None
    assert review.due_on == expected
    units = work_summary(w.handler_a, w.congress)
    handling = next(s for s in units.sections if s.key == "to_handle")
    assert handling.count and handling.due_on is not None
    assert units.due_on == min(s.due_on for s in units.open if s.due_on)


@pytest.mark.parametrize("who", PERSONAS)
def test_the_summary_is_one_query_whatever_the_data(busy, who):
    w = busy.w
    user = getattr(w, who)
    memberships_of(user)  # cached for the request, as on a page
    with CaptureQueriesContext(connection) as small:
        work_summary(user, w.congress)
    for _ in range(2):
        busy.drive.to("submitted")
        busy.drive.to("signed")
    with CaptureQueriesContext(connection) as large:
        work_summary(user, w.congress)
    assert len(small) == len(large) == 1


def test_no_roles_no_work(busy):
    w = busy.w
    assert sections(w.outsider, w.congress) == []
    assert work_summary(w.outsider, w.congress).total == 0
    # the other congress's admin sees none of alpha's work in beta either
    assert work_summary(w.outsider, w.other_congress).total == 0


def test_another_congress_sees_none_of_it(busy):
    """Tenant isolation: a clerk of beta has nothing of alpha's in their counts."""
    from minyi.accounts.models import Role
    from tests.factories import MembershipFactory, UserFactory

    w = busy.w
    beta_clerk = UserFactory(username="beta_clerk")
    MembershipFactory(user=beta_clerk, congress=w.other_congress, role=Role.CONGRESS_CLERK)
    assert work_summary(w.clerk, w.congress).total > 0
    assert work_summary(beta_clerk, w.other_congress).total == 0
    assert work_summary(beta_clerk, w.congress).total == 0


@pytest.mark.parametrize(
    "who", ["clerk", "deputy", "handler_a", "leader_a", "coordinator", "liaison", "judge"]
)
def test_the_home_page_shows_the_counts_at_a_fixed_query_budget(
    client, busy, who, django_assert_max_num_queries
):
    """The congress's home page (where a single-congress user lands) lists each open section with its
    count, and the menu's 待办 badge the total; its queries do not grow with the data."""
    w = busy.w
    user = getattr(w, who)
    client.force_login(user)
    url = reverse("congress:dashboard", args=[w.congress.code])
    client.get(url)
    cache.clear()  # measured cold: the counts may be cached (issue #13), the budget must hold without
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    html = response.content.decode()
    summary = work_summary(user, w.congress)
    for section in summary.open:
        assert f'data-home-section="{section.key}"' in html
    assert html.count("data-home-count=") == len(summary.open)
    if summary.total:
        assert f'data-work-total="{summary.total}"' in html and f'data-home-total="{summary.total}"' in html
    budget = len(first)  # counted now: the deque of connection.queries rotates under the building below
    assert budget <= 12, [q["sql"][:80] for q in first.captured_queries]
    for _ in range(2):
        busy.drive.to("submitted")
        busy.drive.to("signed")
        busy.drive.to("evaluated")
    cache.clear()
    with django_assert_max_num_queries(budget):
        client.get(url)


def test_a_member_of_two_congresses_sees_each_congress_total_on_the_home_page(client, busy):
    from minyi.accounts.models import Role
    from tests.factories import MembershipFactory

    w = busy.w
    MembershipFactory(user=w.clerk, congress=w.other_congress, role=Role.CONGRESS_CLERK)
    w.clerk.__dict__.pop("_minyi_memberships", None)
    alpha_total = work_summary(w.clerk, w.congress).total
    assert alpha_total and work_summary(w.clerk, w.other_congress).total == 0
    client.force_login(w.clerk)
    html = client.get(reverse("core:home")).content.decode()
    assert f"{alpha_total} 项待办" in html and html.count("项待办") == 1  # beta has nothing to do


@pytest.mark.parametrize("who", ["clerk", "handler_a", "deputy"])
def test_the_home_card_and_worklist_read_in_english(client, busy, who):
    """The 待办 card, its section labels and due dates, the menu badge and the 待办 page in English:
    no Chinese left outside the users' own data (titles, names)."""
    import re

    from django.conf import settings
    from django.utils import translation

    w = busy.w
    user = getattr(w, who)
    client.cookies["django_language"] = "en"
    client.force_login(user)
    try:
        home = client.get(reverse("congress:dashboard", args=[w.congress.code])).content.decode()
        card = home[home.index('id="home-work"') : home.index("</section>", home.index('id="home-work"'))]
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))
        assert "To-do" in text or "to-do" in text.lower() or "Open my to-do list" in text
        assert not re.search(r"[\u4e00-\u9fff，。：；（）]", text), text
        assert "Nearest due date" in text
    finally:
        translation.activate(settings.LANGUAGE_CODE)
