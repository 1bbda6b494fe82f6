"""The hub as a server process on a SQLite file, and that file migrated,
seeded and given API keys for the clients."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from db.engine import Database
from db.migrate import upgrade
from db.models import Role
from db.seed import seed_reference
from resolvers.access.keys import issue_key

__all__ = [
    "Hub",
    "Keys",
    "prepare",
    "sqlite_url",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Keys:
    staff: str
    # A partner key and the database id of its partner, one per partner.
    partners: tuple[tuple[str, int], ...]


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
