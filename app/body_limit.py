"""The request body limit: its size, and how long it may take to arrive."""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.refusals import refusal

__all__ = ["RAISED_LIMIT", "BodyLimit", "too_large"]

# A request's own limit in its state, set by a middleware before that vouches
# for it: `app.gateway.GatewayHop`, once a gateway hop's key is found live.
RAISED_LIMIT = "max_body_bytes"


class _BodyTooLargeError(Exception):
    pass


class _BodyTooSlowError(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over `max_bytes` (or the request's `RAISED_LIMIT`)
    with 413 before anything parses them:
    at once by their Content-Length, and by counting a streamed (chunked) body as
    it arrives; and bodies that have not all arrived `timeout_seconds` after the
    request head with 408 (and the connection closed), so that a client cannot
    hold a request open by sending its body slowly. Starlette's own limit
    answers in plain text; clients here expect a GraphQL response."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float = 30) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        max_bytes = scope.get("state", {}).get(RAISED_LIMIT, self.max_bytes)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            await too_large(max_bytes, headers.get("accept"))(scope, receive, send)
            return
        received = 0
        body_complete = False
        response_started = False
        deadline = asyncio.get_running_loop().time() + self.timeout_seconds

        async def counting_receive() -> Message:
            nonlocal received, body_complete
            if body_complete:  # what follows is `http.disconnect`, whenever it comes
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _BodyTooSlowError from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _BodyTooLargeError
                body_complete = not message.get("more_body", False)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _BodyTooLargeError:
            if response_started:
                raise
            await too_large(max_bytes, headers.get("accept"))(scope, receive, send)
        except _BodyTooSlowError:
            if response_started:
                raise
            await self._too_slow(headers)(scope, receive, send)

    def _too_slow(self, headers: Headers) -> Response:
        return refusal(
            408,
            "REQUEST_TIMEOUT",
            f"The request body did not arrive within {self.timeout_seconds:g} s: "
            "send it at once, or check the Content-Length you declared.",
            accept=headers.get("accept"),
            # The rest of the body may still come: the connection cannot be reused.
            headers={"Connection": "close"},
        )


def too_large(max_bytes: int, accept: str | None) -> Response:
    """413 for a body over `max_bytes`."""
    return refusal(
        413,
        "PAYLOAD_TOO_LARGE",
        f"The request body is larger than {max_bytes} bytes, the most this hub "
        "takes: send a smaller document or fewer variables.",
        accept=accept,
    )
