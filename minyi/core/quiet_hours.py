"""The congress's quiet hours (免打扰, `Policy.quiet_hours_*`, default 21:00–08:00): the one rule for
every message that leaves the platform — the notifications outbox (e-mail, SMS to users) and the
constituents' outcome SMS (intake). The hours are read in the site's time zone (Beijing), whatever
the clock of the machine says."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from minyi.congress.models import Policy


def quiet_until(policy: Policy, now: datetime.datetime) -> datetime.datetime | None:
    """The end of the quiet period that `now` falls in, or None when sending is allowed. The period
    includes its start and excludes its end; equal start and end (or a missing one) mean no quiet
    hours."""
    start, end = policy.quiet_hours_start, policy.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    moment = local.time()
    if start < end:  # e.g. 12:00–14:00, within one day
        if not start <= moment < end:
            return None
        day = local.date()
    else:  # e.g. 21:00–08:00, across midnight
        if end <= moment < start:
            return None
        day = local.date() + datetime.timedelta(days=1) if moment >= start else local.date()
    return timezone.make_aware(datetime.datetime.combine(day, end), local.tzinfo)
