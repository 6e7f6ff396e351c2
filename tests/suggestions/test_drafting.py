"""提出: create, edit, co-sign, submit, withdraw — happy paths, every refusal, audit rows."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from minyi.congress.models import Category
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.suggestions import actions as A
from minyi.suggestions.models import CoSigner, Deadline, WithdrawalRequest
from tests.factories import CongressFactory, DeputyFactory

from .conftest import codes, content, make_deputy, refresh, refused


def deputy_of(user):
    return user.deputy_records.get()


# --- create / edit -----------------------------------------------------------------------------------


def test_deputy_creates_draft_for_themself(loop):
    w = loop.w
    s = A.do_create_suggestion(w.congress, actor=w.deputy, content=content(loop.taxa))
    assert s.state == "draft" and s.lead == deputy_of(w.deputy) and s.entered_by == w.deputy
    assert list(s.theme_tags.all()) == [loop.taxa.theme]
    assert codes(s) == ["suggestion.created"]


def test_liaison_clerk_drafts_for_a_deputy_but_cannot_submit(loop):
    w = loop.w
    s = A.do_create_suggestion(
        w.congress, actor=w.liaison, lead=deputy_of(w.deputy), content=content(loop.taxa)
    )
    assert s.entered_by == w.liaison and s.lead == deputy_of(w.deputy)
    s = A.do_update_suggestion(s, actor=w.liaison, content=content(loop.taxa, title="改过的案由"))
    assert s.title == "改过的案由"
    with refused(NotPermitted, match="只有领衔代表本人"):
        A.do_submit_suggestion(s, actor=w.liaison)
    s = A.do_submit_suggestion(s, actor=w.deputy)
    assert s.state == "submitted"
    assert codes(s) == ["suggestion.created", "suggestion.updated", "suggestion.submitted"]


def test_create_refusals(loop, world):
    w = loop.w
    with refused(NotPermitted):  # a deputy cannot draft in another deputy's name
        A.do_create_suggestion(
            w.congress, actor=w.deputy, lead=deputy_of(w.cosigner), content=content(loop.taxa)
        )
    for actor in (w.clerk, w.handler_a, w.coordinator, w.viewer):
        with refused(ValidationFailed, code="lead_required"):  # no deputy record of their own
            A.do_create_suggestion(w.congress, actor=actor, content=content(loop.taxa))
        with refused(NotPermitted):
            A.do_create_suggestion(
                w.congress, actor=actor, lead=deputy_of(w.deputy), content=content(loop.taxa)
            )
    with refused(NotPermitted):  # another congress's admin
        A.do_create_suggestion(
            w.congress, actor=w.outsider, lead=deputy_of(w.deputy), content=content(loop.taxa)
        )
    with refused(ValidationFailed, code="title_required"):
        A.do_create_suggestion(w.congress, actor=w.deputy, content=content(loop.taxa, title="  "))
    with refused(ValidationFailed, code="title_too_long"):
        A.do_create_suggestion(w.congress, actor=w.deputy, content=content(loop.taxa, title="长" * 201))
    with refused(ValidationFailed, code="collected_in_future"):
        A.do_create_suggestion(
            w.congress,
            actor=w.deputy,
            content=content(loop.taxa, collected_on=timezone.localdate() + datetime.timedelta(days=1)),
        )
    foreign = Category.objects.create(congress=w.other_congress, name="外区分类")
    with refused(ValidationFailed, code="wrong_congress"):
        A.do_create_suggestion(w.congress, actor=w.deputy, content=content(loop.taxa, category=foreign))
    inactive = Category.objects.create(congress=w.congress, name="停用分类", active=False)
    with refused(ValidationFailed, code="inactive"):
        A.do_create_suggestion(w.congress, actor=w.deputy, content=content(loop.taxa, category=inactive))
    other_deputy = DeputyFactory(congress=CongressFactory(code="gamma"), user=None)
    with refused(ValidationFailed, code="wrong_congress"):
        A.do_create_suggestion(w.congress, actor=w.liaison, lead=other_deputy, content=content(loop.taxa))
    gone = DeputyFactory(congress=w.congress, in_office_to=timezone.localdate() - datetime.timedelta(days=1))
    with refused(ValidationFailed, code="not_in_office"):
        A.do_create_suggestion(w.congress, actor=w.liaison, lead=gone, content=content(loop.taxa))


def test_update_records_changed_fields_only(loop):
    w = loop.w
    s = loop.drive.to("draft")
    s = A.do_update_suggestion(s, actor=w.deputy, content=content(loop.taxa, title="新案由", theme_tags=[]))
    from minyi.audit.models import AuditEvent

    event = AuditEvent.objects.filter(suggestion=s, code="suggestion.updated").get()
    assert set(event.new) == {"title", "theme_tags"} and event.new["theme_tags"] == []
    assert event.old["title"] == "关于加强老旧小区物业管理的建议"
    A.do_update_suggestion(s, actor=w.deputy, content=content(loop.taxa, title="新案由", theme_tags=[]))
    assert codes(s).count("suggestion.updated") == 1  # nothing changed, nothing recorded


def test_update_refusals(loop):
    w = loop.w
    s = loop.drive.to("draft")
    for actor in (w.cosigner, w.clerk, w.handler_a, w.outsider):
        with refused(NotPermitted):
            A.do_update_suggestion(s, actor=actor, content=content(loop.taxa))
    submitted = loop.drive.to("submitted")
    with refused(InvalidTransition, match="待审查"):
        A.do_update_suggestion(submitted, actor=w.deputy, content=content(loop.taxa))
    # a returned suggestion: the deputy may revise it, the liaison clerk who typed the draft not
    liaison_draft = A.do_create_suggestion(
        w.congress, actor=w.liaison, lead=deputy_of(w.deputy), content=content(loop.taxa)
    )
    A.do_submit_suggestion(liaison_draft, actor=w.deputy)
    A.do_return_suggestion(liaison_draft, actor=w.clerk, reason="请补充数据")
    with refused(NotPermitted):  # the liaison no longer sees it once submitted
        A.do_update_suggestion(liaison_draft, actor=w.liaison, content=content(loop.taxa))
    A.do_update_suggestion(liaison_draft, actor=w.deputy, content=content(loop.taxa, facts="补充了数据"))
    assert refresh(liaison_draft).facts == "补充了数据"


# --- co-signers --------------------------------------------------------------------------------------


def test_cosigning_invite_confirm_decline_revoke(loop):
    w = loop.w
    s = loop.drive.to("draft")
    third = DeputyFactory(congress=w.congress, user=None, name="第三代表")
    invitation = A.do_invite_cosigner(s, actor=w.deputy, deputy=deputy_of(w.cosigner))
    assert invitation.state == "invited"
    invitation = A.do_confirm_cosign(invitation, actor=w.cosigner)
    assert invitation.state == "confirmed" and invitation.answered_at is not None
    invitation = A.do_decline_cosign(invitation, actor=w.cosigner)  # changes their mind before submission
    assert invitation.state == "declined"
    invitation = A.do_invite_cosigner(s, actor=w.deputy, deputy=deputy_of(w.cosigner))  # invited again
    assert invitation.state == "invited" and CoSigner.objects.filter(suggestion=s).count() == 1
    invitation = A.do_revoke_cosigner(invitation, actor=w.deputy)
    assert invitation.state == "revoked"
    with refused(ValidationFailed, code="deputy_without_account"):
        A.do_invite_cosigner(s, actor=w.deputy, deputy=third)
    assert codes(s) == [
        "suggestion.created",
        "cosigner.invited",
        "cosigner.confirmed",
        "cosigner.declined",
        "cosigner.invited",
        "cosigner.revoked",
    ]


def test_cosigning_refusals(loop):
    w = loop.w
    s = loop.drive.to("draft")
    with refused(ValidationFailed, code="lead_cannot_cosign"):
        A.do_invite_cosigner(s, actor=w.deputy, deputy=deputy_of(w.deputy))
    other = DeputyFactory(congress=w.other_congress)
    with refused(ValidationFailed, code="wrong_congress"):
        A.do_invite_cosigner(s, actor=w.deputy, deputy=other)
    for actor in (w.cosigner, w.clerk, w.outsider):
        with refused(NotPermitted):
            A.do_invite_cosigner(s, actor=actor, deputy=deputy_of(w.cosigner))
    invitation = A.do_invite_cosigner(s, actor=w.deputy, deputy=deputy_of(w.cosigner))
    with refused(InvalidTransition, match="待确认"):  # already invited
        A.do_invite_cosigner(s, actor=w.deputy, deputy=deputy_of(w.cosigner))
    for actor in (w.deputy, w.clerk, w.liaison):  # only the invited deputy answers
        with refused(NotPermitted):
            A.do_confirm_cosign(invitation, actor=actor)
    A.do_submit_suggestion(s, actor=w.deputy)
    assert refresh(invitation).state == "lapsed"
    with refused(InvalidTransition, match="待审查"):  # too late: the suggestion was submitted
        A.do_confirm_cosign(invitation, actor=w.cosigner)
    with refused(InvalidTransition):
        A.do_invite_cosigner(s, actor=w.deputy, deputy=deputy_of(w.cosigner))


def test_submit_lapses_unanswered_invitations_and_keeps_confirmed(loop):
    w = loop.w
    s = loop.drive.to("draft")
    fourth_user = w.viewer  # any user can be the account of a deputy record
    fourth = DeputyFactory(congress=w.congress, user=fourth_user, name="第四代表")
    confirmed = A.do_invite_cosigner(s, actor=w.deputy, deputy=deputy_of(w.cosigner))
    A.do_confirm_cosign(confirmed, actor=w.cosigner)
    unanswered = A.do_invite_cosigner(s, actor=w.deputy, deputy=fourth)
    s = A.do_submit_suggestion(s, actor=w.deputy)
    assert refresh(confirmed).state == "confirmed" and refresh(unanswered).state == "lapsed"
    assert codes(s)[-2:] == ["suggestion.submitted", "cosigner.lapsed"]
    review = Deadline.objects.get(suggestion=s, kind="review")
    assert review.is_open and review.started_on == timezone.localdate()
    assert review.rule == "提交后3个工作日内审查"


def test_submit_refusals(loop):
    w = loop.w
    s = A.do_create_suggestion(
        w.congress, actor=w.deputy, content=content(loop.taxa, facts="", category=None)
    )
    with refused(ValidationFailed, code="incomplete", match="情况与问题、分类"):
        A.do_submit_suggestion(s, actor=w.deputy)
    s = loop.drive.to("draft")
    for actor in (w.cosigner, w.clerk, w.liaison, w.outsider, w.handler_a):
        with refused(NotPermitted):
            A.do_submit_suggestion(s, actor=actor)
    A.do_submit_suggestion(s, actor=w.deputy)
    with refused(InvalidTransition, match="当前状态为“待审查”，不能提交建议"):
        A.do_submit_suggestion(s, actor=w.deputy)
    # the lead leaves office before submitting
    late = loop.drive.to("draft")
    deputy = deputy_of(w.deputy)
    deputy.in_office_to = timezone.localdate() + datetime.timedelta(days=1)
    deputy.save()
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=3)),
        refused(ValidationFailed, code="not_in_office"),
    ):
        A.do_submit_suggestion(late, actor=w.deputy)


# --- withdraw ------------------------------------------------------------------------------------


def test_withdraw_draft_and_solo_suggestion(loop):
    w = loop.w
    draft = loop.drive.to("draft")
    assert A.do_withdraw_suggestion(draft, actor=w.deputy).state == "withdrawn"
    accepted = loop.drive.to("accepted")
    with refused(ValidationFailed, code="reason_required"):
        A.do_withdraw_suggestion(accepted, actor=w.deputy)
    accepted = A.do_withdraw_suggestion(accepted, actor=w.deputy, reason="问题已解决")
    assert accepted.state == "withdrawn"
    assert not Deadline.objects.filter(suggestion=accepted, closed_at__isnull=True).exists()
    assert codes(accepted)[-1] == "suggestion.withdrawn"


def test_withdraw_refusals(loop):
    w = loop.w
    joint = loop.drive.to("submitted", cosign=True)
    with refused(ValidationFailed, code="cosigners_must_agree"):
        A.do_withdraw_suggestion(joint, actor=w.deputy, reason="不再需要")
    for actor in (w.cosigner, w.clerk, w.outsider):
        with refused(NotPermitted):
            A.do_withdraw_suggestion(joint, actor=actor, reason="x")
    assigned = loop.drive.to("assigned")
    with refused(InvalidTransition, match="办理中"):
        A.do_withdraw_suggestion(assigned, actor=w.deputy, reason="太晚了")
    solo = loop.drive.to("submitted")
    with refused(ValidationFailed, code="no_cosigners"):
        A.do_request_withdrawal(solo, actor=w.deputy, reason="x")


def test_joint_withdrawal_needs_every_cosigner(loop):
    w = loop.w
    s = loop.drive.to("accepted", cosign=True)
    fifth = make_deputy(w.congress, "fifth")
    # a second co-signer cannot be added after submission, so build a fresh joint suggestion with two
    s2 = loop.drive.to("draft", cosign=True)
    A.do_confirm_cosign(A.do_invite_cosigner(s2, actor=w.deputy, deputy=deputy_of(fifth)), actor=fifth)
    s2 = A.do_submit_suggestion(s2, actor=w.deputy)
    request = A.do_request_withdrawal(s2, actor=w.deputy, reason="已与部门沟通解决")
    assert request.state == "pending" and request.consents.count() == 2
    with refused(ValidationFailed, code="withdrawal_pending"):
        A.do_request_withdrawal(s2, actor=w.deputy, reason="again")
    with refused(NotPermitted):  # the lead is not asked
        A.do_answer_withdrawal(request, actor=w.deputy, agree=True)
    request = A.do_answer_withdrawal(request, actor=w.cosigner, agree=True)
    assert request.state == "pending" and refresh(s2).state == "submitted"
    with refused(InvalidTransition, code="already_answered"):
        A.do_answer_withdrawal(request, actor=w.cosigner, agree=True)
    request = A.do_answer_withdrawal(request, actor=fifth, agree=True)
    assert request.state == "agreed" and refresh(s2).state == "withdrawn"
    assert codes(s2)[-4:] == [
        "withdrawal.requested",
        "withdrawal.agreed",
        "withdrawal.agreed",
        "suggestion.withdrawn",
    ]

    # one refusal ends the request
    request = A.do_request_withdrawal(s, actor=w.deputy, reason="想撤回")
    request = A.do_answer_withdrawal(request, actor=w.cosigner, agree=False, note="我认为仍有必要")
    assert request.state == "refused" and refresh(s).state == "accepted"
    with refused(InvalidTransition, match="联名代表不同意"):
        A.do_answer_withdrawal(request, actor=w.cosigner, agree=True)


def test_pending_withdrawal_lapses_when_assigned(loop):
    w = loop.w
    s = loop.drive.to("forwarded", cosign=True)
    request = A.do_request_withdrawal(s, actor=w.deputy, reason="想撤回")
    A.do_assign_units(s, actor=w.coordinator, lead_units=[w.unit_a])
    assert refresh(request).state == "lapsed"
    assert codes(s)[-1] == "withdrawal.lapsed"
    with refused(InvalidTransition):
        A.do_answer_withdrawal(request, actor=w.cosigner, agree=True)
    assert WithdrawalRequest.objects.filter(state="pending").count() == 0


@pytest.mark.parametrize("state", ["returned", "forwarded"])
def test_withdrawal_request_possible_until_assignment(loop, state):
    w = loop.w
    if state == "returned":
        s = loop.drive.to("submitted", cosign=True)
        s = A.do_return_suggestion(s, actor=w.clerk, reason="请修改")
    else:
        s = loop.drive.to("forwarded", cosign=True)
    request = A.do_request_withdrawal(s, actor=w.deputy, reason="撤回")
    A.do_answer_withdrawal(request, actor=w.cosigner, agree=True)
    assert refresh(s).state == "withdrawn"
