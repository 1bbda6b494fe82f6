"""The README's examples, run as a reader would run them.

Every fenced ```graphql and ```sh block of README.md is a test case, run
against a freshly seeded hub in production mode (each case has a database of
its own, so a mutation changes a throwaway copy):

- A ```graphql block is sent as it is. A query or mutation goes by POST and
  must answer without errors and cost at most the hub's 1,000 points
  (`extensions.cost`); a subscription goes over graphql-transport-ws, after a
  change for it to stream, and must stream it without errors.
- A block that needs a key says so in an HTML comment on the line before its
  fence, which a reader of the rendered README does not see:
  `<!-- key: staff -->` (or `admin`). Without one, the block runs anonymously.
- A ```sh block is run command by command (a `\\` at the end of a line
  continues it; `#` starts a comment). `curl` commands go to the hub served on
  a free port in place of `localhost:8000`, and must answer without errors;
  `metrohub` commands run with this environment's `metrohub` on the case's
  database, in a scratch directory, and must succeed. Commands that cannot
  run here are in `NOT_RUN`, with the reason; any other command fails a test,
  so that a new example is run or listed, and so does an entry of `NOT_RUN`
  that no command needs any more.
- The README's "Costs" table gives the price of each named operation in
  "Example queries"; the measured price must be the stated one, and every
  named operation there must have its row.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, OperationType, parse
from websockets.asyncio.client import connect

from db.engine import Database
from db.models import Role
from engine.cost import measure
from resolvers.access.keys import issue_key
from schema import schema
from server import create_app
from settings import Settings
from tests.conftest import serving

README = Path(__file__).resolve().parent.parent / "README.md"
METROHUB = Path(sys.executable).parent / "metrohub"
MAX_COST = 1000
CISCO = """
query Cisco { partners(first: 1, where: {name: {eq: "Cisco"}}) { edges { node { id version } } } }
"""
PARTNER_UPDATE = """
mutation Update($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) { userErrors { code } }
}
"""

# Commands of the README that this test does not run, by how they start, and why.
NOT_RUN = {
    "make ": "builds a fresh clone: installs packages and runs the suite this test is part of",
    "metrohub serve": "serves until stopped; tests/test_processes.py runs `metrohub serve`",
    "node federation/gateway.mjs": "a gateway that serves until stopped; tests/test_gateway.py "
    "runs it",
    "router ": "Apollo Router, a binary not installed",
    "federation/node_modules/.bin/hive-gateway": "Hive Gateway, serving until stopped; "
    "tests/test_gateway.py runs it",
    "HUB_GATEWAY_KEY=": "a gateway holding its key, serving until stopped; "
    "tests/test_gateway_identity.py runs both gateways so",
    "APOLLO_TELEMETRY_DISABLED=true": "Apollo Router, a binary not installed",
    "metrohub keys rotate": "names a key by a new hub's numbers; tests/test_keys.py runs the "
    "Getting a key examples in order on such a hub",
    "metrohub keys revoke": "names a key by a new hub's numbers; tests/test_keys.py runs the "
    "Getting a key examples in order on such a hub",
    "metrohub subgraphs refresh": "needs a registered partner subgraph listening; "
    "tests/test_registry.py refreshes one",
    ".venv/bin/uvicorn federation.examples": "serves until stopped; tests/test_gateway.py "
    "runs the example subgraph",
    "metrohub subgraphs register": "needs a partner subgraph listening on :8001; "
    "tests/test_composition.py registers the example",
    "curl -s localhost:4000": "needs the gateway of `make federation`; tests/test_gateway.py "
    "sends the same query through it",
    "createdb": "needs a PostgreSQL server of one's own; tests/test_copy.py copies to and from one",
    "metrohub db copy": "needs a PostgreSQL server of one's own; tests/test_copy.py copies to and "
    "from one",
    "HUB_DATABASE_URL=postgresql": "serves until stopped, on a PostgreSQL server of one's own",
    "export ": "the environment of a deployment on PostgreSQL and Redis",
}


@dataclass(frozen=True)
class Block:
    language: str
    text: str
    line: int
    key: str | None

    @property
    def id(self) -> str:
        """The test's id: the operation's name, else where the block starts."""
        named = re.search(r"^(?:query|mutation|subscription) (\w+)", self.text, re.M)
        return named.group(1) if named else f"{self.language}-line-{self.line}"


def _blocks() -> list[Block]:
    blocks: list[Block] = []
    lines = README.read_text(encoding="utf-8").splitlines()
    fence = re.compile(r"^(\s*)```(graphql|sh)\s*$")
    marker = re.compile(r"^\s*<!--\s*key:\s*(\w+)\s*-->\s*$")
    index = 0
    while index < len(lines):
        opening = fence.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, language = opening.groups()
        key_line = marker.match(lines[index - 1]) if index else None
        body: list[str] = []
        end = index + 1
        while lines[end].strip() != "```":
            body.append(lines[end].removeprefix(indent))
            end += 1
        blocks.append(
            Block(language, "\n".join(body) + "\n", index + 1, key_line and key_line.group(1))
        )
        index = end + 1
    return blocks


def _stated_costs() -> dict[str, int]:
    """The Costs table: operation name -> points."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("### Costs") :]
    table = table[: table.index("\n## ")]
    rows = re.findall(r"^\| `(\w+)` \| ([\d,]+) \|$", table, re.M)
    return {name: int(points.replace(",", "")) for name, points in rows}


BLOCKS = _blocks()
STATED_COSTS = _stated_costs()
GRAPHQL = [block for block in BLOCKS if block.language == "graphql"]
SHELL = [block for block in BLOCKS if block.language == "sh"]


def _operation(document: str) -> OperationDefinitionNode:
    [operation] = [d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)]
    return operation


async def _headers(database_url: str, role: str | None) -> dict[str, str]:
    if role is None:
        return {}
    database = Database(database_url)
    try:
        issued = await issue_key(database, name=f"README ({role})", role=Role(role))
    finally:
        await database.dispose()
    return {"authorization": f"Bearer {issued.key}"}


def _answered(body: dict[str, Any], block: Block) -> dict[str, Any]:
    assert "errors" not in body, f"README line {block.line}: {body['errors']}"
    assert body.get("data"), f"README line {block.line}: no data in {body}"
    return body


@pytest.mark.parametrize("block", GRAPHQL, ids=[block.id for block in GRAPHQL])
async def test_a_graphql_example_answers_within_the_cost_limit(
    block: Block, client: httpx.AsyncClient, database_url: str
) -> None:
    # Given the example, with the key its marker asks for
    headers = await _headers(database_url, block.key)
    if _operation(block.text).operation is OperationType.SUBSCRIPTION:
        await _subscribe(block, database_url, headers)
        return

    # when it is sent to the hub
    response = await client.post("/graphql", json={"query": block.text}, headers=headers)

    # then it answers without errors, within the cost limit
    assert response.status_code == 200, response.text
    cost = _answered(response.json(), block)["extensions"]["cost"]
    assert cost["requestedQueryCost"] <= MAX_COST == cost["maximumAvailable"]
    # and at the price the README states for it, if it is one of the examples
    name = _operation(block.text).name
    if name is not None and name.value in STATED_COSTS:
        assert cost["requestedQueryCost"] == STATED_COSTS[name.value], name.value


async def _subscribe(block: Block, database_url: str, headers: dict[str, str]) -> None:
    """Streams the subscription's first change, made by a staff key after it subscribed."""
    operation = _operation(block.text)
    assert measure(schema._schema, parse(block.text), operation, {}).points <= MAX_COST
    staff = await _headers(database_url, "staff")
    app = create_app(Settings(database_url=database_url, changes_poll_seconds=1))
    with serving(app) as origin:
        async with (
            connect(
                origin.replace("http", "ws", 1) + "/graphql",
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            ) as websocket,
            httpx.AsyncClient(base_url=origin) as http,
        ):
            init = {"type": "connection_init", "payload": dict(headers)}
            await websocket.send(json.dumps(init))
            assert json.loads(await websocket.recv()) == {"type": "connection_ack"}
            message = {"query": block.text, "variables": {}}
            await websocket.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
            await _update_a_partner(http, staff)
            async with asyncio.timeout(30):
                streamed = json.loads(await websocket.recv())
    assert streamed["type"] == "next", streamed
    _answered(streamed["payload"], block)


async def _update_a_partner(http: httpx.AsyncClient, staff: dict[str, str]) -> None:
    found = await http.post("/graphql", json={"query": CISCO}, headers=staff)
    [edge] = found.json()["data"]["partners"]["edges"]
    change = {"id": edge["node"]["id"], "expectedVersion": edge["node"]["version"]}
    variables = {"input": {**change, "website": "https://www.cisco.com"}}
    body = {"query": PARTNER_UPDATE, "variables": variables}
    answer = await http.post("/graphql", json=body, headers=staff)
    assert answer.json()["data"]["partnerUpdate"]["userErrors"] == []


def _commands(text: str) -> Iterator[str]:
    """The block's commands: a line ending in `\\`, or inside an open quote,
    goes on on the next; comment lines are left out."""
    pending = ""
    for line in text.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        pending += line
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote still open
            pending += "\n"
            continue
        command, pending = pending.strip(), ""
        if command and not command.startswith("#"):
            yield command


def _bare(command: str) -> str:
    """The command without the venv's path to `metrohub`."""
    return (
        command.removeprefix(".venv/bin/") if command.startswith(".venv/bin/metrohub") else command
    )


def _not_run(command: str) -> str | None:
    return next((why for start, why in NOT_RUN.items() if _bare(command).startswith(start)), None)


def _runs_here(command: str) -> bool:
    program = Path(shlex.split(command, comments=True)[0]).name
    return program in ("curl", "metrohub") and _not_run(command) is None


RUN = [block for block in SHELL if any(_runs_here(c) for c in _commands(block.text))]


def test_every_shell_command_is_run_or_listed_with_its_reason() -> None:
    commands = [command for block in SHELL for command in _commands(block.text)]
    # Every command runs here or is listed
    unaccounted = [c for c in commands if not _runs_here(c) and _not_run(c) is None]
    assert unaccounted == [], "run these commands here, or list them in NOT_RUN with the reason"
    # and every entry of the list still stands for a command
    needed = {start for start in NOT_RUN for c in commands if _bare(c).startswith(start)}
    assert set(NOT_RUN) == needed


@pytest.mark.parametrize("block", RUN, ids=[block.id for block in RUN])
def test_a_shell_example_runs(block: Block, database_url: str, tmp_path: Path) -> None:
    # Given the hub, served in production mode on the test's database
    with serving(create_app(Settings(database_url=database_url))) as origin:
        for command in filter(_runs_here, _commands(block.text)):
            # when each command runs
            arguments = shlex.split(command, comments=True)
            if arguments[0] == "curl":
                _curl(block, arguments, origin)
            else:
                _metrohub(block, arguments, database_url, tmp_path)


def _curl(block: Block, arguments: list[str], origin: str) -> None:
    here = origin.removeprefix("http://")
    arguments = [re.sub(r"(localhost|127\.0\.0\.1):8000", here, a) for a in arguments]
    run = subprocess.run(arguments, capture_output=True, text=True, timeout=60, check=False)
    # then it answers without errors, within the cost limit
    assert run.returncode == 0, f"README line {block.line}: {run.stderr}"
    body = _answered(json.loads(run.stdout), block)
    cost = body.get("extensions", {}).get("cost")
    assert cost is None or cost["requestedQueryCost"] <= MAX_COST


def _metrohub(block: Block, arguments: list[str], database_url: str, scratch: Path) -> None:
    environment = {**os.environ, "HUB_DATABASE_URL": database_url}
    run = subprocess.run(
        [str(METROHUB), *arguments[1:]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=scratch,
        env=environment,
    )
    # then it succeeds
    assert run.returncode == 0, f"README line {block.line}: {run.stderr}"


def _example_operations() -> set[str]:
    """The names of the operations in the README's "Example queries"."""
    text = README.read_text(encoding="utf-8")
    start = text[: text.index("## Example queries")].count("\n") + 1
    end = text[: text.index("### Costs")].count("\n") + 1
    return {
        name.value
        for block in GRAPHQL
        if start <= block.line <= end and (name := _operation(block.text).name) is not None
    }


def test_every_example_has_its_stated_cost() -> None:
    # The Costs table names each example of "Example queries", and no other
    assert set(STATED_COSTS) == _example_operations()
