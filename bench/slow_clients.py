"""Slow clients: how many connections that trickle their request head, or
stall in their body, the hub still holds after a while.

    .venv/bin/python -m bench.slow_clients --trickling 1500 --stalled 300 --seconds 60

The hub runs as its own process (`metrohub serve`, on 127.0.0.1 only) on a
fresh seeded SQLite file, with its default settings unless `HUB_*` variables
say otherwise. Then, at once:

- `--trickling` connections send a request line and then one more header
  line every `--interval` seconds, never the blank line that ends the head;
- `--stalled` connections send a whole head declaring a 60,000-byte body
  (under the 64 KiB limit), then a few bytes of it, and nothing more.

After `--seconds` it counts, of each kind, the connections the hub closed,
those it answered (by status) and those it still holds open, and asks
`/health` once as an ordinary client would. Counts are bounded (at most
5,000 of each kind) so that the script cannot be turned into a flood.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from loadtest.workload import Hub, prepare

__all__ = ["SlowResult", "main", "run"]

MAX_CONNECTIONS = 5_000
DECLARED_BODY = 60_000
# Connections opened at a time, so that the listen backlog never overflows.
RAMP = 200


@dataclass(slots=True)
class Kind:
    """What became of the connections of one kind."""

    opened: int = 0
    refused: int = 0
    closed: int = 0
    answered: Counter[int] = field(default_factory=Counter)

    @property
    def still_open(self) -> int:
        return self.opened - self.closed

    def line(self, name: str, seconds: float) -> str:
        answers = ", ".join(f"{status}: {n}" for status, n in sorted(self.answered.items()))
        return (
            f"{name}: {self.still_open} of {self.opened} still open after {seconds:.0f} s "
            f"(closed by the hub: {self.closed}; answered: {answers or 'none'}; "
            f"connections refused: {self.refused})"
        )


@dataclass(frozen=True, slots=True)
class SlowResult:
    seconds: float
    trickling: Kind
    stalled: Kind
    health: str

    def lines(self) -> list[str]:
        return [
            self.trickling.line("trickling head", self.seconds),
            self.stalled.line("stalled body", self.seconds),
            f"GET /health at the end: {self.health}",
        ]


async def _hold(
    port: int, kind: Kind, head: bytes, trickle: bytes | None, interval: float, stop: asyncio.Event
) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        kind.refused += 1
        return
    kind.opened += 1
    closed = False
    try:
        writer.write(head)
        await writer.drain()
        first = True
        while not stop.is_set():
            try:
                data = await asyncio.wait_for(reader.read(65536), interval)
            except TimeoutError:
                if trickle is not None:
                    writer.write(trickle)
                    await writer.drain()
                continue
            if not data:
                closed = True
                break
            if first and data.startswith(b"HTTP/1.1 "):
                kind.answered[int(data[9:12])] += 1
            first = False
    except OSError:  # reset by the hub
        closed = True
    finally:
        kind.closed += closed
        writer.close()


async def run(
    trickling: int, stalled: int, seconds: float, *, interval: float, directory: Path
) -> SlowResult:
    path = directory / "slow.db"
    await prepare(path, partner_keys=0)
    hub = Hub(path)
    hub.start()
    try:
        await hub.wait_until_answering(limit_s=60)
        stop = asyncio.Event()
        result = SlowResult(seconds, Kind(), Kind(), "")
        head = b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        body_head = head + f"Content-Length: {DECLARED_BODY}\r\n\r\n".encode() + b'{"query": "'
        holds = [(result.trickling, head, b"X-Trickle: 1\r\n") for _ in range(trickling)] + [
            (result.stalled, body_head, None) for _ in range(stalled)
        ]
        tasks: list[asyncio.Task[None]] = []
        for start in range(0, len(holds), RAMP):
            for kind, first, more in holds[start : start + RAMP]:
                tasks.append(
                    asyncio.create_task(_hold(hub.port, kind, first, more, interval, stop))
                )
            await asyncio.sleep(0.05)
        await asyncio.sleep(seconds)
        stop.set()
        # What each connection saw by now; then they all close.
        await asyncio.sleep(interval + 0.5)
        async with httpx.AsyncClient(base_url=hub.origin, timeout=10) as http:
            try:
                health = str((await http.get("/health")).status_code)
            except httpx.TransportError as error:
                health = f"no answer ({type(error).__name__})"
        await asyncio.gather(*tasks)
        return SlowResult(seconds, result.trickling, result.stalled, health)
    finally:
        hub.stop()


def _bounded(value: str) -> int:
    number = int(value)
    if not 0 <= number <= MAX_CONNECTIONS:
        raise argparse.ArgumentTypeError(f"expected 0 to {MAX_CONNECTIONS}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.slow_clients", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--trickling", type=_bounded, default=1500)
    parser.add_argument("--stalled", type=_bounded, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=5, help="seconds between trickles")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-slow-") as directory:
        result = asyncio.run(
            run(
                args.trickling,
                args.stalled,
                args.seconds,
                interval=args.interval,
                directory=Path(directory),
            )
        )
    print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
