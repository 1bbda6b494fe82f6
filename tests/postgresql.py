"""The PostgreSQL server the suite runs on when `HUB_TEST_DATABASE_URL` is set.

Each pytest process makes one database of its own (`hub_test_<pid>`),
migrates and seeds it once, and keeps a copy of every table's rows in a schema
beside it (`hub_test_seed`). Before each test, `hub_test_seed.reset()` puts
those rows back (triggers and foreign keys paused, sequences moved back) after
ending any connection a previous test left: a fresh seeded database in one
statement, where `CREATE DATABASE ... TEMPLATE` and `DROP DATABASE` take
a second or two each on a busy machine. Tests that need a database with
nothing in it get a new one of their own, dropped after.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

__all__ = ["PostgreSQLServer"]

SEED_SCHEMA = "hub_test_seed"
PREFIX = "hub_test_"


class PostgreSQLServer:
    """Creates, resets and drops the suite's databases, as the server's superuser."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        if self.url.get_backend_name() != "postgresql":
            raise ValueError(f"HUB_TEST_DATABASE_URL is not a PostgreSQL URL: {url}")
        self.name = f"{PREFIX}{os.getpid()}"
        self._count = 0

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def new_name(self) -> str:
        self._count += 1
        return f"{self.name}_{self._count}"

    async def _connect(self, database: str | None = None) -> Any:
        url = self.url.set(drivername="postgresql")
        if database is not None:
            url = url.set(database=database)
        return await asyncpg.connect(url.render_as_string(hide_password=False))

    async def _execute(self, *statements: str, database: str | None = None) -> None:
        connection = await self._connect(database)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def check(self) -> None:
        """Raise OSError or asyncpg.PostgresError when the server does not answer."""
        asyncio.run(self._execute("SELECT 1"))

    def create(self, name: str) -> str:
        asyncio.run(self._execute(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        return self.url_of(name)

    def drop(self, name: str) -> None:
        asyncio.run(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def drop_abandoned(self) -> None:
        """Drop the databases of test runs whose process is gone."""

        async def run() -> None:
            connection = await self._connect()
            try:
                names = [
                    row["datname"]
                    for row in await connection.fetch(
                        "SELECT datname FROM pg_database WHERE datname LIKE $1", PREFIX + "%"
                    )
                ]
                for name in names:
                    pid = name.removeprefix(PREFIX).split("_")[0]
                    if pid.isdigit() and not _alive(int(pid)):
                        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await connection.close()

        asyncio.run(run())

    def keep_seed(self) -> None:
        """Copy every table of the (seeded) database aside, with the function
        that puts them back."""

        async def run() -> None:
            connection = await self._connect(self.name)
            try:
                await connection.execute(_reset_function(await _tables(connection)))
            finally:
                await connection.close()

        asyncio.run(run())

    def reset(self) -> str:
        """The seeded database, as it was after the seed."""

        async def run() -> None:
            connection = await self._connect(self.name)
            try:
                await connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                await connection.execute(f"SELECT {SEED_SCHEMA}.reset()")
            finally:
                await connection.close()

        asyncio.run(run())
        return self.url_of(self.name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _tables(connection: Any) -> dict[str, tuple[list[str], list[tuple[str, str]]]]:
    """Per table of the public schema: its columns that take values, and its
    (column, sequence) pairs."""
    tables: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}
    rows = await connection.fetch(
        "SELECT table_name, column_name, is_generated, "
        "pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence "
        "FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name IN (SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE') "
        "ORDER BY table_name, ordinal_position"
    )
    for row in rows:
        columns, sequences = tables.setdefault(row["table_name"], ([], []))
        if row["is_generated"] == "NEVER":
            columns.append(row["column_name"])
        if row["sequence"]:
            sequences.append((row["column_name"], row["sequence"]))
    return tables


def _reset_function(tables: dict[str, tuple[list[str], list[tuple[str, str]]]]) -> str:
    copies = [f"CREATE SCHEMA {SEED_SCHEMA};"]
    body = ["PERFORM set_config('session_replication_role', 'replica', true);"]
    for table, (columns, sequences) in tables.items():
        names = ", ".join(f'"{column}"' for column in columns)
        copies.append(f'CREATE TABLE {SEED_SCHEMA}."{table}" AS SELECT {names} FROM "{table}";')
        body.append(f'DELETE FROM "{table}";')
        body.append(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM {SEED_SCHEMA}."{table}";')
        for column, sequence in sequences:
            body.append(
                f"PERFORM setval('{sequence}', coalesce(max(\"{column}\"), 1), "
                f'max("{column}") IS NOT NULL) FROM "{table}";'
            )
    return "\n".join(
        [
            *copies,
            f"CREATE FUNCTION {SEED_SCHEMA}.reset() RETURNS void LANGUAGE plpgsql AS $$",
            "BEGIN",
            *body,
            "END $$;",
        ]
    )
