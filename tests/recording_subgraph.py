"""The example partner subgraph as the gateway tests run it: it answers
exactly as `federation.examples.city_indicators` does, and remembers the
headers of every request it answers, listed by `GET /seen`, so a test can
see what a gateway sends to a partner.

Run: `uvicorn tests.recording_subgraph:app`
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from federation.examples.city_indicators import app as example

__all__ = ["app"]

seen: list[dict[str, str]] = []


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http":
        request = Request(scope)
        if request.url.path == "/seen":
            await JSONResponse(seen)(scope, receive, send)
            return
        seen.append({name.lower(): value for name, value in request.headers.items()})
    await example(scope, receive, send)
