"""The project's import graph, read with ``ast`` from engine/, gui/, cli/ and resources/.

Every import counts: at module level and deferred inside functions (an import in a
function still ties the two modules together); only imports under
``if TYPE_CHECKING:`` are left out, since they never run. ``import_module("x")`` with
a literal name counts as ``import x`` (the command table in cli/__init__.py).

- No circles among the project's modules.
- The engine imports neither gui, cli nor Qt (PySide6, shiboken6, pyqtgraph), not
  even for type checking; resources imports nothing of the project.
- ``import cli``, ``cli.trace`` and ``cli.train`` import no Qt at module level,
  transitively (a package's ``__init__`` runs before its modules, so it counts too).
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "gui", "cli", "resources")
QT = {"PySide6", "shiboken6", "pyqtgraph"}


@dataclass
class Imports:
    """What one module imports: project modules and other top-level packages."""

    module_level: set[str] = field(default_factory=set)  # run when the module is imported
    deferred: set[str] = field(default_factory=set)  # run when a function is called
    type_checking: set[str] = field(default_factory=set)  # never run

    def run(self) -> set[str]:
        return self.module_level | self.deferred


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[module_name(path)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _target(name: str) -> str:
    """The project module ``name`` loads (its longest prefix that is one), or the
    top-level package of a module outside the project."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules():
            return ".".join(parts[:end])
    return parts[0]


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The modules an Import/ImportFrom/import_module("…") node loads."""
    if isinstance(node, ast.Import):
        return [_target(alias.name) for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: from the module's own package upwards
            package = module.split(".") if is_package else module.split(".")[:-1]
            base = ".".join(package[: len(package) - node.level + 1] + [node.module or ""])
            base = base.strip(".")
        else:
            base = node.module or ""
        # `from package import module` loads that module; `from module import name`
        # loads the module.
        return [
            _target(f"{base}.{alias.name}")
            if f"{base}.{alias.name}" in modules()
            else _target(base)
            for alias in node.names
        ]
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name == "import_module" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return [_target(first.value)]
    return []


@cache
def imports_of(module: str) -> Imports:
    path = modules()[module]
    is_package = path.name == "__init__.py"
    found = Imports()

    def visit(node: ast.AST, deferred: bool, type_only: bool) -> None:
        for name in _imported(node, module, is_package):
            if name == module:
                continue
            if type_only:
                found.type_checking.add(name)
            elif deferred:
                found.deferred.add(name)
            else:
                found.module_level.add(name)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, deferred, True)
            for child in node.orelse:
                visit(child, deferred, type_only)
            return
        inside = deferred or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inside, type_only)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False, False)
    return found


def graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports (module level or deferred)."""
    return {m: {n for n in imports_of(m).run() if n in modules()} for m in modules()}


# -- circles ---------------------------------------------------------------------------


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components with more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(edges[node]):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges[node]:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return components


def shortest_path(edges: dict[str, set[str]], start: str, goal: str, within: set[str]) -> list[str]:
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for successor in sorted(edges[node] & within):
            if successor not in previous:
                previous[successor] = node
                queue.append(successor)
    return []


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """For every import inside a circle, the shortest circle through it (each once)."""
    found: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for component in strongly_connected(edges):
        members = set(component)
        for source in component:
            for target in sorted(edges[source] & members):
                circle = [source, *shortest_path(edges, target, source, members)]
                smallest = circle.index(min(circle[:-1]))
                key = tuple(circle[smallest:-1] + circle[:smallest])
                if key not in seen:
                    seen.add(key)
                    found.append([*key, key[0]])
    return found


def describe(circle: list[str]) -> str:
    steps = []
    for source, target in zip(circle[:-1], circle[1:], strict=True):
        how = "deferred" if target not in imports_of(source).module_level else "module level"
        steps.append(f"{source} -> {target} ({how})")
    return "; ".join(steps)


def test_the_import_graph_is_read() -> None:
    """A floor: reading that silently finds nothing must fail, not pass."""
    edges = graph()
    assert {"engine.trace", "gui.document", "cli", "cli.trace", "resources"} <= set(edges)
    assert "engine.trace" in edges["cli.trace"]  # module level
    assert "cli.trace" in edges["cli"]  # import_module("cli.trace") in the command table
    assert "gui.main_window" in imports_of("cli.window").deferred
    assert "PySide6" in imports_of("gui.export").module_level


def test_the_circle_finder_finds_every_circle() -> None:
    edges = {"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"b"}, "e": {"e"}, "f": {"a"}}
    assert circles(edges) == [["a", "b", "a"], ["b", "c", "d", "b"], ["e", "e"]]


def test_no_import_circles() -> None:
    found = circles(graph())
    for circle in found:
        print("import circle:", describe(circle))
    assert found == [], "import circles:\n" + "\n".join(describe(c) for c in found)


# -- layers ----------------------------------------------------------------------------


@pytest.mark.parametrize("module", [m for m in modules() if m.split(".")[0] == "engine"])
def test_the_engine_imports_neither_gui_cli_nor_qt(module: str) -> None:
    imports = imports_of(module)
    every = imports.run() | imports.type_checking
    forbidden = sorted(n for n in every if n.split(".")[0] in {"gui", "cli"} | QT)
    assert forbidden == [], f"{module} imports {forbidden}"


def test_resources_imports_nothing_of_the_project() -> None:
    for module in (m for m in modules() if m.split(".")[0] == "resources"):
        project = sorted(n for n in imports_of(module).run() if n in modules())
        assert project == [], f"{module} imports {project}"


def loaded_at_import(module: str) -> set[str]:
    """Every project module and outside package that importing ``module`` runs: its
    module-level imports, theirs, and the ``__init__`` of every package on the way."""

    def with_parents(name: str) -> list[str]:
        parts = name.split(".")
        return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]

    loaded: set[str] = set()
    queue = deque(with_parents(module))
    while queue:
        name = queue.popleft()
        if name in loaded:
            continue
        loaded.add(name)
        if name in modules():
            for imported in imports_of(name).module_level:
                queue.extend(with_parents(imported) if imported in modules() else [imported])
    return loaded


@pytest.mark.parametrize("module", ["cli", "cli.arguments", "cli.trace", "cli.train"])
def test_the_headless_commands_import_no_qt_at_module_level(module: str) -> None:
    loaded = loaded_at_import(module)
    assert "engine.network" in loaded  # a floor: the reading found something
    assert sorted(loaded & QT) == []


def test_the_command_table_imports_every_subcommand_without_qt() -> None:
    loaded = loaded_at_import("cli")
    assert {"cli.trace", "cli.train", "cli.export", "cli.explain", "cli.window"} <= loaded
    assert not any(name.split(".")[0] == "gui" and name != "gui" for name in loaded), sorted(
        name for name in loaded if name.startswith("gui")
    )
