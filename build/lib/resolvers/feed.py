"""The change feed: the audit log read once per process for every change stream.

One task reads the log after each notification (see resolvers/signals.py) and
every `poll_seconds` in any case, and hands each batch of new entries to every
stream that has joined, whatever their number: a thousand streams cost one
read of the log per change, not a thousand. What each stream's principal may
see is worked out once per batch for all streams alike (`Batch.shared`).

The feed keeps a head: the id up to which it has read the log and settled it
(`settled`). A stream joins at the head and first reads the log itself from
its own cursor up to there (`read_entries`, bounded by the head), then takes
the feed's batches, which start right after it; so a stream that starts from
an old cursor catches up on its own and misses or repeats nothing. A stream
that falls more than `DEPTH` batches behind (a client that does not read) is
let go, and catches up from the log again by itself.

The feed starts with the first stream, from the end of the log, and runs
until the hub stops. If reading fails, every stream ends with the error, and
the next one to join starts the feed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry
from resolvers.signals import ChangeSignal

__all__ = ["BATCH", "Batch", "ChangeFeed", "FeedStoppedError", "read_entries", "settled"]

T = TypeVar("T")

# Audit entries read at a time.
BATCH = 100
# How long an entry after a gap in the ids waits for the gap to fill (see
# `settled`), and how often meanwhile the feed looks again.
GAP_SECONDS = 10.0
GAP_RETRY_SECONDS = 0.25
# Batches a stream may hold unread before the feed lets it go.
DEPTH = 64


class FeedStoppedError(Exception):
    """The feed stopped: the hub is shutting down, or reading the log failed."""


class Batch:
    """Entries the feed read at once, settled and in order, with what is worked
    out from them once for every stream."""

    __slots__ = ("_shared", "entries")

    def __init__(self, entries: list[AuditEntry]) -> None:
        self.entries = entries
        self._shared: dict[Hashable, asyncio.Future[Any]] = {}

    async def shared(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """`compute()`, run by the first stream that asks for `key`; the others
        wait for its answer."""
        future = self._shared.get(key)
        if future is None:
            future = self._shared[key] = asyncio.ensure_future(compute())
            # Its error goes to every stream awaiting it, even when none is left to.
            future.add_done_callback(lambda done: done.cancelled() or done.exception())
        result: T = await asyncio.shield(future)
        return result


class Subscription:
    """A stream's place in the feed: the batches handed to it and not yet read."""

    __slots__ = ("_error", "_wake", "batches", "dropped", "joined")

    def __init__(self, joined: int) -> None:
        # The feed's head when the stream joined: its batches start after it.
        self.joined = joined
        self.batches: deque[Batch] = deque()
        self.dropped = False
        self._error: BaseException | None = None
        self._wake = asyncio.Event()

    def hand(self, batch: Batch) -> None:
        self.batches.append(batch)
        self._wake.set()

    def drop(self) -> None:
        self.dropped = True
        self._wake.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._wake.set()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Batch:
        """The next batch; the end when the feed let the stream go."""
        while not self.batches:
            if self._error is not None:
                raise FeedStoppedError("the change feed stopped") from self._error
            if self.dropped:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()
        return self.batches.popleft()


class ChangeFeed:
    """The process's one reader of the audit log."""

    def __init__(self, database: Database, signal: ChangeSignal) -> None:
        self.database = database
        self.signal = signal
        self.head: int | None = None
        self._subscriptions: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._started: asyncio.Future[int] | None = None
        self._closed = False

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        """Join the feed at its head (starting it if it is not running)."""
        if self._closed:
            raise FeedStoppedError("the hub is shutting down")
        if self._started is None:
            self._started = asyncio.get_running_loop().create_future()
            # In a context of its own, not that of the request that started it.
            self._task = asyncio.create_task(
                self._run(self._started), context=contextvars.Context()
            )
        try:
            await asyncio.shield(self._started)
        except Exception as error:
            raise FeedStoppedError("the change feed could not start") from error
        assert self.head is not None
        # No await between reading the head and joining: the next batch the
        # feed hands out starts right after `joined`.
        subscription = Subscription(self.head)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._stop(FeedStoppedError("the hub is shutting down"))

    async def _run(self, started: asyncio.Future[int]) -> None:
        try:
            async with self.signal.listen() as listener:
                head = await self._tail()
                self.head = head
                started.set_result(head)
                while True:
                    entries = await read_entries(self.database, head)
                    done = settled(entries, head, datetime.now(UTC))
                    if done:
                        head = self.head = done[-1].id
                        self._hand_out(Batch(done))
                        continue
                    # Nothing new, or only entries behind a gap that may yet fill.
                    wait = self.signal.poll_seconds if not entries else GAP_RETRY_SECONDS
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await listener.wait()
        except Exception as error:
            self._stop(error)

    def _hand_out(self, batch: Batch) -> None:
        for subscription in list(self._subscriptions):
            if len(subscription.batches) >= DEPTH:
                # It catches up from the log by itself, and joins again.
                self._subscriptions.discard(subscription)
                subscription.drop()
            else:
                subscription.hand(batch)

    def _stop(self, error: BaseException) -> None:
        """End every stream with `error`; the next to join starts the feed again."""
        if self._started is not None and not self._started.done():
            self._started.set_exception(error)
            # Marked as retrieved: the streams waiting for it get it, if there are any.
            self._started.exception()
        for subscription in self._subscriptions:
            subscription.fail(error)
        self._subscriptions.clear()
        self._task = self._started = None
        self.head = None

    async def _tail(self) -> int:
        """Where the feed starts: the end of the log, up to the first gap in the
        ids of its last `BATCH` entries that may yet fill. (The entry before
        those is taken as settled: `BATCH` later ones have committed since, and
        the hub's writers take turns. A shorter log is checked from its start.)"""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(BATCH + 1)
        async with self.database.sessions() as session:
            last = list(reversed((await session.scalars(query)).all()))
        base = last.pop(0).id if len(last) > BATCH else 0
        done = settled(last, base, datetime.now(UTC))
        return done[-1].id if done else base


async def read_entries(database: Database, after: int, upto: int | None = None) -> list[AuditEntry]:
    """Up to `BATCH` entries after id `after` (and up to `upto`), oldest first."""
    query = select(AuditEntry).where(AuditEntry.id > after)
    if upto is not None:
        query = query.where(AuditEntry.id <= upto)
    query = query.order_by(AuditEntry.id).limit(BATCH)
    async with database.sessions() as session:
        return list((await session.scalars(query)).all())


def settled(entries: list[AuditEntry], cursor: int, now: datetime) -> list[AuditEntry]:
    """The entries that may be streamed: up to the first gap in the ids that a
    transaction still running may fill. (Ids are taken when an entry is written
    but seen when its transaction commits; where writers ran side by side, a
    later id could be seen first. The hub's writers take turns on both
    databases (`Database.writer`), so a gap is a rolled-back transaction, or a
    writer outside the hub: an entry after it waits at most `GAP_SECONDS`.)"""
    expected = cursor + 1
    for index, entry in enumerate(entries):
        written = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
        if entry.id != expected and now - written < timedelta(seconds=GAP_SECONDS):
            return entries[:index]
        expected = entry.id + 1
    return entries
