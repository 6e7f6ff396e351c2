"""Login lockout: django-axes' database handler with a second, higher limit per address.

Axes counts failures for each group in ``AXES_LOCKOUT_PARAMETERS`` against one limit
(``AXES_FAILURE_LIMIT``). We want two: an account is locked at one address after
``AXES_FAILURE_LIMIT`` failures (5), and the address as a whole after ``MINYI_IP_FAILURE_LIMIT``
failures over any usernames (20) — so guessing many usernames from one address is throttled too,
while people sharing an office address are not locked out by one colleague's typos.

The rows are axes' own (`AccessAttempt`, one per username × address × browser); only the count
changes. A successful sign-in still clears only that username's rows at that address
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``), so signing in to one's own account
does not wipe the failures an address piled up against other usernames.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.db.models import Sum


def address_failures(ip_address: str | None, since: Any = None) -> int:
    """Failures from one address over all usernames (within the cool-off, if `since` is given)."""
    if not ip_address:
        return 0
    rows = AccessAttempt.objects.filter(ip_address=ip_address)
    if since is not None:
        rows = rows.filter(attempt_time__gte=since)
    return rows.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        limit = settings.MINYI_IP_FAILURE_LIMIT
        if limit and failures < settings.AXES_FAILURE_LIMIT:
            since = get_cool_off_threshold(request) if settings.AXES_COOLOFF_TIME is not None else None
            if address_failures(getattr(request, "axes_ip_address", None), since) >= limit:
                request.minyi_address_locked = True  # the lockout page says "this address"
                return settings.AXES_FAILURE_LIMIT
        return failures
