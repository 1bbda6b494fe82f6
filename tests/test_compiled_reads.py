"""What the compiled read path reads (engine/execution.py): a top-level list
and its relations one statement per level on one connection, each selecting
only the columns the document asks for. (That it answers as the standard
path does is tests/test_compiled_path.py's.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from loadtest.queries import NESTED
from resolvers.records import PartnerRecord, partial_from_row
from settings import Settings
from tests.conftest import StatementCounter

NESTED_PAGE = {"query": NESTED, "variables": {"first": 20, "inner": 5}}

# The edge's provenance and the node's own, through fragments.
WITH_PROVENANCE = """
query WithProvenance {
  members(first: 5) {
    edges {
      node {
        ...Named
        initiatives(first: 3) {
          edges { ... on MemberInitiativeEdge { role provenance { sources } } node { title } }
        }
      }
    }
  }
}
fragment Named on Member { name provenance { origin } }
"""


# The compiled path on whatever the suite's setting, and no response cache:
# every request runs.
@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, compiled=True, response_cache_mb=0)


@pytest.fixture
async def hub(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            yield client


async def test_a_nested_page_costs_a_statement_a_level_on_one_connection(
    hub: httpx.AsyncClient, sql: StatementCounter
) -> None:
    # Given the benchmark's nested page: members, their region, their
    # initiatives and those initiatives' partners
    sql.reset()
    # When the hub answers it
    response = await hub.post("/graphql", json=NESTED_PAGE)
    # Then it read one statement for each of the four, on one connection
    assert response.status_code == 200
    assert "errors" not in response.json()
    assert sql.count == 4, sql.statements
    assert sql.connections == 1


async def test_a_page_selects_only_the_columns_its_fields_read(
    hub: httpx.AsyncClient, sql: StatementCounter
) -> None:
    sql.reset()
    await hub.post("/graphql", json=NESTED_PAGE)
    [partners] = [s for s in sql.statements if "partner_initiatives" in s]
    # The partners' page reads their id, name and kind, and the edge's role...
    for column in ("partners.name", "partners.kind", "partner_initiatives.role"):
        assert column in partners
    # ...not their other columns, nor the edge's provenance.
    for column in ("partners.description", "partners.contact_email", "source_urls"):
        assert column not in partners
    # The top-level list of members reads what its nodes show, too.
    [members] = [s for s in sql.statements if "FROM members" in s]
    assert "members.country_code" in members
    assert "members.evidence" not in members


async def test_provenance_is_read_where_it_is_selected(
    hub: httpx.AsyncClient, sql: StatementCounter
) -> None:
    # Given a page that asks for a member's provenance and its edges' provenance
    sql.reset()
    response = await hub.post("/graphql", json={"query": WITH_PROVENANCE})
    # Then the answer has them, and each statement read what they are made of
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    member = body["data"]["members"]["edges"][0]["node"]
    assert member["provenance"]["origin"]
    [members] = [s for s in sql.statements if "FROM members" in s]
    assert "members.origin" in members
    [links] = [s for s in sql.statements if "member_initiatives" in s]
    assert "member_initiatives.source_urls" in links


async def test_an_attribute_not_read_fails_loudly() -> None:
    build = partial_from_row(PartnerRecord, ["id", "name"])
    partner = build((7, "Cisco"))
    assert (partner.id, partner.name) == (7, "Cisco")
    with pytest.raises(AttributeError):
        _ = partner.description
