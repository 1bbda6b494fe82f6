"""The registry of partner subgraphs as partners live with it: Apollo's
composer decides and the others warn, protected `_service` endpoints get their
headers (never shown in full), the hub's own schema is checked against the
accepted subgraphs at start-up, and the messages say what happened."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from graphql import (
    DefinitionNode,
    DocumentNode,
    ObjectTypeDefinitionNode,
    parse,
    print_ast,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

import cli
from db.engine import Database
from db.models import Role
from federation.examples import city_indicators
from resolvers.access.keys import issue_key
from resolvers.composition import SubgraphSource
from resolvers.registry import list_subgraphs, register
from schema import sdl
from server import create_app
from settings import Settings, SettingsError
from tests.conftest import hub_settings, serving

HUB = SubgraphSource("hub", "http://127.0.0.1:8000/graphql", sdl())

# A partner moving `Member.population` from the hub to its own subgraph, half
# of the traffic at a time (progressive @override, federation 2.7+).
CENSUS = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@override"])

type Member @key(fields: "id") {
  id: ID!
  population: Int @override(from: "hub", label: "percent(50)")
}

type Query { censusYear: Int }
"""

# A partner that defines `Member.population` as a String: it composes with a
# hub that has no such field, and breaks a hub that has one (an Int).
POPULATION_AS_TEXT = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

type Member @key(fields: "id") { id: ID! population: String }

type Query { populationNotes: String }
"""

SECRET = "s3cr3t-partner-token-0123456789"


def sdl_server(sdl_text: str) -> Starlette:
    """A partner's subgraph as the registry sees it: `_service { sdl }` over HTTP."""

    async def graphql(_request: Request) -> Response:
        return JSONResponse({"data": {"_service": {"sdl": sdl_text}}})

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


class RequiresBearer:
    """A partner that protects its subgraph: no right bearer token, 401."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.authorizations: list[bytes | None] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            authorization = dict(scope["headers"]).get(b"authorization")
            self.authorizations.append(authorization)
            if authorization != self.expected:
                await JSONResponse({"errors": [{"message": "unauthorized"}]}, 401)(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def census_subgraph() -> Iterator[str]:
    with serving(sdl_server(CENSUS)) as origin:
        yield f"{origin}/graphql"


@pytest.fixture
def protected() -> RequiresBearer:
    return RequiresBearer(city_indicators.app, SECRET)


@pytest.fixture
def protected_subgraph(protected: RequiresBearer) -> Iterator[str]:
    with serving(protected) as origin:
        yield f"{origin}/graphql"


WUNDERGRAPH_ON_LABEL = (
    'wundergraph: The subgraph "census" could not be federated for the following reason:\n'
    'The 1st instance of the directive "@override" declared on coordinates '
    '"Member.population" is invalid for the following reason:\n'
    ' The definition for "@override" does not define the following argument that is '
    'provided: "label".'
)


async def test_progressive_override_is_accepted_with_wundergraphs_rejection_as_a_warning(
    database: Database, census_subgraph: str
) -> None:
    # Given a subgraph taking over Member.population from the hub for 50 % of requests
    # When it registers under the default policy (Apollo's composer decides)
    registration = await register(database, HUB, "census", census_subgraph)

    # Then it is accepted, WunderGraph's own message kept as a warning
    assert registration.accepted, registration.messages
    assert registration.messages == []
    assert registration.warnings == [WUNDERGRAPH_ON_LABEL]
    assert registration.summary == (
        f"accepted: census ({census_subgraph}) composes with the hub; other composers "
        "rejected it (warnings below)."
    )
    # and the registry's history shows the warning with the accepted version.
    [status] = await list_subgraphs(database)
    assert status.last_outcome == "accepted"
    assert status.warnings == [WUNDERGRAPH_ON_LABEL]
    assert [(check.accepted, check.warnings) for check in status.history] == [
        (True, [WUNDERGRAPH_ON_LABEL])
    ]


async def test_a_required_composer_decides_too(database: Database, census_subgraph: str) -> None:
    # Given WunderGraph's composer made required besides Apollo's
    required = Settings.from_env({"HUB_REQUIRED_COMPOSERS": "apollo,wundergraph"})
    assert required.required_composers == ("apollo", "wundergraph")

    # When the progressive override registers
    registration = await register(
        database, HUB, "census", census_subgraph, required=required.required_composers
    )

    # Then WunderGraph's rejection rejects it, and The Guild's silence warns of nothing
    assert not registration.accepted
    assert registration.messages == [WUNDERGRAPH_ON_LABEL]
    assert registration.warnings == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "apollo,hive",
            "HUB_REQUIRED_COMPOSERS: unknown composer 'hive'; the composers are apollo, "
            "guild, wundergraph (e.g. `apollo,guild`).",
        ),
        (
            "guild",
            "HUB_REQUIRED_COMPOSERS='guild' leaves out apollo: Apollo's composer writes the "
            "supergraph that gateways run, so it is always required (e.g. `apollo,guild`).",
        ),
    ],
)
def test_an_unknown_or_partial_composer_list_stops_the_hub_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    # Given a composer setting the hub cannot honour
    monkeypatch.setenv("HUB_REQUIRED_COMPOSERS", value)
    with pytest.raises(SettingsError):
        Settings.from_env()

    # When the hub is started with it
    status = cli.main(["serve"])

    # Then it stops before serving, with one line naming the setting
    assert status == 2
    assert capsys.readouterr().err == f"error: {message}\n"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_protected_subgraph_registers_with_its_header_and_never_shows_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    database_url: str,
    protected: RequiresBearer,
    protected_subgraph: str,
) -> None:
    # Given a partner subgraph whose `_service` needs a bearer token, and the
    # log records of every logger captured at the hub's level (INFO: see
    # `logs.logging_config`; below it, aiosqlite logs statements' parameters)
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    caplog.set_level(logging.INFO)

    # When staff register it without the header
    status, out, err = run_cli(capsys, "subgraphs", "register", "daylight", protected_subgraph)
    # then it is refused in one line that says what it wants,
    assert status == 2
    assert out == ""
    assert err == (
        f"error: could not read the subgraph's SDL from {protected_subgraph}: it answered "
        "HTTP 401. It wants credentials: pass the header it expects (--header "
        "'Authorization: Bearer <token>'), or check the one given.\n"
    )

    # when they register it with the header,
    header = f"Authorization: Bearer {SECRET}"
    status, registered, err = run_cli(
        capsys, "subgraphs", "register", "daylight", protected_subgraph, "--header", header
    )
    # then it is accepted, the header shown masked,
    assert (status, err) == (0, "")
    assert registered == (
        f"accepted: daylight ({protected_subgraph}) composes with the hub.\n"
        "  sent Authorization: Bearer s3cr…\n"
    )

    # and a later fetch sends the stored header again,
    status, refreshed, err = run_cli(capsys, "subgraphs", "refresh", "daylight")
    assert (status, err) == (0, "")
    bearer = f"Bearer {SECRET}".encode()
    assert protected.authorizations == [None, bearer, bearer]
    status, listed, err = run_cli(capsys, "subgraphs", "list")
    assert "  header Authorization: Bearer s3cr…\n" in listed

    # and the token appears in no output and no log record.
    everything = "".join([registered, refreshed, listed, caplog.text])
    assert "HTTP Request: POST" in caplog.text  # the logs were captured
    assert SECRET not in everything
    assert SECRET[4:12] not in everything


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            f"Authorization Bearer {SECRET}",
            "error: header 1 is not of the form `Name: value` (e.g. `Authorization: Bearer "
            "<token>`).\n",
        ),
        ("X-Api-Key:", "error: header 1 (X-Api-Key) has no value.\n"),
        (
            "Host: partner.example",
            "error: header 1 (Host) is one the hub sets itself; send another header.\n",
        ),
    ],
)
def test_a_malformed_header_is_refused_in_one_line_without_its_value(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    header: str,
    message: str,
) -> None:
    # Given the hub's database
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)

    # When a subgraph is registered with a malformed header
    status, out, err = run_cli(
        capsys,
        "subgraphs",
        "register",
        "daylight",
        "http://127.0.0.1:1/graphql",
        "--header",
        header,
    )

    # Then one line says what is wrong, and nothing was fetched nor stored
    assert (status, out, err) == (2, "", message)
    assert SECRET not in err


REGISTER = """
mutation Register($input: SubgraphRegisterInput!) {
  subgraphRegister(input: $input) { accepted summary messages warnings headers error }
}
"""
SUBGRAPHS = """
query Subgraphs {
  subgraphs { name headers warnings history(last: 5) { accepted messages warnings } }
}
"""


async def test_staff_set_headers_through_the_api_and_see_them_masked(
    client: httpx.AsyncClient, database_url: str, protected_subgraph: str
) -> None:
    # Given a staff key
    database = Database(database_url)
    staff = (await issue_key(database, name="staff", role=Role.STAFF)).key
    await database.dispose()

    async def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {staff}"},
        )
        body: dict[str, Any] = response.json()
        return body

    # When the protected subgraph is registered with its header
    given = {
        "name": "daylight",
        "url": protected_subgraph,
        "headers": [f"Authorization: Bearer {SECRET}"],
    }
    registered = (await post(REGISTER, {"input": given}))["data"]["subgraphRegister"]
    listed = (await post(SUBGRAPHS, {}))["data"]["subgraphs"]
    malformed = {**given, "headers": [f"Authorization Bearer {SECRET}"]}
    refused = (await post(REGISTER, {"input": malformed}))["data"]["subgraphRegister"]

    # Then it is accepted and the header is shown masked, in the payload and the list
    assert registered["accepted"] is True, registered
    assert registered["headers"] == ["Authorization: Bearer s3cr…"]
    assert listed == [
        {
            "name": "daylight",
            "headers": ["Authorization: Bearer s3cr…"],
            "warnings": [],
            "history": [{"accepted": True, "messages": [], "warnings": []}],
        }
    ]
    # and a malformed one is refused by position, without its value
    assert refused["error"] == (
        "header 1 is not of the form `Name: value` (e.g. `Authorization: Bearer <token>`)."
    )
    assert SECRET not in str([registered, listed, refused])


def older_hub_without(type_name: str, field_name: str) -> SubgraphSource:
    """The hub's SDL as it was before it had `type_name.field_name`."""

    def older(definition: DefinitionNode) -> DefinitionNode:
        if not (
            isinstance(definition, ObjectTypeDefinitionNode) and definition.name.value == type_name
        ):
            return definition
        kept = tuple(field for field in definition.fields or () if field.name.value != field_name)
        return ObjectTypeDefinitionNode(
            **{key: getattr(definition, key) for key in definition.keys if key != "fields"},
            fields=kept,
        )

    document = parse(sdl())
    definitions = tuple(older(definition) for definition in document.definitions)
    return SubgraphSource("hub", HUB.url, print_ast(DocumentNode(definitions=definitions)))


async def test_a_hub_schema_that_breaks_an_accepted_subgraph_is_reported_on_ready(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a subgraph defining Member.population as text, accepted by an
    # older hub that had no such field,
    with serving(sdl_server(POPULATION_AS_TEXT)) as origin:
        database = Database(database_url)
        older = older_hub_without("Member", "population")
        accepted = await register(database, older, "notes", f"{origin}/graphql")
        await database.dispose()
    assert accepted.accepted, accepted.messages

    # when today's hub, whose Member.population is an Int, starts on that registry
    caplog.set_level(logging.INFO, logger="metrohub.federation")
    app = create_app(hub_settings(database_url))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://t") as http,
    ):
        # it serves at once, and once the background check is done
        assert (await http.get("/health")).status_code == 200
        await app.state.hub.federation.wait()
        ready = await http.get("/ready")

    # Then /ready still says ready (the hub serves its own clients) and
    # reports the broken composition with Apollo's reason,
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    federation = body["federation"]
    assert (federation["status"], federation["subgraphs"]) == ("broken", ["notes"])
    assert federation["problems"]
    assert all(problem.startswith("apollo: ") for problem in federation["problems"])
    assert any("Member.population" in problem for problem in federation["problems"])
    # and the log says it too.
    [record] = [r for r in caplog.records if r.name == "metrohub.federation"]
    assert record.levelno == logging.ERROR
    assert "does not compose with the accepted versions of notes" in record.getMessage()


async def test_ready_says_the_hub_composes_when_no_subgraph_is_registered(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    # Given a hub with an empty registry, once its start-up check is done
    await app.state.hub.federation.wait()

    # When asked whether it is ready
    ready = await client.get("/ready")

    # Then there was nothing to compose, and nothing broke
    assert ready.status_code == 200
    assert ready.json()["federation"] == {"status": "composes", "subgraphs": [], "problems": []}


async def test_a_rejected_refresh_says_which_version_stays_current(
    database: Database, census_subgraph: str
) -> None:
    # Given an accepted subgraph
    first = await register(database, HUB, "census", census_subgraph)
    assert first.accepted
    assert first.current_since is not None

    # When a refresh is rejected (WunderGraph made required)
    again = await register(
        database, HUB, "census", census_subgraph, required=("apollo", "wundergraph")
    )

    # Then the message names the version that stands, not "the last good version"
    assert not again.accepted
    assert again.current_since == first.current_since
    assert again.summary == (
        f"rejected: census does not compose; its version accepted at "
        f"{first.current_since.isoformat(timespec='seconds')} stays current."
    )


@pytest.mark.parametrize(
    ("arguments", "environment", "url", "source"),
    [
        (
            ("--hub-url", "http://hub.example:9000/graphql"),
            {},
            "http://hub.example:9000/graphql",
            "--hub-url",
        ),
        (
            (),
            {"HUB_PORT": "8123"},
            "http://127.0.0.1:8123/graphql",
            "HUB_PUBLIC_URL, HUB_HOST and HUB_PORT",
        ),
    ],
)
def test_the_supergraph_routes_to_the_hub_where_it_runs_and_says_where(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    arguments: tuple[str, ...],
    environment: dict[str, str],
    url: str,
    source: str,
) -> None:
    # Given a hub that does not run on the default port
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    # When staff write the supergraph
    status, supergraph, err = run_cli(capsys, "supergraph", *arguments, "--output", "-")
    # Then the hub's routing URL is where it runs, and the command says which it wrote
    assert status == 0
    assert f'url: "{url}"' in supergraph
    assert err == f"the hub's routing URL in the supergraph: {url} (from {source})\n"
