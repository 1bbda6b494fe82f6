"""The per-request context: who is asking, the request's loaders, the network
graph as the request sees it, and a reference to the process's services.

Built lazily: a request that touches no data opens no connection and creates
no loaders.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from db.engine import Database
from db.reader import Connect, Reader
from resolvers.access.budgets import Budgets
from resolvers.access.keys import ANONYMOUS, Principal
from resolvers.changes import ChangeFeed, ChangeSignal
from resolvers.graph import GraphCache, NetworkGraph
from resolvers.loaders import Loaders
from resolvers.usage import UsageRecorder

__all__ = ["Context", "Services", "Standalone"]


class Services(Protocol):
    """What every request shares with the rest of the process: the app's `Hub`
    (app/hub.py), or `Standalone` for the schema run outside the app."""

    @property
    def database(self) -> Database: ...

    # The process's network graph.
    @property
    def graphs(self) -> GraphCache | None: ...

    # Rate budgets by key and by address.
    @property
    def budgets(self) -> Budgets | None: ...

    # Wakes the change feed, which reads the audit log for every change stream
    # (see resolvers/changes.py).
    @property
    def changes(self) -> ChangeSignal | None: ...

    @property
    def feed(self) -> ChangeFeed | None: ...

    # Counts operations per client (see resolvers/usage/); None: usage is not recorded.
    @property
    def usage(self) -> UsageRecorder | None: ...


@dataclass(frozen=True, slots=True)
class Standalone:
    """The schema outside the app (exports, scripts): a database and no other service."""

    database: Database
    graphs: GraphCache | None = None
    budgets: Budgets | None = None
    changes: ChangeSignal | None = None
    feed: ChangeFeed | None = None
    usage: UsageRecorder | None = None


@dataclass
class Context:
    """A request's facts, and the services it shares with the process."""

    services: Services
    request: Any = None
    principal: Principal = field(default=ANONYMOUS)
    # Ties a request's log lines, masked errors and audit entries together.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The HTTP response to put the budget headers and status on.
    response: Any = None
    # The request's static cost in points, once measured, and the most it may be.
    cost: int = 0
    max_cost: int = 1000
    # The most federation representations the request may name (`_entities`).
    max_representations: int = 2000
    # Development mode shows the schema's shape to everyone (see engine/exposure.py);
    # contexts made outside an HTTP request (exports, tests) are trusted.
    development: bool = True
    # The fields the compiled path can plan run as direct code
    # (engine/execution.py); off (HUB_COMPILED_PATH=false), every field takes
    # the standard path.
    compiled: bool = True
    # The objects in the compiled path's answers, for the actual cost
    # (engine/cost.py); each run of the schema sets its own.
    counted: dict[int, tuple[Any, int]] = field(default_factory=dict)
    # How the request came: "http", or "websocket" (subscriptions).
    transport: str = "http"
    # What a WebSocket client sent in its `connection_init` message.
    connection_params: dict[str, Any] | None = None
    # What the engine works out once per document, kept with the document
    # that the request runs (engine/documents.py sets it when it parses).
    document_memo: dict[Any, Any] | None = None
    # The connection of the request's reads, while the schema runs it
    # (`schema.execute` opens and closes it); None: each batch takes its own.
    reader: Reader | None = None
    # The gateway whose hop this request is (app/gateway.py), for its end user
    # `principal`; None for a request that came straight to the hub.
    gateway: Principal | None = None

    @classmethod
    def standalone(cls, database: Database, **facts: Any) -> Context:
        """A context for running the schema outside the app, over `database` alone."""
        return cls(Standalone(database), **facts)

    @property
    def database(self) -> Database:
        return self.services.database

    @property
    def graphs(self) -> GraphCache | None:
        return self.services.graphs

    @property
    def budgets(self) -> Budgets | None:
        return self.services.budgets

    @property
    def changes(self) -> ChangeSignal | None:
        return self.services.changes

    def change_feed(self) -> ChangeFeed:
        feed = self.services.feed
        if feed is None:
            raise RuntimeError("this context has no change feed: the app's `Hub` has one")
        return feed

    @property
    def connect(self) -> Connect:
        """Lends a connection for one batch of reads: the request's, or a new one."""
        return self.reader.connect if self.reader is not None else self.database.engine.connect

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.database, self.principal, self.connect)

    @cached_property
    def graph(self) -> asyncio.Future[NetworkGraph]:
        """The network graph for this request, checked for changes once
        however many fields of the request need it."""
        if self.graphs is None:
            raise RuntimeError("this context has no graph cache: the app's `Hub` has one")
        return asyncio.ensure_future(self._visible_graph(self.graphs))

    async def _visible_graph(self, graphs: GraphCache) -> NetworkGraph:
        return (await graphs.current()).visible_to(self.principal)
