"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): media
types, status codes and malformed requests, and graphql-http's audit suite run
against the live hub."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from strawberry.http import GraphQLHTTPResponse

from app.view import HubGraphQL
from settings import Settings
from tests.conftest import serving

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

TYPENAME = "{ __typename }"
TWO_OPERATIONS = "query A { a: __typename } query B { b: __typename }"
NODE = "query Node($id: ID!) { node(id: $id) { id } }"
MUTATION = "mutation { __typename }"

AUDIT = Path(__file__).resolve().parent.parent / "audit"
# The audits that send GET requests without any header that forces a CORS
# preflight: the hub refuses those (CSRF prevention, see tests/test_cross_site.py).
# All three are MAYs; with the header, each passes.
REFUSED_WITHOUT_PREFLIGHT_HEADER = {
    "5A70": "MAY accept application/x-www-form-urlencoded formatted GET requests",
    "D6D5": "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting "
    "application/graphql-response+json",
    "6A70": "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting "
    "application/json",
}


async def _post(
    client: httpx.AsyncClient, body: object, accept: str | None = None
) -> httpx.Response:
    headers = {"content-type": JSON}
    if accept is not None:
        headers["accept"] = accept
    return await client.post("/graphql", content=json.dumps(body), headers=headers)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (JSON, JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
        (f"{JSON};q=0, */*", GRAPHQL_RESPONSE),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
    ],
)
async def test_the_answer_comes_in_the_media_type_the_client_prefers(
    client: httpx.AsyncClient, accept: str | None, media_type: str
) -> None:
    # Given a query, when the client accepts `accept`,
    response = await _post(client, {"query": TYPENAME}, accept)

    # then the answer is in the media type it prefers of the two the hub speaks.
    assert response.status_code == 200
    assert _media_type(response) == media_type
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("accept", ["text/html", "text/plain, image/*", "not a media type"])
async def test_a_client_accepting_neither_media_type_gets_406(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await _post(client, {"query": TYPENAME}, accept)

    assert response.status_code == 406
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "NOT_ACCEPTABLE"
    assert GRAPHQL_RESPONSE in error["message"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": ""}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ members { nonsense } }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": NODE, "variables": {"id": None}}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": NODE}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": TWO_OPERATIONS}, "OPERATION_RESOLUTION_FAILURE"),
        ({"query": TWO_OPERATIONS, "operationName": "C"}, "OPERATION_RESOLUTION_FAILURE"),
        ({"query": "fragment F on Query { __typename }"}, "OPERATION_RESOLUTION_FAILURE"),
    ],
    ids=[
        "parsing",
        "empty-document",
        "validation",
        "variable-coercion",
        "missing-variable",
        "several-operations-unnamed",
        "unknown-operation",
        "no-operation",
    ],
)
async def test_a_request_that_fails_before_execution_is_a_400_only_under_the_new_media_type(
    client: httpx.AsyncClient, body: dict[str, Any], code: str
) -> None:
    # Given a request that fails before anything runs,
    # when the client accepts application/graphql-response+json,
    strict = await _post(client, body, GRAPHQL_RESPONSE)
    # or only application/json (a legacy client),
    legacy = await _post(client, body, JSON)

    # then the answer is 400 under the first and 200 under the second (where a 4xx
    # could come from any proxy), with the same errors and no `data` entry.
    assert (strict.status_code, _media_type(strict)) == (400, GRAPHQL_RESPONSE)
    assert (legacy.status_code, _media_type(legacy)) == (200, JSON)
    assert strict.json() == legacy.json()
    assert "data" not in strict.json()
    assert {error["extensions"]["code"] for error in strict.json()["errors"]} == {code}


async def test_a_field_error_during_execution_is_a_200_with_data(
    client: httpx.AsyncClient,
) -> None:
    # Given a valid query for a node that does not exist, under the new media type,
    response = await _post(
        client, {"query": NODE, "variables": {"id": "not-an-id"}}, GRAPHQL_RESPONSE
    )

    # then it ran: 200, with `data` and the field's error.
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"node": None}
    assert body["errors"][0]["path"] == ["node"]


async def test_operation_name_picks_the_operation_to_run(client: httpx.AsyncClient) -> None:
    response = await _post(client, {"query": TWO_OPERATIONS, "operationName": "B"})

    assert response.json()["data"] == {"b": "Query"}


async def test_null_and_object_parameters_are_accepted(client: httpx.AsyncClient) -> None:
    for body in (
        {"query": TYPENAME, "variables": None, "operationName": None, "extensions": None},
        {"query": TYPENAME, "variables": {}, "extensions": {"some": "value"}},
    ):
        response = await _post(client, body, GRAPHQL_RESPONSE)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    ("content", "mentions"),
    [
        (b'{"query": "{ __typename "', "JSON"),
        (b"", "JSON"),
        (b'"{ __typename }"', "one JSON object"),
        (b'[{"query": "{ __typename }"}]', "one JSON object"),
        (b"42", "one JSON object"),
        (b'{"notquery": "{ __typename }"}', "`query`"),
        (b'{"query": null}', "`query`"),
        (b'{"query": 42}', "`query`"),
        (b'{"query": false}', "`query`"),
        (b'{"query": ["{ __typename }"]}', "`query`"),
        (b'{"query": {"obj": "ect"}}', "`query`"),
        (b'{"query": "{ __typename }", "operationName": 0}', "`operationName`"),
        (b'{"query": "{ __typename }", "operationName": ["Q"]}', "`operationName`"),
        (b'{"query": "{ __typename }", "variables": "{}"}', "`variables`"),
        (b'{"query": "{ __typename }", "variables": [7]}', "`variables`"),
        (b'{"query": "{ __typename }", "extensions": "x"}', "`extensions`"),
        (b'{"query": "{ __typename }", "extensions": false}', "`extensions`"),
    ],
)
@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
async def test_a_malformed_request_is_a_400_naming_what_to_fix(
    client: httpx.AsyncClient, content: bytes, mentions: str, accept: str
) -> None:
    # Given a body that is not a well-formed GraphQL-over-HTTP request,
    response = await client.post(
        "/graphql", content=content, headers={"content-type": JSON, "accept": accept}
    )

    # then it is refused with 400, as a GraphQL response in the accepted media type.
    assert response.status_code == 400
    assert _media_type(response) == accept
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert mentions in error["message"]


async def test_other_methods_are_refused_with_405(client: httpx.AsyncClient) -> None:
    response = await client.request("PUT", "/graphql", json={"query": TYPENAME})

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_an_internal_error_before_execution_is_a_500_under_the_new_media_type(
    app: Starlette,
) -> None:
    # Given the hub's view and an answer with no data whose error the hub masked,
    [view] = [r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql"]
    assert isinstance(view, HubGraphQL)
    masked: GraphQLHTTPResponse = {
        "errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
    }

    # when it is answered under each media type,
    for media_type, status in ((GRAPHQL_RESPONSE, 500), (JSON, 200)):
        sub_response = Response()
        sub_response.media_type = media_type
        response = view.create_response(masked, sub_response)

        # then the new one says whose fault it was.
        assert (response.status_code, response.media_type) == (status, media_type)


def _audit(origin: str, *headers: str) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node is not None, "the audit needs Node.js 20+"
    assert (AUDIT / "node_modules").is_dir(), "run `npm ci --prefix audit` (make test does)"
    arguments = [a for header in headers for a in ("--header", header)]
    finished = subprocess.run(
        [node, str(AUDIT / "run.mjs"), f"{origin}/graphql", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode in (0, 1), finished.stderr
    return [json.loads(line) for line in finished.stdout.splitlines()]


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The audit checks the protocol, with introspection queries among its
    # probes and over a hundred anonymous requests in a few seconds: production's
    # exposure rules and rate budgets have their own tests (test_exposure.py,
    # test_budgets.py).
    return Settings(database_url=database_url, anonymous_budget="10000/minute", development=True)


def test_graphql_http_audit_passes(app: Starlette) -> None:
    # Given the hub under uvicorn,
    with serving(app) as origin:
        # when graphql-http's audits run as a client that sends a preflight header,
        results = _audit(origin, "apollo-require-preflight: true")
        # and as they come, without one,
        bare = _audit(origin)

    # then every audit passes with the header, MUSTs, SHOULDs and MAYs alike;
    assert len(results) >= 60, results
    assert [r for r in results if r["status"] != "ok"] == []
    # without it, only the GET requests a browser could forge cross-site are refused.
    refused = {r["id"]: r["name"] for r in bare if r["status"] != "ok"}
    assert refused == REFUSED_WITHOUT_PREFLIGHT_HEADER
    assert {r["id"] for r in bare} == {r["id"] for r in results}
