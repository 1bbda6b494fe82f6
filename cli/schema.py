"""`metrohub export-schema`: the client and subgraph SDL files, written or
checked against the checked-in copies."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.arguments import Commands, add_days_argument, command_group

if TYPE_CHECKING:
    from db.engine import Database

__all__ = ["read_sdl_file", "register"]

# A schema read from a file: far above any real one.
MAX_SDL_BYTES = 10 * 1024 * 1024


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

    checking = command_group(
        commands, "schema", help="the hub's own schema", dest="schema_command"
    ).add_parser(
        "check",
        help="what the code's client schema changes against the published one, and whose "
        "recorded operations it breaks (exit 1 when it breaks a used field)",
    )
    checking.add_argument(
        "--against",
        metavar="FILE",
        help="the published schema: a client schema, subgraph SDL or supergraph (default: "
        "the checked-in schema/schema.graphql)",
    )
    add_days_argument(checking)
    checking.set_defaults(run=_check)


def read_sdl_file(path: str) -> str | None:
    """The SDL in the file at `path`; None, the error said on one line, when
    it cannot be read, is too large or is not UTF-8 text."""
    from cli.files import read_limited

    content = read_limited(path, MAX_SDL_BYTES)
    if content is None:
        return None
    if len(content) > MAX_SDL_BYTES:
        print(f"error: {path} is over {MAX_SDL_BYTES} bytes.", file=sys.stderr)
        return None
    try:
        return content.decode()
    except UnicodeDecodeError:
        print(f"error: {path} is not UTF-8 text.", file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.schema_checks import check_schemas, read_schema
    from schema.printed import CLIENT_FILE, client_sdl

    against = args.against or str(CLIENT_FILE)
    published = read_sdl_file(against)
    if published is None:
        return 2

    async def run(database: Database) -> int:
        old = read_schema(published, against)
        new = read_schema(client_sdl(), "the hub's schema")
        report = await check_schemas(database, "the hub's schema", old, new, args.days)
        print("\n".join(report.lines()))
        return 0 if report.passed else 1

    return run_reporting_input_errors(run)


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
