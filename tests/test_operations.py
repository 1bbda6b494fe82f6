"""What operators see: /health, /ready, Prometheus metrics at /metrics, and
request ids in headers, masked errors and the audit log."""

from __future__ import annotations

from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from db.engine import Database
from server import create_app
from settings import Settings
from tests.conftest import GraphQLClient, sqlite_only, sqlite_url

PARTNERS = """
query Directory { partners(first: 3) { edges { node { name } } } }
"""
BROKEN = """
query Broken { partners(first: 3) { totalCount } }
"""


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, parsed by prometheus-client's parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


async def test_health_and_ready_answer_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    # Given a hub on a migrated database
    # When an orchestrator asks whether it is up and ready
    health = await client.get("/health")
    ready = await client.get("/ready")
    # Then it is both
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_ready_refuses_while_the_database_is_not_migrated(tmp_path: Path) -> None:
    # Given a hub on an empty database that it does not migrate
    settings = Settings(
        database_url=sqlite_url(tmp_path / "empty.db"), auto_migrate=False, auto_seed=False
    )
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        # When asked whether it is ready
        ready = await http.get("/ready")
        health = await http.get("/health")
    # Then it says no, and why, while it is up
    assert ready.status_code == 503
    assert "metrohub migrate" in ready.json()["reason"]
    assert health.status_code == 200


async def test_metrics_parse_and_count_requests(
    client: httpx.AsyncClient, graphql: GraphQLClient
) -> None:
    # Given the metrics as they stand
    before = samples((await client.get("/metrics")).text)
    # When a named operation runs three times and a document fails validation
    for _ in range(3):
        await graphql.data(PARTNERS)
    await graphql.post("query Bad { nosuchfield }")
    response = await client.get("/metrics")
    # Then the exposition parses, and the counters moved by as much
    assert response.headers["content-type"].startswith("text/plain")
    after = samples(response.text)

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert moved("hub_http_requests_total", route="/graphql", status="200") == 4
    # (the first run is kept: the response cache answers the next two)
    assert moved("hub_graphql_operations_total", operation="Directory", type="query") == 1
    assert moved("hub_graphql_operation_duration_seconds_count", operation="Directory") == 1
    # (and the document that fails validation was looked up too)
    assert moved("hub_response_cache_lookups_total", outcome="miss") == 2
    assert moved("hub_response_cache_lookups_total", outcome="hit") == 2
    assert moved("hub_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert moved("hub_sql_statements_per_request_count") == 4
    assert moved("hub_sql_statements_per_request_sum") >= 3
    assert ("hub_db_pool_connections_in_use", ()) in after


async def test_rate_limit_rejections_are_counted(database_url: str) -> None:
    # Given a hub that allows an address two requests a minute
    app = create_app(Settings(database_url=database_url, anonymous_budget="2/minute"))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        before = samples((await http.get("/metrics")).text)
        # When the address sends three
        statuses = [(await http.post("/graphql", json={"query": PARTNERS})).status_code]
        statuses += [(await http.post("/graphql", json={"query": PARTNERS})).status_code]
        statuses += [(await http.post("/graphql", json={"query": PARTNERS})).status_code]
        after = samples((await http.get("/metrics")).text)
    # Then the third is refused, and counted
    assert statuses == [200, 200, 429]
    key = ("hub_rate_limit_rejections_total", (("budget", "requests"),))
    assert after[key] - before.get(key, 0.0) == 1


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    # Given requests with a client's own id, with a forged one and with none
    kept = await client.get("/health", headers={"X-Request-Id": "trace-42.a"})
    forged = await client.get("/health", headers={"X-Request-Id": "x\nINFO forged line"})
    fresh = await client.get("/health")
    # Then a plain id is kept, anything else replaced by a fresh one
    assert kept.headers["x-request-id"] == "trace-42.a"
    assert forged.headers["x-request-id"] not in {"", "x\nINFO forged line"}
    assert len(fresh.headers["x-request-id"]) == 32


@sqlite_only(
    "it drops a table, which the per-test reset on PostgreSQL does not restore;"
    " masking is the same on both"
)
async def test_a_masked_error_names_the_request_id(
    client: httpx.AsyncClient, database_url: str
) -> None:
    # Given a database that has lost a table under the hub
    database = Database(database_url, foreign_keys=False)
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP TABLE partners"))
    await database.dispose()
    # When a query reads it
    response = await client.post("/graphql", json={"query": BROKEN})
    # Then the error is masked, and its reference is the request id of the response
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["reference"] == response.headers["x-request-id"]
    assert "partners" not in error["message"]
