"""The layering holds: no import cycles, between feature packages or between modules, and no feature imports
another feature's views. Imports are read from the source (ast), wherever they stand in a file."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tracker.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "tracker"
VIEW_MODULES = {"views", "edit_views", "admin_views", "token_views", "export_views"}
# Composition roots wire everything together; nothing imports them back.
ROOTS = {"tracker", "tracker.cli", "tracker.wsgi"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def import_graph() -> dict[str, set[str]]:
    """module -> the tracker modules it imports (a `from package import name` counts as the module when it is one)."""
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
                targets = [t if t in modules else node.module for t in targets]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_finder_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_between_modules():
    graph = {m: {t for t in ts if t not in ROOTS} for m, ts in import_graph().items() if m not in ROOTS}
    assert find_cycle(graph) is None


def test_no_import_cycle_between_packages():
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in import_graph().items():
        if module in ROOTS:
            continue
        packages[package_of(module)].update(package_of(t) for t in targets if t not in ROOTS)
    for name, targets in packages.items():
        targets.discard(name)
    assert find_cycle(packages) is None


def test_no_feature_imports_another_features_views():
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module not in ROOTS
        for target in targets
        if target.rsplit(".", 1)[-1] in VIEW_MODULES and package_of(target) != package_of(module)
    )
    assert offending == []


def test_nothing_takes_sessions_or_time_from_the_package_root():
    import tracker

    for name in ("get_session", "get_db", "today", "utcnow"):
        assert not hasattr(tracker, name), f"tracker.{name} is a service locator in the package root"


@pytest.mark.parametrize("module", ["tracker.regulations.stages", "tracker.dates", "tracker.feeds.ical"])
def test_pure_modules_know_no_database_clock_or_flask(module):
    imported = import_graph()[module]
    source = (_modules()[module]).read_text(encoding="utf-8")
    assert not {"tracker.db", "tracker.clock"} & imported
    assert "import flask" not in source and "from flask" not in source and "datetime.now" not in source
