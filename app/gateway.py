"""Gateway hops: requests that a federation gateway forwards for its end users.

A request with a live gateway key in `Hub-Gateway-Key` is a gateway hop. Its
end user is whoever the forwarded `Authorization` names (anonymous without
one: `Authentication` reads it as for any request), and its client address,
which anonymous budgets and failed authentications count, is the one the
gateway added to `X-Forwarded-For` (`app.proxies.gateway_entry`). The
gateway's key lends the end user nothing but the hop itself: the subgraph SDL
and a larger body limit. Without a live gateway key, forwarded addresses are
believed only from the trusted proxies.
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.authentication import key_refusal
from app.body_limit import RAISED_LIMIT, too_large
from app.hub import Hub
from app.proxies import gateway_entry
from app.refusals import refusal
from resolvers.access.keys import AuthenticationError, authenticate_gateway

__all__ = ["GATEWAY", "GATEWAY_KEY_HEADER", "GatewayHop"]

GATEWAY_KEY_HEADER = "hub-gateway-key"
# Where a gateway hop's gateway (its `Principal`) is kept in the request's state.
GATEWAY = "gateway"


class GatewayHop:
    """Checks `Hub-Gateway-Key` before the body limit, which a gateway hop may
    exceed: a live gateway key makes the request a gateway hop (the gateway in
    its state, the end user's address as its client); any other is refused
    with 401 and counted as a failed authentication, or with the 413 anyone
    gets when its body is declared larger than the common limit."""

    def __init__(self, app: ASGIApp, hub: Hub) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = Headers(scope=scope).get(GATEWAY_KEY_HEADER) if scope["type"] == "http" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            gateway = await authenticate_gateway(self.hub.database, key.strip())
        except AuthenticationError as error:
            await (await self._refusal(request, error))(scope, receive, send)
            return
        forwarded = gateway_entry(scope, self.hub.settings.trusted_proxies)
        if forwarded is not None and not _is_address(forwarded):
            response = refusal(
                400,
                "BAD_REQUEST",
                f"The `X-Forwarded-For` entry the gateway added, {forwarded[:60]!r}, is not "
                "an IP address: the gateway must append its client's address there.",
                accept=request.headers.get("accept"),
            )
            await response(scope, receive, send)
            return
        # A new state, not the one given: an ASGI server gives each request its
        # own copy of the lifespan's state, but a test harness may share one.
        scope["state"] = {
            **scope.get("state", {}),
            GATEWAY: gateway,
            # A gateway forwards many users' documents, and batches entity lookups.
            RAISED_LIMIT: self.hub.settings.max_gateway_body_bytes,
        }
        if forwarded is not None:
            scope["client"] = (forwarded, 0)
        await self.app(scope, receive, send)

    async def _refusal(self, request: Request, error: AuthenticationError) -> Response:
        """401 (or 429) as for any refused key; but 413, as anyone would get,
        for a body declared larger than the common limit."""
        response = await key_refusal(
            self.hub, request, f"The `Hub-Gateway-Key` header was refused: {error}"
        )
        declared = request.headers.get("content-length", "")
        max_bytes = self.hub.settings.max_body_bytes
        if response.status_code == 401 and declared.isdigit() and int(declared) > max_bytes:
            return too_large(max_bytes, request.headers.get("accept"))
        return response


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
