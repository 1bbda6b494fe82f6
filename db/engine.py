"""Engine and session set-up for SQLite (embedded default) and PostgreSQL
(`postgresql+asyncpg://`): the same code runs on both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.deadlines import stop_statements_at_deadlines

__all__ = ["IMMEDIATE", "POSTGRESQL_SETTINGS", "SYNCHRONOUS_MODES", "Database", "is_sqlite"]

# Execution option for write transactions: on SQLite they take the write lock
# up front (BEGIN IMMEDIATE), so a read-then-write transaction waits for the
# lock instead of failing with "database is locked" when it upgrades.
IMMEDIATE = {"sqlite_begin": "BEGIN IMMEDIATE"}
# PostgreSQL's counterpart: a transaction-scoped advisory lock that writers
# of every hub process on the database take in turn (the number is arbitrary,
# the same everywhere).
WRITE_TURN_LOCK = 7_240_531

# How hard a commit waits for the disk (`PRAGMA synchronous`). In WAL mode,
# NORMAL loses nothing committed when the process dies (kill -9), only the
# last transactions when the OS crashes or the power fails; FULL syncs the WAL
# on every commit and survives those too, at a cost in write throughput
# (bench/RESULTS.md).
SYNCHRONOUS_MODES = ("NORMAL", "FULL")

SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    # Read the file through the page cache of the OS (256 MiB mapped) and keep
    # 64 MiB of pages per connection: faceted searches over large result sets
    # revisit many pages (bench/RESULTS.md).
    "PRAGMA mmap_size=268435456",
    "PRAGMA cache_size=-65536",
)

# Session settings of the hub's PostgreSQL connections. asyncpg prepares every
# statement, and after five runs PostgreSQL may switch a prepared statement
# to a generic plan, made without the values bound: for a batch of parents
# bound as one array (`db.id_lists`) it cannot see how many there are, and
# the generic plan of a page of partners for 78 initiatives cost 2-3 times
# the backend CPU of a plan made for the values (bench/RESULTS.md).
POSTGRESQL_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _connect_args(url: str) -> dict[str, Any]:
    """asyncpg's session settings on PostgreSQL: see `POSTGRESQL_SETTINGS`."""
    if make_url(url).get_driver_name() == "asyncpg":
        return {"server_settings": dict(POSTGRESQL_SETTINGS)}
    return {}


def _prepare_sqlite(engine: AsyncEngine, *, foreign_keys: bool, synchronous: str) -> None:
    sync_engine = engine.sync_engine
    pragmas = (
        *(SQLITE_PRAGMAS if foreign_keys else ("PRAGMA foreign_keys=OFF", *SQLITE_PRAGMAS[1:])),
        f"PRAGMA synchronous={synchronous}",
    )

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would hide BEGIN from us and
        # ignore the pragmas' ordering; take control of both.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # `sqlite_begin=None`: statements outside a transaction (`db.reader`).
        statement = connection.get_execution_options().get("sqlite_begin", "BEGIN")
        if statement is not None:
            connection.exec_driver_sql(statement)


class Database:
    """One engine and its session factory, created once per process."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        foreign_keys: bool = True,
        synchronous: str = "NORMAL",
    ) -> None:
        """Open `url`; `foreign_keys=False` is only for migrations, whose batch
        table rebuilds on SQLite would otherwise cascade deletes. `synchronous`
        is one of `SYNCHRONOUS_MODES` (SQLite only)."""
        if synchronous not in SYNCHRONOUS_MODES:
            raise ValueError(f"synchronous is one of {', '.join(SYNCHRONOUS_MODES)}")
        self.url = url
        if is_sqlite(url):
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_async_engine(url, echo=echo, connect_args=_connect_args(url))
        if is_sqlite(url):
            _prepare_sqlite(self.engine, foreign_keys=foreign_keys, synchronous=synchronous)
            stop_statements_at_deadlines(self.engine)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )
        # Writes in this process take turns here before they ask SQLite for its
        # write lock: concurrent writers queue in memory instead of spinning on
        # SQLite's busy timeout (which, under load, they could outwait).
        # On PostgreSQL the turn is an advisory lock (see `writer`), shared by
        # every process on the database.
        self._write_turn: asyncio.Lock | None = asyncio.Lock() if is_sqlite(url) else None

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[AsyncSession]:
        """A session for one write transaction. On SQLite it holds the write
        lock from its start (BEGIN IMMEDIATE), one writer of this process at
        a time; on PostgreSQL it holds an advisory lock from its start, one
        writer of all the hub's processes at a time (reads never wait). Commit
        it; leaving without a commit rolls it back."""
        if self._write_turn is None:
            async with self.sessions() as session:
                # Writers in turn, as on SQLite: audit entry ids are then
                # handed out in commit order, so a reader of the log that has
                # seen id n has seen every id below it (resolvers/changes.py).
                # Writes are rare next to reads; one at a time keeps up.
                await session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_TURN_LOCK}
                )
                yield session
            return
        async with self._write_turn, self.sessions() as session:
            await session.connection(execution_options=IMMEDIATE)
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
