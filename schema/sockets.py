"""graphql-transport-ws as the hub runs it: Strawberry's handler, with each
connection counted against the caps of resolvers/access/connections.py and its key
checked again on every `subscribe`."""

from __future__ import annotations

import contextlib
from typing import Any, Protocol, cast

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from resolvers.access.connections import Connections, RefusedError
from resolvers.context import Context

__all__ = ["TransportWS"]


class _View(Protocol):
    connections: Connections


class TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """A connection over the process's caps is closed before it may send
    anything; one whose key was revoked or rotated is closed (4403) at its
    next `subscribe`, or when the periodic check finds it, whichever is first."""

    @property
    def connections(self) -> Connections:
        return cast(_View, self.view).connections

    async def handle(self) -> None:
        websocket: Any = self.context.request
        address = websocket.client.host if websocket.client else "unknown"
        try:
            self.connections.open(websocket, address, self.close)
        except RefusedError as refusal:
            await self.websocket.close(refusal.code, refusal.reason)
            return
        try:
            await super().handle()
        finally:
            self.connections.release(websocket)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        # The view's `on_ws_connect` counts the connection against its key's share.
        try:
            await super().handle_connection_init(message)
        except RefusedError as refusal:
            await self.close(refusal.code, refusal.reason)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged:
            try:
                await self.connections.check(self.context.request)
            except RefusedError as refusal:
                await self.close(refusal.code, refusal.reason)
                return
        await super().handle_subscribe(message)

    async def close(self, code: int, reason: str) -> None:
        """End the connection's operations, then the connection."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        # Already closed (by the client, or the server going away): nothing to do.
        with contextlib.suppress(RuntimeError, OSError):
            await self.websocket.close(code, reason)
