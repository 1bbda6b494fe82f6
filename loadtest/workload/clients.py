"""Clients that read and write over HTTP as partner apps do, and keep what
they saw: timings, errors, and every write the hub acknowledged."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from strawberry import relay

from loadtest.workload.hub import Keys

__all__ = [
    "Ack",
    "Client",
    "Tally",
    "percentile",
]

# Reads, as partner apps and the explorer send them.
MEMBER_PAGE = """
query LoadMembers {
  members(first: 20) {
    totalCount
    edges { node { id name country region { name }
      initiatives(first: 5) { edges { role node { title partners(first: 5) {
        edges { role node { name kind } } } } } } } }
  }
}
"""
SEARCH = """
query LoadSearch($query: String!) {
  search(query: $query, first: 20) {
    totalCount
    edges { rank node { __typename ... on Member { id name } ... on Partner { id name }
      ... on Initiative { id title } } }
  }
}
"""
PARTNER_LIST = """
query LoadPartners($after: String) {
  partners(first: 50, after: $after, orderBy: [{ field: NAME, direction: ASC }]) {
    totalCount
    pageInfo { endCursor hasNextPage }
    edges { node { id name kind sector country version } }
  }
}
"""
NODE = """
query LoadNode($id: ID!) {
  node(id: $id) { id ... on Member { name population } ... on Partner { name version } }
}
"""
SEARCH_WORDS = ("metropolitan", "climate", "barcelona", "urban", "sao paulo", "gov", "net")

# Writes: a staff key creates partners and updates the ones it created; a
# partner key updates its own profile.
PARTNER_CREATE = """
mutation LoadCreate($input: PartnerCreateInput!, $key: String) {
  partnerCreate(input: $input, idempotencyKey: $key) {
    partner { id version }
    userErrors { field message code }
  }
}
"""
PARTNER_UPDATE = """
mutation LoadUpdate($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) {
    partner { id version }
    userErrors { field message code }
  }
}
"""

# Each client may read the live version of the partner it updates when
# another client got there first: that is the API working, not a failure.
VERSION_CONFLICT = "VERSION_CONFLICT"


@dataclass(frozen=True, slots=True)
class Ack:
    """A write the hub acknowledged: the partner, its version after the write,
    and the unique text the write put in it."""

    partner_id: int
    version: int
    marker: str
    created: bool


@dataclass
class Tally:
    """What the clients saw."""

    read_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    server_errors: int = 0
    transport_errors: int = 0
    # Answers that are neither data nor an expected user error: GraphQL
    # errors on a read, or a write refused for a reason other than a conflict.
    bad_answers: list[str] = field(default_factory=list)
    conflicts: int = 0

    @property
    def requests(self) -> int:
        return len(self.read_ms) + len(self.write_ms)


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile (nearest rank), 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _global_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def _pk(global_id: str) -> int:
    return int(relay.GlobalID.from_id(global_id).node_id)


class Client:
    """One partner app: a loop of requests, each a read or (with probability
    `write_share`) a write, until told to stop."""

    def __init__(
        self,
        number: int,
        origin: str,
        keys: Keys,
        tally: Tally,
        *,
        write_share: float,
        seed: int,
    ) -> None:
        self.number = number
        self.tally = tally
        self.write_share = write_share
        self.random = random.Random(seed * 1000 + number)
        # Even clients speak for a partner, odd ones for staff.
        self.partner: int | None = None
        key = keys.staff
        if number % 2 == 0 and keys.partners:
            key, self.partner = keys.partners[(number // 2) % len(keys.partners)]
        self.http = httpx.AsyncClient(
            base_url=origin,
            headers={"authorization": f"Bearer {key}"},
            timeout=httpx.Timeout(30.0),
        )
        # Partners this client may update, with their last known version.
        self.versions: dict[int, int] = {}
        self.writes = 0
        self.partner_ids = [pk for _, pk in keys.partners] or [1]

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                if self.random.random() < self.write_share:
                    await self.write()
                else:
                    await self.read()
        finally:
            await self.http.aclose()

    async def _send(self, document: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The response body, or None after a 5xx or a transport error (counted)."""
        try:
            response = await self.http.post(
                "/graphql", json={"query": document, "variables": variables}
            )
        except httpx.TransportError:
            self.tally.transport_errors += 1
            return None
        if response.status_code >= 500:
            self.tally.server_errors += 1
            return None
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or "errors" in body:
            self.tally.bad_answers.append(f"{response.status_code} {str(body)[:300]}")
            return None
        return body

    async def read(self) -> None:
        kind = self.random.randrange(4)
        variables: dict[str, Any] = {}
        if kind == 0:
            document = MEMBER_PAGE
        elif kind == 1:
            document, variables = SEARCH, {"query": self.random.choice(SEARCH_WORDS)}
        elif kind == 2:
            document = PARTNER_LIST
        else:
            pk = self.random.choice(self.partner_ids)
            document, variables = NODE, {"id": _global_id("Partner", pk)}
        started = time.perf_counter()
        body = await self._send(document, variables)
        if body is not None:
            self.tally.read_ms.append((time.perf_counter() - started) * 1000)

    async def write(self) -> None:
        self.writes += 1
        marker = f"load client {self.number} write {self.writes} {self.random.getrandbits(48):x}"
        if self.partner is not None:
            await self.update(self.partner, marker)
        elif not self.versions or self.random.random() < 0.5:
            await self.create(marker)
        else:
            await self.update(self.random.choice(sorted(self.versions)), marker)

    async def create(self, marker: str) -> None:
        variables = {
            "input": {"name": marker, "kind": "BUSINESS", "description": marker},
            "key": marker,
        }
        started = time.perf_counter()
        body = await self._send(PARTNER_CREATE, variables)
        self._acknowledge(body, "partnerCreate", None, marker, started)

    async def update(self, pk: int, marker: str) -> None:
        if pk not in self.versions:
            body = await self._send(NODE, {"id": _global_id("Partner", pk)})
            if body is None or body["data"]["node"] is None:
                return
            self.versions[pk] = int(body["data"]["node"]["version"])
        variables = {
            "input": {
                "id": _global_id("Partner", pk),
                "expectedVersion": self.versions[pk],
                "description": marker,
            }
        }
        started = time.perf_counter()
        body = await self._send(PARTNER_UPDATE, variables)
        self._acknowledge(body, "partnerUpdate", pk, marker, started)

    def _acknowledge(
        self,
        body: dict[str, Any] | None,
        field_name: str,
        updated: int | None,
        marker: str,
        started: float,
    ) -> None:
        if body is None:
            return
        payload = body["data"][field_name]
        errors = payload["userErrors"]
        if errors:
            if errors[0]["code"] == VERSION_CONFLICT and updated is not None:
                self.tally.conflicts += 1
                # Read the live version before the next try.
                self.versions.pop(updated, None)
            else:
                self.tally.bad_answers.append(f"{field_name}: {errors}")
            return
        self.tally.write_ms.append((time.perf_counter() - started) * 1000)
        pk = _pk(payload["partner"]["id"])
        version = int(payload["partner"]["version"])
        self.versions[pk] = version
        self.tally.acks.append(Ack(pk, version, marker, field_name == "partnerCreate"))
