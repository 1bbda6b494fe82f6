"""The GraphQL contract's layout: `schema/` is a module per concept, small
enough to read, and the mutations sit on top of the types they change. Each
module's imports are read from its source, those inside functions and
`TYPE_CHECKING` included, and so are `strawberry.lazy` references."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema"
MAX_LINES = 400


def referenced_modules(path: Path) -> set[str]:
    """The absolute modules a module imports, or names in `strawberry.lazy(...)`."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "lazy"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules.add(node.args[0].value)
    return modules


def test_only_the_schema_root_depends_on_the_mutations() -> None:
    # Given the schema modules outside the mutations package and the root
    modules = [
        path
        for path in sorted(SCHEMA.rglob("*.py"))
        if path != SCHEMA / "__init__.py" and SCHEMA / "mutations" not in path.parents
    ]
    assert modules, "schema/ has no modules"

    # When the modules each one references are read
    wrong = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in referenced_modules(path)
            if name == "schema.mutations" or name.startswith("schema.mutations.")
        )
        for path in modules
    }

    # Then none references the mutations, so nothing they import can cycle back
    assert {path: names for path, names in wrong.items() if names} == {}


def test_no_schema_module_is_longer_than_the_limit() -> None:
    # Given every module of the schema
    modules = sorted(SCHEMA.rglob("*.py"))
    assert modules, "schema/ has no modules"

    # When their lines are counted
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in modules
    }

    # Then each is at most the limit: a longer one is split by concept
    assert {path: n for path, n in lengths.items() if n > MAX_LINES} == {}
