"""The network graph as of one version of the data, and the view of it each
principal may see."""

from __future__ import annotations

import asyncio
from typing import Any

import networkx as nx

from resolvers.access.keys import Principal
from resolvers.centrality import Centrality, Ranking, Rankings
from resolvers.graph.model import ENDS, EdgeFacts, Endpoint, Hop, ListedEdge, NodeKey
from resolvers.graph.thread import off_loop

__all__ = ["NetworkGraph"]


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
                self._listed_edges = await off_loop(self._list_edges)
            return self._listed_edges

    def _list_edges(self) -> list[tuple[tuple[str, int, int], ListedEdge]]:
        listed: list[tuple[tuple[str, int, int], ListedEdge]] = []
        facts: EdgeFacts
        for a, b, facts in self.graph.edges(data="facts"):
            start, end = (a, b) if a[0] is ENDS[facts.kind][0] else (b, a)
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
                self._listed_nodes = await off_loop(self._list_nodes)
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
