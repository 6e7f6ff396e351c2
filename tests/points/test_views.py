"""The points pages: ranking (every member), records (the deputy, the group's clerks, the staff),
objections, manual entries with the two-step review, the rule table and the monthly expectations —
every form's messages, 404 for missing and forbidden alike, fixed query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse

from minyi.congress.models import LiaisonStation
from minyi.intake import actions as IA
from minyi.points import actions as P
from minyi.points.models import LedgerEntry, ManualEntry, MonthlyExpectation, Objection, PointsRule

from .conftest import TODAY, deputy, make_deputy, png


def url(name, *args, code="alpha"):
    return reverse(f"points:{name}", args=[code, *args])


def _attend(w, deputies, day=TODAY - datetime.timedelta(days=3)):
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    return IA.do_record_event(
        station,
        actor=w.liaison,
        data=IA.EventInput(kind="reception", date=day, title="接待选民", deputies=deputies),
    )


def test_ranking_page(client, world):
    w = world
    _attend(w, [deputy(w.deputy)])
    P.sync_ledger(w.congress, TODAY.year)
    for user in (w.deputy, w.handler_a, w.viewer, w.judge):
        client.force_login(user)
        page = client.get(url("ranking"))
        assert page.status_code == 200, user
        assert "领衔代表" in page.content.decode()
    client.force_login(w.outsider)
    assert client.get(url("ranking")).status_code == 404
    client.force_login(w.admin)
    page = client.get(url("ranking"), {"period": "2026Q4"}).content.decode()
    assert "2026年第四季度" in page and "重新计算" in page
    assert client.get(url("ranking"), {"period": "1999Q9"}).status_code == 400
    response = client.post(url("sync"), {"period": "2026Q4"}, follow=True)
    assert "与现有记录一致" in response.content.decode()
    client.force_login(w.deputy)
    assert client.post(url("sync")).status_code == 404


def test_record_and_objection_pages(client, world):
    w = world
    d = deputy(w.deputy)
    event = _attend(w, [d])
    P.sync_ledger(w.congress, TODAY.year)
    entry = LedgerEntry.objects.get(deputy=d)
    client.force_login(w.deputy)
    assert client.get(url("me"))["Location"] == url("record", d.pk)
    page = client.get(url("record", d.pk)).content.decode()
    assert "接待选民" in page and 'data-action="object"' in page
    assert reverse("intake:event", args=["alpha", event.pk]) in page  # the entry's source
    assert client.post(url("object", entry.pk), {"reason": ""}).status_code == 422
    response = client.post(url("object", entry.pk), {"reason": "我那天在外地出差"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    page = client.get(url("record", d.pk)).content.decode()
    assert "待处理" in page and 'data-action="object"' not in page
    # others: the co-signer cannot see it nor object; staff see it but cannot object
    client.force_login(w.cosigner)
    assert client.get(url("record", d.pk)).status_code == 404
    assert client.get(url("object", entry.pk)).status_code == 404
    client.force_login(w.clerk)
    assert client.get(url("record", d.pk)).status_code == 200
    assert client.get(url("object", entry.pk)).status_code == 404
    # the clerk decides
    listing = client.get(url("objections")).content.decode()
    assert "我那天在外地出差" in listing
    bad = client.post(url("objection", objection.pk), {"decision": "correct", "reason": ""})
    assert bad.status_code == 422
    assert "请填写更正后的积分" in bad.content.decode() and "请写明处理理由" in bad.content.decode()
    client.post(
        url("objection", objection.pk),
        {"decision": "correct", "corrected_points": "0", "reason": "经核实未参加"},
    )
    entry.refresh_from_db()
    assert entry.points == 0
    client.force_login(w.deputy)
    page = client.get(url("objection", objection.pk)).content.decode()
    assert "经核实未参加" in page and "已更正" in page
    assert (
        client.post(url("objection", objection.pk), {"decision": "reject", "reason": "x"}).status_code == 404
    )
    client.force_login(w.deputy)
    assert client.get(url("objections")).status_code == 404


def test_manual_entry_pages(client, world):
    w = world
    d = deputy(w.deputy)
    client.force_login(w.deputy)
    page = client.get(url("manual_create"))
    assert page.status_code == 200
    bad = client.post(
        url("manual_create"),
        {"deputy": d.pk, "event": "offline_training", "activity_date": "2030-01-01", "title": ""},
    )
    text = bad.content.decode()
    assert (
        bad.status_code == 422
        and "活动日期不能晚于今天" in text
        and "请上传佐证材料" in text
        and "请填写活动名称" in text
    )
    other = make_deputy(w.congress, "other", number="A010")
    forbidden = client.post(
        url("manual_create"),
        {
            "deputy": deputy(other).pk,
            "event": "offline_training",
            "activity_date": "2026-11-02",
            "title": "培训",
            "evidence": png(),
        },
    )
    assert forbidden.status_code == 422 and "请选择您可以登记的代表" in forbidden.content.decode()
    response = client.post(
        url("manual_create"),
        {
            "deputy": d.pk,
            "event": "offline_training",
            "activity_date": "2026-11-02",
            "title": "参加代表培训班",
            "evidence": png(),
        },
    )
    entry = ManualEntry.objects.get()
    assert response["Location"] == url("manual_detail", entry.pk)
    evidence = client.get(url("manual_evidence", entry.pk))
    assert evidence.status_code == 200 and evidence["Content-Type"] == "image/png"
    assert b"".join(evidence.streaming_content).startswith(b"\x89PNG")
    stored = entry.evidence.storage.open(entry.evidence.name, "rb").read()
    entry.evidence.storage.delete(entry.evidence.name)  # gone from MEDIA_ROOT: 404, not a 500
    assert client.get(url("manual_evidence", entry.pk)).status_code == 404
    entry.evidence.storage.save(entry.evidence.name, io.BytesIO(stored))
    client.force_login(w.cosigner)
    assert client.get(url("manual_detail", entry.pk)).status_code == 404
    assert client.get(url("manual_evidence", entry.pk)).status_code == 404
    # 初审 by a congress clerk (the deputy's group has no station clerk), 复核 by another clerk
    client.force_login(w.clerk)
    assert "待我审核" in client.get(url("manual")).content.decode()
    assert client.post(url("manual_detail", entry.pk), {"decision": "reject", "note": ""}).status_code == 422
    client.post(url("manual_detail", entry.pk), {"decision": "approve", "note": "属实"})
    entry.refresh_from_db()
    assert entry.state == "checked"
    assert (
        client.post(url("manual_detail", entry.pk), {"decision": "approve"}).status_code == 404
    )  # not twice
    from tests.factories import MembershipFactory, UserFactory

    clerk2 = UserFactory(username="clerk2")
    MembershipFactory(user=clerk2, congress=w.congress, role="congress_clerk")
    client.force_login(clerk2)
    client.post(url("manual_detail", entry.pk), {"decision": "approve", "note": ""})
    entry.refresh_from_db()
    assert entry.state == "approved"
    assert LedgerEntry.objects.get(key=f"manual:{entry.pk}").points == 1


def test_rules_pages(client, world):
    w = world
    client.force_login(w.deputy)
    page = client.get(url("rules")).content.decode()
    assert "第一次计算积分时将自动载入默认规则" in page
    assert client.get(url("rule_create")).status_code == 404
    client.force_login(w.admin)
    client.post(url("rules_seed"))
    assert PointsRule.objects.filter(congress=w.congress).count() > 10
    page = client.get(url("rules")).content.decode()
    assert "建议被立案" in page and "调整分值" in page
    bad = client.post(
        url("rule_create"),
        {"event": "duty_day", "role": "lead", "points": "0", "valid_from": "2026-01-01", "cap": "5"},
    )
    text = bad.content.decode()
    assert (
        bad.status_code == 422
        and "该事项只能选" in text
        and "分值不能为0" in text
        and "请选择上限周期" in text
    )
    overlap = client.post(
        url("rule_create"), {"event": "duty_day", "role": "any", "points": "3", "valid_from": "2026-01-01"}
    )
    assert overlap.status_code == 422 and "有效期重叠" in overlap.content.decode()
    rule = PointsRule.objects.get(congress=w.congress, event="duty_day")
    response = client.post(
        url("rule_replace", rule.pk),
        {"from_date": "2026-07-01", "points": "3", "cap": "9", "cap_period": "quarter"},
    )
    assert response.status_code == 302
    assert PointsRule.objects.get(congress=w.congress, event="duty_day", valid_to__isnull=True).points == 3
    assert client.post(url("rule_end", rule.pk), {"valid_to": "1999-01-01"}).status_code == 422
    assert client.get(url("rule_end", 99999)).status_code == 404


def test_expectation_pages(client, world):
    w = world
    d = deputy(w.deputy)
    for user, status in ((w.supervisor, 200), (w.viewer, 404), (w.deputy, 404), (w.handler_a, 404)):
        client.force_login(user)
        assert client.get(url("expectations")).status_code == status
    client.force_login(w.clerk)
    assert client.get(url("expectation_create")).status_code == 404
    client.force_login(w.admin)
    bad = client.post(url("expectation_create"), {"deputy": d.pk, "per_month": "0", "start_month": "九月"})
    assert bad.status_code == 422 and "请按“年-月”选择月份" in bad.content.decode()
    client.post(
        url("expectation_create"),
        {"deputy": d.pk, "per_month": "1", "start_month": "2026-09", "note": "区长"},
    )
    e = MonthlyExpectation.objects.get()
    assert e.start_month == datetime.date(2026, 9, 1)
    page = client.get(url("expectations"), {"year": "2026"}).content.decode()
    assert "领衔代表" in page and "0/1" in page and "区长" in page
    client.post(url("expectation_end", e.pk), {"end_month": "2026-12"})
    e.refresh_from_db()
    assert e.end_month == datetime.date(2026, 12, 1)


@pytest.mark.parametrize("n", [3, 25])
def test_query_counts_do_not_grow(client, world, django_assert_max_num_queries, n):
    w = world
    deputies = [deputy(make_deputy(w.congress, f"d{i}", number=f"B{i:03d}")) for i in range(n)]
    _attend(w, deputies)
    _attend(w, deputies, TODAY - datetime.timedelta(days=10))
    P.sync_ledger(w.congress, TODAY.year)
    client.force_login(w.admin)
    with django_assert_max_num_queries(20):
        assert client.get(url("ranking")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(url("record", deputies[0].pk)).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(url("rules")).status_code == 200
