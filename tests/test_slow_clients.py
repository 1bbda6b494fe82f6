"""Slow clients cannot hold the hub's connections: a request head that trickles
in, a body that never arrives, or more connections than the cap, under a
real uvicorn server started with the options `metrohub serve` gives it
(`connections.uvicorn_options`), and once as the real process.

The clients here are raw sockets, so that they can send a request as slowly
as they like. Timeouts are set short through the settings; the tests assert
what the hub did (closed, answered 408 or 503), never how long it took. A
socket timeout far above the hub's only keeps a test from hanging."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from connections import uvicorn_options
from server import create_app
from tests.conftest import hub_settings, serving
from tests.test_processes import hub_process

# How long a test waits for the hub to close a connection before it fails:
# many times the hub's own deadline of 1 s, so that a busy machine does not fail it.
HANG_GUARD_S = 30
HEALTH = b"GET /health HTTP/1.1\r\nHost: hub.test\r\n\r\n"
HEAD_START = b"POST /graphql HTTP/1.1\r\nHost: hub.test\r\nContent-Type: application/json\r\n"
STALLED_BODY = HEAD_START + b'Content-Length: 60000\r\n\r\n{"query": "'


@contextmanager
def hub(database_url: str, **changes: Any) -> Iterator[int]:
    """The hub under uvicorn as `metrohub serve` runs it, with these settings; its port."""
    settings = hub_settings(database_url, **changes)
    with serving(create_app(settings), **uvicorn_options(settings)) as origin:
        yield int(origin.rsplit(":", 1)[1])


@contextmanager
def connection(port: int) -> Iterator[socket.socket]:
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD_S) as sock:
        yield sock


def until_closed(sock: socket.socket) -> bytes:
    """Everything the hub sends until it closes the connection."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def trickle(sock: socket.socket, line: bytes, *, every_s: float, times: int) -> bytes | None:
    """Send `line` every `every_s` seconds, up to `times` times, whatever the
    hub answers, until it closes the connection; what it sent until then, or
    None when it kept the connection open."""
    sock.settimeout(every_s)
    received = b""
    try:
        for _ in range(times):
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                sock.sendall(line)
                continue
            if not chunk:
                return received
            received += chunk
    except (BrokenPipeError, ConnectionResetError):
        return received
    return None


def one_response(sock: socket.socket) -> tuple[int, bytes]:
    """Read one response with a Content-Length from a kept-alive connection."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        assert chunk, "the hub closed the connection"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return int(head[9:12]), body


def status_and_error(answer: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    [error] = orjson.loads(body)["errors"]
    return int(head[9:12]), error


def test_a_connection_that_trickles_its_head_is_closed_with_a_408(database_url: str) -> None:
    # Given the hub with a head deadline of 1 s
    with hub(database_url, header_timeout_seconds=1) as port, connection(port) as sock:
        # When a client sends a request line and then a header line every 0.1 s,
        # never the blank line that ends the head
        sock.sendall(HEAD_START)
        answer = trickle(sock, b"X-Trickle: 1\r\n", every_s=0.1, times=HANG_GUARD_S * 10)

    # Then the hub answers 408 and closes the connection
    assert answer is not None, "the hub still holds the connection"
    status, error = status_and_error(answer)
    assert status == 408
    assert error["extensions"]["code"] == "REQUEST_TIMEOUT"
    assert "request head did not arrive within 1 s" in error["message"]


def test_a_connection_that_sends_nothing_is_closed(database_url: str) -> None:
    with hub(database_url, header_timeout_seconds=1) as port, connection(port) as sock:
        # When a client connects and sends nothing, then the hub closes it unanswered
        assert until_closed(sock) == b""


def test_a_body_that_never_arrives_gets_a_408_and_the_connection_closes(
    database_url: str,
) -> None:
    # Given the hub with a body deadline of 1 s
    with hub(database_url, body_timeout_seconds=1) as port, connection(port) as sock:
        # When a client declares a 60,000-byte body and sends a few bytes of it
        sock.sendall(STALLED_BODY)
        answer = until_closed(sock)

    # Then the hub answers 408 in GraphQL's shape, and closes the connection
    status, error = status_and_error(answer)
    assert status == 408
    assert error["extensions"]["code"] == "REQUEST_TIMEOUT"
    assert "request body did not arrive within 1 s" in error["message"]
    assert b"connection: close" in answer.lower()


def test_a_body_trickling_after_its_answer_is_cut_off(database_url: str) -> None:
    # Given the hub with a body deadline of 1 s
    with hub(database_url, body_timeout_seconds=1) as port, connection(port) as sock:
        # When a client declares a body for a route that answers without reading
        # it, and sends the body a byte every 0.1 s
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: hub.test\r\nContent-Length: 60000\r\n\r\n")
        answer = trickle(sock, b" ", every_s=0.1, times=HANG_GUARD_S * 10)

    # Then it gets its answer, and the connection is closed after it
    assert answer is not None, "the hub still holds the connection"
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_a_connection_beyond_the_cap_is_refused_with_a_503(database_url: str) -> None:
    # Given the hub with at most 2 connections, and 2 kept-alive clients
    with (
        hub(database_url, max_connections=2) as port,
        connection(port) as first,
        connection(port) as second,
    ):
        for sock in (first, second):
            sock.sendall(HEALTH)
            assert one_response(sock)[0] == 200

        # When a third client asks
        with connection(port) as third:
            third.sendall(HEALTH)
            refused = until_closed(third)

        # Then it gets 503 and its connection is closed, while the first two are still served
        assert refused.startswith(b"HTTP/1.1 503 ")
        for sock in (first, second):
            sock.sendall(HEALTH)
            assert one_response(sock)[0] == 200


def test_a_kept_alive_client_waits_between_requests_by_the_keep_alive_setting(
    database_url: str,
) -> None:
    # Given the hub with a head deadline of 1 s and a keep-alive of 30 s
    with (
        hub(database_url, header_timeout_seconds=1, keep_alive_seconds=30) as port,
        connection(port) as sock,
    ):
        # When a client sends requests on one connection, idle longer than the
        # head deadline between them
        statuses = []
        for _ in range(3):
            sock.sendall(HEALTH)
            statuses.append(one_response(sock)[0])
            time.sleep(1.5)

        # Then each is answered on the same connection
        assert statuses == [200, 200, 200]


def test_an_idle_kept_alive_connection_is_closed_after_the_keep_alive(
    database_url: str,
) -> None:
    with (
        hub(database_url, keep_alive_seconds=1) as port,
        connection(port) as sock,
    ):
        sock.sendall(HEALTH)
        assert one_response(sock)[0] == 200

        # When the client sends nothing more, then the hub closes the connection
        assert until_closed(sock) == b""


def test_metrohub_serve_closes_slow_connections_and_caps_them(
    database_url: str, tmp_path: Path
) -> None:
    # Given the real `metrohub serve` process with 1 s deadlines and at most 2 connections
    environment = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_HEADER_TIMEOUT_SECONDS": "1",
        "HUB_BODY_TIMEOUT_SECONDS": "1",
        "HUB_MAX_CONNECTIONS": "2",
    }
    with hub_process(environment, tmp_path / "hub.log") as process:
        port = int(process.origin.rsplit(":", 1)[1])
        with connection(port) as trickling, connection(port) as stalled:
            # When one client trickles its head and another stalls in its body
            stalled.sendall(STALLED_BODY)
            trickling.sendall(HEAD_START)
            trickled = trickle(trickling, b"X-Trickle: 1\r\n", every_s=0.1, times=300)
            stalled_answer = until_closed(stalled)

        # Then the hub answers each 408 and closes the connection
        assert trickled is not None, "the hub still holds the connection"
        assert status_and_error(trickled)[0] == 408
        assert status_and_error(stalled_answer)[0] == 408

        # And a third connection beside two kept-alive ones is refused
        with connection(port) as first, connection(port) as second:
            for sock in (first, second):
                sock.sendall(HEALTH)
                assert one_response(sock)[0] == 200
            with connection(port) as third:
                third.sendall(HEALTH)
                assert until_closed(third).startswith(b"HTTP/1.1 503 ")
