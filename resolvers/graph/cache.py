"""The process's network graph, kept and reloaded when the data version says
the database has changed."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database
from resolvers.centrality import Rankings
from resolvers.graph.loading import load_graph
from resolvers.graph.network import NetworkGraph

__all__ = ["DATA_VERSION_CHECKS", "GraphCache"]


# The statement that reads the data version: on SQLite, on PostgreSQL.
DATA_VERSION_CHECKS = ("PRAGMA data_version", "SELECT value FROM data_version")


class GraphCache:
    """The process's network graph: loaded on first use, reloaded when the
    database has changed since.

    The change check is SQLite's `PRAGMA data_version`, on a connection kept for
    that alone. Its value changes whenever another connection (in this process
    or any other) commits a change to the database, and never otherwise; but
    it is per connection, so values read on different pooled connections are
    not comparable: hence the one watcher connection, which never writes. One
    statement, no table read, and every write counts, updates and deletes
    included (unlike a `count(*)`/`max(rowid)` token, which misses updates and
    a delete followed by an insert that reuses the rowid). A write to a table
    outside the graph reloads it too: writes are rare, and a reload is cheap.

    On PostgreSQL the check reads the one-row `data_version` table that every
    transaction writing to a graph table counts up as it commits (migration
    0006): the same guarantees, for every process on the database.

    The check and the load take separate locks: while one request waits for a
    reload (a second at 20,000 demo partners), others still check the version
    (the response cache does, for every anonymous request).

    It also keeps the process's centrality `rankings`, scored at most once
    every `centrality_seconds` (see `resolvers.centrality`).
    """

    def __init__(self, database: Database, *, centrality_seconds: float = 60) -> None:
        self._database = database
        self._watcher: AsyncConnection | None = None
        self._current: NetworkGraph | None = None
        self._checking = asyncio.Lock()
        self._loading = asyncio.Lock()
        self.rankings = Rankings(self.current, centrality_seconds)

    async def current(self) -> NetworkGraph:
        """The graph as the database holds it now (one statement to check)."""
        # The version is read before the graph: a write that lands between
        # the two is in the graph and only costs one reload more, never a
        # stale graph filed under a newer version.
        version = await self.data_version()
        async with self._loading:
            if self._current is None or self._current.version != version:
                async with self._database.engine.connect() as connection:
                    self._current = await load_graph(connection, version, self.rankings)
            return self._current

    async def data_version(self) -> int:
        """The database's data version now: it changes with every committed write."""
        async with self._checking:
            return await self._data_version()

    async def _data_version(self) -> int:
        if self._watcher is None:
            self._watcher = await self._database.engine.connect()
        check = DATA_VERSION_CHECKS[self._watcher.dialect.name == "postgresql"]
        version: int = (await self._watcher.exec_driver_sql(check)).scalar_one()
        # End the read transaction, so that the next check sees new commits.
        await self._watcher.rollback()
        return version

    async def close(self) -> None:
        """Stop the rankings' worker and give the watcher connection back
        (before the engine is disposed)."""
        await self.rankings.close()
        async with self._checking:
            if self._watcher is not None:
                await self._watcher.close()
                self._watcher = None
