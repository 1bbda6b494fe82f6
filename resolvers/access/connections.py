"""Open WebSocket connections: how many the process, each address and each key
may hold, and their keys checked again while they stay open.

A connection counts against the process's total and its address's share from
its handshake, and against its key's share once its `connection_init` names
one; a connection over any of these caps is closed at once, with a code and
a reason. A key is checked again on every `subscribe`, and the keys of all
open connections every `key_check_seconds` (one statement, however many
connections): a revoked or rotated key's connections are closed (4403), so a
key stops working on open connections too, within that time.

The counts are per process: with several workers, each holds its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Coroutine, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from db.engine import Database
from resolvers.access.budgets import caller
from resolvers.access.keys import Principal, live_keys

__all__ = ["Connections", "RefusedError"]

logger = logging.getLogger("metrohub.connections")

# Close codes: the server is full, try again later (RFC 6455); too many
# connections from this address or key; forbidden, as for a bad key at connect.
TRY_AGAIN_LATER = 1013
TOO_MANY = 4429
FORBIDDEN = 4403
REVOKED = "The API key was revoked or rotated: connect again with a live key."

# Closes a connection with a code and a reason.
Closer = Callable[[int, str], Coroutine[Any, Any, None]]


class RefusedError(Exception):
    """A connection refused or closed: the close code and the reason sent."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class _Connection:
    address: str
    close: Closer
    key_id: int | None = None
    closing: bool = False


class Connections:
    """The process's open WebSocket connections, each known by a token of the
    caller's choosing (the WebSocket itself)."""

    def __init__(
        self,
        database: Database,
        *,
        total: int,
        per_address: int,
        per_key: int,
        key_check_seconds: float,
    ) -> None:
        self.database = database
        self.total = total
        self.per_address = per_address
        self.per_key = per_key
        self.key_check_seconds = key_check_seconds
        self._open: dict[Hashable, _Connection] = {}
        self._addresses: Counter[str] = Counter()
        self._keys: Counter[int] = Counter()
        self._watch: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()

    def open(self, token: Hashable, address: str, close: Closer) -> None:
        """Count a new connection from `address` (an IPv6 address's /64, as for
        budgets); refused over the total or the address's share."""
        address = caller(address)
        if len(self._open) >= self.total:
            raise RefusedError(
                TRY_AGAIN_LATER,
                f"The hub holds its most WebSocket connections ({self.total}): try again later.",
            )
        if self._addresses[address] >= self.per_address:
            raise RefusedError(
                TOO_MANY,
                f"Too many WebSocket connections from this address (at most {self.per_address})"
                ": close one first.",
            )
        self._open[token] = _Connection(address, close)
        self._addresses[address] += 1

    def identify(self, token: Hashable, principal: Principal) -> None:
        """Count the connection against its key's share; refused over it."""
        connection = self._open[token]
        key_id = principal.key_id
        if key_id is None or connection.key_id == key_id:
            return
        if self._keys[key_id] >= self.per_key:
            raise RefusedError(
                TOO_MANY,
                f"Too many WebSocket connections with this key (at most {self.per_key})"
                ": close one first.",
            )
        connection.key_id = key_id
        self._keys[key_id] += 1
        if self._watch is None:
            self._watch = asyncio.create_task(self._watch_keys())

    async def check(self, token: Hashable) -> None:
        """Refuse (4403) when the connection's key is no longer live."""
        key_id = self._open[token].key_id
        if key_id is not None and not await live_keys(self.database, [key_id]):
            raise RefusedError(FORBIDDEN, REVOKED)

    def release(self, token: Hashable) -> None:
        connection = self._open.pop(token, None)
        if connection is None:
            return
        self._addresses[connection.address] -= 1
        if not self._addresses[connection.address]:
            del self._addresses[connection.address]
        if connection.key_id is not None:
            self._keys[connection.key_id] -= 1
            if not self._keys[connection.key_id]:
                del self._keys[connection.key_id]

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None

    async def _watch_keys(self) -> None:
        while True:
            await asyncio.sleep(self.key_check_seconds)
            try:
                await self._close_revoked()
            except (SQLAlchemyError, OSError):
                logger.warning("could not check the keys of open connections", exc_info=True)

    async def _close_revoked(self) -> None:
        if not self._keys:
            return
        live = await live_keys(self.database, list(self._keys))
        for connection in list(self._open.values()):
            if connection.key_id is None or connection.key_id in live or connection.closing:
                continue
            connection.closing = True
            # Each in a task of its own: one slow client holds up no other.
            task = asyncio.create_task(connection.close(FORBIDDEN, REVOKED))
            self._closing.add(task)
            task.add_done_callback(self._closed)

    def _closed(self, task: asyncio.Task[None]) -> None:
        self._closing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("could not close a connection", exc_info=task.exception())
