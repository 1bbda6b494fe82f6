"""The network graph's vocabulary: the kinds of node and edge, a node's key,
what an edge states, and an edge as a walk crosses it or a list names it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from db.models import Confidence, Origin
from resolvers.records import (
    ActionPlanRecord,
    FocusAreaRecord,
    InitiativeRecord,
    MemberRecord,
    ObjectiveRecord,
    PartnerRecord,
    RegionRecord,
    SectionRecord,
)

__all__ = [
    "ENDS",
    "NODE_TYPES",
    "RECORDS",
    "EdgeFacts",
    "EdgeKind",
    "Endpoint",
    "Hop",
    "ListedEdge",
    "NodeKey",
    "NodeType",
]


class NodeType(enum.StrEnum):
    """The kinds of node of the network graph (their order sorts answers)."""

    ACTION_PLAN = "action_plan"
    FOCUS_AREA = "focus_area"
    INITIATIVE = "initiative"
    MEMBER = "member"
    OBJECTIVE = "objective"
    PARTNER = "partner"
    REGION = "region"
    UCLG_SECTION = "uclg_section"


class EdgeKind(enum.StrEnum):
    """The kinds of edge: each names its two ends."""

    MEMBER_INITIATIVE = "member_initiative"
    PARTNER_INITIATIVE = "partner_initiative"
    PARTNER_MEMBER = "partner_member"
    MEMBER_SECTION = "member_section"
    MEMBER_REGION = "member_region"
    INITIATIVE_FOCUS_AREA = "initiative_focus_area"
    PARTNER_FOCUS_AREA = "partner_focus_area"
    INITIATIVE_OBJECTIVE = "initiative_objective"
    OBJECTIVE_ACTION_PLAN = "objective_action_plan"


# The two ends of an edge of each kind; the first comes first in the list of
# every edge (the member of `MEMBER_INITIATIVE`).
ENDS: dict[EdgeKind, tuple[NodeType, NodeType]] = {
    EdgeKind.MEMBER_INITIATIVE: (NodeType.MEMBER, NodeType.INITIATIVE),
    EdgeKind.PARTNER_INITIATIVE: (NodeType.PARTNER, NodeType.INITIATIVE),
    EdgeKind.PARTNER_MEMBER: (NodeType.PARTNER, NodeType.MEMBER),
    EdgeKind.MEMBER_SECTION: (NodeType.MEMBER, NodeType.UCLG_SECTION),
    EdgeKind.MEMBER_REGION: (NodeType.MEMBER, NodeType.REGION),
    EdgeKind.INITIATIVE_FOCUS_AREA: (NodeType.INITIATIVE, NodeType.FOCUS_AREA),
    EdgeKind.PARTNER_FOCUS_AREA: (NodeType.PARTNER, NodeType.FOCUS_AREA),
    EdgeKind.INITIATIVE_OBJECTIVE: (NodeType.INITIATIVE, NodeType.OBJECTIVE),
    EdgeKind.OBJECTIVE_ACTION_PLAN: (NodeType.OBJECTIVE, NodeType.ACTION_PLAN),
}

# A node of the graph: its type and its record's primary key.
NodeKey = tuple[NodeType, int]

RECORDS: dict[NodeType, type[Any]] = {
    NodeType.ACTION_PLAN: ActionPlanRecord,
    NodeType.FOCUS_AREA: FocusAreaRecord,
    NodeType.INITIATIVE: InitiativeRecord,
    NodeType.MEMBER: MemberRecord,
    NodeType.OBJECTIVE: ObjectiveRecord,
    NodeType.PARTNER: PartnerRecord,
    NodeType.REGION: RegionRecord,
    NodeType.UCLG_SECTION: SectionRecord,
}
NODE_TYPES: dict[type[Any], NodeType] = {record: kind for kind, record in RECORDS.items()}


@dataclass(frozen=True, slots=True)
class EdgeFacts:
    """What an edge states: its kind, the role or relationship where it has
    one, and its provenance (None for an edge that is a column of a node,
    such as a member's region, which has no provenance of its own)."""

    kind: EdgeKind
    role: str | None
    source_urls: list[str] | None
    confidence: Confidence | None
    origin: Origin | None


@dataclass(frozen=True, slots=True)
class Hop:
    """An edge as a walk crosses it, from `start` (the end nearer the walk's
    beginning) to `end`."""

    start: NodeKey
    end: NodeKey
    facts: EdgeFacts


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A node as the lists of every node and edge name it: its key and its label."""

    key: NodeKey
    label: str


@dataclass(slots=True)
class ListedEdge:
    """An edge in the list of every edge, crossed from its kind's first end
    (the member of `MEMBER_INITIATIVE`) to its second."""

    cursor: str
    hop: Hop
    source: Endpoint
    target: Endpoint
