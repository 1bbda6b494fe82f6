"""Hostile traffic: requests that cost an attacker little, each sent to the hub
(its own process, production mode) while /health is probed every ~50 ms.

    .venv/bin/python -m bench.hostile                  # every kind, ~9-13 minutes
    .venv/bin/python -m bench.hostile --only betweenness,memory
    .venv/bin/python -m bench.hostile --partners 0 --slow-wait 5 --memory-requests 100  # smoke

The database is the seed data and `metrohub seed --demo 20000` (20,000 demo
partners, 2,000 demo initiatives), built once into var/bench/ and copied for
each kind, so that every kind starts from the same data and no kind's writes
or memory carry into the next. For each kind a fresh `metrohub serve` process
(`python -m cli serve`, HUB_DEVELOPMENT=false) runs on the copy, with rate
budgets raised as in the other benchmarks (every request here comes from
127.0.0.1, which would otherwise share one anonymous budget of 60 a minute):
what is measured is what one request costs the hub, not the budgets.

For each kind it prints each hostile request's HTTP status (and first GraphQL
error code) and seconds; /health's probes during it (count, failures, max and
p95 ms; the probing goes on for `--settle` seconds after the last request, for
work the hub carries on with); and the RSS of the hub's process, and of its
child processes, before and after. A kind is a function from an `Attack` to
its outcomes: add one to KINDS. Every loop is bounded (counts, timeouts), and
the script only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from strawberry import relay

from db.demo import ensure_demo
from db.engine import Database
from db.migrate import upgrade
from db.models import Role
from db.seed import seed_reference
from loadtest.workload import Hub, percentile, sqlite_url
from resolvers.access.keys import issue_key

__all__ = ["KINDS", "Attack", "Kind", "Outcome", "Report", "main", "run"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_ROOT / "var" / "bench"
HOST = "127.0.0.1"
_TICKS = os.sysconf("SC_CLK_TCK")

MOST_CONNECTED = """
query HostileRanking { mostConnected(metric: BETWEENNESS, first: 10) {
  totalCount edges { rank score node { id } } } }
"""
VERSION = "query HostileVersion($id: ID!) { node(id: $id) { ... on Partner { version } } }"
PARTNER_UPDATE = """
mutation HostileUpdate($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) { partner { version } userErrors { code message } }
}
"""
OR_BRANCHES = """
query HostileBranches($where: PartnerWhere) {
  partners(first: 10, where: $where) { totalCount edges { node { name } } }
}
"""
# Each `or` branch: partners in an initiative with a partner in an initiative
# with a member whose name contains "a".
BRANCH = {
    "initiatives": {
        "some": {"partners": {"some": {"members": {"some": {"name": {"contains": "a"}}}}}}
    }
}
PADDED = "query HostilePadded { regions(first: 4) { totalCount } }"
NEIGHBOURS = """
query HostileNeighbours($id: ID!) {
  node(id: $id) { id ... on Partner { neighbours(depth: 3, first: 100) {
    totalCount edges { distance node { id } } } }
    ... on Member { neighbours(depth: 3, first: 100) { totalCount edges { distance node { id } } } }
    ... on Initiative { neighbours(depth: 3, first: 100) {
      totalCount edges { distance node { id } } } } }
}
"""
PATH = """
query HostilePath($from: ID!, $to: ID!) {
  path(from: $from, to: $to, maxLength: 6, limit: 10) { length nodes { id } }
}
"""
DEFAULTED = """
query HostileDefault($n: Int = 100) {
  initiatives(first: $n) { edges { node { partners(first: $n) { edges { node { name } } } } } }
}
"""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One hostile request (or a batch of alike ones): what it got, how long it took."""

    label: str
    status: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Sample:
    """Database ids the kinds aim at: a demo partner that speaks for itself,
    and far-apart nodes of several types."""

    partner: int
    last_partner: int
    member: int
    initiative: int
    objective: int
    busiest_member: int


@dataclass
class Attack:
    """What a kind gets: the hub's origin, a key for the sample partner, the
    sample ids and the command line."""

    origin: str
    partner_key: str
    sample: Sample
    args: argparse.Namespace

    def client(self, key: str | None = None, timeout: float | None = None) -> httpx.AsyncClient:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        return httpx.AsyncClient(
            base_url=self.origin,
            headers=headers,
            timeout=timeout or self.args.request_timeout,
            limits=httpx.Limits(max_connections=64),
        )


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    title: str
    run: Callable[[Attack], Awaitable[list[Outcome]]]


def _gid(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


async def _post(
    http: httpx.AsyncClient, label: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[Outcome, dict[str, Any] | None]:
    """Send one GraphQL request; its outcome, and its body when it was JSON."""
    started = time.perf_counter()
    try:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    except httpx.TimeoutException:
        return Outcome(label, "timeout", time.perf_counter() - started), None
    except httpx.TransportError as error:
        return Outcome(label, type(error).__name__, time.perf_counter() - started), None
    seconds = time.perf_counter() - started
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        return Outcome(label, str(response.status_code), seconds), None
    status = str(response.status_code)
    if body.get("errors"):
        status += " " + str(body["errors"][0].get("extensions", {}).get("code", "error"))
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and payload.get("userErrors"):
            status += " " + str(payload["userErrors"][0]["code"])
    return Outcome(label, status, seconds), body


async def betweenness(attack: Attack) -> list[Outcome]:
    """`mostConnected(metric: BETWEENNESS)` with no ranking yet, then after each
    `partnerUpdate` a partner key makes to its own profile."""
    partner = _gid("Partner", attack.sample.partner)
    outcomes = []
    async with attack.client(attack.partner_key) as http:
        outcome, _ = await _post(http, "mostConnected, first since start", MOST_CONNECTED)
        outcomes.append(outcome)
        for round_ in range(1, attack.args.rounds + 1):
            outcome = await _own_update(http, partner, f"hostile round {round_}")
            outcomes.append(
                Outcome(f"round {round_}: partnerUpdate", outcome.status, outcome.seconds)
            )
            outcome, _ = await _post(http, f"round {round_}: mostConnected", MOST_CONNECTED)
            outcomes.append(outcome)
    return outcomes


async def or_branches(attack: Attack) -> list[Outcome]:
    """`partners(where:)` with 600 `or` branches, each three relations deep:
    one request, then `--parallel` at once."""
    where = {"or": [BRANCH] * attack.args.branches}
    async with attack.client() as http:
        first, _ = await _post(http, "once", OR_BRANCHES, {"where": where})
        together = await asyncio.gather(
            *(
                _post(
                    http,
                    f"{n + 1} of {attack.args.parallel} at once",
                    OR_BRANCHES,
                    {"where": where},
                )
                for n in range(attack.args.parallel)
            )
        )
    return [first, *(outcome for outcome, _ in together)]


async def memory(attack: Attack) -> list[Outcome]:
    """Anonymous requests, each with a unique variable of `--memory-bytes` that
    the operation does not declare (so nothing reads it)."""
    count, size = attack.args.memory_requests, attack.args.memory_bytes
    statuses: Counter[str] = Counter()
    seconds: list[float] = []
    queue = iter(range(count))
    started = time.perf_counter()

    async def sender(http: httpx.AsyncClient) -> None:
        for n in queue:
            pad = f"{n:08d}-" + "x" * (size - 9)
            outcome, _ = await _post(http, "padded", PADDED, {"pad": pad})
            statuses[outcome.status] += 1
            seconds.append(outcome.seconds)

    async with attack.client() as http:
        await asyncio.gather(*(sender(http) for _ in range(attack.args.memory_concurrency)))
    total = time.perf_counter() - started
    summary = ", ".join(f"{status} x{n}" for status, n in statuses.most_common())
    return [
        Outcome(f"{count} requests of {size:,} bytes, all: {summary}", "-", total),
        Outcome("  each, median", "-", statistics.median(seconds) if seconds else 0.0),
        Outcome("  each, max", "-", max(seconds, default=0.0)),
    ]


async def graph_walks(attack: Attack) -> list[Outcome]:
    """The first question that needs the graph (its load), then
    `neighbours(depth: 3, first: 100)` and `path(maxLength: 6, limit: 10)`, the
    largest arguments allowed, each once, then all at once, then one after a
    write (a reload). With a partner key: the anonymous response cache would
    answer the repeats."""
    sample = attack.sample
    partner = _gid("Partner", sample.partner)
    last = _gid("Partner", sample.last_partner)
    questions = [
        ("neighbours of a demo partner", NEIGHBOURS, {"id": partner}),
        ("neighbours of a member", NEIGHBOURS, {"id": _gid("Member", sample.member)}),
        ("neighbours of an initiative", NEIGHBOURS, {"id": _gid("Initiative", sample.initiative)}),
        ("path partner - partner", PATH, {"from": partner, "to": last}),
        (
            "path partner - objective",
            PATH,
            {"from": last, "to": _gid("Objective", sample.objective)},
        ),
        ("path member - partner", PATH, {"from": _gid("Member", sample.member), "to": last}),
    ]
    outcomes = []
    async with attack.client(attack.partner_key) as http:
        itself = {"from": partner, "to": partner}
        outcome, _ = await _post(http, "the graph's first load (a path to itself)", PATH, itself)
        outcomes.append(outcome)
        for label, query, variables in questions:
            outcome, _ = await _post(http, label, query, variables)
            outcomes.append(outcome)
        together = await asyncio.gather(
            *(_post(http, f"{label}, all at once", q, v) for label, q, v in questions)
        )
        outcomes += [outcome for outcome, _ in together]
        outcome = await _own_update(http, partner, "graph walks")
        outcomes.append(outcome)
        outcome, _ = await _post(http, "after it: the reload (a path to itself)", PATH, itself)
        outcomes.append(outcome)
    return outcomes


async def _own_update(http: httpx.AsyncClient, partner: str, marker: str) -> Outcome:
    """A partner's edit of its own profile (the key `http` sends must be its own)."""
    _, body = await _post(http, "version", VERSION, {"id": partner})
    version = body["data"]["node"]["version"] if body and body.get("data") else 0
    change = {"id": partner, "expectedVersion": version, "description": f"{marker} {time.time()}"}
    outcome, _ = await _post(http, "partnerUpdate", PARTNER_UPDATE, {"input": change})
    return outcome


async def variable_default(attack: Attack) -> list[Outcome]:
    """A page size given only as a variable's default: 100 initiatives x 100 partners."""
    async with attack.client() as http:
        outcome, _ = await _post(http, "initiatives(first: $n) partners(first: $n)", DEFAULTED)
    return [outcome]


async def slow_clients(attack: Attack) -> list[Outcome]:
    """`--slow-headers` connections that send their headers a byte at a time,
    and `--slow-bodies` that declare a 60,000-byte body and send a few bytes;
    after `--slow-wait` seconds, how many the hub still holds open."""
    args = attack.args
    host, port = HOST, int(attack.origin.rsplit(":", 1)[1])
    started = time.perf_counter()
    headers: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    bodies: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    refused = 0
    for n in range(args.slow_headers + args.slow_bodies):
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            refused += 1
            continue
        if n < args.slow_headers:
            writer.write(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            headers.append((reader, writer))
        else:
            writer.write(
                b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b'Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n{"qu'
            )
            bodies.append((reader, writer))
    # Trickle: one more header byte per connection every `--trickle-seconds`.
    trickled = b"X-Slow: " + b"a" * 10_000
    sent = 0
    deadline = started + args.slow_wait
    while (now := time.perf_counter()) < deadline and sent < len(trickled):
        await asyncio.sleep(min(args.trickle_seconds, deadline - now))
        for reader, writer in headers:
            # Once the hub has closed it (the reader sees the end), writing only
            # makes asyncio warn.
            if not reader.at_eof() and not writer.is_closing():
                with contextlib.suppress(OSError):
                    writer.write(trickled[sent : sent + 1])
        sent += 1
    waited = time.perf_counter() - started
    open_headers = sum(await asyncio.gather(*(_still_open(r, w) for r, w in headers)))
    open_bodies = sum(await asyncio.gather(*(_still_open(r, w) for r, w in bodies)))
    for _, writer in headers + bodies:
        writer.close()
    return [
        Outcome(f"slow headers: {open_headers} of {len(headers)} still open", "-", waited),
        Outcome(f"slow bodies: {open_bodies} of {len(bodies)} still open", "-", waited),
        Outcome(f"connections refused: {refused}", "-", 0.0),
    ]


async def _still_open(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    """Whether the hub has neither closed the connection nor answered on it."""
    if writer.is_closing():
        return False
    try:
        data = await asyncio.wait_for(reader.read(1), timeout=0.05)
    except TimeoutError:
        return True
    except OSError:
        return False
    # The end of the stream, or an answer (a refusal): the hub let go of it.
    del data
    return False


PARTNER_FIELDS = """
  id name kind sector country website description period latitude longitude version
  publication provenance { sources confidence origin }
"""
SEARCH = """
query HostileSearch($q: String!) { search(query: $q, first: 100) {
  totalCount
  edges { rank snippet { text matches { start end } }
    node { ... on Partner { id name } ... on Member { id name } ... on Initiative { id title } } }
  facets { types { value count } regions { count region { name } }
    partnerKinds { value count } focusAreas { count focusArea { name } }
    dimensions { value count } }
} }
"""
STATISTICS = """
query HostileStatistics { statistics {
  membersByRegion { count region { name } } membersByKind { kind count }
  membersByCountry { country count } partnersByKind { kind count }
  partnersByFocusArea { count focusArea { name } }
  initiativesByFocusArea { count focusArea { name } } initiativesByDimension { dimension count }
  initiativesByYear { year count dimensions { dimension count } }
} }
"""
NEAR = """
query HostileNear($km: Float!) { near(latitude: 41.39, longitude: 2.17, km: $km, first: 100) {
  totalCount edges { distanceKm node { ... on Partner { id name } ... on Member { id name } } }
} }
"""
NETWORK_NODES = """
query HostileNodes($after: String) { networkNodes(first: 100, after: $after) {
  totalCount pageInfo { endCursor } edges { node { id type label } } } }
"""
NETWORK_EDGES = """
query HostileEdges($after: String) { networkEdges(first: 100, after: $after) {
  totalCount pageInfo { endCursor }
  edges { source { id label } target { id label } edge { kind role provenance { origin } } } } }
"""
PARTNERS_PAGE = f"""
query HostilePartners {{ partners(first: 100) {{ totalCount edges {{ node {{ {PARTNER_FIELDS}
  neighbours(first: 1) {{ totalCount }} initiatives(first: 1) {{ totalCount }}
  members(first: 1) {{ totalCount }} focusAreas(first: 1) {{ totalCount }} }} }} }} }}
"""
# 1 + 9 + 9 + 81 + 81 + 810 = 991 points: the cost limit's worth.
NESTED_PAGE = """
query HostileNested { members(first: 9) { edges { node { name
  initiatives(first: 9) { edges { node { title
    partners(first: 10) { edges { node { id name kind sector country website description
      period latitude longitude version publication } } } } } } } } } }
"""
NODES = f"""
query HostileNodes($ids: [ID!]!) {{ nodes(ids: $ids) {{ id
  ... on Partner {{ {PARTNER_FIELDS} }} }} }}
"""
# Scalar fields only: each representation costs one point, so 1,000 fit.
ENTITIES = """
query HostileEntities($r: [_Any!]!) { _entities(representations: $r) { ... on Partner {
  id name kind sector country website description period latitude longitude version } } }
"""
COLLABORATORS = """
query HostileCollaborators($id: ID!) { node(id: $id) { ... on Member {
  collaborators(first: 100) {
    totalCount edges { sharedCount node { name } sharedInitiatives { title } } }
} } }
"""
# Every demo partner's name says so, and every one has coordinates: the
# export's 10,000 features.
DEMO_WHERE = '{"name": {"contains": "demo"}}'


def _doubling(levels: int) -> str:
    """Fragments that each spread the next twice: 2^levels leaves."""
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)]
    fragments.append(f"fragment F{levels} on Query {{ __typename }}")
    return "query HostileDoubling { ...F0 }\n" + "\n".join(fragments)


async def fragment_fan_out(attack: Attack) -> list[Outcome]:
    """Documents of a few hundred tokens whose fragments spread each other
    twice, `--fan-out` levels deep (2^20 leaves from 220 tokens)."""
    levels = attack.args.fan_out
    return await _reads(attack, [(f"fragments doubling {levels} times", _doubling(levels), None)])


async def repeated_fields(attack: Attack) -> list[Outcome]:
    """`{ __typename __typename ... }`: 990 fields of one name, which
    validation compares pairwise to check that they merge."""
    document = "query HostileRepeated { " + "__typename " * 990 + "}"
    return await _reads(attack, [("990 x __typename", document, None)])


async def _get(http: httpx.AsyncClient, label: str, path: str, params: dict[str, str]) -> Outcome:
    started = time.perf_counter()
    try:
        response = await http.get(path, params=params)
    except httpx.TimeoutException:
        return Outcome(label, "timeout", time.perf_counter() - started)
    size = len(response.content)
    return Outcome(
        f"{label} ({size:,} bytes)", str(response.status_code), time.perf_counter() - started
    )


async def _reads(
    attack: Attack, requests: list[tuple[str, str, dict[str, Any] | None]]
) -> list[Outcome]:
    """Anonymous GraphQL requests, one after another."""
    async with attack.client() as http:
        return [
            (await _post(http, label, query, variables))[0] for label, query, variables in requests
        ]


async def export_members(attack: Attack) -> list[Outcome]:
    """GET /export/members.geojson, every member."""
    async with attack.client() as http:
        return [await _get(http, "members.geojson", "/export/members.geojson", {})]


async def export_partners(attack: Attack) -> list[Outcome]:
    """GET /export/partners.geojson with a `where` every demo partner meets:
    the most features an export holds; once, then `--parallel` at once."""
    path, params = "/export/partners.geojson", {"where": DEMO_WHERE}
    async with attack.client() as http:
        first = await _get(http, "partners.geojson, where name contains demo", path, params)
        together = await asyncio.gather(
            *(
                _get(http, f"the same, {n + 1} of {attack.args.parallel} at once", path, params)
                for n in range(attack.args.parallel)
            )
        )
    return [first, *together]


async def search_facets(attack: Attack) -> list[Outcome]:
    """`search(first: 100)` with every facet, for a word every demo partner
    has, and for a one-letter prefix."""
    return await _reads(
        attack,
        [
            ("search demo, facets", SEARCH, {"q": "demo"}),
            ("search d (a prefix), facets", SEARCH, {"q": "d"}),
        ],
    )


async def statistics_tables(attack: Attack) -> list[Outcome]:
    """`statistics` with every table."""
    return await _reads(attack, [("statistics, every table", STATISTICS, None)])


async def near_everything(attack: Attack) -> list[Outcome]:
    """`near(km: 20000, first: 100)`: a circle around the whole earth."""
    return await _reads(attack, [("near, 20,000 km", NEAR, {"km": 20_000.0})])


async def network_pages(attack: Attack) -> list[Outcome]:
    """The first three pages of `networkNodes(first: 100)` and of
    `networkEdges(first: 100)`."""
    outcomes = []
    async with attack.client() as http:
        for name, query in (("networkNodes", NETWORK_NODES), ("networkEdges", NETWORK_EDGES)):
            after = None
            for page in range(1, 4):
                outcome, body = await _post(http, f"{name} page {page}", query, {"after": after})
                outcomes.append(outcome)
                after = (
                    body["data"][name]["pageInfo"]["endCursor"]
                    if body and body.get("data")
                    else None
                )
    return outcomes


async def partners_page(attack: Attack) -> list[Outcome]:
    """`partners(first: 100)` with every field an anonymous caller may read."""
    return await _reads(attack, [("partners(first: 100), every field", PARTNERS_PAGE, None)])


async def nested_page(attack: Attack) -> list[Outcome]:
    """members(9) -> initiatives(9) -> partners(10): 991 points."""
    return await _reads(
        attack, [("members -> initiatives -> partners, 991 points", NESTED_PAGE, None)]
    )


def _last_partners(attack: Attack, count: int) -> list[int]:
    last = attack.sample.last_partner
    return list(range(last, last - count, -1))


async def many_nodes(attack: Attack) -> list[Outcome]:
    """`nodes` with 100 partner ids, every field."""
    ids = [_gid("Partner", pk) for pk in _last_partners(attack, 100)]
    return await _reads(attack, [("nodes, 100 partners", NODES, {"ids": ids})])


async def many_entities(attack: Attack) -> list[Outcome]:
    """`_entities` with as many partner representations as the cost limit takes."""
    representations = [
        {"__typename": "Partner", "id": _gid("Partner", pk)}
        for pk in _last_partners(attack, attack.args.representations)
    ]
    label = f"_entities, {len(representations)} partners"
    return await _reads(attack, [(label, ENTITIES, {"r": representations})])


async def collaborators(attack: Attack) -> list[Outcome]:
    """`collaborators(first: 100)` of the member in the most initiatives."""
    member = _gid("Member", attack.sample.busiest_member)
    return await _reads(attack, [("collaborators(first: 100)", COLLABORATORS, {"id": member})])


KINDS: tuple[Kind, ...] = (
    Kind("betweenness", "mostConnected(metric: BETWEENNESS) after partnerUpdate", betweenness),
    Kind("or-branches", "partners(where: 600 `or` branches, 3 relations deep)", or_branches),
    Kind("memory", "anonymous requests with a unique unused 60 KB variable", memory),
    Kind("graph-walks", "neighbours(depth: 3) and path(maxLength: 6, limit: 10)", graph_walks),
    Kind("variable-default", "page sizes from a variable's default value", variable_default),
    Kind("slow-clients", "slow headers and slow bodies", slow_clients),
    Kind("fragment-fan-out", "fragments that spread the next one twice", fragment_fan_out),
    Kind("repeated-fields", "one field asked for 990 times", repeated_fields),
    Kind("export-members", "GET /export/members.geojson", export_members),
    Kind("export-partners", "GET /export/partners.geojson, 10,000 features", export_partners),
    Kind("search-facets", "search(first: 100) with facets", search_facets),
    Kind("statistics", "statistics, every table", statistics_tables),
    Kind("near", "near(km: 20000, first: 100)", near_everything),
    Kind("network-pages", "networkNodes and networkEdges, pages of 100", network_pages),
    Kind("partners-page", "partners(first: 100), every field", partners_page),
    Kind("nested-page", "members -> initiatives -> partners at the cost limit", nested_page),
    Kind("nodes", "nodes(ids:) with 100 ids", many_nodes),
    Kind("entities", "_entities with many representations", many_entities),
    Kind("collaborators", "collaborators(first: 100)", collaborators),
)


class Probe:
    """GET /health every `interval` seconds in a thread of its own (so that the
    attack's own work in this process does not delay it), until stopped."""

    def __init__(self, origin: str, interval: float, limit: int = 100_000) -> None:
        self.origin = origin
        self.interval = interval
        self.limit = limit
        self.ms: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health probe", daemon=True)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    def _run(self) -> None:
        with httpx.Client(base_url=self.origin, timeout=60) as http:
            while not self._stop.is_set() and len(self.ms) + self.failures < self.limit:
                started = time.perf_counter()
                try:
                    ok = http.get("/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                if ok:
                    self.ms.append(elapsed * 1000)
                else:
                    self.failures += 1
                self._stop.wait(max(0.0, self.interval - elapsed))

    def line(self) -> str:
        if not self.ms:
            return f"/health: no answer ({self.failures} failures)"
        return (
            f"/health: {len(self.ms)} probes, {self.failures} failed, "
            f"max {max(self.ms):.0f} ms, p95 {percentile(self.ms, 95):.0f} ms, "
            f"p50 {percentile(self.ms, 50):.0f} ms"
        )


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *_descendants(int(child))]
    return found


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a live process (fields 14 and 15 of its stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass(frozen=True, slots=True)
class Usage:
    """RSS in MB and CPU seconds so far of the hub's process, and of its
    child processes (those alive)."""

    hub: float
    children: float
    hub_cpu: float
    children_cpu: float

    @classmethod
    def of(cls, pid: int) -> Usage:
        children = _descendants(pid)
        return cls(
            _rss_kb(pid) / 1024,
            sum(_rss_kb(child) for child in children) / 1024,
            _cpu_seconds(pid),
            sum(_cpu_seconds(child) for child in children),
        )


@dataclass
class Report:
    kind: Kind
    outcomes: list[Outcome]
    probe: str
    before: Usage
    after: Usage

    def text(self) -> list[str]:
        lines = [f"## {self.kind.name}: {self.kind.title}"]
        lines += [f"  {o.label:<58} {o.status:<28} {o.seconds:8.2f} s" for o in self.outcomes]
        lines.append(f"  {self.probe}")
        lines.append(
            f"  hub RSS: {self.before.hub:.0f} MB -> {self.after.hub:.0f} MB "
            f"({self.after.hub - self.before.hub:+.0f}); child processes: "
            f"{self.before.children:.0f} MB -> {self.after.children:.0f} MB"
        )
        lines.append(
            f"  CPU during the kind: hub {self.after.hub_cpu - self.before.hub_cpu:.1f} s, "
            f"child processes {self.after.children_cpu - self.before.children_cpu:.1f} s"
        )
        return lines


async def build(path: Path, partners: int) -> None:
    """The seed data and `partners` demo partners at `path`, with planner
    statistics and the WAL folded in (so that one file copies it). Idempotent."""
    url = sqlite_url(path)
    await upgrade(url)
    database = Database(url)
    try:
        await seed_reference(database)
        if partners:
            await ensure_demo(database, partners)
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
        async with database.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await database.dispose()


def _sample(path: Path) -> Sample:
    connection = sqlite3.connect(path)
    try:

        def one(sql: str) -> int:
            return int(connection.execute(sql).fetchone()[0])

        return Sample(
            partner=one("SELECT min(id) FROM partners WHERE origin = 'demo'")
            if one("SELECT count(*) FROM partners WHERE origin = 'demo'")
            else one("SELECT min(id) FROM partners"),
            last_partner=one("SELECT max(id) FROM partners"),
            member=one("SELECT min(id) FROM members"),
            initiative=one("SELECT max(id) FROM initiatives"),
            objective=one("SELECT min(id) FROM objectives"),
            busiest_member=one(
                "SELECT member_id FROM member_initiatives GROUP BY member_id"
                " ORDER BY count(*) DESC, member_id LIMIT 1"
            ),
        )
    finally:
        connection.close()


async def _partner_key(path: Path, partner: int) -> str:
    database = Database(sqlite_url(path))
    try:
        issued = await issue_key(
            database, name="hostile partner", role=Role.PARTNER, partner_id=partner
        )
        return issued.key
    finally:
        await database.dispose()


async def run_kind(kind: Kind, template: Path, directory: Path, args: argparse.Namespace) -> Report:
    """One kind against a fresh hub on a fresh copy of the database."""
    path = directory / f"{kind.name}.db"
    shutil.copyfile(template, path)
    sample = _sample(path)
    key = await _partner_key(path, sample.partner)
    hub = Hub(path)
    hub.env["HUB_DEVELOPMENT"] = "false"
    with hub.running():
        await hub.wait_until_answering(limit_s=120)
        assert hub.process is not None
        pid = hub.process.pid
        before = Usage.of(pid)
        attack = Attack(hub.origin, key, sample, args)
        with Probe(hub.origin, args.probe_ms / 1000) as probe:
            outcomes = await kind.run(attack)
            await asyncio.sleep(args.settle)
        after = Usage.of(pid)
    return Report(kind, outcomes, probe.line(), before, after)


async def run(args: argparse.Namespace) -> list[Report]:
    chosen = [kind for kind in KINDS if not args.only or kind.name in args.only]
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    template = BENCH_DIR / f"hostile-{args.partners}.db"
    started = time.perf_counter()
    await build(template, args.partners)
    print(f"database: {template} ({time.perf_counter() - started:.0f} s to check or build)")
    reports = []
    with tempfile.TemporaryDirectory(prefix="hub-hostile-") as directory:
        for kind in chosen:
            report = await run_kind(kind, template, Path(directory), args)
            print("\n".join(report.text()), flush=True)
            reports.append(report)
    return reports


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hostile", description=__doc__.split("\n")[0]
    )
    kinds = ", ".join(kind.name for kind in KINDS)
    parser.add_argument("--only", type=lambda v: set(v.split(",")), help=f"some of: {kinds}")
    parser.add_argument("--partners", type=int, default=20_000, help="demo partners")
    parser.add_argument("--request-timeout", type=float, default=60, help="seconds")
    parser.add_argument("--probe-ms", type=float, default=50, help="between /health probes")
    parser.add_argument("--settle", type=float, default=2, help="seconds probed after a kind")
    parser.add_argument("--rounds", type=int, default=3, help="betweenness: writes and asks")
    parser.add_argument("--branches", type=int, default=600, help="or-branches: branches")
    parser.add_argument("--parallel", type=int, default=4, help="or-branches: at once")
    parser.add_argument("--memory-requests", type=int, default=3_000)
    parser.add_argument("--memory-bytes", type=int, default=60_000)
    parser.add_argument("--memory-concurrency", type=int, default=8)
    parser.add_argument("--slow-headers", type=int, default=300)
    parser.add_argument("--slow-bodies", type=int, default=300)
    parser.add_argument("--slow-wait", type=float, default=60, help="seconds")
    parser.add_argument("--fan-out", type=int, default=20, help="fragment-fan-out: levels")
    parser.add_argument("--representations", type=int, default=1000, help="entities: how many")
    parser.add_argument("--trickle-seconds", type=float, default=5, help="between header bytes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    unknown = (args.only or set()) - {kind.name for kind in KINDS}
    if unknown:
        print(f"unknown kinds: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
