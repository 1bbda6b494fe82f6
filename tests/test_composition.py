"""Composition with the real composers (Apollo, The Guild, WunderGraph) and the
registry of partner subgraphs."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import strawberry
from strawberry.asgi import GraphQL

import schema as hub_schema
from db.engine import Database
from db.models import Role
from engine.limits import LIMITS
from engine.time_budget import allow_up_to, time_budget
from federation.examples import city_indicators
from resolvers.access.keys import issue_key
from resolvers.composition import COMPOSERS, SubgraphSource, compose
from resolvers.errors import UserInputError
from resolvers.registry import list_subgraphs, register, supergraph
from schema import sdl
from settings import Settings
from tests.conftest import GraphQLClient, serving


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The hub in development mode: `_service` for anyone (see test_exposure.py).
    return Settings(database_url=database_url, development=True)


@strawberry.federation.type(keys=["id"])
class Member:
    """A partner's subgraph that clashes with the hub: `Member.name` as an Int."""

    id: strawberry.ID
    name: int

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Member:
        return cls(id=representation["id"], name=0)


CONFLICTING = strawberry.federation.Schema(types=[Member], federation_version="2.9")


@pytest.fixture
def example_subgraph() -> Iterator[str]:
    with serving(city_indicators.app) as origin:
        yield f"{origin}/graphql"


@pytest.fixture
def conflicting_subgraph() -> Iterator[str]:
    with serving(GraphQL(CONFLICTING, graphql_ide=None)) as origin:
        yield f"{origin}/graphql"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


HUB = SubgraphSource("hub", "http://127.0.0.1:8000/graphql", sdl())
EXAMPLE = SubgraphSource(
    "city-indicators", "http://127.0.0.1:8001/graphql", city_indicators.schema.as_str()
)


async def test_live_hub_sdl_and_the_example_compose_under_all_three_composers(
    graphql: GraphQLClient,
) -> None:
    served = (await graphql.data("{ _service { sdl } }"))["_service"]["sdl"]
    hub = SubgraphSource("hub", HUB.url, served)
    results = await compose([hub, EXAMPLE])
    assert [r.composer for r in results] == list(COMPOSERS)
    for result in results:
        assert result.ok, (result.composer, result.errors)
        assert result.supergraph_sdl is not None
        assert "daylight" in result.supergraph_sdl
        assert "durationYears" in result.supergraph_sdl


RELAY_STYLE_PARTNER = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])

interface Node { id: ID! }

type PageInfo @shareable {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type Event @key(fields: "id") { id: ID! title: String! host: Member }
type EventEdge { cursor: String! node: Event! }
type EventConnection { pageInfo: PageInfo! edges: [EventEdge!]! }
type Member @key(fields: "id") { id: ID! }

type Query { events(first: Int, after: String): EventConnection! }
"""


async def test_a_relay_style_partner_shares_page_info_and_the_node_interface() -> None:
    partner = SubgraphSource("events", "http://127.0.0.1:8003/graphql", RELAY_STYLE_PARTNER)
    for result in await compose([HUB, partner]):
        assert result.ok, (result.composer, result.errors)
    # `Node` is the hub's entity interface: the hub must define every type that
    # implements it (Apollo's rule), so a partner's own types do not; partners
    # extend the hub's nodes with `@interfaceObject` instead (test_entity_interface.py).
    implementing = RELAY_STYLE_PARTNER.replace("type Event @key", "type Event implements Node @key")
    own_node = SubgraphSource("events", partner.url, implementing)
    [apollo] = [r for r in await compose([HUB, own_node]) if r.composer == "apollo"]
    assert not apollo.ok
    assert "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE" in apollo.errors[0], apollo.errors
    # `Query.node` stays the hub's: its runtime types differ from any partner's,
    # so a second `node` field cannot compose (the composers' rule).
    with_node = RELAY_STYLE_PARTNER.replace("type Query {", "type Query { node(id: ID!): Node")
    clash = SubgraphSource("events", partner.url, with_node)
    assert not any(result.ok for result in await compose([HUB, clash]))


async def test_a_conflicting_subgraph_fails_under_every_composer() -> None:
    conflicting = SubgraphSource("clash", "http://127.0.0.1:8002/graphql", CONFLICTING.as_str())
    results = await compose([HUB, conflicting])
    for result in results:
        assert not result.ok, result.composer
        assert result.errors
        assert any("name" in error for error in result.errors), result.errors


async def test_registry_accepts_a_composing_subgraph_and_writes_the_supergraph(
    database: Database, example_subgraph: str
) -> None:
    registration = await register(database, HUB, "city-indicators", example_subgraph)
    assert registration.accepted, registration.messages
    result = await supergraph(database, HUB)
    assert result.ok
    assert result.supergraph_sdl is not None
    assert example_subgraph in result.supergraph_sdl
    assert "daylight" in result.supergraph_sdl


async def test_a_conflicting_registration_is_rejected_and_the_supergraph_stands(
    database: Database, example_subgraph: str, conflicting_subgraph: str
) -> None:
    # Given an accepted subgraph and the supergraph it makes,
    assert (await register(database, HUB, "city-indicators", example_subgraph)).accepted
    before = (await supergraph(database, HUB)).supergraph_sdl

    # when a subgraph that redefines Member.name as an Int registers,
    rejected = await register(database, HUB, "clash", conflicting_subgraph)

    # then Apollo's composer rejects it with its own messages, the others'
    # rejections kept as warnings,
    assert not rejected.accepted
    assert {message.split(":", 1)[0] for message in rejected.messages} == {"apollo"}
    assert {warning.split(":", 1)[0] for warning in rejected.warnings} == {"guild", "wundergraph"}
    assert any("Member.name" in message for message in rejected.messages), rejected.messages
    assert rejected.summary == (
        "rejected: clash does not compose; no version of this subgraph has been accepted "
        "yet, so gateways do not route to it."
    )
    # the supergraph is unchanged,
    assert (await supergraph(database, HUB)).supergraph_sdl == before
    # and the registry shows the failed attempt with its messages.
    statuses = {s.name: s for s in await list_subgraphs(database)}
    assert statuses["clash"].last_outcome == "rejected"
    assert statuses["clash"].current_since is None
    assert statuses["clash"].messages == rejected.messages
    assert statuses["clash"].warnings == rejected.warnings
    assert statuses["city-indicators"].last_outcome == "accepted"


@pytest.mark.parametrize(
    ("name", "url", "code"),
    [
        ("City Indicators", "http://127.0.0.1:1/graphql", "INVALID_SUBGRAPH_NAME"),
        ("hub", "http://127.0.0.1:1/graphql", "RESERVED_NAME"),
        ("events", "ftp://example/graphql", "INVALID_SUBGRAPH_URL"),
        ("events", "http://127.0.0.1:1/graphql", "SUBGRAPH_UNREACHABLE"),
    ],
)
async def test_bad_registrations_say_what_is_wrong(
    database: Database, name: str, url: str, code: str
) -> None:
    with pytest.raises(UserInputError) as raised:
        await register(database, HUB, name, url)
    assert raised.value.code == code
    assert await list_subgraphs(database) == []


REGISTER = """
mutation Register($input: SubgraphRegisterInput!) {
  subgraphRegister(input: $input) { accepted messages warnings error }
}
"""
SUBGRAPHS = "{ subgraphs { name url lastOutcome messages } }"


async def test_staff_register_subgraphs_through_the_api(
    client: httpx.AsyncClient,
    database_url: str,
    example_subgraph: str,
    conflicting_subgraph: str,
) -> None:
    database = Database(database_url)
    staff = (await issue_key(database, name="staff", role=Role.STAFF)).key
    partner = (await issue_key(database, name="app", role=Role.PARTNER, partner_id=1)).key
    await database.dispose()

    async def post(query: str, variables: dict[str, Any], key: str) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {key}"}
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    good = {"input": {"name": "city-indicators", "url": example_subgraph}}
    accepted = await post(REGISTER, good, staff)
    assert accepted["data"]["subgraphRegister"] == {
        "accepted": True,
        "messages": [],
        "warnings": [],
        "error": None,
    }
    clash = {"input": {"name": "clash", "url": conflicting_subgraph}}
    rejected = (await post(REGISTER, clash, staff))["data"]["subgraphRegister"]
    assert rejected["accepted"] is False
    assert any("Member.name" in message for message in rejected["messages"])
    listed = (await post(SUBGRAPHS, {}, staff))["data"]["subgraphs"]
    assert [(s["name"], s["lastOutcome"]) for s in listed] == [
        ("city-indicators", "accepted"),
        ("clash", "rejected"),
    ]
    bad = await post(REGISTER, {"input": {"name": "Bad Name", "url": "x"}}, staff)
    assert "is not valid" in bad["data"]["subgraphRegister"]["error"]
    # Partner keys may not register subgraphs.
    denied = await post(REGISTER, good, partner)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_registering_may_outlast_the_ordinary_time_budget(
    client: httpx.AsyncClient,
    database_url: str,
    example_subgraph: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a time budget far shorter than running the composers takes
    monkeypatch.setattr(hub_schema, "LIMITS", dataclasses.replace(LIMITS, time_seconds=0.2))
    database = Database(database_url)
    staff = (await issue_key(database, name="staff", role=Role.STAFF)).key
    await database.dispose()
    headers = {"authorization": f"Bearer {staff}"}
    good = {"input": {"name": "city-indicators", "url": example_subgraph}}
    # When staff register a subgraph
    response = await client.post(
        "/graphql", json={"query": REGISTER, "variables": good}, headers=headers
    )
    # Then the registration runs to its end (bounded by the fetch's and the
    # composers' own timeouts) and is accepted
    assert response.json()["data"] == {
        "subgraphRegister": {"accepted": True, "messages": [], "warnings": [], "error": None}
    }


async def test_the_longer_allowance_is_for_the_request_that_asks_for_it() -> None:
    # Given a block with a short time budget that allows itself longer
    async with time_budget(0.05) as statements:
        allow_up_to(5)
        await asyncio.sleep(0.2)
    # Then it ran to its end, and its statements' deadline moved with it
    assert not statements.passed
    # And a block that does not ask is stopped at its budget
    with pytest.raises(TimeoutError):
        async with time_budget(0.05):
            await asyncio.sleep(0.2)
