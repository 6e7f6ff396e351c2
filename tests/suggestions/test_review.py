"""审查 and 交办: accept/number, return, decline, merge, forward, assign."""

import datetime

import time_machine
from django.utils import timezone

from minyi.accounts.models import Role
from minyi.congress.models import ExclusionReason, Unit
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.suggestions import actions as A
from minyi.suggestions.models import Assignment, Deadline, SuggestionCounter
from minyi.suggestions.selectors import suggestions_visible_to
from tests.factories import BodyFactory, MembershipFactory, UnitFactory, UserFactory

from .conftest import codes, refresh, refused


def test_accept_numbers_per_congress_and_year(loop):
    w = loop.w
    first = A.do_accept_suggestion(loop.drive.to("submitted"), actor=w.clerk)
    second = A.do_accept_suggestion(loop.drive.to("submitted"), actor=w.admin)
    year = timezone.localdate().year
    assert (first.year, first.seq, first.number) == (year, 1, f"甲区〔{year}〕第1号")
    assert second.number == f"甲区〔{year}〕第2号"
    assert first.state == "accepted" and first.accepted_at is not None
    assert SuggestionCounter.objects.get(congress=w.congress, year=year).last == 2
    review = Deadline.objects.get(suggestion=first, kind="review")
    assert review.closed_on_time is True and review.close_reason == "done"
    assign = Deadline.objects.get(suggestion=first, kind="assign")
    assert assign.is_open and assign.rule == "立案后5个工作日内交办"
    assert codes(first)[-1] == "suggestion.accepted"
    with time_machine.travel(datetime.datetime(year + 1, 1, 5, 10, tzinfo=datetime.UTC)):
        third = A.do_accept_suggestion(loop.drive.to("submitted"), actor=w.clerk)
    assert third.number == f"甲区〔{year + 1}〕第1号"


def test_refused_acceptance_gives_no_number(loop):
    w = loop.w
    s = loop.drive.to("submitted")
    with refused(NotPermitted):
        A.do_accept_suggestion(s, actor=w.coordinator)
    assert not SuggestionCounter.objects.exists()
    assert A.do_accept_suggestion(s, actor=w.clerk).seq == 1


def test_review_refusals(loop):
    w = loop.w
    s = loop.drive.to("submitted")
    for actor in (w.deputy, w.coordinator, w.handler_a, w.supervisor, w.viewer, w.outsider):
        for call in (
            lambda a: A.do_accept_suggestion(s, actor=a),
            lambda a: A.do_return_suggestion(s, actor=a, reason="x"),
            lambda a: A.do_decline_suggestion(s, actor=a, reason=loop.taxa.exclusion, disposition="returned"),
        ):
            with refused(NotPermitted):
                call(actor)
    draft = loop.drive.to("draft")
    with refused(InvalidTransition, match="当前状态为“草稿”，不能立案"):
        A.do_accept_suggestion(draft, actor=w.clerk)
    accepted = A.do_accept_suggestion(s, actor=w.clerk)
    with refused(InvalidTransition):
        A.do_accept_suggestion(accepted, actor=w.clerk)
    with refused(InvalidTransition):
        A.do_return_suggestion(accepted, actor=w.clerk, reason="x")


def test_return_and_resubmit(loop):
    w = loop.w
    s = loop.drive.to("submitted")
    with refused(ValidationFailed, code="reason_required"):
        A.do_return_suggestion(s, actor=w.clerk, reason=" ")
    s = A.do_return_suggestion(s, actor=w.clerk, reason="请补充具体数据")
    assert s.state == "returned" and s.return_reason == "请补充具体数据"
    s = A.do_submit_suggestion(s, actor=w.deputy)
    assert s.state == "submitted"
    reviews = Deadline.objects.filter(suggestion=s, kind="review").order_by("id")
    assert [d.is_open for d in reviews] == [False, True]
    assert codes(s)[-2:] == ["suggestion.returned", "suggestion.submitted"]


def test_decline(loop):
    w = loop.w
    s = loop.drive.to("submitted")
    with refused(ValidationFailed, code="bad_disposition"):
        A.do_decline_suggestion(s, actor=w.clerk, reason=loop.taxa.exclusion, disposition="lost")
    foreign = ExclusionReason.objects.create(congress=w.other_congress, name="外区情形")
    with refused(ValidationFailed, code="wrong_congress"):
        A.do_decline_suggestion(s, actor=w.clerk, reason=foreign, disposition="returned")
    with refused(ValidationFailed, code="reason_required"):
        A.do_decline_suggestion(s, actor=w.clerk, reason=None, disposition="returned")
    s = A.do_decline_suggestion(
        s, actor=w.clerk, reason=loop.taxa.exclusion, disposition="deputy_letter", note="按代表来信处理"
    )
    assert (s.state, s.decline_reason, s.decline_disposition) == (
        "declined",
        loop.taxa.exclusion,
        "deputy_letter",
    )
    assert codes(s)[-1] == "suggestion.declined"
    assert not Deadline.objects.filter(suggestion=s, closed_at__isnull=True).exists()


def test_merge_lets_both_deputies_see_the_main_suggestion(loop):
    w = loop.w
    main = loop.drive.to("accepted")
    # the co-signer leads a duplicate of their own
    dup = A.do_create_suggestion(
        w.congress,
        actor=w.cosigner,
        content=A.SuggestionContent(**{**vars(_content(loop)), "title": "同类建议"}),
    )
    dup = A.do_submit_suggestion(dup, actor=w.cosigner)
    assert main not in suggestions_visible_to(w.cosigner, w.congress)
    dup = A.do_merge_suggestion(dup, actor=w.clerk, into=main, note="内容相同，并案办理")
    assert dup.state == "merged" and dup.main == main
    assert main in suggestions_visible_to(w.cosigner, w.congress)
    assert codes(dup)[-1] == "suggestion.merged"
    assert codes(main)[-1] == "suggestion.merged_in"


def _content(loop):
    from .conftest import content

    return content(loop.taxa)


def test_merge_refusals(loop):
    w = loop.w
    s = loop.drive.to("submitted")
    with refused(ValidationFailed, code="merge_into_itself"):
        A.do_merge_suggestion(s, actor=w.clerk, into=s)
    other_submitted = loop.drive.to("submitted")
    with refused(ValidationFailed, code="bad_main"):  # the main must be accepted
        A.do_merge_suggestion(s, actor=w.clerk, into=other_submitted)
    main = loop.drive.to("accepted")
    with refused(NotPermitted):
        A.do_merge_suggestion(s, actor=w.deputy, into=main)
    A.do_merge_suggestion(other_submitted, actor=w.clerk, into=s.__class__.objects.get(pk=main.pk))
    # `main` now has a merged suggestion: it cannot itself be merged elsewhere
    target = loop.drive.to("accepted")
    with refused(ValidationFailed, code="has_merged"):
        A.do_merge_suggestion(main, actor=w.clerk, into=target)
    replied = loop.drive.to("replied")
    with refused(ValidationFailed, code="bad_main"):
        A.do_merge_suggestion(s, actor=w.clerk, into=replied)


def test_forward_and_coordinator_assigns(loop):
    w = loop.w
    s = loop.drive.to("accepted")
    with refused(ValidationFailed, code="not_a_body"):
        A.do_forward_suggestion(s, actor=w.clerk, body=w.unit_a)
    with refused(NotPermitted):
        A.do_forward_suggestion(s, actor=w.coordinator, body=w.gov)
    with refused(NotPermitted):  # not forwarded yet: the coordinator may not assign
        A.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_a])
    s = A.do_forward_suggestion(s, actor=w.clerk, body=w.gov)
    assert s.state == "forwarded" and s.forwarded_to == w.gov
    with refused(ValidationFailed, code="already_forwarded"):
        A.do_forward_suggestion(s, actor=w.clerk, body=w.gov)
    created = A.do_assign_units(
        s, actor=w.coordinator, lead_units=[w.unit_a], co_units=[w.unit_b], note="请抓紧办理"
    )
    assert [(a.unit, a.role, a.state) for a in created] == [
        (w.unit_a, "lead", "assigned"),
        (w.unit_b, "co", "assigned"),
    ]
    s = refresh(s)
    assert s.state == "assigned"
    lead = created[0]
    assert lead.assigned_on == timezone.localdate() and lead.reply_due_on > lead.assigned_on
    kinds = set(Deadline.objects.filter(assignment=lead).values_list("kind", flat=True))
    assert kinds == {"reassign_window", "first_contact", "reply", "reply_statutory"}
    assert set(Deadline.objects.filter(assignment=created[1]).values_list("kind", flat=True)) == {
        "reassign_window",
        "co_opinion",
    }
    assert Deadline.objects.get(suggestion=s, kind="assign").closed_on_time is True
    assert codes(s)[-4:] == [
        "suggestion.forwarded",
        "suggestion.assigned",
        "assignment.created",
        "assignment.created",
    ]


def test_coordinator_is_limited_to_their_body(loop):
    w = loop.w
    court = BodyFactory(congress=w.congress, body_code=Unit.BodyCode.COURT)
    court_unit = UnitFactory(congress=w.congress, parent=court, name="甲区法院执行局")
    s = loop.drive.to("forwarded")
    with refused(NotPermitted, match="只能交办给本机关"):
        A.do_assign_units(s, actor=w.coordinator, lead_units=[court_unit])
    court_coordinator = UserFactory(username="court")
    MembershipFactory(user=court_coordinator, congress=w.congress, role=Role.COORDINATOR, unit=court)
    with refused(NotPermitted):  # forwarded to the government, not the court
        A.do_assign_units(s, actor=court_coordinator, lead_units=[court_unit])
    s = A.do_forward_suggestion(s, actor=w.clerk, body=court)  # re-forward
    A.do_assign_units(s, actor=court_coordinator, lead_units=[court_unit])
    assert refresh(s).state == "assigned"


def test_assign_modes_and_refusals(loop):
    w = loop.w
    s = loop.drive.to("accepted")
    with refused(ValidationFailed, code="one_lead"):
        A.do_assign_units(s, actor=w.clerk, lead_units=[])
    with refused(ValidationFailed, code="one_lead"):
        A.do_assign_units(s, actor=w.clerk, lead_units=[w.unit_a, w.unit_b])
    with refused(ValidationFailed, code="split_needs_units"):
        A.do_assign_units(s, actor=w.clerk, lead_units=[w.unit_a], split=True)
    with refused(ValidationFailed, code="split_without_co"):
        A.do_assign_units(s, actor=w.clerk, lead_units=[w.unit_a, w.unit_b], co_units=[w.gov], split=True)
    with refused(ValidationFailed, code="duplicate_unit"):
        A.do_assign_units(s, actor=w.clerk, lead_units=[w.unit_a], co_units=[w.unit_a])
    foreign = UnitFactory(congress=w.other_congress)
    with refused(ValidationFailed, code="wrong_congress"):
        A.do_assign_units(s, actor=w.clerk, lead_units=[foreign])
    inactive = UnitFactory(congress=w.congress, parent=w.gov, name="撤销的局", active=False)
    with refused(ValidationFailed, code="inactive"):
        A.do_assign_units(s, actor=w.clerk, lead_units=[inactive])
    for actor in (w.deputy, w.handler_a, w.leader_a, w.viewer, w.outsider):
        with refused(NotPermitted):
            A.do_assign_units(s, actor=actor, lead_units=[w.unit_a])
    created = A.do_assign_units(s, actor=w.clerk, lead_units=[w.unit_a, w.unit_b], split=True)
    assert [a.role for a in created] == ["split", "split"]
    s = refresh(s)
    with refused(ValidationFailed, code="split_without_co"):  # a split takes no co-units
        A.do_assign_units(s, actor=w.clerk, co_units=[w.gov])


def test_adding_a_co_unit_while_handling(loop):
    w = loop.w
    s = loop.drive.to("assigned", direct=True)
    with refused(ValidationFailed, code="lead_exists"):
        A.do_assign_units(s, actor=w.clerk, lead_units=[w.unit_b])
    with refused(ValidationFailed, code="nothing_to_assign"):
        A.do_assign_units(s, actor=w.clerk)
    with refused(ValidationFailed, code="already_assigned"):
        A.do_assign_units(s, actor=w.clerk, co_units=[w.unit_a])
    added = A.do_assign_units(s, actor=w.clerk, co_units=[w.unit_b])
    assert [a.role for a in added] == ["co"]
    assert Assignment.objects.filter(suggestion=s).count() == 2
    assert refresh(s).state == "assigned"
