"""Requests refused before GraphQL runs (by a middleware, a route or the view's
HTTP rules), answered as GraphQL responses that clients can read."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.requests import Request
from starlette.responses import Response

from app.media_types import JSON, response_media_type
from metrics import RATE_LIMITED
from resolvers.access.budgets import Verdict

__all__ = ["refusal", "too_many"]


def refusal(
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


def too_many(verdict: Verdict, what: str, request: Request) -> Response:
    """429 for a spent budget of `what` ("requests", "failed authentications"), counted."""
    RATE_LIMITED.labels(what.replace(" ", "_")).inc()
    response = refusal(
        429,
        "RATE_LIMITED",
        f"Too many {what} from this address: at most {verdict.limit} per window. "
        f"Try again in {verdict.retry_after} s, or use an API key.",
        accept=request.headers.get("accept"),
    )
    response.headers.update(verdict.headers())
    return response
