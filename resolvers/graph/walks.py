"""Walks along the network graph: the neighbourhood of a node, and the
shortest paths between two; each bounded, and run in the graph's thread."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx

from resolvers.errors import UserInputError
from resolvers.graph.model import Hop, NodeKey, NodeType
from resolvers.graph.network import NetworkGraph
from resolvers.graph.thread import off_loop
from resolvers.pagination import Page, PageArgs, page_of

__all__ = [
    "MAX_DEPTH",
    "MAX_PATHS",
    "MAX_PATH_LENGTH",
    "MAX_VISITED",
    "PATHS_SCANNED",
    "Neighbour",
    "Path",
    "neighbours",
    "paths",
]

MAX_DEPTH = 3
MAX_VISITED = 10_000
MAX_PATH_LENGTH = 6
MAX_PATHS = 10
# Equally short paths looked at before the `limit` first (by the names along
# them) are returned: enough for any pair in the data, and a bound otherwise.
PATHS_SCANNED = 1_000


@dataclass(slots=True)
class Neighbour:
    """A node within reach of another: how many edges away, and the edge from
    the node before it on a shortest path."""

    cursor: str
    target: NodeKey
    distance: int
    via: Hop


@dataclass(frozen=True, slots=True)
class Path:
    """A walk along the graph: `keys[i]` and `keys[i + 1]` are the ends of `hops[i]`."""

    keys: list[NodeKey]
    hops: list[Hop]

    @property
    def length(self) -> int:
        return len(self.hops)


def _require_depth(depth: int) -> None:
    if not 1 <= depth <= MAX_DEPTH:
        raise UserInputError(
            f"`depth` must be between 1 and {MAX_DEPTH}, got {depth}: ask for fewer hops, "
            "and ask a neighbour for its own `neighbours` to go further.",
            code="INVALID_DEPTH",
        )


async def neighbours(
    network: NetworkGraph,
    start: NodeKey,
    depth: int,
    types: frozenset[NodeType] | None,
    args: PageArgs,
) -> Page[Neighbour]:
    """The nodes within `depth` edges of `start`, of `types` (all when None),
    by distance, type, name and id. The walk passes through nodes of any type;
    it visits at most MAX_VISITED nodes, or fails."""
    _require_depth(depth)
    if start not in network:
        return Page.empty(after=args.after is not None)
    return await off_loop(_neighbours, network, start, depth, types, args)


def _neighbours(
    network: NetworkGraph,
    start: NodeKey,
    depth: int,
    types: frozenset[NodeType] | None,
    args: PageArgs,
) -> Page[Neighbour]:
    distance: dict[NodeKey, int] = {}
    layers = itertools.islice(nx.bfs_layers(network.graph, [start]), depth + 1)
    for hops, layer in enumerate(layers):
        distance.update((key, hops) for key in layer)
        if len(distance) > MAX_VISITED:
            raise UserInputError(
                f"More than {MAX_VISITED:,} nodes lie within {hops} edges of this node, and "
                f"one answer visits at most {MAX_VISITED:,}: ask for a smaller `depth`.",
                code="TOO_MANY_NODES",
            )
    found: list[Neighbour] = []
    for key, hops in distance.items():
        if hops == 0 or (types is not None and key[0] not in types):
            continue
        # Of the nodes one edge nearer the start, the first by type and name.
        previous = min(
            (near for near in network.graph.adj[key] if distance.get(near) == hops - 1),
            key=network.sort_key,
        )
        found.append(Neighbour("", key, hops, network.hop(previous, key)))
    return page_of(
        found,
        lambda item: (item.distance, *network.sort_key(item.target)),
        args,
        lambda item, cursor: Neighbour(cursor, item.target, item.distance, item.via),
    )


async def paths(
    network: NetworkGraph,
    start: NodeKey,
    end: NodeKey,
    max_length: int,
    limit: int,
    through: frozenset[NodeType] | None = None,
) -> list[Path]:
    """Up to `limit` shortest paths from `start` to `end`, ordered by the names
    along them; none when they are not connected or only by paths longer than
    `max_length` edges. From a node to itself: one path of length 0. With
    `through`, the nodes between the ends are only of those types."""
    if not 1 <= max_length <= MAX_PATH_LENGTH:
        raise UserInputError(
            f"`maxLength` must be between 1 and {MAX_PATH_LENGTH}, got {max_length}: any two "
            "connected nodes of the network are a few edges apart; ask for fewer.",
            code="INVALID_MAX_LENGTH",
        )
    if not 1 <= limit <= MAX_PATHS:
        raise UserInputError(
            f"`limit` must be between 1 and {MAX_PATHS}, got {limit}: ask for fewer paths.",
            code="INVALID_LIMIT",
        )
    if start == end:
        return [Path([start], [])]
    return await off_loop(_paths, network, start, end, max_length, limit, through)


def _paths(
    network: NetworkGraph,
    start: NodeKey,
    end: NodeKey,
    max_length: int,
    limit: int,
    through: frozenset[NodeType] | None,
) -> list[Path]:
    graph: nx.Graph[NodeKey] = network.graph
    if through is not None:
        # A view, not a copy: the walk skips the nodes of other types.
        graph = nx.subgraph_view(
            graph, filter_node=lambda key: key[0] in through or key in (start, end)
        )
    try:
        # Searching from both ends stops where they meet: cheaper than
        # all_shortest_paths' full search when the nodes are too far apart.
        shortest = nx.bidirectional_shortest_path(graph, start, end)
    except nx.NetworkXNoPath:
        return []
    if len(shortest) - 1 > max_length:
        return []
    found = itertools.islice(nx.all_shortest_paths(graph, start, end), PATHS_SCANNED)
    chosen = sorted(found, key=lambda keys: [network.sort_key(key) for key in keys])[:limit]
    return [Path(keys, [network.hop(a, b) for a, b in itertools.pairwise(keys)]) for keys in chosen]
