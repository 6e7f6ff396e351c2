"""Named permissions for congress-level records, built from small predicates. The object passed to
every rule here is the Congress."""

import rules

from minyi.accounts.models import Role
from minyi.core.kit import roles_of
from minyi.core.tenancy import has_role
from minyi.core.tenancy import is_platform_admin as _is_platform_admin


def _role_predicate(*roles: str):
    @rules.predicate(name="has_role_" + "_".join(roles))
    def predicate(user, congress) -> bool:
        return congress is not None and has_role(user, congress, *roles)

    return predicate


is_congress_admin = _role_predicate(Role.CONGRESS_ADMIN)
is_congress_clerk = _role_predicate(Role.CONGRESS_CLERK)
is_member = rules.predicate(
    lambda user, congress: congress is not None and has_role(user, congress, *Role.values)
)

is_root_congress = rules.predicate(lambda user, congress: congress is not None and congress.parent_id is None)

#: An active superuser. Inside a congress a platform admin has only the roles of their own
#: memberships; this predicate is used for the members and roles pages alone (cross-congress
#: grants, decision 0009) — nothing else of a congress.
is_platform_admin = rules.predicate(lambda user, congress=None: _is_platform_admin(user))

can_view_people = is_member
can_manage_people = is_congress_admin | is_congress_clerk

rules.add_perm("congress.view_roster", can_view_people)
rules.add_perm("congress.manage_roster", can_manage_people)
rules.add_perm("congress.import_roster", can_manage_people)
rules.add_perm("congress.view_policy", is_member)
rules.add_perm("congress.manage_policy", is_congress_admin)
rules.add_perm("congress.manage_members", is_congress_admin | is_platform_admin)
# A deputy's phone and e-mail: the congress staff who look after deputies (and, in the view, the deputy
# themself) — not every member who may browse the roster.
rules.add_perm("congress.view_contacts", can_manage_people)
# The holiday calendar is national and shared by the whole deployment: only platform administrators
# (superusers) edit it — see minyi/workdays/rules.py and decision 0004. A congress's admins edit its
# own local closures (typhoon days …), which count for that congress only.
# Checked on actions called directly too, so the account must be active (`kit.roles_of`).
rules.add_perm(
    "workdays.manage_local_closures",
    rules.predicate(lambda user, congress: Role.CONGRESS_ADMIN in roles_of(user, congress)),
)
