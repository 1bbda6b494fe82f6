"""The fields that ask the network graph: node types get `neighbours` from the
`Connected` base, `Member` gets `collaborators` from `Collaborating`, and
`Query` gets `path`, `mostConnected`, `networkNodes` and `networkEdges` from
`GraphQuery`; the last two read no record at all.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

import resolvers.graph as network
from resolvers.errors import UserInputError
from resolvers.pagination import page_args
from schema.context import Info
from schema.graph.answers import (
    CentralityMetric,
    CollaboratorConnection,
    GraphEdgeKind,
    GraphPath,
    NeighbourConnection,
    NetworkEdgeConnection,
    NetworkNodeConnection,
    NodeType,
    RankedNodeConnection,
)
from schema.nodes import parse_id
from schema.pagination import DEFAULT_PAGE_SIZE, After, First

__all__ = ["Collaborating", "Connected", "GraphQuery"]


Types = Annotated[
    list[NodeType] | None,
    strawberry.argument(description="Return only nodes of these types; null for every type."),
]


def _types(types: list[NodeType] | None) -> frozenset[network.NodeType] | None:
    return None if types is None else frozenset(network.NodeType[value.name] for value in types)


@strawberry.type
class Connected:
    """Base of every node type: its `neighbours` in the network graph."""

    @strawberry.field(
        description="The nodes within `depth` edges of this one (itself excluded), nearest "
        "first, then by type, name and id, each with its distance and the edge that reaches "
        "it. The walk passes through nodes of every type; `types` only filters which are "
        f"returned. Bound: `depth` at most {network.MAX_DEPTH}, and at most "
        f"{network.MAX_VISITED:,} nodes visited (more is an error, `TOO_MANY_NODES`): one "
        "breadth-first search of the in-memory graph."
    )
    async def neighbours(
        self,
        info: Info,
        depth: Annotated[
            int,
            strawberry.argument(
                description=f"How many edges away to look, from 1 to {network.MAX_DEPTH}."
            ),
        ] = 1,
        types: Types = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> NeighbourConnection:
        record: Any = self  # the root value is the node's record
        start = (network.NODE_TYPES[type(record)], record.id)
        args = page_args(first, after)
        graph = await info.context.graph
        return await network.neighbours(graph, start, depth, _types(types), args)  # type: ignore[return-value]


@strawberry.type
class Collaborating:
    """Base of `Member`: the members it shares initiatives with."""

    @strawberry.field(
        description="Member governments that take part in initiatives with this one, most "
        "shared initiatives first, then by name, each with the initiatives they share. Bound: "
        "reads this member's initiatives and their members in the in-memory graph."
    )
    async def collaborators(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> CollaboratorConnection:
        member: Any = self  # the root value is a member record
        args = page_args(first, after)
        graph = await info.context.graph
        return network.collaborators(graph, member.id, args)  # type: ignore[return-value]


def _node_key(value: str) -> tuple[str, network.NodeKey]:
    type_name, record, pk = parse_id(value)
    return type_name, (network.NODE_TYPES[record], pk)


def _require(graph: network.NetworkGraph, value: str, type_name: str, key: Any) -> None:
    if key not in graph:
        raise UserInputError(f"No {type_name} has the ID {value!r}.", code="NOT_FOUND")


@strawberry.type
class GraphQuery:
    """Base of `Query`: the questions about the whole network graph."""

    @strawberry.field(
        description="The shortest paths between two nodes of the network graph, as "
        "alternating nodes and edges: at most `limit`, ordered by the types and names along "
        "them. Nodes that are not connected, or only by paths longer than `maxLength` edges, "
        "give an empty list; a node and itself give one path of length 0. `through` keeps "
        "the nodes between the ends to some types: `[MEMBER, INITIATIVE, PARTNER]` skips the "
        "hubs (regions, UCLG sections, focus areas, action plans) that join most pairs. "
        "Bound: two "
        "breadth-first searches of the in-memory graph, and at most "
        f"{network.PATHS_SCANNED:,} equally short paths compared."
    )
    async def path(
        self,
        info: Info,
        from_: Annotated[
            strawberry.ID,
            strawberry.argument(name="from", description="The global ID of the start node."),
        ],
        to: Annotated[
            strawberry.ID, strawberry.argument(description="The global ID of the end node.")
        ],
        max_length: Annotated[
            int,
            strawberry.argument(
                description="The longest path to look for, in edges, from 1 to "
                f"{network.MAX_PATH_LENGTH}."
            ),
        ] = 4,
        limit: Annotated[
            int,
            strawberry.argument(
                description="How many of the shortest paths to return, from 1 to "
                f"{network.MAX_PATHS}."
            ),
        ] = 3,
        through: Annotated[
            list[NodeType] | None,
            strawberry.argument(
                description="The types of node the path may pass through, its two ends "
                "whatever their type; null for every type."
            ),
        ] = None,
    ) -> list[GraphPath] | None:
        (start_type, start), (end_type, end) = _node_key(from_), _node_key(to)
        graph = await info.context.graph
        _require(graph, from_, start_type, start)
        _require(graph, to, end_type, end)
        return await network.paths(graph, start, end, max_length, limit, _types(through))  # type: ignore[return-value]

    @strawberry.field(
        description="Nodes ranked by how connected they are in the network graph, best "
        "first; equal scores share a rank and go by type, name and id. Scores count the whole "
        "graph; ranks count only the nodes of `types`. Rankings are computed in the "
        "background, never while a request waits (betweenness takes seconds on a large "
        "network), and kept: an answer comes from the last one (`computedAt`). When the data "
        "has changed since, the answer starts a new one, at most one every "
        "`HUB_CENTRALITY_SECONDS` (60 s by default): so a ranking can lag writes by up to "
        "that interval and the time a computation takes, and a node added since is missing "
        "until the next one (one hidden or deleted since is left out at once). Before a "
        "metric's first ranking exists, the request waits for it, at most "
        f"{network.FIRST_WAIT_SECONDS:.0f} s; past that the error `RANKING_NOT_READY` asks "
        "to try again shortly. Bound: betweenness takes at most "
        f"{network.BETWEENNESS_BUDGET:,} node·edge steps; a request reads at most every node."
    )
    async def most_connected(
        self,
        info: Info,
        metric: Annotated[
            CentralityMetric, strawberry.argument(description="What to rank the nodes by.")
        ] = CentralityMetric.DEGREE,
        types: Types = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> RankedNodeConnection | None:
        args = page_args(first, after)
        graph = await info.context.graph
        centrality = network.Centrality[metric.name]
        return await network.most_connected(graph, centrality, _types(types), args)  # type: ignore[return-value]

    @strawberry.field(
        description="Every node of the network graph (of `types`), by type, name and id, "
        "with its ID, type and label: page through it, and `networkEdges`, to draw the whole "
        "network, nodes without edges included. Bound: reads the in-memory graph only (no "
        "SQL), from a list sorted once per version of the data."
    )
    async def network_nodes(
        self, info: Info, types: Types = None, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> NetworkNodeConnection | None:
        args = page_args(first, after)
        graph = await info.context.graph
        return await network.network_nodes(graph, _types(types), args)  # type: ignore[return-value]

    @strawberry.field(
        description="Every edge of the network graph (of `kinds`), by kind and then the ids of "
        "its two ends, each with its ends' IDs, types and labels: page through it to draw the "
        "whole network. Bound: reads the in-memory graph only (no SQL unless `edge { from to }` "
        "asks for the records), from a list sorted once per version of the data."
    )
    async def network_edges(
        self,
        info: Info,
        kinds: Annotated[
            list[GraphEdgeKind] | None,
            strawberry.argument(
                description="Return only edges of these kinds; null for every kind."
            ),
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> NetworkEdgeConnection | None:
        args = page_args(first, after)
        graph = await info.context.graph
        chosen = None if kinds is None else frozenset(network.EdgeKind[k.name] for k in kinds)
        return await network.network_edges(graph, chosen, args)  # type: ignore[return-value]
