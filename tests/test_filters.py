"""Filtering and ordering lists: `where:` and `orderBy:` on every connection."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import insert

from db.engine import Database
from db.models import Member, MemberKind, Origin
from tests.conftest import GraphQLClient, StatementCounter

MEMBERS = """
query Members($where: MemberWhere, $orderBy: [MemberOrder!], $first: Int, $after: String) {
  members(where: $where, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name population joinedYear country } }
  }
}
"""
PARTNERS = """
query Partners($where: PartnerWhere, $first: Int) {
  partners(where: $where, first: $first) { totalCount edges { node { name description } } }
}
"""
INITIATIVES = """
query Initiatives($where: InitiativeWhere) {
  initiatives(where: $where, first: 30) {
    totalCount
    edges { node { title members(first: 20) { edges { node { name } } } } }
  }
}
"""
FOCUS_AREAS = "{ focusAreas { edges { node { id slug } } } }"
REGIONS = "{ regions { edges { node { id slug } } } }"
NESTED = """
query Nested($first: Int!, $where: InitiativeWhere) {
  members(first: $first) {
    edges {
      node {
        name
        initiatives(first: 5, where: $where, roles: [LEAD], orderBy: [{field: START_YEAR}]) {
          totalCount
          edges { role node { title startYear } }
        }
      }
    }
  }
}
"""


def _names(data: dict[str, Any], field: str = "members") -> list[str]:
    return [edge["node"]["name"] for edge in data[field]["edges"]]


async def _ids(graphql: GraphQLClient, document: str, field: str) -> dict[str, str]:
    data = await graphql.data(document)
    return {e["node"]["slug"]: e["node"]["id"] for e in data[field]["edges"]}


async def test_partners_whose_name_or_description_mention_climate(graphql: GraphQLClient) -> None:
    where = {"or": [{"name": {"contains": "CLIMATE"}}, {"description": {"contains": "climate"}}]}
    data = await graphql.data(PARTNERS, {"where": where})
    assert data["partners"]["totalCount"] == 1
    assert _names(data, "partners") == ["The Climate Group"]


async def test_filter_through_a_relation_matches_the_other_side(graphql: GraphQLClient) -> None:
    # Given the initiatives that serve the Innovation mission, with their members,
    innovation = (await _ids(graphql, FOCUS_AREAS, "focusAreas"))["innovation"]
    initiatives = await graphql.data(INITIATIVES, {"where": {"focusArea": {"eq": innovation}}})
    expected = {
        member["node"]["name"]
        for edge in initiatives["initiatives"]["edges"]
        for member in edge["node"]["members"]["edges"]
    }
    assert expected  # the reference data links members to innovation initiatives

    # when we ask for members with some initiative in that focus area,
    where = {"initiatives": {"some": {"focusArea": {"eq": innovation}}}}
    data = await graphql.data(MEMBERS, {"where": where, "first": 100})

    # then we get exactly those members, and totalCount honours the filter.
    assert set(_names(data)) == expected
    assert data["members"]["totalCount"] == len(expected)


async def test_none_and_every_quantifiers(graphql: GraphQLClient) -> None:
    some = await graphql.data(MEMBERS, {"where": {"initiatives": {"some": {}}}, "first": 100})
    none = await graphql.data(MEMBERS, {"where": {"initiatives": {"none": {}}}, "first": 100})
    assert some["members"]["totalCount"] + none["members"]["totalCount"] == 75
    assert not set(_names(some)) & set(_names(none))
    # Every initiative of these members is a pilot project (vacuously true without any).
    every = {"initiatives": {"every": {"kind": {"eq": "PILOT_PROJECT"}}}}
    pilots = await graphql.data(MEMBERS, {"where": {"and": [every, {"initiatives": {"some": {}}}]}})
    assert "Tijuana" in _names(pilots)
    assert "Berlin" not in _names(pilots)


async def test_and_or_not_combine(graphql: GraphQLClient) -> None:
    regions = await _ids(graphql, REGIONS, "regions")
    where = {
        "region": {"eq": regions["europe"]},
        "not": {"country": {"in": ["FR", "ES"]}},
        "or": [{"joinedYear": {"lt": 2000}}, {"population": {"gte": 10_000_000}}],
    }
    data = await graphql.data(MEMBERS, {"where": where, "first": 100})
    # Europe outside France and Spain: Berlin joined in 1991; Moscow has 10+ million.
    assert sorted(_names(data)) == ["Berlin", "Moscow"]


async def test_order_by_several_keys_walks_every_row_once(graphql: GraphQLClient) -> None:
    order = [{"field": "JOINED_YEAR", "direction": "DESC"}, {"field": "NAME"}]
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        data = await graphql.data(MEMBERS, {"orderBy": order, "first": 7, "after": after})
        seen += [e["node"] for e in data["members"]["edges"]]
        if not data["members"]["pageInfo"]["hasNextPage"]:
            break
        after = data["members"]["pageInfo"]["endCursor"]
    assert len(seen) == len({m["id"] for m in seen}) == 75
    years = [m["joinedYear"] for m in seen]
    known = [y for y in years if y is not None]
    # Newest first, then the members with no known year, last.
    assert known == sorted(known, reverse=True)
    assert years == known + [None] * (75 - len(known))
    same_year = [m["name"] for m in seen if m["joinedYear"] == 2018]
    assert same_year == sorted(same_year)


async def test_cursors_stay_correct_when_rows_are_added(
    graphql: GraphQLClient, database_url: str
) -> None:
    # Given the first page of members by name,
    first = await graphql.data(MEMBERS, {"first": 10})
    page_one = _names(first)
    # when a member that sorts before that page's end is added,
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.execute(
            insert(Member).values(
                name="Aaa Example (demo)",
                short_name="Aaa",
                country_code="ZZ",
                country_name="Nowhere",
                region_id=1,
                kind=MemberKind.CITY,
                origin=Origin.DEMO,
            )
        )
    await database.dispose()
    # then the next page starts right after the cursor: nothing repeated or skipped.
    after = first["members"]["pageInfo"]["endCursor"]
    second = await graphql.data(MEMBERS, {"first": 10, "after": after})
    everything = await graphql.data(MEMBERS, {"first": 100})
    names = _names(everything)
    assert names[0] == "Aaa Example (demo)"
    assert _names(second) == names[11:21]
    assert page_one == names[1:11]
    assert second["members"]["totalCount"] == 76


async def test_nested_lists_take_where_roles_and_order(graphql: GraphQLClient) -> None:
    data = await graphql.data(NESTED, {"first": 75, "where": {"startYear": {"gte": 2014}}})
    led = {
        e["node"]["name"]: [i["node"]["title"] for i in e["node"]["initiatives"]["edges"]]
        for e in data["members"]["edges"]
        if e["node"]["initiatives"]["totalCount"]
    }
    assert led["Berlin"] == ["Policy Transfer (Metropolis Policy Transfer Platform)"]
    assert led["Barcelona Metropolitan Area (AMB)"][0] == "Climate-Metropole+ (Clima Metropole+)"
    assert all(
        edge["role"] == "LEAD"
        for member in data["members"]["edges"]
        for edge in member["node"]["initiatives"]["edges"]
    )


async def test_filtered_lists_keep_a_fixed_number_of_statements(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    where = {"initiatives": {"some": {"dimension": {"in": ["SOCIAL", "CULTURAL"]}}}}
    counts = []
    for first in (1, 50):
        sql.reset()
        await graphql.data(MEMBERS, {"where": where, "first": first})
        counts.append(sql.count)
        sql.reset()
        await graphql.data(NESTED, {"first": first, "where": {"kind": {"eq": "INITIATIVE"}}})
        counts.append(sql.count)
    assert counts == [1, 2, 1, 2], counts


def _gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


@pytest.mark.parametrize(
    ("where", "code", "words"),
    [
        ({"region": {"eq": _gid("Member", 1)}}, "WRONG_ID_TYPE", "takes Region IDs"),
        ({"region": {"eq": "nonsense"}}, "INVALID_ID", "is not an ID"),
        ({"country": {"in": [f"C{i}" for i in range(101)]}}, "INVALID_FILTER", "1 to 100"),
        ({"name": {"contains": "x" * 201}}, "INVALID_FILTER", "at most 200"),
        ({"near": {"latitude": 91, "longitude": 0, "km": 10}}, "INVALID_PLACE", "latitude"),
        ({"near": {"latitude": 0, "longitude": 0, "km": 0}}, "INVALID_PLACE", "km"),
        (
            {"within": {"south": 10, "west": 0, "north": -10, "east": 5}},
            "INVALID_PLACE",
            "south",
        ),
    ],
)
async def test_bad_filters_are_refused_clearly(
    graphql: GraphQLClient, where: dict[str, Any], code: str, words: str
) -> None:
    body = await graphql.post(MEMBERS, {"where": where})
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    assert words in error["message"]


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ({"nope": {"eq": 1}}, "unknown field 'nope'"),
        ({"name": {"gt": "x"}}, "unknown field 'gt'"),
        ({"population": {"contains": "1"}}, "unknown field 'contains'"),
    ],
)
async def test_unknown_fields_and_operators_are_validation_errors(
    graphql: GraphQLClient, where: dict[str, Any], words: str
) -> None:
    body = await graphql.post(MEMBERS, {"where": where})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert words in error["message"]


async def test_bad_orders_are_refused(graphql: GraphQLClient) -> None:
    six = [{"field": "NAME"}] * 6
    body = await graphql.post(MEMBERS, {"orderBy": six})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ORDER"
    # A cursor from a list in another order does not fit this one.
    by_name = await graphql.data(MEMBERS, {"first": 2})
    body = await graphql.post(
        MEMBERS,
        {
            "orderBy": [{"field": "POPULATION"}, {"field": "NAME"}],
            "after": by_name["members"]["pageInfo"]["endCursor"],
        },
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
