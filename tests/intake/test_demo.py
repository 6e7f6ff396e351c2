"""The demo set: events, duty days and opinions in every disposition, made through the actions by the
demo accounts, with one opinion driven to a signed-off reply and its constituent told."""

import random

from minyi.accounts.models import Role
from minyi.audit.services import verify_chain
from minyi.congress.models import Channel
from minyi.intake.demo import seed_demo_intake
from minyi.intake.models import DutyDay, Opinion, OutcomeNotice, StationEvent
from minyi.intake.selectors import same_day_upload_rate
from minyi.intake.states import OpinionState
from tests.factories import MembershipFactory, StationFactory, UserFactory
from tests.suggestions.test_demo import demo_congress


def test_demo_covers_every_disposition(db, settings):
    settings.MINYI_SMS_BACKEND = "tests.intake.sms_backend.RecordingSmsBackend"
    congress = demo_congress()
    Channel.objects.create(congress=congress, name="局长·代表面对面", grassroots=True)
    for i in range(1, 4):
        station = StationFactory(congress=congress, name=f"示范第{i}联络站", address=f"示范路{i}号")
        MembershipFactory(
            user=UserFactory(username=f"liaison{i}"),
            congress=congress,
            role=Role.LIAISON_CLERK,
            station=station,
        )
    made = seed_demo_intake(congress, rng=random.Random(2026))
    assert len(made) == 15
    assert StationEvent.objects.filter(congress=congress).count() == 6
    assert DutyDay.objects.filter(congress=congress).count() == 9
    states = set(Opinion.objects.filter(congress=congress).values_list("state", flat=True))
    assert states == set(OpinionState.values)
    assert OutcomeNotice.objects.filter(congress=congress).count() >= 2  # a unit answer and a reply
    assert Opinion.objects.filter(congress=congress, constituent_phone__startswith="1390000").exists()
    dates = Opinion.objects.filter(congress=congress, state="adopted").values_list("collected_on", flat=True)
    rate = same_day_upload_rate(congress, min(dates), max(dates))
    assert rate.adopted == 3 and 0 < rate.same_day <= rate.adopted
    assert verify_chain().ok
