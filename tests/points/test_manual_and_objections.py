"""Manual entries for offline activities (evidence, 初审 by the group's clerk, 复核 by a congress
clerk) and objections to ledger entries (raised by the deputy, decided with a reason)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minyi.audit.models import AuditEvent
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.points import actions as P
from minyi.points import selectors as PS
from minyi.points.models import LedgerEntry, ManualEntry, Objection

from .conftest import TODAY, deputy, ledger, make_deputy, pending, png


def submit(kit, w, **kw):
    values = {
        "actor": w.deputy,
        "event": "offline_contact",
        "activity_date": TODAY - datetime.timedelta(days=5),
        "title": "走访社区听取居民意见",
        "evidence": png(),
    }
    values.update(kw)
    return P.do_submit_manual_entry(deputy(w.deputy), **values)


def test_submit_refusals(world, kit):
    w = world
    d = deputy(w.deputy)
    for actor in (w.cosigner, w.handler_a, w.judge, w.outsider, kit.other_clerk):
        with pytest.raises(NotPermitted):
            submit(kit, w, actor=actor)
    cases = [
        ({"event": "suggestion_accepted"}, "bad_event"),
        ({"activity_date": TODAY + datetime.timedelta(days=1)}, "date_in_future"),
        ({"activity_date": datetime.date(2021, 6, 1)}, "not_in_office"),
        ({"title": "  "}, "title_required"),
        ({"evidence": None}, "evidence_required"),
        ({"evidence": SimpleUploadedFile("a.png", b"not really a picture")}, "file_type"),
        ({"evidence": SimpleUploadedFile("a.png", b"")}, "file_empty"),
    ]
    for kw, code in cases:
        with pytest.raises(ValidationFailed) as info:
            submit(kit, w, **kw)
        assert info.value.code == code, kw
    assert not ManualEntry.objects.exists()
    # the deputy, the group's clerk and a congress clerk may submit
    for actor in (w.deputy, kit.clerk, w.clerk):
        entry = submit(kit, w, actor=actor)
        assert (entry.deputy, entry.state, entry.evidence_type) == (d, "submitted", "image/png")
        assert entry.evidence.read().startswith(b"\x89PNG")


def test_two_step_review(world, kit):
    w = world
    d = deputy(w.deputy)
    entry = submit(kit, w)
    for actor in (kit.other_clerk, w.deputy, w.admin, w.handler_a):
        with pytest.raises(NotPermitted):
            P.do_check_manual_entry(entry, actor=actor, approve=True)
    with pytest.raises(InvalidTransition):
        P.do_review_manual_entry(entry, actor=w.clerk, approve=True)  # 初审 first
    with pytest.raises(ValidationFailed):
        P.do_check_manual_entry(entry, actor=kit.clerk, approve=False, note="")
    assert list(PS.review_queue(kit.clerk, w.congress)) == [entry]
    P.do_check_manual_entry(entry, actor=kit.clerk, approve=True, note="情况属实")
    assert list(PS.review_queue(kit.clerk, w.congress)) == []
    assert list(PS.review_queue(w.clerk, w.congress)) == [entry]
    with pytest.raises(InvalidTransition):
        P.do_check_manual_entry(entry, actor=kit.clerk, approve=True)
    with pytest.raises(NotPermitted):
        P.do_review_manual_entry(entry, actor=kit.clerk, approve=True)  # only a congress clerk
    assert ledger(w.congress, d) == {}
    P.do_review_manual_entry(entry, actor=w.clerk, approve=True, note="同意")
    entry.refresh_from_db()
    assert entry.state == "approved" and entry.reviewed_by == w.clerk
    assert ledger(w.congress, d) == {f"manual:{entry.pk}": 2}
    assert not pending(w.congress)
    assert [e.code for e in AuditEvent.objects.filter(object_type="points.manualentry").order_by("seq")] == [
        "points.manual_submitted",
        "points.manual_checked",
        "points.manual_approved",
    ]


def test_the_same_clerk_cannot_do_both_steps(world, kit):
    w = world
    entry = submit(kit, w)
    P.do_check_manual_entry(entry, actor=w.clerk, approve=True)
    assert list(PS.review_queue(w.clerk, w.congress)) == []
    with pytest.raises(NotPermitted) as info:
        P.do_review_manual_entry(entry, actor=w.clerk, approve=True)
    assert info.value.code == "same_reviewer"
    with pytest.raises(ValidationFailed):
        P.do_review_manual_entry(entry, actor=kit.clerk2, approve=False)
    P.do_review_manual_entry(entry, actor=kit.clerk2, approve=False, note="佐证材料不清楚")
    entry.refresh_from_db()
    assert entry.state == "rejected" and not LedgerEntry.objects.exists()


def _entry(world, kit):
    entry = submit(kit, world)
    P.do_check_manual_entry(entry, actor=kit.clerk, approve=True)
    P.do_review_manual_entry(entry, actor=world.clerk, approve=True)
    return LedgerEntry.objects.get(key=f"manual:{entry.pk}")


def test_objection_rejected_keeps_the_entry(world, kit):
    w = world
    entry = _entry(w, kit)
    for actor in (w.cosigner, w.clerk, kit.clerk, w.admin):
        with pytest.raises(NotPermitted):
            P.do_raise_objection(entry, actor=actor, reason="不对")
    with pytest.raises(ValidationFailed):
        P.do_raise_objection(entry, actor=w.deputy, reason=" ")
    o = P.do_raise_objection(entry, actor=w.deputy, reason="应按视察调研计分")
    assert o.entry == {
        "event": "offline_contact",
        "date": entry.date.isoformat(),
        "points": 2,
        "description": entry.description,
    }
    with pytest.raises(ValidationFailed) as info:
        P.do_raise_objection(entry, actor=w.deputy, reason="再提一次")
    assert info.value.code == "already_pending"
    for actor in (w.deputy, kit.clerk, w.supervisor):
        with pytest.raises(NotPermitted):
            P.do_decide_objection(o, actor=actor, accept=False, reason="维持")
    with pytest.raises(ValidationFailed):
        P.do_decide_objection(o, actor=w.clerk, accept=False, reason="")
    P.do_decide_objection(o, actor=w.clerk, accept=False, reason="登记的活动类别无误")
    o.refresh_from_db()
    assert (o.state, o.decided_by, o.decision_reason) == ("rejected", w.clerk, "登记的活动类别无误")
    entry.refresh_from_db()
    assert entry.points == 2
    with pytest.raises(InvalidTransition):
        P.do_decide_objection(o, actor=w.clerk, accept=True, corrected_points=3, reason="改")
    # a decided objection does not block a new one
    P.do_raise_objection(entry, actor=w.deputy, reason="补充了新的材料")


def test_objection_corrected_survives_recomputation(world, kit):
    w = world
    entry = _entry(w, kit)
    o = P.do_raise_objection(entry, actor=w.deputy, reason="应按视察调研计3分")
    with pytest.raises(ValidationFailed) as info:
        P.do_decide_objection(o, actor=w.clerk, accept=True, reason="同意更正")
    assert info.value.code == "points_required"
    P.do_decide_objection(o, actor=w.clerk, accept=True, corrected_points=3, reason="同意更正")
    entry.refresh_from_db()
    assert (entry.points, entry.raw_points, entry.adjustment) == (3, 2, "corrected")
    P.sync_ledger(w.congress, TODAY.year)
    entry.refresh_from_db()
    assert entry.points == 3 and not pending(w.congress)
    assert PS.objections_by_key(deputy(w.deputy))[entry.key].state == Objection.State.CORRECTED
    event = AuditEvent.objects.get(code="points.objection_decided")
    assert (event.old["points"], event.new["points"], event.target_user) == (2, 3, w.deputy)


def test_visibility_of_records(world, kit):
    w = world
    d = deputy(w.deputy)
    outsider_deputy = make_deputy(w.congress, "someone", number="A009")
    from django.http import Http404

    for user in (w.deputy, kit.clerk, w.clerk, w.admin, w.supervisor):
        assert PS.access_deputy(user, w.congress, d.pk) == d
    # the viewer sees rankings, no individual points record (decision 0009)
    for user in (w.cosigner, kit.other_clerk, w.handler_a, w.judge, w.viewer, w.outsider, outsider_deputy):
        with pytest.raises(Http404):
            PS.access_deputy(user, w.congress, d.pk)
    with pytest.raises(Http404):
        PS.access_deputy(w.admin, w.congress, 999999)


def test_visible_manual_entries_agree_with_the_view_permission(world, kit):
    """`manual_entries_visible_to` is the queryset twin of ``points.view_manual``."""
    import rules

    w = world
    mine = submit(kit, w)
    other = make_deputy(w.congress, "elsewhere", number="A011")
    theirs = P.do_submit_manual_entry(
        deputy(other),
        actor=other,
        event="offline_other",
        activity_date=TODAY,
        title="其他活动",
        evidence=png(),
    )
    entries = [mine, theirs]
    personas = [w.admin, w.clerk, w.deputy, w.cosigner, w.liaison, kit.clerk, w.handler_a, w.supervisor]
    personas += [w.inspector, w.judge, w.viewer, w.outsider, other]
    for user in personas:
        visible = set(PS.manual_entries_visible_to(user, w.congress).values_list("pk", flat=True))
        allowed = {e.pk for e in entries if rules.has_perm("points.view_manual", user, e)}
        assert visible == allowed, user
    assert set(PS.manual_entries_visible_to(kit.clerk, w.congress)) == {mine}
    assert set(PS.manual_entries_visible_to(other, w.congress)) == {theirs}
