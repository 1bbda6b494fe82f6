"""Prometheus metrics, served at /metrics in the text format.

One process keeps its figures in memory. Several (`metrohub serve --workers N`)
share them through files in `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's
multiprocess mode): any worker answers /metrics with the sum over all of them.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics import MetricWrapperBase
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ERRORS",
    "OPERATIONS",
    "OPERATION_SECONDS",
    "RATE_LIMITED",
    "RESPONSE_CACHE",
    "SUBSCRIPTIONS",
    "RequestMetrics",
    "labelled",
    "metrics_endpoint",
    "operation_label",
    "watch_engine",
]

Metric = TypeVar("Metric", bound=MetricWrapperBase)


def labelled(metric: Metric) -> Callable[..., Metric]:
    """`metric.labels`, remembered: the child for some label values is the same
    for the metric's life, and `labels()` checks its arguments and takes a lock
    to find it again on every request."""
    return functools.cache(metric.labels)


REQUESTS = Counter(
    "hub_http_requests", "HTTP requests answered, by route and status.", ["route", "status"]
)
REQUEST_SECONDS = Histogram(
    "hub_http_request_duration_seconds", "Time to answer an HTTP request, by route.", ["route"]
)
_requests = labelled(REQUESTS)
_request_seconds = labelled(REQUEST_SECONDS)
OPERATIONS = Counter(
    "hub_graphql_operations", "GraphQL operations run, by name and type.", ["operation", "type"]
)
OPERATION_SECONDS = Histogram(
    "hub_graphql_operation_duration_seconds",
    "Time to run a GraphQL operation, by operation name.",
    ["operation"],
)
ERRORS = Counter("hub_graphql_errors", "Errors in GraphQL responses, by code.", ["code"])
STATEMENTS = Histogram(
    "hub_sql_statements_per_request",
    "SQL statements one request to /graphql or /export sent.",
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144),
)
RATE_LIMITED = Counter(
    "hub_rate_limit_rejections",
    "Requests refused for a spent rate budget: requests (per address), "
    "failed_authentications (per address), points (per key).",
    ["budget"],
)
RESPONSE_CACHE = Counter(
    "hub_response_cache_lookups",
    "Anonymous queries looked up in the response cache: hit or miss.",
    ["outcome"],
)
POOL_IN_USE = Gauge(
    "hub_db_pool_connections_in_use",
    "Database connections checked out of the pool.",
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS = Gauge(
    "hub_subscriptions_active", "Live change subscriptions open.", multiprocess_mode="livesum"
)

# Statements sent so far by the current request (None outside one).
_STATEMENTS: ContextVar[list[int] | None] = ContextVar("statements", default=None)
# Routes by path prefix; anything else is "other" (a path label per URL would
# grow without bound).
ROUTES = ("/graphql", "/health", "/ready", "/metrics", "/export", "/assets")
# Operation names are the client's: a label for at most this many distinct ones.
MAX_OPERATION_NAMES = 200
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_operation_names: set[str] = set()


def operation_label(name: str | None) -> str:
    """The label of an operation: its name, "anonymous" without one, "other"
    once `MAX_OPERATION_NAMES` names are in use."""
    if not name or not _OPERATION_NAME.fullmatch(name):
        return "anonymous"
    if name not in _operation_names and len(_operation_names) >= MAX_OPERATION_NAMES:
        return "other"
    _operation_names.add(name)
    return name


def _route(path: str) -> str:
    if path == "/":
        return "/"
    return next((route for route in ROUTES if path.startswith(route)), "other")


def watch_engine(engine: AsyncEngine) -> None:
    """Count the engine's statements into the current request, and its pool's use."""
    sync_engine = engine.sync_engine

    def on_execute(*_args: Any) -> None:
        counter = _STATEMENTS.get()
        if counter is not None:
            counter[0] += 1

    event.listen(sync_engine, "before_cursor_execute", on_execute)
    event.listen(sync_engine.pool, "checkout", lambda *_: POOL_IN_USE.inc())
    event.listen(sync_engine.pool, "checkin", lambda *_: POOL_IN_USE.dec())


class RequestMetrics:
    """Counts HTTP requests and times them by route, and counts the SQL
    statements of each request to the API."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = _route(scope["path"])
        statements = [0]
        token = _STATEMENTS.set(statements)
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _STATEMENTS.reset(token)
            _requests(route, str(status)).inc()
            _request_seconds(route).observe(time.perf_counter() - started)
            if route in {"/graphql", "/export"}:
                STATEMENTS.observe(statements[0])


async def metrics_endpoint(_request: Request) -> Response:
    """GET /metrics: every metric in the Prometheus text format."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
