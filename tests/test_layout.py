"""Dependencies run one way: `server.py -> app/ -> schema/ -> engine/ ->
resolvers/ -> db/` (see the README's Architecture). Each package's imports are
read from its source, those inside functions and `TYPE_CHECKING` included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

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
