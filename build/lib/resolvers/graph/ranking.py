"""The most connected nodes: a page of the last centrality ranking, as the
viewer's graph has them."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime

from resolvers.centrality import Centrality
from resolvers.graph.model import NodeKey, NodeType
from resolvers.graph.network import NetworkGraph
from resolvers.pagination import Page, PageArgs, page_of_sorted

__all__ = ["Ranked", "RankedPage", "most_connected"]


@dataclass(slots=True)
class Ranked:
    """A node's place in a centrality ranking."""

    cursor: str
    target: NodeKey
    score: float
    rank: int


@dataclass(slots=True)
class RankedPage(Page[Ranked]):
    """A page of a ranking, and when the data it ranks was read."""

    computed_at: datetime


async def most_connected(
    network: NetworkGraph,
    metric: Centrality,
    types: frozenset[NodeType] | None,
    args: PageArgs,
) -> RankedPage:
    """Nodes of `types` (all when None) ranked by `metric`, best first, from
    the last ranking scored (see `resolvers.centrality`): of the nodes in it,
    those still in `network` (a node hidden or deleted since drops out; one
    added since waits for the next ranking). Ranks count the nodes listed."""
    ranking, order = await network.ranking(metric)
    listed = [
        pair
        for pair in order
        if (types is None or pair[1][0][0] in types) and pair[1][0] in network
    ]

    def ranked(item: tuple[NodeKey, float], cursor: str) -> Ranked:
        key, score = item
        # Equal scores share a place: one more than the nodes scored higher.
        higher = bisect.bisect_left(listed, -score, key=lambda pair: pair[0][0])
        return Ranked(cursor, key, score, higher + 1)

    page = page_of_sorted(listed, args, ranked)
    return RankedPage(
        page.edges,
        page.has_next_page,
        page.has_previous_page,
        page.total_count,
        ranking.computed_at,
    )
