"""Named permissions of the points app, built from small predicates.

Check them with ``rules.has_perm(name, user, obj)``. Objects: the `Congress` for congress-wide
permissions, a `Deputy` for a deputy's record, a `ManualEntry` for its review.

- Rankings (亮分) and the rule table are open to every member of the congress.
- A deputy's record (履职档案): the deputy, the clerks of the deputy's group (liaison clerks of a
  station of that group) and the congress's staff and supervisors (not the viewers).
- Manual entries: submitted by the deputy, a clerk of their group or a congress clerk; 初审 by a clerk
  of the deputy's group or a congress clerk; 复核 by a congress clerk (not the one who did 初审).
- Objections: raised by the deputy; decided by a congress clerk or admin.
- Rules and monthly expectations: set by congress admins.
"""

from __future__ import annotations

from typing import Any

import rules

from minyi.accounts.models import OVERSIGHT_EXCEPT_INSPECTOR, STAFF_ROLES, Role
from minyi.core.kit import roles_of
from minyi.core.tenancy import memberships_of

#: Who reads every deputy's record. Not the viewers (查阅人员): they see the rankings and the rule
#: table, like every member, but no individual points record (decision 0009).
OVERSIGHT_ROLES = OVERSIGHT_EXCEPT_INSPECTOR


def clerk_groups(user: Any, congress: Any) -> set[int]:
    """The deputy groups whose stations `user` is a liaison clerk of."""
    if not getattr(user, "is_active", False):
        return set()
    return {
        m.station.group_id
        for m in memberships_of(user, congress)
        if m.role == Role.LIAISON_CLERK and m.station is not None and m.station.group_id is not None
    }


def deputy_of(user: Any, congress: Any):
    """The roster row of `user` in `congress` if they hold the deputy role there."""
    if Role.DEPUTY not in roles_of(user, congress):
        return None
    cache = getattr(user, "_points_deputy", None)
    if cache is None:
        cache = user._points_deputy = {}
    if congress.pk not in cache:
        from minyi.congress.models import Deputy

        cache[congress.pk] = (
            Deputy.objects.filter(congress=congress, user=user).select_related("group").first()
        )
    return cache[congress.pk]


# --- congress --------------------------------------------------------------------------------------


@rules.predicate
def is_member(user: Any, congress: Any) -> bool:
    return congress is not None and bool(roles_of(user, congress))


@rules.predicate
def is_admin(user: Any, congress: Any) -> bool:
    return congress is not None and Role.CONGRESS_ADMIN in roles_of(user, congress)


@rules.predicate
def is_staff(user: Any, congress: Any) -> bool:
    return congress is not None and bool(roles_of(user, congress) & STAFF_ROLES)


@rules.predicate
def is_overseer(user: Any, congress: Any) -> bool:
    return congress is not None and bool(roles_of(user, congress) & OVERSIGHT_ROLES)


@rules.predicate
def is_congress_clerk(user: Any, congress: Any) -> bool:
    return congress is not None and Role.CONGRESS_CLERK in roles_of(user, congress)


@rules.predicate
def clerks_a_group(user: Any, congress: Any) -> bool:
    return congress is not None and bool(clerk_groups(user, congress))


# --- a deputy --------------------------------------------------------------------------------------


@rules.predicate
def is_the_deputy(user: Any, deputy: Any) -> bool:
    return bool(user.pk) and deputy.user_id == user.pk and Role.DEPUTY in roles_of(user, deputy.congress)


@rules.predicate
def clerks_deputy_group(user: Any, deputy: Any) -> bool:
    return deputy.group_id is not None and deputy.group_id in clerk_groups(user, deputy.congress)


@rules.predicate
def oversees_deputy(user: Any, deputy: Any) -> bool:
    return bool(roles_of(user, deputy.congress) & OVERSIGHT_ROLES)


@rules.predicate
def congress_clerk_of_deputy(user: Any, deputy: Any) -> bool:
    return Role.CONGRESS_CLERK in roles_of(user, deputy.congress)


# --- a manual entry --------------------------------------------------------------------------------


@rules.predicate
def clerks_entry_group(user: Any, entry: Any) -> bool:
    return clerks_deputy_group(user, entry.deputy)


@rules.predicate
def congress_clerk_of_entry(user: Any, entry: Any) -> bool:
    return Role.CONGRESS_CLERK in roles_of(user, entry.congress)


@rules.predicate
def may_view_entry_deputy(user: Any, entry: Any) -> bool:
    return bool(
        is_the_deputy(user, entry.deputy)
        or clerks_deputy_group(user, entry.deputy)
        or oversees_deputy(user, entry.deputy)
    )


rules.add_perm("points.view_ranking", is_member)
rules.add_perm("points.view_rules", is_member)
rules.add_perm("points.manage_rules", is_admin)
rules.add_perm("points.sync", is_staff)
rules.add_perm("points.view_deputies", is_overseer | clerks_a_group)
rules.add_perm("points.view_record", is_the_deputy | clerks_deputy_group | oversees_deputy)
rules.add_perm("points.submit_manual", is_the_deputy | clerks_deputy_group | congress_clerk_of_deputy)
rules.add_perm("points.view_manual", may_view_entry_deputy)
rules.add_perm("points.check_manual", clerks_entry_group | congress_clerk_of_entry)
rules.add_perm("points.review_manual", congress_clerk_of_entry)
rules.add_perm("points.review_queue", is_congress_clerk | clerks_a_group)
rules.add_perm("points.object", is_the_deputy)
rules.add_perm("points.decide_objections", is_staff)
rules.add_perm("points.view_expectations", is_overseer)
rules.add_perm("points.manage_expectations", is_admin)
