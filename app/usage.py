"""`POST /usage`: what gateways report of the operations they serve, fields
of partner subgraphs included (the format is in resolvers/usage/reports.py
and the README's "Usage"). Only a gateway hop may post: a live gateway key
in `Hub-Gateway-Key`."""

from __future__ import annotations

import orjson
from cross_web import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.gateway import GATEWAY
from app.graphql_http import check_json_body
from app.hub import Hub
from app.refusals import refusal
from resolvers.access.keys import ANONYMOUS
from resolvers.errors import UserInputError
from resolvers.usage import read_report, record_report

__all__ = ["USAGE_ROUTES"]


async def _usage(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    accept = request.headers.get("accept")
    if getattr(request.state, GATEWAY, None) is None:
        principal = getattr(request.state, "principal", ANONYMOUS)
        if not principal.is_authenticated:
            return refusal(
                401,
                "UNAUTHENTICATED",
                "Usage reports come from gateways: send the gateway's key in `Hub-Gateway-Key`.",
                accept=accept,
            )
        return refusal(
            403,
            "FORBIDDEN",
            "Usage reports come from gateways only: send a gateway key (`metrohub keys create "
            "--role gateway`) in `Hub-Gateway-Key`.",
            accept=accept,
        )
    try:
        check_json_body(request.headers.get("content-type"))
        body = orjson.loads(await request.body())
        report = read_report(body)
    except HTTPException as error:
        return refusal(error.status_code, "UNSUPPORTED_MEDIA_TYPE", error.reason, accept=accept)
    except orjson.JSONDecodeError as error:
        return refusal(400, "BAD_REQUEST", f"The body is not JSON: {error}.", accept=accept)
    except UserInputError as error:
        return refusal(400, error.code, error.message, accept=accept)
    except ClientDisconnect:
        return Response(status_code=400)
    record_report(hub.usage, report)
    return JSONResponse({"accepted": len(report)}, status_code=202)


USAGE_ROUTES = [Route("/usage", _usage, methods=["POST"])]
