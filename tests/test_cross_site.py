"""Requests from other sites: GET runs queries only, and only with a header that
browsers cannot forge cross-site (CSRF prevention); POST takes JSON only; CORS
answers the configured origins alone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from server import create_app
from settings import Settings

TYPENAME = "{ __typename }"
MEMBERS = "query Members($first: Int) { members(first: $first) { totalCount } }"
MUTATION = "mutation { __typename }"
ALLOWED = "https://app.example.org"
ELSEWHERE = "https://evil.example.net"


@pytest.fixture
async def cors_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a hub whose settings allow pages on ALLOWED to call it."""
    app = create_app(Settings(database_url=database_url, cors_origins=(ALLOWED,)))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        yield http


@pytest.mark.parametrize(
    "headers",
    [
        {"apollo-require-preflight": "true"},
        {"x-apollo-operation-name": "Members"},
        {"content-type": "application/json"},
        {"content-type": "application/graphql-response+json"},
    ],
)
async def test_a_get_query_with_a_preflight_header_runs(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": MEMBERS, "variables": '{"first": 1}', "operationName": "Members"},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"members": {"totalCount": 75}}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        # Accept is safelisted: a page may set it without a preflight.
        {"accept": "application/graphql-response+json"},
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "multipart/form-data; boundary=x"},
        {"apollo-require-preflight": ""},
    ],
)
async def test_a_get_query_a_browser_could_send_cross_site_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/graphql", params={"query": TYPENAME}, headers=headers)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "CSRF" in error["message"]
    assert "apollo-require-preflight" in error["message"]


async def test_graphiql_needs_no_preflight_header(client: httpx.AsyncClient) -> None:
    # A browser opening /graphql gets the page (which POSTs its requests as JSON).
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "GraphiQL" in response.text


async def test_a_get_mutation_is_refused_with_405(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": MUTATION}, headers={"apollo-require-preflight": "true"}
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "POST" in error["message"]


async def test_a_get_mutation_without_a_preflight_header_is_refused_as_csrf_first(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/graphql", params={"query": MUTATION})

    assert response.status_code == 400
    assert "CSRF" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        "text/plain;charset=UTF-8",
    ],
)
async def test_form_and_plain_text_posts_are_refused_with_415(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post(
        "/graphql", content=f"query={TYPENAME}", headers={"content-type": content_type}
    )

    assert response.status_code == 415
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert content_type.split(";")[0] in error["message"]
    assert "Content-Type: application/json" in error["message"]


@pytest.mark.parametrize(
    "content_type", [None, "application/graphql", "application/json; charset=latin-1"]
)
async def test_a_post_that_is_not_utf8_json_is_refused_with_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = await client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers=headers
    )

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
async def test_json_posts_are_accepted_with_a_charset_or_in_any_case(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers={"content-type": content_type}
    )

    assert response.json()["data"] == {"__typename": "Query"}


def _preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_cors_preflight_from_an_allowed_origin_is_answered(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.options("/graphql", headers=_preflight(ALLOWED))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers
    assert "apollo-require-preflight" in allowed_headers
    assert "access-control-allow-credentials" not in response.headers


async def test_cors_preflight_from_another_origin_is_refused(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.options("/graphql", headers=_preflight(ELSEWHERE))

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_cors_headers_go_to_allowed_origins_only(cors_client: httpx.AsyncClient) -> None:
    allowed = await cors_client.post(
        "/graphql", json={"query": TYPENAME}, headers={"origin": ALLOWED}
    )
    elsewhere = await cors_client.post(
        "/graphql", json={"query": TYPENAME}, headers={"origin": ELSEWHERE}
    )

    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-origin" not in elsewhere.headers


async def test_cors_headers_reach_refusals_too(cors_client: httpx.AsyncClient) -> None:
    # The page on an allowed origin can read why its request failed.
    response = await cors_client.post(
        "/graphql",
        content="query={ __typename }",
        headers={"origin": ALLOWED, "content-type": "text/plain"},
    )

    assert response.status_code == 415
    assert response.headers["access-control-allow-origin"] == ALLOWED


async def test_no_cors_headers_by_default(client: httpx.AsyncClient) -> None:
    preflight = await client.options("/graphql", headers=_preflight(ALLOWED))
    post = await client.post("/graphql", json={"query": TYPENAME}, headers={"origin": ALLOWED})

    assert preflight.status_code == 405
    assert not any(name.startswith("access-control-") for name in preflight.headers)
    assert not any(name.startswith("access-control-") for name in post.headers)
