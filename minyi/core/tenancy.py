"""Who may see which congress. The congress is the tenant: every page and endpoint below
`/c/<code>/` goes through `congress_for()`, which gives 404 for both "no such congress" and "no
membership", so nobody can probe which congresses exist.

A platform administrator (an active superuser) is *not* a member of every congress: inside a
congress they have exactly the roles of their own memberships (usually none). Only the pages a view
marks as platform pages (`congress_view(..., platform=True)`: a congress's members and roles, for
cross-congress grants) let them in without one — see decision 0009."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from minyi.accounts.models import Membership
from minyi.congress.models import Congress
from minyi.core.prepared import Prepared


def _memberships_query(user_pk: int) -> Any:
    return Membership.objects.filter(user_id=user_pk, active=True, congress__active=True).select_related(
        "congress", "unit", "station"
    )


#: Read on every page: compiled once (core.prepared, issue #13).
_MEMBERSHIPS = Prepared(_memberships_query, -7_130_201)


def memberships_of(user, congress: Congress | None = None) -> list[Membership]:
    """Active memberships of `user` (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_minyi_memberships", None)
    if cache is None:
        cache = _MEMBERSHIPS.objects(user.pk)
        user._minyi_memberships = cache
    if congress is None:
        return cache
    return [m for m in cache if m.congress_id == congress.pk]


def roles_in(user, congress: Congress) -> set[str]:
    return {m.role for m in memberships_of(user, congress)}


def has_role(user, congress: Congress, *roles: str) -> bool:
    """One of `roles` through an active membership in `congress` (a superuser gets none for free)."""
    return bool(roles_in(user, congress) & set(roles))


def is_platform_admin(user) -> bool:
    """A platform administrator: an active, signed-in superuser (decision 0004, 0009)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_superuser", False)
    )


def units_of(user, congress: Congress, roles: Iterable[str] | None = None) -> set[int]:
    wanted = set(roles) if roles else None
    return {
        m.unit_id
        for m in memberships_of(user, congress)
        if m.unit_id and (wanted is None or m.role in wanted)
    }


def congresses_of(user) -> list[Congress]:
    """The congresses `user` has an active membership in (a platform admin: theirs only; every
    congress is listed for them by `platform_congresses`)."""
    seen: dict[int, Congress] = {}
    for m in memberships_of(user):
        seen.setdefault(m.congress_id, m.congress)
    return list(seen.values())


def platform_congresses(user) -> list[Congress]:
    """Every active congress for a platform admin (for the platform pages), else none."""
    if not is_platform_admin(user):
        return []
    return list(Congress.objects.filter(active=True).order_by("name"))


def congress_for(user, code: str, *, platform: bool = False) -> Congress:
    """The congress with this code if `user` belongs to it, else 404. On a platform page
    (`platform=True`) a platform admin may open any active congress without a membership."""
    # the congress comes with the memberships (one query fewer on every congress page, issue #13)
    for m in memberships_of(user):
        if m.congress.code == code:
            return m.congress
    if platform and is_platform_admin(user):
        return get_object_or_404(Congress, code=code, active=True)
    raise Http404("no such congress")
