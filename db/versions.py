"""The database's data version: a number that changes with every committed
write, by any connection of any process, and never otherwise. The caches that
keep what was read (the network graph, anonymous answers) check it to know
whether what they keep is still the database's.

On SQLite it is `PRAGMA data_version`, on a connection kept for that alone.
Its value changes whenever another connection (in this process or any other)
commits a change to the database; but it is per connection, so values read on
different pooled connections are not comparable: hence the one watcher
connection, which never writes. One statement, no table read, and every write
counts, updates and deletes included (unlike a `count(*)`/`max(rowid)` token,
which misses updates and a delete followed by an insert that reuses the
rowid).

On PostgreSQL it is the one-row `data_version` table that every transaction
writing to a graph table counts up as it commits (migration 0006): the same
guarantees, for every process on the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database

__all__ = ["DATA_VERSION_CHECKS", "DataVersion"]

# The statement that reads the data version, by dialect name.
DATA_VERSION_CHECKS: Final[Mapping[str, str]] = MappingProxyType(
    {"sqlite": "PRAGMA data_version", "postgresql": "SELECT value FROM data_version"}
)


class DataVersion:
    """The database's data version, read on the process's one watcher
    connection (see the module). Checks take turns: one statement each."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._watcher: AsyncConnection | None = None
        self._checking = asyncio.Lock()

    async def current(self) -> int:
        """The data version now: it changes with every committed write."""
        async with self._checking:
            if self._watcher is None:
                self._watcher = await self._database.engine.connect()
            check = DATA_VERSION_CHECKS[self._watcher.dialect.name]
            version: int = (await self._watcher.exec_driver_sql(check)).scalar_one()
            # End the read transaction, so that the next check sees new commits.
            await self._watcher.rollback()
            return version

    async def close(self) -> None:
        """Give the watcher connection back (before the engine is disposed)."""
        async with self._checking:
            if self._watcher is not None:
                await self._watcher.close()
                self._watcher = None
