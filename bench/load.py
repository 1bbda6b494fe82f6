"""Load test: N clients against the hub over HTTP for T seconds, 80 % reads
and 20 % writes, then every acknowledged write looked for in the database.

    .venv/bin/python -m bench.load --clients 50 --seconds 60
    .venv/bin/python -m bench.load --clients 50 --seconds 60 --synchronous FULL
    .venv/bin/python -m bench.load --clients 8 --seconds 30 --write-share 1   # writes only

The hub runs as its own process (`metrohub serve`) on a fresh SQLite file in
a temporary directory, migrated and seeded, with a staff key and one partner
key per seed partner, and rate budgets raised for the run. Reads are a
nested page of members, a search, a page of partners and a node; writes are
`partnerCreate` (staff) and `partnerUpdate` (staff, and partners on their own
profile). Once the clients stop, so does the hub, and the database file is
read with sqlite3: each acknowledged write must be there, and
`PRAGMA integrity_check` must say ok. Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loadtest.workload import (
    Client,
    Hub,
    Tally,
    Verdict,
    failures,
    percentile,
    prepare,
    verify,
)

__all__ = ["LoadResult", "main", "run"]

WRITE_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class LoadResult:
    clients: int
    seconds: float
    synchronous: str
    write_share: float
    tally: Tally
    verdict: Verdict

    @property
    def failures(self) -> list[str]:
        found = failures(self.tally, self.verdict)
        # Unlike a crash run, nothing here cuts a connection.
        if self.tally.transport_errors:
            found.append(f"{self.tally.transport_errors} transport errors")
        return found

    def lines(self) -> list[str]:
        tally = self.tally
        rate = tally.requests / self.seconds if self.seconds else 0.0
        writes = len(tally.write_ms) / self.seconds if self.seconds else 0.0
        return [
            f"machine: {platform.machine()}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}",
            f"clients: {self.clients}, duration: {self.seconds:.1f} s, "
            f"writes: {self.write_share:.0%} of requests, synchronous: {self.synchronous}",
            f"requests: {tally.requests} ({rate:.0f} req/s), reads: {len(tally.read_ms)}, "
            f"writes: {len(tally.write_ms)} ({writes:.0f}/s), version conflicts: {tally.conflicts}",
            f"read ms p50/p95/p99: {_ps(tally.read_ms)}",
            f"write ms p50/p95/p99: {_ps(tally.write_ms)}",
            f"5xx: {tally.server_errors}, transport errors: {tally.transport_errors}, "
            f"unexpected answers: {len(tally.bad_answers)}",
            f"writes acknowledged: {self.verdict.acknowledged}, found: {self.verdict.found}",
            f"integrity_check: {self.verdict.integrity}",
        ]


def _ps(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, q):.1f}" for q in (50, 95, 99))


async def run(
    clients: int,
    seconds: float,
    *,
    directory: Path,
    synchronous: str = "NORMAL",
    write_share: float = WRITE_SHARE,
    seed: int = 1,
) -> LoadResult:
    """Run the load test with its database in `directory`."""
    path = directory / "load.db"
    keys = await prepare(path, partner_keys=clients)
    tally = Tally()
    hub = Hub(path, synchronous=synchronous)
    with hub.running():
        await hub.wait_until_answering(limit_s=30)
        stop = asyncio.Event()
        workers = [
            Client(n, hub.origin, keys, tally, write_share=write_share, seed=seed)
            for n in range(clients)
        ]
        started = time.monotonic()
        tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
    return LoadResult(clients, elapsed, synchronous, write_share, tally, verify(path, tally.acks))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--synchronous", choices=("NORMAL", "FULL"), default="NORMAL")
    parser.add_argument("--write-share", type=float, default=WRITE_SHARE)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-load-") as directory:
        result = asyncio.run(
            run(
                args.clients,
                args.seconds,
                directory=Path(directory),
                synchronous=args.synchronous,
                write_share=args.write_share,
                seed=args.seed,
            )
        )
    print("\n".join(result.lines()))
    for failure in result.failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if result.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
