"""Who may see which congress. The congress is the tenant: every page and endpoint below
`/c/<code>/` goes through `congress_for()`, which gives 404 for both "no such congress" and "no
membership", so nobody can probe which congresses exist."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404
from django.shortcuts import get_object_or_404

from minyi.accounts.models import Membership, Role
from minyi.congress.models import Congress


def memberships_of(user, congress: Congress | None = None) -> list[Membership]:
    """Active memberships of `user` (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_minyi_memberships", None)
    if cache is None:
        cache = list(
            Membership.objects.filter(user=user, active=True, congress__active=True).select_related(
                "congress", "unit", "station"
            )
        )
        user._minyi_memberships = cache
    if congress is None:
        return cache
    return [m for m in cache if m.congress_id == congress.pk]


def roles_in(user, congress: Congress) -> set[str]:
    return {m.role for m in memberships_of(user, congress)}


def has_role(user, congress: Congress, *roles: str) -> bool:
    if getattr(user, "is_superuser", False) and Role.CONGRESS_ADMIN in roles:
        return True
    return bool(roles_in(user, congress) & set(roles))


def units_of(user, congress: Congress, roles: Iterable[str] | None = None) -> set[int]:
    wanted = set(roles) if roles else None
    return {
        m.unit_id
        for m in memberships_of(user, congress)
        if m.unit_id and (wanted is None or m.role in wanted)
    }


def congresses_of(user) -> list[Congress]:
    if getattr(user, "is_superuser", False):
        return list(Congress.objects.filter(active=True))
    seen: dict[int, Congress] = {}
    for m in memberships_of(user):
        seen.setdefault(m.congress_id, m.congress)
    return list(seen.values())


def congress_for(user, code: str) -> Congress:
    """The congress with this code if `user` belongs to it (superusers: any), else 404."""
    congress = get_object_or_404(Congress, code=code, active=True)
    if getattr(user, "is_superuser", False) or memberships_of(user, congress):
        return congress
    raise Http404("no such congress")
