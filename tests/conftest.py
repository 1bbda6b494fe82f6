"""Shared fixtures: a fresh, seeded database per test, the hub app, an HTTP
client speaking to it, and a counter of the SQL statements it sends.

The suite runs on SQLite, and on PostgreSQL when `HUB_TEST_DATABASE_URL`
names a PostgreSQL database (`make test` runs it both ways when that is set;
`.ci/run` sets it). On PostgreSQL that database is only the way in: the run
seeds a database of its own and resets it before each test
(`tests/postgresql.py`). A server that does not answer ends the run as a
failure, never as skipped tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from starlette.applications import Starlette
from starlette.types import ASGIApp

from db.engine import Database, is_sqlite
from db.migrate import upgrade
from db.models import Role
from db.seed import seed_reference
from db.versions import DATA_VERSION_CHECKS
from resolvers.access.keys import issue_key
from server import create_app
from settings import Settings
from tests.postgresql import PostgreSQLServer

# The PostgreSQL server the suite runs on, through one of its databases; None: SQLite.
POSTGRESQL_URL = os.environ.get("HUB_TEST_DATABASE_URL") or None
ON_POSTGRESQL = POSTGRESQL_URL is not None


# Root fields whose answers count the requests themselves (the budget left,
# the usage recorded): two hubs sent the same requests answer them
# differently, by when each counted and recorded them.
COUNTS_REQUESTS = frozenset(
    {"rateLimit", "fieldUsage", "clients", "unusedDeprecatedFields", "subgraphs"}
)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Marks a test about SQLite itself (its files, pragmas, FTS5 tables),
    which has no meaning on PostgreSQL; `reason` says why and where the
    PostgreSQL counterpart is."""
    return pytest.mark.skipif(ON_POSTGRESQL, reason=f"SQLite only: {reason}")


@pytest.fixture(scope="session")
def postgresql() -> PostgreSQLServer | None:
    """The PostgreSQL server of this run, or None on SQLite."""
    if POSTGRESQL_URL is None:
        return None
    try:
        server = PostgreSQLServer(POSTGRESQL_URL)
        server.check()
    except ValueError as error:
        pytest.exit(str(error), returncode=1)
    except (OSError, asyncpg.PostgresError) as error:
        pytest.exit(
            f"HUB_TEST_DATABASE_URL is set but PostgreSQL does not answer ({error}): "
            "start the server, or unset the variable to run on SQLite only.",
            returncode=1,
        )
    server.drop_abandoned()
    return server


async def _build_template(url: str) -> None:
    await upgrade(url)
    database = Database(url)
    await seed_reference(database)
    if is_sqlite(url):
        # Fold the WAL into the main file so that one file copies the database.
        async with database.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    await database.dispose()


@contextmanager
def serving(app: ASGIApp, **options: Any) -> Iterator[str]:
    """Run `app` under uvicorn on a free loopback port in a thread; yield its origin.
    `options` go to uvicorn (`connections.uvicorn_options`, as `metrohub serve`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="auto", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def seeded_template(
    tmp_path_factory: pytest.TempPathFactory, postgresql: PostgreSQLServer | None
) -> Iterator[str]:
    """A migrated and seeded database, made once: a file that each test
    copies on SQLite, a database that each test resets on PostgreSQL."""
    if postgresql is None:
        path = tmp_path_factory.mktemp("template") / "hub.db"
        asyncio.run(_build_template(sqlite_url(path)))
        yield str(path)
        return
    postgresql.drop(postgresql.name)
    asyncio.run(_build_template(postgresql.create(postgresql.name)))
    postgresql.keep_seed()
    yield postgresql.name
    postgresql.drop(postgresql.name)


@pytest.fixture
def database_url(seeded_template: str, tmp_path: Path, postgresql: PostgreSQLServer | None) -> str:
    """A fresh copy of the seeded database, for this test alone."""
    if postgresql is None:
        path = tmp_path / "hub.db"
        shutil.copyfile(seeded_template, path)
        return sqlite_url(path)
    return postgresql.reset()


@pytest.fixture(scope="module")
def module_database_url(
    seeded_template: str,
    tmp_path_factory: pytest.TempPathFactory,
    postgresql: PostgreSQLServer | None,
) -> str:
    """A seeded database that the tests of one module share (one live hub for
    all of them): a copy of the template on SQLite, the reset seeded database
    on PostgreSQL. Such a module's tests must not also ask for `database_url`,
    which would reset it under the hub."""
    if postgresql is None:
        path = tmp_path_factory.mktemp("module") / "hub.db"
        shutil.copyfile(seeded_template, path)
        return sqlite_url(path)
    # In a thread: a module may hold an event loop running here (Playwright's).
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(postgresql.reset).result()


@pytest.fixture
def new_database_url(tmp_path: Path, postgresql: PostgreSQLServer | None) -> Iterator[str]:
    """A database with nothing in it, not even tables, for this test alone."""
    if postgresql is None:
        yield sqlite_url(tmp_path / "new" / "hub.db")
        return
    name = postgresql.new_name()
    yield postgresql.create(name)
    postgresql.drop(name)


@pytest.fixture
async def staff_key(database_url: str) -> str:
    """A staff key on the test's database."""
    database = Database(database_url)
    try:
        return (await issue_key(database, name="staff", role=Role.STAFF)).key
    finally:
        await database.dispose()


def hub_settings(database_url: str, **changes: Any) -> Settings:
    """The hub's settings for a test. `HUB_COMPILED_PATH=false` runs the whole
    suite on the standard execution path."""
    return Settings(database_url=database_url, compiled=Settings.from_env().compiled, **changes)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return hub_settings(database_url)


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(manager.app), base_url="http://hub.test"
        ) as http,
    ):
        yield http


async def post_with_key(
    client: httpx.AsyncClient, query: str, key: str | None, variables: Any = None
) -> dict[str, Any]:
    """The response to a document sent with an API key (none: anonymous)."""
    headers = {"authorization": f"Bearer {key}"} if key else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@dataclass
class GraphQLClient:
    """Posts GraphQL documents to the hub over HTTP, as a partner app would."""

    http: httpx.AsyncClient
    responses: list[httpx.Response] = field(default_factory=list)

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        self.responses.append(response)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a response that must have no errors."""
        body = await self.post(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def graphql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@dataclass
class StatementCounter:
    """Counts the SQL statements the app's engine sends (PRAGMAs and the
    graph's change checks excluded)."""

    statements: list[str] = field(default_factory=list)
    connections: int = 0

    def reset(self) -> None:
        self.statements.clear()
        self.connections = 0

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql(app: Starlette) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    engine = app.state.hub.database.engine.sync_engine

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")) and (
            statement not in DATA_VERSION_CHECKS.values()
        ):
            counter.statements.append(statement)

    def on_checkout(*_args: Any) -> None:
        counter.connections += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine.pool, "checkout", on_checkout)
    yield counter
    event.remove(engine, "before_cursor_execute", on_execute)
    event.remove(engine.pool, "checkout", on_checkout)
