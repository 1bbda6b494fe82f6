"""Every relation is read in batch: statements per request do not grow with
the page size (no N+1), and a request that needs no data opens no connection."""

from __future__ import annotations

from tests.conftest import GraphQLClient, StatementCounter

NESTED = """
query Nested($first: Int!) {
  members(first: $first) {
    totalCount
    edges {
      node {
        name
        region { name }
        initiatives(first: 1) {  # inner pages of 1: the request stays within its cost budget
          edges {
            role
            node {
              title
              dimensions
              members(first: 1) { totalCount edges { role node { name } } }
              partners(first: 1) { totalCount edges { role node { name kind } } }
            }
          }
        }
      }
    }
  }
}
"""


async def test_nested_query_costs_the_same_statements_for_any_page_size(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    counts = {}
    for first in (1, 20, 70):
        sql.reset()
        data = await graphql.data(NESTED, {"first": first})
        assert len(data["members"]["edges"]) == first
        counts[first] = sql.count
    # One statement per level: members, regions, initiatives, dimensions,
    # initiative members, initiative partners.
    assert counts == {1: 6, 20: 6, 70: 6}, counts


async def test_typename_opens_no_connection(graphql: GraphQLClient, sql: StatementCounter) -> None:
    sql.reset()
    data = await graphql.data("{ __typename }")
    assert data == {"__typename": "Query"}
    assert sql.connections == 0
    assert sql.count == 0
