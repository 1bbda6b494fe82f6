"""Centrality rankings of the network graph: scored in a worker process, off
the request path, at most once per interval, and kept; requests read the last one.

Betweenness costs one breadth-first search per (sampled) source node in pure
Python: 2-4 s of CPU at 20,000 demo partners. Scored afresh whenever a request
finds the data changed, one-point requests after writes (a partner's edit of
its own profile is one) would cost that much each; and in a thread of the
hub's process it takes the GIL from the event loop. So a ranking is scored in
a process of its own (one worker, spawned on first use), which gets the graph
as node positions and sort keys, and kept:

- a request gets the last ranking scored, whatever the data's version since;
- when that ranking is older than the data, the request starts a new one in
  the background, unless one is on its way; a new one starts at most once
  every `interval` seconds (HUB_CENTRALITY_SECONDS), so a stream of writes
  costs one computation per interval, however many requests ask;
- before a metric has any ranking, a request waits for the first one, up to
  FIRST_WAIT_SECONDS, off the event loop; past that it is told to ask again
  (`RANKING_NOT_READY`).

A ranking holds two orders: of the whole graph (for staff) and, when some
nodes are drafts or archived, of the graph without them (for everyone else),
scored on that graph alone, so that public scores say nothing of hidden nodes.

This module stands outside the `resolvers.graph` package so that the worker
imports it alone: the package would bring the database layer with it (0.5 s
and 26 MB more for each worker started).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import multiprocessing
import time
from array import array
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import networkx as nx

from resolvers.errors import UserInputError

if TYPE_CHECKING:
    from resolvers.graph.model import NodeKey
    from resolvers.graph.network import NetworkGraph

__all__ = [
    "BETWEENNESS_BUDGET",
    "FIRST_WAIT_SECONDS",
    "Centrality",
    "Ranking",
    "Rankings",
    "Shape",
    "score",
]

logger = logging.getLogger("metrohub.centrality")

# Exact betweenness (Brandes) costs one breadth-first search per node: O(V·E)
# steps in pure Python. That is instant on the reference data (157 nodes,
# 227 edges: 0.03 s) but takes 55-65 s on `metrohub seed --demo 3000` (3,457
# nodes, 12,675 edges). Past BETWEENNESS_BUDGET node·edge steps it is estimated
# from k = BETWEENNESS_BUDGET // E sampled source nodes (networkx's `k=`, with a
# fixed seed, so one graph always gets the same scores). At demo 3000 that is
# 118 sources and 1.7-2.1 s; the scores are within 0.042 of the exact ones and
# the six top nodes (the focus areas) are the same, but where scores are tiny
# (members, ~0.001 at that scale) the order is rough. At demo 20000 (22,157
# nodes, 83,154 edges): 18 sources, ~2 s (~3.5 s with node keys as tuples
# rather than the worker's ints).
BETWEENNESS_BUDGET = 1_500_000
BETWEENNESS_SEED = 1985
# How long a request waits for a metric's first ranking (the worker's start
# included) before it is told to ask again: every size measured so far fits.
FIRST_WAIT_SECONDS = 10.0


class Centrality(enum.StrEnum):
    """How `most_connected` scores nodes."""

    DEGREE = "degree"
    BETWEENNESS = "betweenness"


# A node's sort key after its score: type, name (title, text) and id.
SortKey = tuple[str, str, int]
# Node positions, best first, with their scores.
Scored = list[tuple[int, float]]


@dataclass(frozen=True, slots=True)
class Shape:
    """A graph as the worker process gets it: each node by its position in the
    graph's order, with its sort key; each edge as two positions, one after
    the other in `ends`; the positions of the nodes only staff may see.
    Compact to send: no node keys, labels only once, edges as machine ints."""

    sort_keys: list[SortKey]
    ends: array[int]
    hidden: frozenset[int]

    @classmethod
    def of(cls, network: NetworkGraph) -> Shape:
        position = {key: index for index, key in enumerate(network.graph)}
        ends = array("i")
        for a, b in network.graph.edges():
            ends.append(position[a])
            ends.append(position[b])
        return cls(
            [network.sort_key(key) for key in network.graph],
            ends,
            frozenset(position[key] for key in network.hidden),
        )


def score(metric: str, shape: Shape) -> tuple[Scored, Scored | None]:
    """Run in the worker process: every node by its score under `metric`, best
    first, then by sort key; of the whole graph, and of the graph without its
    hidden nodes (None when it has none)."""
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(len(shape.sort_keys)))
    ends = shape.ends
    graph.add_edges_from(zip(ends[::2], ends[1::2], strict=True))
    centrality = Centrality(metric)
    every = _ordered(_scores(centrality, graph), shape.sort_keys)
    if not shape.hidden:
        return every, None
    # A copy, not a view: betweenness walks every edge many times.
    public = graph.subgraph(node for node in graph if node not in shape.hidden).copy()
    return every, _ordered(_scores(centrality, public), shape.sort_keys)


def _scores(metric: Centrality, graph: nx.Graph[int]) -> dict[int, float]:
    if metric is Centrality.DEGREE:
        return {node: float(degree) for node, degree in graph.degree()}
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    sampled = nodes * edges > BETWEENNESS_BUDGET
    k = max(1, BETWEENNESS_BUDGET // edges) if sampled else None
    scores: dict[int, float] = nx.betweenness_centrality(
        graph, k=k, normalized=True, seed=BETWEENNESS_SEED if sampled else None
    )
    return scores


def _ordered(scores: dict[int, float], sort_keys: list[SortKey]) -> Scored:
    order = sorted(scores, key=lambda node: (-scores[node], *sort_keys[node]))
    return [(node, scores[node]) for node in order]


# A ranked node as requests page through it: its cursor key (minus its score,
# then its sort key) and the node with its score.
Listed = tuple[tuple[Any, ...], tuple["NodeKey", float]]


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every node by its score under `metric`, best first, then by type, name
    and id: of the whole graph (`every`) and of its public part (`public`),
    as the data stood at `version`, read at `computed_at`."""

    metric: Centrality
    version: Any
    computed_at: datetime
    every: list[Listed]
    public: list[Listed]

    @classmethod
    def of(
        cls,
        metric: Centrality,
        network: NetworkGraph,
        shape: Shape,
        scored: tuple[Scored, Scored | None],
        computed_at: datetime,
    ) -> Ranking:
        keys = list(network.graph)

        def listed(order: Scored) -> list[Listed]:
            return [
                ((-value, *shape.sort_keys[node]), (keys[node], value)) for node, value in order
            ]

        every, public = scored
        everything = listed(every)
        return cls(
            metric,
            network.version,
            computed_at,
            everything,
            everything if public is None else listed(public),
        )


class Rankings:
    """The process's centrality rankings, one per metric: the last one scored,
    and at most one more on its way (see the module's docstring)."""

    def __init__(
        self, current: Callable[[], Awaitable[NetworkGraph]], interval_seconds: float
    ) -> None:
        self._current = current
        self._interval = interval_seconds
        self._latest: dict[Centrality, Ranking] = {}
        self._refreshing: dict[Centrality, asyncio.Task[None]] = {}
        # When each metric's last computation started (time.monotonic()).
        self._started: dict[Centrality, float] = {}
        self._pool: ProcessPoolExecutor | None = None
        # Rankings scored, by metric: one worker run each.
        self.computations: Counter[Centrality] = Counter()

    async def latest(self, metric: Centrality, version: Any) -> Ranking:
        """The last ranking by `metric`. When it is older than the data at
        `version`, a new one is started in the background (unless one is on
        its way) for later requests; when there is none yet, this waits for
        the first one (up to FIRST_WAIT_SECONDS)."""
        latest = self._latest.get(metric)
        if latest is not None and latest.version == version:
            return latest
        refresh = self._refresh(metric)
        if latest is not None:
            return latest
        try:
            # Shielded: a request that gives up leaves the computation running.
            await asyncio.wait_for(asyncio.shield(refresh), FIRST_WAIT_SECONDS)
        except TimeoutError:
            raise UserInputError(
                f"The ranking by {metric.value} is being computed for the first time since the "
                "hub started, which takes a few seconds on a large network: ask again shortly.",
                code="RANKING_NOT_READY",
            ) from None
        return self._latest[metric]

    def pool(self) -> ProcessPoolExecutor:
        """The worker process that scores rankings, started on first use.
        Spawned, not forked: the hub's threads, event loop and listening
        socket stay behind. Spawning imports the main module again, so a
        script that serves the hub must start it under `if __name__ ==
        "__main__":`, as `metrohub`, uvicorn and pytest do."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    async def idle(self) -> None:
        """Wait until no ranking is being computed or waiting to be."""
        while pending := [task for task in self._refreshing.values() if not task.done()]:
            await asyncio.wait(pending)

    async def close(self) -> None:
        """Stop the rankings on their way and the worker process. A computation
        the worker has begun runs to its end (seconds) before the process exits."""
        tasks = list(self._refreshing.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._refreshing.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _refresh(self, metric: Centrality) -> asyncio.Task[None]:
        task = self._refreshing.get(metric)
        if task is None or task.done():
            task = asyncio.create_task(self._recompute(metric), name=f"ranking by {metric}")
            task.add_done_callback(_log_failure)
            self._refreshing[metric] = task
        return task

    async def _recompute(self, metric: Centrality) -> None:
        started = self._started.get(metric)
        if started is not None:
            await asyncio.sleep(started + self._interval - time.monotonic())
        self._started[metric] = time.monotonic()
        network = await self._current()
        computed_at = datetime.now(UTC)
        latest = self._latest.get(metric)
        if latest is not None and latest.version == network.version:
            return
        shape = await asyncio.to_thread(Shape.of, network)
        loop = asyncio.get_running_loop()
        try:
            scored = await loop.run_in_executor(self.pool(), score, metric.value, shape)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): the next try starts another.
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
            raise
        ranking = await asyncio.to_thread(Ranking.of, metric, network, shape, scored, computed_at)
        self._latest[metric] = ranking
        self.computations[metric] += 1


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("computing a centrality ranking failed", exc_info=error)
