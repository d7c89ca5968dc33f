"""Imports only point down: no cycle between files or top-level packages, and each package
reads only the layers below it (content and settings at the bottom, tests at the top)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from settings import PROJECT_DIR

PACKAGES = (
    "actions",
    "bot",
    "content",
    "eval",
    "pipeline",
    "rasa_sdk_plugins",
    "settings",
    "tests",
)
# What each top-level package may import from the project, besides itself (tests: anything).
ALLOWED = {
    "settings": set(),
    "content": set(),
    "pipeline": {"content"},
    "actions": {"content", "settings"},
    "rasa_sdk_plugins": {"actions"},
    "bot": {"content", "settings"},
    "eval": {"bot", "content", "settings", "actions", "pipeline"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in (PROJECT_DIR / package).rglob("*.py")
    }


def imported_modules(path: Path) -> set[str]:
    """Project modules a file imports at run time (imports under TYPE_CHECKING are types only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            # `from bot.gateway import routes` names a module; `from x import y` may name a value.
            while name and name not in project_modules():
                name = name.rpartition(".")[0]
            if name and name.split(".")[0] in PACKAGES:
                found.add(name)
    return found


@cache
def module_graph() -> dict[str, set[str]]:
    return {
        name: imported_modules(path) - {name} - package_parents(name)
        for name, path in project_modules().items()
    }


def package_parents(name: str) -> set[str]:
    """A module's own packages: importing one's package `__init__` is not a cycle worth naming."""
    parts = name.split(".")
    return {".".join(parts[:n]) for n in range(1, len(parts))}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of nodes (first repeated at the end), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for source, targets in module_graph().items():
        top = source.split(".")[0]
        graph[top] |= {t.split(".")[0] for t in targets} - {top}
    return graph


def test_no_file_imports_itself_round_a_cycle():
    assert find_cycle(module_graph()) is None


def test_no_top_level_package_imports_itself_round_a_cycle():
    assert find_cycle(package_graph()) is None


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_the_layers_below_it(package):
    assert package_graph()[package] <= ALLOWED[package]


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_import_reader_sees_from_imports():
    module = PROJECT_DIR / "bot" / "gateway" / "main.py"
    assert "bot.gateway.rasa_client" in imported_modules(module)
    assert "settings.bot" in imported_modules(module)
