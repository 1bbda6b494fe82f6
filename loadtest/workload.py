"""What the load and crash scripts share: a hub run as a server process on a
SQLite file, API keys for it, clients that read and write over HTTP and keep
every write the hub acknowledged, and the check, in the database file itself,
that each of those writes is there.

The hub is a separate process (`python -m cli serve`), so that the clients
measure it as partner apps do, over HTTP, and so that it can be killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from strawberry import relay

from db.engine import Database
from db.migrate import upgrade
from db.models import Role
from db.seed import seed_reference
from resolvers.access.keys import issue_key

__all__ = [
    "Ack",
    "Client",
    "Hub",
    "Keys",
    "Tally",
    "Verdict",
    "failures",
    "percentile",
    "prepare",
    "verify",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent

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


@dataclass(frozen=True, slots=True)
class Keys:
    staff: str
    # A partner key and the database id of its partner, one per partner.
    partners: tuple[tuple[str, int], ...]


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


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def prepare(path: Path, *, partner_keys: int) -> Keys:
    """Migrate and seed the database at `path` and issue one staff key and up
    to `partner_keys` partner keys, one partner each."""
    url = sqlite_url(path)
    await upgrade(url)
    database = Database(url)
    try:
        await seed_reference(database)
        staff = (await issue_key(database, name="load staff", role=Role.STAFF)).key
        async with database.engine.connect() as connection:
            rows = await connection.exec_driver_sql(
                "SELECT id FROM partners ORDER BY id LIMIT ?", (partner_keys,)
            )
            partner_ids = [int(row[0]) for row in rows]
        partners = []
        for pk in partner_ids:
            issued = await issue_key(
                database, name=f"load partner {pk}", role=Role.PARTNER, partner_id=pk
            )
            partners.append((issued.key, pk))
    finally:
        await database.dispose()
    return Keys(staff, tuple(partners))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Hub:
    """The hub as a server process on the SQLite file at `path`, with rate
    budgets high enough for a load test."""

    def __init__(self, path: Path, *, synchronous: str = "NORMAL") -> None:
        self.path = path
        self.port = _free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.log = path.with_suffix(".log")
        self.env = {
            **os.environ,
            "HUB_DATABASE_URL": sqlite_url(path),
            "HUB_HOST": "127.0.0.1",
            "HUB_PORT": str(self.port),
            "HUB_PARTNER_BUDGET": "10000000/minute",
            "HUB_ANONYMOUS_BUDGET": "10000000/minute",
            "HUB_SQLITE_SYNCHRONOUS": synchronous,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli", "serve"],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_until_answering(self, limit_s: float) -> float:
        """Seconds from now until the hub answers a query that reads the
        database; raises TimeoutError after `limit_s`."""
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=self.origin, timeout=1.0) as http:
            while time.monotonic() - started < limit_s:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"the hub exited:\n{self._log_tail()}")
                with contextlib.suppress(httpx.TransportError):
                    response = await http.post(
                        "/graphql", json={"query": "{ partners(first: 1) { totalCount } }"}
                    )
                    if response.status_code == 200 and "data" in response.json():
                        return time.monotonic() - started
                await asyncio.sleep(0.02)
        raise TimeoutError(f"the hub did not answer within {limit_s} s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        # The log lives in the run's temporary directory, gone after the run.
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    @contextlib.contextmanager
    def running(self) -> Iterator[Hub]:
        self.start()
        try:
            yield self
        finally:
            self.stop()


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


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the database file holds of the acknowledged writes."""

    acknowledged: int
    found: int
    missing: tuple[Ack, ...]
    integrity: str


def failures(tally: Tally, verdict: Verdict) -> list[str]:
    """What went wrong in a run, whatever killed or loaded the hub: 5xx,
    unexpected answers, acknowledged writes missing, an unsound file, or no
    write acknowledged at all (a run that proves nothing)."""
    found = []
    if tally.server_errors:
        found.append(f"{tally.server_errors} responses with a 5xx status")
    if tally.bad_answers:
        found.append(f"{len(tally.bad_answers)} unexpected answers, first: {tally.bad_answers[0]}")
    if verdict.missing:
        found.append(f"{len(verdict.missing)} acknowledged writes missing")
    if verdict.integrity != "ok":
        found.append(f"integrity check: {verdict.integrity}")
    if not tally.acks:
        found.append("no write was acknowledged")
    return found


def verify(path: Path, acks: list[Ack]) -> Verdict:
    """Look for every acknowledged write in the database file, with plain
    sqlite3 and the hub stopped: a created partner by its id and name, an
    update by its audit entry (written in the same transaction), and the
    partner at that version or later."""
    missing = []
    connection = sqlite3.connect(path)
    try:
        integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        versions = dict(connection.execute("SELECT id, version FROM partners"))
        names = dict(connection.execute("SELECT id, name FROM partners"))
        audited = {
            (int(row[0]), str(row[1]))
            for row in connection.execute(
                "SELECT record_id, json_extract(changes, '$.description[1]') FROM audit_entries "
                "WHERE record_type = 'Partner' AND action IN ('create', 'update')"
            )
        }
    finally:
        connection.close()
    for ack in acks:
        present = (
            versions.get(ack.partner_id, -1) >= ack.version
            and (ack.partner_id, ack.marker) in audited
        )
        if ack.created:
            present = present and names.get(ack.partner_id) == ack.marker
        if not present:
            missing.append(ack)
    return Verdict(len(acks), len(acks) - len(missing), tuple(missing), integrity)
