"""`metrohub export-schema`: the client and subgraph SDL files, written or
checked against the checked-in copies."""

from __future__ import annotations

import argparse
import sys

from cli.arguments import Commands

__all__ = ["register"]


def register(commands: Commands) -> None:
    export = commands.add_parser(
        "export-schema",
        help="write the client schema (schema/schema.graphql) and the subgraph schema "
        "(schema/subgraph.graphql)",
    )
    export.add_argument(
        "--check", action="store_true", help="fail if a checked-in file is out of date"
    )
    export.add_argument(
        "--print",
        choices=["client", "subgraph"],
        help="write that schema to standard output instead of its file",
    )
    export.set_defaults(run=_export_schema)


def _export_schema(args: argparse.Namespace) -> int:
    from schema.printed import CLIENT_FILE, SUBGRAPH_FILE, client_sdl, subgraph_file_sdl

    files = {
        "client": (CLIENT_FILE, client_sdl()),
        "subgraph": (SUBGRAPH_FILE, subgraph_file_sdl()),
    }
    if args.print:
        sys.stdout.write(files[args.print][1])
        return 0
    stale = 0
    for path, text in files.values():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if not args.check:
            if current != text:
                path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        elif current != text:
            print(f"{path} is out of date: run `metrohub export-schema`", file=sys.stderr)
            stale += 1
        else:
            print(f"{path} is up to date")
    return 1 if stale else 0
