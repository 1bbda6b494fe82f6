"""`metrohub export-schema`: the GraphQL SDL, written or checked against the
checked-in copy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.arguments import Commands

__all__ = ["SCHEMA_FILE", "register"]

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"


def register(commands: Commands) -> None:
    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument(
        "--output", default=str(SCHEMA_FILE), help="file to write, or - for standard output"
    )
    export.add_argument(
        "--check", action="store_true", help="fail if the checked-in SDL is out of date"
    )
    export.set_defaults(run=_export_schema)


def _export_schema(args: argparse.Namespace) -> int:
    from cli.output import write_output
    from schema import sdl

    text = sdl()
    if args.check:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current != text:
            print(f"{SCHEMA_FILE} is out of date: run `metrohub export-schema`", file=sys.stderr)
            return 1
        print(f"{SCHEMA_FILE} is up to date")
        return 0
    write_output(args.output, text)
    return 0
