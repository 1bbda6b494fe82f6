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

What costs more than a few milliseconds on a large network runs in one thread
of its own, never on the event loop: building the graph from the rows
(0.6-1 s at 20,000 demo partners, after every write), the lists of every node
and edge (~1 s), and the walks of `neighbours` and `paths` (up to 0.1-0.2 s
each). One
thread, so that these take turns with the event loop for the GIL rather than
crowding it out. Centrality rankings are scored in a worker process
(`resolvers.centrality`).
"""

from __future__ import annotations

import asyncio
import bisect
import enum
import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

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
from resolvers.centrality import (
    BETWEENNESS_BUDGET,
    FIRST_WAIT_SECONDS,
    Centrality,
    Ranking,
    Rankings,
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
    "FIRST_WAIT_SECONDS",
    "GRAPH_THREAD",
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
    "RankedPage",
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

P = ParamSpec("P")
R = TypeVar("R")

# The graph's CPU work (see the module's docstring): one thread, for the process.
GRAPH_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph")


async def _off_loop(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(GRAPH_THREAD, functools.partial(work, *args, **kwargs))


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


@dataclass(slots=True)
class RankedPage(Page[Ranked]):
    """A page of a ranking, and when the data it ranks was read."""

    computed_at: datetime


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
    loaded; the lists of every node and edge are built on first use and kept.
    `rankings` are the process's centrality rankings (kept apart: they outlive
    a version of the data); `public` marks the view without drafts and
    archived records that `visible_to` gives."""

    def __init__(
        self,
        graph: nx.Graph[NodeKey],
        labels: dict[NodeKey, str],
        version: Any,
        hidden: frozenset[NodeKey] = frozenset(),
        *,
        rankings: Rankings | None = None,
        public: bool = False,
    ):
        self.graph = graph
        self.labels = labels
        self.version = version
        self.hidden = hidden
        self.rankings = rankings
        self.public = public
        self._public: NetworkGraph | None = None
        self._listing = asyncio.Lock()
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
            self._public = NetworkGraph(
                view, self.labels, self.version, rankings=self.rankings, public=True
            )
        return self._public

    def sort_key(self, key: NodeKey) -> tuple[str, str, int]:
        """How answers order nodes: by type, then name (title, text), then id."""
        return (key[0].value, self.labels[key], key[1])

    def hop(self, start: NodeKey, end: NodeKey) -> Hop:
        facts: EdgeFacts = self.graph.edges[start, end]["facts"]
        return Hop(start, end, facts)

    async def listed_edges(self) -> list[tuple[tuple[str, int, int], ListedEdge]]:
        """Every edge, from its kind's first end, by kind and the two ends'
        ids (the list's keyset order), with that key; built once per graph."""
        async with self._listing:
            if self._listed_edges is None:
                self._listed_edges = await _off_loop(self._list_edges)
            return self._listed_edges

    def _list_edges(self) -> list[tuple[tuple[str, int, int], ListedEdge]]:
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
        listed.sort(key=lambda pair: pair[0])
        return listed

    async def listed_nodes(self) -> list[tuple[tuple[str, str, int], Endpoint]]:
        """Every node by type, name and id, with that key; built once per graph."""
        async with self._listing:
            if self._listed_nodes is None:
                self._listed_nodes = await _off_loop(self._list_nodes)
            return self._listed_nodes

    def _list_nodes(self) -> list[tuple[tuple[str, str, int], Endpoint]]:
        listed = [(self.sort_key(key), Endpoint(key, self.labels[key])) for key in self.graph]
        listed.sort(key=lambda pair: pair[0])
        return listed

    async def ranking(self, metric: Centrality) -> tuple[Ranking, list[Any]]:
        """The last ranking by `metric` (see `resolvers.centrality`), and its
        order as this graph's viewers may see it: of the public graph unless
        this is the whole graph. Nodes not in this graph (deleted, or hidden
        since) are left for the caller to skip."""
        if self.rankings is None:
            raise RuntimeError("this graph has no rankings: load it through a GraphCache")
        ranking = await self.rankings.latest(metric, self.version)
        return ranking, ranking.public if self.public else ranking.every


async def load_graph(
    connection: AsyncConnection, version: Any, rankings: Rankings | None = None
) -> NetworkGraph:
    """Read the whole network graph: one statement for the nodes, one per kind
    of edge. The rows arrive on the event loop, fetched in full; turning them
    into values (enums, JSON) and into the graph happens off it."""
    nodes = await connection.execute(_NODES)
    edges = [(source, await connection.execute(source.query)) for source in _EDGES]
    return await _off_loop(_build, nodes, edges, version, rankings)


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

    The check and the load take separate locks: while one request waits for a
    reload (a second at 20,000 demo partners), others still check the version
    (the response cache does, for every anonymous request).

    It also keeps the process's centrality `rankings`, scored at most once
    every `centrality_seconds` (see `resolvers.centrality`).
    """

    def __init__(self, database: Database, *, centrality_seconds: float = 60) -> None:
        self._database = database
        self._watcher: AsyncConnection | None = None
        self._current: NetworkGraph | None = None
        self._checking = asyncio.Lock()
        self._loading = asyncio.Lock()
        self.rankings = Rankings(self.current, centrality_seconds)

    async def current(self) -> NetworkGraph:
        """The graph as the database holds it now (one statement to check)."""
        # The version is read before the graph: a write that lands between
        # the two is in the graph and only costs one reload more, never a
        # stale graph filed under a newer version.
        version = await self.data_version()
        async with self._loading:
            if self._current is None or self._current.version != version:
                async with self._database.engine.connect() as connection:
                    self._current = await load_graph(connection, version, self.rankings)
            return self._current

    async def data_version(self) -> int:
        """The database's data version now: it changes with every committed write."""
        async with self._checking:
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
        """Stop the rankings' worker and give the watcher connection back
        (before the engine is disposed)."""
        await self.rankings.close()
        async with self._checking:
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
    return await _off_loop(_neighbours, network, start, depth, types, args)


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
    return await _off_loop(_paths, network, start, end, max_length, limit)


def _paths(
    network: NetworkGraph, start: NodeKey, end: NodeKey, max_length: int, limit: int
) -> list[Path]:
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
