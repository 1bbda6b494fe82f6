"""The hub as an ASGI app: `create_app(settings)`.

Routes: POST /graphql (GraphQL over HTTP, JSON), GET /graphql (GraphiQL in a
browser, served from local assets), /health, and a landing page at /.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

import web
from db.engine import Database
from db.migrate import upgrade
from db.models import Region
from db.seed import seed_reference
from exports import EXPORTS, ExportError, geojson, partners_file
from resolvers.budgets import Budgets, Verdict
from resolvers.context import Context
from resolvers.graph import GraphCache
from resolvers.imports import FileFormat
from resolvers.keys import ANONYMOUS, PREFIX, AuthenticationError, authenticate
from schema import schema
from settings import Settings

__all__ = ["create_app"]

logger = logging.getLogger("metrohub")

EXAMPLE_OPERATIONS = """\
# Welcome to Metropolis Hub: the network graph of Metropolis.
# Press the run button (or Ctrl-Enter) and pick an operation.

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

# The partner directory, a page at a time: pass pageInfo.endCursor as `after`.
query PartnerDirectory($after: String) {
  partners(first: 10, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name kind sector description provenance { sources confidence } } }
  }
}
"""

LANDING_PAGE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Metropolis Hub</title></head>
<body>
<h1>Metropolis Hub</h1>
<p>The GraphQL federation hub of the Metropolis network: member governments, their
regions and UCLG sections, partner organisations and the initiatives they run together.</p>
<ul>
<li><a href="/graphql">GraphiQL</a>: explore and try the API in your browser.</li>
<li><code>POST /graphql</code>: the GraphQL endpoint (JSON).</li>
<li><a href="/health">/health</a>: whether the service is up.</li>
</ul>
</body>
</html>
"""


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with the hub's context, JSON encoder and GraphiQL page."""

    def __init__(
        self, database: Database, graphs: GraphCache, budgets: Budgets, *, graphiql: bool
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            multipart_uploads_enabled=False,
        )
        self.database = database
        self.graphs = graphs
        self.budgets = budgets

    async def get_context(self, request: Request, response: object) -> Context:  # type: ignore[override]
        principal = getattr(request.state, "principal", ANONYMOUS)
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        return Context(
            self.database,
            request,
            principal,
            request_id,
            self.graphs,
            budgets=self.budgets,
            response=response,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(web.graphiql_page("/graphql", EXAMPLE_OPERATIONS))

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


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
        if any(
            name.lower() in KEY_PARAMETERS or value.startswith(PREFIX)
            for name, value in request.query_params.multi_items()
        ):
            response = _error(
                400,
                "BAD_REQUEST",
                "API keys are not accepted in the URL: send `Authorization: Bearer <key>`.",
            )
            await response(scope, receive, send)
            return
        budgeted = scope["path"].startswith(BUDGETED_PATHS)
        address = request.client.host if request.client else "unknown"
        principal = ANONYMOUS
        header = request.headers.get("authorization")
        if header is not None:
            if budgeted and not await self.budgets.failures_left(address):
                verdict = await self.budgets.failed(address)
                await _too_many(verdict, "failed authentications")(scope, receive, send)
                return
            scheme, _, key = header.partition(" ")
            try:
                if scheme.lower() != "bearer" or not key.strip():
                    raise AuthenticationError("use `Authorization: Bearer <key>` to send a key.")
                principal = await authenticate(self.database, key.strip())
            except AuthenticationError as error:
                if budgeted:
                    await self.budgets.failed(address)
                await _error(401, "UNAUTHENTICATED", str(error))(scope, receive, send)
                return
        scope.setdefault("state", {})["principal"] = principal
        if not budgeted or principal.is_authenticated:
            await self.app(scope, receive, send)
            return
        verdict = await self.budgets.request(address)
        if not verdict.allowed:
            await _too_many(verdict, "requests")(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send, verdict.headers()))


# Requests that spend a budget (not the landing page, health or static files).
BUDGETED_PATHS = ("/graphql", "/export")


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


def _too_many(verdict: Verdict, what: str) -> Response:
    response = _error(
        429,
        "RATE_LIMITED",
        f"Too many {what} from this address: at most {verdict.limit} per window. "
        f"Try again in {verdict.retry_after} s, or use an API key.",
    )
    response.headers.update(verdict.headers())
    return response


def _error(status: int, code: str, message: str) -> Response:
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
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
        where = (
            orjson.loads(request.query_params["where"]) if "where" in request.query_params else None
        )
    except orjson.JSONDecodeError as error:
        return JSONResponse(
            {"errors": [{"message": f"`where` is not valid JSON: {error}."}]}, status_code=400
        )
    try:
        collection = await geojson(request.app.state.database, name, where)
    except ExportError as error:
        return JSONResponse(
            {"errors": [{"message": message} for message in error.messages]}, status_code=400
        )
    return Response(orjson.dumps(collection), media_type="application/geo+json")


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
    try:
        where = (
            orjson.loads(request.query_params["where"]) if "where" in request.query_params else None
        )
    except orjson.JSONDecodeError as error:
        return _error(400, "BAD_REQUEST", f"`where` is not valid JSON: {error}.")
    file_format = FileFormat(extension)
    try:
        content = await partners_file(request.app.state.database, principal, file_format, where)
    except ExportError as error:
        return JSONResponse(
            {"errors": [{"message": message} for message in error.messages]}, status_code=400
        )
    return Response(
        content,
        media_type=FILE_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="partners.{extension}"'},
    )


async def _health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _landing(_request: Request) -> Response:
    return HTMLResponse(LANDING_PAGE)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    database = Database(settings.database_url)
    graphs = GraphCache(database)
    budgets = Budgets(
        settings.redis_url,
        partner=settings.partner_budget,
        anonymous=settings.anonymous_budget,
        failed_authentication=settings.failed_auth_budget,
        namespace=settings.budget_namespace,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await prepare_database(settings, database)
        try:
            yield
        finally:
            await graphs.close()
            await database.dispose()

    app = Starlette(
        routes=[
            Route("/", _landing, methods=["GET"]),
            Route("/health", _health, methods=["GET"]),
            Route("/export/{name}.geojson", _export, methods=["GET"]),
            Route("/export/partners.{format}", _partners_file, methods=["GET"]),
            Route("/graphql", HubGraphQL(database, graphs, budgets, graphiql=settings.graphiql)),
            *web.asset_routes(),
        ],
        middleware=[Middleware(Authentication, database=database, budgets=budgets)],
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.graphs = graphs
    app.state.settings = settings
    return app
