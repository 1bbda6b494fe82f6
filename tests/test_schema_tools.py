"""Standard tools read the hub's client schema as it is: graphql-inspector
validates real operations against the checked-in file and the served one, and
graphql-schema-linter finds nothing wrong but the rules the README turns off.

The tools are the pinned npm packages of `audit/`."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from server import create_app
from settings import Settings
from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "audit" / "node_modules" / ".bin"
CLIENT_SCHEMA = ROOT / "schema" / "schema.graphql"
# Real operations: GraphiQL's example tabs.
OPERATIONS = "app/tabs/*.graphql"
# The linter's rules the README lists as deliberately off, with the reason.
RULES_OFF = {
    "type-fields-sorted-alphabetically",
    "input-object-fields-sorted-alphabetically",
    "enum-values-sorted-alphabetically",
}


@pytest.fixture
def hub_origin(settings: Settings) -> Iterator[str]:
    """The hub in production mode, where anonymous callers may not introspect."""
    with serving(create_app(replace(settings, development=False))) as origin:
        yield origin


def _tool(name: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    executable = TOOLS / name
    assert executable.exists(), f"{executable} is missing: run `make assets`"
    assert shutil.which("node"), "the schema tools need Node.js 20+"
    return subprocess.run(
        [str(executable), *arguments], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_inspector_validates_operations_against_the_checked_in_schema() -> None:
    result = _tool("graphql-inspector", "validate", OPERATIONS, str(CLIENT_SCHEMA))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All documents are valid" in result.stdout


def test_inspector_finds_an_operation_the_schema_does_not_have(tmp_path: Path) -> None:
    # Given an operation asking for a field the hub does not have
    (tmp_path / "wrong.graphql").write_text("{ members { edges { node { airQualityIndex } } } }")
    # Then the same check fails, naming the field (the check can fail)
    result = _tool("graphql-inspector", "validate", str(tmp_path / "*.graphql"), str(CLIENT_SCHEMA))
    assert result.returncode != 0
    assert "airQualityIndex" in result.stdout + result.stderr


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_inspector_reads_the_schema_the_hub_serves(hub_origin: str, method: str) -> None:
    # graphql-tools' URL loader posts by default, and gets on request
    result = _tool(
        "graphql-inspector",
        "validate",
        OPERATIONS,
        f"{hub_origin}/schema.graphql",
        "--method",
        method,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All documents are valid" in result.stdout


def test_the_linter_finds_nothing_but_the_rules_turned_off() -> None:
    result = _tool("graphql-schema-linter", "--format", "json", str(CLIENT_SCHEMA))
    errors = json.loads(result.stdout)["errors"]
    assert errors, "the linter reported nothing at all: is it reading the schema?"
    assert [e["message"] for e in errors if e["rule"] not in RULES_OFF] == []
