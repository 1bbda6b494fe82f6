"""Who the hub sees behind a gateway, on each gateway the hub ships configured,
with the hub in production mode: the end user (anonymous, or by the key they
send as `Authorization`) and their own address, never the gateway itself.

The gateway holds a gateway key (`metrohub keys create --role gateway`) and
sends it to the hub as `Hub-Gateway-Key`; clients bind to addresses of their
own on loopback (all of 127/8 is), so the gateway sees each at its socket."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import Partner, Role
from federation.stack import GATEWAYS, Stack, running_stack
from resolvers.access.keys import issue_key
from tests.gateway_keys import gateway_key

CONTACT = """
query Contact($id: ID!) {
  node(id: $id) { ... on Partner { name contact { name email } } }
}
"""
RATE_LIMIT = "query Budget { rateLimit { remaining limit } }"
ANONYMOUS_BUDGET = 500


@dataclass(frozen=True, slots=True)
class Cisco:
    id: str
    key: str


@pytest.fixture
async def cisco(database_url: str) -> Cisco:
    """The Cisco partner's global ID and a partner key of Cisco's."""
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            row_id = (
                await connection.execute(select(Partner.id).where(Partner.name == "Cisco"))
            ).scalar_one()
        issued = await issue_key(database, name="Cisco app", role=Role.PARTNER, partner_id=row_id)
    finally:
        await database.dispose()
    return Cisco(id=base64.b64encode(f"Partner:{row_id}".encode()).decode(), key=issued.key)


@pytest.fixture(params=GATEWAYS)
def stack(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Stack]:
    with running_stack(
        database_url,
        tmp_path,
        gateway=request.param,
        hub_env={
            "HUB_DEVELOPMENT": "false",
            # Room for a hundred requests from one address, in a window long
            # enough that none of them leaves it while the test runs.
            "HUB_ANONYMOUS_BUDGET": f"{ANONYMOUS_BUDGET}/day",
        },
        gateway_key=gateway_key(database_url),
    ) as running:
        yield running


def _ask(
    url: str, query: str, variables: dict[str, Any] | None = None, key: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(
        url, json={"query": query, "variables": variables}, headers=headers, timeout=30
    )
    body: dict[str, Any] = response.json()
    return body


def _remaining(url: str, key: str) -> int:
    body = _ask(url, RATE_LIMIT, key=key)
    assert "errors" not in body, body
    remaining: int = body["data"]["rateLimit"]["remaining"]
    return remaining


def test_an_anonymous_end_user_is_anonymous_at_the_hub(stack: Stack, cisco: Cisco) -> None:
    # When an anonymous client asks the gateway for a partner's contact,
    through = _ask(stack.gateway_url, CONTACT, {"id": cisco.id})
    # and asks the hub directly,
    direct = _ask(stack.hub_url, CONTACT, {"id": cisco.id})

    # then both times the partner is named and its contact is refused alike:
    # the gateway's key lent the end user nothing.
    for body in (through, direct):
        assert body["data"]["node"] == {"name": "Cisco", "contact": None}
        [error] = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
    assert through["errors"][0]["message"] == direct["errors"][0]["message"]


def test_a_partner_end_user_reads_its_contact_on_its_own_budget(stack: Stack, cisco: Cisco) -> None:
    # Given what is left of the partner key's budget, asked of the hub directly,
    before = _remaining(stack.hub_url, cisco.key)

    # when the partner's app sends its key through the gateway,
    body = _ask(stack.gateway_url, CONTACT, {"id": cisco.id}, key=cisco.key)

    # then it reads its own contact, as it does asking the hub directly,
    assert "errors" not in body, body
    assert body["data"]["node"]["contact"] is not None
    assert body["data"] == _ask(stack.hub_url, CONTACT, {"id": cisco.id}, key=cisco.key)["data"]
    # and its requests through the gateway were paid from its key's budget:
    # what is left goes down from one request to the next, through the gateway
    # or not.
    through = _remaining(stack.gateway_url, cisco.key)
    after = _remaining(stack.hub_url, cisco.key)
    assert after < through < before


def _ask_from(stack: Stack, address: str, times: int) -> list[int]:
    """What is left of the anonymous budget after each of `times` requests
    the client at `address` sends through the gateway."""
    transport = httpx.HTTPTransport(local_address=address)
    remaining = []
    with httpx.Client(transport=transport, timeout=30) as client:
        for _ in range(times):
            body = client.post(stack.gateway_url, json={"query": RATE_LIMIT}).json()
            assert "errors" not in body, body
            remaining.append(body["data"]["rateLimit"]["remaining"])
    return remaining


def test_each_end_users_address_spends_its_own_anonymous_budget(stack: Stack) -> None:
    # When a hundred anonymous requests come through the gateway, 30 from one
    # client address and 70 from another, interleaved,
    first = _ask_from(stack, "127.0.0.2", 10)
    second = _ask_from(stack, "127.0.0.3", 70)
    first += _ask_from(stack, "127.0.0.2", 20)

    # then each address's budget counted its own requests, one by one, and
    # none of the other's, nor the gateway's (its socket address is 127.0.0.1).
    assert first == [ANONYMOUS_BUDGET - n for n in range(1, 31)]
    assert second == [ANONYMOUS_BUDGET - n for n in range(1, 71)]
