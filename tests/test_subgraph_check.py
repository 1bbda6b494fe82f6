"""The `subgraphCheck` mutation: the check `metrohub subgraphs check` runs,
over the API, for staff (any subgraph) and for a partner key (its own
partner's subgraphs only); anonymous callers and other partners are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import Partner, Role
from resolvers.access.keys import issue_key
from resolvers.registry import register
from tests.conftest import post_with_key, serving
from tests.test_registry import HUB, sdl_server
from tests.test_schema_checks import PARTNER, REPORT
from tests.test_usage import running_hub

CHECK = """
mutation Check($input: SubgraphCheckInput!) {
  subgraphCheck(input: $input) {
    passed
    summary
    days
    compositionErrors
    changes {
      severity
      kind
      description
      coordinates
      brokenOperations {
        coordinate clientName clientVersion operationName signatureHash count
      }
    }
    userErrors { field message code }
  }
}
"""

REMOVED = '  "The air quality index (0-500) where the member is."\n  airQualityIndex: Int\n'
WITHOUT_AIR_QUALITY = PARTNER.replace(REMOVED, "")
WITH_POLLEN = PARTNER.replace(
    "  nightNoise: Float\n", '  nightNoise: Float\n  "Pollen."\n  pollen: Int\n'
)


@dataclass(frozen=True, slots=True)
class Keys:
    staff: str
    owner: str
    other_partner: str


@pytest.fixture
async def hub(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The hub, with the partner subgraph `air` registered to a partner, and a
    gateway's report that app `city-app` 3.1 read `Member.airQualityIndex`."""
    database = Database(database_url)
    try:
        owner_id = await database_scalar(database, select(Partner.id).order_by(Partner.id))
        with serving(sdl_server(PARTNER)) as origin:
            registration = await register(
                database, HUB, "air", f"{origin}/graphql", partner_id=owner_id
            )
        assert registration.accepted, registration.messages
        gateway = (await issue_key(database, name="edge", role=Role.GATEWAY)).key
    finally:
        await database.dispose()
    async with running_hub(database_url) as http:
        response = await http.post("/usage", json=REPORT, headers={"hub-gateway-key": gateway})
        assert response.status_code == 202, response.text
    # (a hub writes what it holds when it stops)
    async with running_hub(database_url) as http:
        yield http


@pytest.fixture
async def keys(database_url: str) -> Keys:
    """A staff key, the key of the partner that runs `air`, and another partner's."""
    database = Database(database_url)
    try:
        owner, other = (
            await database_scalars(database, select(Partner.id).order_by(Partner.id).limit(2))
        )[:2]
        return Keys(
            staff=(await issue_key(database, name="staff", role=Role.STAFF)).key,
            owner=(
                await issue_key(database, name="air team", role=Role.PARTNER, partner_id=owner)
            ).key,
            other_partner=(
                await issue_key(database, name="rival", role=Role.PARTNER, partner_id=other)
            ).key,
        )
    finally:
        await database.dispose()


async def database_scalar(database: Database, statement: Any) -> Any:
    async with database.sessions() as session:
        return await session.scalar(statement)


async def database_scalars(database: Database, statement: Any) -> list[Any]:
    async with database.sessions() as session:
        return list(await session.scalars(statement))


async def _check(
    http: httpx.AsyncClient, key: str | None, **given: Any
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    body = await post_with_key(http, CHECK, key, {"input": {"name": "air", **given}})
    return body["data"]["subgraphCheck"] if body.get("data") else None, body.get("errors", [])


async def test_staff_see_which_clients_and_operations_a_version_breaks(
    hub: httpx.AsyncClient, keys: Keys
) -> None:
    # Given the partner's next version without the field city-app reads
    # When staff check it
    payload, errors = await _check(hub, keys.staff, sdl=WITHOUT_AIR_QUALITY)
    # Then it fails, the removal listed as breaking with the operation it breaks
    assert errors == []
    assert payload is not None
    assert (payload["passed"], payload["days"], payload["userErrors"]) == (False, 30, [])
    assert payload["summary"].startswith("failed: subgraph air breaks fields clients used")
    assert payload["compositionErrors"] == []
    [change] = payload["changes"]
    assert {k: v for k, v in change.items() if k != "brokenOperations"} == {
        "severity": "BREAKING",
        "kind": "FIELD_REMOVED",
        "description": "Field Member.airQualityIndex was removed.",
        "coordinates": ["Member.airQualityIndex"],
    }
    [broken] = change["brokenOperations"]
    assert {k: v for k, v in broken.items() if k != "signatureHash"} == {
        "coordinate": "Member.airQualityIndex",
        "clientName": "city-app",
        "clientVersion": "3.1",
        "operationName": "MemberAir",
        "count": 7,
    }


async def test_the_owning_partner_checks_its_own_subgraph(
    hub: httpx.AsyncClient, keys: Keys
) -> None:
    # Given the partner's next version, which only adds a field
    # When the partner that runs it checks it with its own key, over 7 days
    payload, errors = await _check(hub, keys.owner, sdl=WITH_POLLEN, days=7)
    # Then it passes, the addition listed as safe
    assert errors == []
    assert payload is not None
    assert (payload["passed"], payload["days"]) == (True, 7)
    assert payload["changes"] == [
        {
            "severity": "SAFE",
            "kind": "FIELD_ADDED",
            "description": "Field Member.pollen was added.",
            "coordinates": [],
            "brokenOperations": [],
        }
    ]


@pytest.mark.parametrize("caller", ["other_partner", "anonymous"])
async def test_other_partners_and_anonymous_callers_are_refused(
    hub: httpx.AsyncClient, keys: Keys, caller: str
) -> None:
    # Given a caller that is not staff nor the partner running `air`
    key = None if caller == "anonymous" else getattr(keys, caller)
    # When it asks for a check of `air`
    payload, errors = await _check(hub, key, sdl=WITH_POLLEN)
    # Then it is refused with a coded error, and nothing is checked
    assert payload is None
    [error] = errors
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["path"] == ["subgraphCheck"]


async def test_a_partner_key_fetches_only_from_its_registered_url(
    hub: httpx.AsyncClient, keys: Keys
) -> None:
    # When the owning partner asks the hub to fetch its SDL from elsewhere
    payload, errors = await _check(hub, keys.owner, url="http://127.0.0.1:1/graphql")
    # Then it is refused: the hub sends no request there
    assert payload is None
    [error] = errors
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "registered URL" in error["message"]


@pytest.mark.parametrize(
    ("given", "field", "code"),
    [
        ({}, ["input"], "URL_OR_SDL"),
        ({"sdl": PARTNER, "url": "http://127.0.0.1:1/graphql"}, ["input"], "URL_OR_SDL"),
        ({"sdl": "type Member {"}, ["input", "sdl"], "INVALID_SDL"),
        ({"sdl": PARTNER, "days": 0}, ["input", "days"], "INVALID_DAYS"),
        ({"url": "ftp://example.org"}, ["input", "url"], "INVALID_SUBGRAPH_URL"),
        ({"url": "http://127.0.0.1:1/graphql"}, ["input", "url"], "SUBGRAPH_UNREACHABLE"),
        ({"name": "Air Quality", "sdl": PARTNER}, ["input", "name"], "INVALID_SUBGRAPH_NAME"),
    ],
)
async def test_bad_input_is_a_user_error_with_a_code(
    hub: httpx.AsyncClient, keys: Keys, given: dict[str, Any], field: list[str], code: str
) -> None:
    # When staff ask for a check with bad input
    payload, errors = await _check(hub, keys.staff, **given)
    # Then the payload says what is wrong, where, with a code
    assert errors == []
    assert payload is not None
    assert (payload["passed"], payload["summary"], payload["changes"]) == (False, None, [])
    [problem] = payload["userErrors"]
    assert (problem["field"], problem["code"]) == (field, code)
    assert problem["message"]
