"""What usage recording costs a request: CPU per `{__typename}` with
recording on and off, in one run.

    .venv/bin/python -m bench.usage              # 301 interleaved rounds
    .venv/bin/python -m bench.usage --rounds 3   # a smoke run

Two apps on one seeded SQLite file, one keeping usage (HUB_USAGE_DAYS=30,
written every HUB_USAGE_FLUSH_SECONDS=5, its writes counted in the CPU) and
one not (HUB_USAGE_DAYS=0), each started through its lifespan and called as
the ASGI server calls it (no HTTP client in the measurement): `POST /graphql
{__typename}` from a client that names itself. Rounds alternate which app
goes first; each sample is the process's CPU time over a batch of requests.
Prints the medians per request, the ratio, and the share recording adds
(the budget: 3 %).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

import orjson
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp, Message

from bench.network import prepare
from bench.reads import BENCH_DIR
from server import create_app, tune_gc
from settings import Settings

__all__ = ["main", "measure"]

MODES = ("on", "off")
BATCH = 50
BODY = orjson.dumps({"query": "{ __typename }"})
HEADERS = [
    (b"host", b"hub.bench"),
    (b"content-type", b"application/json"),
    (b"accept", b"application/graphql-response+json"),
    (b"content-length", str(len(BODY)).encode()),
    (b"apollographql-client-name", b"bench"),
    (b"apollographql-client-version", b"1.0"),
]


async def _request(app: ASGIApp) -> int:
    """One `POST /graphql`, as uvicorn hands it to the app; the status."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": HEADERS,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0

    async def receive() -> Message:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(path: Path, *, rounds: int) -> dict[str, float]:
    """Median CPU microseconds per request with recording on and off."""
    await prepare(path, full=False)
    url = f"sqlite+aiosqlite:///{path}"
    apps = {
        mode: create_app(
            Settings(
                database_url=url,
                anonymous_budget="1000000000/minute",
                usage_days=30 if mode == "on" else 0,
                usage_flush_seconds=5,
            )
        )
        for mode in MODES
    }
    async with LifespanManager(apps["on"]) as on, LifespanManager(apps["off"]) as off:
        running = {"on": on.app, "off": off.app}
        for app in running.values():
            for _ in range(BATCH):  # warm: the document parsed, its usage worked out
                if await _request(app) != 200:
                    raise AssertionError("the hub did not answer {__typename} with 200")
        samples: dict[str, list[float]] = {mode: [] for mode in MODES}
        for round_ in range(rounds):
            for mode in MODES if round_ % 2 == 0 else MODES[::-1]:
                app = running[mode]
                started = time.process_time()
                for _ in range(BATCH):
                    await _request(app)
                samples[mode].append((time.process_time() - started) / BATCH * 1e6)
            # Let the recording app's periodic writes run within the rounds.
            await asyncio.sleep(0)
        return {mode: statistics.median(values) for mode, values in samples.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=301, help="interleaved rounds")
    parser.add_argument(
        "--database", type=Path, default=BENCH_DIR / "reads-seed.db", help="SQLite file to seed"
    )
    args = parser.parse_args(argv)
    tune_gc()  # as the server does at start-up
    args.database.parent.mkdir(parents=True, exist_ok=True)
    us = asyncio.run(measure(args.database, rounds=args.rounds))
    ratio = us["on"] / us["off"]
    print("| `{__typename}` | recording on µs | recording off µs | on / off | recording adds |")
    print("|---|---:|---:|---:|---:|")
    print(f"| CPU per request | {us['on']:.1f} | {us['off']:.1f} | {ratio:.3f} | {ratio - 1:.1%} |")


if __name__ == "__main__":
    main()
