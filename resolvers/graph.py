"""The network graph in memory, and the questions asked of it: neighbourhoods,
shortest paths, collaborators, centrality rankings and the lists of every node
and every edge.

Every node (member, partner, initiative, UCLG section, region, focus area,
action plan, objective) and every edge (the link tables, a member's region,
an objective's action plan) is loaded into a NetworkX graph once per process:
ids, a sort label per node and the edges' attributes, one SQL statement for
the nodes and one per kind of edge. `GraphCache` keeps it and reloads it when
the database has changed. Answers name nodes by `NodeKey`; the records behind
them are read afterwards, in batch, by the request's loaders.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy import Select, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database
from db.models import (
    ActionPlan,
    Confidence,
    FocusArea,
    Initiative,
    InitiativeFocusArea,
    InitiativeObjective,
    Member,
    MemberInitiative,
    MemberSection,
    Objective,
    Origin,
    Partner,
    PartnerFocusArea,
    PartnerInitiative,
    PartnerMember,
    Publication,
    Region,
    UclgSection,
)
from resolvers.errors import UserInputError
from resolvers.keys import Principal
from resolvers.pagination import Edge, Page, PageArgs, page_of, page_of_sorted
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
    "BETWEENNESS_BUDGET",
    "DATA_VERSION_CHECKS",
    "MAX_DEPTH",
    "MAX_PATHS",
    "MAX_PATH_LENGTH",
    "MAX_VISITED",
    "NODE_TYPES",
    "PATHS_SCANNED",
    "RECORDS",
    "Centrality",
    "Collaborator",
    "EdgeFacts",
    "EdgeKind",
    "Endpoint",
    "GraphCache",
    "Hop",
    "ListedEdge",
    "Neighbour",
    "NetworkGraph",
    "NodeKey",
    "NodeType",
    "Path",
    "Ranked",
    "collaborators",
    "load_graph",
    "most_connected",
    "neighbours",
    "network_edges",
    "network_nodes",
    "paths",
]

MAX_DEPTH = 3
MAX_VISITED = 10_000
MAX_PATH_LENGTH = 6
MAX_PATHS = 10
# Equally short paths looked at before the `limit` first (by the names along
# them) are returned: enough for any pair in the data, and a bound otherwise.
PATHS_SCANNED = 1_000
# Exact betweenness (Brandes) costs one breadth-first search per node: O(V·E)
# steps in pure Python. That is instant on the reference data (157 nodes,
# 227 edges: 0.03 s) but takes 55-65 s on `metrohub seed --demo 3000` (3,457
# nodes, 12,675 edges). Past BETWEENNESS_BUDGET node·edge steps it is estimated
# from k = BETWEENNESS_BUDGET // E sampled source nodes (networkx's `k=`, with a
# fixed seed, so one graph always gets the same scores). At demo 3000 that is
# 118 sources and 1.7-2.1 s; the scores are within 0.042 of the exact ones and
# the six top nodes (the focus areas) are the same, but where scores are tiny
# (members, ~0.001 at that scale) the order is rough.
BETWEENNESS_BUDGET = 1_500_000
BETWEENNESS_SEED = 1985


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


class Centrality(enum.StrEnum):
    """How `most_connected` scores nodes."""

    DEGREE = "degree"
    BETWEENNESS = "betweenness"


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


@dataclass(slots=True)
class Collaborator:
    """A member that shares initiatives with another."""

    cursor: str
    member_id: int
    initiative_ids: list[int]

    @property
    def shared_count(self) -> int:
        return len(self.initiative_ids)


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


@dataclass(slots=True)
class Ranked:
    """A node's place in a centrality ranking."""

    cursor: str
    target: NodeKey
    score: float
    rank: int


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
    """Where the edges of one kind are read: the two ends' ids, then the role
    and the provenance columns (null where the edge has none)."""

    kind: EdgeKind
    ends: tuple[NodeType, NodeType]
    query: Select[Any]


def _link(
    kind: EdgeKind,
    ends: tuple[NodeType, NodeType],
    link: Any,
    ids: tuple[Any, Any],
    role: Any = None,
) -> _EdgeSource:
    columns = (role if role is not None else null(), link.source_urls, link.confidence, link.origin)
    return _EdgeSource(kind, ends, select(*ids, *columns))


def _column(kind: EdgeKind, ends: tuple[NodeType, NodeType], ids: tuple[Any, Any]) -> _EdgeSource:
    return _EdgeSource(kind, ends, select(*ids, null(), null(), null(), null()))


_EDGES = (
    _link(
        EdgeKind.MEMBER_INITIATIVE,
        (NodeType.MEMBER, NodeType.INITIATIVE),
        MemberInitiative,
        (MemberInitiative.member_id, MemberInitiative.initiative_id),
        MemberInitiative.role,
    ),
    _link(
        EdgeKind.PARTNER_INITIATIVE,
        (NodeType.PARTNER, NodeType.INITIATIVE),
        PartnerInitiative,
        (PartnerInitiative.partner_id, PartnerInitiative.initiative_id),
        PartnerInitiative.role,
    ),
    _link(
        EdgeKind.PARTNER_MEMBER,
        (NodeType.PARTNER, NodeType.MEMBER),
        PartnerMember,
        (PartnerMember.partner_id, PartnerMember.member_id),
        PartnerMember.relationship_,
    ),
    _link(
        EdgeKind.MEMBER_SECTION,
        (NodeType.MEMBER, NodeType.UCLG_SECTION),
        MemberSection,
        (MemberSection.member_id, MemberSection.section_id),
    ),
    _column(
        EdgeKind.MEMBER_REGION, (NodeType.MEMBER, NodeType.REGION), (Member.id, Member.region_id)
    ),
    _link(
        EdgeKind.INITIATIVE_FOCUS_AREA,
        (NodeType.INITIATIVE, NodeType.FOCUS_AREA),
        InitiativeFocusArea,
        (InitiativeFocusArea.initiative_id, InitiativeFocusArea.focus_area_id),
    ),
    _link(
        EdgeKind.PARTNER_FOCUS_AREA,
        (NodeType.PARTNER, NodeType.FOCUS_AREA),
        PartnerFocusArea,
        (PartnerFocusArea.partner_id, PartnerFocusArea.focus_area_id),
    ),
    _link(
        EdgeKind.INITIATIVE_OBJECTIVE,
        (NodeType.INITIATIVE, NodeType.OBJECTIVE),
        InitiativeObjective,
        (InitiativeObjective.initiative_id, InitiativeObjective.objective_id),
    ),
    _column(
        EdgeKind.OBJECTIVE_ACTION_PLAN,
        (NodeType.OBJECTIVE, NodeType.ACTION_PLAN),
        (Objective.id, Objective.action_plan_id),
    ),
)


# Which end of an edge of each kind comes first in the list of every edge.
_ENDS: dict[EdgeKind, tuple[NodeType, NodeType]] = {source.kind: source.ends for source in _EDGES}


class NetworkGraph:
    """The network graph as of one version of the data. Never changed once
    loaded; its centrality scores are computed on first use and kept."""

    def __init__(
        self,
        graph: nx.Graph[NodeKey],
        labels: dict[NodeKey, str],
        version: Any,
        hidden: frozenset[NodeKey] = frozenset(),
    ):
        self.graph = graph
        self.labels = labels
        self.version = version
        self.hidden = hidden
        self._public: NetworkGraph | None = None
        self._scores: dict[Centrality, dict[NodeKey, float]] = {}
        self._orders: dict[Centrality, list[NodeKey]] = {}
        self._scoring = {metric: asyncio.Lock() for metric in Centrality}
        self._listed_edges: list[tuple[tuple[str, int, int], ListedEdge]] | None = None
        self._listed_nodes: list[tuple[tuple[str, str, int], Endpoint]] | None = None

    def __contains__(self, key: NodeKey) -> bool:
        return key in self.graph

    def visible_to(self, principal: Principal) -> NetworkGraph:
        """The graph as `principal` may see it: without drafts and archived
        records (and their edges) unless staff. Built once per graph."""
        if principal.is_staff or not self.hidden:
            return self
        if self._public is None:
            hidden = self.hidden
            view = nx.subgraph_view(self.graph, filter_node=lambda key: key not in hidden)
            self._public = NetworkGraph(view, self.labels, self.version)
        return self._public

    def sort_key(self, key: NodeKey) -> tuple[str, str, int]:
        """How answers order nodes: by type, then name (title, text), then id."""
        return (key[0].value, self.labels[key], key[1])

    def hop(self, start: NodeKey, end: NodeKey) -> Hop:
        facts: EdgeFacts = self.graph.edges[start, end]["facts"]
        return Hop(start, end, facts)

    def listed_edges(self) -> list[tuple[tuple[str, int, int], ListedEdge]]:
        """Every edge, from its kind's first end, by kind and the two ends'
        ids (the list's keyset order), with that key; built once per graph."""
        if self._listed_edges is None:
            listed: list[tuple[tuple[str, int, int], ListedEdge]] = []
            facts: EdgeFacts
            for a, b, facts in self.graph.edges(data="facts"):
                start, end = (a, b) if a[0] is _ENDS[facts.kind][0] else (b, a)
                source, target = (
                    Endpoint(start, self.labels[start]),
                    Endpoint(end, self.labels[end]),
                )
                item = ListedEdge("", Hop(start, end, facts), source, target)
                listed.append(((facts.kind.value, start[1], end[1]), item))
            self._listed_edges = sorted(listed, key=lambda pair: pair[0])
        return self._listed_edges

    def listed_nodes(self) -> list[tuple[tuple[str, str, int], Endpoint]]:
        """Every node by type, name and id, with that key; built once per graph."""
        if self._listed_nodes is None:
            listed = [(self.sort_key(key), Endpoint(key, self.labels[key])) for key in self.graph]
            self._listed_nodes = sorted(listed, key=lambda pair: pair[0])
        return self._listed_nodes

    async def ranking(self, metric: Centrality, types: frozenset[NodeType] | None) -> list[Ranked]:
        """The nodes of `types` (all when None) by score under `metric`, best
        first, then by type and name; equal scores share a rank (1, 2, 2, 4).
        The scores and their order are computed once per graph."""
        async with self._scoring[metric]:
            scores = self._scores.get(metric)
            if scores is None:
                # Off the event loop: betweenness takes up to a second or two.
                scores = await asyncio.to_thread(self._score, metric)
                self._orders[metric] = sorted(
                    scores, key=lambda key: (-scores[key], *self.sort_key(key))
                )
                self._scores[metric] = scores
        ranked: list[Ranked] = []
        for key in self._orders[metric]:
            if types is None or key[0] in types:
                score = scores[key]
                tied = bool(ranked) and ranked[-1].score == score
                ranked.append(Ranked("", key, score, ranked[-1].rank if tied else len(ranked) + 1))
        return ranked

    def _score(self, metric: Centrality) -> dict[NodeKey, float]:
        if metric is Centrality.DEGREE:
            return {key: float(degree) for key, degree in self.graph.degree()}
        nodes, edges = self.graph.number_of_nodes(), self.graph.number_of_edges()
        sampled = nodes * edges > BETWEENNESS_BUDGET
        k = max(1, BETWEENNESS_BUDGET // edges) if sampled else None
        scores: dict[NodeKey, float] = nx.betweenness_centrality(
            self.graph, k=k, normalized=True, seed=BETWEENNESS_SEED if sampled else None
        )
        return scores


async def load_graph(connection: AsyncConnection, version: Any) -> NetworkGraph:
    """Read the whole network graph: one statement for the nodes, one per kind of edge."""
    labels: dict[NodeKey, str] = {}
    hidden: set[NodeKey] = set()
    for kind, pk, label, public in await connection.execute(_NODES):
        labels[(NodeType(kind), pk)] = label
        if not public:
            hidden.add((NodeType(kind), pk))
    graph: nx.Graph[NodeKey] = nx.Graph()
    graph.add_nodes_from(labels)
    for source in _EDGES:
        near, far = source.ends
        rows = await connection.execute(source.query)
        graph.add_edges_from(
            ((near, a), (far, b), {"facts": EdgeFacts(source.kind, *facts)})
            for a, b, *facts in rows
        )
    return NetworkGraph(graph, labels, version, frozenset(hidden))


# The statement that reads the data version: on SQLite, on PostgreSQL.
DATA_VERSION_CHECKS = ("PRAGMA data_version", "SELECT value FROM data_version")


class GraphCache:
    """The process's network graph: loaded on first use, reloaded when the
    database has changed since.

    The change check is SQLite's `PRAGMA data_version`, on a connection kept for
    that alone. Its value changes whenever another connection (in this process
    or any other) commits a change to the database, and never otherwise; but
    it is per connection, so values read on different pooled connections are
    not comparable: hence the one watcher connection, which never writes. One
    statement, no table read, and every write counts, updates and deletes
    included (unlike a `count(*)`/`max(rowid)` token, which misses updates and
    a delete followed by an insert that reuses the rowid). A write to a table
    outside the graph reloads it too: writes are rare, and a reload is cheap.

    On PostgreSQL the check reads the one-row `data_version` table that every
    transaction writing to a graph table counts up as it commits (migration
    0006): the same guarantees, for every process on the database.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._watcher: AsyncConnection | None = None
        self._current: NetworkGraph | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> NetworkGraph:
        """The graph as the database holds it now (one statement to check)."""
        async with self._lock:
            # The version is read before the graph: a write that lands between
            # the two is in the graph and only costs one reload more, never a
            # stale graph filed under a newer version.
            version = await self._data_version()
            if self._current is None or self._current.version != version:
                async with self._database.engine.connect() as connection:
                    self._current = await load_graph(connection, version)
            return self._current

    async def data_version(self) -> int:
        """The database's data version now: it changes with every committed write."""
        async with self._lock:
            return await self._data_version()

    async def _data_version(self) -> int:
        if self._watcher is None:
            self._watcher = await self._database.engine.connect()
        check = DATA_VERSION_CHECKS[self._watcher.dialect.name == "postgresql"]
        version: int = (await self._watcher.exec_driver_sql(check)).scalar_one()
        # End the read transaction, so that the next check sees new commits.
        await self._watcher.rollback()
        return version

    async def close(self) -> None:
        """Give the watcher connection back (before the engine is disposed)."""
        async with self._lock:
            if self._watcher is not None:
                await self._watcher.close()
                self._watcher = None


def _require_depth(depth: int) -> None:
    if not 1 <= depth <= MAX_DEPTH:
        raise UserInputError(
            f"`depth` must be between 1 and {MAX_DEPTH}, got {depth}: ask for fewer hops, "
            "and ask a neighbour for its own `neighbours` to go further.",
            code="INVALID_DEPTH",
        )


def neighbours(
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


def paths(
    network: NetworkGraph, start: NodeKey, end: NodeKey, max_length: int, limit: int
) -> list[Path]:
    """Up to `limit` shortest paths from `start` to `end`, ordered by the names
    along them; none when they are not connected or only by paths longer than
    `max_length` edges. From a node to itself: one path of length 0."""
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
    try:
        # Searching from both ends stops where they meet: cheaper than
        # all_shortest_paths' full search when the nodes are too far apart.
        shortest = nx.bidirectional_shortest_path(network.graph, start, end)
    except nx.NetworkXNoPath:
        return []
    if len(shortest) - 1 > max_length:
        return []
    found = itertools.islice(nx.all_shortest_paths(network.graph, start, end), PATHS_SCANNED)
    chosen = sorted(found, key=lambda keys: [network.sort_key(key) for key in keys])[:limit]
    return [Path(keys, [network.hop(a, b) for a, b in itertools.pairwise(keys)]) for keys in chosen]


def collaborators(network: NetworkGraph, member_id: int, args: PageArgs) -> Page[Collaborator]:
    """The members that share initiatives with a member, most shared first,
    then by name; each with the shared initiatives by title."""
    start: NodeKey = (NodeType.MEMBER, member_id)
    if start not in network:
        return Page.empty(after=args.after is not None)
    adjacent = network.graph.adj
    shared: dict[NodeKey, list[NodeKey]] = {}
    for initiative in adjacent[start]:
        if initiative[0] is NodeType.INITIATIVE:
            for other in adjacent[initiative]:
                if other[0] is NodeType.MEMBER and other != start:
                    shared.setdefault(other, []).append(initiative)
    found = [
        Collaborator("", other[1], [key[1] for key in sorted(keys, key=network.sort_key)])
        for other, keys in shared.items()
    ]
    return page_of(
        found,
        lambda item: (
            -item.shared_count,
            network.labels[(NodeType.MEMBER, item.member_id)],
            item.member_id,
        ),
        args,
        lambda item, cursor: Collaborator(cursor, item.member_id, item.initiative_ids),
    )


async def most_connected(
    network: NetworkGraph,
    metric: Centrality,
    types: frozenset[NodeType] | None,
    args: PageArgs,
) -> Page[Ranked]:
    """Nodes of `types` (all when None) ranked by `metric`, best first."""
    return page_of(
        await network.ranking(metric, types),
        lambda item: (-item.score, *network.sort_key(item.target)),
        args,
        lambda item, cursor: Ranked(cursor, item.target, item.score, item.rank),
    )


def network_nodes(
    network: NetworkGraph, types: frozenset[NodeType] | None, args: PageArgs
) -> Page[Edge[Endpoint]]:
    """Every node of `types` (all when None), by type, name and id."""
    listed = network.listed_nodes()
    if types is not None:
        listed = [pair for pair in listed if pair[1].key[0] in types]
    return page_of_sorted(listed, args, lambda item, cursor: Edge(cursor, item))


def network_edges(
    network: NetworkGraph, kinds: frozenset[EdgeKind] | None, args: PageArgs
) -> Page[ListedEdge]:
    """The edges of `kinds` (all when None), by kind and the ids of their ends."""
    listed = network.listed_edges()
    if kinds is not None:
        listed = [pair for pair in listed if pair[1].hop.facts.kind in kinds]
    return page_of_sorted(
        listed,
        args,
        lambda item, cursor: ListedEdge(cursor, item.hop, item.source, item.target),
    )
