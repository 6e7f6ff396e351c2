"""docs/user-guide/intake.md shows the opinion's states table: its diagram equals `states.TRANSITIONS`,
and the table is sound (every state reachable, the initial move exists)."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from minyi.intake.states import INITIAL, TRANSITIONS, OpinionState, mermaid

DOC = Path(settings.BASE_DIR) / "docs" / "user-guide" / "intake.md"
BLOCK = re.compile(r"```mermaid\n(.*?)```", re.S)


def test_the_guide_shows_the_table():
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 1
    with translation.override("zh-hans"):
        expected = mermaid()
    assert blocks[0].strip() == expected.strip(), "update docs/user-guide/intake.md with:\n" + expected


def test_every_state_is_reachable_from_the_initial_move():
    reached = {INITIAL}
    changed = True
    while changed:
        changed = False
        for (source, _action), t in TRANSITIONS.items():
            if source in reached and t.target not in reached:
                reached.add(t.target)
                changed = True
    assert reached - {INITIAL} == set(OpinionState.values)
