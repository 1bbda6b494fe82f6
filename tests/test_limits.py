"""Request limits, each at its boundary: at the limit passes, one over fails
with an error that says which limit and what to do."""

from __future__ import annotations

from typing import Any

import pytest

import schema as hub_schema
from schema.limits import Limits
from tests.conftest import GraphQLClient


def _error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    found: dict[str, Any] = error
    return found


def _nested(depth: int) -> str:
    """A query `depth` objects deep: regions > members > region > members ..."""
    inner = "name"
    for level in range(depth, 0, -1):
        if level == 1:
            inner = f"regions(first: 1) {{ edges {{ node {{ {inner} }} }} }}"
        elif level % 2 == 0:
            inner = f"members(first: 1) {{ edges {{ node {{ {inner} }} }} }}"
        else:
            inner = f"region {{ {inner} }}"
    return "{ " + inner + " }"


async def test_depth(graphql: GraphQLClient) -> None:
    assert "errors" not in await graphql.post(_nested(8))
    error = _error(await graphql.post(_nested(9)))
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert "9 objects deep; at most 8" in error["message"]


def _tokens(conditions: int, extra: str = "") -> str:
    """A document of 16 + 9 x `conditions` tokens (+ one per word in `extra`)."""
    parts = " ".join('{name: {eq: "a"}}' for _ in range(conditions))
    return f"{{ members(where: {{and: [{parts}]}}) {{ totalCount {extra}}} }}"


async def test_tokens(graphql: GraphQLClient) -> None:
    exactly_1000 = _tokens(109, "__typename " * 3)
    assert "errors" not in await graphql.post(exactly_1000)
    error = _error(await graphql.post(_tokens(109, "__typename " * 4)))
    assert "more than 1000 tokens" in error["message"]


async def test_aliases_counted_through_fragments(graphql: GraphQLClient) -> None:
    def document(count: int) -> str:
        aliases = " ".join(f"a{i}: __typename" for i in range(count - 5))
        fragment = " ".join(f"f{i}: __typename" for i in range(5))
        return f"query {{ {aliases} ...F }} fragment F on Query {{ {fragment} }}"

    assert "errors" not in await graphql.post(document(15))
    error = _error(await graphql.post(document(16)))
    assert "16 aliases found. Allowed: 15" in error["message"]


async def test_directives(graphql: GraphQLClient) -> None:
    # The same field repeated (aliases are limited to 15).
    def document(count: int) -> str:
        return "{ " + "__typename @include(if: true) " * count + "}"

    assert "errors" not in await graphql.post(document(50))
    error = _error(await graphql.post(document(51)))
    assert error["extensions"]["code"] == "TOO_MANY_DIRECTIVES"


COSTLY = """
query Costly($regions: Int!) {
  members(first: 99) { edges { node { initiatives(first: 8) { edges { node { title } } } } } }
  regions(first: $regions) { edges { node { name } } }
}
"""


async def test_cost(graphql: GraphQLClient) -> None:
    # 1 + 99 x (member 1 + its initiatives list 1 + 8 initiatives) + 1 + regions.
    body = await graphql.post(COSTLY, {"regions": 8})
    assert "errors" not in body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1000
    assert body["extensions"]["cost"]["maximumAvailable"] == 1000
    assert 0 < body["extensions"]["cost"]["actualQueryCost"] <= 1000
    error = _error(await graphql.post(COSTLY, {"regions": 9}))
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "costs 1001 points; a request may cost at most 1000" in error["message"]


SIZED = """
query Sized($inner: Int!) {
  members(first: 100) { edges { node { initiatives(first: $inner) { totalCount } } } }
}
"""


async def test_node_estimate(graphql: GraphQLClient) -> None:
    # 100 members + 100 x 99 initiatives = 10,000 nodes: allowed; 100 x 100 is not.
    body = await graphql.post(SIZED, {"inner": 99})
    assert "errors" not in body
    assert body["extensions"]["cost"]["estimatedNodes"] == 10_000
    error = _error(await graphql.post(SIZED, {"inner": 100}))
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"


ONE_OF_TYPES = """
query OneOf($id: ID!) {
  node(id: $id) {
    id
    ... on Member { initiatives(first: 40) { edges { node { title } } } }
    ... on Partner { initiatives(first: 30) { edges { node { title } } } }
    ... on Initiative { members(first: 40) { edges { node { name } } } }
    ...Interface
  }
}
fragment Interface on Node { ... on Region { members(first: 10) { totalCount } } }
"""


async def test_fragments_on_different_types_cost_the_dearest_one(graphql: GraphQLClient) -> None:
    # Given fragments on three object types under `node`, of which an answer holds one
    body = await graphql.post(ONE_OF_TYPES, {"id": "TWVtYmVyOjIw"})

    # then the request costs the dearest fragment's share, not their sum:
    # node 1 + the member's initiatives 1 + 40 initiatives + the fragment on
    # Node, counted as always there (Region's members 1), not 1 + 82 + 31 + 1.
    assert "errors" not in body, body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 1 + 40 + 1


async def test_mutations_cost_ten(graphql: GraphQLClient) -> None:
    body = await graphql.post(
        'mutation { memberArchive(input: {id: "x", expectedVersion: 1}) { userErrors { code } } }'
    )
    # The payload (1), its unpaged userErrors list (counted as 5), and 10 for a mutation.
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 5 + 10


async def test_execution_time_budget(
    graphql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_schema, "LIMITS", Limits(time_seconds=0.000_001))
    error = _error(await graphql.post("{ members(first: 100) { totalCount } }"))
    assert error["extensions"]["code"] == "TIMEOUT"
    assert "longer than" in error["message"]
    monkeypatch.undo()
    assert (await graphql.post("{ regions { totalCount } }"))["data"]["regions"]["totalCount"] == 4
