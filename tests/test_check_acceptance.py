"""A schema check end to end, through the real gateway: the hub, the example
partner subgraph and Apollo Gateway (`federation/gateway.mjs`) run as
processes; a partner app's operations through the gateway are recorded as
usage (the gateway reports the partner's fields, the hub writes them); then
`metrohub subgraphs check` refuses a version that removes a field the app
used, naming the field, the client and the operation, and passes one that
only adds a field."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from db.engine import Database
from federation.stack import PROJECT_DIR, Stack, running_stack
from resolvers.usage import CoordinateUse, usage_of
from tests.gateway_keys import gateway_key

CLIENT = {"apollographql-client-name": "partner-app", "apollographql-client-version": "2.0"}

# Initiative.durationYears is the example partner subgraph's (city-indicators).
SPANS = """
query InitiativeSpans {
  initiatives(first: 3) { edges { node { title durationYears } } }
}
"""

# The partner's Initiative, in its next version: the key only (durationYears
# gone, and with it the hub's fields it required).
ONLY_THE_KEY = 'type Initiative @key(fields: "id") {\n  id: ID!\n}'
ADDED_FIELD = '  hours: Float!\n\n  """Minutes of daylight."""\n  minutes: Int\n'


@pytest.fixture
def stack(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The hub, the example subgraph and Apollo Gateway, which report usage every second."""
    monkeypatch.setenv("HUB_USAGE_FLUSH_SECONDS", "1")
    with running_stack(
        database_url, tmp_path, gateway="apollo", gateway_key=gateway_key(database_url)
    ) as running:
        yield running


def metrohub(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`metrohub ARGUMENTS` on the hub's database, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *arguments],
        cwd=PROJECT_DIR,
        env={**os.environ, "HUB_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def test_a_check_refuses_removing_a_field_an_app_used_through_the_gateway(
    stack: Stack, database_url: str, tmp_path: Path
) -> None:
    # Given the example subgraph registered with the hub
    registered = metrohub(
        database_url, "subgraphs", "register", "city-indicators", stack.subgraph_url
    )
    assert registered.returncode == 0, registered.stdout + registered.stderr
    # and app partner-app asking the gateway for the partner's Initiative.durationYears
    for _ in range(2):
        response = httpx.post(stack.gateway_url, json={"query": SPANS}, headers=CLIENT, timeout=60)
        body = response.json()
        assert "errors" not in body, body
        assert all("durationYears" in edge["node"] for edge in body["data"]["initiatives"]["edges"])
    # once the gateway has reported it and the hub has written it,
    uses = _wait_for_use(database_url, "Initiative.durationYears", "partner-app")
    assert [(u.client_version, u.operation_name, u.count) for u in uses] == [
        ("2.0", "InitiativeSpans", 2)
    ]
    served = _sdl(stack.subgraph_url)

    # When the partner's next version without durationYears is checked
    removed = tmp_path / "removed.graphql"
    removed.write_text(
        re.sub(r'type Initiative @key\(fields: "id"\) \{.*?\n\}', ONLY_THE_KEY, served, flags=re.S)
    )
    refused = metrohub(database_url, "subgraphs", "check", "city-indicators", "--sdl", str(removed))
    # Then it fails, naming the field, the client and the operation
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout.startswith("failed: subgraph city-indicators breaks fields clients used")
    assert "  breaking: Field Initiative.durationYears was removed.\n" in refused.stdout
    assert "    used by partner-app 2.0: InitiativeSpans [" in refused.stdout
    assert "via Initiative.durationYears, 2 times" in refused.stdout

    # When a version that only adds a field is checked
    added = tmp_path / "added.graphql"
    added.write_text(served.replace("  hours: Float!\n", ADDED_FIELD, 1))
    passed = metrohub(database_url, "subgraphs", "check", "city-indicators", "--sdl", str(added))
    # Then it passes, the addition listed as safe.
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.splitlines() == [
        "passed: no change in subgraph city-indicators breaks recorded usage "
        "(0 breaking, 0 dangerous, 1 safe).",
        "  safe: Field Daylight.minutes was added.",
    ]


def _sdl(url: str) -> str:
    response = httpx.post(url, json={"query": "{ _service { sdl } }"}, timeout=30)
    sdl: str = response.json()["data"]["_service"]["sdl"]
    return sdl


def _wait_for_use(database_url: str, coordinate: str, client: str) -> list[CoordinateUse]:
    """The uses of `coordinate` by `client` once both operations are written
    (the gateway reports, and the hub writes, every second here)."""
    deadline = time.monotonic() + 90
    while True:
        uses = [u for u in asyncio.run(_uses(database_url, coordinate)) if u.client_name == client]
        if sum(u.count for u in uses) >= 2 or time.monotonic() > deadline:
            return uses
        time.sleep(0.5)


async def _uses(database_url: str, coordinate: str) -> list[CoordinateUse]:
    database = Database(database_url)
    try:
        return (await usage_of(database, [coordinate], 30))[coordinate]
    finally:
        await database.dispose()
