"""Keys never travel in URLs: they end up in logs, proxies and browser history."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.refusals import refusal
from resolvers.access.keys import PREFIX

__all__ = ["KeysNotInURLs"]

# Query parameters that look like a credential.
KEY_PARAMETERS = {"api_key", "apikey", "key", "access_token", "token"}


class KeysNotInURLs:
    """Refuses with 400 a request whose query string holds what looks like a key:
    a parameter named like one, or a value with the hub's key prefix."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["query_string"]:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if any(
            name.lower() in KEY_PARAMETERS or value.startswith(PREFIX)
            for name, value in request.query_params.multi_items()
        ):
            response = refusal(
                400,
                "BAD_REQUEST",
                "API keys are not accepted in the URL: send `Authorization: Bearer <key>`.",
                accept=request.headers.get("accept"),
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
