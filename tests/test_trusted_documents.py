"""Trusted documents: partner apps publish their operations (Apollo's
persisted query manifest, Relay's persisted queries), run them by id, and
Apollo's automatic persisted queries; keys held to published documents."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from sqlalchemy import func, select
from strawberry.schema.schema import validate_document

import cli
import engine.cost
import engine.documents
from db.engine import Database
from db.models import Role, TrustedDocument
from resolvers.access.keys import issue_key

MEMBERS = "query Members($first: Int) { members(first: $first) { totalCount } }"
REGIONS = "query Regions { regions(first: 2) { totalCount } }"
AD_HOC = "{ members(first: 1) { totalCount } }"
INVALID = "query Broken { members { noSuchField } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apollo_manifest(*bodies: str) -> dict[str, Any]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha256(body), "name": body.split()[1], "type": "query", "body": body}
            for body in bodies
        ],
    }


def write(tmp_path: Path, content: object) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


async def metrohub(*argv: str) -> int:
    """Runs a `metrohub` command as a shell would (it runs its own event loop)."""
    return await asyncio.to_thread(cli.main, list(argv))


@pytest.fixture
def on_database(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    return database_url


async def stored_documents(database_url: str) -> int:
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            count = await connection.scalar(select(func.count()).select_from(TrustedDocument))
            return int(count or 0)
    finally:
        await database.dispose()


async def trusted_only_key(database_url: str) -> str:
    database = Database(database_url)
    try:
        issued = await issue_key(
            database, name="kiosk app", role=Role.STAFF, trusted_documents_only=True
        )
        return issued.key
    finally:
        await database.dispose()


async def post(client: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await client.post("/graphql", json=body, headers=headers)


@pytest.fixture
async def published(on_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """An Apollo manifest of MEMBERS and REGIONS published for `kiosk`."""
    status = await metrohub(
        "documents", "publish", "kiosk", write(tmp_path, apollo_manifest(MEMBERS, REGIONS))
    )
    assert status == 0, capsys.readouterr().err
    return on_database


async def test_an_apollo_manifest_is_published_and_run_by_document_id(
    published: str, client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an Apollo manifest published for the client `kiosk` (fixture)
    # When the list is asked for, and the app sends a document's id with its variables
    await metrohub("documents", "list", "kiosk")
    listing = capsys.readouterr().out
    response = await post(
        client, {"documentId": f"sha256:{sha256(MEMBERS)}", "variables": {"first": 2}}
    )

    # Then both documents are listed with their operations, and the document is answered
    assert f"kiosk sha256:{sha256(MEMBERS)} query Members" in listing
    assert f"kiosk sha256:{sha256(REGIONS)} query Regions" in listing
    assert response.status_code == 200
    assert response.json()["data"]["members"]["totalCount"] > 0


async def test_a_relay_persisted_file_is_published_and_run_by_its_md5_and_its_sha256(
    on_database: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    # Given relay-compiler's persisted queries (md5 ids, as --persist-output writes them)
    md5 = hashlib.md5(REGIONS.encode()).hexdigest()
    assert await metrohub("documents", "publish", "relay-app", write(tmp_path, {md5: REGIONS})) == 0

    # When the app sends the id its build gave, and another the hub's
    by_md5 = await post(client, {"documentId": md5})
    by_sha256 = await client.get(
        "/graphql",
        params={"documentId": f"sha256:{sha256(REGIONS)}"},
        headers={"apollo-require-preflight": "true"},
    )

    # Then both run the document (by POST and by GET)
    assert by_md5.json()["data"]["regions"]["totalCount"] > 0
    assert by_sha256.json() == by_md5.json()


async def test_apq_misses_then_registers_then_hits(client: httpx.AsyncClient) -> None:
    # Given a query the hub has never seen, sent by its hash alone
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha256(AD_HOC)}}
    miss = await post(client, {"extensions": persisted}, accept=GRAPHQL_RESPONSE)

    # When the client sends it again with its query, then by hash again
    registered = await post(client, {"query": AD_HOC, "extensions": persisted})
    hit = await post(client, {"extensions": persisted})

    # Then the miss is Apollo's (200 even under graphql-response+json), and the hash then answers
    assert miss.status_code == 200
    [error] = miss.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.json()["data"]["members"]["totalCount"] > 0
    assert hit.json()["data"] == registered.json()["data"]


async def test_apq_refuses_a_query_that_does_not_match_its_hash(
    client: httpx.AsyncClient,
) -> None:
    # Given a query sent with the hash of another
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha256(REGIONS)}}

    # When it is sent, then the other's hash alone
    mismatch = await post(client, {"query": AD_HOC, "extensions": persisted})
    after = await post(client, {"extensions": persisted})

    # Then it is refused, and nothing was registered under that hash
    [error] = mismatch.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "data" not in mismatch.json()
    assert after.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_trusted_documents_only_key_runs_published_documents_and_nothing_else(
    published: str, client: httpx.AsyncClient
) -> None:
    # Given a key held to published documents
    key = await trusted_only_key(published)
    auth = {"authorization": f"Bearer {key}"}
    register = {"persistedQuery": {"version": 1, "sha256Hash": sha256(AD_HOC)}}
    published_hash = {"persistedQuery": {"version": 1, "sha256Hash": sha256(REGIONS)}}

    # When it sends an ad-hoc query, an APQ registration, a published id and a published hash
    ad_hoc = await post(client, {"query": AD_HOC}, **auth, accept=GRAPHQL_RESPONSE)
    registration = await post(client, {"query": AD_HOC, "extensions": register}, **auth)
    by_id = await post(client, {"documentId": f"sha256:{sha256(MEMBERS)}"}, **auth)
    by_hash = await post(client, {"extensions": published_hash}, **auth)

    # Then the first two are refused with a clear request error (400 under
    # graphql-response+json), and the published ones answered
    assert ad_hoc.status_code == 400
    [error] = ad_hoc.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_DOCUMENTS_ONLY"
    assert "only published documents" in error["message"]
    assert registration.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENTS_ONLY"
    assert by_id.json()["data"]["members"]["totalCount"] > 0
    assert by_hash.json()["data"]["regions"]["totalCount"] > 0


async def test_a_document_id_that_is_not_published_is_a_one_line_error(
    client: httpx.AsyncClient,
) -> None:
    # When an app sends an id nobody published
    response = await post(client, {"documentId": f"sha256:{sha256(AD_HOC)}"})

    # Then it is told so, on one line, and nothing was run
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert "\n" not in error["message"]
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ([1, 2], "a manifest is a JSON object"),
        ({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}, "version"),
        ({sha256(MEMBERS): REGIONS}, "does not match its body"),
        ({hashlib.md5(b"x").hexdigest(): MEMBERS}, "does not match its body"),
        ({"custom-id": INVALID}, "is not valid against the hub's schema"),
        ({"custom-id": "query {"}, "is not GraphQL"),
    ],
)
async def test_a_bad_manifest_is_refused_whole_with_one_line(
    on_database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: object,
    message: str,
) -> None:
    # Given a manifest with one good document and one bad thing
    if isinstance(content, dict) and "format" not in content:
        content = {sha256(REGIONS): REGIONS, **content}
    path = write(tmp_path, content)

    # When it is published
    status = await metrohub("documents", "publish", "kiosk", path)

    # Then it is refused in one line, and nothing is stored
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ")
    assert err.count("\n") == 1, err
    assert message in err
    assert await stored_documents(on_database) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ("documents", "publish", "kiosk", "/no/such/manifest.json"),
        ("documents", "publish", "", "{manifest}"),
        ("documents", "remove", "nobody"),
    ],
)
async def test_bad_commands_are_refused_with_one_line(
    on_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    # Given an unreadable file, a client with no name, a client with nothing published
    manifest = write(tmp_path, apollo_manifest(MEMBERS))
    argv = tuple(arg.replace("{manifest}", manifest) for arg in argv)

    # When the command runs
    status = await metrohub(*argv)

    # Then it says what was wrong in one line, and nothing is stored
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ")
    assert err.count("\n") == 1, err
    assert await stored_documents(on_database) == 0


async def test_publishing_again_adds_nothing_and_remove_takes_documents_away(
    published: str, tmp_path: Path, client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the kiosk's documents published (fixture), published again
    capsys.readouterr()
    again = await metrohub(
        "documents", "publish", "kiosk", write(tmp_path, apollo_manifest(MEMBERS, REGIONS))
    )
    out = capsys.readouterr().out

    # When one is removed
    removed = await metrohub("documents", "remove", "kiosk", "--id", f"sha256:{sha256(REGIONS)}")
    response = await post(client, {"documentId": f"sha256:{sha256(REGIONS)}"})

    # Then nothing was added twice, and the removed one is no longer published
    assert again == 0
    assert "0 documents published for 'kiosk', 2 already published" in out
    assert removed == 0
    assert await stored_documents(published) == 1
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"


async def test_a_published_document_is_parsed_validated_and_priced_once(
    on_database: str,
    tmp_path: Path,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given counters on parsing, validation and pricing, and a document new to the process
    calls = {"parse": 0, "validate": 0, "measure": 0}

    def counting(name: str, work: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return work(*args, **kwargs)

        return counted

    monkeypatch.setattr("engine.documents.parse", counting("parse", graphql.parse))
    monkeypatch.setattr(
        "engine.documents.validate_document", counting("validate", validate_document)
    )
    monkeypatch.setattr(engine.cost, "measure", counting("measure", engine.cost.measure))
    text = f"query Priced($first: Int) {{ members(first: $first) {{ totalCount }} }} # {tmp_path}"
    assert (
        await metrohub("documents", "publish", "kiosk", write(tmp_path, apollo_manifest(text))) == 0
    )
    body = {"documentId": f"sha256:{sha256(text)}", "variables": {"first": 3}}

    # When the published document is run five times
    answers = [await post(client, body) for _ in range(5)]

    # Then each answer is right; the document was parsed once, validated when
    # published and once by the hub, and priced once
    assert all(answer.json()["data"]["members"]["totalCount"] > 0 for answer in answers)
    assert calls == {"parse": 1, "validate": 2, "measure": 1}
    assert engine.documents.pinned(text)


async def test_a_trusted_documents_only_key_is_made_by_the_api(
    graphql: Any, client: httpx.AsyncClient, database_url: str
) -> None:
    # Given an admin key
    database = Database(database_url)
    try:
        admin = (await issue_key(database, name="admin", role=Role.ADMIN)).key
    finally:
        await database.dispose()

    # When it creates a trusted-documents-only key, which then sends an ad-hoc query
    created = await post(
        client,
        {
            "query": 'mutation { apiKeyCreate(input: {name: "kiosk", role: STAFF, '
            "trustedDocumentsOnly: true}) { key userErrors { message } } }"
        },
        authorization=f"Bearer {admin}",
    )
    key = created.json()["data"]["apiKeyCreate"]["key"]
    refused = await post(client, {"query": AD_HOC}, authorization=f"Bearer {key}")

    # Then the key is held to published documents
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENTS_ONLY"


PUBLISH = """
mutation Publish($input: DocumentsPublishInput!) {
  documentsPublish(input: $input) { published unchanged userErrors { field message code } }
}
"""


async def test_staff_publish_a_manifest_through_the_api_and_bad_ones_are_user_errors(
    published: str, client: httpx.AsyncClient, staff_key: str
) -> None:
    # Given a staff key, and a Relay file with a document the kiosk already published
    auth = {"authorization": f"Bearer {staff_key}"}
    relay = json.dumps({sha256(AD_HOC): AD_HOC, sha256(MEMBERS): MEMBERS})
    mismatched = json.dumps({sha256(REGIONS): AD_HOC})

    # When it publishes the file for the kiosk, then one whose hash does not match
    good = await post(
        client,
        {"query": PUBLISH, "variables": {"input": {"client": "kiosk", "manifest": relay}}},
        **auth,
    )
    bad = await post(
        client,
        {"query": PUBLISH, "variables": {"input": {"client": "kiosk", "manifest": mismatched}}},
        **auth,
    )
    run = await post(client, {"documentId": f"sha256:{sha256(AD_HOC)}"})

    # Then the new one is published and runs, and the bad file is a user error, stored nowhere
    assert good.json()["data"]["documentsPublish"] == {
        "published": [f"sha256:{sha256(AD_HOC)}"],
        "unchanged": [f"sha256:{sha256(MEMBERS)}"],
        "userErrors": [],
    }
    [error] = bad.json()["data"]["documentsPublish"]["userErrors"]
    assert error["code"] == "DOCUMENT_HASH_MISMATCH"
    assert await stored_documents(published) == 3
    assert run.json()["data"]["members"]["totalCount"] > 0
