"""`metrohub`: run, migrate and seed the hub, export its schema, import and
export partners, and manage the registry of partner subgraphs and a local
federated stack."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.engine import Database
    from resolvers.composition import Composition, SubgraphSource
    from resolvers.imports import FileFormat, ImportReport
    from resolvers.keys import Principal

__all__ = ["main"]

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "schema.graphql"


def _serve(args: argparse.Namespace) -> int:
    import os
    import tempfile

    import uvicorn

    import logs
    from connections import uvicorn_options
    from settings import Settings

    settings = Settings.from_env()
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    log_config = logs.logging_config(json=settings.log_format == "json")
    logging.config.dictConfig(log_config)
    if workers > 1:
        from db.engine import Database
        from server import prepare_database

        async def prepare() -> None:
            database = Database(settings.database_url)
            try:
                await prepare_database(settings, database)
            finally:
                await database.dispose()

        # Migrate and seed once, here, rather than in N workers at once.
        asyncio.run(prepare())
        os.environ["HUB_AUTO_MIGRATE"] = os.environ["HUB_AUTO_SEED"] = "false"
        # The workers' metrics add up in files here (see metrics.py).
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="metrohub-"))
    uvicorn.run(
        "server:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=settings.shutdown_seconds,
        # Forwarded addresses are the app's to believe, from HUB_TRUSTED_PROXIES
        # only (app/proxies.py); uvicorn's own default believes any local peer.
        proxy_headers=False,
        # One JSON line per request comes from the hub (logs.RequestLog), with its id.
        access_log=False,
        log_config=log_config,
        **uvicorn_options(settings),
    )
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    from db.migrate import upgrade
    from settings import Settings

    url = Settings.from_env().database_url
    asyncio.run(upgrade(url))
    print(f"migrated {url} to the latest revision")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from db.demo import ensure_demo
    from db.engine import Database
    from db.migrate import upgrade
    from db.seed import seed_reference
    from settings import Settings

    url = Settings.from_env().database_url

    async def run() -> None:
        await upgrade(url)
        database = Database(url)
        try:
            report = await seed_reference(database)
            print("\n".join(report.lines()))
            if args.demo is not None:
                demo = await ensure_demo(database, args.demo)
                print("\n".join(demo.lines()))
        finally:
            await database.dispose()

    asyncio.run(run())
    return 0


def _copy(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from db.copy import CopyError, copy_database

    try:
        report = asyncio.run(copy_database(args.source, args.target))
    except CopyError as error:
        print(f"metrohub db copy: {error}", file=sys.stderr)
        return 1
    except (OSError, ArgumentError, SQLAlchemyError) as error:
        reason = str(error).splitlines()[0]
        print(f"metrohub db copy: cannot use the databases given: {reason}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    print(f"copied {report.rows} rows in {len(report.tables)} tables; counts and checksums agree")
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from schema import sdl

    text = sdl()
    if args.check:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current != text:
            print(f"{SCHEMA_FILE} is out of date: run `metrohub export-schema`", file=sys.stderr)
            return 1
        print(f"{SCHEMA_FILE} is up to date")
        return 0
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


def _hub_source() -> tuple[Database, SubgraphSource]:
    from db.engine import Database
    from resolvers.composition import SubgraphSource
    from schema import sdl
    from settings import Settings

    settings = Settings.from_env()
    return Database(settings.database_url), SubgraphSource("hub", settings.public_url, sdl())


def _register(args: argparse.Namespace) -> int:
    from resolvers.errors import UserInputError
    from resolvers.registry import register

    database, hub = _hub_source()

    async def run() -> int:
        try:
            result = await register(database, hub, args.name, args.url, partner_id=args.partner)
        except UserInputError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
        finally:
            await database.dispose()
        if result.accepted:
            print(f"accepted: {result.name} ({result.url}) composes with the hub")
            return 0
        print(f"rejected: {result.name} does not compose; the last good version stands:")
        print("\n".join(f"  {message}" for message in result.messages))
        return 1

    return asyncio.run(run())


def _list_subgraphs(_args: argparse.Namespace) -> int:
    from resolvers.registry import list_subgraphs

    database, _ = _hub_source()

    async def run() -> None:
        try:
            for item in await list_subgraphs(database):
                current = item.current_since.isoformat() if item.current_since else "none"
                partner = f" partner={item.partner!r}" if item.partner else ""
                print(
                    f"{item.name} {item.url}{partner} current-since={current} "
                    f"last={item.last_outcome}"
                )
                print("".join(f"  {message}\n" for message in item.messages), end="")
        finally:
            await database.dispose()

    asyncio.run(run())
    return 0


def _supergraph(args: argparse.Namespace) -> int:
    from resolvers.registry import supergraph

    database, hub = _hub_source()

    async def run() -> Composition:
        try:
            return await supergraph(database, hub)
        finally:
            await database.dispose()

    result = asyncio.run(run())
    if not result.ok or result.supergraph_sdl is None:
        print("composition failed:", *result.errors, sep="\n  ", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(result.supergraph_sdl)
    else:
        Path(args.output).write_text(result.supergraph_sdl, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


def _federation_up(args: argparse.Namespace) -> int:
    from federation.stack import running_stack
    from settings import PROJECT_ROOT, Settings

    # Stop the three processes on SIGTERM too, not only on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log_dir = PROJECT_ROOT / "var" / "federation"
    log_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env()
    with running_stack(
        settings.database_url,
        log_dir,
        hub_port=args.hub_port,
        subgraph_port=args.subgraph_port,
        gateway_port=args.gateway_port,
    ) as stack:
        print(f"hub:              {stack.hub_url}")
        print(f"city-indicators:  {stack.subgraph_url}")
        print(f"gateway:          {stack.gateway_url}")
        print(f"logs in {log_dir}; press Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


def _geojson(args: argparse.Namespace) -> int:
    import orjson

    from db.engine import Database
    from exports import ExportError, geojson
    from settings import Settings

    try:
        where = orjson.loads(args.where) if args.where else None
    except orjson.JSONDecodeError as error:
        print(f"error: --where is not valid JSON: {error}", file=sys.stderr)
        return 2
    database = Database(Settings.from_env().database_url)

    async def run() -> dict[str, object]:
        try:
            return await geojson(database, args.list, where)
        finally:
            await database.dispose()

    try:
        collection = asyncio.run(run())
    except ExportError as error:
        print("\n".join(f"error: {message}" for message in error.messages), file=sys.stderr)
        return 2
    data = orjson.dumps(collection)
    if args.output == "-":
        sys.stdout.buffer.write(data + b"\n")
    else:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output}")
    return 0


def _operator() -> Principal:
    """Who the CLI acts as: staff, without an API key. It runs where the
    hub's database is, so whoever runs it could change anything anyway; its
    audit entries name it and the system user."""
    import getpass

    from db.models import Role
    from resolvers.keys import Principal

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


def _import(args: argparse.Namespace) -> int:
    from db.engine import Database
    from resolvers.imports import MAX_BYTES, ImportFileError, import_partners
    from resolvers.writes import WriteContext
    from settings import Settings

    try:
        with open(args.file, "rb") as file:
            # One byte over the limit is enough for the import to refuse it.
            content = file.read(MAX_BYTES + 1)
    except OSError as error:
        print(f"error: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    database = Database(Settings.from_env().database_url)

    async def run() -> ImportReport:
        try:
            return await import_partners(
                WriteContext(database, _operator()),
                content,
                _file_format(args.format, args.file),
                dry_run=args.dry_run,
                atomic=args.atomic,
            )
        finally:
            await database.dispose()

    try:
        report = asyncio.run(run())
    except ImportFileError as error:
        print(f"error: {args.file}: {error.message}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 1 if report.rejected else 0


def _export_partners(args: argparse.Namespace) -> int:
    import orjson

    from db.engine import Database
    from exports import ExportError, partners_file
    from settings import Settings

    try:
        where = orjson.loads(args.where) if args.where else None
    except orjson.JSONDecodeError as error:
        print(f"error: --where is not valid JSON: {error}", file=sys.stderr)
        return 2
    database = Database(Settings.from_env().database_url)
    file_format = _file_format(args.format, args.output)

    async def run() -> bytes:
        try:
            # The CLI is staff tooling: the file has every contact detail.
            return await partners_file(database, _operator(), file_format, where)
        finally:
            await database.dispose()

    try:
        content = asyncio.run(run())
    except ExportError as error:
        print("\n".join(f"error: {message}" for message in error.messages), file=sys.stderr)
        return 2
    if args.output == "-":
        sys.stdout.buffer.write(content)
    else:
        Path(args.output).write_bytes(content)
        print(f"wrote {args.output}")
    return 0


def _keys(args: argparse.Namespace) -> int:
    from db.engine import Database
    from db.models import Role
    from resolvers.errors import UserInputError
    from resolvers.keys import issue_key, list_keys, revoke_key, rotate_key
    from settings import Settings

    database = Database(Settings.from_env().database_url)

    async def run() -> int:
        if args.keys_command == "create":
            issued = await issue_key(
                database,
                name=args.name,
                role=Role(args.role),
                partner_id=args.partner,
                scopes=tuple(args.scope or ()),
            )
            print(f"key {issued.id} ({issued.role}, {issued.name!r}); shown once, keep it safe:")
            print(issued.key)
        elif args.keys_command == "list":
            for key in await list_keys(database):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
                partner = f" partner={key.partner_id}" if key.partner_id else ""
                print(f"{key.id} {key.hint}... {key.role}{partner} {key.name!r} {state}")
        elif args.keys_command == "revoke":
            if not await revoke_key(database, args.id):
                print(f"error: no live key has the id {args.id}", file=sys.stderr)
                return 2
            print(f"key {args.id} revoked")
        else:
            rotated = await rotate_key(database, args.id)
            if rotated is None:
                print(f"error: no live key has the id {args.id}", file=sys.stderr)
                return 2
            print(f"key {args.id} revoked; its replacement is key {rotated.id}, shown once:")
            print(rotated.key)
        return 0

    async def guarded() -> int:
        try:
            return await run()
        except UserInputError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
        finally:
            await database.dispose()

    return asyncio.run(guarded())


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {number}")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {number}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metrohub",
        description="Metropolis Hub: the GraphQL federation hub of the Metropolis network.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="run the hub (creates, migrates and seeds the database on first run)"
    )
    serve.add_argument("--host", help="address to listen on (default: HUB_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: HUB_PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=_positive_int,
        help="worker processes (default: HUB_WORKERS or 1); with more than one, set "
        "HUB_REDIS_URL so that they share rate budgets and change notifications",
    )
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(run=_migrate)

    seed = commands.add_parser(
        "seed", help="load the reference data (idempotent), optionally with demo data"
    )
    seed.add_argument(
        "--demo",
        type=_non_negative,
        metavar="N",
        help="also make sure N generated demo partners (and N/10 demo initiatives) exist, "
        "flagged origin=demo",
    )
    seed.set_defaults(run=_seed)

    db = commands.add_parser("db", help="database tasks across SQLite and PostgreSQL")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    copy = db_commands.add_parser(
        "copy",
        help="copy all data into an empty database (migrated first), verified by row "
        "counts and checksums",
    )
    copy.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the database to read, e.g. sqlite+aiosqlite:///var/hub.db",
    )
    copy.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="the empty database to fill, e.g. postgresql+asyncpg://hub@db.example/hub",
    )
    copy.set_defaults(run=_copy)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument(
        "--output", default=str(SCHEMA_FILE), help="file to write, or - for standard output"
    )
    export.add_argument(
        "--check", action="store_true", help="fail if the checked-in SDL is out of date"
    )
    export.set_defaults(run=_export_schema)

    keys = commands.add_parser("keys", help="API keys: create, list, rotate, revoke")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--role", required=True, choices=["partner", "staff", "admin"])
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.add_argument("--partner", type=int, help="the partner id (partner keys only)")
    create.add_argument(
        "--scope",
        action="append",
        choices=["gateway"],
        help="an extra permission: `gateway` reads the subgraph SDL in production",
    )
    key_commands.add_parser("list", help="list keys (never the keys themselves)")
    for verb in ("revoke", "rotate"):
        command = key_commands.add_parser(verb, help=f"{verb} a key by its id")
        command.add_argument("id", type=int)
    keys.set_defaults(run=_keys)

    export = commands.add_parser(
        "geojson", help="export a filtered list of members or partners as GeoJSON"
    )
    export.add_argument("list", choices=["members", "partners"], help="which list")
    export.add_argument(
        "--where",
        help='a MemberWhere or PartnerWhere filter as JSON, e.g. \'{"kind": {"eq": "CITY"}}\'',
    )
    export.add_argument("--output", default="-", help="file to write (default: stdout)")
    export.set_defaults(run=_geojson)

    importing = commands.add_parser(
        "import",
        help="create or update partners from a CSV or JSON file, matched by name; prints a "
        "line per row and exits 1 when rows were rejected",
    )
    importing.add_argument("list", choices=["partners"], help="what the file holds")
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
        help="write partners as a CSV or JSON file that `metrohub import` reads back, "
        "contact details included",
    )
    exporting.add_argument("list", choices=["partners"], help="what to export")
    exporting.add_argument(
        "--format",
        choices=["csv", "json"],
        help="the file's format (default: from --output's name, else csv)",
    )
    exporting.add_argument(
        "--where", help='a PartnerWhere filter as JSON, e.g. \'{"kind": {"eq": "ACADEMIC"}}\''
    )
    exporting.add_argument("--output", default="-", help="file to write (default: stdout)")
    exporting.set_defaults(run=_export_partners)

    subgraphs = commands.add_parser("subgraphs", help="the registry of partner subgraphs")
    subgraph_commands = subgraphs.add_subparsers(dest="subgraph_command", required=True)
    register = subgraph_commands.add_parser(
        "register",
        help="register (or refresh) a partner subgraph: fetch its SDL and check that it "
        "composes with the hub and the other subgraphs",
    )
    register.add_argument("name", help="the subgraph's name, e.g. city-indicators")
    register.add_argument("url", help="its GraphQL endpoint, e.g. http://127.0.0.1:8001/graphql")
    register.add_argument("--partner", type=int, help="the id of the partner that runs it")
    register.set_defaults(run=_register)
    listing = subgraph_commands.add_parser("list", help="list registered subgraphs")
    listing.set_defaults(run=_list_subgraphs)

    supergraph = commands.add_parser(
        "supergraph", help="write the supergraph SDL of the hub and the registered subgraphs"
    )
    supergraph.add_argument("--output", default="-", help="file to write (default: stdout)")
    supergraph.set_defaults(run=_supergraph)

    federation = commands.add_parser("federation", help="run a local federated stack")
    federation_commands = federation.add_subparsers(dest="federation_command", required=True)
    up = federation_commands.add_parser(
        "up",
        help="start the hub, the example city-indicators subgraph and an Apollo gateway "
        "composed from both, until Ctrl-C",
    )
    up.add_argument("--hub-port", type=int, default=8000)
    up.add_argument("--subgraph-port", type=int, default=8001)
    up.add_argument("--gateway-port", type=int, default=4000)
    up.set_defaults(run=_federation_up)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
