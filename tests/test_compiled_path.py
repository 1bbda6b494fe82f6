"""The compiled read path (engine/execution.py) answers exactly as the
standard path: the same bytes for the same request, errors, nulls and paths
included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import strawberry
from asgi_lifespan import LifespanManager

from engine.execution import CompiledExecutionContext, plans_built
from loadtest.queries import DIRECTORY, ENTITIES, FILTERED, NEIGHBOURHOOD, NESTED, global_id
from server import create_app
from settings import Settings

ALIASES_AND_FRAGMENTS = """
query Shapes($skip: Boolean!) {
  first: members(first: 3) {
    edges { node { ...Named id again: id country @skip(if: $skip) __typename } }
  }
  regions { totalCount edges { node { name name } } }
}
fragment Named on Member { name }
"""

# Contact details are for partner and staff keys: anonymous readers get
# nulls and errors inside an otherwise plain subtree.
DENIED_CONTACT = """
{ partners(first: 3) { edges { node { name contact { email } } } } }
"""

BAD_PAGE = "{ members(first: 500) { edges { node { name } } } }"
BAD_ID = '{ node(id: "not-an-id") { id } }'
UNKNOWN_FIELD = "{ members { edges { node { colour } } } }"
EMPTY_SEARCH = '{ search(query: "   ") { totalCount } }'

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("{ __typename }", {}),
    (NESTED, {"first": 20, "inner": 5}),
    (DIRECTORY, {"query": "metropolitan"}),
    (FILTERED, {"kind": "ACADEMIC"}),
    (NEIGHBOURHOOD, {"id": global_id("Member", 1)}),
    (
        ENTITIES,
        {
            "representations": [
                {"__typename": "Partner", "id": global_id("Partner", pk)} for pk in (1, 2, 999)
            ]
        },
    ),
    (ALIASES_AND_FRAGMENTS, {"skip": False}),
    (ALIASES_AND_FRAGMENTS, {"skip": True}),
    (DENIED_CONTACT, {}),
    (BAD_PAGE, {}),
    (BAD_ID, {}),
    (UNKNOWN_FIELD, {}),
    (EMPTY_SEARCH, {}),
]


@pytest.fixture
async def both(database_url: str) -> AsyncIterator[dict[bool, httpx.AsyncClient]]:
    """Two hubs over one database: the compiled path on, and off."""
    clients: dict[bool, httpx.AsyncClient] = {}
    apps = {
        fast: create_app(
            Settings(database_url=database_url, compiled=fast, anonymous_budget="10000/minute")
        )
        for fast in (True, False)
    }
    async with LifespanManager(apps[True]) as fast, LifespanManager(apps[False]) as standard:
        for flag, manager in ((True, fast), (False, standard)):
            clients[flag] = httpx.AsyncClient(
                transport=httpx.ASGITransport(manager.app), base_url="http://hub.test"
            )
        yield clients
        for client in clients.values():
            await client.aclose()


@pytest.mark.parametrize(("query", "variables"), REQUESTS)
async def test_the_compiled_path_answers_the_same_bytes(
    both: dict[bool, httpx.AsyncClient], query: str, variables: dict[str, Any]
) -> None:
    # Given two hubs over the same data, one with the compiled path
    body = {"query": query, "variables": variables}
    # When each answers the same request
    fast = await both[True].post("/graphql", json=body)
    standard = await both[False].post("/graphql", json=body)
    # Then the answers are the same, byte for byte
    assert (fast.status_code, fast.content) == (standard.status_code, standard.content)


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
