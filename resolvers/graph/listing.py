"""The lists of every node and every edge of the network graph, in pages."""

from __future__ import annotations

from resolvers.graph.model import EdgeKind, Endpoint, ListedEdge, NodeType
from resolvers.graph.network import NetworkGraph
from resolvers.pagination import Edge, Page, PageArgs, page_of_sorted

__all__ = ["network_edges", "network_nodes"]


async def network_nodes(
    network: NetworkGraph, types: frozenset[NodeType] | None, args: PageArgs
) -> Page[Edge[Endpoint]]:
    """Every node of `types` (all when None), by type, name and id."""
    listed = await network.listed_nodes()
    if types is not None:
        listed = [pair for pair in listed if pair[1].key[0] in types]
    return page_of_sorted(listed, args, lambda item, cursor: Edge(cursor, item))


async def network_edges(
    network: NetworkGraph, kinds: frozenset[EdgeKind] | None, args: PageArgs
) -> Page[ListedEdge]:
    """The edges of `kinds` (all when None), by kind and the ids of their ends."""
    listed = await network.listed_edges()
    if kinds is not None:
        listed = [pair for pair in listed if pair[1].hop.facts.kind in kinds]
    return page_of_sorted(
        listed,
        args,
        lambda item, cursor: ListedEdge(cursor, item.hop, item.source, item.target),
    )
