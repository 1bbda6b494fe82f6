"""Live changes: the audit log read as a stream, resumable from a cursor.

The audit log is the only source of events; notifications carry nothing but
"the log has grown". A stream listens for notifications first, then reads the
log after its cursor, and reads again on every notification (and every
`POLL_SECONDS` in any case, for writes made where no notification is sent,
such as `metrohub import`). Events come out in the order of their audit entry
ids, each once: the cursor only moves forward, so a reconnect with the last
cursor received misses nothing and repeats nothing. An entry seen before an
earlier id has committed waits for it (see `_settled`).

Notifications go through memory within one process (`LocalSignal`), or
through Redis pub/sub between processes (`RedisSignal`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry
from resolvers.errors import UserInputError
from resolvers.keys import Principal
from resolvers.visibility import visible
from resolvers.writes import WRITABLE

__all__ = [
    "CHANGE_TYPES",
    "ChangeEvent",
    "ChangeSignal",
    "LocalSignal",
    "RedisSignal",
    "change_signal",
    "change_stream",
    "parse_cursor",
    "parse_types",
]

logger = logging.getLogger("metrohub.changes")

# The record types whose changes are streamed.
CHANGE_TYPES = tuple(WRITABLE)
# Fields of a change that only partner and staff keys may read (as on `Partner.contact`).
CONTACT_FIELDS = frozenset({"contactName", "contactEmail", "contactPhone"})
# Audit entries read at a time.
BATCH = 100
# The longest a stream waits for a notification before it looks at the log anyway.
POLL_SECONDS = 5.0
# How long an entry after a gap in the ids waits for the gap to fill (see
# `_settled`), and how often meanwhile a stream looks again.
GAP_SECONDS = 10.0
GAP_RETRY_SECONDS = 0.25
# How long a new stream waits for the process's Redis subscription, and how
# long the process waits before it subscribes again after Redis failed.
SUBSCRIBE_SECONDS = 2.0
RETRY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One audit entry as a subscriber may see it."""

    id: int
    at: datetime
    action: str
    record_type: str
    record_id: int
    changes: dict[str, list[Any]]
    actor: str | None
    request_id: str | None

    @property
    def cursor(self) -> str:
        return str(self.id)


class Listener(Protocol):
    async def wait(self) -> None:
        """Return at the next notification."""


class ChangeSignal(Protocol):
    """Tells streams that the audit log has grown."""

    # How long a stream waits for a notification before it reads the log anyway.
    poll_seconds: float

    async def publish(self) -> None: ...

    def listen(self) -> contextlib.AbstractAsyncContextManager[Listener]: ...

    async def close(self) -> None: ...


class _EventListener:
    def __init__(self) -> None:
        self.event = asyncio.Event()

    async def wait(self) -> None:
        await self.event.wait()
        self.event.clear()


class LocalSignal:
    """Notifications within one process."""

    def __init__(self, poll_seconds: float = POLL_SECONDS) -> None:
        self.poll_seconds = poll_seconds
        self._listeners: set[_EventListener] = set()

    async def publish(self) -> None:
        for listener in self._listeners:
            listener.event.set()

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[Listener]:
        listener = _EventListener()
        self._listeners.add(listener)
        try:
            yield listener
        finally:
            self._listeners.discard(listener)

    async def close(self) -> None:
        self._listeners.clear()


class RedisSignal:
    """Notifications between processes, through one Redis pub/sub channel. Each
    process holds one subscription and wakes its own streams (`LocalSignal`)."""

    def __init__(self, url: str, channel: str, poll_seconds: float = POLL_SECONDS) -> None:
        # limits' `async+redis://…` form of the URL is accepted too.
        self.redis: Redis = Redis.from_url(url.removeprefix("async+"))
        self.channel = channel
        self.poll_seconds = poll_seconds
        self.local = LocalSignal(poll_seconds)
        self._relay: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def publish(self) -> None:
        try:
            await self.redis.publish(self.channel, b"1")
        except RedisError:
            # The change is committed; streams find it when they next poll the log.
            logger.warning("could not notify change streams through Redis", exc_info=True)

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[Listener]:
        async with self.local.listen() as listener:
            if self._relay is None:
                self._relay = asyncio.create_task(self._forward())
            # Subscribed before the stream first reads the log, so that a change
            # committed after that read wakes it at once. (While Redis is away,
            # streams still find every change, at their next poll.)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SUBSCRIBE_SECONDS):
                    await self._subscribed.wait()
            yield listener

    async def _forward(self) -> None:
        """Relay the channel to this process's streams for as long as the hub
        runs, subscribing again after Redis fails."""
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._subscribed.set()
                    # Changes may have been made while no subscription was there.
                    await self.local.publish()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            await self.local.publish()
            except (RedisError, OSError):
                self._subscribed.clear()
                logger.warning("change notifications through Redis stopped", exc_info=True)
            await asyncio.sleep(RETRY_SECONDS)

    async def close(self) -> None:
        if self._relay is not None:
            self._relay.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._relay
        await self.redis.aclose()


def change_signal(
    redis_url: str | None, namespace: str, poll_seconds: float = POLL_SECONDS
) -> ChangeSignal:
    """Through Redis when the hub has one (several processes), else in memory."""
    if redis_url:
        return RedisSignal(redis_url, f"{namespace}:changes", poll_seconds)
    return LocalSignal(poll_seconds)


def parse_cursor(since: str | None) -> int:
    """The audit entry id a cursor stands for; 0 (from the start) for none."""
    if since is None:
        return 0
    if not since.isdigit() or len(since) > 18:
        raise UserInputError(
            f"`since` {since[:40]!r} is not a cursor: pass the `cursor` of the last change "
            "received, or leave it out to start from the oldest change.",
            code="INVALID_CURSOR",
        )
    return int(since)


def parse_types(types: Iterable[str] | None) -> tuple[str, ...]:
    """The record types asked for, checked; all of them for none."""
    chosen = tuple(dict.fromkeys(types or ()))
    unknown = [name for name in chosen if name not in CHANGE_TYPES]
    if unknown:
        raise UserInputError(
            f"No changes are recorded for {', '.join(map(repr, unknown))}: "
            f"choose from {', '.join(CHANGE_TYPES)}.",
            code="INVALID_TYPE",
        )
    return chosen or CHANGE_TYPES


async def change_stream(
    database: Database,
    signal: ChangeSignal,
    principal: Principal,
    types: tuple[str, ...],
    after: int,
) -> AsyncIterator[ChangeEvent]:
    """The changes to records of `types` after audit entry `after` that
    `principal` may see, oldest first, then each new one as it is made."""
    cursor = after
    async with signal.listen() as listener:
        while True:
            entries = await _entries_after(database, cursor)
            settled = _settled(entries, cursor, datetime.now(UTC))
            if settled:
                cursor = settled[-1].id
                wanted = [entry for entry in settled if entry.record_type in types]
                for event in await _visible(database, principal, wanted):
                    yield event
                continue
            # Nothing new, or only entries behind a gap that may yet fill.
            wait = signal.poll_seconds if not entries else GAP_RETRY_SECONDS
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await listener.wait()


def _settled(entries: list[AuditEntry], cursor: int, now: datetime) -> list[AuditEntry]:
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


async def _entries_after(database: Database, cursor: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.id > cursor).order_by(AuditEntry.id).limit(BATCH)
    async with database.sessions() as session:
        return list((await session.scalars(query)).all())


async def _visible(
    database: Database, principal: Principal, entries: list[AuditEntry]
) -> list[ChangeEvent]:
    """The entries about records `principal` may see now (the rule of every read),
    with contact details for partner and staff keys only and the actor for staff."""
    hidden: set[tuple[str, int]] = set()
    if not principal.is_staff:
        async with database.engine.connect() as connection:
            for record_type in {entry.record_type for entry in entries}:
                model = WRITABLE[record_type].model
                ids = {entry.record_id for entry in entries if entry.record_type == record_type}
                query = select(model.id).where(model.id.in_(ids))
                if (condition := visible(model, principal)) is not None:
                    query = query.where(condition)
                seen = set((await connection.execute(query)).scalars())
                hidden.update((record_type, pk) for pk in ids - seen)
    return [
        ChangeEvent(
            id=entry.id,
            at=entry.at,
            action=entry.action,
            record_type=entry.record_type,
            record_id=entry.record_id,
            changes={
                name: values
                for name, values in entry.changes.items()
                if principal.is_authenticated or name not in CONTACT_FIELDS
            },
            actor=entry.actor if principal.is_staff else None,
            request_id=entry.request_id if principal.is_staff else None,
        )
        for entry in entries
        if (entry.record_type, entry.record_id) not in hidden
    ]
