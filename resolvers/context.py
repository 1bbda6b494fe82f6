"""The per-request context: who is asking, the request's loaders, and the
network graph as the request sees it.

Built lazily: a request that touches no data opens no connection and creates
no loaders.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from db.engine import Database
from resolvers.access.budgets import Budgets
from resolvers.access.keys import ANONYMOUS, Principal
from resolvers.changes import ChangeFeed, ChangeSignal
from resolvers.graph import GraphCache, NetworkGraph
from resolvers.loaders import Loaders

__all__ = ["Context"]


@dataclass
class Context:
    database: Database
    request: Any = None
    principal: Principal = field(default=ANONYMOUS)
    # Ties a request's log lines, masked errors and audit entries together.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The process's network graph; the app creates one and closes it.
    graphs: GraphCache | None = None
    # Rate budgets, and the HTTP response to put their headers and status on.
    budgets: Budgets | None = None
    response: Any = None
    # The request's static cost in points, once measured, and the most it may be.
    cost: int = 0
    max_cost: int = 1000
    # Development mode shows the schema's shape to everyone (see engine/exposure.py);
    # contexts made outside an HTTP request (exports, tests) are trusted.
    development: bool = True
    # Plain attribute subtrees run as direct code (engine/execution.py); off
    # (HUB_FAST_PATH=false), every field takes graphql-core's standard path.
    fast_path: bool = True
    # Wakes the change feed, which reads the audit log for every change stream
    # (see resolvers/changes.py); the app creates both.
    changes: ChangeSignal | None = None
    feed: ChangeFeed | None = None
    # How the request came: "http", or "websocket" (subscriptions).
    transport: str = "http"
    # What a WebSocket client sent in its `connection_init` message.
    connection_params: dict[str, Any] | None = None
    # What the engine works out once per document, kept with the document
    # that the request runs (engine/documents.py sets it when it parses).
    document_memo: dict[Any, Any] | None = None
    # The gateway whose hop this request is (app/gateway.py), for its end user
    # `principal`; None for a request that came straight to the hub.
    gateway: Principal | None = None

    def change_feed(self) -> ChangeFeed:
        if self.feed is None:
            raise RuntimeError("this context has no change feed: pass `feed=`")
        return self.feed

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.database, self.principal)

    @cached_property
    def graph(self) -> asyncio.Future[NetworkGraph]:
        """The network graph for this request, checked for changes once
        however many fields of the request need it."""
        if self.graphs is None:
            raise RuntimeError("this context has no graph cache: pass `graphs=`")
        return asyncio.ensure_future(self._visible_graph(self.graphs))

    async def _visible_graph(self, graphs: GraphCache) -> NetworkGraph:
        return (await graphs.current()).visible_to(self.principal)
