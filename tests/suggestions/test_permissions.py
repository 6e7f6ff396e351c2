"""Who sees what: for every persona the visible querysets equal what the access helpers allow, and
nobody reaches another unit's, deputy's or congress's records by changing an id."""

import pytest
from django.core.files.base import ContentFile
from django.http import Http404

from minyi.accounts.models import Role
from minyi.congress.models import Unit
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Attachment, Suggestion
from minyi.suggestions.selectors import (
    access_assignment,
    access_attachment,
    access_suggestion,
    assignments_visible_to,
    available_actions,
    suggestions_visible_to,
    timeline,
    worklist,
)
from tests.factories import BodyFactory, MembershipFactory, UnitFactory, UserFactory

from .conftest import content, make_deputy, make_taxa
from .test_attachments import PDF, use_tmp_storage


@pytest.fixture
def scene(loop, settings, tmp_path):
    """Suggestions in many states and shapes, in two congresses, and one user per persona."""
    use_tmp_storage(settings, tmp_path)
    w, d = loop.w, loop.drive
    deputy = w.deputy.deputy_records.get()
    court = BodyFactory(congress=w.congress, body_code=Unit.BodyCode.COURT)
    court_unit = UnitFactory(congress=w.congress, parent=court, name="甲区法院执行局")
    court_coordinator = UserFactory(username="court_coordinator")
    MembershipFactory(user=court_coordinator, congress=w.congress, role=Role.COORDINATOR, unit=court)
    court_clerk = UserFactory(username="court_clerk")
    MembershipFactory(user=court_clerk, congress=w.congress, role=Role.UNIT_CLERK, unit=court_unit)
    other_deputy = make_deputy(w.congress, "other_deputy")
    both = UserFactory(username="both")  # a deputy here and a handler of unit B at the same time
    MembershipFactory(user=both, congress=w.congress, role=Role.UNIT_HANDLER, unit=w.unit_b)

    s = {}
    s["deputy_draft"] = d.to("draft")
    s["liaison_draft"] = A.do_create_suggestion(
        w.congress, actor=w.liaison, lead=deputy, content=content(loop.taxa)
    )
    A.do_add_attachment(s["deputy_draft"], actor=w.deputy, upload=ContentFile(PDF, name="材料.pdf"))
    s["invite_draft"] = A.do_create_suggestion(w.congress, actor=other_deputy, content=content(loop.taxa))
    A.do_invite_cosigner(s["invite_draft"], actor=other_deputy, deputy=w.cosigner.deputy_records.get())
    s["other_draft"] = A.do_create_suggestion(w.congress, actor=other_deputy, content=content(loop.taxa))
    s["submitted"] = d.to("submitted", cosign=True)
    s["accepted"] = d.to("accepted")
    s["forwarded"] = d.to("forwarded")
    s["co"] = d.to("contacted", co=True)
    s["split"] = d.to("replied", split=True)
    s["replied"] = d.to("replied")
    court_s = d.to("accepted", direct=True)
    A.do_assign_units(court_s, actor=w.clerk, lead_units=[court_unit])
    s["court"] = court_s
    dup = A.do_submit_suggestion(
        A.do_create_suggestion(w.congress, actor=other_deputy, content=content(loop.taxa)), actor=other_deputy
    )
    s["merged"] = A.do_merge_suggestion(dup, actor=w.clerk, into=s["accepted"])
    s["withdrawn"] = A.do_withdraw_suggestion(d.to("draft"), actor=w.deputy)
    # a reply being drafted in unit A, with an attachment
    lead = Assignment.objects.get(suggestion=s["co"], role="lead")
    reply = d.draft_reply(lead)
    A.do_add_attachment(reply, actor=w.handler_a, upload=ContentFile(PDF, name="答复附件.pdf"))
    # another congress with its own suggestion
    beta_taxa = make_taxa(w.other_congress)
    beta_deputy = make_deputy(w.other_congress, "beta_deputy")
    s["beta"] = A.do_submit_suggestion(
        A.do_create_suggestion(w.other_congress, actor=beta_deputy, content=content(beta_taxa)),
        actor=beta_deputy,
    )
    personas = {
        name: getattr(w, name)
        for name in (
            "admin", "clerk", "deputy", "cosigner", "liaison", "coordinator", "handler_a", "handler_b",
            "leader_a", "supervisor", "inspector", "judge", "viewer", "outsider",
        )
    }  # fmt: skip
    personas.update(
        leader_b=loop.leader_b,
        court_coordinator=court_coordinator,
        court_clerk=court_clerk,
        other_deputy=other_deputy,
        both=both,
        beta_deputy=beta_deputy,
    )
    # a platform admin has no rights in a congress without a membership, and with one exactly that
    # role's (decision 0009)
    personas["superuser"] = UserFactory(username="root", is_superuser=True, is_staff=True)
    personas["superuser_viewer"] = UserFactory(username="root_viewer", is_superuser=True, is_staff=True)
    MembershipFactory(user=personas["superuser_viewer"], congress=w.congress, role=Role.VIEWER)
    return w, s, personas


def _accessible(user, congress, model, access):
    ok = set()
    for obj in model.objects.all():
        try:
            access(user, congress, obj.pk)
        except Http404:
            continue
        ok.add(obj.pk)
    return ok


def test_visible_querysets_equal_access_for_every_persona(scene):
    w, s, personas = scene
    for name, user in personas.items():
        for congress in (w.congress, w.other_congress):
            visible = set(suggestions_visible_to(user, congress).values_list("pk", flat=True))
            assert visible == _accessible(user, congress, Suggestion, access_suggestion), (
                name,
                congress.code,
            )
            visible = set(assignments_visible_to(user, congress).values_list("pk", flat=True))
            assert visible == _accessible(user, congress, Assignment, access_assignment), (
                name,
                congress.code,
            )


def test_who_sees_what(scene):
    w, s, p = scene

    def sees(user):
        pks = set(suggestions_visible_to(user, w.congress).values_list("pk", flat=True))
        return {k for k, v in s.items() if v.pk in pks}

    not_drafts = set(s) - {"deputy_draft", "liaison_draft", "invite_draft", "other_draft", "beta"}
    for name in ("clerk", "admin", "supervisor", "inspector"):
        assert sees(p[name]) == not_drafts, name
    # the viewer: what the congress accepted, from then on (not under review, merged, withdrawn)
    accepted = {"accepted", "forwarded", "co", "split", "replied", "court"}
    assert sees(p["viewer"]) == sees(p["superuser_viewer"]) == accepted
    assert sees(p["superuser"]) == set()
    assert not suggestions_visible_to(p["superuser"], w.other_congress).exists()
    deputy_own = {
        "deputy_draft",
        "liaison_draft",
        "submitted",
        "accepted",
        "forwarded",
        "co",
        "split",
        "replied",
        "court",
        "withdrawn",
    }
    assert sees(p["deputy"]) == deputy_own
    assert sees(p["cosigner"]) == {"invite_draft", "submitted"}
    assert sees(p["other_deputy"]) == {
        "invite_draft",
        "other_draft",
        "merged",
        "accepted",
    }  # sees the main one
    assert sees(p["liaison"]) == {"liaison_draft"}
    assert sees(p["coordinator"]) == {"forwarded", "co", "split", "replied"}
    assert sees(p["court_coordinator"]) == {"court"}
    assert sees(p["handler_a"]) == sees(p["leader_a"]) == {"co", "split", "replied"}
    assert sees(p["handler_b"]) == sees(p["leader_b"]) == sees(p["both"]) == {"co", "split"}
    assert sees(p["court_clerk"]) == {"court"}
    assert sees(p["judge"]) == sees(p["outsider"]) == sees(p["beta_deputy"]) == set()
    assert set(suggestions_visible_to(p["beta_deputy"], w.other_congress)) == {s["beta"]}
    assert set(suggestions_visible_to(p["outsider"], w.other_congress)) == {s["beta"]}


def test_changing_ids_reaches_nothing(scene):
    w, s, p = scene
    with pytest.raises(Http404):  # another congress's suggestion through this congress
        access_suggestion(p["clerk"], w.congress, s["beta"].pk)
    with pytest.raises(Http404):  # …or through the other congress without a membership
        access_suggestion(p["clerk"], w.other_congress, s["beta"].pk)
    with pytest.raises(Http404):
        access_suggestion(p["outsider"], w.other_congress, s["submitted"].pk)
    with pytest.raises(Http404):  # another deputy's draft
        access_suggestion(p["deputy"], w.congress, s["other_draft"].pk)
    court_assignment = Assignment.objects.get(suggestion=s["court"])
    for name in ("handler_a", "leader_b", "coordinator", "deputy"):
        with pytest.raises(Http404):
            access_assignment(p[name], w.congress, court_assignment.pk)
    co_a = Assignment.objects.get(suggestion=s["co"], unit=w.unit_a)
    with pytest.raises(Http404):  # the co-unit does not open the lead unit's assignment
        access_assignment(p["handler_b"], w.congress, co_a.pk)
    for bad in ("abc", None, 10**9):
        with pytest.raises(Http404):
            access_suggestion(p["clerk"], w.congress, bad)
        with pytest.raises(Http404):
            access_assignment(p["clerk"], w.congress, bad)
        with pytest.raises(Http404):
            access_attachment(p["clerk"], bad)
    # a perm can be required too: the supervisor may view but not accept
    assert access_suggestion(p["supervisor"], w.congress, s["submitted"].pk)
    with pytest.raises(Http404):
        access_suggestion(p["supervisor"], w.congress, s["submitted"].pk, perm="suggestions.accept")
    assert access_suggestion(p["clerk"], w.congress, s["submitted"].pk, perm="suggestions.accept")


def test_attachments_follow_what_they_are_attached_to(scene):
    w, s, p = scene
    draft_file = Attachment.objects.get(suggestion=s["deputy_draft"])
    reply_file = Attachment.objects.get(reply__isnull=False)
    assert access_attachment(p["deputy"], draft_file.pk) == draft_file
    for name in ("clerk", "cosigner", "handler_a", "outsider"):
        with pytest.raises(Http404):
            access_attachment(p[name], draft_file.pk)
    # the reply is still a draft in unit A: unit A, its overseers and the coordinator see it
    for name in ("handler_a", "leader_a", "clerk", "coordinator"):
        assert access_attachment(p[name], reply_file.pk) == reply_file, name
    for name in ("deputy", "handler_b", "leader_b", "court_coordinator", "outsider", "viewer", "superuser"):
        with pytest.raises(Http404):
            access_attachment(p[name], reply_file.pk)


def test_timeline_hides_other_units_internal_steps(scene):
    w, s, p = scene
    suggestion = s["co"]
    lead = Assignment.objects.get(suggestion=suggestion, unit=w.unit_a)
    A.do_send_back_reply(lead, actor=w.leader_a, reason="内部意见：数据不准")

    def seen(user):
        return [e.code for e in timeline(user, suggestion)]

    everything = seen(p["clerk"])
    assert "reply.sent_back" in everything and "assignment.signed" in everything
    assert seen(p["coordinator"]) == everything
    unit_a = seen(p["handler_a"])
    assert "reply.sent_back" in unit_a and "reply.drafted" in unit_a
    unit_b = seen(p["handler_b"])
    assert "reply.sent_back" not in unit_b and "reply.drafted" not in unit_b
    assert unit_b.count("assignment.signed") == 1  # its own signing only
    deputy = seen(p["deputy"])
    assert "assignment.signed" not in deputy and "reply.sent_back" not in deputy
    assert "contact.logged" in deputy and "assignment.created" in deputy
    assert seen(p["judge"]) == [] and seen(p["outsider"]) == [] and seen(p["superuser"]) == []
    assert seen(p["viewer"]) == deputy  # the public rows only, no unit's internal steps
    # the deputies of a merged suggestion read the main one's public timeline
    assert "suggestion.merged_in" in [e.code for e in timeline(p["other_deputy"], s["accepted"])]


def test_worklists(scene):
    w, s, p = scene

    def lists(user):
        return {sec.key: set(sec.queryset) for sec in worklist(user, w.congress)}

    deputy = lists(p["deputy"])
    assert {x.pk for x in deputy["drafts"]} == {s["deputy_draft"].pk, s["liaison_draft"].pk}
    assert {r.assignment.suggestion_id for r in deputy["to_evaluate"]} == {s["split"].pk, s["replied"].pk}
    assert len(deputy["to_evaluate"]) == 3  # two replies of the split, one of the other
    assert {c.assignment.suggestion_id for c in deputy["contacts_to_confirm"]} == {
        s["co"].pk,
        s["split"].pk,
        s["replied"].pk,
    }
    cosigner = lists(p["cosigner"])
    assert {c.suggestion_id for c in cosigner["cosign_invitations"]} == {s["invite_draft"].pk}
    clerk = lists(p["clerk"])
    assert clerk["to_review"] == {s["submitted"]}
    assert clerk["to_dispatch"] == {s["accepted"]}
    coordinator = lists(p["coordinator"])
    assert coordinator["to_dispatch"] == {s["forwarded"]}
    handler_b = lists(p["handler_b"])
    assert handler_b["co_opinions"] == set() and handler_b["to_sign"] == set()
    leader_a = lists(p["leader_a"])
    assert {a.suggestion_id for a in leader_a["to_sign_off"]} == {s["co"].pk}
    assert "to_sign_off" not in lists(p["handler_a"])
    both = lists(p["both"])
    assert set(both) >= {"to_sign", "to_handle", "co_opinions", "commitments"}
    assert lists(p["judge"]) == {}


def test_available_actions(scene):
    w, s, p = scene
    assert available_actions(p["deputy"], s["deputy_draft"]) == [
        "edit",
        "invite_cosigner",
        "revoke_cosigner",
        "submit",
        "withdraw",
    ]
    assert available_actions(p["liaison"], s["liaison_draft"]) == [
        "edit",
        "invite_cosigner",
        "revoke_cosigner",
    ]
    assert available_actions(p["clerk"], s["submitted"]) == ["accept", "return", "decline", "merge"]
    assert available_actions(p["deputy"], s["submitted"]) == ["request_withdrawal"]  # joint: ask first
    assert available_actions(p["deputy"], s["accepted"]) == ["withdraw"]  # solo
    request = A.do_request_withdrawal(s["submitted"], actor=p["deputy"], reason="撤回")
    assert available_actions(p["deputy"], s["submitted"]) == []
    assert available_actions(p["cosigner"], request) == ["agree_withdrawal", "refuse_withdrawal"]
    assert available_actions(p["deputy"], request) == []
    assert available_actions(p["coordinator"], s["forwarded"]) == ["assign"]
    assert available_actions(p["clerk"], s["forwarded"]) == ["forward", "assign"]
    assert available_actions(p["supervisor"], s["submitted"]) == []
    lead = Assignment.objects.get(suggestion=s["co"], unit=w.unit_a)
    assert available_actions(p["leader_a"], lead) == [
        "log_contact",
        "draft_reply",
        "send_back_reply",
        "sign_off_reply",
        "request_extension",
    ]
    assert available_actions(p["handler_a"], lead) == ["log_contact", "draft_reply", "request_extension"]
    assert available_actions(p["handler_b"], lead) == []
    assert available_actions(p["deputy"], s["replied"]) == ["evaluate"]


def test_list_queries_do_not_grow_with_the_data(scene, django_assert_max_num_queries):
    w, s, p = scene
    for user in (p["clerk"], p["deputy"], p["handler_a"], p["coordinator"]):
        user._minyi_memberships = None
        with django_assert_max_num_queries(3):
            rows = list(
                suggestions_visible_to(user, w.congress).select_related("lead", "category", "channel")
            )
            names = [
                (row.lead.name, row.category and row.category.name, row.channel and row.channel.name)
                for row in rows
            ]
            assert len(names) == len(rows)
        with django_assert_max_num_queries(14):
            for section in worklist(user, w.congress):
                list(section.queryset)
