"""Live change streams at scale: the hub's CPU with N open `changes` streams
and nothing happening, and how long a staff query takes right after a mutation
while they are open.

    .venv/bin/python -m bench.streams                       # 0, 500, 2000 streams
    .venv/bin/python -m bench.streams --streams 0 300 --idle 10 --demo 0

The hub runs as its own process (`metrohub serve`, production mode) on a
SQLite file in a temporary directory, migrated and seeded with the reference
data and `--demo` demo partners, with rate budgets and connection caps raised
for the run; it is pinned to CPU 0 and this script to CPU 1. Streams are
anonymous (the case that reads visibility), ten to a WebSocket connection,
each from the last change on. For each number of streams: the hub's CPU
(user + system, /proc/<pid>/stat) over `--idle` seconds with no change made,
as a share of one core; then `--mutations` times a staff `memberUpdate`, and
at once a staff query (a page of 20 partners), timed from when the mutation
answered; and how long until every stream had that change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from websockets.asyncio.client import ClientConnection, connect

from db.demo import ensure_demo
from db.engine import Database
from db.models import AuditEntry
from loadtest.workload import Hub, prepare, sqlite_url

__all__ = ["StreamRun", "main", "run"]

PER_CONNECTION = 10
PROTOCOL = "graphql-transport-ws"
CHANGES = "subscription Changes($since: String) { changes(since: $since) { cursor record } }"
MEMBER = (
    'query Berlin { members(where: {shortName: {eq: "Berlin"}}) { edges { node { id version } } } }'
)
UPDATE = """
mutation Update($input: MemberUpdateInput!) {
  memberUpdate(input: $input) { member { version } userErrors { code } }
}
"""
STAFF_QUERY = "query Page { partners(first: 20) { edges { node { id name kind sector } } } }"
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class StreamRun:
    streams: int
    idle_cpu_percent: float
    query_ms: list[float]
    fan_out_ms: list[float]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _pin(cpu: int) -> None:
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {cpu})


class Streams:
    """WebSocket connections holding anonymous `changes` streams, counting
    the changes each stream receives."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connections: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.received: dict[tuple[int, str], int] = {}
        self.closed = 0

    @property
    def count(self) -> int:
        return len(self.received)

    async def open(self, streams: int, since: str) -> None:
        while self.count < streams:
            websocket = await connect(self.url, subprotocols=[PROTOCOL], max_queue=None)  # type: ignore[list-item]
            await websocket.send(json.dumps({"type": "connection_init", "payload": {}}))
            ack = json.loads(await websocket.recv())
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"connection refused: {ack}")
            number = len(self.connections)
            for index in range(min(PER_CONNECTION, streams - self.count)):
                operation = str(index)
                payload = {"query": CHANGES, "variables": {"since": since}}
                message = {"id": operation, "type": "subscribe", "payload": payload}
                await websocket.send(json.dumps(message))
                self.received[(number, operation)] = 0
            self.connections.append(websocket)
            self.readers.append(asyncio.create_task(self._read(number, websocket)))

    async def _read(self, number: int, websocket: ClientConnection) -> None:
        try:
            async for raw in websocket:
                message = json.loads(raw)
                if message.get("type") != "next" or "errors" in message["payload"]:
                    raise RuntimeError(f"unexpected message: {message}")
                self.received[(number, message["id"])] += 1
        except Exception:
            self.closed += 1
            raise

    async def all_received(self, count: int, limit_s: float = 120.0) -> None:
        deadline = time.monotonic() + limit_s
        while any(received < count for received in self.received.values()):
            if self.closed:
                raise RuntimeError(f"{self.closed} connections closed under the streams")
            if time.monotonic() > deadline:
                late = sum(received < count for received in self.received.values())
                raise TimeoutError(f"{late} streams did not get change {count}")
            await asyncio.sleep(0.005)

    async def close(self) -> None:
        for websocket in self.connections:
            await websocket.close()
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


async def _post(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    if "errors" in body:
        raise RuntimeError(f"{query}: {body['errors']}")
    return body["data"]


async def measure(
    hub: Hub,
    pid: int,
    staff: str,
    since: str,
    counts: Sequence[int],
    *,
    idle_s: float,
    mutations: int,
) -> list[StreamRun]:
    headers = {"Authorization": f"Bearer {staff}"}
    runs = []
    async with httpx.AsyncClient(base_url=hub.origin, headers=headers, timeout=120) as http:
        berlin = (await _post(http, MEMBER, {}))["members"]["edges"][0]["node"]
        streams = Streams(hub.origin.replace("http", "ws", 1) + "/graphql")
        made = 0
        try:
            for count in counts:
                await streams.open(count, since)
                # Let every stream reach the live edge before the hub is measured idle.
                await asyncio.sleep(3 + count / 500)
                before = _cpu_seconds(pid)
                await asyncio.sleep(idle_s)
                idle = (_cpu_seconds(pid) - before) / idle_s * 100
                query_ms, fan_out_ms = [], []
                for _ in range(mutations):
                    variables = {
                        "input": {
                            "id": berlin["id"],
                            "expectedVersion": berlin["version"],
                            "population": 3_000_000 + made,
                        }
                    }
                    data = await _post(http, UPDATE, variables)
                    answered = time.perf_counter()
                    berlin["version"] = data["memberUpdate"]["member"]["version"]
                    made += 1
                    await _post(http, STAFF_QUERY, {})
                    query_ms.append((time.perf_counter() - answered) * 1000)
                    await streams.all_received(made)
                    fan_out_ms.append((time.perf_counter() - answered) * 1000)
                    await asyncio.sleep(1)
                runs.append(StreamRun(streams.count, idle, query_ms, fan_out_ms))
                print(_row(runs[-1]), flush=True)
        finally:
            await streams.close()
    return runs


def _row(run: StreamRun) -> str:
    return (
        f"| {run.streams} | {run.idle_cpu_percent:.1f} | "
        f"{statistics.median(run.query_ms):.0f} | {max(run.query_ms):.0f} | "
        f"{statistics.median(run.fan_out_ms):.0f} |"
        if run.query_ms
        else f"| {run.streams} | {run.idle_cpu_percent:.1f} | - | - | - |"
    )


async def run(
    path: Path, counts: Sequence[int], *, demo: int, idle_s: float, mutations: int
) -> list[StreamRun]:
    keys = await prepare(path, partner_keys=0)
    database = Database(sqlite_url(path))
    try:
        if demo:
            await ensure_demo(database, demo)
        async with database.engine.connect() as connection:
            last = (await connection.execute(select(func.max(AuditEntry.id)))).scalar()
    finally:
        await database.dispose()
    hub = Hub(path)
    hub.env.update(
        {
            "HUB_MAX_SUBSCRIPTIONS": str(PER_CONNECTION),
            "HUB_MAX_CONNECTIONS": "100000",
            "HUB_MAX_CONNECTIONS_PER_ADDRESS": "100000",
            "HUB_MAX_CONNECTIONS_PER_KEY": "100000",
        }
    )
    hub.start()
    assert hub.process is not None
    try:
        if len(os.sched_getaffinity(0)) > 1:
            os.sched_setaffinity(hub.process.pid, {0})
        await hub.wait_until_answering(120)
        return await measure(
            hub, hub.process.pid, keys.staff, str(last or 0), counts,
            idle_s=idle_s, mutations=mutations,
        )  # fmt: skip
    finally:
        hub.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[0, 500, 2000])
    parser.add_argument("--demo", type=int, default=20_000, help="demo partners to add")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds measured idle")
    parser.add_argument("--mutations", type=int, default=5, help="mutations per step")
    args = parser.parse_args(argv)
    _pin(1)
    print("| streams | idle CPU % of a core | staff query after a mutation, p50 ms | max ms "
          "| every stream has the change, p50 ms |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="bench-streams-") as directory:
        asyncio.run(
            run(
                Path(directory) / "hub.db",
                sorted(args.streams),
                demo=args.demo,
                idle_s=args.idle,
                mutations=args.mutations,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
