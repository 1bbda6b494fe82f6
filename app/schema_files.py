"""The schema as files over HTTP: the client schema for everyone, as SDL
(`/schema.graphql`) and as an introspection result (`/schema.json`, what
GraphiQL and introspecting tools read); the subgraph SDL (`/subgraph.graphql`)
for the gateway's key and staff keys, as `_service` (everyone in development)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from app.gateway import GATEWAY
from app.refusals import refusal
from engine.exposure import SUBGRAPH_REFUSAL, may_read_subgraph
from resolvers.access.keys import ANONYMOUS
from schema.printed import client_introspection, client_sdl, subgraph_file_sdl

__all__ = ["SCHEMA_ROUTES"]

# Revalidated on each use: the files change when the hub is upgraded.
HEADERS = {"Cache-Control": "no-cache"}


async def _client_schema(_request: Request) -> Response:
    return PlainTextResponse(client_sdl(), headers=HEADERS)


async def _client_introspection(_request: Request) -> Response:
    return JSONResponse({"data": client_introspection()}, headers=HEADERS)


async def _subgraph_schema(request: Request) -> Response:
    state = request.scope.get("state", {})
    principal, gateway = state.get("principal", ANONYMOUS), state.get(GATEWAY)
    if not (request.app.state.hub.settings.development or may_read_subgraph(principal, gateway)):
        return refusal(403, "FORBIDDEN", SUBGRAPH_REFUSAL, accept=request.headers.get("accept"))
    return PlainTextResponse(subgraph_file_sdl(), headers=HEADERS)


SCHEMA_ROUTES = [
    # POST too: graphql-tools' URL loader (GraphQL Code Generator, graphql-inspector,
    # graphql-config) posts to a schema URL ending in `.graphql` and reads SDL back.
    Route("/schema.graphql", _client_schema, methods=["GET", "HEAD", "POST"]),
    Route("/schema.json", _client_introspection, methods=["GET", "HEAD"]),
    Route("/subgraph.graphql", _subgraph_schema, methods=["GET", "HEAD"]),
]
