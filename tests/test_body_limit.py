"""Request bodies over the limit (64 KiB by default) are refused with 413 before
anything parses them: by their Content-Length, or counted as they stream in."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
from asgi_lifespan import LifespanManager
from starlette.types import Message, Receive, Scope, Send

from app.body_limit import BodyLimit
from server import create_app
from settings import Settings

LIMIT = 64 * 1024
TYPENAME = "{ __typename }"


def _request_of(size: int) -> bytes:
    """A valid GraphQL request of exactly `size` bytes (the document padded with spaces)."""
    bare = json.dumps({"query": TYPENAME}).encode()
    body = json.dumps({"query": TYPENAME + " " * (size - len(bare))}).encode()
    assert len(body) == size
    return body


async def _chunks(body: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def _post(client: httpx.AsyncClient, content: bytes | AsyncIterator[bytes]) -> httpx.Response:
    return await client.post(
        "/graphql", content=content, headers={"content-type": "application/json"}
    )


async def test_a_body_of_exactly_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    response = await _post(client, _request_of(LIMIT))

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_body_one_byte_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    response = await _post(client, _request_of(LIMIT + 1))

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "65536 bytes" in error["message"]


async def test_a_streamed_body_is_counted_as_it_arrives(client: httpx.AsyncClient) -> None:
    # Given chunked bodies, with no Content-Length to go by,
    at_limit = await _post(client, _chunks(_request_of(LIMIT)))
    over = await _post(client, _chunks(_request_of(LIMIT + 1)))

    # then the count decides.
    assert at_limit.status_code == 200
    assert over.status_code == 413
    assert over.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_the_refusal_comes_in_the_media_type_the_client_accepts(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        content=_request_of(LIMIT + 1),
        headers={"content-type": "application/json", "accept": "application/graphql-response+json"},
    )

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/graphql-response+json")


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read() -> None:
    # Given an app behind the limit, and a request declaring one byte too many,
    reached: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope)

    async def receive() -> Message:
        raise AssertionError("the body was read")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [(b"content-length", b"11")],
    }

    # when it arrives,
    await BodyLimit(app, max_bytes=10)(scope, receive, send)

    # then it is answered 413 without reading the body or reaching the app.
    assert sent[0]["status"] == 413
    assert reached == []


async def test_the_limit_is_a_setting(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, max_body_bytes=100))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        at_limit = await _post(http, _request_of(100))
        over = await _post(http, _request_of(101))

    assert (at_limit.status_code, over.status_code) == (200, 413)
    assert "100 bytes" in over.json()["errors"][0]["message"]
