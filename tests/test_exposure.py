"""Production mode (the default): introspection for staff keys, the subgraph
SDL for gateway keys and staff (gateway hops: tests/test_gateway_hops.py), and
no "Did you mean" for others."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from graphql import build_client_schema, build_schema, get_introspection_query, print_schema

from db.engine import Database
from db.models import Role
from resolvers.access.keys import issue_key
from server import create_app
from settings import Settings

INTROSPECTION = "{ __schema { queryType { name } } }"
SERVICE = "{ _service { sdl } }"
TYPO = "{ membrs { totalCount } }"


@pytest.fixture
async def keys(database_url: str) -> dict[str, str | None]:
    database = Database(database_url)
    keys: dict[str, str | None] = {"anonymous": None}
    keys["partner"] = (await issue_key(database, name="app", role=Role.PARTNER, partner_id=1)).key
    keys["staff"] = (await issue_key(database, name="staff", role=Role.STAFF)).key
    keys["gateway"] = (await issue_key(database, name="gateway", role=Role.GATEWAY)).key
    await database.dispose()
    return keys


async def _ask(
    settings: Settings, query: str, key: str | None, variables: dict[str, Any] | None = None
) -> dict[str, object]:
    app = create_app(settings)
    headers = {"authorization": f"Bearer {key}"} if key else {}
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize(
    ("who", "introspect", "service"),
    [
        ("anonymous", False, False),
        ("partner", False, False),
        ("gateway", False, True),
        ("staff", True, True),
    ],
)
async def test_production_shows_the_schema_to_whom_it_is_for(
    database_url: str, keys: dict[str, str | None], who: str, introspect: bool, service: bool
) -> None:
    settings = Settings(database_url=database_url)
    for query, allowed in ((INTROSPECTION, introspect), (SERVICE, service)):
        body = await _ask(settings, query, keys[who])
        if allowed:
            assert "errors" not in body, body
        else:
            errors: list[dict[str, dict[str, str]]] = body["errors"]  # type: ignore[assignment]
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_suggestions_are_for_staff_and_development(
    database_url: str, keys: dict[str, str | None]
) -> None:
    production = Settings(database_url=database_url)
    anonymous = await _ask(production, TYPO, None)
    assert anonymous["errors"][0]["message"] == "Cannot query field 'membrs' on type 'Query'."  # type: ignore[index]
    staff = await _ask(production, TYPO, keys["staff"])
    assert "Did you mean 'members'?" in staff["errors"][0]["message"]  # type: ignore[index]
    development = await _ask(Settings(database_url=database_url, development=True), TYPO, None)
    assert "Did you mean 'members'?" in development["errors"][0]["message"]  # type: ignore[index]
    assert "errors" not in await _ask(
        Settings(database_url=database_url, development=True), SERVICE, None
    )


FILTERED = "query Filtered($where: PartnerWhere) { partners(where: $where) { totalCount } }"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        # An unknown input field: graphql-core suggests, then quotes the value ("Found: ...").
        pytest.param('{ partners(where: {nme: {eq: "x"}}) { totalCount } }', None, id="literal"),
        pytest.param(FILTERED, {"where": {"nme": {"eq": "x"}}}, id="variable"),
        pytest.param(FILTERED, {"where": {"or": [{"nme": {"eq": "x"}}]}}, id="in-a-list"),
    ],
)
async def test_suggestions_are_stripped_wherever_they_are_in_the_message(
    database_url: str,
    keys: dict[str, str | None],
    query: str,
    variables: dict[str, Any] | None,
) -> None:
    def message(body: dict[str, object]) -> str:
        errors: list[dict[str, str]] = body["errors"]  # type: ignore[assignment]
        return errors[0]["message"]

    # Given a document with an unknown input field, in production
    production = Settings(database_url=database_url)
    anonymous = message(await _ask(production, query, None, variables))

    # then an anonymous caller is told what is wrong but not which names would do
    assert "unknown field 'nme'" in anonymous
    assert "Did you mean" not in anonymous
    assert "'name'" not in anonymous
    assert "Found:" in anonymous  # what follows the suggestion stays

    # while staff, and everyone in development mode, still get the suggestion
    development = Settings(database_url=database_url, development=True)
    for settings, key in ((production, keys["staff"]), (development, None)):
        assert "Did you mean 'name'" in message(await _ask(settings, query, key, variables))


async def test_the_introspection_graphiql_sends_passes_the_limits(
    database_url: str, keys: dict[str, str | None]
) -> None:
    # The whole introspection query nests `ofType` deeper than any data query may.
    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    body = await _ask(Settings(database_url=database_url), query, keys["staff"])
    assert "errors" not in body, body
    schema: dict[str, Any] = body["data"]["__schema"]  # type: ignore[index]
    assert schema["queryType"]["name"] == "Query"


async def test_fragments_at_the_root_do_not_hide_introspection(
    database_url: str, keys: dict[str, str | None]
) -> None:
    for query in (
        "{ ...Shape } fragment Shape on Query { __schema { queryType { name } } }",
        '{ ... on Query { __type(name: "Member") { name } } }',
        "{ ...Sdl } fragment Sdl on Query { _service { sdl } }",
    ):
        body = await _ask(Settings(database_url=database_url), query, keys["anonymous"])
        errors: list[dict[str, dict[str, str]]] = body["errors"]  # type: ignore[assignment]
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], query


async def _get(settings: Settings, path: str, key: str | None) -> httpx.Response:
    app = create_app(settings)
    headers = {"authorization": f"Bearer {key}"} if key else {}
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        return await http.get(path, headers=headers)


async def test_everyone_may_read_the_client_schema_over_http(database_url: str) -> None:
    # Given a hub in production mode, and an anonymous caller
    settings = Settings(database_url=database_url)
    # When it asks for the client schema, as SDL and as an introspection result
    sdl = await _get(settings, "/schema.graphql", None)
    introspection = await _get(settings, "/schema.json", None)
    # Then both describe the API partner apps query, without federation's machinery
    assert sdl.status_code == 200
    assert sdl.headers["content-type"].startswith("text/plain")
    schema = build_schema(sdl.text)
    assert schema.get_type("Member") is not None
    assert not {"_entities", "_Any", "@key"} & set(re.findall(r"@?\w+", sdl.text))
    assert introspection.status_code == 200
    client = build_client_schema(introspection.json()["data"])
    assert print_schema(client) == print_schema(schema)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("partner", False), ("gateway", True), ("staff", True)],
)
async def test_the_subgraph_schema_file_is_for_the_gateway_and_staff(
    database_url: str, keys: dict[str, str | None], who: str, allowed: bool
) -> None:
    # Given a hub in production mode
    settings = Settings(database_url=database_url)
    # When a caller asks for the subgraph SDL file
    response = await _get(settings, "/subgraph.graphql", keys[who])
    # Then the gateway's key and staff keys get it, valid on its own, and others a 403
    if allowed:
        assert response.status_code == 200
        assert "directive @key" in response.text
        assert build_schema(response.text).get_type("_Entity") is not None
    else:
        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
