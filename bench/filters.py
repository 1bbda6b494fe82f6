"""Hostile filters: what one costs the hub, and whether it still answers /health
(the `or-branches` kind of `bench.hostile`, with the largest filter the limits
let through beside it).

    .venv/bin/python -m bench.filters --partners 20000

Starts the hub (production mode, its own process) on a SQLite file with the
seed data and `--partners` demo partners, then sends two filters on the
partner list, each an `or` of branches `initiatives.some.partners.some
.members.some.name.contains` (three relation steps): 600 branches (the
hostile request), and 7 (the most the limits let through; on 20,000 partners
its statement runs for about 5 s, so that several at once outlast the 10 s
time budget). Each is sent alone and then several copies at once (four of
the first, eight of the second). While they run, /health is asked every 50 ms.
Reported per round: each copy's status, error code and seconds to answer (at
most `--wait` s), the server's CPU seconds over the round (user + system, from
/proc), and /health's p50 and max latency. The round ends when every copy has
answered or the wait is over; the hub is then restarted, so that work a copy
left behind does not spill into the next round.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from db.demo import ensure_demo
from db.engine import Database
from db.migrate import upgrade
from db.seed import seed_reference
from loadtest.workload import Hub, sqlite_url

__all__ = ["HOSTILE", "Round", "main", "run"]

HOSTILE = """
query Hostile($where: PartnerWhere) { partners(first: 20, where: $where) { totalCount } }
"""
BRANCH = {
    "initiatives": {
        "some": {"partners": {"some": {"members": {"some": {"name": {"contains": "x"}}}}}}
    }
}
# Branches of each filter, and how many copies are sent at once in each round.
FILTERS = {"600 branches": (600, (1, 4)), "7 branches": (7, (1, 8))}
HEALTH_EVERY_S = 0.05
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int | None  # None: no answer within the wait
    code: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Round:
    name: str
    copies: int
    answers: tuple[Answer, ...]
    cpu_s: float
    health_ms: tuple[float, ...]

    def lines(self) -> list[str]:
        health = self.health_ms
        answers = ", ".join(
            f"{a.status} {a.code} in {a.seconds:.2f} s"
            if a.status is not None
            else f"no answer in {a.seconds:.0f} s"
            for a in self.answers
        )
        return [
            f"{self.name}, {self.copies} at once: {answers}",
            f"  server CPU s: {self.cpu_s:.2f}; /health: {len(health)} answers, "
            f"p50 {statistics.median(health):.0f} ms, max {max(health):.0f} ms",
        ]


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


async def _hostile(http: httpx.AsyncClient, branches: int, wait_s: float) -> Answer:
    variables = {"where": {"or": [BRANCH] * branches}}
    started = time.monotonic()
    try:
        response = await http.post(
            "/graphql", json={"query": HOSTILE, "variables": variables}, timeout=wait_s
        )
    except httpx.TimeoutException:
        return Answer(None, "", time.monotonic() - started)
    errors = response.json().get("errors") or [{}]
    code = (errors[0].get("extensions") or {}).get("code", "ok")
    return Answer(response.status_code, code, time.monotonic() - started)


async def _round(hub: Hub, name: str, copies: int, wait_s: float) -> Round:
    assert hub.process is not None
    pid = hub.process.pid
    async with httpx.AsyncClient(base_url=hub.origin, timeout=wait_s) as http:
        await http.get("/health")
        cpu_before = _cpu_s(pid)
        hostile = [
            asyncio.create_task(_hostile(http, FILTERS[name][0], wait_s)) for _ in range(copies)
        ]
        health: list[float] = []
        while not all(task.done() for task in hostile):
            started = time.monotonic()
            await http.get("/health")
            health.append((time.monotonic() - started) * 1000)
            await asyncio.sleep(HEALTH_EVERY_S)
        answers = tuple([task.result() for task in hostile])
        return Round(name, copies, answers, _cpu_s(pid) - cpu_before, tuple(health))


async def _prepare(path: Path, partners: int) -> None:
    url = sqlite_url(path)
    await upgrade(url)
    database = Database(url)
    try:
        await seed_reference(database)
        await ensure_demo(database, partners)
    finally:
        await database.dispose()


async def run(partners: int, directory: Path, wait_s: float) -> list[Round]:
    path = directory / "hostile.db"
    await _prepare(path, partners)
    rounds = []
    for name, (_branches, at_once) in FILTERS.items():
        for copies in at_once:
            hub = Hub(path)
            with hub.running():
                await hub.wait_until_answering(limit_s=60)
                rounds.append(await _round(hub, name, copies, wait_s))
    return rounds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=20_000, help="demo partners")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for answers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-hostile-") as directory:
        rounds = asyncio.run(run(args.partners, Path(directory), args.wait))
    print(f"{args.partners} demo partners")
    for result in rounds:
        print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
