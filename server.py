"""The hub as an ASGI app: `create_app(settings)`.

Routes: /graphql (GraphQL over HTTP, by POST, or GET for queries; GraphiQL in a
browser, served from local assets; subscriptions over WebSocket with the
graphql-transport-ws protocol), the explorer at /explorer, /health, /ready,
/metrics, and a landing page at /.
Middleware: request ids and logs, metrics, CORS for the configured origins, the
request body limit, and authentication by API key.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import mimeparse
import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationDefinitionNode, OperationType
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import explorer
import web
from db.engine import Database
from db.migrate import head_revision, upgrade
from db.models import Region
from db.seed import seed_reference
from exports import EXPORTS, EXPORTS_AT_ONCE, ExportError, geojson, partners_file
from logs import RequestLog, request_id
from metrics import (
    RATE_LIMITED,
    RESPONSE_CACHE,
    RequestMetrics,
    labelled,
    metrics_endpoint,
    watch_engine,
)
from resolvers.budgets import Budgets, Verdict
from resolvers.changes import ChangeFeed, ChangeSignal, change_signal
from resolvers.connections import Connections
from resolvers.context import Context
from resolvers.graph import GraphCache
from resolvers.imports import FileFormat
from resolvers.keys import ANONYMOUS, PREFIX, AuthenticationError, authenticate
from resolvers.responses import ResponseCache
from schema import parse_document, schema
from schema.arguments import json_nesting
from schema.exposure import root_fields
from schema.limits import LIMITS, operation_named
from schema.sockets import TransportWS
from settings import Settings

__all__ = ["create_app"]

logger = logging.getLogger("metrohub")

# The playground's example operations, a tab for each kind of user.
EXAMPLE_TABS = [
    web.Tab(
        """\
# Welcome to Metropolis Hub: the network graph of Metropolis.
# Each tab is an example; press the run button (or Ctrl-Enter).

# A partner app's relationship query: members of a region, with the
# initiatives they take part in and the partners in each.
query MembersWithInitiatives {
  regions(first: 4) {
    edges {
      node {
        name
        members(first: 5) {
          totalCount
          edges {
            node {
              name
              country
              initiatives(first: 5) {
                edges {
                  role
                  node {
                    title
                    period
                    partners(first: 5) { edges { role node { name kind } } }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""
    ),
    web.Tab(
        """\
# A partner app's directory, a page at a time: pass pageInfo.endCursor as `after`.
query PartnerDirectory($after: String) {
  partners(first: 10, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name kind sector description provenance { sources confidence } } }
  }
}
""",
        '{"after": null}',
    ),
    web.Tab(
        """\
# Search, as the explorer does: ranked hits with highlighted snippets, and
# facet counts to narrow them (add `regions`, `partnerKinds`, `dimensions`...).
query Search($query: String!, $types: [SearchType!]) {
  search(query: $query, types: $types, first: 10) {
    totalCount
    edges {
      snippet { text matches { start end } }
      node {
        __typename
        ... on Member { id name countryName }
        ... on Partner { id name kind }
        ... on Initiative { id title period }
      }
    }
    facets {
      types { value count }
      regions { count region { name } }
      dimensions { value count }
    }
  }
}
""",
        '{"query": "climate", "types": null}',
    ),
    web.Tab(
        """\
# How two members are connected: the shortest paths between them in the
# network graph (shared initiatives, partners, sections, regions). The IDs are
# Berlin and Accra in the reference data; find others with the Search tab.
query Path($from: ID!, $to: ID!) {
  path(from: $from, to: $to, maxLength: 4, limit: 3) {
    length
    nodes {
      __typename
      id
      ... on Member { name }
      ... on Partner { name }
      ... on Initiative { title }
      ... on UclgSection { name }
      ... on Region { name }
    }
    edges { kind role }
  }
}
""",
        '{"from": "TWVtYmVyOjIw", "to": "TWVtYmVyOjEz"}',
    ),
]

LANDING_PAGE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Metropolis Hub</title></head>
<body>
<h1>Metropolis Hub</h1>
<p>The GraphQL federation hub of the Metropolis network: member governments, their
regions and UCLG sections, partner organisations and the initiatives they run together.</p>
<ul>
<li><a href="/explorer">Explorer</a>: search, see and curate the network (for staff).</li>
<li><a href="/graphql">GraphiQL</a>: explore and try the API in your browser.</li>
<li><code>POST /graphql</code>: the GraphQL endpoint (JSON).</li>
<li><code>ws://&hellip;/graphql</code>: live changes, as GraphQL subscriptions
(graphql-transport-ws).</li>
<li><a href="/health">/health</a>: whether the service is up;
<a href="/ready">/ready</a>: whether it can serve (database reachable and migrated).</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics.</li>
</ul>
</body>
</html>
"""


GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# What /graphql answers in, least preferred first: on a tie (`*/*`, `application/*`)
# the last wins, so clients that name neither type get the legacy application/json.
RESPONSE_MEDIA_TYPES = [GRAPHQL_RESPONSE, JSON]
# The content types a browser sends cross-site without asking first (no CORS
# preflight): a form or a script on any site can post them with the user's session.
SIMPLE_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
# Headers that make a browser ask first; clients put one on GET requests (Apollo's names).
PREFLIGHT_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight")
# A connection_ack without a payload.
NO_PAYLOAD = UnsetType()
ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
CSRF_REFUSAL = (
    "GET requests need a header that browsers cannot send cross-site without asking "
    "(CSRF prevention): `apollo-require-preflight: true`, `x-apollo-operation-name`, or a "
    "`content-type` other than application/x-www-form-urlencoded, multipart/form-data and "
    "text/plain. Or POST the request as JSON."
)


# Clients send few distinct Accept headers, and matching one takes microseconds.
@functools.lru_cache(maxsize=256)
def response_media_type(accept: str | None) -> str | None:
    """The media type to answer a request in, by its Accept header: the one the
    client prefers of application/graphql-response+json and application/json,
    application/json when it says nothing, None when it accepts neither."""
    if accept is None or not accept.strip():
        return JSON
    try:
        return str(mimeparse.best_match(RESPONSE_MEDIA_TYPES, accept.lower())) or None
    except mimeparse.MimeTypeParseException:
        return None


# Clients send few distinct Content-Types too.
@functools.lru_cache(maxsize=256)
def _content_type(value: str) -> tuple[str, Mapping[str, str]] | None:
    """`type/subtype` and parameters of a Content-Type, None when it does not parse."""
    try:
        kind, subtype, parameters = mimeparse.parse_mime_type(value.lower())
    except mimeparse.MimeTypeParseException:
        return None
    return f"{kind}/{subtype}", dict(parameters)


def _forces_preflight(headers: Mapping[str, str]) -> bool:
    """Whether a browser would have asked the hub (CORS preflight) before sending this
    request from another site: Apollo Server's CSRF prevention rule."""
    content_type = headers.get("content-type")
    if content_type is not None:
        parsed = _content_type(content_type)
        if parsed is None or parsed[0] not in SIMPLE_CONTENT_TYPES:
            return True
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)


def _check_json_body(content_type: str | None) -> None:
    """POST bodies are JSON in UTF-8; anything else is refused with 415."""
    parsed = _content_type(content_type) if content_type else None
    if parsed is not None and parsed[0] == JSON:
        charset = parsed[1].get("charset", "utf-8")
        if charset.replace("-", "") == "utf8":
            return
        raise HTTPException(415, f"Send the JSON body in UTF-8, not {charset}.")
    if parsed is not None and parsed[0] in SIMPLE_CONTENT_TYPES:
        raise HTTPException(
            415,
            f"{parsed[0]} bodies are refused, since any site can make a browser post them: "
            "send the request as JSON with `Content-Type: application/json`.",
        )
    raise HTTPException(415, "Send the request as JSON with `Content-Type: application/json`.")


def _request_data(params: object) -> GraphQLRequestData:
    """The GraphQL request in a JSON body or the query string, with each field's type checked."""
    if not isinstance(params, dict):
        raise HTTPException(
            400,
            "The body must be one JSON object: "
            '{"query": "...", "variables": {...}, "operationName": "...", "extensions": {...}}.',
        )
    query = params.get("query")
    if query is None:
        raise HTTPException(400, "Send the GraphQL document in `query`.")
    if not isinstance(query, str):
        raise HTTPException(400, "`query` must be a string holding the GraphQL document.")
    operation_name = params.get("operationName")
    if not isinstance(operation_name, str | None):
        raise HTTPException(400, "`operationName` must be a string or null.")
    variables = params.get("variables")
    extensions = params.get("extensions")
    for name, value in (("variables", variables), ("extensions", extensions)):
        if not isinstance(value, dict | None):
            raise HTTPException(400, f"`{name}` must be a JSON object or null.")
        # Before anything walks it by recursion (the response cache's key, graphql-core).
        if json_nesting(value, LIMITS.max_json_depth) > LIMITS.max_json_depth:
            raise HTTPException(
                400,
                f"`{name}` nests objects and lists more than {LIMITS.max_json_depth} levels "
                "deep (counting itself); send a flatter value.",
            )
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=operation_name, extensions=extensions
    )


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the hub's context, JSON encoder and GraphiQL page,
    held to the GraphQL-over-HTTP spec and the hub's rules:

    - answers in application/graphql-response+json when the client accepts it, with
      400 for requests that fail before execution (parsing, validation, variables)
      and no `data`; in application/json otherwise, with 200 for those; 406 when
      the client accepts neither;
    - POST takes only `application/json` (UTF-8), 415 otherwise;
    - GET runs queries only, 405 for mutations, and only with a header that
      browsers cannot forge cross-site (400 otherwise), see `_forces_preflight`;
    - malformed requests get 400 and a GraphQL response naming what to fix.

    WebSocket connections are held to the caps of `connections` (schema/sockets.py).
    """

    graphql_transport_ws_handler_class = TransportWS

    def __init__(
        self,
        database: Database,
        graphs: GraphCache,
        budgets: Budgets,
        changes: ChangeSignal,
        feed: ChangeFeed,
        connections: Connections,
        *,
        graphiql: bool,
        development: bool,
        max_cost: int,
        max_subscriptions: int,
        origins: tuple[str, ...] = (),
        fast_path: bool = True,
        responses: ResponseCache | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            multipart_uploads_enabled=False,
            # Not the legacy subscriptions-transport-ws protocol.
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            max_subscriptions_per_connection=max_subscriptions,
            connection_init_wait_timeout=timedelta(seconds=10),
            allowed_origins=origins,
        )
        self.database = database
        self.graphs = graphs
        self.budgets = budgets
        self.changes = changes
        self.feed = feed
        self.connections = connections
        self.development = development
        self.max_cost = max_cost
        self.fast_path = fast_path
        self.responses = responses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        response: Response
        try:
            response = await self.run(request)
        except ClientDisconnect:
            # The client left before its request arrived: no one to answer.
            return
        except HTTPException as error:
            # Strawberry answers these in plain text; a GraphQL client expects a GraphQL response.
            allow = {"Allow": "POST" if request.method == "GET" else "GET, POST"}
            response = _error(
                error.status_code,
                ERROR_CODES.get(error.status_code, "BAD_REQUEST"),
                error.reason,
                accept=request.headers.get("accept"),
                headers=allow if error.status_code == 405 else None,
            )
        await response(scope, receive, send)

    async def get_context(self, request: Request, response: object) -> Context:  # type: ignore[override]
        # WebSocket connections authenticate in `on_ws_connect`.
        principal = getattr(request.state, "principal", ANONYMOUS)
        return Context(
            self.database,
            request,
            principal,
            request_id(),
            self.graphs,
            budgets=self.budgets,
            # A subscription's WebSocket has no response to put budget headers on.
            response=None if isinstance(request, WebSocket) else response,
            development=self.development,
            max_cost=self.max_cost,
            changes=self.changes,
            feed=self.feed,
            transport="websocket" if isinstance(request, WebSocket) else "http",
            fast_path=self.fast_path,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """Authenticates a WebSocket connection by the key in its `connection_init`
        payload (`{"authorization": "Bearer <key>"}`) or, failing that, in the
        handshake's Authorization header; an anonymous connection spends one
        request of its address's budget. A bad key or a spent budget closes the
        connection (4403); a key over its share of connections, with 4429."""
        websocket: WebSocket = context.request
        params = context.connection_params or {}
        header = params.get("authorization", params.get("Authorization"))
        if header is None:
            header = websocket.headers.get("authorization")
        address = websocket.client.host if websocket.client else "unknown"
        if header is None:
            verdict = await self.budgets.request(address)
            if not verdict.allowed:
                RATE_LIMITED.labels("requests").inc()
                raise ConnectionRejectionError
            return NO_PAYLOAD
        try:
            context.principal = await authenticate(self.database, _bearer_key(str(header)))
        except AuthenticationError as error:
            # As over HTTP: a valid key is never refused for its address's failures.
            if not (await self.budgets.failed(address)).allowed:
                RATE_LIMITED.labels("failed_authentications").inc()
            raise ConnectionRejectionError from error
        self.connections.identify(websocket, context.principal)
        return NO_PAYLOAD

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Kept for `create_response`, which is not given the request.
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(web.graphiql_page("/graphql", EXAMPLE_TABS))

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if response_media_type(request.headers.get("accept")) is None:
            raise HTTPException(
                406, f"This endpoint answers in {GRAPHQL_RESPONSE} or {JSON}: accept one of them."
            )
        if request.method == "GET":
            if not _forces_preflight(request.headers):
                raise HTTPException(400, CSRF_REFUSAL)
            # An empty parameter (`&variables=`) is an absent one.
            params = {
                name: value
                for name, value in self.parse_query_params(request.query_params).items()
                if value != ""
            }
            return _request_data(params)
        _check_json_body(request.content_type)
        return _request_data(self.parse_json(await request.get_body()))

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        if unrunnable := _unrunnable(request_data):
            return unrunnable
        key = self._cache_key(context, request_data)
        if key is not None:
            assert self.responses is not None
            version = await self.responses.version()
            cached = self.responses.get(key, version)
            _cache_lookups("miss" if cached is None else "hit").inc()
            if cached is not None:
                return _encoded(cached.data, cached.extensions)
        try:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as error:
            # Strawberry answers both with a bare 400.
            cause = error.__cause__
            if isinstance(cause, InvalidOperationTypeError) and request_adapter.method == "GET":
                raise HTTPException(
                    405,
                    "Mutations are not run from GET requests (a link or an image could "
                    "trigger them): POST the request as JSON.",
                ) from cause
            if isinstance(cause, CannotGetOperationTypeError):
                return _request_error(
                    "The document has no operation to run."
                    if cause.operation_name is None
                    else f"The document has no operation named {cause.operation_name!r}."
                )
            raise
        if key is not None and not result.errors and result.data is not None:
            assert self.responses is not None
            encoded = self.responses.put(key, version, result.data, result.extensions)
            return _encoded(encoded, result.extensions)
        return result

    def _cache_key(self, context: Context, request_data: GraphQLRequestData) -> Any:
        """The response cache's key for a query it may answer (see
        resolvers/responses.py), or None."""
        if self.responses is None or context.principal.is_authenticated:
            return None
        document = parse_document(request_data.query or "")
        operation = operation_named(document, request_data.operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        if not self.responses.worth_keeping(root_fields(document)):
            return None
        declared = (
            definition.variable.name.value for definition in operation.variable_definitions or ()
        )
        return self.responses.key(
            request_data.query or "", request_data.operation_name, request_data.variables, declared
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = process_result(result)
        # A request that failed before execution (parsing, validation, variables) has
        # no `data` entry (GraphQL spec, "Response"); any error during execution has a path.
        if result.data is None and result.errors and not any(e.path for e in result.errors):
            del response["data"]
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = sub_response.media_type or JSON
        status = sub_response.status_code or 200
        if (
            media_type == GRAPHQL_RESPONSE
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            # Only this media type may say a request failed by its status: under
            # application/json a client cannot tell a 4xx from a proxy's.
            status = 500 if _masked(response_data) else 400
        response = Response(
            # Bytes as orjson makes them, not text to be encoded again (`encode_json`).
            orjson.dumps(response_data),
            status_code=status,
            media_type=media_type,
            background=sub_response.background,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    def encode_json(self, data: object) -> str:
        # Text, not bytes: graphql-transport-ws messages travel in text frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)


_cache_lookups = labelled(RESPONSE_CACHE)


def _encoded(data: bytes, extensions: dict[str, Any] | None) -> ExecutionResult:
    """A result whose `data` is already JSON: orjson writes it out as it is."""
    fragment: Any = orjson.Fragment(data)
    return ExecutionResult(data=fragment, errors=None, extensions=extensions)


def _unrunnable(request_data: GraphQLRequestData) -> ExecutionResult | None:
    """The request errors that parsing the document shows (through the schema's
    parser cache, so Strawberry parses it no more): a syntax error, which Strawberry
    would report without a code, or several operations and no `operationName`, where
    Strawberry would run the first and GraphQL's GetOperation() refuses."""
    try:
        document = parse_document(request_data.query or "")
    except GraphQLError as error:
        # A limit's refusal keeps its own code (`QUERY_TOO_LARGE`).
        error.extensions = {"code": "GRAPHQL_PARSE_FAILED", **(error.extensions or {})}
        return ExecutionResult(data=None, errors=[error])
    operations = sum(isinstance(node, OperationDefinitionNode) for node in document.definitions)
    if request_data.operation_name is None and operations > 1:
        return _request_error(
            "The document has several operations: name the one to run in `operationName`."
        )
    return None


def _request_error(message: str) -> ExecutionResult:
    """The request error of GetOperation(): a GraphQL response without `data`, so 200
    under application/json and 400 under application/graphql-response+json."""
    error = GraphQLError(message, extensions={"code": "OPERATION_RESOLUTION_FAILURE"})
    return ExecutionResult(data=None, errors=[error])


def _masked(response: GraphQLHTTPResponse) -> bool:
    """Whether an error is the hub's own fault (see schema/errors.py), not the request's."""
    errors: list[Any] = response.get("errors") or []
    return any(
        isinstance(error, dict)
        and (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
        for error in errors
    )


# Query parameters that look like a credential: keys never travel in URLs
# (they end up in logs, proxies and browser history).
KEY_PARAMETERS = {"api_key", "apikey", "key", "access_token", "token"}


class Authentication:
    """Reads `Authorization: Bearer <key>` and puts the principal it stands for
    in the request's state; refuses bad keys with 401 and keys in URLs with 400."""

    def __init__(self, app: ASGIApp, database: Database, budgets: Budgets) -> None:
        self.app = app
        self.database = database
        self.budgets = budgets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if scope["query_string"] and any(
            name.lower() in KEY_PARAMETERS or value.startswith(PREFIX)
            for name, value in request.query_params.multi_items()
        ):
            response = _error(
                400,
                "BAD_REQUEST",
                "API keys are not accepted in the URL: send `Authorization: Bearer <key>`.",
                accept=request.headers.get("accept"),
            )
            await response(scope, receive, send)
            return
        address = request.client.host if request.client else "unknown"
        principal = ANONYMOUS
        header = request.headers.get("authorization")
        if header is not None:
            try:
                principal = await authenticate(self.database, _bearer_key(header))
            except AuthenticationError as error:
                # Counted on every route that reads a key; a valid key is never
                # refused for its address's failures (a proxy's, or a neighbour's).
                verdict = await self.budgets.failed(address)
                response = (
                    _too_many(verdict, "failed authentications", request)
                    if not verdict.allowed
                    else _error(
                        401, "UNAUTHENTICATED", str(error), accept=request.headers.get("accept")
                    )
                )
                await response(scope, receive, send)
                return
        scope.setdefault("state", {})["principal"] = principal
        if principal.is_authenticated or not scope["path"].startswith(BUDGETED_PATHS):
            await self.app(scope, receive, send)
            return
        verdict = await self.budgets.request(address)
        if not verdict.allowed:
            await _too_many(verdict, "requests", request)(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send, verdict.headers()))


def _bearer_key(header: str) -> str:
    """The key in an `Authorization: Bearer <key>` header's value."""
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AuthenticationError("use `Authorization: Bearer <key>` to send a key.")
    return key.strip()


# Requests that spend a budget (not the landing page, health or static files).
BUDGETED_PATHS = ("/graphql", "/export")


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


def _too_many(verdict: Verdict, what: str, request: Request) -> Response:
    RATE_LIMITED.labels(what.replace(" ", "_")).inc()
    response = _error(
        429,
        "RATE_LIMITED",
        f"Too many {what} from this address: at most {verdict.limit} per window. "
        f"Try again in {verdict.retry_after} s, or use an API key.",
        accept=request.headers.get("accept"),
    )
    response.headers.update(verdict.headers())
    return response


def _error(
    status: int,
    code: str,
    message: str,
    *,
    accept: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A request refused before GraphQL ran: a GraphQL response with `errors` and no
    `data`, in the media type the client accepts."""
    extra = dict(headers or {})
    if status == 401:
        extra["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return Response(
        orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}),
        status_code=status,
        media_type=response_media_type(accept) or JSON,
        headers=extra,
    )


class _BodyTooLargeError(Exception):
    pass


class _BodyTooSlowError(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over `max_bytes` with 413 before anything parses them:
    at once by their Content-Length, and by counting a streamed (chunked) body as
    it arrives; and bodies that have not all arrived `timeout_seconds` after the
    request head with 408 (and the connection closed), so that a client cannot
    hold a request open by sending its body slowly. Starlette's own limit
    answers in plain text; clients here expect a GraphQL response."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float = 30) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refusal(headers)(scope, receive, send)
            return
        received = 0
        body_complete = False
        response_started = False
        deadline = asyncio.get_running_loop().time() + self.timeout_seconds

        async def counting_receive() -> Message:
            nonlocal received, body_complete
            if body_complete:  # what follows is `http.disconnect`, whenever it comes
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _BodyTooSlowError from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLargeError
                body_complete = not message.get("more_body", False)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _BodyTooLargeError:
            if response_started:
                raise
            await self._refusal(headers)(scope, receive, send)
        except _BodyTooSlowError:
            if response_started:
                raise
            await self._too_slow(headers)(scope, receive, send)

    def _too_slow(self, headers: Headers) -> Response:
        return _error(
            408,
            "REQUEST_TIMEOUT",
            f"The request body did not arrive within {self.timeout_seconds:g} s: "
            "send it at once, or check the Content-Length you declared.",
            accept=headers.get("accept"),
            # The rest of the body may still come: the connection cannot be reused.
            headers={"Connection": "close"},
        )

    def _refusal(self, headers: Headers) -> Response:
        return _error(
            413,
            "PAYLOAD_TOO_LARGE",
            f"The request body is larger than {self.max_bytes} bytes, the most this hub "
            "takes: send a smaller document or fewer variables.",
            accept=headers.get("accept"),
        )


async def prepare_database(settings: Settings, database: Database) -> None:
    """Create and migrate the database, and seed it with the reference data on
    first run (when it holds no regions yet)."""
    if settings.auto_migrate:
        await upgrade(settings.database_url)
    if settings.auto_seed and not await _has_reference_data(database):
        report = await seed_reference(database)
        for line in report.lines():
            logger.info("seed: %s", line)
    if settings.auto_migrate:
        # Planner statistics (SQLite and PostgreSQL alike): without them SQLite
        # reads an initiative's partners by walking every published partner.
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")


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


async def _has_reference_data(database: Database) -> bool:
    async with database.engine.connect() as connection:
        count = (await connection.execute(select(func.count()).select_from(Region))).scalar_one()
    return bool(count)


async def _export(request: Request) -> Response:
    """GET /export/{list}.geojson?where=<MemberWhere or PartnerWhere as JSON>"""
    name = request.path_params["name"]
    if name not in EXPORTS:
        return JSONResponse(
            {"errors": [{"message": f"there is no {name!r} export: use members or partners."}]},
            status_code=404,
        )
    try:
        async with request.app.state.export_turns:
            collection = await geojson(request.app.state.database, name, _where(request))
    except ExportError as error:
        return _refused(error)
    return Response(orjson.dumps(collection), media_type="application/geo+json")


def _where(request: Request) -> Any:
    """The `where` query parameter of an export: a filter input as JSON."""
    text = request.query_params.get("where")
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ExportError([f"`where` is not valid JSON: {error}."]) from error


def _refused(error: ExportError) -> Response:
    return JSONResponse(
        {"errors": [{"message": m, "extensions": {"code": "BAD_REQUEST"}} for m in error.messages]},
        status_code=400,
    )


FILE_TYPES = {FileFormat.CSV: "text/csv", FileFormat.JSON: "application/json"}


async def _partners_file(request: Request) -> Response:
    """GET /export/partners.csv or .json?where=<PartnerWhere as JSON>: the file
    `metrohub import partners` reads. Staff keys only: it is a curation tool
    with every partner's contact details in one file (and, for staff, drafts
    and archived records); partner keys read partners through /graphql."""
    extension = request.path_params["format"]
    if extension not in FILE_TYPES:
        return _error(
            404, "NOT_FOUND", f"there is no partners.{extension[:20]} export: use csv or json."
        )
    principal = getattr(request.state, "principal", ANONYMOUS)
    if not principal.is_authenticated:
        response = _error(
            401,
            "UNAUTHENTICATED",
            "partner files are for staff keys: send `Authorization: Bearer <key>`.",
        )
        # No key was sent, so there is no token error to name (RFC 6750, 3.1).
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if not principal.is_staff:
        return _error(
            403,
            "FORBIDDEN",
            "partner files hold every partner's contact details: they are for staff keys only. "
            "Partner keys read partners through /graphql.",
        )
    file_format = FileFormat(extension)
    try:
        database = request.app.state.database
        content = await partners_file(database, principal, file_format, _where(request))
    except ExportError as error:
        return _refused(error)
    return Response(
        content,
        media_type=FILE_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="partners.{extension}"'},
    )


async def _health(_request: Request) -> Response:
    """GET /health: the process is up (it says nothing of the database)."""
    return JSONResponse({"status": "ok"})


async def _ready(request: Request) -> Response:
    """GET /ready: the hub can serve: its database answers and is migrated to
    the head revision. 503 with the reason otherwise."""
    database: Database = request.app.state.database
    head = head_revision()
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            try:
                current = (
                    await connection.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar()
            except SQLAlchemyError:
                current = None  # no version table: never migrated
    except (SQLAlchemyError, OSError) as error:
        logger.warning("not ready: the database does not answer", exc_info=error)
        return JSONResponse(
            {"status": "unavailable", "reason": "the database does not answer"}, status_code=503
        )
    if current != head:
        return JSONResponse(
            {
                "status": "unavailable",
                "reason": f"the database is at revision {current}, not {head}: "
                "run `metrohub migrate`",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ready", "revision": current})


async def _landing(_request: Request) -> Response:
    return HTMLResponse(LANDING_PAGE)


def _cors(origins: tuple[str, ...]) -> list[Middleware]:
    """CORS for pages on `origins`, none at all when there are none. No credentials:
    keys travel in the Authorization header, which the allowed headers list."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id", *PREFLIGHT_HEADERS],
            max_age=600,
        )
    ]


def _proxies(trusted: tuple[str, ...]) -> list[Middleware]:
    """The client's address and scheme from `X-Forwarded-For` and `-Proto`, when the
    peer is one of the `trusted` proxies (uvicorn's middleware: it takes the
    rightmost address that no trusted proxy added); none at all when none are."""
    if not trusted:
        return []
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted))]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    database = Database(settings.database_url, synchronous=settings.sqlite_synchronous)
    graphs = GraphCache(database, centrality_seconds=settings.centrality_seconds)
    budgets = Budgets(
        settings.redis_url,
        partner=settings.partner_budget,
        anonymous=settings.anonymous_budget,
        failed_authentication=settings.failed_auth_budget,
        namespace=settings.budget_namespace,
    )
    changes = change_signal(
        settings.redis_url, settings.budget_namespace, settings.changes_poll_seconds
    )
    feed = ChangeFeed(database, changes)
    connections = Connections(
        database,
        total=settings.max_websockets,
        per_address=settings.max_websockets_per_address,
        per_key=settings.max_websockets_per_key,
        key_check_seconds=settings.key_check_seconds,
    )
    watch_engine(database.engine)

    responses = (
        ResponseCache(
            graphs, settings.response_cache_mb * 1024 * 1024, settings.response_cache_entries
        )
        if settings.response_cache_mb and settings.response_cache_entries
        else None
    )
    graphql = HubGraphQL(
        database,
        graphs,
        budgets,
        changes,
        feed,
        connections,
        graphiql=settings.graphiql,
        development=settings.development,
        max_cost=settings.max_cost,
        max_subscriptions=settings.max_subscriptions,
        origins=settings.cors_origins,
        fast_path=settings.fast_path,
        responses=responses,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await prepare_database(settings, database)
        tune_gc()
        try:
            yield
        finally:
            await connections.close()
            await feed.close()
            await changes.close()
            await graphs.close()
            await database.dispose()

    app = Starlette(
        routes=[
            # First: nearly every request is for the API, and routes are tried in order.
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            Route("/", _landing, methods=["GET"]),
            Route("/health", _health, methods=["GET"]),
            Route("/ready", _ready, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            Route("/export/{name}.geojson", _export, methods=["GET"]),
            Route("/export/partners.{format}", _partners_file, methods=["GET"]),
            *web.asset_routes(),
            *explorer.routes(),
        ],
        middleware=[
            # First, the client's address as the trusted proxies give it, for
            # the logs and the budgets.
            *_proxies(settings.trusted_proxies),
            # Then every response gets its request id and is counted.
            Middleware(RequestLog),
            Middleware(RequestMetrics),
            # Then CORS, so that preflights get their answer and refusals their CORS headers.
            *_cors(settings.cors_origins),
            Middleware(
                BodyLimit,
                max_bytes=settings.max_body_bytes,
                timeout_seconds=settings.body_timeout_seconds,
            ),
            Middleware(Authentication, database=database, budgets=budgets),
        ],
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.export_turns = asyncio.Semaphore(EXPORTS_AT_ONCE)
    app.state.graphs = graphs
    app.state.responses = responses
    app.state.settings = settings
    return app
