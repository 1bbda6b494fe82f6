"""Several hub processes on one database and one Redis, as deployed: what is
written through one is read through the other, rate budgets are shared, and a
subscriber on one hears of changes made through the other. Also: `--workers`,
JSON logs, and a graceful shutdown that lets requests in flight finish.

The processes are real `metrohub serve` processes. The database is a shared
SQLite file (WAL mode works across processes), or `HUB_TEST_DATABASE_URL`
when set (PostgreSQL, say); Redis is the one at `HUB_TEST_REDIS_URL`
(default: the local one, which `make test` starts).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from db.engine import Database
from db.models import AuditEntry, Role
from resolvers.access.keys import issue_key
from tests.test_subscriptions import CHANGES, PROTOCOL

REDIS_URL = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
METROHUB = Path(sys.executable).with_name("metrohub")
MEMBER = """
query Member {
  members(where: {shortName: {eq: "Berlin"}}) { edges { node { id population version } } }
}
"""
MEMBER_UPDATE = """
mutation Update($input: MemberUpdateInput!) {
  memberUpdate(input: $input) { member { population version } userErrors { code } }
}
"""


@dataclass
class Hub:
    """One `metrohub serve` process."""

    origin: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def shared_url(database_url: str) -> str:
    return os.environ.get("HUB_TEST_DATABASE_URL") or database_url


@pytest.fixture
def environment(shared_url: str) -> dict[str, str]:
    """What every hub of a test shares: its database, Redis and a Redis namespace."""
    return {
        **os.environ,
        "HUB_DATABASE_URL": shared_url,
        "HUB_REDIS_URL": REDIS_URL,
        "HUB_BUDGET_NAMESPACE": f"test-{uuid.uuid4().hex}",
        "HUB_ANONYMOUS_BUDGET": "4/minute",
        "HUB_LOG_FORMAT": "json",
        # Change streams learn of changes through Redis alone within a test's time.
        "HUB_CHANGES_POLL_SECONDS": "60",
    }


@contextmanager
def hub_process(
    environment: dict[str, str], log: Path, *arguments: str, stop: bool = True
) -> Iterator[Hub]:
    """A `metrohub serve` process, once it is ready; stopped with SIGTERM after."""
    port = _free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(METROHUB), "serve", "--port", str(port), *arguments],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{origin}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the hub did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield Hub(origin, process, log)
    finally:
        if stop and process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def staff_key(shared_url: str) -> str:
    async def issue() -> str:
        database = Database(shared_url)
        try:
            return (await issue_key(database, name="Ana (staff)", role=Role.STAFF)).key
        finally:
            await database.dispose()

    return asyncio.run(issue())


@pytest.fixture
def two_hubs(environment: dict[str, str], tmp_path: Path) -> Iterator[tuple[Hub, Hub]]:
    # One after the other: the first migrates and seeds a new database.
    with (
        hub_process(environment, tmp_path / "a.log") as first,
        hub_process(environment, tmp_path / "b.log") as second,
    ):
        yield first, second


async def _post(
    hub: Hub, query: str, variables: dict[str, Any] | None = None, key: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(base_url=hub.origin) as http:
        return await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )


async def _berlin(hub: Hub, key: str) -> dict[str, Any]:
    body = (await _post(hub, MEMBER, key=key)).json()
    node: dict[str, Any] = body["data"]["members"]["edges"][0]["node"]
    return node


async def _update(hub: Hub, key: str, berlin: dict[str, Any], population: int) -> None:
    change = {"id": berlin["id"], "expectedVersion": berlin["version"], "population": population}
    body = (await _post(hub, MEMBER_UPDATE, {"input": change}, key)).json()
    assert body["data"]["memberUpdate"]["userErrors"] == [], body


async def test_a_write_through_one_hub_is_read_through_the_other(
    two_hubs: tuple[Hub, Hub], staff_key: str
) -> None:
    # Given two hubs on one database
    first, second = two_hubs
    berlin = await _berlin(first, staff_key)
    # When a member changes through the first
    population = berlin["version"] * 1000 + 7
    await _update(first, staff_key, berlin, population)
    # Then the second reads the change
    assert (await _berlin(second, staff_key))["population"] == population


async def test_a_rate_budget_spent_on_one_hub_is_spent_on_both(
    two_hubs: tuple[Hub, Hub],
) -> None:
    # Given two hubs that allow an address four requests a minute between them
    first, second = two_hubs
    # When the address spends two on each
    statuses = [(await _post(hub, MEMBER)).status_code for hub in (first, second, first, second)]
    # Then a fifth is refused by either
    refused = [await _post(hub, MEMBER) for hub in (first, second)]
    assert statuses == [200, 200, 200, 200]
    assert [response.status_code for response in refused] == [429, 429]
    assert refused[0].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_forged_forwarded_address_spends_the_senders_own_budget(
    environment: dict[str, str], tmp_path: Path
) -> None:
    # Given a hub with no trusted proxy, allowing an address four requests a minute,
    with hub_process(environment, tmp_path / "hub.log") as hub:
        async with httpx.AsyncClient(base_url=hub.origin) as http:
            # when a local client forges a new X-Forwarded-For on each of five requests,
            statuses = [
                (
                    await http.post(
                        "/graphql",
                        json={"query": MEMBER},
                        headers={"x-forwarded-for": f"203.0.113.{n}"},
                    )
                ).status_code
                for n in range(5)
            ]
    # then they all spend its own budget: the fifth is refused.
    assert statuses == [200, 200, 200, 200, 429]


async def test_a_subscriber_on_one_hub_hears_of_a_change_made_through_the_other(
    two_hubs: tuple[Hub, Hub], staff_key: str, shared_url: str
) -> None:
    # Given a subscriber to member changes on the second hub, from the newest change on
    # (the hubs look at the audit log on their own only once a minute: see `environment`)
    first, second = two_hubs
    berlin = await _berlin(first, staff_key)
    url = second.origin.replace("http", "ws", 1) + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL]) as websocket:  # type: ignore[list-item]
        await websocket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await websocket.recv())["type"] == "connection_ack"
        variables = {"types": ["Member"], "since": await _newest_change(shared_url)}
        subscribe = {"query": CHANGES, "variables": variables}
        await websocket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        # When a member changes through the first hub
        population = berlin["version"] * 1000 + 11
        await _update(first, staff_key, berlin, population)
        # Then the subscriber on the second hears of it, through Redis
        async with asyncio.timeout(20):
            message = json.loads(await websocket.recv())
    change = message["payload"]["data"]["changes"]
    assert change["record"] == berlin["id"]
    assert {"field": "population", "before": berlin["population"], "after": population} in (
        change["fields"]
    )


async def _newest_change(url: str) -> str:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            newest = (await connection.execute(select(func.max(AuditEntry.id)))).scalar()
    finally:
        await database.dispose()
    return str(newest or 0)


def test_logs_are_json_lines_with_the_request_id(
    environment: dict[str, str], tmp_path: Path
) -> None:
    # Given a hub logging as JSON
    with hub_process(environment, tmp_path / "hub.log") as hub:
        # When a request comes with its own id
        response = httpx.post(
            f"{hub.origin}/graphql", json={"query": MEMBER}, headers={"X-Request-Id": "trace-7"}
        )
    # Then every line of the log is a JSON object, and the request's line has its id
    assert response.headers["x-request-id"] == "trace-7"
    lines = hub.log_lines()
    (access,) = [line for line in lines if line.get("request_id") == "trace-7"]
    assert access["logger"] == "metrohub.access"
    assert (access["method"], access["path"], access["status"]) == ("POST", "/graphql", 200)
    assert {"time", "level", "message"} <= access.keys()


def test_the_log_says_where_to_open_the_hub(environment: dict[str, str], tmp_path: Path) -> None:
    # Given a hub started on a port of its own
    with hub_process(environment, tmp_path / "hub.log") as hub:
        pass
    # Then, once ready, its log names the API's and the explorer's addresses on that port
    ready = [line["message"] for line in hub.log_lines() if "is ready" in line["message"]]
    assert ready == [
        f"Metropolis Hub is ready: the GraphQL API and GraphiQL at {hub.origin}/graphql, "
        f"the explorer at {hub.origin}/explorer"
    ]


def test_development_logs_are_text_for_a_person(
    environment: dict[str, str], tmp_path: Path
) -> None:
    # Given a hub in development mode, with no log format chosen
    text = {key: value for key, value in environment.items() if key != "HUB_LOG_FORMAT"}
    with hub_process({**text, "HUB_DEVELOPMENT": "true"}, tmp_path / "hub.log") as hub:
        # When a request comes
        httpx.post(f"{hub.origin}/graphql", json={"query": MEMBER})
    # Then the log is lines of text: no JSON, and the request's line reads as a sentence
    lines = hub.log.read_text().splitlines()
    assert not any(line.startswith("{") for line in lines)
    assert any(" INFO metrohub.access: POST /graphql 200 " in line for line in lines)
    assert any("Metropolis Hub is ready" in line for line in lines)


def test_sigterm_lets_a_request_in_flight_finish(
    environment: dict[str, str], tmp_path: Path
) -> None:
    # Given a hub reading a request whose body is still arriving
    body = json.dumps({"query": MEMBER}).encode()
    head = (
        "POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with hub_process(environment, tmp_path / "hub.log", stop=False) as hub:
        port = int(hub.origin.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(head + body[:10])
            time.sleep(0.5)
            # When the hub is told to stop, and the rest of the body arrives after
            hub.process.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            connection.sendall(body[10:])
            response = b""
            while chunk := connection.recv(65536):
                response += chunk
        # Then the request is answered in full, and the hub stops cleanly (uvicorn
        # raises the signal again once it has shut down, as process managers expect)
        assert hub.process.wait(timeout=30) == -signal.SIGTERM
    lines = hub.log_lines()
    answered = next(
        i
        for i, line in enumerate(lines)
        if (line.get("path"), line.get("status")) == ("/graphql", 200)
    )
    messages = [line["message"] for line in lines]
    assert answered < messages.index("Application shutdown complete.")
    status, _, rest = response.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK"
    assert b'"shortName"' not in rest
    assert b'"population"' in rest


def test_workers_share_one_port_and_their_metrics(
    environment: dict[str, str], tmp_path: Path
) -> None:
    # Given a hub of two worker processes
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    environment = {
        **environment,
        "HUB_ANONYMOUS_BUDGET": "10000/minute",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    }

    def answering_workers() -> set[str]:
        """The process ids that have counted a request (each writes its own file)."""
        return {path.name.split("_")[-1] for path in metrics.glob("counter_*.db")}

    with hub_process(environment, tmp_path / "hub.log", "--workers", "2") as hub:
        # When it is sent rounds of eight requests at once, each on its own
        # connection, until both workers have answered (which worker accepts a
        # connection is the kernel's choice, so a loaded machine may need a few)
        statuses: list[int] = []
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(25):
                statuses += pool.map(
                    lambda _: (
                        httpx.post(f"{hub.origin}/graphql", json={"query": MEMBER}).status_code
                    ),
                    range(8),
                )
                if len(answering_workers()) == 2:
                    break
        # (a worker counts a request just after sending its answer, so /metrics
        # is read until the last answers are counted)
        for _ in range(50):
            counted = answered_count(httpx.get(f"{hub.origin}/metrics").text)
            if counted == [len(statuses)]:
                break
            time.sleep(0.1)
    # Then both workers answered on the one port, every request is answered,
    # and /metrics counts all of them, whichever worker answered
    assert len(answering_workers()) == 2
    assert statuses == [200] * len(statuses)
    assert counted == [len(statuses)]


def answered_count(exposition: str) -> list[float]:
    """The samples of `hub_http_requests_total` for answered /graphql requests."""
    return [
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "hub_http_requests_total"
        and sample.labels == {"route": "/graphql", "status": "200"}
    ]
