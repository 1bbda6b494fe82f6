"""Getting a key: admins issue, list, rotate and revoke keys with the CLI and
the API, naming partners by the global IDs the API shows."""

from __future__ import annotations

import asyncio
import re
import shlex
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

import cli
from db.engine import Database
from db.models import Partner, Role
from resolvers.access.keys import authenticate, issue_key
from schema.history import global_id
from tests.conftest import StatementCounter, post_with_key

KEYS = """
query Keys($first: Int, $after: String) {
  apiKeys(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name role hint createdAt revokedAt replacedBy partner { id name } } }
  }
}
"""
CREATE = """
mutation Create($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    key
    apiKey { id name role hint revokedAt partner { name } }
    userErrors { field message code }
  }
}
"""
ROTATE = """
mutation Rotate($id: Int!) {
  apiKeyRotate(input: {id: $id}) { key apiKey { id name } userErrors { code } }
}
"""


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The exit status, standard output and standard error of a command;
    argparse's refusals exit through SystemExit."""
    try:
        status = cli.main(list(argv))
    except SystemExit as exit:
        status = int(exit.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


async def _partner_pk(database_url: str, name: str) -> int:
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            found = await connection.scalar(select(Partner.id).where(Partner.name == name))
            assert found is not None
            return found
    finally:
        await database.dispose()


async def _key(database_url: str, role: Role, partner: int | None = None) -> str:
    database = Database(database_url)
    try:
        return (await issue_key(database, name=f"{role} test", role=role, partner_id=partner)).key
    finally:
        await database.dispose()


@pytest.mark.parametrize("by", ["global ID", "number"])
def test_a_partner_key_is_created_for_the_partner_its_global_id_names(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str, by: str
) -> None:
    # Given the hub's database and Cisco's global ID, as the API shows it
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    cisco = asyncio.run(_partner_pk(database_url, "Cisco"))
    cisco_id = global_id("Partner", cisco)
    named = cisco_id if by == "global ID" else str(cisco)

    # When staff create a partner key naming Cisco by its global ID (or number)
    status, out, err = run_cli(
        capsys, "keys", "create", "--role", "partner", "--partner", named, "--name", "Cisco app"
    )

    # Then the key, alone on the last line, acts for Cisco
    assert (status, err) == (0, "")
    key = out.splitlines()[-1]
    principal = asyncio.run(_principal(database_url, key))
    assert (principal.role, principal.partner_id, principal.name) == ("partner", cisco, "Cisco app")
    # and the list of keys names the partner by the same global ID, never the key
    status, listed, err = run_cli(capsys, "keys", "list")
    assert (status, err) == (0, "")
    assert f"partner {f'partner={cisco_id}'} 'Cisco app' live" in listed
    assert key not in listed


async def _principal(database_url: str, key: str) -> Any:
    database = Database(database_url)
    try:
        return await authenticate(database, key)
    finally:
        await database.dispose()


MEMBER_1 = global_id("Member", 1)
PARTNER_MISSING = global_id("Partner", 999_999)


@pytest.mark.parametrize(
    ("command", "partner", "status", "line"),
    [
        (
            ["keys", "create", "--role", "partner", "--name", "App"],
            MEMBER_1,
            2,
            f"metrohub keys create: error: argument --partner: {MEMBER_1!r} is the ID of a "
            "Member, not of a Partner.",
        ),
        (
            ["keys", "create", "--role", "partner", "--name", "App"],
            "Cisco",
            2,
            "metrohub keys create: error: argument --partner: 'Cisco' is neither a Partner's "
            "global ID (as the API shows it, e.g. in `id`) nor its number.",
        ),
        (
            ["keys", "create", "--role", "partner", "--name", "App"],
            PARTNER_MISSING,
            2,
            f"error: --partner: no Partner has the ID {PARTNER_MISSING!r}.",
        ),
        (
            ["keys", "create", "--role", "partner", "--name", "App"],
            "999999",
            2,
            "error: --partner: no Partner has the number 999999.",
        ),
        (
            ["subgraphs", "register", "daylight", "http://127.0.0.1:1/graphql"],
            MEMBER_1,
            2,
            f"metrohub subgraphs register: error: argument --partner: {MEMBER_1!r} is the ID of "
            "a Member, not of a Partner.",
        ),
        (
            ["subgraphs", "register", "daylight", "http://127.0.0.1:1/graphql"],
            PARTNER_MISSING,
            2,
            f"error: --partner: no Partner has the ID {PARTNER_MISSING!r}.",
        ),
    ],
)
def test_a_bad_or_unknown_partner_is_refused_in_one_line_naming_the_option(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    command: list[str],
    partner: str,
    status: int,
    line: str,
) -> None:
    # Given the hub's database
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)

    # When a command names a partner by a wrong, malformed or unknown ID
    exit_status, out, err = run_cli(capsys, *command, "--partner", partner)

    # Then it stops with one line saying what was wrong (after argparse's usage
    # line, for an ID that cannot be a partner's), and no key was made
    assert (exit_status, out) == (status, "")
    assert err.splitlines()[-1] == line
    assert len([text for text in err.splitlines() if not text.startswith(("usage:", " "))]) == 1
    assert run_cli(capsys, "keys", "list")[1] == ""


async def test_admins_list_every_key_without_its_secret_a_page_at_a_time(
    client: httpx.AsyncClient, database_url: str
) -> None:
    # Given an admin key, and a partner key created through the API for Cisco
    admin = await _key(database_url, Role.ADMIN)
    partners = await post_with_key(
        client, '{ partners(where: {name: {eq: "Cisco"}}) { edges { node { id } } } }', admin
    )
    cisco_id = partners["data"]["partners"]["edges"][0]["node"]["id"]
    created = await post_with_key(
        client,
        CREATE,
        admin,
        {"input": {"name": "Cisco app", "role": "PARTNER", "partnerId": cisco_id}},
    )
    payload = created["data"]["apiKeyCreate"]
    assert payload["userErrors"] == []
    secret = payload["key"]
    assert payload["apiKey"]["partner"] == {"name": "Cisco"}
    assert payload["apiKey"]["hint"] == secret[:12]
    # and then rotated
    rotated = await post_with_key(client, ROTATE, admin, {"id": payload["apiKey"]["id"]})
    replacement = rotated["data"]["apiKeyRotate"]

    # When the admin lists the keys, one per page
    first = await post_with_key(client, KEYS, admin, {"first": 2})
    second = await post_with_key(
        client,
        KEYS,
        admin,
        {"first": 2, "after": first["data"]["apiKeys"]["pageInfo"]["endCursor"]},
    )

    # Then every key is listed once, oldest first, with its partner and state,
    pages = [first["data"]["apiKeys"], second["data"]["apiKeys"]]
    nodes = [edge["node"] for page in pages for edge in page["edges"]]
    assert [page["totalCount"] for page in pages] == [3, 3]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, False]
    assert [(node["role"], node["name"]) for node in nodes] == [
        ("admin", "admin test"),
        ("partner", "Cisco app"),
        ("partner", "Cisco app"),
    ]
    old, new = nodes[1], nodes[2]
    assert old["partner"] == {"id": cisco_id, "name": "Cisco"}
    assert old["revokedAt"] is not None
    assert old["replacedBy"] == new["id"] == replacement["apiKey"]["id"]
    assert new["revokedAt"] is None
    # and no answer holds a key's secret, only its first characters
    listed = str(pages)
    assert secret not in listed
    assert replacement["key"] not in listed
    assert secret[12:20] not in listed
    assert old["hint"] == secret[:12]


@pytest.mark.parametrize("who", ["anonymous", "partner", "staff", "gateway"])
async def test_only_admins_list_keys(
    client: httpx.AsyncClient, database_url: str, who: str
) -> None:
    # Given a caller who is not an admin
    roles = {"partner": Role.PARTNER, "staff": Role.STAFF, "gateway": Role.GATEWAY}
    cisco = await _partner_pk(database_url, "Cisco") if who == "partner" else None
    key = None if who == "anonymous" else await _key(database_url, roles[who], cisco)

    # When it asks for the keys
    body = await post_with_key(client, KEYS, key)

    # Then it is refused, and sees no key
    assert body["data"] == {"apiKeys": None}
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]


README = Path(__file__).resolve().parent.parent / "README.md"


def getting_a_key_blocks() -> list[tuple[str, str]]:
    """The README's "Getting a key" examples that run: (language, text), in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Getting a key\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(sh|graphql)\n(.*?)```", section, flags=re.DOTALL)


async def test_the_readme_examples_create_rotate_and_revoke_keys(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    client: httpx.AsyncClient,
    database_url: str,
) -> None:
    # Given a hub whose one key is an admin's, and the README's examples
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    admin = await _key(database_url, Role.ADMIN)
    blocks = getting_a_key_blocks()
    assert [language for language, _ in blocks] == ["sh"] + ["graphql"] * 4
    assert all(text.startswith("# needs an admin key") for _, text in blocks[1:])

    # When the commands run in order,
    commands = [shlex.split(line) for line in blocks[0][1].splitlines()]
    outputs = []
    for command in commands:
        assert command[0] == "metrohub"
        status, out, err = await asyncio.to_thread(run_cli, capsys, *command[1:])
        assert (status, err) == (0, ""), command
        outputs.append(out)
    # then the partner key they create acts for Cisco, and rotating then
    # revoking leaves no live key but the admin's;
    cisco = await _partner_pk(database_url, "Cisco")
    assert outputs[0].startswith("key 2 (partner, 'Cisco city dashboard'); shown once")
    assert f"partner={global_id('Partner', cisco)} 'Cisco city dashboard' live" in outputs[1]
    assert outputs[2].startswith("key 2 revoked; its replacement is key 3")
    assert outputs[3] == "key 3 revoked\n"

    # and when the GraphQL examples run with the admin key,
    answers = [await post_with_key(client, text, admin) for _, text in blocks[1:]]

    # then each answers without an error: a key is created for Cisco, listed,
    # rotated and its replacement revoked.
    assert [answer.get("errors") for answer in answers] == [None] * 4
    create, listing, rotate, revoke = (next(iter(a["data"].values())) for a in answers)
    assert create["userErrors"] == rotate["userErrors"] == revoke["userErrors"] == []
    assert (create["apiKey"]["id"], create["apiKey"]["partner"]) == (4, {"name": "Cisco"})
    assert listing["totalCount"] == 4
    assert rotate["apiKey"]["id"] == 5
    live = await post_with_key(client, KEYS, admin)
    states = {e["node"]["id"]: e["node"]["revokedAt"] for e in live["data"]["apiKeys"]["edges"]}
    assert [number for number, revoked in states.items() if revoked is None] == [1]


async def test_a_page_of_keys_reads_their_partners_in_one_statement(
    client: httpx.AsyncClient, database_url: str, sql: StatementCounter
) -> None:
    # Given an admin key and partner keys for three partners
    admin = await _key(database_url, Role.ADMIN)
    for name in ("Cisco", "Kreanta Foundation", "The Climate Group"):
        await _key(database_url, Role.PARTNER, await _partner_pk(database_url, name))
    counts = {}
    for first in (1, 4):
        # When the admin lists a page of keys with their partners
        sql.reset()
        body = await post_with_key(client, KEYS, admin, {"first": first})
        assert len(body["data"]["apiKeys"]["edges"]) == first
        counts[first] = sql.count

    # Then the statements are as many for one key as for four: the key's
    # check, the page, and the partners in one batch (none for the admin's page)
    assert counts == {1: 2, 4: 3}, counts


@pytest.mark.parametrize(
    ("input", "field", "code", "message"),
    [
        (
            {"name": "App", "role": "PARTNER", "partnerId": PARTNER_MISSING},
            ["input", "partnerId"],
            "NOT_FOUND",
            f"No Partner has the ID {PARTNER_MISSING!r}.",
        ),
        (
            {"name": "App", "role": "PARTNER", "partnerId": MEMBER_1},
            ["input", "partnerId"],
            "WRONG_ID_TYPE",
            f"{MEMBER_1!r} is the ID of a Member, not of a Partner.",
        ),
        (
            {"name": "App", "role": "PARTNER"},
            ["input", "partnerId"],
            "INVALID_KEY_ROLE",
            "a partner key needs a partner, and only a partner key has one.",
        ),
        (
            {"name": " ", "role": "STAFF"},
            ["input", "name"],
            "INVALID_NAME",
            "a key's name takes 1 to 200 characters.",
        ),
    ],
)
async def test_a_key_that_cannot_be_made_is_a_user_error_on_its_field(
    client: httpx.AsyncClient,
    database_url: str,
    input: dict[str, str],
    field: list[str],
    code: str,
    message: str,
) -> None:
    # Given an admin key
    admin = await _key(database_url, Role.ADMIN)

    # When a key is asked for with a bad partner or name
    body = await post_with_key(client, CREATE, admin, {"input": input})

    # Then the payload says which field is wrong and why, and no key is made
    payload = body["data"]["apiKeyCreate"]
    assert (payload["key"], payload["apiKey"]) == (None, None)
    assert payload["userErrors"] == [{"field": field, "message": message, "code": code}]
