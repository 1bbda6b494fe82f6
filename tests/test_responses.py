"""The response cache (resolvers/responses.py): anonymous answers are served
again until any write, by the API or not, changes the data; nothing else is
kept."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from db.engine import Database
from db.models import Partner
from db.versions import DataVersion
from resolvers.responses import ResponseCache
from tests.conftest import StatementCounter

PARTNERS = """
query Partners($first: Int!) {
  partners(first: $first) { totalCount edges { node { id name website version } } }
}
"""
UPDATE = """
mutation Update($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) { partner { id website version } userErrors { code } }
}
"""


async def _post(
    client: httpx.AsyncClient, query: str, variables: Any = None, key: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def test_an_anonymous_answer_is_served_again_without_reading_the_data(
    client: httpx.AsyncClient, sql: StatementCounter, app: Starlette
) -> None:
    first = await _post(client, PARTNERS, {"first": 5})
    sql.reset()
    again = await _post(client, PARTNERS, {"first": 5})
    # Only the data version was read (the counter leaves that check out).
    assert sql.count == 0
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert b'"cost"' in again.content  # the extensions come back too
    # Other variables are another answer.
    sql.reset()
    other = (await _post(client, PARTNERS, {"first": 6})).json()
    assert sql.count > 0
    assert len(other["data"]["partners"]["edges"]) == 6
    assert len(app.state.hub.responses) == 2


async def test_a_write_through_the_api_is_seen_at_once(
    client: httpx.AsyncClient, staff_key: str
) -> None:
    before = (await _post(client, PARTNERS, {"first": 1})).json()["data"]
    partner = before["partners"]["edges"][0]["node"]
    variables = {
        "input": {
            "id": partner["id"],
            "expectedVersion": partner["version"],
            "website": "https://example.org/changed",
        }
    }
    body = (await _post(client, UPDATE, variables, staff_key)).json()
    assert body["data"]["partnerUpdate"]["userErrors"] == []
    after = (await _post(client, PARTNERS, {"first": 1})).json()["data"]
    assert after["partners"]["edges"][0]["node"]["website"] == "https://example.org/changed"
    assert after["partners"]["edges"][0]["node"]["version"] == partner["version"] + 1


async def test_a_write_from_outside_the_hub_is_seen_at_once(
    client: httpx.AsyncClient, database_url: str
) -> None:
    before = (await _post(client, PARTNERS, {"first": 1})).json()["data"]
    name = before["partners"]["edges"][0]["node"]["name"]
    # Another process (an import, a script) writes to the database.
    database = Database(database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(
                update(Partner).where(Partner.name == name).values(website="https://elsewhere.org")
            )
    finally:
        await database.dispose()
    after = (await _post(client, PARTNERS, {"first": 1})).json()["data"]
    assert after["partners"]["edges"][0]["node"]["website"] == "https://elsewhere.org"


@pytest.mark.parametrize(
    ("query", "variables", "why"),
    [
        ("{ __typename }", None, "reads no data"),
        ("{ rateLimit { remaining } members(first: 1) { totalCount } }", None, "the budget"),
        ("{ ...Budget } fragment Budget on Query { rateLimit { remaining } }", None, "budget"),
        ("{ members(first: 500) { totalCount } }", None, "an error"),
        (UPDATE, {"input": {"id": "nope", "expectedVersion": 1}}, "a mutation"),
    ],
)
async def test_what_is_not_kept(
    client: httpx.AsyncClient, app: Starlette, query: str, variables: Any, why: str
) -> None:
    for _ in range(2):
        await _post(client, query, variables)
    assert len(app.state.hub.responses) == 0, why


async def test_callers_with_a_key_always_get_a_fresh_answer(
    client: httpx.AsyncClient, sql: StatementCounter, app: Starlette, staff_key: str
) -> None:
    for _ in range(2):
        sql.reset()
        assert (await _post(client, PARTNERS, {"first": 3}, staff_key)).status_code == 200
        assert sql.count > 0
    assert len(app.state.hub.responses) == 0


async def test_variables_the_operation_does_not_declare_make_no_new_entry(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    # Given anonymous requests that each add a large variable no operation declares,
    for n in range(5):
        response = await _post(client, PARTNERS, {"first": 3, f"unused{n}": "x" * 50_000})
        assert response.status_code == 200

    # then they share one entry, the size of a plain request's.
    assert len(app.state.hub.responses) == 1
    assert app.state.hub.responses.bytes_held < 10_000


async def test_the_cache_counts_its_keys_and_keeps_to_its_size_and_entries(
    database_url: str,
) -> None:
    database = Database(database_url)
    versions = DataVersion(database)
    try:
        cache = ResponseCache(versions, max_bytes=200_000, max_entries=1_000)
        version = await cache.version()
        # Given small answers to documents of 20 KB each (keys, not answers, are the bulk),
        for n in range(30):
            query = f"query Q{n} {{ __typename }}" + " " * 20_000
            cache.put(cache.key(query, None, None, ()), version, {"n": n}, None)
        # then the keys count: far fewer than 30 fit in 200 KB, the newest kept.
        assert cache.bytes_held <= cache.max_bytes
        assert 5 <= len(cache) < 10
        newest = "query Q29 { __typename }" + " " * 20_000
        assert cache.get(cache.key(newest, None, None, ()), version) is not None

        # Given a cache of at most 3 entries, when 5 small answers are kept,
        few = ResponseCache(versions, max_bytes=1_000_000, max_entries=3)
        for n in range(5):
            few.put(few.key(f"query {n}", None, None, ()), version, {"n": n}, None)
        # then the oldest went first.
        assert len(few) == 3
        assert few.get(few.key("query 0", None, None, ()), version) is None
        assert few.get(few.key("query 4", None, None, ()), version) is not None

        # An answer bigger than an eighth of the cache is not kept at all.
        few.put(few.key("big", None, None, ()), version, {"text": "x" * 200_000}, None)
        assert few.get(few.key("big", None, None, ()), version) is None
        # An answer from an older version of the data is dropped, not served.
        assert few.get(few.key("query 4", None, None, ()), version + 1) is None
        assert len(few) == 2
    finally:
        await versions.close()
        await database.dispose()
