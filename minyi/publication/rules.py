"""Who decides what the public reads (checked with ``rules.has_perm(name, user, obj)``).

- ``publication.decide`` (a `Congress`): the congress's staff (代表工委 clerks and admins) publish,
  withhold, retract, decide units' withhold requests and publish the year's figures.
- ``publication.request_withhold`` (a `Suggestion`): a unit worker (联络员, 承办人, 负责人) of a unit
  that has or had an assignment of the suggestion asks that it not be published.
"""

from __future__ import annotations

from typing import Any

import rules

from minyi.accounts.models import STAFF_ROLES, UNIT_WORK_ROLES
from minyi.core.kit import roles_of
from minyi.core.tenancy import memberships_of


@rules.predicate
def is_staff(user: Any, congress: Any) -> bool:
    return congress is not None and bool(roles_of(user, congress) & STAFF_ROLES)


def requesting_units(user: Any, suggestion: Any) -> list[Any]:
    """The units the user works for (unit worker roles) that have an assignment of the suggestion."""
    if not getattr(user, "is_authenticated", False) or suggestion is None:
        return []
    mine = {
        m.unit_id
        for m in memberships_of(user)
        if m.congress_id == suggestion.congress_id and m.role in UNIT_WORK_ROLES and m.unit_id
    }
    if not mine:
        return []
    from minyi.suggestions.selectors import units_assigned_to

    return [unit for unit in units_assigned_to(suggestion) if unit.pk in mine]


@rules.predicate
def works_for_an_assigned_unit(user: Any, suggestion: Any) -> bool:
    return bool(requesting_units(user, suggestion))


rules.add_perm("publication.decide", is_staff)
rules.add_perm("publication.request_withhold", works_for_an_assigned_unit)
