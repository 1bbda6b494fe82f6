"""Dependencies run one way: `server.py -> app/ -> schema/ -> engine/ ->
resolvers/ -> db/` (see the README's Architecture). Each package's imports are
read from its source, those inside functions and `TYPE_CHECKING` included.

The project's modules import one another without a cycle, counting the imports
that run when a module is loaded; and no module outside the migrations, the
tests and the benchmarks is longer than one concept needs."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Folders that hold no module of the project's.
NOT_SOURCE = {"node_modules", "__pycache__"}

MAX_LINES = 400
# Generated migrations, tests and benchmarks may be as long as their cases.
LONG_ALLOWED = ("db/migrations/", "tests/", "bench/")

# A package, and the top-level names none of its modules may import.
FORBIDDEN = {
    "engine": {"schema", "app", "server", "cli"},
    "resolvers": {"engine", "schema", "app", "server", "cli"},
    "db": {"resolvers", "engine", "schema", "app", "server", "cli", "strawberry"},
    # The benchmarks measure; what they share with the tests is `loadtest/`'s.
    "tests": {"bench"},
    "loadtest": {"bench", "tests"},
}


def imported_names(path: Path) -> set[str]:
    """The top-level names of the absolute imports in a module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_nothing_above_it(package: str) -> None:
    # Given the package's modules
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, f"{package}/ has no modules"

    # When their imports are read
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_names(path) & FORBIDDEN[package])
        for path in modules
    }

    # Then none is of a package above it
    assert {path: names for path, names in wrong.items() if names} == {}


def project_sources() -> Iterator[Path]:
    """Every Python file of the project, outside hidden folders (the virtual
    environment, caches) and the JavaScript dependencies."""
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(
            name for name in subfolders if not name.startswith(".") and name not in NOT_SOURCE
        )
        yield from (Path(folder) / name for name in sorted(files) if name.endswith(".py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def load_time_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is loaded: those at module level and in
    class bodies, not those in functions nor under `if TYPE_CHECKING:`."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not is_type_checking(node.test):
                yield from load_time_imports(node.body)
            yield from load_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from load_time_imports(block)
            for handler in node.handlers:
                yield from load_time_imports(handler.body)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from load_time_imports(node.body)


def imported_modules(name: str, path: Path, modules: set[str]) -> set[str]:
    """The project's modules that loading the module `name` imports: for
    `from package import name`, the submodule when there is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in load_time_imports(tree.body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.add(submodule if submodule in modules else base)
    return found & modules


def import_graph() -> nx.DiGraph[str]:
    sources = {module_name(path): path for path in project_sources()}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(sources)
    for name, path in sources.items():
        graph.add_edges_from(
            (name, imported) for imported in imported_modules(name, path, set(sources))
        )
    return graph


def test_the_import_graph_sees_the_project() -> None:
    # Given the project's modules, when their load-time imports are read
    graph = import_graph()

    # Then a package's modules are found, and the imports between them
    assert graph.has_edge("db.models", "db.models.network")
    assert graph.has_edge("server", "settings")


def test_no_modules_import_each_other_in_a_cycle() -> None:
    # Given the imports each module runs when it is loaded
    graph = import_graph()

    # When cycles are looked for
    cycles = sorted(" -> ".join([*cycle, cycle[0]]) for cycle in nx.simple_cycles(graph))

    # Then there is none
    assert cycles == []


def test_no_module_outside_migrations_tests_and_benchmarks_is_over_the_limit() -> None:
    # Given the project's Python files where the limit applies
    sources = [
        path
        for path in project_sources()
        if not path.relative_to(ROOT).as_posix().startswith(LONG_ALLOWED)
    ]
    assert len(sources) > 100, "the project's modules were not found"

    # When their lines are counted
    lines = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sources
    }

    # Then none is over the limit
    assert {path: count for path, count in lines.items() if count > MAX_LINES} == {}
