"""Run the hub, the example partner subgraph and a gateway (Apollo Gateway or
Hive Gateway) as processes on loopback: `metrohub federation up`, and the
gateway tests.

Each process is started with its own free port and stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from federation.gateways import GATEWAYS, HUB_SUBGRAPH, Gateway, gateway_launch

__all__ = ["GATEWAYS", "Stack", "free_port", "running_stack"]

FEDERATION_DIR = Path(__file__).resolve().parent
PROJECT_DIR = FEDERATION_DIR.parent
EXAMPLE_SUBGRAPH = "city-indicators"
EXAMPLE_APP = "federation.examples.city_indicators:app"
START_TIMEOUT_SECONDS = 60.0
SUBGRAPH_KEEP_ALIVE_SECONDS = 75


@dataclass(frozen=True, slots=True)
class Stack:
    hub_url: str
    subgraph_url: str
    gateway_url: str
    gateway: Gateway
    # Every partner subgraph of the stack by name, the example's included.
    subgraph_urls: Mapping[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class _Running:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.process.returncode}:\n{self.output()}"
            )


@contextmanager
def _process(
    command: list[str], *, name: str, log_dir: Path, env: Mapping[str, str] | None = None
) -> Iterator[_Running]:
    """Run `command` with `env` as its whole environment (default: ours)."""
    log = log_dir / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=dict(os.environ if env is None else env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield _Running(name, process, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for_graphql(url: str, running: _Running) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        running.check_alive()
        try:
            response = httpx.post(url, json={"query": "{ __typename }"}, timeout=2)
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"{running.name} did not answer at {url} within {START_TIMEOUT_SECONDS:.0f} s:\n"
        f"{running.output()}"
    )


def _wait_for_line(running: _Running, prefix: str) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for line in running.output().splitlines():
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        running.check_alive()
        time.sleep(0.1)
    raise RuntimeError(f"{running.name} was not ready within {START_TIMEOUT_SECONDS:.0f} s")


@contextmanager
def running_stack(
    database_url: str,
    log_dir: Path,
    *,
    gateway: Gateway = "apollo",
    hub_env: Mapping[str, str] | None = None,
    gateway_key: str | None = None,
    subgraph_app: str = EXAMPLE_APP,
    hub_port: int | None = None,
    subgraph_port: int | None = None,
    gateway_port: int | None = None,
    extra_subgraphs: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """Start the hub on `database_url`, the example subgraph and `gateway`
    composed from both, each logging to `log_dir`; stop them all on exit.

    The hub runs in development mode unless `hub_env` says otherwise
    (`HUB_DEVELOPMENT=false`); then the gateway needs `gateway_key` (a key with
    the gateway role) to read the hub's SDL. It sends the key to the hub with
    every request. `subgraph_app` is the partner subgraph's ASGI app, the
    example's unless given. `extra_subgraphs` adds partner subgraphs, by name:
    the ASGI app each serves (`module:attribute`, run by uvicorn on a free port)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is not installed: the gateway needs `node` (20+).")
    hub_port = hub_port or free_port()
    subgraph_port = subgraph_port or free_port()
    hub_url = f"http://127.0.0.1:{hub_port}/graphql"
    apps = {EXAMPLE_SUBGRAPH: subgraph_app, **(extra_subgraphs or {})}
    ports = {name: subgraph_port if name == EXAMPLE_SUBGRAPH else free_port() for name in apps}
    urls = {name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()}
    with ExitStack() as stack:
        hub = stack.enter_context(
            _process(
                [sys.executable, "-m", "cli", "serve", "--port", str(hub_port)],
                env={
                    **os.environ,
                    "HUB_DATABASE_URL": database_url,
                    # In development mode the gateway reads the hub's SDL without a key.
                    "HUB_DEVELOPMENT": "true",
                    **(hub_env or {}),
                },
                name="hub",
                log_dir=log_dir,
            )
        )
        subgraphs = {
            name: stack.enter_context(
                _process(
                    [
                        *(sys.executable, "-m", "uvicorn", "--host", "127.0.0.1"),
                        *("--port", str(ports[name]), "--log-level", "warning", app),
                        # Idle connections outlive the gateway's, so that it never
                        # sends a request on one the subgraph is closing.
                        *("--timeout-keep-alive", str(SUBGRAPH_KEEP_ALIVE_SECONDS)),
                    ],
                    name=name,
                    log_dir=log_dir,
                )
            )
            for name, app in apps.items()
        }
        _wait_for_graphql(hub_url, hub)
        for name, running_subgraph in subgraphs.items():
            _wait_for_graphql(urls[name], running_subgraph)
        launch = gateway_launch(
            gateway,
            node=node,
            subgraphs={HUB_SUBGRAPH: hub_url, **urls},
            gateway_key=gateway_key,
            port=gateway_port or free_port(),
            work_dir=log_dir,
        )
        running = stack.enter_context(
            _process(launch.command, name=f"{gateway}-gateway", log_dir=log_dir, env=launch.env)
        )
        if launch.url is None:
            gateway_url = _wait_for_line(running, "gateway ready at ")
        else:
            gateway_url = launch.url
            _wait_for_graphql(gateway_url, running)
        yield Stack(
            hub_url=hub_url,
            subgraph_url=urls[EXAMPLE_SUBGRAPH],
            gateway_url=gateway_url,
            gateway=gateway,
            subgraph_urls=urls,
        )
