"""The points app's two machines (engine: `minyi.core.states`), kept in docs/WORKFLOW.md (§9).

``manual_entry`` — an offline activity entered by hand (线下履职登记), reviewed in two steps:

    [*] ─submit→ 待初审 submitted ─pass_check→ 初审通过，待复核 checked ─pass_review→ 复核通过 approved
                                 └fail_check→ 未通过 rejected          └fail_review→ 未通过 rejected

  Submitted by the deputy, a liaison clerk of their group or a congress clerk; 初审 by a liaison clerk
  of the deputy's group or a congress clerk; 复核 by a congress clerk other than the one who did 初审
  (`rules.py` adds the relation: the deputy's own record, the clerk's group; the action adds the
  second pair of eyes).

``objection`` — a deputy's objection to one entry of their record (积分异议):

    [*] ─raise_objection→ 待处理 pending ─keep_entry→ 维持原记录 rejected
                                         └correct_entry→ 已更正 corrected

  Raised by the deputy; decided by congress staff (clerk or admin).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import Role
from minyi.core.states import INITIAL, Machine, Refusal, define

from .models import ManualEntry, Objection

ME = ManualEntry.State
OB = Objection.State

DEPUTY: Final = frozenset({Role.DEPUTY})
GROUP_CLERK: Final = frozenset({Role.LIAISON_CLERK})
CONGRESS_CLERK: Final = frozenset({Role.CONGRESS_CLERK})
STAFF: Final = frozenset({Role.CONGRESS_CLERK, Role.CONGRESS_ADMIN})

MANUAL_LABELS: Final[Mapping[str, Promise]] = {
    "submit": _("登记"),
    "pass_check": _("初审"),
    "fail_check": _("初审"),
    "pass_review": _("复核"),
    "fail_review": _("复核"),
}

_NOT_SUBMITTED: Final = Refusal(_("该登记当前为“%(s)s”，不能初审。"), code="not_submitted")
_NOT_CHECKED: Final = Refusal(_("该登记当前为“%(s)s”，不能复核。"), code="not_checked")

MANUAL_ENTRY: Final[Machine] = define(
    "manual_entry",
    ManualEntry.State,
    [
        (INITIAL, "submit", ME.SUBMITTED, DEPUTY | GROUP_CLERK | CONGRESS_CLERK),
        (ME.SUBMITTED, "pass_check", ME.CHECKED, GROUP_CLERK | CONGRESS_CLERK),
        (ME.SUBMITTED, "fail_check", ME.REJECTED, GROUP_CLERK | CONGRESS_CLERK),
        (ME.CHECKED, "pass_review", ME.APPROVED, CONGRESS_CLERK),
        (ME.CHECKED, "fail_review", ME.REJECTED, CONGRESS_CLERK),
    ],
    labels=MANUAL_LABELS,
    noun=_("该登记"),
    wrong_state=_NOT_SUBMITTED,
    refusals={"pass_review": _NOT_CHECKED, "fail_review": _NOT_CHECKED},
)

OBJECTION_LABELS: Final[Mapping[str, Promise]] = {
    "raise_objection": _("提出异议"),
    "keep_entry": _("维持原记录"),
    "correct_entry": _("更正积分"),
}

OBJECTION: Final[Machine] = define(
    "objection",
    Objection.State,
    [
        (INITIAL, "raise_objection", OB.PENDING, DEPUTY),
        (OB.PENDING, "keep_entry", OB.REJECTED, STAFF),
        (OB.PENDING, "correct_entry", OB.CORRECTED, STAFF),
    ],
    labels=OBJECTION_LABELS,
    noun=_("该异议"),
    wrong_state=Refusal(_("该异议已处理。"), code="already_decided"),
)


def check_action(approve: bool) -> str:
    """The 初审 move: pass to 复核 or reject."""
    return "pass_check" if approve else "fail_check"


def review_action(approve: bool) -> str:
    """The 复核 move: approve or reject."""
    return "pass_review" if approve else "fail_review"


def decide_action(accept: bool) -> str:
    """The decision on an objection: correct the entry's points or keep the entry."""
    return "correct_entry" if accept else "keep_entry"
