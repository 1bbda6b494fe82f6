"""The graph's thread: what costs more than a few milliseconds on a large
network runs there, never on the event loop (see `resolvers.graph`). One
thread, so that this work takes turns with the event loop for the GIL rather
than crowding it out.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["GRAPH_THREAD", "off_loop"]

P = ParamSpec("P")
R = TypeVar("R")

GRAPH_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph")


async def off_loop(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `work` in the graph's thread and wait for it without blocking the loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(GRAPH_THREAD, functools.partial(work, *args, **kwargs))
