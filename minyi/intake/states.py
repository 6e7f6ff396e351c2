"""The voter opinion's states and every allowed move, in one table (like `minyi.suggestions.states`).

`TRANSITIONS[(from_state, action)]` gives the `Transition` (target state and the roles that may make
the move). The actions ask this table before they change anything; the opinion page asks it which
buttons to show; `docs/user-guide/intake.md` shows the same diagram (`mermaid()`; a test keeps them
equal).

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
from dataclasses import dataclass
from typing import Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import Role

INITIAL: Final = "[*]"


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


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str]

    @property
    def label(self) -> Promise:
        return ACTION_LABELS[self.action]

    @property
    def style(self) -> str:
        return ACTION_STYLES.get(self.action, "outline-primary")


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


def _build() -> dict[tuple[str, str], Transition]:
    table: dict[tuple[str, str], Transition] = {}
    for source, action, target, roles in _ROWS:
        source, target = str(source), str(target)
        assert source == INITIAL or source in OpinionState.values, source
        assert target in OpinionState.values, target
        assert action in ACTION_LABELS, action
        assert (source, action) not in table, (source, action)
        table[(source, action)] = Transition(source, action, target, frozenset(str(r) for r in roles))
    return table


#: The table: (from_state, action) → Transition.
TRANSITIONS: Final[Mapping[tuple[str, str], Transition]] = _build()


def transition_for(source: str, action: str) -> Transition | None:
    return TRANSITIONS.get((str(source), action))


def actions_from(source: str) -> list[Transition]:
    """The moves out of `source`, in table order (before role and relation checks)."""
    return [t for (s, _a), t in TRANSITIONS.items() if s == str(source)]


def roles_for_action(action: str) -> frozenset[str]:
    roles: set[str] = set()
    for (_s, a), t in TRANSITIONS.items():
        if a == action:
            roles |= t.roles
    return frozenset(roles)


def state_label(state: str) -> str:
    if state == INITIAL:
        return str(_("（新建）"))
    return str(OpinionState(state).label)


def mermaid() -> str:
    """The machine as a Mermaid state diagram, as kept in docs/user-guide/intake.md."""
    lines = ["stateDiagram-v2", "    %% machine: opinion"]
    for value, label in OpinionState.choices:
        lines.append(f'    state "{label} {value}" as {value}')
    for t in TRANSITIONS.values():
        lines.append(f"    {t.source} --> {t.target} : {t.action} ({', '.join(sorted(t.roles))})")
    return "\n".join(lines)
