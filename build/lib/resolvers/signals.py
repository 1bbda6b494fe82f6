"""Notifications that the audit log has grown: nothing more. The change feed
(resolvers/feed.py) reads the log when one comes.

Within one process they go through memory (`LocalSignal`); between processes
through one Redis pub/sub channel (`RedisSignal`), which each process relays
to its own listeners.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

__all__ = ["ChangeSignal", "Listener", "LocalSignal", "RedisSignal", "change_signal"]

logger = logging.getLogger("metrohub.changes")

# The longest the feed waits for a notification before it looks at the log anyway.
POLL_SECONDS = 5.0
# How long a new listener waits for the process's Redis subscription, and how
# long the process waits before it subscribes again after Redis failed.
SUBSCRIBE_SECONDS = 2.0
RETRY_SECONDS = 1.0


class Listener(Protocol):
    async def wait(self) -> None:
        """Return at the next notification."""


class ChangeSignal(Protocol):
    """Tells the change feed that the audit log has grown."""

    # How long the feed waits for a notification before it reads the log anyway.
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
    process holds one subscription and wakes its own listeners (`LocalSignal`)."""

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
            # The change is committed; the feed finds it when it next polls the log.
            logger.warning("could not notify change streams through Redis", exc_info=True)

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[Listener]:
        async with self.local.listen() as listener:
            if self._relay is None:
                self._relay = asyncio.create_task(self._forward())
            # Subscribed before the feed first reads the log, so that a change
            # committed after that read wakes it at once. (While Redis is away,
            # the feed still finds every change, at its next poll.)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SUBSCRIBE_SECONDS):
                    await self._subscribed.wait()
            yield listener

    async def _forward(self) -> None:
        """Relay the channel to this process's listeners for as long as the hub
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
