"""The network graph in memory, and the questions asked of it: neighbourhoods,
shortest paths, collaborators, centrality rankings and the lists of every node
and every edge.

Every node (member, partner, initiative, UCLG section, region, focus area,
action plan, objective) and every edge (the link tables, a member's region,
an objective's action plan) is loaded into a NetworkX graph once per process
(`loading`): ids, a sort label per node and the edges' attributes, one SQL
statement for the nodes and one per kind of edge. `GraphCache` (`cache`) keeps
it and reloads it when the database has changed (`db.versions`). Answers name nodes by
`NodeKey` (`model`); the records behind them are read afterwards, in batch, by
the request's loaders.

What costs more than a few milliseconds on a large network runs in one thread
of its own (`thread`), never on the event loop: building the graph from the
rows (0.6-1 s at 20,000 demo partners, after every write), the lists of every
node and edge (~1 s, `listing`), and the walks of `neighbours` and `paths`
(up to 0.1-0.2 s each, `walks`). One thread, so that these take turns with the
event loop for the GIL rather than crowding it out. Centrality rankings are
scored in a worker process (`resolvers.centrality`) and answered from
(`ranking`).
"""

from resolvers.centrality import BETWEENNESS_BUDGET, FIRST_WAIT_SECONDS, Centrality
from resolvers.graph.cache import GraphCache
from resolvers.graph.collaboration import Collaborator, collaborators
from resolvers.graph.listing import network_edges, network_nodes
from resolvers.graph.loading import load_graph
from resolvers.graph.model import (
    NODE_TYPES,
    RECORDS,
    EdgeFacts,
    EdgeKind,
    Endpoint,
    Hop,
    ListedEdge,
    NodeKey,
    NodeType,
)
from resolvers.graph.network import NetworkGraph
from resolvers.graph.ranking import Ranked, RankedPage, most_connected
from resolvers.graph.thread import GRAPH_THREAD
from resolvers.graph.walks import (
    MAX_DEPTH,
    MAX_PATH_LENGTH,
    MAX_PATHS,
    MAX_VISITED,
    PATHS_SCANNED,
    Neighbour,
    Path,
    neighbours,
    paths,
)

__all__ = [
    "BETWEENNESS_BUDGET",
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
