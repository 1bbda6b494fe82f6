"""Gateway hops, in production mode: a request with a live gateway key in
`Hub-Gateway-Key` acts for the end user its forwarded `Authorization` names,
from the address the gateway appended to `X-Forwarded-For`; the gateway key
itself lends nothing but the hop (the subgraph SDL, a larger body limit)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

import cli
from db.engine import Database
from db.migrate import upgrade
from db.models import Role
from resolvers.access.keys import authenticate, issue_key, new_key
from server import create_app
from settings import Settings

CONTACT = "{ partners(first: 1) { edges { node { name contact { name email } } } } }"
RATE_LIMIT = "{ rateLimit { unit limit remaining } }"
COSTS_11 = "{ members(first: 10) { edges { node { name } } } }"
SERVICE = "{ _service { sdl } }"
TYPENAME = "{ __typename }"

GATEWAY_PEER = "192.0.2.10"  # where the gateway connects from
ELSEWHERE = "192.0.2.99"  # a client that comes straight to the hub
ALICE, BOB = "198.51.100.7", "198.51.100.8"  # end users behind the gateway


@dataclass
class Keys:
    gateway: str
    partner: str
    staff: str


@pytest.fixture
async def keys(database_url: str) -> Keys:
    database = Database(database_url)
    try:
        return Keys(
            gateway=(await issue_key(database, name="edge", role=Role.GATEWAY)).key,
            partner=(await issue_key(database, name="app", role=Role.PARTNER, partner_id=1)).key,
            staff=(await issue_key(database, name="staff", role=Role.STAFF)).key,
        )
    finally:
        await database.dispose()


Connect = Callable[[str], httpx.AsyncClient]


@asynccontextmanager
async def hub(settings: Settings) -> AsyncIterator[Connect]:
    """The hub in production mode; `connect(peer)` is a client whose
    connections come from the address `peer`."""
    settings = dataclasses.replace(settings, budget_namespace=uuid.uuid4().hex)
    app = create_app(settings)
    clients: list[httpx.AsyncClient] = []

    def connect(peer: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(manager.app, client=(peer, 40_000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://hub.test"))
        return clients[-1]

    async with LifespanManager(app) as manager:
        try:
            yield connect
        finally:
            for client in clients:
                await client.aclose()


async def _post(
    http: httpx.AsyncClient,
    query: str,
    *,
    gateway: str | None = None,
    user: str | None = None,
    forwarded: str | None = None,
    variables: dict[str, Any] | None = None,
) -> httpx.Response:
    """A request as a gateway sends it: its own key, the end user's
    `Authorization` and the `X-Forwarded-For` it built (each when given)."""
    headers = {}
    if gateway is not None:
        headers["hub-gateway-key"] = gateway
    if user is not None:
        headers["authorization"] = f"Bearer {user}"
    if forwarded is not None:
        headers["x-forwarded-for"] = forwarded
    return await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def test_an_anonymous_end_user_reads_through_a_hop_what_it_reads_directly(
    database_url: str, keys: Keys
) -> None:
    async with hub(Settings(database_url=database_url)) as connect:
        gateway, direct = connect(GATEWAY_PEER), connect(ELSEWHERE)
        # When an anonymous end user asks for a partner's contact through the gateway
        hop = await _post(gateway, CONTACT, gateway=keys.gateway, forwarded=ALICE)
        # and an anonymous caller asks the hub directly,
        asked = await _post(direct, CONTACT)
    # then both get the partner with its contact null and FORBIDDEN, alike.
    assert hop.status_code == asked.status_code == 200
    assert hop.json() == asked.json()
    [edge] = hop.json()["data"]["partners"]["edges"]
    assert edge["node"]["contact"] is None
    assert _codes(hop.json()) == ["FORBIDDEN"]


async def test_a_partner_end_user_reads_its_contact_and_spends_its_own_budget(
    database_url: str, keys: Keys
) -> None:
    settings = Settings(database_url=database_url, partner_budget="100/hour")
    async with hub(settings) as connect:
        gateway, direct = connect(GATEWAY_PEER), connect(GATEWAY_PEER)
        # Given the gateway key's own request budget, as it stands
        before = await _post(direct, RATE_LIMIT, user=keys.gateway)
        assert before.json()["data"]["rateLimit"]["unit"] == "requests"
        gateway_left = before.json()["data"]["rateLimit"]["remaining"]

        # When a partner's key is forwarded through gateway hops
        read = await _post(gateway, CONTACT, gateway=keys.gateway, user=keys.partner)
        costly = await _post(gateway, COSTS_11, gateway=keys.gateway, user=keys.partner)
        status = await _post(gateway, RATE_LIMIT, gateway=keys.gateway, user=keys.partner)

        # then the partner reads its contact
        assert "errors" not in read.json(), read.json()
        [edge] = read.json()["data"]["partners"]["edges"]
        assert edge["node"]["contact"] is not None
        # and its points budget moves, in the headers and in `rateLimit`,
        assert read.headers["x-ratelimit-resource"] == "points"
        spent_first = 100 - int(read.headers["x-ratelimit-remaining"])
        assert spent_first == read.json()["extensions"]["cost"]["requestedQueryCost"]
        assert int(costly.headers["x-ratelimit-remaining"]) == 100 - spent_first - 11
        spent_status = status.json()["extensions"]["cost"]["requestedQueryCost"]
        assert status.json()["data"]["rateLimit"] == {
            "unit": "points",
            "limit": 100,
            "remaining": 100 - spent_first - 11 - spent_status,
        }
        # while the gateway key's budget spent only its own next request.
        after = await _post(direct, RATE_LIMIT, user=keys.gateway)
        assert after.json()["data"]["rateLimit"]["remaining"] == gateway_left - 1


async def test_only_a_gateway_key_makes_a_hop(database_url: str, keys: Keys) -> None:
    settings = Settings(database_url=database_url, failed_auth_budget="3/minute")
    async with hub(settings) as connect:
        gateway = connect(GATEWAY_PEER)
        # Given a staff key, a partner key and a made-up key in Hub-Gateway-Key,
        refused = [
            await _post(gateway, TYPENAME, gateway=key, forwarded=ALICE)
            for key in (keys.staff, keys.partner, new_key())
        ]
        # then each is refused as no gateway key, naming the header,
        assert [response.status_code for response in refused] == [401, 401, 401]
        messages = [response.json()["errors"][0]["message"] for response in refused]
        assert all("`Hub-Gateway-Key`" in message for message in messages)
        assert "not a gateway key" in messages[0]
        assert "not known" in messages[2]
        assert all(_codes(response.json()) == ["UNAUTHENTICATED"] for response in refused)
        # and each counted as a failed authentication of the gateway's address
        # (not of the address it forwards): the next bad key there gets 429,
        once_more = await _post(gateway, TYPENAME, gateway=new_key(), forwarded=BOB)
        assert once_more.status_code == 429
        # while the gateway's own key still makes hops from it.
        assert (await _post(gateway, TYPENAME, gateway=keys.gateway)).status_code == 200


async def test_each_forwarded_address_spends_its_own_anonymous_budget(
    database_url: str, keys: Keys
) -> None:
    async with hub(Settings(database_url=database_url)) as connect:
        gateway, direct = connect(GATEWAY_PEER), connect(ELSEWHERE)
        # When 100 anonymous queries come through gateway hops for two end users,
        # each sending a forged address of its own before the one the gateway appended,
        remaining: dict[str, list[int]] = {ALICE: [], BOB: []}
        for n in range(100):
            user = (ALICE, BOB)[n % 2]
            response = await _post(
                gateway, TYPENAME, gateway=keys.gateway, forwarded=f"203.0.113.{n}, {user}"
            )
            assert response.status_code == 200, response.text
            remaining[user].append(int(response.headers["x-ratelimit-remaining"]))
        # then each address's budget counted its own 50 requests of 60, and the
        # forged entries nothing.
        assert remaining[ALICE] == remaining[BOB] == list(range(59, 9, -1))

        # A direct request that forges Alice's address spends its socket address's budget,
        forged = await _post(direct, TYPENAME, forwarded=ALICE)
        assert forged.headers["x-ratelimit-remaining"] == "59"
        # and Alice's own stands where it was.
        alice = await _post(gateway, TYPENAME, gateway=keys.gateway, forwarded=ALICE)
        assert alice.headers["x-ratelimit-remaining"] == "9"


async def test_a_hop_behind_a_trusted_proxy_reads_the_entry_before_the_proxys(
    database_url: str, keys: Keys
) -> None:
    settings = Settings(
        database_url=database_url,
        trusted_proxies=("10.0.0.0/8",),
        anonymous_budget="2/minute",
        failed_auth_budget="1/minute",
    )
    async with hub(settings) as connect:
        # Given a load balancer at 10.0.0.5 in front of the hub, which appends
        # the gateway's address to what the gateway sent,
        balancer = connect("10.0.0.5")

        def through(user: str, forged: str, gateway_address: str = GATEWAY_PEER) -> str:
            return f"{forged}, {user}, {gateway_address}"

        # when Alice's anonymous hops come through it, each with a new forged entry,
        statuses = []
        for n in range(3):
            forwarded = through(ALICE, f"10.9.9.{n}")
            hop = await _post(balancer, TYPENAME, gateway=keys.gateway, forwarded=forwarded)
            statuses.append(hop.status_code)
        # then Alice's budget counts them (2 a minute), and Bob's is his own;
        assert statuses == [200, 200, 429]
        bob = await _post(balancer, TYPENAME, gateway=keys.gateway, forwarded=through(BOB, ALICE))
        assert bob.status_code == 200
        # a bad gateway key counts against the gateway's address, as the balancer
        # gives it, not against the address it forwards.
        bad = [
            (await _post(balancer, TYPENAME, gateway=new_key(), forwarded=through(BOB, ALICE)))
            for _ in range(2)
        ]
        assert [response.status_code for response in bad] == [401, 429]
        elsewhere = await _post(
            balancer, TYPENAME, gateway=new_key(), forwarded=through(BOB, ALICE, "192.0.2.77")
        )
        assert elsewhere.status_code == 401


async def test_a_hop_whose_forwarded_address_is_not_one_is_refused(
    database_url: str, keys: Keys
) -> None:
    async with hub(Settings(database_url=database_url)) as connect:
        response = await _post(
            connect(GATEWAY_PEER), TYPENAME, gateway=keys.gateway, forwarded=f"{ALICE}, unknown"
        )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "'unknown', is not an IP address" in error["message"]


@pytest.mark.parametrize(
    ("via", "user", "allowed"),
    [
        ("hop", None, True),
        ("hop", "partner", True),
        ("direct", "gateway", True),
        ("direct", "staff", True),
        ("direct", None, False),
        ("direct", "partner", False),
    ],
)
async def test_the_subgraph_sdl_is_for_gateways_and_staff(
    database_url: str, keys: Keys, via: str, user: str | None, allowed: bool
) -> None:
    async with hub(Settings(database_url=database_url)) as connect:
        http = connect(GATEWAY_PEER)
        gateway = keys.gateway if via == "hop" else None
        user_key = getattr(keys, user) if user else None
        body = (await _post(http, SERVICE, gateway=gateway, user=user_key)).json()
        if allowed:
            assert "errors" not in body, body
            assert "type Member" in body["data"]["_service"]["sdl"]
        else:
            assert _codes(body) == ["FORBIDDEN"]


async def test_an_sdl_read_through_a_hop_is_not_kept_for_anonymous_callers(
    database_url: str, keys: Keys
) -> None:
    async with hub(Settings(database_url=database_url)) as connect:
        http = connect(GATEWAY_PEER)
        # Given the SDL read by an anonymous end user through a hop,
        hop = await _post(http, SERVICE, gateway=keys.gateway)
        assert "errors" not in hop.json()
        # when an anonymous caller asks for it directly, it is still refused.
        assert _codes((await _post(http, SERVICE)).json()) == ["FORBIDDEN"]


# A body of 1,000,000 bytes or so: over the common 64 KiB, under a gateway's 1 MiB.
PADDING = {"padding": "x" * 1_000_000}


async def test_a_gateway_hop_may_send_a_larger_body(database_url: str, keys: Keys) -> None:
    async with hub(Settings(database_url=database_url)) as connect:
        http = connect(GATEWAY_PEER)
        # When a large body comes with a gateway key, it is answered;
        hop = await _post(http, TYPENAME, gateway=keys.gateway, variables=PADDING)
        assert hop.status_code == 200, hop.text[:200]
        assert hop.json()["data"] == {"__typename": "Query"}
        # with no key, with a made-up one or with a staff key there, it is refused for its size.
        for gateway in (None, new_key(), keys.staff):
            refused = await _post(http, TYPENAME, gateway=gateway, variables=PADDING)
            assert refused.status_code == 413
            [error] = refused.json()["errors"]
            assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
            assert "65536 bytes" in error["message"]
        # Past the gateway's own limit, a hop is refused too.
        over = {"padding": "x" * (1024 * 1024)}
        too_large = await _post(http, TYPENAME, gateway=keys.gateway, variables=over)
        assert too_large.status_code == 413
        assert "1048576 bytes" in too_large.json()["errors"][0]["message"]


def test_the_gateway_body_limit_is_a_setting() -> None:
    assert Settings().max_gateway_body_bytes == 1024 * 1024
    assert Settings.from_env({"HUB_MAX_GATEWAY_BODY_BYTES": "2097152"}).max_gateway_body_bytes == (
        2 * 1024 * 1024
    )


async def test_the_cli_creates_a_gateway_key(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # When a gateway key is created from the command line,
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    arguments = ["keys", "create", "--role", "gateway", "--name", "edge gateway"]
    assert await asyncio.to_thread(cli.main, arguments) == 0
    # then the key is alone on the last line, and stands for a gateway.
    key = capsys.readouterr().out.splitlines()[-1]
    database = Database(database_url)
    try:
        principal = await authenticate(database, key)
    finally:
        await database.dispose()
    assert principal.is_gateway
    assert (principal.name, principal.partner_id) == ("edge gateway", None)


API_KEYS = sa.table(
    "api_keys",
    sa.column("digest", sa.String()),
    sa.column("hint", sa.String()),
    sa.column("name", sa.String()),
    sa.column("role", sa.String()),
    sa.column("partner_id", sa.Integer()),
    sa.column("scopes", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


async def test_the_migration_drops_the_gateway_scope_and_keeps_the_keys_role(
    new_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a database before the gateway role, with a staff key that had the gateway scope,
    await upgrade(new_database_url, "0009")
    key = new_key()
    database = Database(new_database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(
                API_KEYS.insert().values(
                    digest=hashlib.sha256(key.encode()).hexdigest(),
                    hint=key[:12],
                    name="old gateway",
                    role="staff",
                    partner_id=None,
                    scopes=["gateway"],
                    created_at=datetime.now(UTC),
                )
            )
        # when it is migrated,
        await upgrade(new_database_url)
        # then the key still stands for staff, without the scope, which the log names;
        principal = await authenticate(database, key)
        assert (principal.role, principal.name) == ("staff", "old gateway")
        assert "('old gateway') loses the gateway scope" in caplog.text
        # and gateway keys may now be issued.
        issued = await issue_key(database, name="edge", role=Role.GATEWAY)
        assert (await authenticate(database, issued.key)).is_gateway
    finally:
        await database.dispose()
