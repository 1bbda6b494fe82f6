"""Usage recording: operations counted per client as the hub runs them,
written at shutdown and in batches, added up across restarts and processes,
pruned past the days kept; gateways' reports on `POST /usage`; and the
staff queries and `usage_of` that read it back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from graphql import build_schema, parse
from sqlalchemy import func, select

from db.engine import Database
from db.models import Role, UsageField, UsageOperation
from resolvers.access.keys import issue_key
from resolvers.usage import (
    CoordinateUse,
    clients,
    operation_signature,
    signature_hash,
    unused_deprecated_fields,
    usage_of,
)
from resolvers.usage.deprecation import deprecated_fields
from resolvers.usage.store import OperationCount, save
from server import create_app
from tests.conftest import hub_settings

POPULATION = """
query Populations($first: Int!) {
  members(first: $first) { edges { node { name population } } }
}
"""
POPULATION_REWRITTEN = """
query Populations($first: Int!) {
  largest: members(first: $first) { edges { node { population n: name } } }
}
"""
REGIONS = "query Regions { regions(first: 3) { edges { node { name } } } }"
FIELD_USAGE = """
query FieldUsage($coordinate: SchemaCoordinate!) {
  fieldUsage(coordinate: $coordinate, days: 30) {
    coordinate count uses { clientName clientVersion operationName signatureHash count }
  }
}
"""
CLIENTS = "{ clients(days: 30) { name version lastSeen operationCount requestCount } }"
UNUSED = "{ unusedDeprecatedFields(days: 30) { coordinate deprecationReason } }"

APOLLO_CLIENT = {"apollographql-client-name": "web", "apollographql-client-version": "1.2"}
GRAPHQL_CLIENT = {"graphql-client-name": "ios", "graphql-client-version": "7"}


@dataclass
class Keys:
    gateway: str
    partner: str
    staff: str


@pytest.fixture
async def keys(database_url: str) -> Keys:
    database = Database(database_url)
    try:
        return Keys(
            gateway=(await issue_key(database, name="edge", role=Role.GATEWAY)).key,
            partner=(
                await issue_key(database, name="city app", role=Role.PARTNER, partner_id=1)
            ).key,
            staff=(await issue_key(database, name="curators", role=Role.STAFF)).key,
        )
    finally:
        await database.dispose()


@asynccontextmanager
async def running_hub(database_url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A hub on `database_url` from start-up to shutdown (when it writes what it holds)."""
    app = create_app(hub_settings(database_url, **{"usage_flush_seconds": 3600, **settings}))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(manager.app), base_url="http://hub.test"
        ) as http,
    ):
        yield http


async def _ask(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


async def _uses(database_url: str, coordinate: str) -> list[CoordinateUse]:
    database = Database(database_url)
    try:
        return (await usage_of(database, [coordinate], 30))[coordinate]
    finally:
        await database.dispose()


def _by_client(uses: list[CoordinateUse]) -> dict[tuple[str, str], int]:
    counted: dict[tuple[str, str], int] = {}
    for use in uses:
        key = (use.client_name, use.client_version)
        counted[key] = counted.get(key, 0) + use.count
    return counted


def test_signature_is_one_for_documents_differing_in_literals_aliases_and_order() -> None:
    # Given two documents of one operation, written differently
    first = parse(
        'query Q { members(first: 5, where: { name: { contains: "Berlin" } }) '
        "{ edges { node { name population } } } regions { name } }"
    )
    second = parse(
        'query Q { regions { name }\n  m: members(where: { name: { contains: "Accra" } }, '
        "first: 50) { edges { node { population label: name } } } }\n"
        "fragment Unused on Member { id }"
    )
    # When their signatures are taken
    signatures = {operation_signature(document, "Q") for document in (first, second)}
    # then they are one, as Apollo's usage reporting writes it
    assert signatures == {
        "query Q{members(first:0,where:{}){edges{node{name population}}}regions{name}}"
    }
    # and a different selection is a different signature.
    other = operation_signature(parse("query Q { regions { name slug } }"), "Q")
    assert signature_hash(other) != signature_hash(signatures.pop())


async def test_operations_are_counted_per_client_name_version_key_or_anonymous(
    database_url: str, keys: Keys
) -> None:
    # Given a hub
    async with running_hub(database_url) as http:
        # When clients ask, named by Apollo's headers, GraphQL's, their key, or nothing
        await _ask(http, POPULATION, {"first": 2}, APOLLO_CLIENT)
        await _ask(http, POPULATION_REWRITTEN, {"first": 3}, APOLLO_CLIENT)
        await _ask(http, POPULATION, {"first": 2}, GRAPHQL_CLIENT)
        await _ask(http, POPULATION, {"first": 2}, _bearer(keys.partner))
        await _ask(http, POPULATION, {"first": 2})
        await _ask(http, REGIONS)
    # then, once it has stopped, each client's use of the field is counted,
    uses = await _uses(database_url, "Member.population")
    assert _by_client(uses) == {
        ("web", "1.2"): 2,
        ("ios", "7"): 1,
        ("city app", ""): 1,
        ("anonymous", ""): 1,
    }
    # the web client's two ways of writing its operation as one,
    web = [use for use in uses if use.client_name == "web"]
    assert [(use.operation_name, use.count) for use in web] == [("Populations", 2)]
    # and every field the operations read is counted too.
    assert _by_client(await _uses(database_url, "Region.name")) == {("anonymous", ""): 1}
    assert _by_client(await _uses(database_url, "Query.members")) == {
        ("web", "1.2"): 2,
        ("ios", "7"): 1,
        ("city app", ""): 1,
        ("anonymous", ""): 1,
    }


async def test_answers_from_the_response_cache_are_counted(database_url: str) -> None:
    # Given a hub that keeps anonymous answers
    async with running_hub(database_url) as http:
        # When one anonymous query is asked three times (two answered from the cache)
        for _ in range(3):
            await _ask(http, REGIONS, headers=APOLLO_CLIENT)
    # then it is counted three times.
    assert _by_client(await _uses(database_url, "Region.name")) == {("web", "1.2"): 3}


async def test_usage_survives_a_restart_and_adds_up(database_url: str) -> None:
    # Given a hub that counted two operations, then was stopped
    async with running_hub(database_url) as http:
        for _ in range(2):
            await _ask(http, REGIONS, headers=APOLLO_CLIENT)
    # When it starts again on the same database and counts three more
    async with running_hub(database_url) as http:
        for _ in range(3):
            await _ask(http, REGIONS, headers=APOLLO_CLIENT)
    # then the database holds all five.
    assert _by_client(await _uses(database_url, "Region.name")) == {("web", "1.2"): 5}


async def test_two_hubs_on_one_database_add_up(database_url: str) -> None:
    # Given two hub processes' apps on one database, both running
    async with running_hub(database_url) as one, running_hub(database_url) as two:
        # When each counts the same client's operation
        for _ in range(2):
            await _ask(one, POPULATION, {"first": 1}, APOLLO_CLIENT)
        for _ in range(3):
            await _ask(two, POPULATION, {"first": 1}, APOLLO_CLIENT)
    # then the counts add up, in one row per day and key.
    assert _by_client(await _uses(database_url, "Member.population")) == {("web", "1.2"): 5}
    database = Database(database_url)
    try:
        async with database.sessions() as session:
            rows = await session.scalar(select(func.count()).select_from(UsageOperation))
        assert rows == 1
    finally:
        await database.dispose()


async def test_counts_are_written_every_flush_interval(database_url: str) -> None:
    # Given a hub that writes usage every second
    async with running_hub(database_url, usage_flush_seconds=1) as http:
        await _ask(http, REGIONS, headers=APOLLO_CLIENT)
        # When it has run for a while, it has written the count without stopping.
        for _ in range(100):
            if await _uses(database_url, "Region.name"):
                break
            await _pause()
        assert _by_client(await _uses(database_url, "Region.name")) == {("web", "1.2"): 1}


async def _pause() -> None:
    await asyncio.sleep(0.1)


async def test_days_past_the_retention_are_pruned(database_url: str) -> None:
    # Given usage of today and of 40 days ago
    today = datetime.now(UTC).date()
    database = Database(database_url)
    try:
        await save(
            database,
            [_count(today - timedelta(days=40), "old app"), _count(today, "new app")],
        )
    finally:
        await database.dispose()
    # When a hub keeping 30 days writes its usage
    async with running_hub(database_url, usage_days=30) as http:
        await _ask(http, REGIONS)
    # then the old day is gone and today's is kept.
    database = Database(database_url)
    try:
        async with database.sessions() as session:
            names = set(await session.scalars(select(UsageField.client_name).distinct()))
        assert names == {"new app", "anonymous"}
    finally:
        await database.dispose()


def _count(day: Any, client: str, coordinate: str = "Member.population") -> OperationCount:
    return OperationCount(
        day=day,
        client_name=client,
        client_version="",
        operation_name="Old",
        signature_hash=signature_hash("query Old{members{population}}"),
        source="hub",
        signature="query Old{members{population}}",
        coordinates=(coordinate,),
        count=4,
    )


async def test_usage_of_lists_clients_and_operations_per_coordinate(database_url: str) -> None:
    # Given usage of one field by two clients today
    today = datetime.now(UTC).date()
    database = Database(database_url)
    try:
        await save(database, [_count(today, "web"), _count(today, "ios"), _count(today, "web")])
        # When the schema checks ask who uses it, and a field nobody uses
        found = await usage_of(database, ["Member.population", "Member.country"], 30)
    finally:
        await database.dispose()
    # then each client's operation is there with its count, and the other field has none.
    hashed = signature_hash("query Old{members{population}}")
    assert found == {
        "Member.country": [],
        "Member.population": [
            CoordinateUse("web", "", "Old", hashed, 8),
            CoordinateUse("ios", "", "Old", hashed, 4),
        ],
    }


REPORT = {
    "operations": [
        {
            "client": {"name": "web", "version": "1.2"},
            "operationName": "AfricaDaylight",
            "signature": "query AfricaDaylight{members{edges{node{daylight{hours}}}}}",
            "fields": ["Query.members", "Member.daylight", "Daylight.hours"],
            "count": 3,
        }
    ]
}


async def test_only_gateways_post_usage(database_url: str, keys: Keys) -> None:
    async with running_hub(database_url) as http:
        # When a report comes without a key, or with a staff key, it is refused
        anonymous = await http.post("/usage", json=REPORT)
        staff = await http.post("/usage", json=REPORT, headers=_bearer(keys.staff))
        assert anonymous.status_code == 401
        assert "Hub-Gateway-Key" in anonymous.json()["errors"][0]["message"]
        assert staff.status_code == 403
        # and with the gateway's key it is accepted
        accepted = await http.post("/usage", json=REPORT, headers={"hub-gateway-key": keys.gateway})
        assert accepted.status_code == 202, accepted.text
        assert accepted.json() == {"accepted": 1}
    # then only the gateway's report is counted, partner fields included.
    uses = await _uses(database_url, "Member.daylight")
    assert [
        (use.client_name, use.client_version, use.operation_name, use.count) for use in uses
    ] == [("web", "1.2", "AfricaDaylight", 3)]


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ([], 'A usage report is a JSON object {"operations": [...]}'),
        ({"operations": [{"client": {"name": "web"}, "signature": "{a}"}]}, "operations[0].fields"),
        (
            {"operations": [{**REPORT["operations"][0], "fields": ["Member.daylight", "not one"]}]},
            "`operations[0].fields[1]` must be a schema coordinate",
        ),
        (
            {"operations": [{**REPORT["operations"][0], "count": 0}]},
            "`operations[0].count` must be a whole number",
        ),
        (
            {
                "operations": [
                    REPORT["operations"][0],
                    {"client": {}, "signature": "{a}", "fields": []},
                ]
            },
            "`operations[1].client.name` must be a non-empty string",
        ),
    ],
)
async def test_a_bad_report_is_refused_whole(
    database_url: str, keys: Keys, report: Any, message: str
) -> None:
    async with running_hub(database_url) as http:
        # When a gateway posts a report with a mistake
        response = await http.post("/usage", json=report, headers={"hub-gateway-key": keys.gateway})
        # then it gets 400 saying what was wrong
        assert response.status_code == 400
        assert message in response.json()["errors"][0]["message"]
    # and nothing of it is kept.
    assert await _uses(database_url, "Member.daylight") == []


async def test_staff_read_field_usage_and_clients(database_url: str, keys: Keys) -> None:
    # Given usage by two clients, written
    async with running_hub(database_url) as http:
        await _ask(http, POPULATION, {"first": 2}, APOLLO_CLIENT)
        await _ask(http, POPULATION, {"first": 2}, GRAPHQL_CLIENT)
    async with running_hub(database_url) as http:
        # When staff ask who uses `Member.population`, and which clients there are
        usage = await _ask(
            http, FIELD_USAGE, {"coordinate": "Member.population"}, _bearer(keys.staff)
        )
        seen = await _ask(http, CLIENTS, headers=_bearer(keys.staff))
        # while others are refused
        refused = await _ask(http, CLIENTS, headers=_bearer(keys.partner))
        bad = await _ask(http, FIELD_USAGE, {"coordinate": "population"}, _bearer(keys.staff))
    # then each client's operation is there with its count
    field = usage["data"]["fieldUsage"]
    assert field["count"] == 2
    assert {
        (use["clientName"], use["clientVersion"], use["operationName"]) for use in field["uses"]
    } == {
        ("web", "1.2", "Populations"),
        ("ios", "7", "Populations"),
    }
    # and the clients by name and version (staff's own questions are not written yet)
    names = {(c["name"], c["version"]): c["requestCount"] for c in seen["data"]["clients"]}
    assert names == {("web", "1.2"): 1, ("ios", "7"): 1}
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "A schema coordinate is a field as `Type.field`" in bad["errors"][0]["message"]


DEPRECATING = build_schema(
    """
    type Query { member: Member }
    type Member {
      name: String
      population: Int @deprecated(reason: "Use `inhabitants`.")
      area: Float @deprecated(reason: "Use `surface`.")
      inhabitants: Int
    }
    """
)


async def test_deprecated_fields_nobody_uses_are_listed(database_url: str) -> None:
    # Given a schema with two deprecated fields, one of which a client still reads
    today = datetime.now(UTC).date()
    database = Database(database_url)
    try:
        await save(database, [_count(today, "web", "Member.population")])
        # When the unused deprecated fields are asked for
        unused = await unused_deprecated_fields(database, DEPRECATING, 30)
    finally:
        await database.dispose()
    # then only the one nobody reads is safe to remove.
    assert [(field.coordinate, field.reason) for field in unused] == [
        ("Member.area", "Use `surface`.")
    ]
    assert len(deprecated_fields(DEPRECATING)) == 2


async def test_the_hub_has_no_deprecated_field_to_remove(database_url: str, keys: Keys) -> None:
    async with running_hub(database_url) as http:
        body = await _ask(http, UNUSED, headers=_bearer(keys.staff))
    assert body["data"] == {"unusedDeprecatedFields": []}


async def test_clients_lists_nothing_before_any_usage(database_url: str) -> None:
    database = Database(database_url)
    try:
        assert await clients(database, 30) == []
    finally:
        await database.dispose()
