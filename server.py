"""The hub as an ASGI app: `create_app(settings)`, which puts the parts in
`app/` together, and what it runs at start-up.

Routes: /graphql (GraphQL over HTTP, by POST, or GET for queries; GraphiQL in a
browser, served from local assets; subscriptions over WebSocket with the
graphql-transport-ws protocol), the explorer at /explorer, /health, /ready,
/metrics, the exports, and a landing page at /.
Middleware, outermost first: the client's address from trusted proxies, request
ids and logs, metrics, CORS for the configured origins, gateway hops (a
gateway's key, and its end user's address), the request body limit, the
refusal of keys in URLs, authentication by API key, and the request budget of
callers without a partner or staff key.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

import explorer
import web
from app.anonymous_budget import AnonymousBudget
from app.authentication import Authentication
from app.body_limit import BodyLimit
from app.cors import cors
from app.gateway import GatewayHop
from app.hub import Hub
from app.keys_in_urls import KeysNotInURLs
from app.proxies import trusted_proxies
from app.routes import ROUTES
from app.schema_files import SCHEMA_ROUTES
from app.usage import USAGE_ROUTES
from app.view import HubGraphQL
from db.prepare import prepare_database
from logs import RequestLog
from metrics import RequestMetrics, metrics_endpoint
from schema import hub_subgraph
from settings import Settings

__all__ = ["create_app", "tune_gc"]

logger = logging.getLogger("metrohub")


# A request allocates tens of thousands of short-lived objects (result dicts,
# records, resolve infos): collecting the youngest generation every 700
# allocations, as by default, runs the collector many times per request over
# objects that are all still alive. Measured in bench/RESULTS.md.
GC_THRESHOLDS = (50_000, 50, 100)


def tune_gc() -> None:
    """Collect less often, and never scan what start-up made (the schema,
    the modules): they live as long as the process."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def ready_line(settings: Settings) -> str:
    """Where to open the hub, said once it is ready."""
    site = settings.public_url.removesuffix("/graphql")
    graphiql = " and GraphiQL" if settings.graphiql else ""
    return (
        f"Metropolis Hub is ready: the GraphQL API{graphiql} at {settings.public_url}, "
        f"the explorer at {site}{explorer.PATH}"
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    hub = Hub.build(settings)
    graphql = HubGraphQL(hub)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await prepare_database(settings, hub.database)
        # Composition runs in the background: the hub serves its own clients
        # whatever it finds.
        await hub.federation.start(hub_subgraph(settings.public_url))
        if hub.usage is not None:
            hub.usage.start()
        tune_gc()
        logger.info("%s", ready_line(settings))
        try:
            yield
        finally:
            await hub.close()

    app = Starlette(
        routes=[
            # First: nearly every request is for the API, and routes are tried in order.
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            *ROUTES,
            *USAGE_ROUTES,
            *SCHEMA_ROUTES,
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            *web.asset_routes(),
            *explorer.routes(),
        ],
        middleware=[
            # First, the client's address as the trusted proxies give it, for
            # the logs and the budgets.
            *trusted_proxies(settings.trusted_proxies),
            # Then every response gets its request id and is counted.
            Middleware(RequestLog),
            Middleware(RequestMetrics),
            # Then CORS, so that preflights get their answer and refusals their CORS headers.
            *cors(settings.cors_origins),
            # Before the body limit, which a gateway hop may pass once its key is live.
            Middleware(GatewayHop, hub=hub),
            Middleware(
                BodyLimit,
                max_bytes=settings.max_body_bytes,
                timeout_seconds=settings.body_timeout_seconds,
            ),
            Middleware(KeysNotInURLs),
            Middleware(Authentication, hub=hub),
            # After authentication, which tells the anonymous from the rest.
            Middleware(AnonymousBudget, hub=hub),
        ],
        lifespan=lifespan,
    )
    app.state.hub = hub
    return app
