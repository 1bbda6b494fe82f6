"""The HTTP surface: landing page, health, GraphiQL, settings and first run."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from server import create_app
from settings import Settings

TYPENAME_BODY = b'{"query": "{ __typename }"}'
# The scope of a JSON POST to /graphql, as an ASGI server presents it.
GRAPHQL_POST: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "POST",
    "scheme": "http",
    "path": "/graphql",
    "raw_path": b"/graphql",
    "query_string": b"",
    "root_path": "",
    "headers": [(b"content-type", b"application/json"), (b"host", b"hub.test")],
    "client": ("127.0.0.1", 50000),
    "server": ("hub.test", 80),
}


async def test_landing_page_links_to_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert 'href="/graphql"' in response.text


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok"}


async def test_graphql_in_a_browser_is_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "Metropolis Hub — GraphiQL" in response.text
    assert "query MembersWithInitiatives" in response.text


async def test_graphiql_can_be_turned_off(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, graphiql=False))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        response = await http.get("/graphql", headers={"accept": "text/html"})
    assert "GraphiQL" not in response.text


async def test_first_run_creates_migrates_and_seeds_the_database(new_database_url: str) -> None:
    url = new_database_url
    app = create_app(Settings(database_url=url))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        response = await http.post("/graphql", json={"query": "{ members { totalCount } }"})
    assert response.json()["data"] == {"members": {"totalCount": 75}}


def test_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {"HUB_DATABASE_URL": "sqlite+aiosqlite:///x.db", "HUB_PORT": "9000", "HUB_GRAPHIQL": "off"}
    )
    assert (settings.database_url, settings.port, settings.graphiql) == (
        "sqlite+aiosqlite:///x.db",
        9000,
        False,
    )
    assert Settings.from_env({}).database_url.endswith("var/hub.db")
    with pytest.raises(ValueError, match="expected a boolean"):
        Settings.from_env({"HUB_GRAPHIQL": "maybe"})


def test_http_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "HUB_CORS_ORIGINS": " https://app.example.org, http://localhost:3000 ,",
            "HUB_MAX_BODY_BYTES": "1024",
        }
    )
    assert settings.cors_origins == ("https://app.example.org", "http://localhost:3000")
    assert settings.max_body_bytes == 1024
    defaults = Settings.from_env({})
    assert (defaults.cors_origins, defaults.max_body_bytes) == ((), 65536)
    assert Settings.from_env({"HUB_CORS_ORIGINS": "*"}).cors_origins == ("*",)
    for origin in ("https://app.example.org/", "app.example.org", "ftp://example.org"):
        with pytest.raises(ValueError, match="expected origins"):
            Settings.from_env({"HUB_CORS_ORIGINS": origin})
    with pytest.raises(ValueError, match="positive"):
        Settings.from_env({"HUB_MAX_BODY_BYTES": "0"})


def test_sqlite_durability_from_the_environment() -> None:
    assert Settings.from_env({}).sqlite_synchronous == "NORMAL"
    assert Settings.from_env({"HUB_SQLITE_SYNCHRONOUS": "full"}).sqlite_synchronous == "FULL"
    with pytest.raises(ValueError, match="expected NORMAL or FULL"):
        Settings.from_env({"HUB_SQLITE_SYNCHRONOUS": "OFF"})


async def test_a_client_that_leaves_mid_request_gets_no_answer_and_no_error(
    database_url: str,
) -> None:
    # Given the hub, and a client that sends half a request body and leaves
    app = create_app(Settings(database_url=database_url))
    arrivals: Iterator[dict[str, object]] = iter(
        [
            {"type": "http.request", "body": b'{"query": "{ mem', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return next(arrivals)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = dict(GRAPHQL_POST)
    async with LifespanManager(app):
        # When the hub reads it, then nothing is raised, and nothing is sent to no one
        await app(scope, receive, send)  # type: ignore[arg-type]
    assert sent == []


async def _post_typename(app: Any) -> list[Any]:
    """POST `{ __typename }` to the app as an ASGI server would; the messages it sends."""
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": TYPENAME_BODY, "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(dict(GRAPHQL_POST), receive, send)
    return sent


async def test_a_request_leaves_nothing_to_the_garbage_collector(database_url: str) -> None:
    # Objects in reference cycles wait for a pass of the collector, which then
    # costs more than the request itself.
    app = create_app(Settings(database_url=database_url))
    async with LifespanManager(app) as manager:
        await _post_typename(manager.app)  # caches and pools filled
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            sent = [await _post_typename(manager.app) for _ in range(3)]
            gc.collect()
            garbage = [type(thing).__name__ for thing in gc.garbage]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
    assert [messages[0]["status"] for messages in sent] == [200, 200, 200]
    assert garbage == []
