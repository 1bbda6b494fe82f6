"""`metrohub migrate`, `seed` and `db copy`: the database's schema and the
data it starts with or moves with."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.arguments import Commands, at_least, command_group

if TYPE_CHECKING:
    from db.engine import Database

__all__ = ["register"]


def register(commands: Commands) -> None:
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

    db_commands = command_group(
        commands, "db", help="database tasks across SQLite and PostgreSQL", dest="db_command"
    )
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


def _non_negative(value: str) -> int:
    return at_least(0, value)


def _migrate(_args: argparse.Namespace) -> int:
    from cli.running import run_with_database
    from db.migrate import upgrade

    async def migrate(database: Database) -> str:
        await upgrade(database.url)
        return database.url

    url = run_with_database(migrate)
    print(f"migrated {url} to the latest revision")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from cli.running import run_with_database
    from db.demo import ensure_demo
    from db.migrate import upgrade
    from db.seed import seed_reference

    async def seed(database: Database) -> None:
        await upgrade(database.url)
        report = await seed_reference(database)
        print("\n".join(report.lines()))
        if args.demo is not None:
            demo = await ensure_demo(database, args.demo)
            print("\n".join(demo.lines()))

    run_with_database(seed)
    return 0


def _copy(args: argparse.Namespace) -> int:
    import asyncio

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
