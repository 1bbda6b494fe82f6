"""The compiled read path (engine/execution.py) answers exactly as the
standard path: the same bytes for the same request, errors, nulls and paths
included.

Two hubs serve one seeded database, the compiled path on in one and off in
the other, and each request goes to both: the benchmark's queries
(`loadtest.queries`), requests chosen to break plans (aliases, fragments,
directives, denied fields, bad arguments), and every query example of the
README with the key it asks for. The fuzz corpus goes to both as well
(`tests/test_fuzz.py`). The suite runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import strawberry
from graphql import FieldNode, OperationType

from db.engine import Database
from db.models import Role
from engine.compiled.run import answers_given
from engine.execution import CompiledExecutionContext, plans_built
from loadtest.queries import queries
from resolvers.access.keys import issue_key
from server import create_app
from settings import Settings
from tests.conftest import COUNTS_REQUESTS, serving
from tests.test_readme import GRAPHQL, Block, _operation

ALIASES_AND_FRAGMENTS = """
query Shapes($skip: Boolean!) {
  first: members(first: 3) {
    edges { node { ...Named id again: id country @skip(if: $skip) __typename } }
  }
  regions { totalCount edges { node { name name } } }
}
fragment Named on Member { name }
"""

# Fragments the plans take (on the type itself) and one they leave
# (on an interface), at every level, with aliases and every edge field.
FRAGMENTS_BELOW = """
query Below {
  members(first: 4, orderBy: [{ field: POPULATION, direction: DESC }]) {
    ...Page
    edges {
      cursor
      node {
        ... on Member { name population }
        region { ...RegionName }
        sections(first: 2) { totalCount edges { node { name } } }
        initiatives(first: 3, roles: [LEAD, PARTICIPANT]) {
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges {
            role
            provenance { sources confidence origin }
            node { title kind status ...NodeId partners(first: 2) { edges { node { name } } } }
          }
        }
      }
    }
  }
}
fragment Page on MemberConnection { totalCount pageInfo { endCursor } }
fragment RegionName on Region { name }
fragment NodeId on Node { id }
"""

# Filters and a cursor: arguments with variables, converted per request.
FILTERED_PAGES = """
query Pages($after: String, $kind: PartnerKind!) {
  partners(first: 5, after: $after, where: { kind: { eq: $kind } }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { name kind initiatives(first: 1) { totalCount } } }
  }
  initiatives(first: 3, where: { title: { contains: "a" } }) {
    edges { node { title members(first: 2) { edges { role node { name } } } } }
  }
}
"""

# Contact details are for partner and staff keys: anonymous readers get
# nulls and errors inside an otherwise plain subtree.
DENIED_CONTACT = """
{ partners(first: 3) { edges { node { name contact { email } } } } }
"""

BAD_PAGE = "{ members(first: 500) { edges { node { name } } } }"
BAD_INNER_PAGE = "{ members(first: 2) { edges { node { initiatives(first: 0) { totalCount } } } } }"
BAD_CURSOR = '{ partners(after: "bm90IGEgY3Vyc29y") { totalCount } }'
BAD_ID = '{ node(id: "not-an-id") { id } }'
UNKNOWN_FIELD = "{ members { edges { node { colour } } } }"
EMPTY_SEARCH = '{ search(query: "   ") { totalCount } }'

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    *(
        (query.document, query.variables)
        for query in queries(page=100, partner_ids=[1, 2, 3, 40, 999], member_id=1)
    ),
    (ALIASES_AND_FRAGMENTS, {"skip": False}),
    (ALIASES_AND_FRAGMENTS, {"skip": True}),
    (FRAGMENTS_BELOW, {}),
    (FILTERED_PAGES, {"kind": "ACADEMIC"}),
    (FILTERED_PAGES, {"kind": "CITY_NETWORK", "after": "WyJDSURPQiIsMjhd"}),
    (DENIED_CONTACT, {}),
    (BAD_PAGE, {}),
    (BAD_INNER_PAGE, {}),
    (BAD_CURSOR, {}),
    (BAD_ID, {}),
    (UNKNOWN_FIELD, {}),
    (EMPTY_SEARCH, {}),
]
QUERY_EXAMPLES = [
    block for block in GRAPHQL if _operation(block.text).operation is OperationType.QUERY
]


@dataclass
class Hubs:
    """The two hubs' addresses, and a key of each role by name."""

    compiled: str
    standard: str
    keys: dict[str, str]

    def both(self, body: dict[str, Any], role: str | None = None) -> list[httpx.Response]:
        headers = {"authorization": f"Bearer {self.keys[role]}"} if role else {}
        return [
            httpx.post(f"{origin}/graphql", json=body, headers=headers, timeout=60)
            for origin in (self.compiled, self.standard)
        ]


@pytest.fixture(scope="module")
def hubs(module_database_url: str) -> Iterator[Hubs]:
    async def keys() -> dict[str, str]:
        database = Database(module_database_url)
        try:
            return {
                role.value: (await issue_key(database, name=f"both ({role.value})", role=role)).key
                for role in (Role.STAFF, Role.ADMIN)
            }
        finally:
            await database.dispose()

    issued = asyncio.run(keys())
    settings = Settings(database_url=module_database_url, anonymous_budget="100000/minute")
    with (
        serving(create_app(settings)) as compiled,
        serving(create_app(replace(settings, compiled=False))) as standard,
    ):
        yield Hubs(compiled, standard, issued)


@pytest.mark.parametrize(("query", "variables"), REQUESTS)
def test_the_compiled_path_answers_the_same_bytes(
    hubs: Hubs, query: str, variables: dict[str, Any]
) -> None:
    # Given two hubs over the same data, one with the compiled path,
    # when each answers the same request
    compiled, standard = hubs.both({"query": query, "variables": variables})
    # then the answers are the same, byte for byte
    assert (compiled.status_code, compiled.content) == (standard.status_code, standard.content)


@pytest.mark.parametrize("block", QUERY_EXAMPLES, ids=[block.id for block in QUERY_EXAMPLES])
def test_a_readme_example_gets_the_same_bytes_from_both_paths(hubs: Hubs, block: Block) -> None:
    # Given a query example of the README, with the key it asks for,
    # when each hub answers it
    compiled, standard = hubs.both({"query": block.text}, block.key)
    assert compiled.status_code == 200, compiled.text
    roots = {
        selection.name.value
        for selection in _operation(block.text).selection_set.selections
        if isinstance(selection, FieldNode)
    }
    if roots & COUNTS_REQUESTS:
        # then an example that reads the requests' own counts gets answers of
        # the same fields, without errors (each hub counts when it counts)
        assert standard.status_code == 200, standard.text
        assert "errors" not in compiled.json()
        assert "errors" not in standard.json()
        assert compiled.json()["data"].keys() == standard.json()["data"].keys()
        return
    # then the answers are the same, byte for byte, and are answers
    assert (compiled.status_code, compiled.content) == (standard.status_code, standard.content)


def test_the_compiled_path_answers_the_nested_page_itself(hubs: Hubs) -> None:
    # Given the compiled hub, when it answers the benchmark's nested page
    # (variables no other test sends: the answer is not in the response cache)
    before = answers_given()
    nested = queries(page=20, partner_ids=[1], member_id=1)[1]
    variables = {**nested.variables, "inner": 4}
    compiled, standard = hubs.both({"query": nested.document, "variables": variables})
    # then it answered the top-level list on the compiled path (the served
    # hub runs in this process), with data and no errors
    assert answers_given() > before
    body = compiled.json()
    assert "errors" not in body
    members = body["data"]["members"]["edges"]
    assert len(members) == 20
    # and its actual cost, counted as it answered, is the objects in the
    # answer (edges aside), as the standard path's walk of its answer counts
    initiatives = [edge["node"]["initiatives"] for edge in members]
    partners = [edge["node"]["partners"] for page in initiatives for edge in page["edges"]]
    # (the list; each member, its region and its page; each initiative and its page; each partner)
    regions = sum(edge["node"]["region"] is not None for edge in members)
    objects = 1 + 2 * len(members) + regions + 2 * sum(len(page["edges"]) for page in initiatives)
    objects += sum(len(page["edges"]) for page in partners)
    assert body["extensions"]["cost"]["actualQueryCost"] == objects
    assert standard.json()["extensions"]["cost"] == body["extensions"]["cost"]


def test_initiatives_dimensions_are_read_on_the_compiled_path(hubs: Hubs) -> None:
    # Given a list whose initiatives' dimensions are read by one statement
    # for all of them (`values_by_id`)
    document = "{ initiatives(first: 50) { edges { node { title dimensions } } } }"
    before = answers_given()
    # when both hubs answer it
    compiled, standard = hubs.both({"query": document})
    # then the compiled path answered it, with the standard path's bytes
    assert answers_given() > before
    assert (compiled.status_code, compiled.content) == (standard.status_code, standard.content)
    edges = compiled.json()["data"]["initiatives"]["edges"]
    dimensions = [edge["node"]["dimensions"] for edge in edges]
    assert any(dimensions)
    assert all(values == sorted(values) for values in dimensions)


# A tiny schema whose plain fields break their promises: a null where the
# type says non-null, a value that does not serialise, an object of the
# wrong type. The compiled path must give up and let the standard path answer.


@dataclass
class Row:
    name: Any
    count: Any


@strawberry.type
class Item:
    name: str
    count: int

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, (cls, Row))


@strawberry.type
class Box:
    items: list[Item]
    maybe: Item | None


@strawberry.type
class Query:
    @strawberry.field
    def box(self) -> Box | None:
        return Box(
            items=[Row("a", 1), Row(None, 2), Row("c", "three")],  # type: ignore[list-item]
            maybe=Row("d", None),  # type: ignore[arg-type]
        )

    @strawberry.field
    def good(self) -> list[Item]:
        return [Row("a", 1), Row("b", 2)]  # type: ignore[list-item]

    @strawberry.field
    def strange(self) -> list[Item] | None:
        return [Row("a", 1), "not a row"]  # type: ignore[list-item]


BROKEN = """
{
  box { items { name count } maybe { name count } }
  good { name count __typename }
  strange { name }
}
"""


@dataclass
class Flag:
    compiled: bool


async def test_broken_promises_get_the_standard_answer() -> None:
    # Given a schema with the compiled execution context
    schema = strawberry.Schema(query=Query, execution_context_class=CompiledExecutionContext)
    # When the same document runs with the compiled path on and off
    fast = await schema.execute(BROKEN, context_value=Flag(True))
    standard = await schema.execute(BROKEN, context_value=Flag(False))
    # Then the compiled path engaged, and data, errors and their paths are the same
    assert plans_built() > 0
    assert fast.data == standard.data
    assert fast.data is not None
    assert fast.data["good"] == [
        {"name": "a", "count": 1, "__typename": "Item"},
        {"name": "b", "count": 2, "__typename": "Item"},
    ]
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in standard.errors or []
    ]
    assert fast.data["box"] is None
    assert fast.data["strange"] is None
    assert fast.errors
    assert {next(iter(e.path or ())) for e in fast.errors} == {"box", "strange"}
