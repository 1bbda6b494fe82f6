"""Deadlines for statements: work started for a request stops when its time is up.

A request's time budget is enforced by cancelling its task, but a statement
already handed to the driver runs on in the driver's thread (aiosqlite), and
the connection it holds is only given back when it ends: a request cancelled
after 10 s could still keep SQLite busy for minutes, and its answer waited for
that. So a request sets a `deadline`, which its tasks inherit (a context
variable), and each statement carries the deadline of the request that sent
it: on SQLite a progress handler, called every few thousand virtual machine
steps in the driver's thread, stops the statement once the deadline has
passed (`sqlite3.OperationalError: interrupted`) and marks the deadline
`expired`. On PostgreSQL, asyncpg cancels the statement on the server when the
task awaiting it is cancelled, which the time budget does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["PROGRESS_STEPS", "Deadline", "current", "deadline", "stop_statements_at_deadlines"]

# Virtual machine steps between two looks at the clock: about a third of a
# millisecond of work (SQLite runs ~60 million a second here), so that a
# statement stops within a millisecond of its deadline, and rare enough that
# the look (a Python call, which takes the GIL) costs the statement nothing
# measurable.
PROGRESS_STEPS = 20_000
_WATCH = "deadline_watch"


@dataclass(slots=True)
class Deadline:
    """A point on the `time.monotonic()` clock; `expired` once a statement was
    stopped for it."""

    at: float
    expired: bool = False

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at


_current: ContextVar[Deadline | None] = ContextVar("statement_deadline", default=None)


def current() -> Deadline | None:
    """The deadline statements sent from here run under, if any."""
    return _current.get()


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Statements sent from here (and from tasks started here) within the next
    `seconds` run; later, they stop."""
    current = Deadline(time.monotonic() + seconds)
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


@dataclass(slots=True)
class _Watch:
    """The deadline of the statement a connection is running (one at a time)."""

    deadline: Deadline | None = None

    def progress(self) -> int:
        """SQLite's progress handler, in the driver's thread: non-zero stops the statement."""
        current = self.deadline
        if current is not None and current.passed:
            current.expired = True
            return 1
        return 0


def stop_statements_at_deadlines(engine: AsyncEngine) -> None:
    """Have every connection of an aiosqlite `engine` stop a statement whose
    request's deadline has passed."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        watch = record.info[_WATCH] = _Watch()
        # In the driver's thread: sqlite3 connections belong to the thread that made them.
        dbapi_connection.run_async(
            lambda driver: driver.set_progress_handler(watch.progress, PROGRESS_STEPS)
        )

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _on_execute(connection: Any, *_args: Any) -> None:
        watch = connection.info.get(_WATCH)
        if watch is not None:
            watch.deadline = _current.get()
