"""The hub as an Apollo Federation v2 subgraph: `_service` and `_entities`."""

from __future__ import annotations

import base64

import pytest

from schema import FEDERATION_VERSION, sdl
from settings import Settings
from tests.conftest import GraphQLClient, StatementCounter

SERVICE = "query { _service { sdl } }"

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Node { id }
    ... on Member { name }
    ... on Partner { name }
    ... on Initiative { title }
    ... on UclgSection { name }
    ... on Region { name }
  }
}
"""

IDS = """
query Ids {
  members(first: 50) { edges { node { id name } } }
  partners(first: 3) { edges { node { id name } } }
  initiatives(first: 3) { edges { node { id title } } }
  uclgSections(first: 3) { edges { node { id name } } }
  regions(first: 4) { edges { node { id name } } }
}
"""


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The hub in development mode: `_service` for anyone (see test_exposure.py).
    return Settings(database_url=database_url, development=True)


def global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def test_service_sdl_is_the_checked_in_federation_schema(graphql: GraphQLClient) -> None:
    data = await graphql.data(SERVICE)
    served = data["_service"]["sdl"]
    assert f'@link(url: "https://specs.apollo.dev/federation/v{FEDERATION_VERSION}"' in served
    for type_name in ("Member", "Partner", "Initiative", "UclgSection", "Region"):
        assert f'type {type_name} implements Node @key(fields: "id")' in served
    assert served.strip() == sdl().strip()


@pytest.mark.parametrize(
    ("type_name", "label"),
    [
        ("members", "name"),
        ("partners", "name"),
        ("initiatives", "title"),
        ("uclgSections", "name"),
        ("regions", "name"),
    ],
)
async def test_entities_resolve_each_entity_type_by_its_global_id(
    graphql: GraphQLClient, type_name: str, label: str
) -> None:
    nodes = [e["node"] for e in (await graphql.data(IDS))[type_name]["edges"]]
    representations = [
        {"__typename": base64.b64decode(n["id"]).decode().split(":")[0], "id": n["id"]}
        for n in nodes
    ]
    data = await graphql.data(ENTITIES, {"representations": representations})
    assert [(e["id"], e[label]) for e in data["_entities"]] == [(n["id"], n[label]) for n in nodes]


async def test_entities_answer_in_order_with_null_for_unknown_keys(graphql: GraphQLClient) -> None:
    representations = [
        {"__typename": "Member", "id": global_id("Member", 9999)},
        {"__typename": "Region", "id": global_id("Region", 1)},
        {"__typename": "Member", "id": global_id("Member", 1)},
    ]
    data = await graphql.data(ENTITIES, {"representations": representations})
    entities = data["_entities"]
    assert entities[0] is None
    assert entities[1]["__typename"] == "Region"
    assert entities[2] == {"__typename": "Member", "id": global_id("Member", 1), "name": "Kazan"}


async def test_entities_with_a_key_of_another_type_is_an_error_for_that_entry(
    graphql: GraphQLClient,
) -> None:
    representations = [
        {"__typename": "Member", "id": global_id("Partner", 1)},
        {"__typename": "Member", "id": "not-an-id"},
        {"__typename": "Member", "id": global_id("Member", 2)},
    ]
    body = await graphql.post(ENTITIES, {"representations": representations})
    assert body["data"]["_entities"][0] is None
    assert body["data"]["_entities"][1] is None
    assert body["data"]["_entities"][2]["name"] == "Goyang"
    codes = sorted(error["extensions"]["code"] for error in body["errors"])
    assert codes == ["INVALID_ID", "WRONG_ID_TYPE"]
    assert all("Traceback" not in error["message"] for error in body["errors"])


async def test_fifty_representations_of_one_type_cost_one_statement(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    members = (await graphql.data(IDS))["members"]["edges"]
    assert len(members) == 50
    representations = [{"__typename": "Member", "id": e["node"]["id"]} for e in members]
    sql.reset()
    data = await graphql.data(ENTITIES, {"representations": representations})
    assert [e["name"] for e in data["_entities"]] == [e["node"]["name"] for e in members]
    assert sql.count == 1, sql.statements


MIXED = """
query Mixed {
  members(first: 50) { edges { node { id name } } }
  partners(first: 20) { edges { node { id name } } }
  initiatives(first: 15) { edges { node { id title } } }
  uclgSections(first: 6) { edges { node { id name } } }
  regions(first: 4) { edges { node { id name } } }
}
"""


async def test_hundred_mixed_representations_in_order_one_statement_per_type(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given 95 known entities of five types and 5 unknown keys, interleaved,
    data = await graphql.data(MIXED)
    known = [
        (type_name, edge["node"])
        for field, type_name in (
            ("members", "Member"),
            ("partners", "Partner"),
            ("initiatives", "Initiative"),
            ("uclgSections", "UclgSection"),
            ("regions", "Region"),
        )
        for edge in data[field]["edges"]
    ]
    assert len(known) == 95
    unknown = [("Member", {"id": global_id("Member", 10_000 + n)}) for n in range(3)]
    unknown += [("Partner", {"id": global_id("Partner", 10_000)})]
    unknown += [("Initiative", {"id": global_id("Initiative", 10_000)})]
    wanted = known[::2] + unknown + known[1::2]
    assert len(wanted) == 100
    representations = [{"__typename": t, "id": node["id"]} for t, node in wanted]

    # when the gateway asks for all of them at once,
    sql.reset()
    entities = (await graphql.data(ENTITIES, {"representations": representations}))["_entities"]

    # then they come back in request order, null for the unknown keys,
    expected = [None if n >= 10_000 else node["id"] for t, node in wanted for n in [_pk(node)]]
    assert [e and e["id"] for e in entities] == expected
    assert entities.count(None) == 5
    # and each type costs one statement.
    assert sql.count == 5, sql.statements


def _pk(node: dict[str, str]) -> int:
    return int(base64.b64decode(node["id"]).decode().split(":")[1])


async def test_node_representations_resolve_to_the_type_their_id_names(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given references to the `Node` entity interface, as a partner's
    # `@interfaceObject` sends them, mixed with a concrete one,
    member, partner = global_id("Member", 1), global_id("Partner", 1)
    representations = [
        {"__typename": "Node", "id": member},
        {"__typename": "Node", "id": partner},
        {"__typename": "Member", "id": member},
        {"__typename": "Node", "id": global_id("Member", 9999)},
    ]

    # when the gateway asks for them,
    sql.reset()
    entities = (await graphql.data(ENTITIES, {"representations": representations}))["_entities"]

    # then each is the record of the type its ID names (unknown: null),
    assert [e and (e["__typename"], e["id"]) for e in entities] == [
        ("Member", member),
        ("Partner", partner),
        ("Member", member),
        None,
    ]
    assert entities[0]["name"] == "Kazan"
    # read with one statement per type.
    assert sql.count == 2, sql.statements
