"""Quiet hours on purpose, not by accident: the congress's quiet hours (default 21:00–08:00) are
Beijing hours, whatever the clock of the machine says — the same rule for the notifications outbox
(e-mail, SMS to users) and for the constituents' outcome SMS (intake).

Every other test that sends something pins "now" to a working morning (`daytime` in tests/conftest.py);
`make test` also runs these directories under a night-time clock (faketime, 23:30 Beijing)."""

from __future__ import annotations

import datetime

import pytest

from minyi.congress.actions import ensure_policy
from minyi.core import quiet_hours
from minyi.intake import delivery as intake_delivery
from minyi.notifications import delivery
from minyi.notifications.models import Delivery

from .conftest import TZ, at
from .helpers import notices_for, people

UTC = datetime.UTC


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    """A moment on `day` December 2026, as a machine whose clock is on UTC gives it."""
    return datetime.datetime(2026, 12, day, hour, minute, second, tzinfo=UTC)


def test_one_quiet_hours_rule_for_the_outbox_and_the_outcome_sms():
    """Written once (minyi.core.quiet_hours): the two senders cannot drift apart."""
    assert delivery.quiet_until is quiet_hours.quiet_until
    assert intake_delivery.quiet_until is quiet_hours.quiet_until


@pytest.mark.parametrize("quiet_until", [delivery.quiet_until, intake_delivery.quiet_until])
@pytest.mark.parametrize(
    ("moment", "until"),
    [
        (utc(6, 12, 59, 59), None),  # 20:59:59 Beijing: still allowed
        (utc(6, 13, 0), at(12, 7, 8, 0)),  # 21:00 Beijing exactly: quiet until the morning
        (utc(6, 15, 30), at(12, 7, 8, 0)),  # 23:30 Beijing
        (utc(6, 16, 0), at(12, 7, 8, 0)),  # midnight Beijing (16:00 UTC, still the 6th there)
        (utc(6, 19, 0), at(12, 7, 8, 0)),  # 03:00 Beijing on the 7th
        (utc(6, 23, 59, 59), at(12, 7, 8, 0)),  # 07:59:59 Beijing
        (utc(7, 0, 0), None),  # 08:00 Beijing exactly: sending again
        (utc(7, 3, 0), None),  # 11:00 Beijing
        (utc(31, 15, 30), at(1, 1, 8, 0, year=2027)),  # 23:30 on New Year's Eve: until next year
    ],
)
def test_quiet_hours_are_beijing_hours_whatever_the_clock_says(world, quiet_until, moment, until):
    policy = ensure_policy(world.congress)
    assert (policy.quiet_hours_start, policy.quiet_hours_end) == (datetime.time(21), datetime.time(8))
    result = quiet_until(policy, moment)
    assert result == until
    if result is not None:
        assert result.tzinfo is not None and result.astimezone(TZ).time() == datetime.time(8)


def test_mail_and_sms_queued_at_half_past_eleven_go_out_at_eight_exactly(world, smtp, sms, time_machine):
    ensure_policy(world.congress)  # the default quiet hours, 21:00–08:00
    time_machine.move_to(utc(6, 15, 30), tick=False)  # 23:30 Beijing
    notices = notices_for(world.congress, people(1, phone=True), kind="overdue")
    rows = Delivery.objects.filter(notice__in=notices)
    assert {r.next_attempt_at for r in rows} == {at(12, 7, 8, 0)}  # held until 08:00 Beijing
    assert delivery.deliver_pending().sent == 0
    time_machine.move_to(at(12, 7, 7, 59) + datetime.timedelta(seconds=59), tick=False)
    assert delivery.deliver_pending().sent == 0 and smtp.messages == [] and sms == []
    time_machine.move_to(at(12, 7, 8, 0), tick=False)
    assert delivery.deliver_pending().sent == 2  # the e-mail and the SMS
    assert len(smtp.messages) == 1 and len(sms) == 1
    assert delivery.deliver_pending().sent == 0


def test_sending_stops_at_nine_in_the_evening_exactly(world, smtp, time_machine):
    ensure_policy(world.congress)
    time_machine.move_to(at(12, 7, 20, 0), tick=False)
    notices_for(world.congress, people(1, prefix="a"))
    time_machine.move_to(at(12, 7, 20, 59) + datetime.timedelta(seconds=59), tick=False)
    assert delivery.deliver_pending().sent == 1  # 20:59:59: still sent
    notices_for(world.congress, people(1, prefix="b"))  # due at once (not yet quiet) …
    time_machine.move_to(at(12, 7, 21, 0), tick=False)
    assert delivery.deliver_pending().sent == 0  # … but from 21:00 nothing goes out,
    time_machine.move_to(at(12, 8, 8, 0), tick=False)
    assert delivery.deliver_pending().sent == 1  # until 08:00.
    assert [m["To"] for m in smtp.messages] == ["a0@example.cn", "b0@example.cn"]
