"""Federation `_entities` batches: priced by what they run, bounded in size,
each record read once however often it is named, and every position
answered in order, bad references included."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from starlette.applications import Starlette

from server import create_app
from settings import Settings
from tests.conftest import GraphQLClient, StatementCounter, hub_settings

# Two thousand references are a body of ~100 KiB: over the default 64 KiB
# (`HUB_MAX_BODY_BYTES`), which a gateway hop may raise. The batches here are
# checked at the hub with a raised body limit; everything else is the default
# production hub, queried anonymously.
BODY_LIMIT = 1024 * 1024

ATTACK = """
query Attack($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Member {
      name
      neighbours(depth: 3) { totalCount edges { distance node { __typename } } }
    }
  }
}
"""

NAMES = """
query Names($representations: [_Any!]!) {
  _entities(representations: $representations) { __typename ... on Member { id name } }
}
"""

MEMBERS = "{ members(first: 100) { edges { node { id name } } } }"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return hub_settings(database_url, max_body_bytes=BODY_LIMIT)


async def _members(graphql: GraphQLClient) -> list[dict[str, str]]:
    edges = (await graphql.data(MEMBERS))["members"]["edges"]
    assert len(edges) == 75
    return [edge["node"] for edge in edges]


def _references(members: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    return [{"__typename": "Member", "id": members[n % len(members)]["id"]} for n in range(count)]


def _global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    found: dict[str, Any] = error
    return found


async def test_a_costly_batch_of_neighbourhoods_is_refused_before_any_sql(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given 1,200 references to the 70 members, each asking for its 3-hop
    # neighbourhood, in a body the default limit lets through,
    representations = _references(await _members(graphql), 1200)
    body = {"query": ATTACK, "variables": {"representations": representations}}
    assert len(orjson.dumps(body)) < 64 * 1024

    # when an anonymous caller sends them to the production hub,
    sql.reset()
    error = _only_error(await graphql.post(ATTACK, {"representations": representations}))

    # then it is refused by its cost, every position's neighbourhood priced,
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "a request may cost at most 1000" in error["message"]
    # before a single statement ran.
    assert sql.count == 0, sql.statements


@pytest.fixture
def parameters(app: Starlette) -> Iterator[list[Any]]:
    """The parameters of each statement the app sends."""
    sent: list[Any] = []
    engine = app.state.hub.database.engine.sync_engine

    def on_execute(_conn: Any, _cursor: Any, _statement: str, params: Any, *_args: Any) -> None:
        sent.append(params)

    event.listen(engine, "before_cursor_execute", on_execute)
    yield sent
    event.remove(engine, "before_cursor_execute", on_execute)


def _bound_ids(params: Any) -> list[int]:
    """The ids a batched read binds as one value (db/id_lists.py): a JSON
    array on SQLite, an array on PostgreSQL."""
    for value in params:
        if isinstance(value, list):
            return value
        if isinstance(value, str) and value.startswith("["):
            return list(orjson.loads(value))
    raise AssertionError(f"no ids among {params!r}")


async def test_two_thousand_references_to_every_member_read_each_once(
    graphql: GraphQLClient, sql: StatementCounter, parameters: list[Any]
) -> None:
    # Given 2,000 references to the 75 members, each named 26 or 27 times,
    members = await _members(graphql)
    representations = _references(members, 2000)

    # when the gateway asks for their names in one request,
    sql.reset()
    body = await graphql.post(NAMES, {"representations": representations})

    # then every position is answered, in request order, duplicates included,
    assert "errors" not in body, body["errors"]
    names = {member["id"]: member["name"] for member in members}
    entities = body["data"]["_entities"]
    assert len(entities) == 2000
    assert [(e["__typename"], e["id"], e["name"]) for e in entities] == [
        ("Member", r["id"], names[r["id"]]) for r in representations
    ]
    # priced at a point per member read (the names are free),
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 75
    assert cost["estimatedNodes"] == 2000
    # with one statement that reads each member once: the ids it binds name
    # each of the 75 members once.
    assert sql.count == 1, sql.statements
    ids = _bound_ids(parameters[-1])
    assert len(ids) == len(set(ids)) == 75


async def test_more_representations_than_the_limit_are_refused_before_any_sql(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given 2,001 representations, one more than a request may name,
    representations = _references(await _members(graphql), 2001)

    # when they are sent to the hub directly,
    sql.reset()
    error = _only_error(await graphql.post(NAMES, {"representations": representations}))

    # then the request is refused with the limit and what to do,
    assert error["extensions"]["code"] == "TOO_MANY_REPRESENTATIONS"
    assert error["message"] == (
        "This request names 2,001 federation representations; a request may name at most "
        "2,000. Split the references over several requests."
    )
    # before any statement ran.
    assert sql.count == 0, sql.statements


TWO_BATCHES = """
query Two($first: [_Any!]!, $second: [_Any!]!) {
  one: _entities(representations: $first) { __typename }
  two: _entities(representations: $second) { __typename }
}
"""


async def test_the_limit_counts_every_batch_of_the_request(graphql: GraphQLClient) -> None:
    # Given two batches of 1,000 and 1,001 representations in one request
    references = _references(await _members(graphql), 2001)
    variables = {"first": references[:1000], "second": references[1000:]}

    # then together they are over the limit.
    error = _only_error(await graphql.post(TWO_BATCHES, variables))
    assert error["extensions"]["code"] == "TOO_MANY_REPRESENTATIONS"
    assert "names 2,001 federation representations" in error["message"]


async def test_the_limit_is_a_setting(database_url: str) -> None:
    # Given a hub that takes at most 10 representations a request
    settings = hub_settings(database_url, max_representations=10)
    assert Settings.from_env({"HUB_MAX_REPRESENTATIONS": "10"}).max_representations == 10
    async with (
        LifespanManager(create_app(settings)) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(manager.app), base_url="http://hub.test"
        ) as http,
    ):
        graphql = GraphQLClient(http)
        references = _references(await _members(graphql), 11)
        # then 10 are answered and 11 refused.
        answered = await graphql.data(NAMES, {"representations": references[:10]})
        assert len(answered["_entities"]) == 10
        error = _only_error(await graphql.post(NAMES, {"representations": references}))
        assert "at most 10." in error["message"]


BAD_REFERENCES = [
    "Member",
    {"id": _global_id("Member", 1)},
    {"__typename": "PageInfo", "id": _global_id("Member", 1)},
    {"__typename": "Query", "id": _global_id("Member", 1)},
    {"__typename": "Member"},
    {"__typename": "Member", "id": 1},
    {"__typename": "Member", "id": "not-an-id"},
    {"__typename": "Member", "id": _global_id("Partner", 1)},
    {"__typename": "Member", "id": _global_id("Member", 1)},
]


async def test_bad_references_get_an_error_at_their_position_and_the_rest_an_answer(
    graphql: GraphQLClient,
) -> None:
    # When the batch holds references of every malformed kind, and a good one last,
    body = await graphql.post(NAMES, {"representations": BAD_REFERENCES})

    # then each bad one is null with an error that says what was wrong,
    entities = body["data"]["_entities"]
    assert entities[:-1] == [None] * (len(BAD_REFERENCES) - 1)
    assert entities[-1] == {"__typename": "Member", "id": _global_id("Member", 1), "name": "Kazan"}
    by_position = {error["path"][1]: error for error in body["errors"]}
    codes = [by_position[n]["extensions"]["code"] for n in range(len(BAD_REFERENCES) - 1)]
    assert codes == [
        "INVALID_REPRESENTATION",
        "UNKNOWN_ENTITY_TYPE",
        "UNKNOWN_ENTITY_TYPE",
        "UNKNOWN_ENTITY_TYPE",
        "INVALID_REPRESENTATION",
        "INVALID_REPRESENTATION",
        "INVALID_ID",
        "WRONG_ID_TYPE",
    ]
    message = by_position[2]["message"]
    assert "`__typename` 'PageInfo', which is not an entity of this subgraph" in message
    # and none is an internal error.
    assert all("Internal error" not in error["message"] for error in body["errors"])
