"""The request budget: requests without a key spend their address's, and a
gateway key's own requests its own."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.hub import Hub
from app.refusals import too_many
from resolvers.access.keys import ANONYMOUS

__all__ = ["BUDGETED_PATHS", "AnonymousBudget"]

# Requests that spend a budget (not the landing page, health or static files).
BUDGETED_PATHS = ("/graphql", "/export")


class AnonymousBudget:
    """Spends a request of the client address's budget for each anonymous request
    to a budgeted path, or of a gateway key's budget for the key's own (after
    `Authentication` has named the principal); refuses with 429 once it is
    spent, and puts the budget's headers on the response. Partner keys spend
    points as their requests run; staff keys have no budget."""

    def __init__(self, app: ASGIApp, hub: Hub) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("state", {}).get("principal", ANONYMOUS)
        if (
            scope["type"] != "http"
            or principal.is_partner_or_staff
            or not scope["path"].startswith(BUDGETED_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        address = request.client.host if request.client else "unknown"
        verdict = await self.hub.budgets.request(address, principal)
        if not verdict.allowed:
            await too_many(verdict, "requests", request)(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send, verdict.headers()))


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending
