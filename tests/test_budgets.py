"""Rate budgets: anonymous requests per address, failed authentications per
address, and partner keys' points, in memory and shared through Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager

from db.engine import Database
from db.models import Role
from resolvers.keys import issue_key
from server import create_app
from settings import Settings

REDIS_URL = "async+redis://127.0.0.1:6379"
COSTS_11 = "{ members(first: 10) { edges { node { name } } } }"  # the list 1 + 10 members
RATE_LIMIT = "{ rateLimit { unit cost limit remaining resetAt } }"


@asynccontextmanager
async def hub(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        yield http


async def _post(http: httpx.AsyncClient, query: str, key: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return await http.post("/graphql", json={"query": query}, headers=headers)


async def test_anonymous_callers_have_a_request_budget(database_url: str) -> None:
    settings = Settings(database_url=database_url, anonymous_budget="3/minute")
    async with hub(settings) as http:
        for remaining in (2, 1, 0):
            response = await _post(http, "{ __typename }")
            assert response.status_code == 200
            assert response.headers["x-ratelimit-remaining"] == str(remaining)
            assert response.headers["x-ratelimit-limit"] == "3"
        refused = await _post(http, "{ __typename }")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        [error] = refused.json()["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert "Too many requests" in error["message"]
        # Health checks and static pages spend nothing.
        assert (await http.get("/health")).status_code == 200


async def test_failed_authentications_are_limited_per_address(database_url: str) -> None:
    settings = Settings(database_url=database_url, failed_auth_budget="2/minute")
    database = Database(database_url)
    good = (await issue_key(database, name="staff", role=Role.STAFF)).key
    await database.dispose()
    async with hub(settings) as http:
        for _ in range(2):
            assert (await _post(http, "{ __typename }", "mh_live_wrong")).status_code == 401
        refused = await _post(http, "{ __typename }", good)
        assert refused.status_code == 429
        assert "failed authentications" in refused.json()["errors"][0]["message"]


async def _partner_key(database_url: str) -> tuple[str, str]:
    database = Database(database_url)
    partner = (await issue_key(database, name="app", role=Role.PARTNER, partner_id=1)).key
    staff = (await issue_key(database, name="staff", role=Role.STAFF)).key
    await database.dispose()
    return partner, staff


async def test_partner_keys_spend_points(database_url: str) -> None:
    partner, staff = await _partner_key(database_url)
    settings = Settings(
        database_url=database_url, partner_budget="20/hour", budget_namespace=uuid.uuid4().hex
    )
    async with hub(settings) as http:
        first = await _post(http, COSTS_11, partner)
        assert first.status_code == 200
        assert first.json()["extensions"]["cost"]["requestedQueryCost"] == 11
        assert first.headers["x-ratelimit-remaining"] == "9"
        assert first.headers["x-ratelimit-resource"] == "points"
        status = (await _post(http, RATE_LIMIT, partner)).json()["data"]["rateLimit"]
        assert (status["unit"], status["limit"], status["remaining"]) == ("points", 20, 8)
        refused = await _post(http, COSTS_11, partner)
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # Staff keys have no budget.
        assert (await _post(http, COSTS_11, staff)).status_code == 200
        assert (await _post(http, RATE_LIMIT, staff)).json()["data"]["rateLimit"] is None


async def test_hubs_sharing_redis_share_a_budget(database_url: str) -> None:
    partner, _ = await _partner_key(database_url)
    settings = Settings(
        database_url=database_url,
        partner_budget="20/hour",
        redis_url=REDIS_URL,
        budget_namespace=uuid.uuid4().hex,
    )
    async with hub(settings) as one, hub(settings) as two:
        assert (await _post(one, COSTS_11, partner)).status_code == 200
        refused = await _post(two, COSTS_11, partner)
        assert refused.status_code == 429


@pytest.mark.parametrize("budget", ["sixty", "5/fortnight"])
def test_a_bad_budget_setting_fails_at_start(database_url: str, budget: str) -> None:
    with pytest.raises(ValueError, match="budget"):
        create_app(Settings(database_url=database_url, partner_budget=budget))
