"""Usage recording: each operation counted in memory per client, and the
counts written in batches, every `flush_seconds` and at shutdown.

What an operation is (its signature and the fields it reads) is worked out
once per document (`Operation`, kept in the document's memo by the engine),
so recording a request costs a dict update; the fields are expanded only when
a batch is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from db.engine import Database
from resolvers.usage.store import OperationCount, prune, save

__all__ = ["HUB_SOURCE", "Operation", "UsageRecorder", "client_of"]

logger = logging.getLogger("metrohub")

# Who counted an operation: the hub, which executed it (directly or as a
# gateway's fetch), or a gateway, which reported its client's whole operation.
HUB_SOURCE: Final = "hub"
GATEWAY_SOURCE: Final = "gateway"

# Distinct (client, operation) pairs held between two writes: a flood of new
# client names cannot grow the process; past it new pairs wait for the next write.
MAX_PENDING: Final = 10_000
MAX_NAME: Final = 100
PRUNE_SECONDS: Final = 3600
SECONDS_A_DAY: Final = 86_400
EPOCH: Final = date(1970, 1, 1)

_CLIENT_NAMES = (b"apollographql-client-name", b"graphql-client-name")
_CLIENT_VERSIONS = (b"apollographql-client-version", b"graphql-client-version")
_CLIENT_HEADERS = frozenset(_CLIENT_NAMES + _CLIENT_VERSIONS)


@dataclass(frozen=True, eq=False, slots=True)
class Operation:
    """An operation as usage counts it; compared by identity, as each is
    worked out once per document and kept with it."""

    name: str
    signature: str
    signature_hash: str
    coordinates: tuple[str, ...]


def client_of(headers: Iterable[tuple[bytes, bytes]], fallback: str) -> tuple[str, str]:
    """The client's name and version from `apollographql-client-name` and
    `-version` (else `graphql-client-name` and `-version`) among raw ASGI
    `headers`; else `fallback` (the key's name, or "anonymous") and no version."""
    sent: dict[bytes, bytes] = {}
    for header, value in headers:
        if header in _CLIENT_HEADERS:
            sent[header] = value
    if not sent:
        return fallback, ""
    name = _text(sent.get(_CLIENT_NAMES[0]) or sent.get(_CLIENT_NAMES[1]) or b"")
    version = _text(sent.get(_CLIENT_VERSIONS[0]) or sent.get(_CLIENT_VERSIONS[1]) or b"")
    return name or fallback, version


def _text(value: bytes) -> str:
    return value.decode("latin-1").strip()[:MAX_NAME]


# (day number, client name, client version, operation, source)
_Key = tuple[int, str, str, Operation, str]


class UsageRecorder:
    """Counts operations per client in memory and writes them to `database`
    in batches; keeps `days` days of counts."""

    def __init__(self, database: Database, days: int, flush_seconds: float) -> None:
        self.database = database
        self.days = days
        self.flush_seconds = flush_seconds
        self._pending: dict[_Key, int] = {}
        self._dropped = 0
        self._task: asyncio.Task[None] | None = None
        self._pruned_at = float("-inf")
        self._writing = asyncio.Lock()

    def record(
        self,
        operation: Operation,
        client_name: str,
        client_version: str,
        source: str = HUB_SOURCE,
        count: int = 1,
    ) -> None:
        key = (int(time.time()) // SECONDS_A_DAY, client_name, client_version, operation, source)
        pending = self._pending
        held = pending.get(key)
        if held is not None:
            pending[key] = held + count
        elif len(pending) < MAX_PENDING:
            pending[key] = count
        else:
            self._dropped += count

    def start(self) -> None:
        """Write every `flush_seconds` from now on (in the app's lifespan)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="usage flush")

    async def close(self) -> None:
        """Stop writing periodically, and write what is held (a failure is
        logged: it does not stop the shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._flush_logged("usage could not be written at shutdown; it is lost")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            await self._flush_logged("usage could not be written; it is kept for the next try")

    async def _flush_logged(self, failure: str) -> None:
        try:
            await self.flush()
        except Exception:
            logger.warning("%s", failure, exc_info=True)

    async def flush(self) -> None:
        """Write the counts held, and prune old days at most once an hour.
        Counts that fail to be written are held again for the next write."""
        async with self._writing:
            pending, self._pending = self._pending, {}
            if self._dropped:
                logger.warning(
                    "usage: %d operations were not counted: more than %d distinct client "
                    "operations arrived between two writes",
                    self._dropped,
                    MAX_PENDING,
                )
                self._dropped = 0
            try:
                await save(self.database, _counts(pending))
            except BaseException:
                for key, count in pending.items():
                    self._pending[key] = self._pending.get(key, 0) + count
                raise
            if time.monotonic() - self._pruned_at >= PRUNE_SECONDS:
                await prune(self.database, self.days)
                self._pruned_at = time.monotonic()


def _counts(pending: dict[_Key, int]) -> list[OperationCount]:
    """The counts held, merged by what the database counts them by (two
    operations of one signature, from two documents, are one row)."""
    merged: dict[tuple[int, str, str, str, str, str], OperationCount] = {}
    for (day, client_name, client_version, operation, source), count in pending.items():
        key = (day, client_name, client_version, operation.name, operation.signature_hash, source)
        held = merged.get(key)
        if held is None:
            merged[key] = OperationCount(
                day=EPOCH + timedelta(days=day),
                client_name=client_name,
                client_version=client_version,
                operation_name=operation.name,
                signature_hash=operation.signature_hash,
                source=source,
                signature=operation.signature,
                coordinates=operation.coordinates,
                count=count,
            )
        else:
            merged[key] = dataclasses.replace(
                held,
                coordinates=tuple(sorted({*held.coordinates, *operation.coordinates})),
                count=held.count + count,
            )
    return list(merged.values())
