"""Throughput over HTTP: the hub under uvicorn on loopback, driven by wrk.

The server runs in its own process pinned to CPU 0 and wrk (Debian's
`wrk`, one thread) on CPU 1, so the two do not take turns on one core. For
each body and number of connections it reports requests per second,
p50/p99 latency, and the server's CPU time per request (user + system, from
/proc/<pid>/stat, over the run). The HTTP floor is a bare Starlette
endpoint that returns a precomputed body.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["CpuMeter", "HttpRun", "bare_app", "cpu_seconds", "load", "serving", "wrk_available"]

TYPENAME_BODY = orjson.dumps({"data": {"__typename": "Query"}})
_TICKS = os.sysconf("SC_CLK_TCK")


async def _bare(_request: Request) -> Response:
    return Response(TYPENAME_BODY, media_type="application/json")


def bare_app() -> Starlette:
    """The HTTP floor: one route, a precomputed answer."""
    return Starlette(routes=[Route("/graphql", _bare, methods=["POST"])])


@dataclass(frozen=True, slots=True)
class HttpRun:
    server: str
    query: str
    connections: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    # The database's processes serving the server (PostgreSQL backends), if metered.
    database_cpu_ms_per_request: float | None = None


class CpuMeter(Protocol):
    """CPU time spent outside the server's process on its behalf."""

    def start(self) -> None: ...

    def stop(self) -> float:
        """The CPU seconds since `start`."""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of process `pid`, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line.
    return (int(fields[11]) + int(fields[12])) / _TICKS


@contextmanager
def serving(factory: str, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Run `uvicorn --factory factory` on a free port pinned to CPU 0; yields
    the URL and the server's pid."""
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, **env}, preexec_fn=lambda: _pin(0))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{factory} did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/graphql", process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _pin(cpu: int) -> None:
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {cpu})


_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[%s]]
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load(
    url: str,
    pid: int,
    body: bytes,
    *,
    connections: int,
    seconds: float,
    server: str,
    query: str,
    database: CpuMeter | None = None,
) -> HttpRun:
    """Drive `url` with `connections` keep-alive connections for `seconds`;
    `database` meters the CPU of the database's processes too."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % body.decode())
    try:
        # A short warm-up, then the measured run once the server is idle again
        # (requests the warm-up left running would count against the run's CPU).
        _wrk(url, script.name, connections, 1)
        _settle(pid)
        if database is not None:
            database.start()
        before = cpu_seconds(pid)
        output = _wrk(url, script.name, connections, seconds)
        cpu = cpu_seconds(pid) - before
        database_cpu = database.stop() if database is not None else None
    finally:
        os.unlink(script.name)
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    if "Non-2xx" in output or requests == 0:
        raise RuntimeError(f"{server} {query}: failed requests\n{output}")
    latency = dict(re.findall(r"^\s*(50|99)%\s+([\d.]+(?:us|ms|s))\s*$", output, re.MULTILINE))
    if len(latency) != 2:
        raise RuntimeError(f"{server} {query}: no latency distribution in wrk's output\n{output}")
    return HttpRun(
        server,
        query,
        connections,
        float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        _ms(latency["50"]),
        _ms(latency["99"]),
        cpu * 1000 / requests,
        None if database_cpu is None else database_cpu * 1000 / requests,
    )


def _settle(pid: int, *, timeout: float = 30) -> None:
    """Wait until process `pid` has used no CPU for 100 ms."""
    deadline = time.monotonic() + timeout
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = cpu_seconds(pid)
        if now == last:
            return
        last = now


def _wrk(url: str, script: str, connections: int, seconds: float) -> str:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        script,
        url,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, check=True, preexec_fn=lambda: _pin(1)
    ).stdout
