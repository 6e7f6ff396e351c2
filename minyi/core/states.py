"""The one transition-table engine: every app's state machines are declared with it.

A `Machine` holds one record type's states (a `TextChoices` with labels), its allowed moves
(`Transition`: source → action → target, with the roles that may make the move) and the words its
refusals use. The apps declare their machines in their `states.py` (`define(...)`); the `do_*`
actions ask the engine before they change anything (`check_move` for the actor's roles, or
`require_move` for the state alone), then `apply` the target state; the pages ask it which buttons
to show (`allowed_actions`); the docs show `mermaid()` diagrams that tests keep equal to the tables.

Machines today: suggestions (`suggestion`, `assignment`, `cosigner`, `withdrawal`, `extension`,
`contact`, `commitment`, `reassign_request`), intake (`opinion`), awards (`award_round`), points
(`manual_entry`, `objection`).

- `INITIAL` ("[*]") as the source state means "the row is created by this action".
- Roles are `accounts.Role` values, or `SYSTEM` for moves made by scheduled jobs (actor None).
  The table says which *role* may make a move; the actions add the relation to the record
  (the deputy's own record, a member of the unit…) through the app's `rules.py`.
- Refusals are domain errors whose texts each app chose long ago; a machine carries its templates
  (`wrong_state`, `wrong_role`, per-action `refusals`) and formats them with ``what`` (the
  machine's noun), ``state`` (the state's label) and ``action`` (the action's label); ``s`` and
  ``a`` are the same values under the short names some apps' messages use.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import InvalidTransition, NotPermitted

INITIAL: Final = "[*]"
SYSTEM: Final = "system"

#: The default refusal texts (the suggestion lifecycle's).
WRONG_STATE: Final = _("%(what)s当前状态为“%(state)s”，不能%(action)s。")
WRONG_ROLE: Final = _("%(what)s当前状态为“%(state)s”，您的角色不能%(action)s。")
NOT_SYSTEM: Final = _("此操作须由有权限的人员执行。")


@dataclass(frozen=True)
class Refusal:
    """A refusal text (a template, see the module doc) and the error's code (None: the error's
    default code)."""

    message: Promise | str
    code: str | None = None


@dataclass(frozen=True)
class Transition:
    """One allowed move: from `source` by `action` to `target`, for any of `roles`."""

    machine: str
    source: str
    action: str
    target: str
    roles: frozenset[str]
    label: Promise | str
    #: The question a confirm dialog asks before the move (None: no dialog).
    confirm: Promise | str | None = None
    #: The Bootstrap button style of the move on the pages.
    style: str = "outline-primary"


#: A row of a table: (source, action, target, roles).
Row = tuple[str, str, str, Collection[str]]


@dataclass(frozen=True, eq=False)
class Machine:
    name: str
    states: type[models.TextChoices]
    #: (source, action) → Transition, in table order.
    transitions: Mapping[tuple[str, str], Transition]
    labels: Mapping[str, Promise | str]
    #: What a record is called in messages (``%(what)s``), e.g. “该建议”.
    noun: Promise | str = ""
    wrong_state: Refusal = field(default_factory=lambda: Refusal(WRONG_STATE))
    wrong_role: Refusal = field(default_factory=lambda: Refusal(WRONG_ROLE))
    #: Per action, the wrong-state refusal when it is not `wrong_state`.
    refusals: Mapping[str, Refusal] = field(default_factory=dict)
    #: The refusal when the system (actor None) tries a move that is not SYSTEM's; None: treat
    #: the system as an actor without roles (`wrong_role`).
    not_system: Refusal | None = field(default_factory=lambda: Refusal(NOT_SYSTEM))
    #: The model field holding the state.
    state_field: str = "state"

    # --- lookups ---------------------------------------------------------------------------------

    def transition_for(self, source: str, action: str) -> Transition | None:
        return self.transitions.get((str(source), action))

    def actions_from(self, source: str) -> list[Transition]:
        """The moves out of `source`, in table order (before role and relation checks)."""
        return [t for (s, _a), t in self.transitions.items() if s == str(source)]

    def allowed_actions(self, source: str, roles: Iterable[str]) -> list[Transition]:
        """The moves out of `source` that one of `roles` may make (SYSTEM among them for the
        system), in table order: the buttons a page may show before relation checks."""
        held = {str(r) for r in roles}
        return [t for t in self.actions_from(source) if t.roles & held]

    def roles_for_action(self, action: str) -> frozenset[str]:
        """Every role that may make `action` from some state."""
        roles: set[str] = set()
        for (_s, a), t in self.transitions.items():
            if a == action:
                roles |= t.roles
        return frozenset(roles)

    def state_label(self, state: str) -> str:
        if state == INITIAL:
            return gettext("（新建）")
        return str(self.states(state).label)

    def terminal_states(self) -> frozenset[str]:
        """States with no way out."""
        sources = {s for (s, _a) in self.transitions}
        return frozenset(v for v in self.states.values if v not in sources)

    def mermaid(self) -> str:
        """The machine as a Mermaid state diagram, as kept in the docs (tests compare them).
        Each edge is labelled ``action (role, role…)``."""
        lines = ["stateDiagram-v2", f"    %% machine: {self.name}"]
        for value, label in self.states.choices:
            lines.append(f'    state "{label} {value}" as {value}')
        for t in self.transitions.values():
            lines.append(f"    {t.source} --> {t.target} : {t.action} ({', '.join(sorted(t.roles))})")
        return "\n".join(lines)

    # --- checks ----------------------------------------------------------------------------------

    def _text(self, refusal: Refusal, state: str, action: str) -> str:
        state_text, action_text = self.state_label(state), self.labels[action]
        return str(refusal.message) % {
            "what": self.noun,
            "state": state_text,
            "action": action_text,
            "s": state_text,
            "a": action_text,
        }

    def wrong_state_error(self, state: str, action: str) -> InvalidTransition:
        refusal = self.refusals.get(action, self.wrong_state)
        return InvalidTransition(self._text(refusal, state, action), code=refusal.code)

    def require_move(self, state: str, action: str) -> Transition:
        """The table allows `action` from `state` (whoever asks), else InvalidTransition."""
        transition = self.transition_for(state, action)
        if transition is None:
            raise self.wrong_state_error(state, action)
        return transition

    def check_move(self, state: str, action: str, *, actor: Any, congress: Any) -> Transition:
        """The table allows `action` from `state` for one of the actor's roles in `congress`
        (SYSTEM for actor None), else InvalidTransition (wrong state) or NotPermitted (wrong role)."""
        transition = self.require_move(state, action)
        if actor is None and self.not_system is not None:
            if SYSTEM not in transition.roles:
                raise NotPermitted(str(self.not_system.message), code=self.not_system.code)
        elif actor is None or not roles_of(actor, congress) & transition.roles:
            raise NotPermitted(self._text(self.wrong_role, state, action), code=self.wrong_role.code)
        return transition

    def apply(self, obj: models.Model, transition: Transition, now: datetime.datetime) -> list[str]:
        """Set the target state (and `state_changed_at` where the model has it); returns the
        fields to save."""
        assert transition.machine == self.name, (transition.machine, self.name)
        setattr(obj, self.state_field, transition.target)
        fields = [self.state_field]
        if hasattr(obj, "state_changed_at"):
            obj.state_changed_at = now  # type: ignore[attr-defined]
            fields.append("state_changed_at")
        return fields


def roles_of(user: Any, congress: Any) -> set[str]:
    """The user's roles in `congress`: the one definition, `minyi.core.kit.roles_of`."""
    from .kit import roles_of as kit_roles_of

    return kit_roles_of(user, congress)


_MACHINES: dict[str, Machine] = {}


def define(
    name: str,
    states: type[models.TextChoices],
    rows: Sequence[Row],
    *,
    labels: Mapping[str, Promise | str],
    confirms: Mapping[str, Promise | str] | None = None,
    styles: Mapping[str, str] | None = None,
    **options: Any,
) -> Machine:
    """Build and register a machine from its rows (checked: known states and actions, one move per
    (source, action)). `options` are the `Machine` fields (noun, refusals, state_field…)."""
    moves: dict[tuple[str, str], Transition] = {}
    for source, action, target, roles in rows:
        source, target = str(source), str(target)
        assert source == INITIAL or source in states.values, (name, source)
        assert target in states.values, (name, target)
        assert action in labels, (name, action)
        assert (source, action) not in moves, (name, source, action)
        moves[(source, action)] = Transition(
            name,
            source,
            action,
            target,
            frozenset(str(r) for r in roles),
            labels[action],
            (confirms or {}).get(action),
            (styles or {}).get(action, "outline-primary"),
        )
    machine = Machine(name, states, moves, labels, **options)
    for action in machine.refusals:
        assert action in labels, (name, action)
    _MACHINES[name] = machine
    return machine


def machine(name: str | Machine) -> Machine:
    """A registered machine by name (its app's `states` module must have been imported)."""
    return name if isinstance(name, Machine) else _MACHINES[name]


def machines() -> dict[str, Machine]:
    """Every registered machine, by name."""
    return dict(_MACHINES)


# --- the same steps as functions of a machine or its name ----------------------------------------------


def transition_for(name: str | Machine, source: str, action: str) -> Transition | None:
    return machine(name).transition_for(source, action)


def allowed_actions(name: str | Machine, state: str, roles: Iterable[str]) -> list[Transition]:
    return machine(name).allowed_actions(state, roles)


def check_move(name: str | Machine, state: str, action: str, *, actor: Any, congress: Any) -> Transition:
    return machine(name).check_move(state, action, actor=actor, congress=congress)


def require_move(name: str | Machine, state: str, action: str) -> Transition:
    return machine(name).require_move(state, action)


def apply(obj: models.Model, transition: Transition, now: datetime.datetime) -> list[str]:
    return machine(transition.machine).apply(obj, transition, now)
