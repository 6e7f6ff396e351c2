"""Every `do_*` action reaches `audit.services.record()` (house rule 1). Kept pages, kept counts and
figure snapshots (`core.kept_pages`, `core.versioned`, `reports.FigureSnapshot`) are keyed by the
congress's data version, the seq of its latest audit row: an action that changed records without
writing one would leave them showing the old data. This test reads the source (a call graph by
function name, so it can only be too generous — a name shared with a recording function counts as
recording — never too strict); the behaviour is checked by the kept-page tests, which compare kept
pages with fresh renders after every stage of a suggestion's life."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

MINYI = Path(__file__).resolve().parents[2] / "minyi"


def _call_graph() -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    calls: dict[str, set[str]] = collections.defaultdict(set)
    where: dict[str, list[str]] = collections.defaultdict(list)
    for path in MINYI.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            where[node.name].append(str(path.relative_to(MINYI)))
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call):
                    func = sub.func
                    if isinstance(func, ast.Name):
                        calls[node.name].add(func.id)
                    elif isinstance(func, ast.Attribute):
                        calls[node.name].add(func.attr)
    return calls, where


def test_every_action_reaches_record():
    calls, where = _call_graph()
    recording = {"record"}
    grew = True
    while grew:
        before = len(recording)
        recording |= {name for name, called in calls.items() if called & recording}
        grew = len(recording) > before
    actions = {name for name in where if name.startswith("do_")}
    assert len(actions) > 100  # the graph sees the actions at all
    silent = sorted(f"{name} ({', '.join(where[name])})" for name in actions - recording)
    assert not silent, f"actions that never call record(): {silent}"
