"""How the hub holds its HTTP connections under uvicorn: deadlines for what a
client owes, and a cap on connections, so that slow clients cannot hold the
hub's connections forever.

uvicorn bounds one wait only: a kept-alive connection idle between requests
(`timeout_keep_alive`). Any byte cancels that timer, and nothing bounds the
time a request head takes to arrive, so a client that sends a header line
every few seconds is held for ever; so is one that declared a body and sends
it a byte at a time to a route that answered without reading it. The hub's
protocol is uvicorn's h11 protocol with one deadline more: a request head
must arrive whole within `header_timeout_seconds` of its first byte (or of
the connection opening), and the rest of a body that the hub answered
without reading within `body_timeout_seconds` of the answer. A connection
past its deadline is closed, with a 408 when part of a head had come. A body
that the hub is reading has its own deadline, in `app.body_limit.BodyLimit`, which
answers 408 in GraphQL's shape.

`uvicorn_options` is what `metrohub serve` and the tests give uvicorn.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, cast

import h11
import orjson
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from settings import Settings

__all__ = ["HubProtocol", "uvicorn_options"]


class HubProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol (h11), with a deadline for each request
    head and for the rest of a body the hub answered without reading."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        header_seconds: float,
        body_seconds: float,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_seconds = header_seconds
        self.body_seconds = body_seconds
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_deadline(self.header_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.deadline is None and self.conn.their_state is h11.IDLE:
            # The first bytes of the next request on a kept-alive connection.
            self._start_deadline(self.header_seconds)
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        if not self._owed():
            self._cancel_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._owed() and self.conn.their_state is h11.SEND_BODY:
            self._start_deadline(self.body_seconds)

    def _owed(self) -> bool:
        """Whether the client owes bytes that no request waits for: a request
        head, or the rest of a body the hub answered without reading."""
        theirs = self.conn.their_state
        return theirs is h11.IDLE or (theirs is h11.SEND_BODY and self.conn.our_state is h11.DONE)

    def _start_deadline(self, seconds: float) -> None:
        self._cancel_deadline()
        self.deadline = self.loop.call_later(seconds, self._deadline_passed)

    def _cancel_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _deadline_passed(self) -> None:
        self.deadline = None
        if self.transport.is_closing() or not self._owed():
            return
        partial_head, _ = self.conn.trailing_data
        if self.conn.their_state is h11.IDLE and partial_head:
            self.transport.write(_head_timeout(self.header_seconds))
        self.transport.close()


def _head_timeout(seconds: float) -> bytes:
    """A 408 for a head that came too slowly, in GraphQL's shape as the hub's
    other refusals (h11 cannot send it: it has no request to answer)."""
    body = orjson.dumps(
        {
            "errors": [
                {
                    "message": f"The request head did not arrive within {seconds:g} s: "
                    "send the request line and headers at once.",
                    "extensions": {"code": "REQUEST_TIMEOUT"},
                }
            ]
        }
    )
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The options for `uvicorn.run` / `uvicorn.Config` that bound how long
    and how many connections the hub holds."""
    # A partial, not a class made here, so that `--workers` can pickle it.
    protocol = functools.partial(
        HubProtocol,
        header_seconds=settings.header_timeout_seconds,
        body_seconds=settings.body_timeout_seconds,
    )
    return {
        "http": cast("type[asyncio.Protocol]", protocol),
        "timeout_keep_alive": settings.keep_alive_seconds,
        # uvicorn answers 503 once it holds `limit_concurrency` connections,
        # counting the one asking: + 1 lets `max_connections` be served.
        "limit_concurrency": settings.max_connections + 1,
    }
