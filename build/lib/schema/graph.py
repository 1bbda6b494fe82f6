"""The network graph: every node's neighbourhood, shortest paths between
nodes, a member's collaborators, the most connected nodes and the lists of
every node and every edge.

The answers come from the in-memory graph (`resolvers.graph`), as node keys;
the records behind them are read in batch by the request's loaders, so a
request costs a fixed number of SQL statements whatever its size. Node types
get `neighbours` from the `Connected` base, `Member` gets `collaborators` from
`Collaborating`, and `Query` gets `path`, `mostConnected`, `networkNodes` and
`networkEdges` from `GraphQuery`; the last two read no record at all.
"""

from __future__ import annotations

import asyncio
import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry import relay

import resolvers.graph as network
from engine.lookahead import reads
from resolvers.errors import UserInputError
from resolvers.pagination import page_args
from resolvers.records import InitiativeRecord, MemberRecord
from schema.context import Info
from schema.nodes import NODE_RECORDS, load_record, parse_id
from schema.pagination import DEFAULT_PAGE_SIZE, After, ConnectionFields, First
from schema.provenance import Provenance

if TYPE_CHECKING:
    from schema.initiatives import Initiative
    from schema.members import Member

__all__ = [
    "CentralityMetric",
    "Collaborating",
    "CollaboratorConnection",
    "Connected",
    "GraphEdge",
    "GraphEdgeKind",
    "GraphPath",
    "GraphQuery",
    "NeighbourConnection",
    "NetworkEdge",
    "NetworkEdgeConnection",
    "NetworkNode",
    "NetworkNodeConnection",
    "NodeType",
    "RankedNodeConnection",
]

InitiativeT = Annotated["Initiative", strawberry.lazy("schema.initiatives")]
MemberT = Annotated["Member", strawberry.lazy("schema.members")]


@strawberry.enum(description="The types of node of the network graph.")
class NodeType(enum.Enum):
    ACTION_PLAN = strawberry.enum_value("action_plan", description="An `ActionPlan`.")
    FOCUS_AREA = strawberry.enum_value("focus_area", description="A `FocusArea` (a mission).")
    INITIATIVE = strawberry.enum_value("initiative", description="An `Initiative`.")
    MEMBER = strawberry.enum_value("member", description="A `Member` government.")
    OBJECTIVE = strawberry.enum_value("objective", description="An action plan's `Objective`.")
    PARTNER = strawberry.enum_value("partner", description="A `Partner` organisation.")
    REGION = strawberry.enum_value("region", description="A world `Region`.")
    UCLG_SECTION = strawberry.enum_value("uclg_section", description="A `UclgSection`.")


@strawberry.enum(description="What an edge of the network graph links, and what it states.")
class GraphEdgeKind(enum.Enum):
    MEMBER_INITIATIVE = strawberry.enum_value(
        "member_initiative",
        description="A member government takes part in an initiative; `role` is its `MemberRole`.",
    )
    PARTNER_INITIATIVE = strawberry.enum_value(
        "partner_initiative",
        description="A partner takes part in an initiative; `role` is its `PartnerRole`.",
    )
    PARTNER_MEMBER = strawberry.enum_value(
        "partner_member",
        description="A partner works with a member government directly; `role` is the "
        "relationship as the source states it.",
    )
    MEMBER_SECTION = strawberry.enum_value(
        "member_section", description="A member government belongs to a UCLG section."
    )
    MEMBER_REGION = strawberry.enum_value(
        "member_region", description="A member government lies in a world region."
    )
    INITIATIVE_FOCUS_AREA = strawberry.enum_value(
        "initiative_focus_area", description="An initiative serves a focus area."
    )
    PARTNER_FOCUS_AREA = strawberry.enum_value(
        "partner_focus_area", description="A partner works on a focus area."
    )
    INITIATIVE_OBJECTIVE = strawberry.enum_value(
        "initiative_objective",
        description="An initiative contributes to an action plan objective.",
    )
    OBJECTIVE_ACTION_PLAN = strawberry.enum_value(
        "objective_action_plan", description="An objective belongs to an action plan."
    )


@strawberry.enum(description="How `mostConnected` scores nodes.")
class CentralityMetric(enum.Enum):
    DEGREE = strawberry.enum_value(
        "degree", description="How many edges a node has, of every kind."
    )
    BETWEENNESS = strawberry.enum_value(
        "betweenness",
        description="Normalized betweenness centrality: the share of shortest paths between "
        "other nodes that pass through the node (0 to 1). Exact while the graph is small "
        f"(nodes × edges up to {network.BETWEENNESS_BUDGET:,}); beyond that estimated from "
        "sampled source nodes, with a fixed seed so the same data gives the same scores.",
    )


Types = Annotated[
    list[NodeType] | None,
    strawberry.argument(description="Return only nodes of these types; null for every type."),
]


async def _load(info: Info, key: network.NodeKey) -> Any:
    return await load_record(info, network.RECORDS[key[0]], key[1])


def _types(types: list[NodeType] | None) -> frozenset[network.NodeType] | None:
    return None if types is None else frozenset(network.NodeType[value.name] for value in types)


@strawberry.type(
    description="An edge of the network graph as a walk crosses it: `from` is the end nearer "
    "the walk's start, `to` the other. `kind` names the two ends whichever way it is crossed."
)
class GraphEdge:
    start: strawberry.Private[network.NodeKey]
    end: strawberry.Private[network.NodeKey]
    facts: strawberry.Private[network.EdgeFacts]

    @strawberry.field(description="What the edge links.")
    def kind(self) -> GraphEdgeKind:
        return self.facts.kind  # type: ignore[return-value]

    @strawberry.field(
        description="The role the edge states: a `MemberRole` (`MEMBER_INITIATIVE`) or "
        "`PartnerRole` (`PARTNER_INITIATIVE`) value such as `LEAD`, or the relationship as "
        "the source states it (`PARTNER_MEMBER`); null for the other kinds."
    )
    def role(self) -> str | None:
        role = self.facts.role
        return role.name if isinstance(role, enum.Enum) else role

    @strawberry.field(name="from", description="The end nearer the walk's start.")
    async def from_(self, info: Info) -> relay.Node:
        return await _load(info, self.start)

    @strawberry.field(description="The end farther from the walk's start.")
    async def to(self, info: Info) -> relay.Node:
        return await _load(info, self.end)

    @strawberry.field(
        description="Where the fact the edge states comes from; null for `MEMBER_REGION` and "
        "`OBJECTIVE_ACTION_PLAN`, which are attributes of the node itself."
    )
    def provenance(self) -> Provenance | None:
        return None if self.facts.source_urls is None else cast(Provenance, self.facts)


@strawberry.type(description="A node near another, how far it is, and the edge that leads to it.")
class NeighbourEdge:
    cursor: str = strawberry.field(description="Points at this item; pass it as `after`.")
    distance: int = strawberry.field(description="How many edges away it is (1 to `depth`).")
    via: GraphEdge = strawberry.field(
        description="The edge that reaches it from a node one edge nearer the start, on a "
        "shortest path (of several such nodes, the first by type and name)."
    )
    target: strawberry.Private[network.NodeKey]

    @strawberry.field(description="The node.")
    async def node(self, info: Info) -> relay.Node:
        return await _load(info, self.target)


@strawberry.type(description="A page of the nodes near another.")
class NeighbourConnection(ConnectionFields):
    edges: list[NeighbourEdge] = strawberry.field(description="The items on this page.")


@strawberry.type(
    description="A path through the network graph: `nodes` and `edges` alternate, "
    "`edges[i]` leading from `nodes[i]` to `nodes[i + 1]`."
)
class GraphPath:
    length: int = strawberry.field(description="How many edges it has (0 from a node to itself).")
    keys: strawberry.Private[list[network.NodeKey]]
    hops: strawberry.Private[list[network.Hop]]

    @strawberry.field(description="Its nodes, from the start to the end.")
    async def nodes(self, info: Info) -> list[relay.Node]:
        return list(await asyncio.gather(*(_load(info, key) for key in self.keys)))

    @strawberry.field(description="Its edges, in order from the start.")
    def edges(self) -> list[GraphEdge]:
        return cast(list[GraphEdge], self.hops)


@strawberry.type(description="A member government that shares initiatives with another.")
class CollaboratorEdge:
    cursor: str = strawberry.field(description="Points at this item; pass it as `after`.")
    shared_count: int = strawberry.field(description="How many initiatives they share.")
    member_id: strawberry.Private[int]
    initiative_ids: strawberry.Private[list[int]]

    @strawberry.field(description="The member government.")
    async def node(self, info: Info) -> MemberT:
        return await load_record(info, MemberRecord, self.member_id)

    @strawberry.field(description="The initiatives both take part in, by title.")
    async def shared_initiatives(self, info: Info) -> list[InitiativeT]:
        loader = info.context.loaders.by_id(InitiativeRecord)
        return await loader.load_many(self.initiative_ids)  # type: ignore[return-value]


@strawberry.type(description="A page of a member government's collaborators.")
class CollaboratorConnection(ConnectionFields):
    edges: list[CollaboratorEdge] = strawberry.field(description="The items on this page.")


@strawberry.type(description="A node's place in a ranking by how connected it is.")
class RankedNode:
    cursor: str = strawberry.field(description="Points at this item; pass it as `after`.")
    score: float = strawberry.field(
        description="Its score under the metric: edges for `DEGREE`, 0 to 1 for `BETWEENNESS`."
    )
    rank: int = strawberry.field(
        description="Its place, from 1; equal scores share a place (1, 2, 2, 4)."
    )
    target: strawberry.Private[network.NodeKey]

    @strawberry.field(description="The node.")
    async def node(self, info: Info) -> relay.Node:
        return await _load(info, self.target)


@strawberry.type(description="A page of a ranking of nodes.")
class RankedNodeConnection(ConnectionFields):
    edges: list[RankedNode] = strawberry.field(description="The items on this page.")
    computed_at: datetime = strawberry.field(
        description="When the network this ranking scores was read (UTC): the scores are of "
        "the network as it was then. Changes since show in a later ranking (see "
        "`Query.mostConnected`)."
    )


@strawberry.type(
    description="A node as `networkNodes` and `networkEdges` name it: enough to draw it, "
    "read from the in-memory graph without reading its record. Ask `node(id:)` for the rest."
)
class NetworkNode:
    key: strawberry.Private[network.NodeKey]
    label: str = strawberry.field(
        description="Its name (a member's, partner's, section's, region's or focus area's), "
        "title (an initiative's or action plan's) or text (an objective's)."
    )

    @strawberry.field(description="Its global ID, as `node(id:)` takes it.")
    def id(self) -> strawberry.ID:
        record = network.RECORDS[self.key[0]]
        type_name = next(name for name, known in NODE_RECORDS.items() if known is record)
        return strawberry.ID(str(relay.GlobalID(type_name, str(self.key[1]))))

    @strawberry.field(description="Its type.")
    def type(self) -> NodeType:
        return NodeType[self.key[0].name]


@strawberry.type(description="A node in the list of every node of the network graph.")
class NetworkNodeEdge:
    cursor: str = strawberry.field(description="Points at this item; pass it as `after`.")
    node: NetworkNode = strawberry.field(description="The node.")


@strawberry.type(description="A page of the list of every node of the network graph.")
class NetworkNodeConnection(ConnectionFields):
    edges: list[NetworkNodeEdge] = strawberry.field(description="The items on this page.")


@strawberry.type(description="An edge in the list of every edge of the network graph.")
class NetworkEdge:
    cursor: str = strawberry.field(description="Points at this item; pass it as `after`.")
    source: NetworkNode = strawberry.field(
        description="The end its kind names first (the member of `MEMBER_INITIATIVE`)."
    )
    target: NetworkNode = strawberry.field(description="The end its kind names second.")
    hop: strawberry.Private[network.Hop]

    @strawberry.field(
        description="The edge: its kind, role and provenance; `from` is `source` and `to` is "
        "`target`, read as whole records (one SQL statement per type of node on the page)."
    )
    def edge(self) -> GraphEdge:
        return cast(GraphEdge, self.hop)


@strawberry.type(description="A page of the list of every edge of the network graph.")
class NetworkEdgeConnection(ConnectionFields):
    edges: list[NetworkEdge] = strawberry.field(description="The items on this page.")


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
    @reads("id")
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
    @reads("id")
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
        "give an empty list; a node and itself give one path of length 0. Bound: two "
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
    ) -> list[GraphPath]:
        (start_type, start), (end_type, end) = _node_key(from_), _node_key(to)
        graph = await info.context.graph
        _require(graph, from_, start_type, start)
        _require(graph, to, end_type, end)
        return await network.paths(graph, start, end, max_length, limit)  # type: ignore[return-value]

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
    ) -> RankedNodeConnection:
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
    ) -> NetworkNodeConnection:
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
    ) -> NetworkEdgeConnection:
        args = page_args(first, after)
        graph = await info.context.graph
        chosen = None if kinds is None else frozenset(network.EdgeKind[k.name] for k in kinds)
        return await network.network_edges(graph, chosen, args)  # type: ignore[return-value]
