"""Schema checks against real usage: each change classified as graphql-core
classifies it, breaking changes looked up in the usage gateways report, and
`metrohub subgraphs check` failing only when a used field breaks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from graphql import build_schema, parse

from db.engine import Database
from db.models import Role
from resolvers.access.keys import issue_key
from resolvers.registry import list_subgraphs, register
from resolvers.schema_checks import Severity, check_schemas
from resolvers.usage import field_coordinates, operation_signature, signature_hash
from resolvers.usage.store import OperationCount, save
from schema.printed import CLIENT_FILE
from tests.conftest import serving
from tests.test_registry import HUB, run_cli, sdl_server
from tests.test_usage import running_hub

OLD = """
enum Kind { CITY REGION }
input Near { kind: Kind }
type Member { name: String population: Int area(unit: String): Float kind: Kind }
type Query { members(near: Near, first: Int): [Member] member(id: ID): Member }
"""


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.mark.parametrize(
    ("before", "after", "severity", "kind", "coordinates"),
    [
        ("population: Int", "", Severity.BREAKING, "FIELD_REMOVED", ("Member.population",)),
        (
            "population: Int",
            "population: [Int!]!",
            Severity.BREAKING,
            "FIELD_CHANGED_KIND",
            ("Member.population",),
        ),
        (
            "member(id: ID)",
            "member(id: ID!)",
            Severity.BREAKING,
            "ARG_CHANGED_KIND",
            ("Query.member(id:)",),
        ),
        (
            "members(near: Near, first: Int)",
            "members(near: Near, first: Int, region: ID!)",
            Severity.BREAKING,
            "REQUIRED_ARG_ADDED",
            ("Query.members(region:)",),
        ),
        (
            "input Near { kind: Kind }",
            "input Near { kind: Kind radius: Float! }",
            Severity.BREAKING,
            "REQUIRED_INPUT_FIELD_ADDED",
            ("Near.radius",),
        ),
        ("CITY REGION", "CITY", Severity.BREAKING, "VALUE_REMOVED_FROM_ENUM", ("Kind.REGION",)),
        ("CITY REGION", "CITY REGION PLACE", Severity.DANGEROUS, "VALUE_ADDED_TO_ENUM", ()),
        ("population: Int", "population: Int code: ID", Severity.SAFE, "FIELD_ADDED", ()),
    ],
)
async def test_each_change_is_classified_as_graphql_core_classifies_it(
    database: Database,
    before: str,
    after: str,
    severity: Severity,
    kind: str,
    coordinates: tuple[str, ...],
) -> None:
    # Given a schema and the same schema with one change
    old, new = build_schema(OLD), build_schema(OLD.replace(before, after, 1))
    # When they are checked with no recorded usage
    report = await check_schemas(database, "schema", old, new, 30)
    # Then the one change is classified, and mapped to what it touches
    [change] = report.changes
    assert (change.severity, change.kind, change.coordinates) == (severity, kind, coordinates)
    # and nobody used it, so the check passes.
    assert report.passed


PARTNER = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

type Member @key(fields: "id") {
  id: ID!
  "The air quality index (0-500) where the member is."
  airQualityIndex: Int
  "Noise at night, in decibels."
  nightNoise: Float
}

type Query {
  "How many stations measure the air."
  airStations: Int
}
"""

REPORT = {
    "operations": [
        {
            "client": {"name": "city-app", "version": "3.1"},
            "operationName": "MemberAir",
            "signature": "query MemberAir{members{edges{node{airQualityIndex}}}}",
            "fields": ["Query.members", "Member.airQualityIndex"],
            "count": 7,
        }
    ]
}


@pytest.fixture
async def registered_partner(database: Database, database_url: str) -> None:
    """A partner subgraph `air` (Member.airQualityIndex, Member.nightNoise),
    and a gateway's report that app `city-app` 3.1 read airQualityIndex."""
    with serving(sdl_server(PARTNER)) as origin:
        registration = await register(database, HUB, "air", f"{origin}/graphql")
    assert registration.accepted, registration.messages
    gateway = (await issue_key(database, name="edge", role=Role.GATEWAY)).key
    async with running_hub(database_url) as http:
        response = await http.post("/usage", json=REPORT, headers={"hub-gateway-key": gateway})
        assert response.status_code == 202, response.text


Check = Callable[..., Awaitable[tuple[int, str, str]]]


@pytest.fixture
def check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> Check:
    """`metrohub subgraphs check` on the test's database: exit status, output, errors."""
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)

    async def run(*arguments: str) -> tuple[int, str, str]:
        # The CLI runs an event loop of its own: off this test's.
        return await asyncio.to_thread(run_cli, capsys, "subgraphs", "check", *arguments)

    return run


def _write(tmp_path: Path, sdl: str) -> str:
    path = tmp_path / "proposed.graphql"
    path.write_text(sdl, encoding="utf-8")
    return str(path)


async def test_removing_a_used_partner_field_fails_naming_field_client_and_operation(
    registered_partner: None, check: Check, tmp_path: Path
) -> None:
    # Given the partner's next version without the field city-app reads
    removed = '  "The air quality index (0-500) where the member is."\n  airQualityIndex: Int\n'
    proposed = _write(tmp_path, PARTNER.replace(removed, ""))
    # When it is checked
    status, out, err = await check("air", "--sdl", proposed)
    # Then the check fails, naming the field, the client and the operation
    assert (status, err) == (1, "")
    assert out.startswith("failed: subgraph air breaks fields clients used in the last 30 days")
    assert "  breaking: Field Member.airQualityIndex was removed.\n" in out
    assert "    used by city-app 3.1: MemberAir [" in out
    assert "via Member.airQualityIndex, 7 times" in out


async def test_removing_an_unused_field_passes_listed_as_breaking_without_use(
    registered_partner: None, check: Check, tmp_path: Path
) -> None:
    # Given the partner's next version without a field nobody read, and one more field
    proposed = _write(
        tmp_path,
        PARTNER.replace(
            '  "Noise at night, in decibels."\n  nightNoise: Float\n',
            '  "Pollen today."\n  pollen: Int\n',
        ),
    )
    # When it is checked
    status, out, err = await check("air", "--sdl", proposed)
    # Then it passes, the removal listed as breaking with no recorded use, the addition as safe
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "passed: no change in subgraph air breaks recorded usage "
        "(1 breaking, 0 dangerous, 1 safe).",
        "  breaking: Field Member.nightNoise was removed. (no recorded use in 30 days)",
        "  safe: Field Member.pollen was added.",
    ]


async def test_a_version_that_does_not_compose_fails_with_the_composers_reason_first(
    registered_partner: None, check: Check, tmp_path: Path
) -> None:
    # Given a version that makes Member.name (the hub's String!) an Int
    proposed = _write(tmp_path, PARTNER.replace("id: ID!\n", "id: ID!\n  name: Int\n", 1))
    # When it is checked
    status, out, _ = await check("air", "--sdl", proposed)
    # Then it fails, composition first
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "failed: subgraph air does not compose with the hub and the other subgraphs."
    assert lines[1].startswith("  composition: apollo: ")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["air", "--sdl", "/nonexistent/air.graphql"], "error: cannot read /nonexistent/"),
        (["air", "--sdl", "{bad}"], "error: the SDL for air is not valid GraphQL: Syntax Error"),
        (["Air Quality", "--sdl", "{good}"], "error: subgraph name 'Air Quality' is not valid"),
        (["hub", "--sdl", "{good}"], "error: the name `hub` is the hub's own subgraph."),
    ],
)
async def test_bad_input_is_one_line_and_stores_nothing(
    check: Check, database: Database, tmp_path: Path, arguments: list[str], message: str
) -> None:
    files = {"{bad}": "type Member {", "{good}": PARTNER}
    given = [_write(tmp_path, files[a]) if a in files else a for a in arguments]
    # When a check is asked with bad input
    status, out, err = await check(*given)
    # Then it is refused in one line, exit 2, and no subgraph is stored
    assert (status, out) == (2, "")
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert await list_subgraphs(database) == []


async def test_register_refuses_a_version_that_breaks_used_fields_unless_forced(
    registered_partner: None,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    # Given the partner now serving a version without the field city-app reads
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    removed = '  "The air quality index (0-500) where the member is."\n  airQualityIndex: Int\n'
    with serving(sdl_server(PARTNER.replace(removed, ""))) as origin:
        url = f"{origin}/graphql"
        # When it is registered
        status, out, _ = await asyncio.to_thread(
            run_cli, capsys, "subgraphs", "register", "air", url
        )
        # then it is refused with the report, and the accepted version stays current,
        assert status == 1
        assert out.startswith("rejected: air breaks fields clients used (report below)")
        assert "    used by city-app 3.1: MemberAir [" in out
        [before] = await list_subgraphs(database)
        assert before.history[0].accepted is False
        assert "  breaking: Field Member.airQualityIndex was removed." in before.history[0].messages
        # and when it is registered with --force
        status, out, _ = await asyncio.to_thread(
            run_cli, capsys, "subgraphs", "register", "air", url, "--force"
        )
    # then it is accepted, the report kept with it as warnings.
    assert status == 0
    assert out.startswith(f"accepted: air ({url}) composes with the hub")
    [after] = await list_subgraphs(database)
    assert after.history[0].accepted is True
    assert "  breaking: Field Member.airQualityIndex was removed." in after.history[0].warnings


async def test_schema_check_fails_when_the_code_drops_a_published_field_a_client_used(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
) -> None:
    # Given a published schema with a field the code no longer has, read by app `kiosk`
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    published = CLIENT_FILE.read_text().replace(
        "type Member implements Node {\n",
        'type Member implements Node {\n  "Its old name."\n  formerName: String\n',
        1,
    )
    signature = "query Old{members{edges{node{formerName}}}}"
    today = datetime.now(UTC).date()
    use = OperationCount(
        today, "kiosk", "2", "Old", signature_hash(signature), "hub", signature,
        ("Member.formerName",), 5,
    )  # fmt: skip
    await save(database, [use])
    against = _write(tmp_path, published)
    # When the hub's schema is checked against it, and against the checked-in one
    status, out, err = await asyncio.to_thread(
        run_cli, capsys, "schema", "check", "--against", against
    )
    unchanged = await asyncio.to_thread(run_cli, capsys, "schema", "check")
    # Then the first fails naming the field, the client and the operation
    assert (status, err) == (1, "")
    assert "  breaking: Field Member.formerName was removed.\n" in out
    assert "    used by kiosk 2: Old [" in out
    # and the second passes: the code is what was published.
    assert unchanged == (0, "passed: the hub's schema changes nothing in the API schema.\n", "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "error: cannot read "),
        ("type Member {", "is not a valid GraphQL schema: Syntax Error"),
        ("type Query { a: Nothing }", "is not a valid GraphQL schema: Unknown type 'Nothing'."),
    ],
)
async def test_schema_check_refuses_a_bad_published_schema_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
    content: str | None,
    message: str,
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    against = str(tmp_path / "missing.graphql") if content is None else _write(tmp_path, content)
    status, out, err = await asyncio.to_thread(
        run_cli, capsys, "schema", "check", "--against", against
    )
    assert (status, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1


ENUMS = """
enum Kind { CITY REGION }
input Near { kind: Kind }
type Member { name: String kind: Kind }
type Query { members(kind: Kind, kinds: [Kind], near: Near): [Member] }
"""

# Operations of app `kiosk` 1, by name: what each does with enum Kind.
ENUM_OPERATIONS = {
    # reads a field returning Kind: a removed value is never sent, nothing breaks
    "ReadsKind": "query ReadsKind { members { name kind } }",
    # writes the removed value: it no longer validates
    "Regions": "query Regions { members(kind: REGION) { name } }",
    # writes another value
    "Cities": "query Cities { members(kind: CITY) { name } }",
    # passes Kind in a variable, whose value may be the removed one
    "ByKind": "query ByKind($kind: Kind) { members(kind: $kind) { name } }",
    # a list literal, which the signature hides (`[]`): it may hold the value
    "Kinds": "query Kinds { members(kinds: [REGION]) { name } }",
}


async def test_a_removed_enum_value_breaks_only_the_operations_that_may_send_it(
    database: Database,
) -> None:
    # Given usage of each operation, with the fields each reads
    schema = build_schema(ENUMS)
    today = datetime.now(UTC).date()
    uses = []
    for name, text in ENUM_OPERATIONS.items():
        document = parse(text)
        signature = operation_signature(document, name)
        coordinates = field_coordinates(schema, document, name)
        key = (today, "kiosk", "1", name, signature_hash(signature), "hub", signature)
        uses.append(OperationCount(*key, coordinates, 3))
    await save(database, uses)
    # When a version that removes Kind.REGION is checked
    report = await check_schemas(
        database, "schema", schema, build_schema(ENUMS.replace("CITY REGION", "CITY")), 30
    )
    # Then the change breaks the operations that write REGION or may send it,
    [change] = report.changes
    assert change.coordinates == ("Kind.REGION",)
    broken = sorted({use.operation_name for use in change.uses})
    assert broken == ["ByKind", "Kinds", "Regions"]
    # through the field that takes it, not those that only read Kind.
    assert {use.coordinate for use in change.uses} == {"Query.members"}
    assert not report.passed
