"""The two gateways the hub ships configured, as commands to run: Apollo
Gateway (`gateway.mjs`, which composes the subgraphs itself at start-up) and
Hive Gateway (its CLI with `hive.config.mjs`, over a supergraph composed here
by Apollo's composer, as `metrohub supergraph` does in production)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import httpx

from resolvers.composition import SubgraphSource, compose

__all__ = ["GATEWAYS", "HUB_SUBGRAPH", "Gateway", "GatewayLaunch", "gateway_launch"]

Gateway = Literal["apollo", "hive"]
GATEWAYS: tuple[Gateway, ...] = get_args(Gateway)
HUB_SUBGRAPH = "hub"

FEDERATION_DIR = Path(__file__).resolve().parent
APOLLO_SCRIPT = FEDERATION_DIR / "gateway.mjs"
HIVE_CLI = FEDERATION_DIR / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"
HIVE_CONFIG = FEDERATION_DIR / "hive.config.mjs"

# Settings that would make a gateway report usage, send traces or fetch its
# schema from a vendor's cloud: a local stack talks to loopback only.
VENDOR_SETTINGS = ("APOLLO_", "HIVE_", "OPENTELEMETRY", "OTEL_")

SERVICE_SDL = "{ _service { sdl } }"


@dataclass(frozen=True, slots=True)
class GatewayLaunch:
    """How to run a gateway: its command and whole environment, and its URL
    when known beforehand (else it prints `gateway ready at URL`)."""

    command: list[str]
    env: dict[str, str]
    url: str | None


def gateway_launch(
    gateway: Gateway,
    *,
    node: str,
    subgraphs: Mapping[str, str],
    gateway_key: str | None,
    port: int,
    work_dir: Path,
) -> GatewayLaunch:
    """The launch of `gateway` on 127.0.0.1:`port` over `subgraphs` (name ->
    URL, the hub's named `HUB_SUBGRAPH`), sending `gateway_key` to the hub."""
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(VENDOR_SETTINGS)
    }
    env.pop("HUB_GATEWAY_KEY", None)
    if gateway_key:
        env["HUB_GATEWAY_KEY"] = gateway_key
    if gateway == "apollo":
        command = [node, str(APOLLO_SCRIPT), "--port", str(port), "--hub", HUB_SUBGRAPH]
        for name, url in subgraphs.items():
            command += ["--subgraph", f"{name}={url}"]
        return GatewayLaunch(command, env, url=None)
    if not HIVE_CLI.is_file():
        raise RuntimeError("Hive Gateway is not installed: run `npm ci --prefix federation`.")
    supergraph = work_dir / "supergraph.graphql"
    supergraph.write_text(_compose(subgraphs, gateway_key), encoding="utf-8")
    env["HUB_SUBGRAPH"] = HUB_SUBGRAPH
    # The CLI reads these too; the command line below says what they would.
    for name in ("CONFIG_PATH", "HOST", "PORT", "FORK", "POLLING"):
        env.pop(name, None)
    command = [
        node,
        str(HIVE_CLI),
        "supergraph",
        str(supergraph),
        "--config-path",
        str(HIVE_CONFIG),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return GatewayLaunch(command, env, url=f"http://127.0.0.1:{port}/graphql")


def _compose(subgraphs: Mapping[str, str], gateway_key: str | None) -> str:
    """The supergraph of `subgraphs` by Apollo's composer, from the SDL each
    serves (the hub's read with the gateway's key)."""
    sources = [
        SubgraphSource(name, url, _service_sdl(url, gateway_key if name == HUB_SUBGRAPH else None))
        for name, url in subgraphs.items()
    ]
    (apollo,) = asyncio.run(compose(sources, ["apollo"]))
    if not apollo.ok or apollo.supergraph_sdl is None:
        raise RuntimeError("the subgraphs do not compose:\n" + "\n".join(apollo.errors))
    return apollo.supergraph_sdl


def _service_sdl(url: str, gateway_key: str | None) -> str:
    headers = {"Hub-Gateway-Key": gateway_key} if gateway_key else {}
    response = httpx.post(url, json={"query": SERVICE_SDL}, headers=headers, timeout=30)
    body = response.json()
    if response.status_code != 200 or body.get("errors") or not body.get("data"):
        raise RuntimeError(f"{url} did not give its SDL: {response.status_code} {body}")
    sdl: str = body["data"]["_service"]["sdl"]
    return sdl
