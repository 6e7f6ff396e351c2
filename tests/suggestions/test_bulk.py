"""Bulk acts (issue #12): batch close, assign and sign-off. GET shows a confirmation and changes
nothing; a POST with confirm=1 runs each item through its single-item action in its own transaction:
refusals per item (wrong state, another congress's id, no permission), one audit row per done item.
Also the printable suggestion and the 督办 card with its 批示 form on the suggestion page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment
from minyi.suggestions.states import AssignmentState, SuggestionState
from minyi.supervision.models import Instruction
from tests.factories import DeputyFactory, MembershipFactory, UnitFactory, UserFactory

from .conftest import _fingerprint, content, make_taxa, refresh


def url(name, *args, code="alpha"):
    return reverse(f"suggestions:{name}", args=[code, *args])


def bulk_url(kind, code="alpha"):
    return reverse("suggestions:bulk", args=[code, kind])


def audit_codes(code: str) -> list[int | None]:
    return list(AuditEvent.objects.filter(code=code).order_by("seq").values_list("suggestion_id", flat=True))


@pytest.fixture
def evaluated(daytime, loop):
    return [loop.drive.to("evaluated", title=f"已测评的建议{i}") for i in range(3)]


# --- batch close ----------------------------------------------------------------------------------


def test_close_get_shows_confirmation_and_changes_nothing(client, evaluated, loop):
    client.force_login(loop.w.clerk)
    before = _fingerprint()
    page = client.get(bulk_url("close"))
    assert page.status_code == 200
    for s in evaluated:
        assert f'value="{s.pk}"' in page.content.decode()
    ids = [s.pk for s in evaluated]
    confirm = client.get(bulk_url("close"), {"ids": ids})
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert 'name="confirm" value="1"' in body
    for s in evaluated:
        assert s.title in body
    # a POST without confirm=1 shows the confirmation again, nothing more
    again = client.post(bulk_url("close"), {"ids": ids})
    assert again.status_code == 200 and 'name="confirm" value="1"' in again.content.decode()
    assert _fingerprint() == before


def test_close_refuses_per_item_and_audits_each(client, evaluated, loop):
    w = loop.w
    assigned = loop.drive.to("assigned", title="还在办理中的建议")  # wrong state
    smuggled = 999_999  # an id of no suggestion
    ids = [evaluated[0].pk, assigned.pk, smuggled, evaluated[1].pk]
    before = len(audit_codes("suggestion.closed"))
    client.force_login(w.clerk)
    response = client.post(bulk_url("close"), {"ids": ids, "confirm": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert refresh(evaluated[0]).state == SuggestionState.CLOSED
    assert refresh(evaluated[1]).state == SuggestionState.CLOSED
    assert refresh(evaluated[2]).state == SuggestionState.EVALUATED  # not chosen
    assert refresh(assigned).state == SuggestionState.ASSIGNED
    closed = audit_codes("suggestion.closed")
    assert len(closed) == before + 2
    assert closed[-2:] == [evaluated[0].pk, evaluated[1].pk]  # one row per item
    assert f'data-pk="{evaluated[0].pk}" data-status="done"' in body
    assert f'data-pk="{assigned.pk}" data-status="refused"' in body
    assert f'data-pk="{smuggled}" data-status="refused"' in body
    assert "不存在或无权查看" in body


def test_close_refuses_another_congress_id(client, evaluated, loop):
    """An id of the other congress is refused as not found, whatever its state."""
    w = loop.w
    beta = w.other_congress
    taxa = make_taxa(beta)
    dep = UserFactory(username="beta_deputy")
    MembershipFactory(user=dep, congress=beta, role=Role.DEPUTY)
    DeputyFactory(congress=beta, user=dep, name="乙区代表", number="B001")
    foreign = A.do_create_suggestion(beta, actor=dep, content=content(taxa, title="乙区的建议"))
    client.force_login(w.clerk)
    response = client.post(bulk_url("close"), {"ids": [foreign.pk, evaluated[0].pk], "confirm": "1"})
    body = response.content.decode()
    assert f'data-pk="{foreign.pk}" data-status="refused"' in body
    assert f'data-pk="{evaluated[0].pk}" data-status="done"' in body
    assert refresh(foreign).state == SuggestionState.DRAFT


def test_bulk_pages_are_404_for_those_without_the_list(client, evaluated, loop):
    w = loop.w
    for persona in ("deputy", "handler_a", "viewer", "judge"):
        client.force_login(getattr(w, persona))
        assert client.get(bulk_url("close")).status_code == 404, persona
        response = client.post(bulk_url("close"), {"ids": [evaluated[0].pk], "confirm": "1"})
        assert response.status_code == 404, persona
    client.force_login(w.outsider)
    assert client.get(bulk_url("close", code="alpha")).status_code == 404
    client.force_login(w.clerk)
    assert client.get(bulk_url("nonsense")).status_code == 404
    assert refresh(evaluated[0]).state == SuggestionState.EVALUATED


# --- batch assign ---------------------------------------------------------------------------------


def test_assign_needs_a_unit_then_confirmation(client, daytime, loop):
    w = loop.w
    accepted = [loop.drive.to("accepted", title=f"待交办的建议{i}") for i in range(2)]
    client.force_login(w.clerk)
    before = _fingerprint()
    no_unit = client.get(bulk_url("assign"), {"ids": [s.pk for s in accepted]})
    assert no_unit.status_code == 422  # back to the selection, with the unit required
    confirm = client.get(bulk_url("assign"), {"ids": [s.pk for s in accepted], "lead_unit": w.unit_a.pk})
    assert confirm.status_code == 200
    assert w.unit_a.name in confirm.content.decode()
    assert _fingerprint() == before
    done = client.post(
        bulk_url("assign"),
        {
            "ids": [s.pk for s in accepted],
            "lead_unit": w.unit_a.pk,
            "co_units": [w.unit_b.pk],
            "confirm": "1",
        },
    )
    assert done.status_code == 200
    for s in accepted:
        assert refresh(s).state == SuggestionState.ASSIGNED
        assert {(a.unit_id, a.role) for a in Assignment.objects.filter(suggestion=s)} == {
            (w.unit_a.pk, "lead"),
            (w.unit_b.pk, "co"),
        }
    created = audit_codes("assignment.created")
    assert sorted(created[-4:]) == sorted([accepted[0].pk, accepted[0].pk, accepted[1].pk, accepted[1].pk])


def test_assign_refuses_wrong_state_per_item(client, daytime, loop):
    w = loop.w
    accepted = loop.drive.to("accepted", title="待交办的建议")
    submitted = loop.drive.to("submitted", title="还没立案的建议")
    client.force_login(w.clerk)
    body = client.post(
        bulk_url("assign"), {"ids": [submitted.pk, accepted.pk], "lead_unit": w.unit_a.pk, "confirm": "1"}
    ).content.decode()
    assert f'data-pk="{submitted.pk}" data-status="refused"' in body
    assert f'data-pk="{accepted.pk}" data-status="done"' in body
    assert refresh(submitted).state == SuggestionState.SUBMITTED
    assert not Assignment.objects.filter(suggestion=submitted).exists()


def test_coordinator_assigns_only_units_of_their_body(client, daytime, loop):
    w = loop.w
    forwarded = loop.drive.to("forwarded", title="转交政府的建议")
    client.force_login(w.coordinator)
    page = client.get(bulk_url("assign")).content.decode()
    assert f'value="{forwarded.pk}"' in page
    # a unit outside the choices (another congress's) is a form error, not a 500
    stranger = UnitFactory(congress=w.other_congress, name="乙区某局")
    bad = client.post(bulk_url("assign"), {"ids": [forwarded.pk], "lead_unit": stranger.pk, "confirm": "1"})
    assert bad.status_code == 422
    assert refresh(forwarded).state == SuggestionState.FORWARDED
    ok = client.post(bulk_url("assign"), {"ids": [forwarded.pk], "lead_unit": w.unit_a.pk, "confirm": "1"})
    assert f'data-pk="{forwarded.pk}" data-status="done"' in ok.content.decode()


# --- batch sign-off -------------------------------------------------------------------------------


def test_sign_off_per_item_permission_state_and_audit(client, daytime, loop):
    w = loop.w
    drafted = [loop.drive.to("reply_drafted", title=f"待签发的建议{i}") for i in range(2)]
    theirs = loop.drive.to("reply_drafted", co=False, title="乙单位的")  # unit A again
    mine = [Assignment.objects.get(suggestion=s, unit=w.unit_a) for s in drafted]
    # an assignment of unit B: leader A may not sign it off (not theirs)
    b_suggestion = loop.drive.to("assigned", split=True, title="分办的建议")
    b_assignment = Assignment.objects.get(suggestion=b_suggestion, unit=w.unit_b)
    # an assignment that is not drafted yet: wrong state
    signed_only = loop.drive.to("signed", title="刚签收的建议")
    not_drafted = Assignment.objects.get(suggestion=signed_only, unit=w.unit_a)
    client.force_login(w.leader_a)
    page = client.get(bulk_url("sign_off")).content.decode()
    assert f'value="{mine[0].pk}"' in page
    before = len(audit_codes("reply.signed_off"))
    ids = [mine[0].pk, b_assignment.pk, not_drafted.pk, mine[1].pk]
    confirm = client.get(bulk_url("sign_off"), {"ids": ids})
    assert confirm.status_code == 200 and len(audit_codes("reply.signed_off")) == before
    body = client.post(bulk_url("sign_off"), {"ids": ids, "confirm": "1"}).content.decode()
    assert f'data-pk="{mine[0].pk}" data-status="done"' in body
    assert f'data-pk="{mine[1].pk}" data-status="done"' in body
    assert f'data-pk="{b_assignment.pk}" data-status="refused"' in body
    assert f'data-pk="{not_drafted.pk}" data-status="refused"' in body
    assert refresh(mine[0]).state == AssignmentState.REPLIED
    assert refresh(not_drafted).state != AssignmentState.REPLIED
    assert refresh(b_assignment).state == AssignmentState.ASSIGNED
    signed = audit_codes("reply.signed_off")
    assert signed[before:] == [drafted[0].pk, drafted[1].pk]
    assert refresh(theirs).state == SuggestionState.ASSIGNED  # not chosen, untouched


def test_junk_ids_are_ignored(client, evaluated, loop):
    client.force_login(loop.w.clerk)
    response = client.get(bulk_url("close"), {"ids": ["x", "-3", "", str(evaluated[0].pk)]})
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-pk=") == 1


def test_bulk_pages_cost_a_fixed_number_of_queries(client, daytime, loop, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(address, params=None):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(address, params).status_code == 200
        return len(ctx.captured_queries)

    few = [loop.drive.to("evaluated", title=f"建议{i}") for i in range(2)]
    client.force_login(loop.w.clerk)
    select_few = count(bulk_url("close"))
    more = few + [loop.drive.to("evaluated", title=f"建议{i}") for i in range(2, 5)]
    assert count(bulk_url("close")) == select_few
    with django_assert_max_num_queries(20):
        assert client.get(bulk_url("close")).status_code == 200
    # the confirmation reads each chosen item (its access check): a fixed number per item
    two = count(bulk_url("close"), {"ids": [s.pk for s in more[:2]]})
    four = count(bulk_url("close"), {"ids": [s.pk for s in more[:4]]})
    assert four - two <= 2 * (two - count(bulk_url("close"), {"ids": [more[0].pk]}))


# --- print ----------------------------------------------------------------------------------------


def test_print_page_for_those_who_see_the_suggestion_only(client, daytime, loop):
    w = loop.w
    s = loop.drive.to("replied", cosign=True, title="可打印的建议")
    for persona in ("deputy", "cosigner", "clerk", "handler_a", "coordinator", "viewer"):
        client.force_login(getattr(w, persona))
        response = client.get(url("print", s.pk))
        assert response.status_code == 200, persona
        body = response.content.decode()
        assert "可打印的建议" in body and "data-print" in body
        assert s.number in body and w.unit_a.name in body
    for persona in ("handler_b", "judge", "outsider"):
        client.force_login(getattr(w, persona))
        assert client.get(url("print", s.pk)).status_code == 404, persona
    client.force_login(w.clerk)
    assert client.get(url("print", s.pk, code="beta")).status_code == 404
    assert 'href="' + url("print", s.pk) + '"' in client.get(url("detail", s.pk)).content.decode()


# --- the 督办 card and the 批示 form on the suggestion page ----------------------------------------


def instruction_url(s, code="alpha"):
    return reverse("supervision:instruction_create", args=[code, s.pk])


def test_supervise_card_shown_to_those_who_may_supervise(client, daytime, loop):
    w = loop.w
    s = loop.drive.to("assigned", title="督办的建议")
    for persona in ("clerk", "inspector", "supervisor"):
        client.force_login(getattr(w, persona))
        body = client.get(url("detail", s.pk)).content.decode()
        assert 'id="supervise"' in body, persona
        assert reverse("supervision:suggestion_detail", args=["alpha", s.pk]) in body
    client.force_login(w.inspector)
    assert instruction_url(s) in client.get(url("detail", s.pk)).content.decode()
    for persona in ("deputy", "handler_a", "viewer"):
        client.force_login(getattr(w, persona))
        body = client.get(url("detail", s.pk)).content.decode()
        assert 'id="supervise"' not in body and instruction_url(s) not in body, persona


def test_instruction_from_the_suggestion_page(client, daytime, loop):
    w = loop.w
    s = loop.drive.to("assigned", title="领导批示的建议")
    data = {
        "back": "suggestion",
        "leader_name": "张区长",
        "leader_title": "区长",
        "instructed_on": "2026-03-16",
        "text": "请住建局抓紧落实。",
        "due_on": "",
    }
    # no permission: a deputy and a unit handler get 404/403 and nothing is recorded
    for persona in ("deputy", "handler_a"):
        client.force_login(getattr(w, persona))
        assert client.post(instruction_url(s), data).status_code in (403, 404), persona
    assert not Instruction.objects.exists()
    # another congress's admin cannot reach it
    client.force_login(w.outsider)
    assert client.post(instruction_url(s, code="alpha"), data).status_code == 404
    # bad input: the form again with the error, nothing recorded
    client.force_login(w.inspector)
    bad = client.post(instruction_url(s), {**data, "text": ""})
    assert bad.status_code == 422 and 'name="back" value="suggestion"' in bad.content.decode()
    assert not Instruction.objects.exists()
    response = client.post(instruction_url(s), data)
    assert response.status_code == 302
    assert response["Location"] == url("detail", s.pk) + "#supervise"
    instruction = Instruction.objects.get()
    assert instruction.suggestion_id == s.pk and instruction.leader_name == "张区长"
    rows = AuditEvent.objects.filter(code="instruction.recorded")
    assert rows.count() == 1 and rows.get().actor_id == w.inspector.pk
    # without `back`, the old destination (the instruction's page)
    client.post(instruction_url(s), {**data, "back": ""})
    assert Instruction.objects.count() == 2


def test_detail_with_the_supervise_card_costs_a_fixed_number_of_queries(
    client, daytime, loop, django_assert_max_num_queries
):
    s = loop.drive.to("replied", co=True, cosign=True, result="B")
    for persona in ("clerk", "inspector", "supervisor"):
        client.force_login(getattr(loop.w, persona))
        with django_assert_max_num_queries(45):
            assert client.get(url("detail", s.pk)).status_code == 200
