"""`metrohub geojson`, `import` and `export`: lists of the hub as files, and
partners, members, initiatives and links back from them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cli.arguments import Commands
from cli.output import add_output_argument

if TYPE_CHECKING:
    from db.engine import Database
    from resolvers.access.keys import Principal
    from resolvers.imports import FileFormat, ImportReport

__all__ = ["read_limited", "register"]

# The record files, each with how its rows find their record.
FILES = {
    "partners": "partners by name",
    "members": "members by name and country",
    "initiatives": "initiatives by title and period",
    "links": "links between initiatives and members or partners by both ends",
}


def register(commands: Commands) -> None:
    export = commands.add_parser(
        "geojson", help="export a filtered list of members or partners as GeoJSON"
    )
    export.add_argument("list", choices=["members", "partners"], help="which list")
    export.add_argument(
        "--where",
        help='a MemberWhere or PartnerWhere filter as JSON, e.g. \'{"kind": {"eq": "CITY"}}\'',
    )
    add_output_argument(export)
    export.set_defaults(run=_geojson)

    importing = commands.add_parser(
        "import",
        help="create or update partners, members, initiatives or links from a CSV or JSON "
        "file, matched by natural key; prints a line per row and exits 1 when rows were "
        "rejected",
    )
    importing.add_argument(
        "list", choices=list(FILES), help=f"what the file holds ({'; '.join(FILES.values())})"
    )
    importing.add_argument("file", help="the file: .csv (with a header row) or .json")
    importing.add_argument(
        "--format", choices=["csv", "json"], help="the file's format (default: from its name)"
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="check and report every row, change nothing"
    )
    importing.add_argument(
        "--atomic", action="store_true", help="apply nothing if any row is rejected"
    )
    importing.set_defaults(run=_import)

    exporting = commands.add_parser(
        "export",
        help="write partners (contact details included), members, initiatives or links as a "
        "CSV or JSON file that `metrohub import` reads back unchanged",
    )
    exporting.add_argument("list", choices=list(FILES), help="what to export")
    exporting.add_argument(
        "--format",
        choices=["csv", "json"],
        help="the file's format (default: from --output's name, else csv)",
    )
    exporting.add_argument(
        "--where",
        help="a PartnerWhere, MemberWhere or InitiativeWhere filter as JSON, e.g. "
        '\'{"kind": {"eq": "ACADEMIC"}}\' (links take none)',
    )
    add_output_argument(exporting)
    exporting.set_defaults(run=_export_records)


def _geojson(args: argparse.Namespace) -> int:
    import orjson

    from exports import geojson

    async def collection(database: Database, where: Any) -> bytes:
        return orjson.dumps(await geojson(database, args.list, where))

    return _export(args, collection, end_on_stdout="\n")


def _export_records(args: argparse.Namespace) -> int:
    from exports import records_file

    file_format = _file_format(args.format, args.output)

    async def content(database: Database, where: Any) -> bytes:
        # The CLI is staff tooling: the file has every contact detail.
        return await records_file(database, _operator(), args.list, file_format, where)

    return _export(args, content)


def _export(
    args: argparse.Namespace,
    make: Callable[[Database, Any], Awaitable[bytes]],
    *,
    end_on_stdout: str = "",
) -> int:
    """Write what `make` makes of the database and the filter given as
    `--where` to `--output`; exit status 2 when the filter is refused."""
    import orjson

    from cli.output import write_output
    from cli.running import run_with_database
    from exports import ExportError

    try:
        where = orjson.loads(args.where) if args.where else None
    except orjson.JSONDecodeError as error:
        print(f"error: --where is not valid JSON: {error}", file=sys.stderr)
        return 2
    try:
        content = run_with_database(lambda database: make(database, where))
    except ExportError as error:
        print("\n".join(f"error: {message}" for message in error.messages), file=sys.stderr)
        return 2
    write_output(args.output, content, end_on_stdout=end_on_stdout)
    return 0


def _import(args: argparse.Namespace) -> int:
    from cli.running import run_with_database
    from resolvers.imports import KINDS, MAX_BYTES, ImportFileError, import_file
    from resolvers.writes import WriteContext

    content = read_limited(args.file, MAX_BYTES)
    if content is None:
        return 2

    async def run(database: Database) -> ImportReport:
        return await import_file(
            WriteContext(database, _operator()),
            KINDS[args.list],
            content,
            _file_format(args.format, args.file),
            dry_run=args.dry_run,
            atomic=args.atomic,
        )

    try:
        report = run_with_database(run)
    except ImportFileError as error:
        print(f"error: {args.file}: {error.message}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 1 if report.rejected else 0


def read_limited(path: str, limit: int) -> bytes | None:
    """A file's first `limit` bytes and one more (enough for the reader to
    refuse a file over its limit); None, the error said on one line, when it
    cannot be read."""
    try:
        with open(path, "rb") as file:
            return file.read(limit + 1)
    except OSError as error:
        print(f"error: cannot read {path}: {error.strerror}", file=sys.stderr)
        return None


def _operator() -> Principal:
    """Who the CLI acts as: staff, without an API key. It runs where the
    hub's database is, so whoever runs it could change anything anyway; its
    audit entries name it and the system user."""
    import getpass

    from db.models import Role
    from resolvers.access.keys import Principal

    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        user = "unknown user"
    return Principal(role=Role.STAFF.value, name=f"metrohub CLI ({user})")


def _file_format(given: str | None, path: str) -> FileFormat:
    from resolvers.imports import FileFormat

    if given:
        return FileFormat(given)
    return FileFormat.JSON if path.lower().endswith(".json") else FileFormat.CSV
