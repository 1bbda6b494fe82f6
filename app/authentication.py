"""Authentication by API key, sent as `Authorization: Bearer <key>`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.hub import Hub
from app.refusals import refusal, too_many
from resolvers.access.keys import ANONYMOUS, AuthenticationError, authenticate

__all__ = ["Authentication", "bearer_key", "key_refusal"]


class Authentication:
    """Reads `Authorization: Bearer <key>` and puts the principal it stands for
    in the request's state (anonymous without the header); refuses bad keys
    with 401, and with 429 once the address has failed too often."""

    def __init__(self, app: ASGIApp, hub: Hub) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        principal = ANONYMOUS
        header = request.headers.get("authorization")
        if header is not None:
            try:
                principal = await authenticate(self.hub.database, bearer_key(header))
            except AuthenticationError as error:
                await (await key_refusal(self.hub, request, str(error)))(scope, receive, send)
                return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


async def key_refusal(hub: Hub, request: Request, message: str) -> Response:
    """401 for a refused key, counted as a failed authentication of the address
    it came from; 429 once that address has failed too often. Counted on every
    route that reads a key; a valid key is never refused for its address's
    failures (a proxy's, or a neighbour's)."""
    address = request.client.host if request.client else "unknown"
    verdict = await hub.budgets.failed(address)
    if not verdict.allowed:
        return too_many(verdict, "failed authentications", request)
    return refusal(401, "UNAUTHENTICATED", message, accept=request.headers.get("accept"))


def bearer_key(header: str) -> str:
    """The key in an `Authorization: Bearer <key>` header's value."""
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AuthenticationError("use `Authorization: Bearer <key>` to send a key.")
    return key.strip()
