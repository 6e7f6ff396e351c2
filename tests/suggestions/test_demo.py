"""The demo set: every state of the loop, made through the actions by the demo accounts."""

import random

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.congress.actions import ensure_policy
from minyi.congress.models import Category, Channel, ExclusionReason, ResultClass, ThemeTag, Unit
from minyi.suggestions.demo import seed_demo_suggestions
from minyi.suggestions.models import (
    Assignment,
    ExtensionRequest,
    ReassignRequest,
    Suggestion,
    WithdrawalRequest,
)
from minyi.suggestions.states import AssignmentState, SuggestionState
from tests.factories import (
    BodyFactory,
    CongressFactory,
    DeputyFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)


def demo_congress():
    congress = CongressFactory(code="demo", name="示范区人大常委会", short_name="示范")
    ensure_policy(congress)
    gov = BodyFactory(congress=congress, body_code=Unit.BodyCode.GOVERNMENT)
    for username, role, unit in [("clerk", Role.CONGRESS_CLERK, None), ("gov", Role.COORDINATOR, gov)]:
        MembershipFactory(user=UserFactory(username=username), congress=congress, role=role, unit=unit)
    for i in range(1, 9):
        user = UserFactory(username=f"deputy{i}")
        MembershipFactory(user=user, congress=congress, role=Role.DEPUTY)
        DeputyFactory(congress=congress, user=user, name=f"代表{i}")
    for i in range(1, 5):
        unit = UnitFactory(congress=congress, parent=gov, name=f"示范区第{i}局")
        MembershipFactory(
            user=UserFactory(username=f"unit{i}"), congress=congress, role=Role.UNIT_HANDLER, unit=unit
        )
        MembershipFactory(
            user=UserFactory(username=f"leader{i}"), congress=congress, role=Role.UNIT_LEADER, unit=unit
        )
    Category.objects.create(congress=congress, name="城乡建设")
    ThemeTag.objects.create(congress=congress, name="物业管理")
    Channel.objects.create(congress=congress, name="联络站接待选民", grassroots=True)
    for code, commitments in [("A", False), ("B", True), ("C", True), ("D", False)]:
        ResultClass.objects.create(
            congress=congress, code=code, name=f"{code}类", requires_commitments=commitments
        )
    ExclusionReason.objects.create(congress=congress, name="没有具体内容")
    return congress


def test_demo_covers_every_state(db):
    congress = demo_congress()
    made = seed_demo_suggestions(congress, random.Random(2026))
    states = {s.state for s in made}
    assert states == set(SuggestionState.values)
    assert set(Assignment.objects.filter(suggestion__congress=congress).values_list("state", flat=True)) >= {
        AssignmentState.ASSIGNED,
        AssignmentState.HANDLING,
        AssignmentState.REASSIGN_REQUESTED,
        AssignmentState.REPLY_DRAFTED,
        AssignmentState.REPLIED,
        AssignmentState.CANCELLED,
        AssignmentState.OPINION_SUBMITTED,
    }
    assert ExtensionRequest.objects.filter(state="pending").exists()
    assert ReassignRequest.objects.filter(status="pending").exists()
    assert WithdrawalRequest.objects.filter(state="pending").exists()
    assert Suggestion.objects.filter(congress=congress, round=2).count() == 2
    assert AuditEvent.objects.filter(suggestion__congress=congress).count() > 100
    assert verify_chain().ok
    # keyword form and a second set work too (idempotency is the caller's job)
    again = seed_demo_suggestions(congress, rng=random.Random(1))
    assert len(again) == len(made)
