"""Reads for the accounts pages: which accounts belong to a congress, and which of them are locked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from minyi.congress.models import Congress

from .models import Membership, User


def accounts_of(congress: Congress) -> QuerySet[User]:
    """The accounts a congress's admins look after (set-password links, unlocking): those the
    congress opened (`User.home_congress`), and those no congress has claimed whose roles are all in
    this congress. An account with roles in several congresses and no home is nobody's to take over;
    platform accounts (superusers, staff) never are a congress's."""
    mine = Q(memberships__congress=congress) & ~Exists(
        Membership.objects.filter(user=OuterRef("pk")).exclude(congress=congress)
    )
    if hasattr(User, "home_congress"):
        mine = Q(home_congress=congress) | (Q(home_congress__isnull=True) & mine)
    return User.objects.filter(
        pk__in=User.objects.filter(mine).values("pk"), is_superuser=False, is_staff=False
    )


def access_account(congress: Congress, pk: int) -> User:
    """An account of `congress` by id; 404 for missing and for another congress's account."""
    user = accounts_of(congress).filter(pk=pk).first()
    if user is None:
        raise Http404("no such account")
    return user


@dataclass
class LockedAccount:
    user: User
    failures: int
    last_attempt: datetime
    until: datetime | None


def locked_accounts(congress: Congress) -> list[LockedAccount]:
    """Accounts of `congress` locked out now: at some address, within the cool-off, at least
    AXES_FAILURE_LIMIT failures (the same count the lockout uses)."""
    cooloff = settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(username__in=accounts_of(congress).values("username"))
    if cooloff is not None:
        rows = rows.filter(attempt_time__gte=timezone.now() - timedelta(hours=cooloff))
    per_address = (
        rows.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    worst: dict[str, dict] = {}
    for row in per_address:
        seen = worst.get(row["username"])
        if seen is None or row["last"] > seen["last"]:
            worst[row["username"]] = row
    users = {u.username: u for u in User.objects.filter(username__in=list(worst))}
    out = [
        LockedAccount(
            user=users[name],
            failures=row["failures"],
            last_attempt=row["last"],
            until=row["last"] + timedelta(hours=cooloff) if cooloff is not None else None,
        )
        for name, row in worst.items()
        if name in users
    ]
    return sorted(out, key=lambda a: a.last_attempt, reverse=True)
