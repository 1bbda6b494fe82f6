"""What the network graph's questions answer with: node types, edge kinds
and centrality metrics, edges, paths, rankings, the lists of every node and
every edge, and their pages.

The answers come from the in-memory graph (`resolvers.graph`) as node keys;
the records behind them are read in batch by the request's loaders.
"""

from __future__ import annotations

import asyncio
import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry import relay

import resolvers.graph as network
from resolvers.records import InitiativeRecord, MemberRecord
from schema.context import Info
from schema.nodes import NODE_RECORDS, load_record
from schema.pagination import ConnectionFields
from schema.provenance import Provenance

if TYPE_CHECKING:
    from schema.initiatives import Initiative
    from schema.members import Member


__all__ = [
    "CentralityMetric",
    "CollaboratorConnection",
    "GraphEdge",
    "GraphEdgeKind",
    "GraphPath",
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


async def _load(info: Info, key: network.NodeKey) -> Any:
    return await load_record(info, network.RECORDS[key[0]], key[1])


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
