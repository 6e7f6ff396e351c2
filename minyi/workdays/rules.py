"""Who may read and edit the holiday calendar (decision 0004).

- The national calendar (holidays, make-up workdays, a year's completeness) is shared by every
  congress of the deployment, so only a platform administrator — a superuser, who belongs to no one
  congress — edits it. A congress admin, even of a top-level congress, does not: an edit would move
  other congresses' deadlines.
- A congress's local closures (`LocalClosure`) affect that congress only: its admins (人大管理员)
  edit them (`workdays.manage_local_closures`, in minyi/congress/rules.py).
- Everybody signed in with a membership may read the calendar.
"""

from __future__ import annotations

import rules

from minyi.core.tenancy import congresses_of
from minyi.core.tenancy import is_platform_admin as _is_platform_admin


def is_platform_admin(user) -> bool:
    """A platform administrator: an active superuser."""
    return _is_platform_admin(user)


# The national calendar belongs to no congress: the rule takes no object.
rules.add_perm("workdays.manage_calendar", rules.predicate(lambda user, obj=None: _is_platform_admin(user)))


def can_view_calendar(user) -> bool:
    if _is_platform_admin(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.is_active and congresses_of(user))


def can_manage_calendar(user) -> bool:
    """May edit the national calendar and mark years complete: platform administrators only."""
    return rules.has_perm("workdays.manage_calendar", user)


def can_manage_local_closures(user, congress) -> bool:
    """May add or remove `congress`'s own local closure days (the rule, minyi/congress/rules.py:
    the congress's admins, through active memberships of an active account — `kit.roles_of`)."""
    return rules.has_perm("workdays.manage_local_closures", user, congress)
