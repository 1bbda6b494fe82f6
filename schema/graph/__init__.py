"""The network graph: every node's neighbourhood, shortest paths between
nodes, a member's collaborators, the most connected nodes and the lists of
every node and every edge.

The answers come from the in-memory graph (`resolvers.graph`), as node keys;
the records behind them are read in batch by the request's loaders, so a
request costs a fixed number of SQL statements whatever its size. Node types
get `neighbours` from the `Connected` base, `Member` gets `collaborators` from
`Collaborating`, and `Query` gets `path`, `mostConnected`, `networkNodes` and
`networkEdges` from `GraphQuery`; the last two read no record at all.

`answers` holds the types the answers come as, `fields` the fields that ask.
"""

from schema.graph.answers import (
    CentralityMetric,
    CollaboratorConnection,
    GraphEdge,
    GraphEdgeKind,
    GraphPath,
    NeighbourConnection,
    NetworkEdge,
    NetworkEdgeConnection,
    NetworkNode,
    NetworkNodeConnection,
    NodeType,
    RankedNodeConnection,
)
from schema.graph.fields import Collaborating, Connected, GraphQuery

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
