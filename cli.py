"""`metrohub`: run, migrate and seed the hub, and export its schema."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "schema.graphql"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server import create_app
    from settings import Settings

    settings = Settings.from_env()
    host = args.host or settings.host
    port = args.port or settings.port
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
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


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {number}")
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

    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument(
        "--output", default=str(SCHEMA_FILE), help="file to write, or - for standard output"
    )
    export.add_argument(
        "--check", action="store_true", help="fail if the checked-in SDL is out of date"
    )
    export.set_defaults(run=_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
