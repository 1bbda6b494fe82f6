"""The hub against PostGraphile: the same network, the same questions.

    .venv/bin/python -m bench.postgraphile             # make bench-peers
    .venv/bin/python -m bench.postgraphile --quick     # 1 round of 2 s runs

PostGraphile 4.14 (`bench/peers/`: its package files and a launcher, with the
many-to-many and simplify-inflector plugins) runs over a PostgreSQL copy of
the full-scale network of `bench.network` (137 members, 321 initiatives,
3,039 partners), as a login role that sees what the hub's anonymous callers
see: row-level security keeps drafts and archives out (and links to them),
column grants keep partners' contacts out, and keys, audit, usage and the
search index's raw table are not granted at all (search goes through one
SECURITY DEFINER function that returns published hits only). The hub serves
the same copy, and its SQLite original.

Each query is asked of each server once and the answers compared as sets of
facts (ids as integers, enum values in lower case, cursors left out): they
must be equal. Then, in interleaved rounds, wrk drives each server at 1 and
8 connections; CPU per request is read from /proc for the app's process and
for the PostgreSQL backends whose client it is (found in pg_stat_activity by
database and user, sampled through the run since pools open and close them).
The app is pinned to CPU 0 and wrk to CPU 1 when there are two. Medians over
the rounds; ratios hub / PostGraphile; the table goes into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench.http import HttpRun, cpu_seconds, load, serving
from bench.network import prepare
from bench.reads import BENCH_DIR, BENCH_MAX_COST, PROJECT_ROOT
from bench.search import machine
from db.copy import copy_database
from loadtest.queries import DIRECTORY, ENTITIES, FILTERED, INNER_PAGE, NESTED, TYPENAME, global_id

__all__ = ["main"]

PEERS_DIR = PROJECT_ROOT / "bench" / "peers"
DATABASE = "peers_bench"
READER = "peers_reader"  # PostGraphile's login role
HUB_USER = "postgres"  # the hub's (it owns the tables, as its migrations made them)
START, END = "<!-- bench.postgraphile: start -->", "<!-- bench.postgraphile: end -->"
KINDS = {1: "Member", 2: "Partner", 3: "Initiative"}  # search_index.key % 4

# What PostGraphile's role may read: the published network, without contacts.
READER_SQL = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER}') THEN
    CREATE ROLE {READER} LOGIN;
  END IF;
END $$;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {READER};
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE {DATABASE} TO {READER};
GRANT USAGE ON SCHEMA public TO {READER};
GRANT SELECT ON regions, members, initiatives, member_initiatives, partner_initiatives
  TO {READER};
GRANT SELECT ({{partner_columns}}) ON partners TO {READER};
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE initiatives ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_initiatives ENABLE ROW LEVEL SECURITY;
ALTER TABLE partner_initiatives ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS published ON members;
DROP POLICY IF EXISTS published ON partners;
DROP POLICY IF EXISTS published ON initiatives;
DROP POLICY IF EXISTS published ON member_initiatives;
DROP POLICY IF EXISTS published ON partner_initiatives;
CREATE POLICY published ON members FOR SELECT TO {READER} USING (publication = 'published');
CREATE POLICY published ON partners FOR SELECT TO {READER} USING (publication = 'published');
CREATE POLICY published ON initiatives FOR SELECT TO {READER}
  USING (publication = 'published');
-- A link is seen when both its ends are (the policies above apply inside).
CREATE POLICY published ON member_initiatives FOR SELECT TO {READER} USING (
  EXISTS (SELECT FROM members m WHERE m.id = member_id)
  AND EXISTS (SELECT FROM initiatives i WHERE i.id = initiative_id));
CREATE POLICY published ON partner_initiatives FOR SELECT TO {READER} USING (
  EXISTS (SELECT FROM partners p WHERE p.id = partner_id)
  AND EXISTS (SELECT FROM initiatives i WHERE i.id = initiative_id));
-- The hub's search (words, the last one as a prefix; ts_rank with a title
-- ten times the body; ties by key), published records only.
DROP FUNCTION IF EXISTS search_records(text);
DROP TYPE IF EXISTS search_hit;
CREATE TYPE search_hit AS (type text, record_id integer, label text, rank real);
CREATE FUNCTION search_records(words text) RETURNS SETOF search_hit
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH q AS (
    SELECT to_tsquery('hub_search', string_agg(quote_literal(w), ' & ' ORDER BY n) || ':*') AS q
    FROM regexp_split_to_table(words, '[^[:alnum:]]+') WITH ORDINALITY AS t(w, n)
    WHERE w <> ''
  )
  SELECT CASE s.key % 4 WHEN 1 THEN 'Member' WHEN 2 THEN 'Partner' ELSE 'Initiative' END,
         (s.key / 4)::integer, coalesce(m.name, p.name, i.title),
         ts_rank('{{0, 0, 0.1, 1}}', s.document, q.q)
  FROM q JOIN search_index s ON s.document @@ q.q
  LEFT JOIN members m ON s.key % 4 = 1 AND m.id = s.key / 4
  LEFT JOIN partners p ON s.key % 4 = 2 AND p.id = s.key / 4
  LEFT JOIN initiatives i ON s.key % 4 = 3 AND i.id = s.key / 4
  WHERE coalesce(m.publication, p.publication, i.publication) = 'published'
  ORDER BY 4 DESC, s.key
$$;
GRANT EXECUTE ON FUNCTION search_records(text) TO {READER};
"""


def pg_url(user: str, database: str = DATABASE, *, driver: str = "") -> str:
    scheme = f"postgresql+{driver}" if driver else "postgresql"
    return f"{scheme}://{user}@127.0.0.1:5432/{database}"


async def prepare_databases(sqlite_path: Path) -> None:
    """The full-scale network in SQLite (kept in var/bench/), copied once
    into PostgreSQL database `peers_bench`, and PostGraphile's role there."""
    await prepare(sqlite_path, full=True)
    server = await asyncpg.connect(pg_url(HUB_USER, "postgres"))
    try:
        exists = await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
        if not exists:
            await server.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await server.close()
    connection = await asyncpg.connect(pg_url(HUB_USER))
    try:
        copied = await connection.fetchval("SELECT to_regclass('members') IS NOT NULL")
        if copied and not await connection.fetchval("SELECT count(*) FROM members"):
            copied = False
    finally:
        await connection.close()
    if not copied:
        report = await copy_database(
            f"sqlite+aiosqlite:///{sqlite_path}", pg_url(HUB_USER, driver="asyncpg")
        )
        print(f"copied {sum(t.rows for t in report.tables):,} rows into {DATABASE}", flush=True)
    connection = await asyncpg.connect(pg_url(HUB_USER))
    try:
        columns = await connection.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'partners' "
            "AND table_schema = 'public' AND column_name NOT LIKE 'contact%' ORDER BY 1"
        )
        await connection.execute(
            READER_SQL.replace("{partner_columns}", ", ".join(row[0] for row in columns))
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


# PostGraphile's side of each query, in its names: the simplify inflector's,
# and the many-to-many plugin's (aliased to the hub's; a link's role is a
# field of the edge there too).
PG_NESTED = """
query Nested($first: Int!, $inner: Int!) {
  members(first: $first, orderBy: [NAME_ASC, ID_ASC]) {
    totalCount
    edges {
      node {
        id
        name
        countryCode
        region { name }
        initiatives: initiativesByMemberInitiativeMemberIdAndInitiativeId(
          first: $inner
          orderBy: [TITLE_ASC, ID_ASC]
        ) {
          totalCount
          edges {
            role
            node {
              id
              title
              partners: partnersByPartnerInitiativeInitiativeIdAndPartnerId(
                first: $inner
                orderBy: [NAME_ASC, ID_ASC]
              ) {
                totalCount
                edges { role node { id name kind } }
              }
            }
          }
        }
      }
    }
  }
}
"""

PG_FILTERED = """
query Filtered($kind: String!) {
  partners(first: 20, condition: { kind: $kind }, orderBy: [NAME_ASC, ID_ASC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name kind countryCode } }
  }
}
"""

PG_SEARCH = """
query Directory($query: String!) {
  searchRecords(words: $query, first: 20) {
    totalCount
    edges { node { type recordId label rank } }
  }
}
"""


def pg_by_ids(ids: list[int]) -> str:
    """PostGraphile's nearest to `_entities`: one aliased `partner(id:)` each."""
    fields = "\n".join(f"  p{n}: partner(id: {pk}) {{ id name kind }}" for n, pk in enumerate(ids))
    return "{\n" + fields + "\n}"


@dataclass(frozen=True, slots=True)
class Query:
    """One question, as the hub's document and as PostGraphile's."""

    name: str
    hub: bytes
    peer: bytes
    kind: str  # typename, nested, filtered, search or entities


def bench_queries(partner_ids: list[int], page: int) -> list[Query]:
    def body(document: str, variables: dict[str, Any] | None = None) -> bytes:
        return orjson.dumps({"query": document, "variables": variables or {}})

    representations = [
        {"__typename": "Partner", "id": global_id("Partner", pk)} for pk in partner_ids
    ]
    nested = [
        Query(
            f"nested, {first} members",
            body(NESTED, {"first": first, "inner": INNER_PAGE}),
            body(PG_NESTED, {"first": first, "inner": INNER_PAGE}),
            "nested",
        )
        for first in (20, page)
    ]
    return [
        Query("{__typename}", body(TYPENAME), body(TYPENAME), "typename"),
        *nested,
        Query(
            "filtered partner list",
            body(FILTERED, {"kind": "ACADEMIC"}),
            body(PG_FILTERED, {"kind": "academic"}),
            "filtered",
        ),
        Query(
            "search page (`group`)",
            body(DIRECTORY, {"query": "group"}),
            body(PG_SEARCH, {"query": "group"}),
            "search",
        ),
        Query(
            f"_entities ×{len(partner_ids)} (PostGraphile: {len(partner_ids)} `partner(id:)`)",
            body(ENTITIES, {"representations": representations}),
            body(pg_by_ids(partner_ids)),
            "entities",
        ),
    ]


# Facts: each answer as a set of tuples, ids as integers, enums in lower case.
Facts = set[tuple[Any, ...]]


def _pk(value: str | int) -> int:
    if isinstance(value, int):
        return value
    return int(base64.b64decode(value).decode().split(":", 1)[1])


def _rank(value: float) -> str:
    return f"{value:.5g}"


def hub_facts(kind: str, data: dict[str, Any]) -> Facts:
    facts: Facts = set()
    if kind == "typename":
        facts.add(("typename", data["__typename"]))
    elif kind == "nested":
        members = data["members"]
        facts.add(("members", members["totalCount"]))
        for edge in members["edges"]:
            member = edge["node"]
            mid = _pk(member["id"])
            facts.add(("member", mid, member["name"], member["country"], member["region"]["name"]))
            initiatives = member["initiatives"]
            facts.add(("member initiatives", mid, initiatives["totalCount"]))
            for link in initiatives["edges"]:
                initiative = link["node"]
                iid = _pk(initiative["id"])
                facts.add(
                    ("member initiative", mid, iid, link["role"].lower(), initiative["title"])
                )
                partners = initiative["partners"]
                facts.add(("initiative partners", iid, partners["totalCount"]))
                for item in partners["edges"]:
                    partner = item["node"]
                    facts.add(
                        (
                            "initiative partner",
                            iid,
                            _pk(partner["id"]),
                            item["role"].lower(),
                            partner["name"],
                            partner["kind"].lower(),
                        )
                    )
    elif kind == "filtered":
        partners = data["partners"]
        facts.add(("partners", partners["totalCount"], partners["pageInfo"]["hasNextPage"]))
        for edge in partners["edges"]:
            node = edge["node"]
            facts.add(
                ("partner", _pk(node["id"]), node["name"], node["kind"].lower(), node["country"])
            )
    elif kind == "search":
        search = data["search"]
        facts.add(("hits", search["totalCount"]))
        for edge in search["edges"]:
            node = edge["node"]
            label = node.get("name", node.get("title"))
            facts.add(("hit", node["__typename"], _pk(node["id"]), label, _rank(edge["rank"])))
    elif kind == "entities":
        for entity in data["_entities"]:
            facts.add(("partner", _pk(entity["id"]), entity["name"], entity["kind"].lower()))
    return facts


def peer_facts(kind: str, data: dict[str, Any]) -> Facts:
    facts: Facts = set()
    if kind == "typename":
        facts.add(("typename", data["__typename"]))
    elif kind == "nested":
        members = data["members"]
        facts.add(("members", members["totalCount"]))
        for edge in members["edges"]:
            member = edge["node"]
            mid = member["id"]
            facts.add(
                ("member", mid, member["name"], member["countryCode"], member["region"]["name"])
            )
            initiatives = member["initiatives"]
            facts.add(("member initiatives", mid, initiatives["totalCount"]))
            for link in initiatives["edges"]:
                initiative = link["node"]
                iid = initiative["id"]
                facts.add(("member initiative", mid, iid, link["role"], initiative["title"]))
                partners = initiative["partners"]
                facts.add(("initiative partners", iid, partners["totalCount"]))
                for item in partners["edges"]:
                    partner = item["node"]
                    facts.add(
                        (
                            "initiative partner",
                            iid,
                            partner["id"],
                            item["role"],
                            partner["name"],
                            partner["kind"],
                        )
                    )
    elif kind == "filtered":
        partners = data["partners"]
        facts.add(("partners", partners["totalCount"], partners["pageInfo"]["hasNextPage"]))
        for edge in partners["edges"]:
            node = edge["node"]
            facts.add(("partner", node["id"], node["name"], node["kind"], node["countryCode"]))
    elif kind == "search":
        search = data["searchRecords"]
        facts.add(("hits", search["totalCount"]))
        for edge in search["edges"]:
            node = edge["node"]
            facts.add(("hit", node["type"], node["recordId"], node["label"], _rank(node["rank"])))
    elif kind == "entities":
        for entity in data.values():
            facts.add(("partner", entity["id"], entity["name"], entity["kind"]))
    return facts


def ask(url: str, body: bytes) -> dict[str, Any]:
    response = httpx.post(
        url, content=body, headers={"Content-Type": "application/json"}, timeout=60
    )
    answer = response.json()
    if response.status_code != 200 or answer.get("errors"):
        raise RuntimeError(f"{url}: {response.status_code} {str(answer)[:600]}")
    data: dict[str, Any] = answer["data"]
    return data


class BackendMeter:
    """CPU of the PostgreSQL backends of one user on the bench database
    (utime + stime from /proc), polled every 50 ms from `start` to `stop`:
    backends that open during the run count whole, those that close count
    up to their last poll."""

    def __init__(self, user: str) -> None:
        self.user = user
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        self._stop.clear()
        self._ready.clear()
        self._first, self._last = {}, {}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30)

    def stop(self) -> float:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        return sum(self._last[pid] - self._first[pid] for pid in self._last)

    def _run(self) -> None:
        try:
            asyncio.run(self._poll())
        except BaseException as error:  # re-raised by stop()
            self._error = error
            self._ready.set()

    async def _poll(self) -> None:
        connection = await asyncpg.connect(pg_url(HUB_USER))
        try:
            opening = True
            while True:
                pids = await connection.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND usename = $2 "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                    DATABASE,
                    self.user,
                )
                for (pid,) in pids:
                    try:
                        seconds = cpu_seconds(pid)
                    except (FileNotFoundError, ProcessLookupError):
                        continue
                    self._first.setdefault(pid, seconds if opening else 0.0)
                    self._last[pid] = seconds
                if opening:
                    opening = False
                    self._ready.set()
                if self._stop.is_set():
                    return
                await asyncio.sleep(0.05)
        finally:
            await connection.close()


def _pin(cpu: int) -> None:
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {cpu})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgraphile() -> Iterator[tuple[str, int]]:
    """PostGraphile (bench/peers/server.js) as PostGraphile's role, pinned to
    CPU 0; yields its URL and pid once it answers."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url(READER),
        "PORT": str(port),
        "NODE_ENV": "production",
    }
    process = subprocess.Popen(
        # PostGraphile 4 on pg 8 warns of a deprecated call at every start.
        ["node", "--no-deprecation", str(PEERS_DIR / "server.js")],
        env=env,
        preexec_fn=lambda: _pin(0),
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ask(url, orjson.dumps({"query": TYPENAME}))
                break
            except (httpx.HTTPError, RuntimeError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("PostGraphile did not start") from None
                time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    jit: bool = True
    queries: tuple[str, ...] | None = None  # None: every query

    @property
    def postgres_user(self) -> str | None:
        if self.name.startswith("PostGraphile"):
            return READER
        return HUB_USER if "PostgreSQL" in self.name else None

    @contextmanager
    def running(self, sqlite_path: Path) -> Iterator[tuple[str, int]]:
        user = self.postgres_user
        if user is not None:
            asyncio.run(_set_jit(user, on=self.jit))
        if self.name.startswith("PostGraphile"):
            with postgraphile() as served:
                yield served
            return
        url = (
            pg_url(HUB_USER, driver="asyncpg")
            if user is not None
            else f"sqlite+aiosqlite:///{sqlite_path}"
        )
        env = {
            "HUB_DATABASE_URL": url,
            "HUB_MAX_COST": str(BENCH_MAX_COST),
            "HUB_ANONYMOUS_BUDGET": "1000000000/minute",
            "HUB_AUTO_SEED": "false",
            "HUB_AUTO_MIGRATE": "false",
            # Every request runs: the response cache would answer repeats.
            "HUB_RESPONSE_CACHE_MB": "0",
        }
        with serving("server:create_app", env) as served:
            yield served


async def _set_jit(user: str, *, on: bool) -> None:
    connection = await asyncpg.connect(pg_url(HUB_USER))
    try:
        setting = "on" if on else "off"
        await connection.execute(f"ALTER ROLE {user} IN DATABASE {DATABASE} SET jit = {setting}")
    finally:
        await connection.close()


HUB_SQLITE, HUB_PG, PEER = "hub, SQLite", "hub, PostgreSQL", "PostGraphile"
SERVERS = (
    Server(HUB_SQLITE),
    Server(HUB_PG),
    Server(PEER),
    Server(HUB_PG, jit=False, queries=("nested",)),
    Server(PEER, jit=False, queries=("nested",)),
)
CONNECTIONS = (1, 8)


def facts_of(server: Server, url: str, query: Query) -> Facts:
    if server.name == PEER:
        return peer_facts(query.kind, ask(url, query.peer))
    return hub_facts(query.kind, ask(url, query.hub))


def _totals(facts: Facts) -> Facts:
    return {fact for fact in facts if fact[0] != "hit"}


class Checker:
    """Every server's answer to a query must hold the facts of the first
    answer seen. BM25 on SQLite ranks otherwise than ts_rank on PostgreSQL,
    so another 20 of the same hits make the first page: the hub on SQLite is
    held to the same number of hits only."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, Facts]] = {}

    def __call__(self, server: Server, url: str, query: Query) -> None:
        got = facts_of(server, url, query)
        first, expected = self.seen.setdefault(query.name, (server.name, got))
        if HUB_SQLITE in (first, server.name) and query.kind == "search":
            got, expected = _totals(got), _totals(expected)
        if got != expected:
            raise AssertionError(
                f"{query.name}: the facts of {server.name} differ from those of {first}\n"
                f"  only in {server.name}: {sorted(got - expected, key=str)[:8]}\n"
                f"  only in {first}: {sorted(expected - got, key=str)[:8]}"
            )


def _samples_sync(sqlite_path: Path) -> list[int]:
    """100 published partners, spread over the directory (as bench.reads picks them)."""

    async def read() -> list[int]:
        connection = await asyncpg.connect(pg_url(HUB_USER))
        try:
            rows = await connection.fetch(
                "SELECT id FROM partners WHERE publication = 'published' ORDER BY id"
            )
        finally:
            await connection.close()
        ids = [row[0] for row in rows]
        step = max(1, len(ids) // 100)
        return ids[::step][:100]

    return asyncio.run(read())


@dataclass(frozen=True, slots=True)
class Key:
    server: str
    jit: bool
    query: str
    connections: int


def measure(
    sqlite_path: Path, *, rounds: int, seconds: int, log: Callable[[str], None]
) -> tuple[list[Query], dict[Key, list[HttpRun]]]:
    queries = bench_queries(_samples_sync(sqlite_path), 100)
    checker = Checker()
    runs: dict[Key, list[HttpRun]] = {}
    for round_ in range(rounds):
        shift = round_ % len(SERVERS)
        for server in SERVERS[shift:] + SERVERS[:shift]:
            with server.running(sqlite_path) as (url, pid):
                for query in queries:
                    if server.queries is not None and query.kind not in server.queries:
                        continue
                    if query.kind == "nested" and not server.jit and "100" not in query.name:
                        continue
                    asked = time.perf_counter()
                    checker(server, url, query)
                    # Long enough for a few answers on every connection, on a busy machine too.
                    latency = time.perf_counter() - asked
                    body = query.peer if server.name == PEER else query.hub
                    user = server.postgres_user
                    for connections in CONNECTIONS:
                        run = load(
                            url,
                            pid,
                            body,
                            connections=connections,
                            seconds=math.ceil(max(seconds, min(30.0, 4 * connections * latency))),
                            server=server.name,
                            query=query.name,
                            database=None if user is None else BackendMeter(user),
                        )
                        runs.setdefault(
                            Key(server.name, server.jit, query.name, connections), []
                        ).append(run)
            log(f"round {round_ + 1}/{rounds}: {server.name}{'' if server.jit else ', jit off'}")
    return queries, runs


@dataclass(frozen=True, slots=True)
class Median:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    app_cpu_ms: float
    database_cpu_ms: float | None

    @property
    def cpu_ms(self) -> float:
        return self.app_cpu_ms + (self.database_cpu_ms or 0.0)


def median(runs: list[HttpRun]) -> Median:
    database = [run.database_cpu_ms_per_request for run in runs]
    return Median(
        statistics.median(run.requests_per_s for run in runs),
        statistics.median(run.p50_ms for run in runs),
        statistics.median(run.p99_ms for run in runs),
        statistics.median(run.cpu_ms_per_request for run in runs),
        None if None in database else statistics.median(d for d in database if d is not None),
    )


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def tables(queries: list[Query], runs: dict[Key, list[HttpRun]]) -> str:
    medians = {key: median(values) for key, values in runs.items()}
    lines = [
        "| query | conn | server | req/s | p50 ms | p99 ms | app CPU ms/req "
        "| PostgreSQL CPU ms/req | CPU ms/req |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for query in queries:
        for connections in CONNECTIONS:
            for server in SERVERS:
                key = Key(server.name, server.jit, query.name, connections)
                if key not in medians:
                    continue
                m = medians[key]
                name = server.name + ("" if server.jit else ", jit off")
                database = "in process" if m.database_cpu_ms is None else _ms(m.database_cpu_ms)
                lines.append(
                    f"| {query.name} | {connections} | {name} | {m.requests_per_s:,.0f} | "
                    f"{_ms(m.p50_ms)} | {_ms(m.p99_ms)} | {_ms(m.app_cpu_ms)} | {database} | "
                    f"{_ms(m.cpu_ms)} |"
                )
    lines += [
        "",
        "Ratios hub ÷ PostGraphile (jit on): above 1 is better for req/s, below 1 is better "
        "for latency and CPU.",
        "",
        "| query | conn | hub on | req/s | p50 | p99 | CPU/req (app + PostgreSQL) |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for query in queries:
        for connections in CONNECTIONS:
            peer = medians[Key(PEER, True, query.name, connections)]
            for hub, label in ((HUB_PG, "PostgreSQL"), (HUB_SQLITE, "SQLite")):
                m = medians[Key(hub, True, query.name, connections)]
                lines.append(
                    f"| {query.name} | {connections} | {label} | "
                    f"{m.requests_per_s / peer.requests_per_s:.2f} | "
                    f"{m.p50_ms / peer.p50_ms:.2f} | {m.p99_ms / peer.p99_ms:.2f} | "
                    f"{m.cpu_ms / peer.cpu_ms:.2f} |"
                )
    return "\n".join(lines)


def write_results(section: str) -> None:
    """Put `section` between this benchmark's markers in bench/RESULTS.md."""
    results = PROJECT_ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else ""
    block = f"{START}\n{section}\n{END}"
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    results.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument(
        "--seconds", type=int, default=3, help="least length of each wrk run (whole seconds)"
    )
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s runs: a smoke run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    sqlite_path = BENCH_DIR / "reads-full.db"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    asyncio.run(prepare_databases(sqlite_path))
    rounds, seconds = (1, 2) if args.quick else (args.rounds, args.seconds)
    queries, runs = measure(
        sqlite_path, rounds=rounds, seconds=seconds, log=lambda line: print(line, flush=True)
    )
    table = tables(queries, runs)
    command = "python -m bench.postgraphile " + " ".join(sys.argv[1:] if argv is None else argv)
    header = (
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"- machine: {machine()}; load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end\n"
        f"- command: `{command.strip()}` ({time.perf_counter() - started:.0f} s): "
        f"{rounds} interleaved rounds of wrk runs of at least {seconds} s "
        "(longer where 4 answers per connection take longer), medians"
    )
    section = f"{header}\n\n{table}"
    print(section)
    if not args.no_write:
        write_results(section)


if __name__ == "__main__":
    main()
