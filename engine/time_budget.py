"""A request's time budget: past it, the request's task is cancelled and a
statement it has running stops too (`db/deadlines.py`).

Some work is bounded by timeouts of its own and may need longer than the
ordinary budget: registering or checking a subgraph fetches its SDL (at most
10 s) and runs the npm composers (at most 120 s), which on a busy machine take
more than 10 s between them. Such a resolver calls `allow_up_to` first, rather
than the budget being raised for every request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from db.deadlines import Deadline, deadline

__all__ = ["allow_up_to", "time_budget"]


@dataclass(frozen=True, slots=True)
class _Budget:
    timeout: asyncio.Timeout
    statements: Deadline


_running: ContextVar[_Budget | None] = ContextVar("time_budget", default=None)


@asynccontextmanager
async def time_budget(seconds: float) -> AsyncIterator[Deadline]:
    """Run the block for at most `seconds` (TimeoutError past it); yields the
    deadline of its statements, `expired` once one was stopped for it."""
    with deadline(seconds) as statements:
        async with asyncio.timeout(seconds) as timeout:
            token = _running.set(_Budget(timeout, statements))
            try:
                yield statements
            finally:
                _running.reset(token)


def allow_up_to(seconds: float) -> None:
    """Let the running request go on until `seconds` from now, if that is
    later than its budget allows (outside a budget: nothing to do)."""
    budget = _running.get()
    if budget is None:
        return
    when = asyncio.get_running_loop().time() + seconds
    current = budget.timeout.when()
    if current is not None and current < when:
        budget.timeout.reschedule(when)
    budget.statements.at = max(budget.statements.at, time.monotonic() + seconds)
