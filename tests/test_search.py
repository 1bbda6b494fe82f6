"""Full-text search over the real seed data: what it finds, in which order,
its snippets and facets, its pages, bad input, its cost in SQL statements,
and the index that triggers keep in step with the tables."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

import cli
import db.seed as seed_module
from db.engine import Database, is_sqlite
from db.migrate import upgrade
from db.models import Partner, PartnerKind
from db.referencedata import load_reference
from db.seed import seed_reference
from settings import Settings
from tests.conftest import GraphQLClient, StatementCounter, sqlite_only


@pytest.fixture
def settings(database_url: str) -> Settings:
    # These tests check facet arithmetic over whole results, reading every
    # hit's members: more than one request may cost in production.
    return Settings(database_url=database_url, max_cost=100_000)


SEARCH = """
query Search(
  $query: String!
  $types: [SearchType!]
  $regions: [ID!]
  $partnerKinds: [PartnerKind!]
  $focusAreas: [ID!]
  $dimensions: [SustainabilityDimension!]
  $first: Int
  $after: String
) {
  search(
    query: $query
    types: $types
    regions: $regions
    partnerKinds: $partnerKinds
    focusAreas: $focusAreas
    dimensions: $dimensions
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      cursor
      rank
      snippet { text matches { start end } }
      node {
        __typename
        ... on Member { id name }
        ... on Partner { id name kind }
        ... on Initiative { id title }
      }
    }
  }
}
"""

FACETS = """
query Facets(
  $query: String!
  $types: [SearchType!]
  $regions: [ID!]
  $partnerKinds: [PartnerKind!]
  $dimensions: [SustainabilityDimension!]
  $first: Int
) {
  search(
    query: $query
    types: $types
    regions: $regions
    partnerKinds: $partnerKinds
    dimensions: $dimensions
    first: $first
  ) {
    totalCount
    edges {
      node {
        __typename
        ... on Member { name region { id } }
        ... on Partner { name kind }
        ... on Initiative {
          title
          dimensions
          members(first: 50) { edges { node { region { id } } } }
        }
      }
    }
    facets {
      types { value count }
      regions { region { id name } count }
      partnerKinds { value count }
      focusAreas { focusArea { id name } count }
      dimensions { value count }
    }
  }
}
"""

# What the explorer asks for: a page of hits with snippets, and every facet.
EXPLORER = """
query Explorer($query: String!, $first: Int) {
  search(query: $query, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      rank
      snippet { text matches { start end } }
      node {
        ... on Member { name country }
        ... on Partner { name kind description }
        ... on Initiative { title period }
      }
    }
    facets {
      types { value count }
      regions { region { name } count }
      partnerKinds { value count }
      focusAreas { focusArea { name } count }
      dimensions { value count }
    }
  }
}
"""

REGIONS = "{ regions(first: 10) { edges { node { id name } } } }"

LEAKS = ("Traceback", "sqlalchemy", "SELECT ", "MATCH", "fts5", ".py", "/work/")


async def _search(graphql: GraphQLClient, query: str, **variables: Any) -> dict[str, Any]:
    data = await graphql.data(SEARCH, {"query": query, **variables})
    result: dict[str, Any] = data["search"]
    return result


async def _facets(graphql: GraphQLClient, query: str, **variables: Any) -> dict[str, Any]:
    data = await graphql.data(FACETS, {"query": query, "first": 100, **variables})
    result: dict[str, Any] = data["search"]
    return result


def _label(edge: dict[str, Any]) -> str:
    node = edge["node"]
    return str(node.get("name") or node["title"])


def _labels(result: dict[str, Any], typename: str | None = None) -> list[str]:
    return [
        _label(edge)
        for edge in result["edges"]
        if typename is None or edge["node"]["__typename"] == typename
    ]


def _matched_words(result: dict[str, Any]) -> list[str]:
    return [
        edge["snippet"]["text"][match["start"] : match["end"]]
        for edge in result["edges"]
        for match in edge["snippet"]["matches"]
    ]


def _counts(facet: list[dict[str, Any]], key: str = "value") -> dict[Any, int]:
    def name(item: dict[str, Any]) -> Any:
        value = item[key]
        return value["name"] if isinstance(value, dict) else value

    return {name(item): item["count"] for item in facet}


async def _region_ids(graphql: GraphQLClient) -> dict[str, str]:
    data = await graphql.data(REGIONS)
    return {edge["node"]["name"]: edge["node"]["id"] for edge in data["regions"]["edges"]}


# What it finds


async def test_climate_finds_the_climate_group_among_partners(graphql: GraphQLClient) -> None:
    result = await _search(graphql, "climate", types=["PARTNER"])
    assert _labels(result) == ["The Climate Group"]
    assert result["totalCount"] == 1


async def test_climate_finds_initiatives_by_title_and_by_summary(graphql: GraphQLClient) -> None:
    result = await _search(graphql, "climate", types=["INITIATIVE"])
    assert set(_labels(result)) == {
        "Climate-Metropole+ (Clima Metropole+)",
        "Concrete actions taken by metropolises to mitigate, anticipate and adapt to climate "
        "change",
        "Metropolitan Governance of the Energy Transition (MGET)",
    }


async def test_a_word_without_its_accent_finds_the_accented_name(graphql: GraphQLClient) -> None:
    result = await _search(graphql, "Bogota")
    # Bogotá by its name, first; Córdoba by its evidence, which names Bogotá.
    assert _labels(result) == ["Bogotá", "Córdoba"]
    assert set(_matched_words(result)) == {"Bogotá"}


async def test_sao_paulo_finds_the_city_and_the_state(graphql: GraphQLClient) -> None:
    for query in ("sao paulo", "SÃO PAULO", "Sa\u0303o Paulo"):  # the last decomposed (NFD)
        result = await _search(graphql, query)
        # The city and the state by their names, first; then two members whose
        # evidence names São Paulo (a Board meeting, a city's news).
        labels = _labels(result, "Member")
        assert set(labels[:2]) == {"São Paulo (City)", "São Paulo (State)"}, query
        assert set(labels[2:]) == {"Sejong", "Córdoba"}, query


async def test_words_hold_digits(graphql: GraphQLClient) -> None:
    assert _labels(await _search(graphql, "C40")) == ["C40 Cities"]
    assert "Metropolitan Governance of the Energy Transition (MGET)" in _labels(
        await _search(graphql, "dakar 2016")
    )


async def test_the_start_of_a_word_finds_every_barcelona_record(graphql: GraphQLClient) -> None:
    result = await _search(graphql, "barc")
    labels = set(_labels(result))
    assert {
        "Barcelona (Ajuntament / City Council)",
        "Barcelona Metropolitan Area (AMB)",
        "Ajuntament de Barcelona",
        "Promotion and Development of the Barcelona Innovation Center",
        "Barcelona Cibernarium: Technology Training Center for Professionals and SMEs",
        "Transferring Knowledge and Cooperating in Culture, Education and City "
        "(Medellín–Barcelona Chair)",
    } <= labels
    assert {word.casefold() for word in _matched_words(result)} == {"barcelona"}


async def test_only_the_last_word_is_a_prefix(graphql: GraphQLClient) -> None:
    # "barc" whole matches no word; as the last word it is a prefix.
    assert (await _search(graphql, "barc spain"))["totalCount"] == 0
    assert (await _search(graphql, "spain barc"))["totalCount"] == 2


# In which order


async def test_hits_come_best_first(graphql: GraphQLClient) -> None:
    result = await _search(graphql, "climate")
    ranks = [edge["rank"] for edge in result["edges"]]
    assert ranks == sorted(ranks, reverse=True)
    # MGET has "climate" only in its period note; the others in their titles.
    assert _labels(result)[-1] == "Metropolitan Governance of the Energy Transition (MGET)"
    assert result["totalCount"] == 4


@pytest.mark.parametrize(
    ("query", "title_hit"),
    [
        ("berlin", "Berlin"),
        ("agile", "Agile Cities for a New Age of Accessibility, Efficiency and Growth"),
    ],
)
async def test_a_title_match_ranks_above_body_matches(
    graphql: GraphQLClient, query: str, title_hit: str
) -> None:
    # Short partner descriptions ("partnership named by Berlin", "lead of 2012
    # Initiative 'Agile Cities'") would outrank the long title by BM25 alone.
    result = await _search(graphql, query)
    assert result["totalCount"] > 3
    assert _labels(result)[0] == title_hit
    assert all(title_hit not in label for label in _labels(result)[1:])


# Snippets


async def test_snippets_locate_the_matched_words(graphql: GraphQLClient) -> None:
    result = await _search(graphql, "climate")
    for edge in result["edges"]:
        snippet = edge["snippet"]
        assert snippet["matches"], snippet
        for match in snippet["matches"]:
            assert snippet["text"][match["start"] : match["end"]].casefold() == "climate"
        # Plain text: the markers never reach the client.
        assert "\x02" not in snippet["text"]
        assert "\x03" not in snippet["text"]
    body_hit = result["edges"][-1]["snippet"]["text"]
    assert "climate-energy plan" in body_hit


# Facets


async def test_type_counts_add_up_to_the_total(graphql: GraphQLClient) -> None:
    for query in ("metropolitan", "barc", "climate", "governance"):
        result = await _facets(graphql, query)
        types = _counts(result["facets"]["types"])
        assert sum(types.values()) == result["totalCount"] > 0, query
        assert types == {
            typename.upper(): sum(
                1 for edge in result["edges"] if edge["node"]["__typename"] == typename
            )
            for typename in ("Member", "Partner", "Initiative")
            if any(edge["node"]["__typename"] == typename for edge in result["edges"])
        }


async def test_facets_count_the_whole_result_not_the_page(graphql: GraphQLClient) -> None:
    whole = await _facets(graphql, "metropolitan")
    one = await _facets(graphql, "metropolitan", first=1)
    assert len(one["edges"]) == 1
    assert one["facets"] == whole["facets"]


async def test_a_region_filter_keeps_its_members_and_their_initiatives(
    graphql: GraphQLClient,
) -> None:
    europe = (await _region_ids(graphql))["Europe"]
    everything = await _facets(graphql, "metropolitan")
    result = await _facets(graphql, "metropolitan", regions=[europe])
    assert 0 < result["totalCount"] < everything["totalCount"]
    assert result["totalCount"] == _counts(everything["facets"]["regions"], "region")["Europe"]
    for edge in result["edges"]:
        node = edge["node"]
        if node["__typename"] == "Member":
            assert node["region"]["id"] == europe
        else:
            assert node["__typename"] == "Initiative", "partners have no region"
            regions = {member["node"]["region"]["id"] for member in node["members"]["edges"]}
            assert europe in regions
    # The region facet ignores its own filter: the other regions stay in view.
    assert result["facets"]["regions"] == everything["facets"]["regions"]
    assert "PARTNER" not in _counts(result["facets"]["types"])


async def test_a_partner_kind_filter_keeps_partners_of_that_kind(graphql: GraphQLClient) -> None:
    everything = await _facets(graphql, "metropolitan")
    result = await _facets(graphql, "metropolitan", partnerKinds=["ACADEMIC"])
    assert _counts(everything["facets"]["partnerKinds"])["ACADEMIC"] == result["totalCount"]
    assert result["totalCount"] == 5
    assert {edge["node"]["kind"] for edge in result["edges"]} == {"ACADEMIC"}
    assert result["facets"]["partnerKinds"] == everything["facets"]["partnerKinds"]
    assert _counts(result["facets"]["types"]) == {"PARTNER": 5}


async def test_filters_of_two_facets_both_apply(graphql: GraphQLClient) -> None:
    result = await _facets(
        graphql, "metropolitan", types=["INITIATIVE"], dimensions=["ENVIRONMENTAL"]
    )
    assert result["totalCount"] > 0
    for edge in result["edges"]:
        assert edge["node"]["__typename"] == "Initiative"
        assert "ENVIRONMENTAL" in edge["node"]["dimensions"]
    # The type facet applies the dimension filter, not its own.
    assert _counts(result["facets"]["types"]) == {"INITIATIVE": result["totalCount"]}


async def test_a_type_filter_leaves_the_type_facet_whole(graphql: GraphQLClient) -> None:
    everything = await _facets(graphql, "barc")
    result = await _facets(graphql, "barc", types=["MEMBER", "PARTNER"])
    types = _counts(result["facets"]["types"])
    assert types == _counts(everything["facets"]["types"])
    assert types["MEMBER"] + types["PARTNER"] == result["totalCount"]


# Pages


async def test_pages_walk_every_hit_once_in_rank_order(graphql: GraphQLClient) -> None:
    whole = await _search(graphql, "metropolitan", first=100)
    assert not whole["pageInfo"]["hasNextPage"]
    walked: list[str] = []
    after = None
    while True:
        page = await _search(graphql, "metropolitan", first=3, after=after)
        assert page["totalCount"] == whole["totalCount"]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        walked += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == [edge["node"]["id"] for edge in whole["edges"]]
    # 26: the last word is a prefix, so "metropolitana" (Torino) counts too.
    assert len(walked) == len(set(walked)) == whole["totalCount"] == 26


async def test_a_page_past_the_end_is_empty_with_the_total(graphql: GraphQLClient) -> None:
    last = (await _search(graphql, "climate"))["pageInfo"]["endCursor"]
    result = await _search(graphql, "climate", after=last)
    assert result["edges"] == []
    assert result["totalCount"] == 4
    assert result["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True, "endCursor": None}


async def test_a_cursor_from_another_list_or_search_is_refused(graphql: GraphQLClient) -> None:
    members = await graphql.data("{ members(first: 1) { pageInfo { endCursor } } }")
    other_search = (await _search(graphql, "barc", first=1))["pageInfo"]["endCursor"]
    for cursor in (members["members"]["pageInfo"]["endCursor"], other_search):
        body = await graphql.post(SEARCH, {"query": "climate", "after": cursor})
        [error] = body["errors"]
        assert error["extensions"]["code"] == "INVALID_CURSOR"


# Text that looks like query syntax


@pytest.mark.parametrize(
    "query",
    [
        '"climate',
        'climate"',
        "climate*",
        "-climate",
        "(climate",
        "climate)",
        "^climate",
        ":climate",
    ],
)
async def test_query_syntax_around_a_word_is_text(graphql: GraphQLClient, query: str) -> None:
    plain = await _search(graphql, "climate")
    assert await _search(graphql, query) == plain


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"*"',
        "*",
        "-",
        "()",
        ":",
        "^",
        "AND OR NOT",
        "climate AND",
        "NEAR(climate group)",
        "climate NEAR group",
        "climate OR barcelona",
        "title:climate",
        "{title body}: climate",
        "climate + group",
        "' OR 1=1 --",
        "\\",
        "\x00",
        "\x02climate\x03",
    ],
)
async def test_query_syntax_is_never_an_error(graphql: GraphQLClient, query: str) -> None:
    body = await graphql.post(SEARCH, {"query": query})
    assert "errors" not in body, body
    assert body["data"]["search"]["totalCount"] >= 0


async def test_text_without_a_word_finds_nothing(graphql: GraphQLClient) -> None:
    for query in ('"*"', "*", "-- ()", "…"):
        data = await graphql.data(FACETS, {"query": query})
        assert data["search"]["totalCount"] == 0
        assert data["search"]["edges"] == []
        assert data["search"]["facets"] == {
            "types": [],
            "regions": [],
            "partnerKinds": [],
            "focusAreas": [],
            "dimensions": [],
        }


async def test_keywords_are_words_to_find(graphql: GraphQLClient) -> None:
    # "and" is a word of the data, not an operator.
    result = await _search(graphql, "Development and")
    assert "Promotion and Development of the Barcelona Innovation Center" in _labels(result)


async def test_the_readme_search_example(graphql: GraphQLClient) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Search\n", 1)[1]
    example = section.split("```graphql\n", 1)[1].split("```", 1)[0]
    data = await graphql.data(example)
    assert data["search"]["totalCount"] == 4
    assert data["search"]["facets"]["types"] == [{"value": "MEMBER", "count": 4}]
    assert {edge["node"]["name"] for edge in data["search"]["edges"]} == {
        "São Paulo (City)",
        "São Paulo (State)",
        "Sejong",
        "Córdoba",
    }


# Bad input


@pytest.mark.parametrize("query", ["", " ", "\t\n "])
async def test_an_empty_query_is_an_error(graphql: GraphQLClient, query: str) -> None:
    body = await graphql.post(SEARCH, {"query": query})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "EMPTY_SEARCH"
    assert "give at least one word" in error["message"]


@pytest.mark.parametrize("length", [201, 10_000])
async def test_an_overlong_query_is_an_error(graphql: GraphQLClient, length: int) -> None:
    body = await graphql.post(SEARCH, {"query": "climate " * (length // 8) + "x" * (length % 8)})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SEARCH_TOO_LONG"
    assert f"is {length} characters long; the limit is 200" in error["message"]
    for leak in LEAKS:
        assert leak not in str(body)


async def test_a_query_of_200_characters_is_accepted(graphql: GraphQLClient) -> None:
    result = await _search(graphql, ("climate " * 25)[:200])
    assert result["totalCount"] == 4


async def test_a_filter_with_a_wrong_id_is_an_error(graphql: GraphQLClient) -> None:
    member = (await _search(graphql, "Bogota"))["edges"][0]["node"]["id"]
    body = await graphql.post(SEARCH, {"query": "climate", "regions": [member]})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "WRONG_ID_TYPE"
    body = await graphql.post(SEARCH, {"query": "climate", "focusAreas": ["nonsense"]})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_ID"


# Cost


async def test_statements_do_not_grow_with_the_page_size(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    counts = {}
    for first in (1, 50):
        sql.reset()
        data = await graphql.data(EXPLORER, {"query": "metropolitan", "first": first})
        assert len(data["search"]["edges"]) == min(first, data["search"]["totalCount"])
        counts[first] = sql.count
    # Hits with their records and snippets; facets; region and focus area names.
    assert counts == {1: 4, 50: 4}, counts


async def test_a_search_without_facets_is_one_statement(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    sql.reset()
    await _search(graphql, "barc", first=50)
    assert sql.count == 1


# The index follows the tables


def _pairs(rows: Any) -> list[tuple[int, str]]:
    return [(int(key), str(title)) for key, title in rows]


async def _index_matches_tables(url: str) -> None:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            run = connection.exec_driver_sql
            if is_sqlite(url):
                # Raises when the FTS5 index and its stored text disagree.
                await run("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
                index = "SELECT rowid, title FROM search_index"
            else:
                # The tsvector is a generated column: it cannot disagree with the text.
                index = "SELECT key, title FROM search_index"
            indexed = dict(_pairs(await run(index)))
            records = dict(
                _pairs(
                    await run(
                        "SELECT id * 4 + 1, name FROM members UNION ALL "
                        "SELECT id * 4 + 2, name FROM partners UNION ALL "
                        "SELECT id * 4 + 3, title FROM initiatives"
                    )
                )
            )
            facet_values = _facet_rows(await run("SELECT * FROM search_index_facets"))
            sources = _facet_rows(await run(FACET_SOURCES))
    finally:
        await database.dispose()
    assert indexed == records
    assert facet_values == sources


def _facet_rows(rows: Any) -> set[tuple[int, str, str]]:
    return {(int(key), str(facet), str(value)) for key, facet, value in rows}


# Every record's facet values, from their own tables (migration 0007 keeps a
# copy on SQLite).
FACET_SOURCES = """
SELECT id * 4 + 1, 'regions', CAST(region_id AS TEXT) FROM members
UNION SELECT link.initiative_id * 4 + 3, 'regions', CAST(member.region_id AS TEXT)
  FROM member_initiatives AS link JOIN members AS member ON member.id = link.member_id
UNION SELECT id * 4 + 2, 'partner_kinds', kind FROM partners
UNION SELECT partner_id * 4 + 2, 'focus_areas', CAST(focus_area_id AS TEXT)
  FROM partner_focus_areas
UNION SELECT initiative_id * 4 + 3, 'focus_areas', CAST(focus_area_id AS TEXT)
  FROM initiative_focus_areas
UNION SELECT initiative_id * 4 + 3, 'dimensions', dimension FROM initiative_dimensions
"""

# Writes to every table a facet value comes from, in plain SQL: the triggers
# follow any write path.
FACET_WRITES = (
    # A member moves region: its initiatives' regions move with it.
    "UPDATE members SET region_id = (SELECT max(id) FROM regions WHERE id != members.region_id)"
    " WHERE id = (SELECT member_id FROM member_initiatives ORDER BY member_id LIMIT 1)",
    # An initiative loses its only member in a region, and a member joins another one.
    "DELETE FROM member_initiatives WHERE rowid = (SELECT link.rowid"
    " FROM member_initiatives AS link JOIN members AS member ON member.id = link.member_id"
    " WHERE NOT EXISTS (SELECT 1 FROM member_initiatives AS other"
    " JOIN members AS peer ON peer.id = other.member_id"
    " WHERE other.initiative_id = link.initiative_id AND other.member_id != link.member_id"
    " AND peer.region_id = member.region_id) LIMIT 1)",
    "INSERT OR IGNORE INTO member_initiatives (member_id, initiative_id, role, source_urls,"
    " confidence, origin) SELECT max(m.id), min(i.id), 'participant', '[]', 'high', 'staff'"
    " FROM members AS m, initiatives AS i",
    "UPDATE member_initiatives SET initiative_id = (SELECT max(id) FROM initiatives)"
    " WHERE rowid = (SELECT max(rowid) FROM member_initiatives)",
    # A member leaves: its links go by cascade.
    "DELETE FROM members WHERE id = (SELECT member_id FROM member_initiatives"
    " WHERE member_id NOT IN (SELECT seat_member_id FROM uclg_sections"
    " WHERE seat_member_id IS NOT NULL) LIMIT 1)",
    "UPDATE partners SET kind = 'other' WHERE id = (SELECT min(id) FROM partners)",
    "INSERT INTO partner_focus_areas (partner_id, focus_area_id, source_urls, confidence, origin)"
    " SELECT p.id, f.id, '[]', 'medium', 'staff' FROM partners AS p, focus_areas AS f"
    " WHERE p.id IN (SELECT min(id) FROM partners UNION SELECT max(id) FROM partners)"
    " AND f.id IN (SELECT min(id) FROM focus_areas UNION SELECT min(id) + 1 FROM focus_areas)",
    "DELETE FROM partner_focus_areas WHERE rowid = (SELECT min(rowid) FROM partner_focus_areas)",
    "UPDATE partner_focus_areas SET focus_area_id = (SELECT max(id) FROM focus_areas)"
    " WHERE rowid = (SELECT max(rowid) FROM partner_focus_areas)",
    "DELETE FROM partners WHERE id = (SELECT partner_id FROM partner_focus_areas LIMIT 1)",
    "DELETE FROM initiative_dimensions"
    " WHERE rowid = (SELECT min(rowid) FROM initiative_dimensions)",
    "UPDATE initiative_dimensions SET dimension = 'cultural'"
    " WHERE rowid = (SELECT max(rowid) FROM initiative_dimensions)"
    " AND NOT EXISTS (SELECT 1 FROM initiative_dimensions AS other"
    " WHERE other.initiative_id = initiative_dimensions.initiative_id"
    " AND other.dimension = 'cultural')",
    "DELETE FROM initiative_focus_areas"
    " WHERE rowid = (SELECT min(rowid) FROM initiative_focus_areas)",
    "DELETE FROM initiatives WHERE id = (SELECT initiative_id FROM initiative_dimensions LIMIT 1)",
)


@sqlite_only("the facet values are a table kept by triggers there; a view on PostgreSQL")
async def test_facet_values_follow_every_table_they_come_from(database_url: str) -> None:
    path = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        for statement in FACET_WRITES:
            before = set(connection.execute("SELECT * FROM search_index_facets"))
            connection.execute(statement)
            connection.commit()
            # Each write changes some facet value, and the copy follows.
            assert set(connection.execute("SELECT * FROM search_index_facets")) != before, statement
            await _index_matches_tables(database_url)


async def _count_matches(url: str, word: str) -> int:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            if is_sqlite(url):
                statement = "SELECT count(*) FROM search_index WHERE search_index MATCH :word"
            else:
                statement = (
                    "SELECT count(*) FROM search_index "
                    "WHERE document @@ to_tsquery('hub_search', :word)"
                )
            return int((await connection.execute(text(statement), {"word": word})).scalar_one())
    finally:
        await database.dispose()


async def test_the_index_follows_inserts_updates_and_deletes(
    graphql: GraphQLClient, database_url: str
) -> None:
    database = Database(database_url)
    try:
        async with database.sessions() as session:
            partner = Partner(
                name="Zyxquorp Alliance",
                kind=PartnerKind.NGO_FOUNDATION,
                description="Resilient waterfronts in Valparaíso",
            )
            session.add(partner)
            await session.commit()
        found = await _search(graphql, "zyxquorp")
        assert _labels(found) == ["Zyxquorp Alliance"]
        assert _labels(await _search(graphql, "valparaiso")) == ["Zyxquorp Alliance"]

        async with database.sessions() as session:
            await session.execute(
                update(Partner).where(Partner.id == partner.id).values(name="Quuxwell Alliance")
            )
            await session.commit()
        assert (await _search(graphql, "zyxquorp"))["totalCount"] == 0
        assert _labels(await _search(graphql, "quuxwell")) == ["Quuxwell Alliance"]

        async with database.sessions() as session:
            # A column the index does not hold: the record is still found once.
            await session.execute(
                update(Partner).where(Partner.id == partner.id).values(website="https://q.example")
            )
            await session.commit()
        assert _labels(await _search(graphql, "quuxwell")) == ["Quuxwell Alliance"]

        async with database.sessions() as session:
            await session.execute(delete(Partner).where(Partner.id == partner.id))
            await session.commit()
            assert await session.scalar(select(Partner).where(Partner.id == partner.id)) is None
        assert (await _search(graphql, "quuxwell"))["totalCount"] == 0
    finally:
        await database.dispose()
    await _index_matches_tables(database_url)


async def test_data_cannot_forge_match_markers(graphql: GraphQLClient, database_url: str) -> None:
    database = Database(database_url)
    try:
        async with database.sessions() as session:
            session.add(
                Partner(
                    name="Marker Test \x02Fund\x03",
                    kind=PartnerKind.OTHER,
                    description="\x03funds\x02 waterfronts in Valparaíso",
                )
            )
            await session.commit()
    finally:
        await database.dispose()
    result = await _search(graphql, "valparaiso")
    [edge] = result["edges"]
    assert edge["node"]["name"] == "Marker Test \x02Fund\x03"  # the record is as stored
    assert "\x02" not in edge["snippet"]["text"]
    assert _matched_words(result) == ["Valparaíso"]


def test_seed_and_demo_data_leave_the_index_complete(
    new_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", new_database_url)
    assert cli.main(["seed"]) == 0
    asyncio.run(_index_matches_tables(new_database_url))
    assert cli.main(["seed", "--demo", "30"]) == 0
    asyncio.run(_index_matches_tables(new_database_url))
    assert cli.main(["seed", "--demo", "30"]) == 0
    asyncio.run(_index_matches_tables(new_database_url))
    demo = asyncio.run(_count_matches(new_database_url, "demo"))
    assert demo == 30 + 3  # partners and initiatives
    capsys.readouterr()


async def test_the_migration_indexes_rows_that_exist_before_it(
    new_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await upgrade(new_database_url, "0004")
    database = Database(new_database_url)
    # (the reference data without the network's sizes, and the seed without
    # keeping the names it could not link, whose tables are newer)
    data = load_reference()
    data.network_sizes = []
    # (and periods cut to that schema's 100 characters)
    data.initiatives = [dataclasses.replace(i, period=i.period[:100]) for i in data.initiatives]

    async def no_table_yet(*_args: object) -> None:
        return None

    monkeypatch.setattr(seed_module, "_keep_unlinked", no_table_yet)
    try:
        await seed_reference(database, data)
    finally:
        await database.dispose()
    await upgrade(new_database_url)
    await _index_matches_tables(new_database_url)
