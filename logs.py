"""Structured logs: one JSON object a line, each carrying the id of the request
it belongs to. The same id answers in the `X-Request-Id` header, names masked
errors (their `reference`) and is kept on audit entries, so one id finds a
request everywhere."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUEST_ID", "RequestIdFilter", "RequestLog", "logging_config", "request_id"]

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
HEADER = "x-request-id"
# A client's own id is kept when it is a plain token (a proxy's or a tracer's);
# anything else could forge log lines or carry secrets, and is replaced.
CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

access = logging.getLogger("metrohub.access")


def request_id() -> str:
    """The current request's id (a fresh one outside a request)."""
    return REQUEST_ID.get() or uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        # uvicorn's copy of the message with terminal colours.
        record.__dict__.pop("color_message", None)
        return True


def logging_config(*, json: bool = True, level: str = "INFO") -> dict[str, Any]:
    """The logging set-up (for `logging.config.dictConfig`, or uvicorn's
    `log_config`, which applies it in every worker): to standard error, as JSON
    lines (`json=True`) or as text, uvicorn's own loggers included."""
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "logs.RequestIdFilter"}},
        "formatters": {"hub": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "hub",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


class RequestLog:
    """Gives every request an id (the client's `X-Request-Id` when it is a plain
    token), returns it in the `X-Request-Id` header, and logs one line per HTTP
    request: method, path, status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        sent = Headers(scope=scope).get(HEADER, "")
        identifier = sent if CLIENT_ID.fullmatch(sent) else uuid.uuid4().hex
        token = REQUEST_ID.set(identifier)
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] in {"http.response.start", "websocket.accept"}:
                status = message.get("status", 101)
                headers = [*message.get("headers", []), (HEADER.encode(), identifier.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            method = scope.get("method", "WEBSOCKET")
            access.info(
                "%s %s %s %s ms",
                method,
                scope["path"],
                status,
                duration_ms,
                extra={
                    "method": method,
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            REQUEST_ID.reset(token)
