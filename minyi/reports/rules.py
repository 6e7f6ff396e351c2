"""Who may see figures.

- ``reports.view_figures`` (object: the Congress): congress admins and clerks, supervisors,
  inspectors, viewers and coordinators see every figure of the congress, the unit league table and
  every drill-down list.
- ``reports.view_unit_figures`` (object: a Unit): whoever may view the congress's figures, and the
  clerks, handlers and leaders of that unit itself (their own unit's page and the drill-down lists
  filtered to their unit — nothing about other units).

Everyone else gets 404 from the pages (`core.decorators.congress_view`).
"""

import rules

from minyi.accounts.models import Role
from minyi.core.tenancy import has_role, units_of

#: Roles that see the whole congress's figures.
FIGURE_ROLES = (
    Role.CONGRESS_ADMIN,
    Role.CONGRESS_CLERK,
    Role.SUPERVISOR,
    Role.INSPECTOR,
    Role.VIEWER,
    Role.COORDINATOR,
)
#: Roles that see their own unit's figures.
UNIT_FIGURE_ROLES = (Role.UNIT_CLERK, Role.UNIT_HANDLER, Role.UNIT_LEADER)


@rules.predicate
def sees_congress_figures(user, congress) -> bool:
    return congress is not None and has_role(user, congress, *FIGURE_ROLES)


@rules.predicate
def sees_unit_figures(user, unit) -> bool:
    if unit is None:
        return False
    if sees_congress_figures(user, unit.congress):
        return True
    return unit.pk in units_of(user, unit.congress, UNIT_FIGURE_ROLES)


@rules.predicate
def works_for_a_unit(user, congress) -> bool:
    return congress is not None and bool(units_of(user, congress, UNIT_FIGURE_ROLES))


rules.add_perm("reports.view_figures", sees_congress_figures)
# Whether to offer the 统计 menu at all: staff see the congress's figures, unit members their unit's.
rules.add_perm("reports.open_figures", sees_congress_figures | works_for_a_unit)
rules.add_perm("reports.view_unit_figures", sees_unit_figures)
