"""A corpus of malformed and hostile requests: each gets a 4xx, or a 200 with
errors, never a 5xx, and the hub answers normally right after."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from settings import Settings

PREFLIGHT = {"apollo-require-preflight": "true"}
JSON = {"content-type": "application/json"}


def _nested(depth: int) -> str:
    inner = "name"
    for _ in range(depth):
        inner = f"members(first: 1) {{ edges {{ node {{ region {{ {inner} }} }} }} }}"
    return "{ regions(first: 1) { edges { node { " + inner + " } } } }"


def _post_json(payload: Any) -> dict[str, Any]:
    return {"method": "POST", "content": json.dumps(payload).encode(), "headers": JSON}


def _query(query: str, variables: Any = None) -> dict[str, Any]:
    return _post_json({"query": query, "variables": variables})


FRAGMENT_ALIASES = (
    "query { ...F ...F ...F } fragment F on Query { "
    + " ".join(f"a{i}: __typename" for i in range(10))
    + " }"
)

CORPUS: dict[str, dict[str, Any]] = {
    "not JSON": {"method": "POST", "content": b"hello", "headers": JSON},
    "truncated JSON": {"method": "POST", "content": b'{"query": "{ __typ', "headers": JSON},
    "top-level array": _post_json([{"query": "{ __typename }"}]),
    "top-level number": _post_json(42),
    "top-level string": _post_json("{ __typename }"),
    "query as a number": _post_json({"query": 42}),
    "variables as a string": _post_json({"query": "{ __typename }", "variables": "{}"}),
    "unknown operationName": _post_json({"query": "query A { __typename }", "operationName": "B"}),
    "two operations, none named": _query("query A { __typename } query B { __typename }"),
    "empty body": {"method": "POST", "content": b"", "headers": JSON},
    "10 MB body": {"method": "POST", "content": b" " * 10_000_000, "headers": JSON},
    "wrong content type": {
        "method": "POST",
        "content": b'{"query": "{ __typename }"}',
        "headers": {"content-type": "text/plain"},
    },
    "form-encoded POST": {
        "method": "POST",
        "content": b"query=%7B__typename%7D",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    },
    "GET mutation": {
        "method": "GET",
        "params": {"query": "mutation { __typename }"},
        "headers": PREFLIGHT,
    },
    "1,200 tokens": _query("{ " + "__typename " * 1_198 + "}"),
    "20-level nesting": _query(_nested(10)),
    "101 aliases": _query("{ " + " ".join(f"a{i}: __typename" for i in range(101)) + " }"),
    "aliases in repeated fragments": _query(FRAGMENT_ALIASES),
    "60 directives": _query("{ " + "__typename @include(if: true) " * 60 + "}"),
    "a batch of 1,000 operations": _post_json([{"query": "{ __typename }"}] * 1_000),
    "first: 2147483647": _query("{ members(first: 2147483647) { totalCount } }"),
    "first: 1e9": _query("{ members(first: 1e9) { totalCount } }"),
    "invalid ID": _query('{ node(id: "!!!") { id } }'),
    "foreign ID": _query('{ node(id: "VXNlcjox") { id } }'),  # "User:1"
    "other-type ID": _query(
        'query { members(where: {region: {eq: "TWVtYmVyOjE="}}) { totalCount } }'
    ),
    "NUL bytes": _query(
        "{ members(where: {name: {contains: $x}}) { totalCount } }".replace("$x", '"a\\u0000b"')
    ),
    "lone surrogate": {
        "method": "POST",
        "content": b'{"query": "{ members(where: {name: {eq: \\"\\\\ud800\\"}}) { totalCount } }"}',
        "headers": JSON,
    },
    "1 MB string": _query(
        '{ members(where: {name: {contains: "' + "x" * 1_000_000 + '"}}) { totalCount } }'
    ),
}


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The corpus checks answers, not the anonymous rate budget.
    return Settings(database_url=database_url, anonymous_budget="10000/minute")


@pytest.mark.parametrize("case", sorted(CORPUS))
async def test_hostile_requests_get_a_clean_refusal(client: httpx.AsyncClient, case: str) -> None:
    request = CORPUS[case]
    response = await client.request(url="/graphql", **request)
    assert response.status_code < 500, (case, response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    if response.status_code == 200:
        body = response.json()
        assert body.get("errors"), (case, body)
    # The hub answers normally right after.
    healthy = await client.post("/graphql", json={"query": "{ regions { totalCount } }"})
    assert healthy.json()["data"] == {"regions": {"totalCount": 4}}


@pytest.mark.parametrize(
    "text", ["'; DROP TABLE members; --", "%", "_", "%_%", "\\", "Robert'); --"]
)
async def test_sql_metacharacters_in_filters_are_plain_text(
    client: httpx.AsyncClient, text: str
) -> None:
    # Filters are bound parameters, and LIKE's wildcards are escaped: no member
    # name holds these characters, so none matches, and nothing breaks.
    query = "query($t: String!) { members(where: {name: {contains: $t}}) { totalCount } }"
    body = (await client.post("/graphql", json={"query": query, "variables": {"t": text}})).json()
    assert body["data"]["members"]["totalCount"] == 0
    after = (await client.post("/graphql", json={"query": "{ members { totalCount } }"})).json()
    assert after["data"]["members"]["totalCount"] == 75
