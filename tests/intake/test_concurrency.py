"""Two people act on the same opinion at the same moment: exactly one succeeds, the other gets a clean
domain error; the constituent gets one SMS (SQLite and PostgreSQL)."""

import pytest

from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.core.errors import DomainError
from minyi.intake import actions as A
from minyi.intake.models import Opinion, OutcomeNotice
from minyi.suggestions.models import Suggestion
from tests.suggestions.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_tell_the_constituent_at_once(intake, sms):
    w = intake.w
    opinion = intake.record()
    A.do_forward_opinion(opinion, actor=w.liaison, unit=w.unit_a)
    A.do_answer_forwarded_opinion(opinion, actor=w.handler_a, answer="已处理")
    results = race(
        lambda: A.do_notify_constituent_of_outcome(Opinion.objects.get(pk=opinion.pk), actor=w.liaison),
        lambda: A.do_notify_constituent_of_outcome(Opinion.objects.get(pk=opinion.pk), actor=w.deputy),
    )
    ok = [r for r in results if isinstance(r, OutcomeNotice)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 1 and len(refused) == 1, results
    assert refused[0].code == "already_notified"
    assert OutcomeNotice.objects.exclude(key__endswith=":tracking").count() == 1  # + the tracking code's
    assert AuditEvent.objects.filter(code="intake.opinion.notified").count() == 1
    assert len(sms) == 1  # sent after the winner's commit
    assert verify_chain().ok


def test_answer_on_the_spot_against_adoption(intake):
    w = intake.w
    opinion = intake.record()
    results = race(
        lambda: A.do_answer_opinion_on_spot(
            Opinion.objects.get(pk=opinion.pk), actor=w.liaison, answer="已答复"
        ),
        lambda: A.do_adopt_opinion_as_suggestion(
            Opinion.objects.get(pk=opinion.pk), actor=w.deputy, data=A.AdoptionInput(title="关于路灯的建议")
        ),
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == "invalid_transition", results
    state = Opinion.objects.get(pk=opinion.pk).state
    assert state in ("answered", "adopted")
    assert Suggestion.objects.count() == (1 if state == "adopted" else 0)
    assert verify_chain().ok
