"""The process's network graph, kept and reloaded when the data version says
the database has changed."""

from __future__ import annotations

import asyncio

from db.engine import Database
from db.versions import DataVersion
from resolvers.centrality import Rankings
from resolvers.graph.loading import load_graph
from resolvers.graph.network import NetworkGraph

__all__ = ["GraphCache"]


class GraphCache:
    """The process's network graph: loaded on first use, reloaded when the
    database has changed since.

    The change check is the database's data version (`db.versions`), read on
    the watcher connection it shares with the response cache. Every write
    counts: a write to a table outside the graph reloads it too, but writes are
    rare, and a reload is cheap.

    The check and the load take separate locks: while one request waits for a
    reload (a second at 20,000 demo partners), others still check the version
    (the response cache does, for every anonymous request).

    It also keeps the process's centrality `rankings`, scored at most once
    every `centrality_seconds` (see `resolvers.centrality`).
    """

    def __init__(
        self, database: Database, versions: DataVersion, *, centrality_seconds: float = 60
    ) -> None:
        self._database = database
        self._versions = versions
        self._current: NetworkGraph | None = None
        self._loading = asyncio.Lock()
        self.rankings = Rankings(self.current, centrality_seconds)

    async def current(self) -> NetworkGraph:
        """The graph as the database holds it now (one statement to check)."""
        # The version is read before the graph: a write that lands between
        # the two is in the graph and only costs one reload more, never a
        # stale graph filed under a newer version.
        version = await self._versions.current()
        async with self._loading:
            if self._current is None or self._current.version != version:
                async with self._database.engine.connect() as connection:
                    self._current = await load_graph(connection, version, self.rankings)
            return self._current

    async def close(self) -> None:
        """Stop the rankings' worker."""
        await self.rankings.close()
