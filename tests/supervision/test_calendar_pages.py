"""Issue #10 on the pages and the API: who reaches the calendar edit pages, the preview/confirm
flow, the deadline page's calendar revisions in words, and the 暂定 mark on provisional dates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minyi.suggestions.models import Deadline
from minyi.workdays.actions import do_set_special_day
from minyi.workdays.models import CalendarYear, LocalClosure
from tests.factories import UserFactory

from .conftest import D, deadline, on

pytestmark = pytest.mark.django_db
K = Deadline.Kind


@pytest.fixture
def root(db):
    return UserFactory(username="platform_root", is_superuser=True, is_staff=True)


@pytest.fixture
def december(loop):
    with on(D(2026, 12, 1)):
        return loop.drive.to("assigned")


def test_congress_admins_do_not_reach_the_national_edit_pages(client, loop):
    with on(D(2026, 12, 6)):
        client.force_login(loop.w.admin)
        assert client.get(reverse("calendar_recompute")).status_code == 404
        assert client.post(reverse("workdays:mark_complete", args=[2027]), {"notice": "x"}).status_code == 404
        r = client.post(
            reverse("workdays:set_day", args=[2027]),
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        )
        assert r.status_code == 404
        page = client.get(reverse("workdays:year", args=[2027])).content.decode()
    assert 'id="complete"' not in page and 'id="edit"' not in page
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_platform_admin_marks_a_year_complete_then_previews_and_confirms(client, loop, december, root):
    with on(D(2026, 12, 5)):
        do_set_special_day(D(2027, 1, 1), actor=root, kind="holiday", name="元旦")
    with on(D(2026, 12, 6)):
        client.force_login(root)
        page = client.get(reverse("workdays:year", args=[2027])).content.decode()
        assert 'id="complete"' in page and "暂定" in page
        r = client.post(reverse("workdays:mark_complete", args=[2027]), {"notice": ""})
        assert r.status_code == 422
        r = client.post(reverse("workdays:mark_complete", args=[2027]), {"notice": "国办发明电〔2026〕99号"})
        assert r.status_code == 302 and r["Location"] == reverse("calendar_recompute") + "?years=2027"
        preview = client.get(r["Location"])
        html = preview.content.decode()
        assert preview.status_code == 200 and "2027-01-04" in html and "2027-01-01" in html
        token = preview.context["form"].initial["token"]
        r = client.post(r["Location"], {"years": ["2027"], "reason": "", "token": token})
        assert r.status_code == 422 and deadline(december, K.REPLY).due_on == D(2027, 1, 1)
        r = client.post(
            r.wsgi_request.path + "?years=2027", {"years": ["2027"], "reason": "新年安排", "token": token}
        )
        assert r.status_code == 302
    assert deadline(december, K.REPLY).due_on == D(2027, 1, 4)


def test_the_deadline_page_names_the_calendar_revisions_and_marks_provisional_dates(client, loop, december):
    w = loop.w
    reply = deadline(december, K.REPLY)
    contact = deadline(december, K.FIRST_CONTACT)
    with on(D(2026, 12, 6)):
        client.force_login(w.admin)
        html = client.get(
            reverse("supervision:deadline_detail", args=[w.congress.code, reply.pk])
        ).content.decode()
        contact_html = client.get(
            reverse("supervision:deadline_detail", args=[w.congress.code, contact.pk])
        ).content.decode()
        detail = client.get(
            reverse("suggestions:detail", args=[w.congress.code, december.pk])
        ).content.decode()
        api = client.get(f"/api/v1/congresses/{w.congress.code}/suggestions/{december.pk}").json()
    v2026 = CalendarYear.objects.get(year=2026).version
    assert (
        f"2026年日历 第{v2026}版（国务院办公厅关于2026年部分节假日安排的通知（chinese-calendar 数据包））"
        in html
    )
    assert "2027年日历：计算时尚未录入（只按周末计算，暂定）" in html
    assert reply.calendar_version not in html  # never the internal token
    assert 'data-provisional="1"' in html and 'data-provisional="1"' not in contact_html
    assert 'data-provisional="1"' in detail  # the suggestion page marks the 2027 reply date
    by_kind = {d["kind"]: d for d in api["deadlines"]}
    assert by_kind[K.REPLY]["due_provisional"] is True
    assert by_kind[K.FIRST_CONTACT]["due_provisional"] is False
    assert by_kind[K.REPLY]["calendar_revisions"] == {"national": {"2026": v2026}}
    assert "calendar_version" not in by_kind[K.REPLY]


def test_local_closure_pages_are_for_the_congress_admin(client, loop, december):
    w = loop.w
    url = reverse("supervision:closures", args=[w.congress.code])
    with on(D(2026, 12, 9)):
        client.force_login(w.clerk)
        assert client.get(url).status_code == 404
        client.force_login(w.admin)
        assert client.get(url).status_code == 200
        r = client.post(url, {"date": "2026-12-12", "name": "周六"})
        assert r.status_code == 422 and "本来就不是工作日" in r.content.decode()
        r = client.post(url, {"date": "2026-12-10", "name": "台风停工"})
        assert r.status_code == 302 and "closures/recompute/?years=2026" in r["Location"]
        preview = client.get(r["Location"])
        assert preview.status_code == 200 and "2026-12-16" in preview.content.decode()
    assert LocalClosure.objects.filter(congress=w.congress, date=D(2026, 12, 10)).exists()
