"""Who hears about a deadline or an audit event: recipient groups as ORM paths.

`suggestions.Deadline` and `audit.AuditEvent` both carry `congress`, `suggestion` and `assignment`,
so one path works from either: e.g. the handlers of the assignment's unit are the active
memberships reached by ``assignment__unit__memberships`` with role 承办人 or 联络员, of active users.
`Audience.filters()` gives the conditions (for one `filter()` call, so they constrain one membership
row) and `Audience.user` the column holding the recipient's id; the scan joins them into its
`INSERT … SELECT`, so a group of any size costs no extra query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minyi.accounts.models import Role


@dataclass(frozen=True)
class Audience:
    name: str
    #: Path to a unit or congress whose memberships hold the recipients (`roles`), or
    via: str = ""
    roles: tuple[str, ...] = ()
    #: path to a user field (the recipient directly).
    user_path: str = ""

    @property
    def user(self) -> str:
        """The path of the recipient's user id."""
        return self.user_path or f"{self.via}__memberships__user"

    def filters(self) -> dict[str, Any]:
        if self.user_path:
            return {f"{self.user_path}__is_active": True}
        members = f"{self.via}__memberships"
        return {
            f"{members}__role__in": list(self.roles),
            f"{members}__active": True,
            f"{members}__user__is_active": True,
        }


#: 联络员 and 承办人 of the assignment's unit: they do the work.
UNIT_WORKERS = Audience("unit_workers", via="assignment__unit", roles=(Role.UNIT_CLERK, Role.UNIT_HANDLER))
#: 承办单位负责人 of the assignment's unit: signs the reply off, hears when the unit is late.
UNIT_LEADERS = Audience("unit_leaders", via="assignment__unit", roles=(Role.UNIT_LEADER,))
#: Everyone of the assignment's unit (new work arriving).
UNIT_ALL = Audience(
    "unit_all", via="assignment__unit", roles=(Role.UNIT_CLERK, Role.UNIT_HANDLER, Role.UNIT_LEADER)
)
#: The coordinator (交办协调员) of the body (一府一委两院) that the assignment's unit belongs to.
BODY_COORDINATORS = Audience("body_coordinators", via="assignment__unit__body", roles=(Role.COORDINATOR,))
#: The coordinator of the body the suggestion was forwarded to (转交).
FORWARD_COORDINATORS = Audience(
    "forward_coordinators", via="suggestion__forwarded_to", roles=(Role.COORDINATOR,)
)
#: The coordinator of the body an audit event names in `unit` (the body a suggestion was forwarded to).
EVENT_UNIT_COORDINATORS = Audience("event_unit_coordinators", via="unit", roles=(Role.COORDINATOR,))
#: 代表工委工作人员 of the congress.
CLERKS = Audience("clerks", via="congress", roles=(Role.CONGRESS_CLERK,))
#: 人大管理员 of the congress (the "leader" of the congress's own steps: review and assignment).
ADMINS = Audience("admins", via="congress", roles=(Role.CONGRESS_ADMIN,))
#: 常委会领导: hear when the congress's own steps are late beyond the grace period.
SUPERVISORS = Audience("supervisors", via="congress", roles=(Role.SUPERVISOR,))
#: The lead deputy's own account.
LEAD_DEPUTY = Audience("lead_deputy", user_path="suggestion__lead__user")
#: The user an audit event is about (e.g. the deputy invited to co-sign).
TARGET_USER = Audience("target_user", user_path="target_user")

# --- records outside the suggestion lifecycle (issue #12) -------------------------------------------

#: Everyone of the unit an audit event names in `unit` (a voter opinion forwarded to it): its
#: clerks, handlers and leaders, and the coordinator when it is one of the four bodies.
EVENT_UNIT_MEMBERS = Audience(
    "event_unit_members",
    via="unit",
    roles=(Role.UNIT_CLERK, Role.UNIT_HANDLER, Role.UNIT_LEADER, Role.COORDINATOR),
)
#: The staff of the unit an audit event names in `unit` who may act for it — clerks, handlers and
#: leaders, not the coordinator (a task-force inspection of the unit that requires action).
EVENT_UNIT_WORKERS = Audience(
    "event_unit_workers",
    via="unit",
    roles=(Role.UNIT_CLERK, Role.UNIT_HANDLER, Role.UNIT_LEADER),
)
#: The liaison clerks of a congress; a rule narrows them to one station (the event's ``new.station``,
#: `scan.EVENT_STATION`).
STATION_CLERKS = Audience("station_clerks", via="congress", roles=(Role.LIAISON_CLERK,))
#: Everyone of the units handling the suggestion in its current round (a leader's instruction on
#: it); a rule narrows the assignments (`scan.CURRENT_UNITS`).
SUGGESTION_UNITS = Audience(
    "suggestion_units",
    via="suggestion__assignments__unit",
    roles=(Role.UNIT_CLERK, Role.UNIT_HANDLER, Role.UNIT_LEADER),
)
