"""One database connection for all of a request's reads.

A request reads a level of its query at a time, a statement or two each, and
sibling fields of one level are batched concurrently. With a pooled
connection per batch, a request holds up to two at once: at eight concurrent
requests on PostgreSQL that is past the pool's size, and the pool closes
each overflow connection it is given back, so 0.6-0.7 new sessions were
opened per request. A `Reader` checks one connection out on the request's
first read, lends it to one batch at a time (batches of one level take
turns: they never share it concurrently), and gives it back when the request
ends (`close`).

The connection reads outside any transaction (`READS`): each statement sees
the data as it is when it starts, so a mutation's payload reads what the
mutation wrote. Inside a transaction PostgreSQL's READ COMMITTED would give
each statement its own snapshot all the same; BEGIN and ROLLBACK would only
cost two more round trips a batch (to the server, or to SQLite's thread).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["READS", "Connect", "Reader"]

# How a request's connection reads without a transaction, by dialect (the
# SQLite engine begins its transactions itself: `db.engine`).
READS: dict[str, dict[str, Any]] = {
    "postgresql": {"isolation_level": "AUTOCOMMIT"},
    "sqlite": {"sqlite_begin": None},
}


class Connect(Protocol):
    """Lends a connection for one batch of reads."""

    def __call__(self) -> AbstractAsyncContextManager[AsyncConnection]: ...


class Reader:
    """The connection of one request's reads (see the module)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()
        self._closed = False

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """The request's connection, for one batch at a time."""
        async with self._turn:
            if self._closed:  # a batch that outlived its request
                async with self._engine.connect() as connection:
                    yield connection
                return
            if self._connection is None:
                connection = await self._engine.connect()
                options = READS.get(self._engine.dialect.name, {})
                self._connection = await connection.execution_options(**options)
            connection = self._connection
            try:
                yield connection
            finally:
                if self._closed:  # the request ended meanwhile: the last batch gives it back
                    self._connection = None
                    await connection.close()

    async def close(self) -> None:
        """Give the connection back to the pool, or have the batch using it
        give it back when it is done (a batch runs in a task of its own, which
        may outlive its request); later reads take their own."""
        self._closed = True
        if not self._turn.locked() and self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()
