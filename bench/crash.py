"""Crash test: kill the hub with SIGKILL under write load, again and again,
and check that no acknowledged write is lost and the database stays sound.

    .venv/bin/python -m bench.crash --cycles 20

Each cycle runs several writing clients against the hub (its own process on
one SQLite file), kills the process with `kill -9` at a moment drawn from a
seeded random generator, starts it again on the same file, and times how
long until it answers a query that reads the database (at most 5 s). The
restart times are also printed as ratios to the clean first start of the
same run, which tell a slow recovery from a slow machine. After the last
cycle the file is read with sqlite3: every write the hub acknowledged must be
there, and `PRAGMA integrity_check` must say ok. Writes cut off by the kill
get no answer and are not counted. Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loadtest.workload import Client, Hub, Tally, Verdict, failures, prepare, verify

__all__ = ["CrashResult", "main", "run"]

RESTART_LIMIT_S = 5.0
# When the kill comes, after the writers start: drawn uniformly from this range.
KILL_AFTER_S = (0.3, 2.0)


@dataclass(frozen=True, slots=True)
class CrashResult:
    cycles: int
    clients: int
    # From starting the process until it answers: the first start, on a
    # database closed cleanly, then each restart after a kill.
    cold_start_s: float
    restarts_s: tuple[float, ...]
    tally: Tally
    verdict: Verdict

    @property
    def failures(self) -> list[str]:
        found = failures(self.tally, self.verdict)
        slow = [s for s in self.restarts_s if s > RESTART_LIMIT_S]
        if slow:
            found.append(f"{len(slow)} restarts slower than {RESTART_LIMIT_S} s: {slow}")
        return found

    @property
    def restart_ratios(self) -> tuple[float, ...]:
        """Each restart's time over the clean first start's, measured in the
        same run: near 1 when a restart costs what any start costs (importing
        the hub, building its schema), whatever the machine's load; well over
        1 when recovering from the kill adds to it."""
        return tuple(s / self.cold_start_s for s in self.restarts_s)

    def lines(self) -> list[str]:
        restarts, ratios = self.restarts_s, self.restart_ratios
        slow = sum(1 for s in restarts if s > RESTART_LIMIT_S)
        return [
            f"cycles: {self.cycles}, writing clients: {self.clients}",
            f"writes acknowledged: {self.verdict.acknowledged}, found: {self.verdict.found}, "
            f"cut off by the kill: {self.tally.transport_errors}",
            f"first start, before any kill, to answer s: {self.cold_start_s:.2f}",
            f"restart to answer s: median {statistics.median(restarts):.2f}, "
            f"max {max(restarts):.2f}; over {RESTART_LIMIT_S:g} s: {slow} of {len(restarts)}",
            f"restart / first start: median {statistics.median(ratios):.2f}x, "
            f"max {max(ratios):.2f}x",
            f"5xx: {self.tally.server_errors}, unexpected answers: {len(self.tally.bad_answers)}",
            f"integrity_check: {self.verdict.integrity}",
        ]


async def run(cycles: int, clients: int, *, directory: Path, seed: int = 1) -> CrashResult:
    """Run `cycles` kill-and-restart cycles with the database in `directory`."""
    path = directory / "crash.db"
    keys = await prepare(path, partner_keys=clients)
    tally = Tally()
    chance = random.Random(seed)
    restarts = []
    hub = Hub(path)
    hub.start()
    try:
        cold_start = await hub.wait_until_answering(limit_s=30)
        for cycle in range(cycles):
            stop = asyncio.Event()
            writers = [
                Client(n, hub.origin, keys, tally, write_share=1.0, seed=seed * 1000 + cycle)
                for n in range(clients)
            ]
            tasks = [asyncio.create_task(writer.run(stop)) for writer in writers]
            await asyncio.sleep(chance.uniform(*KILL_AFTER_S))
            hub.kill()
            stop.set()
            await asyncio.gather(*tasks)
            hub.start()
            restarts.append(await hub.wait_until_answering(limit_s=30))
    finally:
        hub.stop()
    return CrashResult(
        cycles, clients, cold_start, tuple(restarts), tally, verify(path, tally.acks)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crash", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-crash-") as directory:
        result = asyncio.run(
            run(args.cycles, args.clients, directory=Path(directory), seed=args.seed)
        )
    print("\n".join(result.lines()))
    for failure in result.failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if result.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
