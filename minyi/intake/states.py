"""The voter opinion's states and every allowed move, in one table (like `minyi.suggestions.states`).

`TRANSITIONS[(from_state, action)]` gives the `Transition` (target state and the roles that may make
the move). The actions ask this table before they change anything; the opinion page asks it which
buttons to show; `docs/user-guide/intake.md` shows the same diagram (`mermaid()`; a test keeps them
equal). The machine is a `minyi.core.states` machine (the engine every app uses).

The table says which *role* may make a move; `rules.py` adds the relation to the record (a liaison
clerk *of the opinion's station*, the opinion's *own* deputy, a member *of the unit* it was forwarded
to).

- ``record``: a liaison clerk or a deputy records the opinion (待处理).
- ``refer``: a liaison clerk of the station gives it to a deputy (who may then adopt it).
- ``answer_on_spot``: answered there and then (当场答复) — done.
- ``forward``: sent to a handling unit (转办); the unit ``answer_forwarded`` (单位答复) or
  ``return_forwarded`` (退回, with a reason: back to 待处理).
- ``merge``: the same concern as another opinion (合并): it follows that one's outcome.
- ``adopt``: the opinion's deputy turns it into a suggestion draft (形成建议), which keeps the link.
- ``notify``: the constituent is told the outcome by SMS (once per outcome; no state change).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import Role
from minyi.core.states import INITIAL, Machine, Refusal, Transition, define

__all__ = ["INITIAL", "Machine", "Transition"]


class OpinionState(models.TextChoices):
    OPEN = "open", _("待处理")
    ANSWERED = "answered", _("已当场答复")
    FORWARDED = "forwarded", _("已转办")
    UNIT_ANSWERED = "unit_answered", _("单位已答复")
    MERGED = "merged", _("已合并")
    ADOPTED = "adopted", _("已形成建议")


#: Badge colour of each state on the pages.
STATE_COLOURS: Final[Mapping[str, str]] = {
    OpinionState.OPEN: "warning",
    OpinionState.ANSWERED: "success",
    OpinionState.FORWARDED: "info",
    OpinionState.UNIT_ANSWERED: "success",
    OpinionState.MERGED: "secondary",
    OpinionState.ADOPTED: "primary",
}

ACTION_LABELS: Final[Mapping[str, Promise]] = {
    "record": _("登记社情民意"),
    "refer": _("交代表处理"),
    "answer_on_spot": _("当场答复"),
    "forward": _("转办单位"),
    "answer_forwarded": _("答复转办意见"),
    "return_forwarded": _("退回转办意见"),
    "merge": _("合并到其他意见"),
    "adopt": _("形成代表建议"),
    "notify": _("短信告知反映人"),
}

#: Bootstrap button style of each action (the primary moves stand out).
ACTION_STYLES: Final[Mapping[str, str]] = {
    "refer": "outline-primary",
    "answer_on_spot": "success",
    "forward": "outline-primary",
    "answer_forwarded": "success",
    "return_forwarded": "outline-danger",
    "merge": "outline-secondary",
    "adopt": "primary",
    "notify": "primary",
}

STATION: Final = frozenset({Role.LIAISON_CLERK})
DEPUTY: Final = frozenset({Role.DEPUTY})
HANDLERS: Final = STATION | DEPUTY
UNIT: Final = frozenset({Role.UNIT_CLERK, Role.UNIT_HANDLER, Role.UNIT_LEADER, Role.COORDINATOR})

OS = OpinionState


_ROWS: list[tuple[str, str, str, frozenset[str]]] = [
    (INITIAL, "record", OS.OPEN, HANDLERS),
    (OS.OPEN, "refer", OS.OPEN, STATION),
    (OS.OPEN, "adopt", OS.ADOPTED, DEPUTY),
    (OS.OPEN, "answer_on_spot", OS.ANSWERED, HANDLERS),
    (OS.OPEN, "forward", OS.FORWARDED, HANDLERS),
    (OS.OPEN, "merge", OS.MERGED, HANDLERS),
    (OS.FORWARDED, "answer_forwarded", OS.UNIT_ANSWERED, UNIT),
    (OS.FORWARDED, "return_forwarded", OS.OPEN, UNIT),
    (OS.UNIT_ANSWERED, "notify", OS.UNIT_ANSWERED, HANDLERS),
    (OS.ADOPTED, "notify", OS.ADOPTED, HANDLERS),
    (OS.MERGED, "notify", OS.MERGED, HANDLERS),
]


#: The opinion's machine. The system makes no move here: an actor None is refused like a role.
MACHINE: Final[Machine] = define(
    "opinion",
    OpinionState,
    _ROWS,
    labels=ACTION_LABELS,
    styles=ACTION_STYLES,
    wrong_state=Refusal(_("该意见当前为“%(state)s”，不能%(action)s。")),
    wrong_role=Refusal(_("该意见当前为“%(state)s”，您的角色不能%(action)s。")),
    not_system=None,
)

#: The table: (from_state, action) → Transition.
TRANSITIONS: Final[Mapping[tuple[str, str], Transition]] = MACHINE.transitions


def transition_for(source: str, action: str) -> Transition | None:
    return MACHINE.transition_for(source, action)


def actions_from(source: str) -> list[Transition]:
    """The moves out of `source`, in table order (before role and relation checks)."""
    return MACHINE.actions_from(source)


def roles_for_action(action: str) -> frozenset[str]:
    return MACHINE.roles_for_action(action)


def state_label(state: str) -> str:
    return MACHINE.state_label(state)


def mermaid() -> str:
    """The machine as a Mermaid state diagram, as kept in docs/user-guide/intake.md."""
    return MACHINE.mermaid()
