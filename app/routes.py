"""The routes besides /graphql, the explorer and the static assets: the GeoJSON
and record-file exports, /health, /ready and the landing page."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from app.hub import Hub
from app.refusals import refusal
from db.migrate import head_revision
from exports import EXPORTS, ExportError, geojson, records_file
from resolvers.access.keys import ANONYMOUS
from resolvers.imports import KINDS, FileFormat

__all__ = ["ROUTES"]

logger = logging.getLogger("metrohub")

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
<li><a href="/schema.graphql">/schema.graphql</a>: the schema partner apps query, for
code generators and linters (<a href="/schema.json">as an introspection result</a>).</li>
<li><code>ws://&hellip;/graphql</code>: live changes, as GraphQL subscriptions
(graphql-transport-ws).</li>
<li><a href="/health">/health</a>: whether the service is up;
<a href="/ready">/ready</a>: whether it can serve (database reachable and migrated).</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics.</li>
</ul>
</body>
</html>
"""


async def _export(request: Request) -> Response:
    """GET /export/{list}.geojson?where=<MemberWhere or PartnerWhere as JSON>"""
    name = request.path_params["name"]
    if name not in EXPORTS:
        return JSONResponse(
            {"errors": [{"message": f"there is no {name!r} export: use members or partners."}]},
            status_code=404,
        )
    try:
        hub = _hub(request)
        async with hub.export_turns:
            collection = await geojson(hub.database, name, _where(request))
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


async def _records_file(request: Request) -> Response:
    """GET /export/{list}.csv or .json?where=<PartnerWhere, MemberWhere or
    InitiativeWhere as JSON> (links: no filter): the file `metrohub import
    {list}` reads. Staff keys only: it is a curation tool with drafts and
    archived records, and in partner files every partner's contact details;
    partner keys read the network through /graphql."""
    name, extension = request.path_params["list"], request.path_params["format"]
    if name not in KINDS or extension not in FILE_TYPES:
        return refusal(
            404,
            "NOT_FOUND",
            f"there is no {name[:20]}.{extension[:20]} export: use "
            f"{', '.join(KINDS)} with csv or json.",
        )
    noun = KINDS[name].noun
    principal = getattr(request.state, "principal", ANONYMOUS)
    if not principal.is_authenticated:
        response = refusal(
            401,
            "UNAUTHENTICATED",
            f"{noun} files are for staff keys: send `Authorization: Bearer <key>`.",
        )
        # No key was sent, so there is no token error to name (RFC 6750, 3.1).
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if not principal.is_staff:
        held = (
            "every partner's contact details"
            if name == "partners"
            else "drafts and archived records"
        )
        return refusal(
            403,
            "FORBIDDEN",
            f"{noun} files hold {held}: they are for staff keys only. "
            f"Partner keys read {name} through /graphql.",
        )
    file_format = FileFormat(extension)
    try:
        database = _hub(request).database
        content = await records_file(database, principal, name, file_format, _where(request))
    except ExportError as error:
        return _refused(error)
    return Response(
        content,
        media_type=FILE_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'},
    )


async def _health(_request: Request) -> Response:
    """GET /health: the process is up (it says nothing of the database)."""
    return JSONResponse({"status": "ok"})


async def _ready(request: Request) -> Response:
    """GET /ready: the hub can serve: its database answers and is migrated to
    the head revision. 503 with the reason otherwise.

    `federation` says whether the hub's schema composes with the registered
    partner subgraphs (the start-up check, `resolvers/federation_check.py`).
    A break there does not make the hub unready: it still serves its own
    clients, every process of it would fail alike (a balancer would be left
    with none), and the cure is a schema change, not a restart. It is reported
    for the operators and the gateways' owners to act on."""
    hub = _hub(request)
    database = hub.database
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
    return JSONResponse(
        {"status": "ready", "revision": current, "federation": hub.federation.status.as_json()}
    )


async def _landing(_request: Request) -> Response:
    return HTMLResponse(LANDING_PAGE)


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


ROUTES = [
    Route("/", _landing, methods=["GET"]),
    Route("/health", _health, methods=["GET"]),
    Route("/ready", _ready, methods=["GET"]),
    Route("/export/{name}.geojson", _export, methods=["GET"]),
    Route("/export/{list}.{format}", _records_file, methods=["GET"]),
]
