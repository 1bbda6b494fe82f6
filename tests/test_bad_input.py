"""Bad input gets a clear GraphQL error with a code: never a 500, a stack
trace, SQL or a file path."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.conftest import GraphQLClient

MEMBERS = """
query Members($first: Int, $after: String) {
  members(first: $first, after: $after) { totalCount }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Member { name } } }"
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
NESTED_PAGE = """
query Nested($first: Int) {
  regions(first: 1) { edges { node { members(first: $first) { totalCount } } } }
}
"""

LEAKS = ("Traceback", "sqlalchemy", "SELECT ", ".py", "/work/", "Error:")


def _assert_clean(body: dict[str, object]) -> None:
    text = str(body)
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} leaked into {text}"


@pytest.mark.parametrize("first", [0, -1, 101, 2147483647])
async def test_page_size_outside_1_to_100_is_rejected(graphql: GraphQLClient, first: int) -> None:
    for document in (MEMBERS, NESTED_PAGE):
        body = await graphql.post(document, {"first": first})
        [error] = body["errors"]
        assert error["extensions"]["code"] == "INVALID_PAGE_SIZE"
        assert f"got {first}" in error["message"]
        assert "between 1 and 100" in error["message"]
        _assert_clean(body)


async def test_page_size_at_the_limits_is_accepted(graphql: GraphQLClient) -> None:
    for first in (1, 100):
        data = await graphql.data(MEMBERS, {"first": first})
        assert data["members"]["totalCount"] == 75


@pytest.mark.parametrize(
    "cursor",
    ["zz", "", base64.urlsafe_b64encode(b'{"a": 1}').decode(), base64.b64encode(b"[1]").decode()],
)
async def test_a_cursor_this_api_did_not_issue_is_rejected(
    graphql: GraphQLClient, cursor: str
) -> None:
    body = await graphql.post(MEMBERS, {"first": 5, "after": cursor})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert "cursor" in error["message"]
    _assert_clean(body)


NEAR = """
query Near($after: String) {
  near(latitude: 41.4, longitude: 2.2, km: 2000, after: $after) { totalCount }
}
"""


def _cursor(key: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


# Keys of the right length whose values are of the wrong types for the list's
# sort columns: text where it sorts by an id, a number where it sorts by text.
# PostgreSQL refuses to compare them (SQLite would compare anything).
@pytest.mark.parametrize(
    ("document", "key"),
    [
        (MEMBERS, ["Barcelona", "5f16e1fe"]),
        (MEMBERS, [12, 3]),
        (NEAR, [-0.62, 11, "5f16e1fe"]),
        (NEAR, ["far", "Member", 1]),
    ],
)
async def test_a_cursor_of_another_list_is_rejected_not_compared(
    graphql: GraphQLClient, document: str, key: list[object]
) -> None:
    body = await graphql.post(document, {"after": _cursor(key)})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert "different list" in error["message"]
    _assert_clean(body)


async def test_unknown_id_is_an_error_naming_it(graphql: GraphQLClient) -> None:
    unknown = base64.b64encode(b"Member:99999").decode()
    body = await graphql.post(NODE, {"id": unknown})
    assert body["data"] == {"node": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["message"] == f"No Member has the ID {unknown!r}."


@pytest.mark.parametrize(
    "value",
    [
        "not-an-id",
        base64.b64encode(b"Member:abc").decode(),
        base64.b64encode(b"Planet:1").decode(),
        base64.b64encode(b"no colon").decode(),
        "' OR 1=1 --",
    ],
)
async def test_malformed_id_is_an_error(graphql: GraphQLClient, value: str) -> None:
    body = await graphql.post(NODE, {"id": value})
    assert body["data"] == {"node": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_ID"
    assert "is not an ID from this API" in error["message"]
    _assert_clean(body)


async def test_nodes_answers_in_order_with_errors_for_bad_entries(graphql: GraphQLClient) -> None:
    ids = [
        base64.b64encode(b"Member:2").decode(),
        "broken",
        base64.b64encode(b"Partner:1").decode(),
    ]
    body = await graphql.post(NODES, {"ids": ids})
    assert [n and n["id"] for n in body["data"]["nodes"]] == [ids[0], None, ids[2]]
    [error] = body["errors"]
    assert error["path"] == ["nodes", 1]
    assert error["extensions"]["code"] == "INVALID_ID"


async def test_nodes_refuses_more_than_100_ids(graphql: GraphQLClient) -> None:
    ids = [base64.b64encode(f"Member:{i}".encode()).decode() for i in range(1, 102)]
    body = await graphql.post(NODES, {"ids": ids})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "TOO_MANY_IDS"


async def test_unknown_field_is_a_validation_error(graphql: GraphQLClient) -> None:
    body = await graphql.post("{ members { totalCount population } }")
    [error] = body["errors"]
    assert error["message"] == "Cannot query field 'population' on type 'MemberConnection'."
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "data" not in body or body["data"] is None


async def test_wrong_argument_type_is_a_validation_error(graphql: GraphQLClient) -> None:
    body = await graphql.post("{ members(first: 1e9) { totalCount } }")
    [error] = body["errors"]
    assert "Int cannot represent non-integer value" in error["message"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"query": 42}', "application/json"),
        (b"", "application/json"),
    ],
)
async def test_malformed_requests_get_a_4xx(
    client: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    response = await client.post(
        "/graphql", content=content, headers={"content-type": content_type}
    )
    assert 400 <= response.status_code < 500, response.text
    assert "Traceback" not in response.text
