"""Rate budgets: anonymous requests per address, failed authentications per
address, and partner keys' points, in memory and shared through Redis."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager

from db.engine import Database
from db.models import Role
from resolvers.access.keys import issue_key, new_key
from server import create_app
from settings import Settings

REDIS_URL = "async+redis://127.0.0.1:6379"
COSTS_11 = "{ members(first: 10) { edges { node { name } } } }"  # the list 1 + 10 members
RATE_LIMIT = "{ rateLimit { unit cost limit remaining resetAt } }"
# Well formed, with its checksum, but issued to no one: each try is a lookup.
WRONG_KEY = new_key()


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
        # Given an address that failed to authenticate as often as it may,
        for _ in range(2):
            assert (await _post(http, "{ __typename }", WRONG_KEY)).status_code == 401
        # when it tries another key that is not valid, it is refused for its failures;
        refused = await _post(http, "{ __typename }", WRONG_KEY)
        assert refused.status_code == 429
        assert "failed authentications" in refused.json()["errors"][0]["message"]
        # a valid key from the same address (behind the same proxy, say) still works.
        assert (await _post(http, "{ __typename }", good)).status_code == 200


@pytest.mark.parametrize("path", ["/health", "/metrics", "/ready", "/", "/explorer"])
async def test_failed_authentications_count_on_every_route_that_reads_a_key(
    database_url: str, path: str
) -> None:
    settings = Settings(database_url=database_url, failed_auth_budget="2/minute")
    async with hub(settings) as http:
        bad = {"authorization": f"Bearer {WRONG_KEY}"}
        statuses = [(await http.get(path, headers=bad)).status_code for _ in range(3)]
        assert statuses == [401, 401, 429]
        # The address's failures are spent on the API too.
        assert (await _post(http, "{ __typename }", WRONG_KEY)).status_code == 429


@asynccontextmanager
async def hub_behind(settings: Settings, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    """The hub, reached from `peer` (a proxy's address, or a client's)."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(manager.app, client=(peer, 40_000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


async def _forwarded_statuses(http: httpx.AsyncClient, count: int) -> list[int]:
    statuses = []
    for n in range(count):
        response = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"x-forwarded-for": f"203.0.113.{n + 1}"},
        )
        statuses.append(response.status_code)
    return statuses


async def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
    database_url: str,
) -> None:
    untrusting = Settings(database_url=database_url, anonymous_budget="3/minute")
    # Given no trusted proxy, a client that forges a new address per request
    # still spends one budget, its own;
    async with hub_behind(untrusting, "127.0.0.1") as http:
        assert await _forwarded_statuses(http, 4) == [200, 200, 200, 429]
    # so does a peer that is not among the trusted proxies.
    trusted = dataclasses.replace(untrusting, trusted_proxies=("10.0.0.0/8",))
    async with hub_behind(trusted, "192.0.2.7") as http:
        assert await _forwarded_statuses(http, 4) == [200, 200, 200, 429]
    # Behind a trusted proxy, each client it forwards has a budget of its own.
    async with hub_behind(trusted, "10.1.2.3") as http:
        assert await _forwarded_statuses(http, 4) == [200, 200, 200, 200]
        for _ in range(3):
            await _post_from(http, "198.51.100.1")
        assert (await _post_from(http, "198.51.100.1")).status_code == 429


async def _post_from(http: httpx.AsyncClient, address: str) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-forwarded-for": address}
    )


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert Settings.from_env({"HUB_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}).trusted_proxies == (
        "10.0.0.0/8",
        "::1",
    )
    with pytest.raises(ValueError, match="IP addresses or networks"):
        Settings.from_env({"HUB_TRUSTED_PROXIES": "proxy.internal"})


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
        # (a moment in UTC that a JavaScript `Date` reads as UTC, not as local time)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", status["resetAt"])
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


@pytest.mark.parametrize(
    ("first", "second", "shared"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", True),
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("::ffff:198.51.100.7", "198.51.100.7", True),
        ("198.51.100.7", "198.51.100.8", False),
    ],
)
async def test_an_ipv6_network_of_one_host_spends_one_budget(
    database_url: str, first: str, second: str, shared: bool
) -> None:
    settings = Settings(database_url=database_url, anonymous_budget="3/minute")
    async with LifespanManager(create_app(settings)) as manager:

        async def post_from(peer: str) -> int:
            transport = httpx.ASGITransport(manager.app, client=(peer, 40_000))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                return (await _post(http, "{ __typename }")).status_code

        # Given an address that spent its budget of three requests,
        assert [await post_from(first) for _ in range(3)] == [200, 200, 200]
        # when another address of the same /64 (or the same IPv4 address) asks,
        status = await post_from(second)
    # then it is refused; an address of another network is not.
    assert status == (429 if shared else 200)
