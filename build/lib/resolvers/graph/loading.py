"""Loading the network graph from the database: one statement for the nodes
(ids, a sort label and whether the node is public), one per kind of edge (the
link tables, a member's region, an objective's action plan)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy import Select, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import (
    ActionPlan,
    FocusArea,
    Initiative,
    InitiativeFocusArea,
    InitiativeObjective,
    Member,
    MemberInitiative,
    MemberSection,
    Objective,
    Partner,
    PartnerFocusArea,
    PartnerInitiative,
    PartnerMember,
    Publication,
    Region,
    UclgSection,
)
from resolvers.centrality import Rankings
from resolvers.graph.model import ENDS, EdgeFacts, EdgeKind, NodeKey, NodeType
from resolvers.graph.network import NetworkGraph
from resolvers.graph.thread import off_loop

__all__ = ["load_graph"]


# The nodes: type, id, the label answers are sorted by, and whether the node
# is public (drafts and archived records are for staff only).
_NODES = union_all(
    *(
        select(
            literal(kind.value).label("type"),
            model.id,
            label.label("label"),
            (
                model.publication == Publication.PUBLISHED
                if hasattr(model, "publication")
                else literal(True)
            ).label("public"),
        )
        for kind, model, label in (
            (NodeType.ACTION_PLAN, ActionPlan, ActionPlan.title),
            (NodeType.FOCUS_AREA, FocusArea, FocusArea.name),
            (NodeType.INITIATIVE, Initiative, Initiative.title),
            (NodeType.MEMBER, Member, Member.name),
            (NodeType.OBJECTIVE, Objective, Objective.text),
            (NodeType.PARTNER, Partner, Partner.name),
            (NodeType.REGION, Region, Region.name),
            (NodeType.UCLG_SECTION, UclgSection, UclgSection.name),
        )
    )
).order_by("type", "id")  # one order, so that sampling the same graph picks the same nodes


@dataclass(frozen=True, slots=True)
class _EdgeSource:
    """Where the edges of one kind are read: the two ends' ids (in the order
    of `ENDS`), then the role and the provenance columns (null where the edge
    has none)."""

    kind: EdgeKind
    query: Select[Any]

    @property
    def ends(self) -> tuple[NodeType, NodeType]:
        return ENDS[self.kind]


def _link(kind: EdgeKind, link: Any, ids: tuple[Any, Any], role: Any = None) -> _EdgeSource:
    columns = (role if role is not None else null(), link.source_urls, link.confidence, link.origin)
    return _EdgeSource(kind, select(*ids, *columns))


def _column(kind: EdgeKind, ids: tuple[Any, Any]) -> _EdgeSource:
    return _EdgeSource(kind, select(*ids, null(), null(), null(), null()))


_EDGES = (
    _link(
        EdgeKind.MEMBER_INITIATIVE,
        MemberInitiative,
        (MemberInitiative.member_id, MemberInitiative.initiative_id),
        MemberInitiative.role,
    ),
    _link(
        EdgeKind.PARTNER_INITIATIVE,
        PartnerInitiative,
        (PartnerInitiative.partner_id, PartnerInitiative.initiative_id),
        PartnerInitiative.role,
    ),
    _link(
        EdgeKind.PARTNER_MEMBER,
        PartnerMember,
        (PartnerMember.partner_id, PartnerMember.member_id),
        PartnerMember.relationship_,
    ),
    _link(
        EdgeKind.MEMBER_SECTION,
        MemberSection,
        (MemberSection.member_id, MemberSection.section_id),
    ),
    _column(EdgeKind.MEMBER_REGION, (Member.id, Member.region_id)),
    _link(
        EdgeKind.INITIATIVE_FOCUS_AREA,
        InitiativeFocusArea,
        (InitiativeFocusArea.initiative_id, InitiativeFocusArea.focus_area_id),
    ),
    _link(
        EdgeKind.PARTNER_FOCUS_AREA,
        PartnerFocusArea,
        (PartnerFocusArea.partner_id, PartnerFocusArea.focus_area_id),
    ),
    _link(
        EdgeKind.INITIATIVE_OBJECTIVE,
        InitiativeObjective,
        (InitiativeObjective.initiative_id, InitiativeObjective.objective_id),
    ),
    _column(EdgeKind.OBJECTIVE_ACTION_PLAN, (Objective.id, Objective.action_plan_id)),
)


async def load_graph(
    connection: AsyncConnection, version: Any, rankings: Rankings | None = None
) -> NetworkGraph:
    """Read the whole network graph: one statement for the nodes, one per kind
    of edge. The rows arrive on the event loop, fetched in full; turning them
    into values (enums, JSON) and into the graph happens off it."""
    nodes = await connection.execute(_NODES)
    edges = [(source, await connection.execute(source.query)) for source in _EDGES]
    return await off_loop(_build, nodes, edges, version, rankings)


def _build(
    nodes: Iterable[Sequence[Any]],
    edges: list[tuple[_EdgeSource, Iterable[Sequence[Any]]]],
    version: Any,
    rankings: Rankings | None,
) -> NetworkGraph:
    labels: dict[NodeKey, str] = {}
    hidden: set[NodeKey] = set()
    for kind, pk, label, public in nodes:
        labels[(NodeType(kind), pk)] = label
        if not public:
            hidden.add((NodeType(kind), pk))
    graph: nx.Graph[NodeKey] = nx.Graph()
    graph.add_nodes_from(labels)
    for source, rows in edges:
        near, far = source.ends
        graph.add_edges_from(
            ((near, a), (far, b), {"facts": EdgeFacts(source.kind, *facts)})
            for a, b, *facts in rows
        )
    return NetworkGraph(graph, labels, version, frozenset(hidden), rankings=rankings)
