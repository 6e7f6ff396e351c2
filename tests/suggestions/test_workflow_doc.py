"""docs/WORKFLOW.md shows the states table: every diagram equals `states.TRANSITIONS` (and §9 the
points app's machines, declared with the same engine)."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from minyi.points.states import MANUAL_ENTRY, OBJECTION
from minyi.suggestions.states import INITIAL, MACHINES, TRANSITIONS, mermaid, terminal_states

#: Machines of other apps that docs/WORKFLOW.md shows too.
OTHER = {m.name: m for m in (MANUAL_ENTRY, OBJECTION)}

DOC = Path(settings.BASE_DIR) / "docs" / "WORKFLOW.md"
BLOCK = re.compile(r"```mermaid\n(.*?)```", re.S)
EDGE = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)\s*:\s*(\w+)\s*\(([^)]*)\)\s*$")
STATE = re.compile(r'^\s*state\s+"[^"]*"\s+as\s+(\w+)\s*$')
MACHINE = re.compile(r"^\s*%%\s*machine:\s*(\w+)\s*$")


def parse_doc() -> dict[str, tuple[set, set]]:
    """machine → (declared states, edges as (source, target, action, roles))."""
    found: dict[str, tuple[set, set]] = {}
    for block in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        machine, states, edges = None, set(), set()
        for line in block.splitlines():
            if m := MACHINE.match(line):
                machine = m.group(1)
            elif m := STATE.match(line):
                states.add(m.group(1))
            elif m := EDGE.match(line):
                roles = frozenset(r.strip() for r in m.group(4).split(",") if r.strip())
                edges.add((m.group(1), m.group(2), m.group(3), roles))
        assert machine, f"a mermaid block without '%% machine: …':\n{block}"
        assert machine not in found, f"two diagrams for {machine}"
        found[machine] = (states, edges)
    return found


def test_every_machine_has_a_diagram_equal_to_the_table():
    doc = parse_doc()
    assert set(doc) == set(MACHINES) | set(OTHER)
    for machine, (states, edges) in doc.items():
        other = OTHER.get(machine)
        moves = other.transitions if other else TRANSITIONS[machine]
        table = {(t.source, t.target, t.action, t.roles) for t in moves.values()}
        with translation.override("zh-hans"):
            expected = other.mermaid() if other else mermaid(machine)
        hint = f"\nUpdate the {machine} diagram in docs/WORKFLOW.md to:\n```mermaid\n{expected}\n```"
        assert edges == table, f"missing: {table - edges}\nextra: {edges - table}{hint}"
        assert states == set(other.states.values if other else MACHINES[machine].values), hint


def test_every_state_is_reachable_and_only_terminal_states_have_no_exit():
    for machine, moves in TRANSITIONS.items():
        reached, frontier = set(), {INITIAL}
        while frontier:
            state = frontier.pop()
            for (source, _action), t in moves.items():
                if source == state and t.target not in reached:
                    reached.add(t.target)
                    frontier.add(t.target)
        assert reached == set(MACHINES[machine].values), (machine, set(MACHINES[machine].values) - reached)
    assert terminal_states("suggestion") == {"closed", "declined", "merged", "withdrawn"}
    assert terminal_states("assignment") == {"cancelled", "opinion_submitted"}


def test_the_diagram_renders_the_chinese_state_names():
    with translation.override("zh-hans"):
        text = mermaid("suggestion")
    assert 'state "已立案 accepted" as accepted' in text
    assert "submitted --> accepted : accept (congress_admin, congress_clerk)" in text
