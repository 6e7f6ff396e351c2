"""Named permissions of the notifications app.

``notifications.urge`` (催办): on a suggestion or one of its assignments, for the congress staff
(clerk, admin), the standing committee's leaders and the inspection office (督查考核室) of the
suggestion's congress, through their own memberships (`kit.roles_of`; a superuser has no role for free,
decision 0009).
"""

from __future__ import annotations

from typing import Any

import rules

from minyi.accounts.models import SUPERVISING_ROLES
from minyi.core.kit import roles_of
from minyi.suggestions.rules import suggestion_of

#: Who may urge (催办): the supervising roles.
URGE_ROLES = SUPERVISING_ROLES


@rules.predicate
def may_urge(user: Any, obj: Any) -> bool:
    if obj is None:
        return False
    return bool(roles_of(user, suggestion_of(obj).congress) & URGE_ROLES)


rules.add_perm("notifications.urge", may_urge)
