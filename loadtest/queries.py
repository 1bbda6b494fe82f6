"""The queries the read benchmark times, and the tests check: documents,
variables and names.

Each is answered three ways (see `bench.reads`): by hand-written SQL (the
floor, `bench.floor`), by stock Strawberry over ORM entities (`bench.stock`,
where it has the field) and by the hub.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DIRECTORY",
    "ENTITIES",
    "FILTERED",
    "INNER_PAGE",
    "NEIGHBOURHOOD",
    "NESTED",
    "SEARCH_WORD",
    "TYPENAME",
    "BenchQuery",
    "global_id",
    "queries",
]

# Initiatives per member and partners per initiative on a nested page.
INNER_PAGE = 5
SEARCH_WORD = "group"

TYPENAME = "{ __typename }"

NESTED = """
query Nested($first: Int!, $inner: Int!) {
  members(first: $first) {
    totalCount
    edges {
      node {
        id
        name
        country
        region { name }
        initiatives(first: $inner) {
          totalCount
          edges {
            role
            node {
              id
              title
              partners(first: $inner) {
                totalCount
                edges { role node { id name kind } }
              }
            }
          }
        }
      }
    }
  }
}
"""

# A page of the directory's search, as the explorer shows it.
DIRECTORY = """
query Directory($query: String!) {
  search(query: $query, first: 20) {
    totalCount
    edges {
      rank
      node {
        __typename
        ... on Member { id name }
        ... on Partner { id name }
        ... on Initiative { id title }
      }
    }
  }
}
"""

FILTERED = """
query Filtered($kind: PartnerKind!) {
  partners(first: 20, where: { kind: { eq: $kind } }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name kind country } }
  }
}
"""

# The members two edges away from a member (through its region, sections,
# initiatives and direct partners).
NEIGHBOURHOOD = """
query Neighbourhood($id: ID!) {
  node(id: $id) {
    ... on Member {
      neighbours(depth: 2, types: [MEMBER], first: 50) {
        totalCount
        edges { distance node { ... on Member { id name } } }
      }
    }
  }
}
"""

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Partner { id name kind }
  }
}
"""


def global_id(type_name: str, pk: int) -> str:
    """The global ID the hub gives record `pk` of `type_name`."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


@dataclass(frozen=True, slots=True)
class BenchQuery:
    """One query of the benchmark: its name, document and variables, and
    whether the stock reference schema has its fields."""

    name: str
    document: str
    variables: dict[str, Any] = field(default_factory=dict)
    stock: bool = True

    def fresh_variables(self) -> dict[str, Any]:
        """The variables, as a new request would parse them: Strawberry's
        `_entities` pops `__typename` from each representation it is given."""
        variables = dict(self.variables)
        if "representations" in variables:
            variables["representations"] = [dict(each) for each in variables["representations"]]
        return variables


def queries(*, page: int, partner_ids: list[int], member_id: int) -> list[BenchQuery]:
    """The benchmark's queries; `page` members on the larger nested page,
    `_entities` for `partner_ids`, the neighbourhood of `member_id`."""
    representations = [
        {"__typename": "Partner", "id": global_id("Partner", pk)} for pk in partner_ids
    ]
    return [
        BenchQuery("{__typename}", TYPENAME),
        BenchQuery("nested, 20 members", NESTED, {"first": 20, "inner": INNER_PAGE}),
        BenchQuery(f"nested, {page} members", NESTED, {"first": page, "inner": INNER_PAGE}),
        BenchQuery("directory search page", DIRECTORY, {"query": SEARCH_WORD}, stock=False),
        BenchQuery("filtered partner list", FILTERED, {"kind": "ACADEMIC"}),
        BenchQuery(
            "2-hop neighbourhood",
            NEIGHBOURHOOD,
            {"id": global_id("Member", member_id)},
            stock=False,
        ),
        BenchQuery(
            f"_entities, {len(partner_ids)} representations",
            ENTITIES,
            {"representations": representations},
        ),
    ]
