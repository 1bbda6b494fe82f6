"""The GraphQL view: Strawberry's ASGI app at /graphql, over HTTP and
WebSocket, with the hub's context, rules and response cache."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import OperationType
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

import web
from app.authentication import bearer_key
from app.gateway import GATEWAY
from app.graphql_http import (
    CSRF_REFUSAL,
    ERROR_CODES,
    check_json_body,
    forces_preflight,
    graphql_request,
    masked,
    request_error,
    unrunnable,
)
from app.hub import Hub
from app.media_types import GRAPHQL_RESPONSE, JSON, response_media_type
from app.persisted import PersistedDocuments, apq_miss
from app.refusals import refusal
from app.tabs import EXAMPLE_TABS
from engine.exposure import root_fields
from engine.limits import operation_named
from engine.usage import record_answered
from logs import request_id
from metrics import RATE_LIMITED, RESPONSE_CACHE, labelled
from resolvers.access.connections import Connections
from resolvers.access.keys import ANONYMOUS, AuthenticationError, authenticate
from resolvers.context import Context
from schema import parse_document, schema
from schema.sockets import TransportWS

__all__ = ["HubGraphQL"]

# A connection_ack without a payload.
NO_PAYLOAD = UnsetType()


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the hub's context, JSON encoder and GraphiQL page,
    held to the GraphQL-over-HTTP spec and the hub's rules:

    - answers in application/graphql-response+json when the client accepts it, with
      400 for requests that fail before execution (parsing, validation, variables)
      and no `data`; in application/json otherwise, with 200 for those; 406 when
      the client accepts neither;
    - POST takes only `application/json` (UTF-8), 415 otherwise;
    - GET runs queries only, 405 for mutations, and only with a header that
      browsers cannot forge cross-site (400 otherwise), see `forces_preflight`;
    - malformed requests get 400 and a GraphQL response naming what to fix.

    WebSocket connections are held to the caps of `connections` (schema/sockets.py).
    """

    graphql_transport_ws_handler_class = TransportWS

    def __init__(self, hub: Hub) -> None:
        settings = hub.settings
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            multipart_uploads_enabled=False,
            # Not the legacy subscriptions-transport-ws protocol.
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            max_subscriptions_per_connection=settings.max_subscriptions,
            connection_init_wait_timeout=timedelta(seconds=10),
            allowed_origins=settings.cors_origins,
        )
        self.hub = hub
        self.persisted = PersistedDocuments(hub.database)

    @property
    def connections(self) -> Connections:
        """The caps that `TransportWS` holds each connection to."""
        return self.hub.connections

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
            response = refusal(
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
        gateway = getattr(request.state, GATEWAY, None)
        hub = self.hub
        websocket = isinstance(request, WebSocket)
        return Context(
            hub,
            request,
            principal,
            request_id(),
            gateway=gateway,
            # A subscription's WebSocket has no response to put budget headers on.
            response=None if websocket else response,
            development=hub.settings.development,
            max_cost=hub.settings.max_cost,
            max_representations=hub.settings.max_representations,
            transport="websocket" if websocket else "http",
            compiled=hub.settings.compiled,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """Authenticates a WebSocket connection by the key in its `connection_init`
        payload (`{"authorization": "Bearer <key>"}`) or, failing that, in the
        handshake's Authorization header; an anonymous connection spends one
        request of its address's budget, a gateway key's of its own. A bad key
        or a spent budget closes the connection (4403); a key over its share of
        connections, with 4429. (Gateways do not carry subscriptions here:
        `Hub-Gateway-Key` means nothing on a WebSocket.)"""
        websocket: WebSocket = context.request
        params = context.connection_params or {}
        header = params.get("authorization", params.get("Authorization"))
        if header is None:
            header = websocket.headers.get("authorization")
        address = websocket.client.host if websocket.client else "unknown"
        if header is not None:
            try:
                context.principal = await authenticate(self.hub.database, bearer_key(str(header)))
            except AuthenticationError as error:
                # As over HTTP: a valid key is never refused for its address's failures.
                if not (await self.hub.budgets.failed(address)).allowed:
                    RATE_LIMITED.labels("failed_authentications").inc()
                raise ConnectionRejectionError from error
        if not context.principal.is_partner_or_staff:
            verdict = await self.hub.budgets.request(address, context.principal)
            if not verdict.allowed:
                RATE_LIMITED.labels("requests").inc()
                raise ConnectionRejectionError
        if context.principal.trusted_documents_only:
            # Subscriptions are not published documents: such a key has none to run.
            raise ConnectionRejectionError
        self.hub.connections.identify(websocket, context.principal)
        return NO_PAYLOAD

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Kept for `create_response`, which is not given the request.
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET that names a persisted document asks for its answer, not the page.
        params = request.query_params
        return (
            "documentId" not in params
            and "extensions" not in params
            and super().should_render_graphql_ide(request)
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(web.graphiql_page("/graphql", "/schema.json", EXAMPLE_TABS))

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if response_media_type(request.headers.get("accept")) is None:
            raise HTTPException(
                406, f"This endpoint answers in {GRAPHQL_RESPONSE} or {JSON}: accept one of them."
            )
        if request.method == "GET":
            if not forces_preflight(request.headers):
                raise HTTPException(400, CSRF_REFUSAL)
            # An empty parameter (`&variables=`) is an absent one.
            params = {
                name: value
                for name, value in self.parse_query_params(request.query_params).items()
                if value != ""
            }
            return graphql_request(params)
        check_json_body(request.content_type)
        return graphql_request(self.parse_json(await request.get_body()))

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        resolved = await self.persisted.resolve(request_data, context.principal)
        if isinstance(resolved, ExecutionResult):
            return resolved
        request_data = resolved
        if refused := unrunnable(request_data):
            return refused
        responses = self.hub.responses
        key = self._cache_key(context, request_data)
        if key is not None:
            assert responses is not None
            version = await responses.version()
            cached = responses.get(key, version)
            _cache_lookups("miss" if cached is None else "hit").inc()
            if cached is not None:
                record_answered(
                    context, schema, request_data.query or "", request_data.operation_name
                )
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
                return request_error(
                    "The document has no operation to run."
                    if cause.operation_name is None
                    else f"The document has no operation named {cause.operation_name!r}."
                )
            raise
        if key is not None and not result.errors and result.data is not None:
            assert responses is not None
            encoded = responses.put(key, version, result.data, result.extensions)
            return _encoded(encoded, result.extensions)
        return result

    def _cache_key(self, context: Context, request_data: GraphQLRequestData) -> Any:
        """The response cache's key for a query it may answer (see
        resolvers/responses.py), or None."""
        responses = self.hub.responses
        if responses is None or context.principal.is_authenticated:
            return None
        document = parse_document(request_data.query or "")
        operation = operation_named(document, request_data.operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        if not responses.worth_keeping(root_fields(document)):
            return None
        declared = (
            definition.variable.name.value for definition in operation.variable_definitions or ()
        )
        return responses.key(
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
            # application/json a client cannot tell a 4xx from a proxy's. (An APQ
            # miss is 200 under both, as Apollo's servers answer and clients expect.)
            status = 500 if masked(response_data) else 200 if apq_miss(response_data) else 400
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
