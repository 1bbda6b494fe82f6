"""Filtering by theme: `theme:` on initiatives (their stated theme, title and
focus areas) and on partners (their initiatives' themes and their own focus
areas), priced and limited as the steps it runs."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import insert, select, update

from db.engine import Database
from db.models import FocusArea, Initiative, Partner, PartnerFocusArea, Publication
from tests.conftest import GraphQLClient, StatementCounter

INITIATIVES = """
query Initiatives($where: InitiativeWhere) {
  initiatives(first: 30, where: $where, orderBy: [{field: TITLE}]) {
    totalCount edges { node { title } }
  }
}
"""
PARTNERS = """
query Partners($where: PartnerWhere) {
  partners(first: 50, where: $where, orderBy: [{field: NAME}]) {
    totalCount edges { node { name } }
  }
}
"""
MEMBERS = """
query Members($where: MemberWhere) { members(first: 5, where: $where) { totalCount } }
"""
CLIMATE_INITIATIVES = [
    "Climate-Metropole+ (Clima Metropole+)",
    "Concrete actions taken by metropolises to mitigate, anticipate and adapt to climate change",
]


def _titles(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in data["initiatives"]["edges"]]


def _names(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in data["partners"]["edges"]]


async def test_initiatives_by_the_words_of_their_stated_theme(graphql: GraphQLClient) -> None:
    # Given the reference data, when initiatives are filtered by a theme's word in any case
    data = await graphql.data(INITIATIVES, {"where": {"theme": {"contains": "CLIMATE"}}})

    # then the two whose stated theme is about climate are listed
    assert _titles(data) == CLIMATE_INITIATIVES


async def test_initiatives_by_the_name_of_a_focus_area(graphql: GraphQLClient) -> None:
    # Given initiatives filed under the focus area "Innovation"
    by_focus_area = await graphql.data(
        INITIATIVES, {"where": {"focusAreas": {"some": {"name": {"eq": "Innovation"}}}}}
    )

    # when they are filtered by that theme
    by_theme = await graphql.data(INITIATIVES, {"where": {"theme": {"eq": "Innovation"}}})

    # then the same initiatives are listed, as many as the focus area has
    assert _titles(by_theme) == _titles(by_focus_area)
    assert by_theme["initiatives"]["totalCount"] == 6


async def test_partners_by_the_themes_of_their_initiatives(graphql: GraphQLClient) -> None:
    # When partners are filtered by "energy", which only their initiatives mention
    data = await graphql.data(PARTNERS, {"where": {"theme": {"contains": "energy"}}})

    # then the partners of the two energy transition initiatives are listed
    assert _names(data) == ["Medcities", "Merience"]


async def test_partners_by_the_names_of_their_own_focus_areas(
    graphql: GraphQLClient, database_url: str
) -> None:
    # Given Cisco filed under the focus area "Presence in international forums" itself
    database = Database(database_url)
    async with database.engine.begin() as connection:
        cisco = (await connection.execute(select(Partner.id).where(Partner.name == "Cisco"))).one()
        area = (
            await connection.execute(
                select(FocusArea.id).where(FocusArea.name == "Presence in international forums")
            )
        ).one()
        await connection.execute(
            insert(PartnerFocusArea).values(partner_id=cisco.id, focus_area_id=area.id)
        )
    await database.dispose()

    # when partners are filtered by the start of that focus area's name, which no initiative has
    data = await graphql.data(PARTNERS, {"where": {"theme": {"startsWith": "presence in"}}})

    # then Cisco is listed
    assert _names(data) == ["Cisco"]


async def test_a_draft_initiative_lends_its_theme_to_staff_only(
    client: httpx.AsyncClient, database_url: str, staff_key: str
) -> None:
    # Given MEGA, one of the two energy transition initiatives, back to draft
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Initiative)
            .where(Initiative.title.startswith("Metropolis Energy GovernAnce"))
            .values(publication=Publication.DRAFT)
        )
    await database.dispose()
    body = {"query": PARTNERS, "variables": {"where": {"theme": {"contains": "energy"}}}}

    # when partners are filtered by "energy" anonymously and with a staff key
    anonymous = (await client.post("/graphql", json=body)).json()
    staff = (
        await client.post("/graphql", json=body, headers={"authorization": f"Bearer {staff_key}"})
    ).json()

    # then MEGA's partner is found by staff alone
    assert _names(anonymous["data"]) == ["Medcities"]
    assert _names(staff["data"]) == ["Medcities", "Merience"]


async def test_a_theme_filter_is_one_statement_priced_by_its_steps(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # When initiatives and partners are filtered by theme
    initiatives = await graphql.post(INITIATIVES, {"where": {"theme": {"contains": "energy"}}})
    partners = await graphql.post(PARTNERS, {"where": {"theme": {"contains": "energy"}}})

    # then each list is one statement
    assert sql.count == 2, sql.statements
    # and costs the list 1, its 30 or 50 items, and the filter as if written out:
    # an initiative's summary and title 1 each, its focus areas a step (20) and their name 1
    assert initiatives["extensions"]["cost"]["requestedQueryCost"] == 1 + 30 + (2 + 20 + 1)
    # a partner's initiatives a step (20) with the same inside it, one step deeper
    # (2 + 40 + 1), and its own focus areas a step (20) and their name 1
    assert partners["extensions"]["cost"]["requestedQueryCost"] == (
        1 + 50 + 20 + (2 + 40 + 1) + (20 + 1)
    )


async def test_a_partner_theme_counts_its_steps_against_the_depth_limit(
    graphql: GraphQLClient,
) -> None:
    # Given a partner theme (two steps) under one relation step: three, the most allowed
    allowed = {"partners": {"some": {"theme": {"contains": "energy"}}}}
    data = await graphql.data(INITIATIVES, {"where": allowed})
    assert _titles(data) == [
        "Metropolis Energy GovernAnce (MEGA)",
        "Metropolitan Governance of the Energy Transition (MGET)",
        "SIMA TUNIS [EU cooperation project]",
    ]

    # when it stands under two steps
    deeper = {"initiatives": {"some": {"partners": {"some": {"theme": {"contains": "energy"}}}}}}
    body = await graphql.post(MEMBERS, {"where": deeper})

    # then it is refused, saying why
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FILTER_TOO_DEEP"
    assert "`theme` goes through 4 relations" in error["message"]


async def test_bad_themes_are_refused_clearly(graphql: GraphQLClient) -> None:
    # A theme longer than any text filter takes
    body = await graphql.post(INITIATIVES, {"where": {"theme": {"contains": "x" * 201}}})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_FILTER"
    assert "at most 200 characters" in error["message"]

    # and an operator themes do not take
    body = await graphql.post(INITIATIVES, {"where": {"theme": {"ne": "climate"}}})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "unknown field 'ne'" in error["message"]
