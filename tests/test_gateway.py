"""Live gateway joins: Apollo Gateway and Hive Gateway, as the hub ships them
configured, compose the hub and the example partner subgraph; one query needs
both. What each gateway sends to the hub and to the partner, and that no
answer carries a stack trace or a file path.

One stack per gateway serves the module's tests (they only read); the partner
is the example subgraph recording the headers it gets (`GET /seen`)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import UsageOperation
from federation.stack import GATEWAYS, Stack, running_stack
from resolvers.usage import CoordinateUse, usage_of
from tests.gateway_keys import gateway_key

JOINED = """
query AfricaDaylight($date: Date!) {
  regions(first: 4) {
    edges {
      node {
        slug
        members(first: 15) {
          edges {
            node {
              id
              name
              latitude
              longitude
              daylight(date: $date) { date hours sunrise member { name region { name } } }
              initiatives(first: 5) {
                edges { node { title startYear endYear durationYears } }
              }
            }
          }
        }
      }
    }
  }
}
"""

PARTNER_ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Member { daylight(date: "2026-06-21") { hours } }
  }
}
"""


# What a stack trace or a source file looks like in an answer.
INTERNALS = re.compile(
    r"node_modules|site-packages|\.(?:m?js|ts|py)\b|\bat \S+ \(|\S+:\d+:\d+\)?$|/work/|/usr/|/tmp/"
)


@pytest.fixture(scope="module", params=GATEWAYS)
def stack(
    request: pytest.FixtureRequest,
    module_database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    with running_stack(
        module_database_url,
        tmp_path_factory.mktemp(f"{request.param}-stack"),
        gateway=request.param,
        gateway_key=gateway_key(module_database_url),
        subgraph_app="tests.recording_subgraph:app",
    ) as running:
        yield running


def _post(url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(url, json={"query": query, "variables": variables}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def test_one_query_through_the_gateway_joins_hub_and_partner_data(stack: Stack) -> None:
    # When a client asks the gateway for Africa's members with their daylight,
    data = _post(stack.gateway_url, JOINED, {"date": "2026-06-21"})
    regions = {e["node"]["slug"]: e["node"] for e in data["regions"]["edges"]}
    africa = [e["node"] for e in regions["africa"]["members"]["edges"]]
    assert len(africa) == 13

    for member in africa:
        daylight = member["daylight"]
        # then the partner subgraph computed daylight from the hub's coordinates,
        assert daylight["date"] == "2026-06-21"
        # (from about 10.5 hours at Johannesburg to 14.5 at Tangier in June)
        assert 10 < daylight["hours"] < 15
        # and its `member` field points back at the hub's record.
        assert daylight["member"] == {"name": member["name"], "region": {"name": "Africa"}}

    # The partner's answer is the one it gives for those coordinates directly.
    dakar = next(m for m in africa if m["name"] == "Dakar")
    direct = _post(
        stack.subgraph_url,
        PARTNER_ENTITIES,
        {
            "representations": [
                {
                    "__typename": "Member",
                    "id": dakar["id"],
                    "latitude": dakar["latitude"],
                    "longitude": dakar["longitude"],
                }
            ]
        },
    )
    assert direct["_entities"][0]["daylight"]["hours"] == dakar["daylight"]["hours"]

    # Initiatives gain the partner's `durationYears`, computed from the hub's years.
    initiatives = [
        edge["node"]
        for region in regions.values()
        for member in region["members"]["edges"]
        for edge in member["node"]["initiatives"]["edges"]
    ]
    assert initiatives
    for initiative in initiatives:
        if initiative["startYear"] is None or initiative["endYear"] is None:
            assert initiative["durationYears"] is None
        else:
            expected = initiative["endYear"] - initiative["startYear"] + 1
            assert initiative["durationYears"] == expected


def test_the_gateway_passes_on_the_hubs_errors(stack: Stack) -> None:
    response = httpx.post(
        stack.gateway_url, json={"query": "{ members(first: 101) { totalCount } }"}, timeout=30
    )
    errors = response.json()["errors"]
    assert "`first` must be between 1 and 100" in errors[0]["message"]
    assert errors[0]["extensions"]["code"] == "INVALID_PAGE_SIZE"


def _internals(value: Any, where: str = "") -> list[str]:
    """The stack traces and file paths anywhere in a JSON answer."""
    if isinstance(value, dict):
        found = [f"{where}.{key}" for key in value if key in {"stacktrace", "exception"}]
        return found + [hit for k, v in value.items() for hit in _internals(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [hit for i, item in enumerate(value) for hit in _internals(item, f"{where}[{i}]")]
    if isinstance(value, str) and INTERNALS.search(value):
        return [f"{where}: {value}"]
    return []


@pytest.mark.parametrize(
    ("made_by", "request_body"),
    [
        # Errors of a subgraph: the hub's refusal, the partner's bad argument.
        ("hub", {"query": "{ members(first: 101) { totalCount } }"}),
        (
            "partner",
            {
                "query": JOINED,
                "variables": {"date": "the longest day"},
            },
        ),
        # Errors of the gateway itself: a bad document, a bad request.
        ("gateway", {"query": "{ members(first: 1) { edges { node { nickname } } } }"}),
        ("gateway", {"query": "{ members(first: "}),
        ("gateway", {"query": JOINED, "variables": {"date": 2026}}),
        ("gateway", {"query": JOINED, "variables": "not an object"}),
        ("gateway", {"querry": "{ __typename }"}),
    ],
)
def test_error_answers_carry_no_stack_trace_nor_file_path(
    stack: Stack, made_by: str, request_body: dict[str, Any]
) -> None:
    # When a request fails at the gateway or in a subgraph,
    response = httpx.post(stack.gateway_url, json=request_body, timeout=30)
    body = response.json()

    # then the answer says what was wrong,
    assert body["errors"], body
    assert all(error["message"] for error in body["errors"])
    # and nowhere in it is a stack trace or a path of the servers' files.
    assert _internals(body) == []


def test_the_end_users_key_goes_to_the_hub_and_nothing_of_the_hubs_to_the_partner(
    stack: Stack,
) -> None:
    # Given a client that sends its key (a malformed one) and an X-Forwarded-For,
    headers = {"Authorization": "Bearer not-a-key", "X-Forwarded-For": "203.0.113.9"}
    seen_before = len(httpx.get(_seen_url(stack), timeout=10).json())

    # when it asks the gateway for hub and partner data,
    response = httpx.post(
        stack.gateway_url,
        json={"query": JOINED, "variables": {"date": "2026-06-21"}},
        headers=headers,
        timeout=30,
    )

    # then the hub judged the user's key: refused, with the hub's reason,
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "malformed" in error["message"]

    # and with a key the hub accepts, the partner is asked for daylight
    data = _post(stack.gateway_url, JOINED, {"date": "2026-06-21"})
    assert data["regions"]["edges"]
    seen = httpx.get(_seen_url(stack), timeout=10).json()[seen_before:]
    assert seen
    # without the gateway's key, the user's key or their address.
    for request_headers in seen:
        assert not {"hub-gateway-key", "authorization", "x-forwarded-for"} & request_headers.keys()


def test_usage_of_a_partner_field_is_reported_with_the_client_it_came_from(
    stack: Stack, module_database_url: str
) -> None:
    # Given a client that names itself
    client = f"daylight-{stack.gateway}"
    headers = {"apollographql-client-name": client, "apollographql-client-version": "3.1"}
    # When it asks the gateway for the partner's `daylight` of the hub's members
    response = httpx.post(
        stack.gateway_url,
        json={"query": JOINED, "variables": {"date": "2026-06-21"}},
        headers=headers,
        timeout=30,
    )
    assert "errors" not in response.json()
    # then, once the gateway and the hub have written their batches, the
    # partner's field is counted for that client and its operation,
    daylight = _wait_for_use(module_database_url, "Member.daylight", client)
    assert [(use.client_version, use.operation_name, use.count) for use in daylight] == [
        ("3.1", "AfricaDaylight", 1)
    ]
    # and the hub counted its own part (the gateway's fetches) for the same client.
    assert _hub_counted(module_database_url, client)


def _wait_for_use(database_url: str, coordinate: str, client: str) -> list[CoordinateUse]:
    """The uses of `coordinate` by `client`, once written: the gateway and the
    hub each write every 5 s (HUB_USAGE_FLUSH_SECONDS)."""
    deadline = time.monotonic() + 60
    while True:
        uses = [use for use in _uses(database_url, coordinate) if use.client_name == client]
        if uses or time.monotonic() > deadline:
            return uses
        time.sleep(0.5)


def _uses(database_url: str, coordinate: str) -> list[CoordinateUse]:
    async def read() -> list[CoordinateUse]:
        database = Database(database_url)
        try:
            return (await usage_of(database, [coordinate], 30))[coordinate]
        finally:
            await database.dispose()

    return asyncio.run(read())


def _hub_counted(database_url: str, client: str) -> list[str]:
    async def read() -> list[str]:
        database = Database(database_url)
        try:
            async with database.sessions() as session:
                names = await session.scalars(
                    select(UsageOperation.operation_name).where(
                        UsageOperation.client_name == client, UsageOperation.source == "hub"
                    )
                )
                return list(names)
        finally:
            await database.dispose()

    return asyncio.run(read())


def _seen_url(stack: Stack) -> str:
    return stack.subgraph_url.removesuffix("/graphql") + "/seen"
