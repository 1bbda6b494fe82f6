"""Relation pages read only the columns a query asks for (engine/lookahead.py),
and answer exactly as pages that read every column."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

import schema.pagination
import schema.query
from engine.lookahead import MAX_DIRECTIVE_VARIABLES
from loadtest.queries import NESTED
from resolvers.records import PartnerRecord, partial_from_row
from settings import Settings
from tests.conftest import StatementCounter, hub_settings

# Fragments, aliases, inline fragments, edge and node provenance, a record's
# own region, and fields only a staff key may see (contact, history).
SHAPES = """
query Shapes {
  members(first: 5) {
    edges {
      node {
        ...Place
        initiatives(first: 3) {
          edges {
            ... on MemberInitiativeEdge { role provenance { sources confidence } }
            node {
              ... on Initiative { title status }
              partners(first: 2) {
                totalCount
                edges { part: role cursor node { ...Organisation } }
              }
            }
          }
        }
      }
    }
  }
}
fragment Place on Member { name country region { name } }
fragment Organisation on Partner {
  id name website provenance { origin }
  contact { email }
  history(first: 1) { totalCount }
}
"""

# A long text the page reads only when the request does not skip it, in a
# field and through a fragment.
SKIPPED = """
query Skipped($brief: Boolean!, $withSite: Boolean!) {
  initiatives(first: 10) {
    edges {
      node {
        title
        partners(first: 3) {
          edges {
            node { name description @skip(if: $brief) ...Site @include(if: $withSite) }
          }
        }
      }
    }
  }
}
fragment Site on Partner { website }
"""

# As many directive variables as the lookahead keeps apart, and one more.
TOO_MANY = """
query TooMany($a: Boolean!, $b: Boolean!, $c: Boolean!, $d: Boolean!, $e: Boolean!) {
  partners(first: 5) {
    edges {
      node {
        name @skip(if: $a) kind @skip(if: $b) country @skip(if: $c)
        website @skip(if: $d) description @skip(if: $e)
      }
    }
  }
}
"""


# Every request must run (the same query is asked with and without the
# lookahead): no response cache.
@pytest.fixture
def settings(database_url: str) -> Settings:
    return hub_settings(database_url, response_cache_mb=0)


@pytest.fixture
async def hub(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            yield client


async def _answers(
    hub: httpx.AsyncClient,
    body: dict[str, Any],
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[tuple[int, bytes], tuple[int, bytes]]:
    narrow = await hub.post("/graphql", json=body, headers=headers)
    with monkeypatch.context() as patch:
        # Every page reads every column, as before the lookahead.
        for module in (schema.pagination, schema.query):
            patch.setattr(module, "node_reads", lambda _info: None)
        full = await hub.post("/graphql", json=body, headers=headers)
    return (narrow.status_code, narrow.content), (full.status_code, full.content)


@pytest.mark.parametrize("as_staff", [False, True])
@pytest.mark.parametrize(
    "body",
    [
        {"query": NESTED, "variables": {"first": 20, "inner": 5}},
        {"query": SHAPES},
    ],
    ids=["nested", "shapes"],
)
async def test_pages_that_read_less_answer_the_same(
    hub: httpx.AsyncClient,
    staff_key: str,
    monkeypatch: pytest.MonkeyPatch,
    body: dict[str, Any],
    as_staff: bool,
) -> None:
    headers = {"Authorization": f"Bearer {staff_key}"} if as_staff else {}
    narrow, full = await _answers(hub, body, headers, monkeypatch)
    assert narrow == full
    assert narrow[0] == 200
    if as_staff:  # everything in it is for staff to see
        assert b'"errors"' not in narrow[1]


async def test_a_page_selects_only_the_columns_its_fields_read(
    hub: httpx.AsyncClient, sql: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"query": NESTED, "variables": {"first": 20, "inner": 5}}

    sql.reset()
    await _answers(hub, body, {}, monkeypatch)
    narrow, full = [s for s in sql.statements if "partner_initiatives" in s]
    # The partners' page reads their id, name and kind, and the edge's role...
    for column in ("partners.name", "partners.kind", "partner_initiatives.role"):
        assert column in narrow
    # ...not their other columns, nor the edge's provenance.
    for column in ("partners.description", "partners.contact_email", "source_urls"):
        assert column not in narrow
        assert column in full
    # The top-level list of members reads what its nodes show, too.
    narrow, full = [s for s in sql.statements if "FROM members" in s and "members.name" in s]
    assert "members.country_code" in narrow
    assert "members.evidence" not in narrow
    assert "members.evidence" in full


async def test_an_attribute_not_read_fails_loudly() -> None:
    build = partial_from_row(PartnerRecord, ["id", "name"])
    partner = build((7, "Cisco"))
    assert (partner.id, partner.name) == (7, "Cisco")
    with pytest.raises(AttributeError):
        _ = partner.description


def _partner_pages(statements: list[str]) -> list[str]:
    return [s for s in statements if "partner_initiatives" in s]


async def test_a_field_one_request_skips_is_read_when_the_next_includes_it(
    hub: httpx.AsyncClient, sql: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a document whose first request skips a partner's description and website
    brief = {"query": SKIPPED, "variables": {"brief": True, "withSite": False}}
    sql.reset()
    narrow, full = await _answers(hub, brief, {}, monkeypatch)
    assert narrow == full
    assert narrow[0] == 200
    skipping = _partner_pages(sql.statements)[0]

    # When the same document is asked again, including both
    detailed = {"query": SKIPPED, "variables": {"brief": False, "withSite": True}}
    sql.reset()
    narrow, full = await _answers(hub, detailed, {}, monkeypatch)

    # Then the page reads them this time, and answers as a page that reads everything
    assert narrow == full
    assert narrow[0] == 200
    assert b'"description"' in narrow[1]
    assert b'"errors"' not in narrow[1]
    including = _partner_pages(sql.statements)[0]
    for column in ("partners.description", "partners.website"):
        assert column not in skipping
        assert column in including


async def test_a_document_with_too_many_directive_variables_reads_what_any_request_needs(
    hub: httpx.AsyncClient, sql: StatementCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a document whose directives take more variables than the lookahead keeps apart
    assert TOO_MANY.count("@skip") == MAX_DIRECTIVE_VARIABLES + 1
    answers = []
    for skipped in (True, False):
        body = {"query": TOO_MANY, "variables": dict.fromkeys("abcde", skipped)}

        # When it is asked with every field skipped, then with none
        sql.reset()
        narrow, full = await _answers(hub, body, {}, monkeypatch)

        # Then each answers as a page that reads everything, and the page read the
        # description both times
        assert narrow == full
        assert narrow[0] == 200
        assert "partners.description" in next(s for s in sql.statements if "FROM partners" in s)
        answers.append(narrow[1])
    assert b'"description"' not in answers[0]
    assert b'"description"' in answers[1]
