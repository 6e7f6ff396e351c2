"""Named permissions of the intake app, built from small predicates.

Check them with ``rules.has_perm(name, user, obj)`` (as the actions and the access helpers do), not
``user.has_perm``: Django lets an active superuser pass every ``user.has_perm``, whereas here a
superuser has only the roles of their own memberships (decision 0009) — and even as a congress
clerk never sees a constituent's contact data.

Objects: a `LiaisonStation` for the station permissions, an `Opinion` for the others.

Who sees what:

- every member of the congress: its stations, their events, duty days and photos;
- liaison clerks: the opinions of *their* station(s) (`Membership.station`), with contact data;
- deputies: the opinions they are responsible for (`Opinion.deputy`), with contact data;
- congress clerks and admins, supervisors and inspectors: every opinion of the congress,
  *without* contact data; viewers: no opinion at all (they carry residents' personal data);
- unit roles (clerk, handler, leader; a coordinator for its body): the opinions forwarded to their
  unit, while it has them (转办 / 已答复), *without* contact data.

Contact data (``intake.view_contact``): the station's liaison clerks and the opinion's deputy. Nobody
else — not the congress staff, not the units, not a superuser.
"""

from __future__ import annotations

from typing import Any

import rules

from minyi.accounts.models import OVERSIGHT_ROLES as _OVERSIGHT_ROLES
from minyi.accounts.models import STAFF_ROLES, UNIT_ROLES, Role
from minyi.core.kit import roles_of
from minyi.core.tenancy import memberships_of

from .states import OpinionState, roles_for_action

#: Roles that see every opinion of their congress (without contact data). Not the viewers
#: (查阅人员): voter opinions carry residents' personal data; they see stations and events only
#: (decision 0009).
OVERSIGHT_ROLES = _OVERSIGHT_ROLES
#: States in which the unit an opinion was forwarded to sees it.
UNIT_VISIBLE_STATES = (OpinionState.FORWARDED, OpinionState.UNIT_ANSWERED)


def station_ids(user: Any, congress: Any) -> set[int]:
    """The stations `user` is a liaison clerk of, in `congress`."""
    if not getattr(user, "is_active", False):
        return set()
    return {
        m.station_id
        for m in memberships_of(user, congress)
        if m.role == Role.LIAISON_CLERK and m.station_id is not None
    }


def unit_ids(user: Any, congress: Any) -> set[int]:
    if not getattr(user, "is_active", False):
        return set()
    return {
        m.unit_id for m in memberships_of(user, congress) if m.role in UNIT_ROLES and m.unit_id is not None
    }


def deputy_of(user: Any, congress: Any):
    """The roster row of `user` in `congress` if they hold the deputy role there, else None."""
    if Role.DEPUTY not in roles_of(user, congress):
        return None
    cache = getattr(user, "_intake_deputy", None)
    if cache is None:
        cache = {}
        user._intake_deputy = cache
    if congress.pk not in cache:
        from minyi.congress.models import Deputy

        cache[congress.pk] = Deputy.objects.filter(congress=congress, user=user).first()
    return cache[congress.pk]


# --- predicates on a station ----------------------------------------------------------------------


@rules.predicate
def is_member(user: Any, station: Any) -> bool:
    return bool(roles_of(user, station.congress))


@rules.predicate
def is_station_clerk(user: Any, station: Any) -> bool:
    return station.pk in station_ids(user, station.congress)


@rules.predicate
def is_staff_of_station(user: Any, station: Any) -> bool:
    return bool(roles_of(user, station.congress) & STAFF_ROLES)


@rules.predicate
def is_deputy_here(user: Any, station: Any) -> bool:
    return deputy_of(user, station.congress) is not None


# --- predicates on an opinion ---------------------------------------------------------------------


@rules.predicate
def is_opinion_station_clerk(user: Any, opinion: Any) -> bool:
    return opinion.station_id is not None and opinion.station_id in station_ids(user, opinion.congress)


@rules.predicate
def is_opinion_deputy(user: Any, opinion: Any) -> bool:
    if opinion.deputy_id is None or not user.pk:
        return False
    deputy = deputy_of(user, opinion.congress)
    return deputy is not None and deputy.pk == opinion.deputy_id


@rules.predicate
def is_oversight(user: Any, opinion: Any) -> bool:
    return bool(roles_of(user, opinion.congress) & OVERSIGHT_ROLES)


@rules.predicate
def is_forwarded_unit(user: Any, opinion: Any) -> bool:
    return (
        opinion.forwarded_to_id is not None
        and opinion.state in UNIT_VISIBLE_STATES
        and opinion.forwarded_to_id in unit_ids(user, opinion.congress)
    )


def _role(action: str):
    """Holds, in the opinion's congress, one of the roles the states table allows for `action`."""
    roles = roles_for_action(action)

    @rules.predicate(name=f"intake_role_for_{action}")
    def predicate(user: Any, opinion: Any) -> bool:
        return bool(roles_of(user, opinion.congress) & roles)

    return predicate


#: The people close to the constituent: the station's liaison clerks and the opinion's deputy.
is_close = is_opinion_station_clerk | is_opinion_deputy

can_view_opinion = is_close | is_oversight | is_forwarded_unit
can_view_contact = is_close

rules.add_perm("intake.view_station", is_member)
rules.add_perm("intake.manage_station", is_station_clerk | is_staff_of_station)
rules.add_perm("intake.record_opinion_at", is_station_clerk | is_deputy_here)
rules.add_perm("intake.view_opinion", can_view_opinion)
rules.add_perm("intake.view_contact", can_view_contact)

#: permission (= action name) → relation predicate, combined with the role from the table.
PERMISSIONS: dict[str, Any] = {
    "refer": is_opinion_station_clerk,
    "adopt": is_opinion_deputy,
    "answer_on_spot": is_close,
    "forward": is_close,
    "merge": is_close,
    "answer_forwarded": is_forwarded_unit,
    "return_forwarded": is_forwarded_unit,
    "notify": is_close,
}
for _name, _relation in PERMISSIONS.items():
    rules.add_perm(f"intake.{_name}", _role(_name) & _relation)
