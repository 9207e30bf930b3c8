"""The actions stay thin adapters: no import cycle among their modules, and no action runs another
action's `run()` (a shared answer is a function: actions/answers.py answer_question)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot import paths

ACTIONS = paths.PROJECT / "actions"


def imports() -> dict[str, set[str]]:
    """actions module → the actions modules it imports."""
    graph: dict[str, set[str]] = {}
    for path in ACTIONS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("actions."):
                found.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("actions.")}
        graph[path.stem] = found
    return graph


def test_the_actions_modules_import_each_other_without_a_cycle() -> None:
    graph = imports()
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", f"import cycle: {' → '.join([*trail, module])}"
        state[module] = "open"
        for other in graph.get(module, ()):
            visit(other, [*trail, module])
        state[module] = "done"

    for module in graph:
        visit(module, [])


def test_no_action_runs_another_actions_run() -> None:
    calls = []
    for path in ACTIONS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run":
                calls.append(f"{Path(path).name}:{node.lineno}")
    assert calls == []
