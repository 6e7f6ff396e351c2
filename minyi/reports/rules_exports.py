"""Who may export figures and import past years' ledgers (registered on import; the modules that
need these permissions import this one).

- ``reports.export_figures`` (object: the Congress): whoever sees the congress's figures
  (`rules.sees_congress_figures`) may download the ledger, the league table, the bulletin and the
  year's report, and the exports they asked for.
- ``reports.import_history`` (object: the Congress): congress admins and clerks import ledgers of
  past years (历史数据导入), which creates suggestions.
"""

import rules

from minyi.accounts.models import Role
from minyi.core.tenancy import has_role

from .rules import sees_congress_figures

HISTORY_ROLES = (Role.CONGRESS_ADMIN, Role.CONGRESS_CLERK)


@rules.predicate
def imports_history(user, congress) -> bool:
    return congress is not None and has_role(user, congress, *HISTORY_ROLES)


rules.set_perm("reports.export_figures", sees_congress_figures)
rules.set_perm("reports.import_history", imports_history)
