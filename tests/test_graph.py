"""The network graph over HTTP, on the real seed data: neighbourhoods, shortest
paths, collaborators, centrality and the list of every edge; their bounds and
errors; their SQL cost; and a graph that follows the database when it changes."""

from __future__ import annotations

import asyncio
import base64
import fcntl
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, func, insert, select, update
from starlette.applications import Starlette

import resolvers.centrality
import resolvers.graph.walks
from db.engine import Database
from db.models import (
    MemberInitiative,
    MemberRole,
    MemberSection,
    Partner,
    PartnerMember,
    Publication,
    Role,
)
from db.versions import DATA_VERSION_CHECKS
from resolvers.access.keys import issue_key
from resolvers.centrality import Centrality, Rankings
from settings import Settings
from tests.conftest import GraphQLClient, StatementCounter, hub_settings

NAMES = """
query Names {
  members(first: 100) { edges { node { id name } } }
  partners(first: 100) { edges { node { id name } } }
  initiatives(first: 100) { edges { node { id title } } }
  uclgSections(first: 100) { edges { node { id name } } }
  regions(first: 10) { edges { node { id name } } }
  focusAreas(first: 10) { edges { node { id name } } }
  actionPlans(first: 10) {
    edges { node { id title objectives(first: 10) { edges { node { id position } } } } }
  }
}
"""

NAMED = """
fragment Named on Node {
  __typename
  id
  ... on Member { name }
  ... on Partner { name }
  ... on Initiative { name: title }
  ... on UclgSection { name }
  ... on Region { name }
  ... on FocusArea { name }
  ... on ActionPlan { name: title }
  ... on Objective { name: text }
}
"""

COLLABORATORS = """
query Collaborators($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Member {
      collaborators(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor sharedCount node { name } sharedInitiatives { title } }
      }
    }
  }
}
"""

NEIGHBOURS = (
    """
query Neighbours($id: ID!, $depth: Int!, $types: [NodeType!], $first: Int, $after: String) {
  node(id: $id) {
    ... on Member {
      neighbours(depth: $depth, types: $types, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges {
          cursor
          distance
          node { ...Named }
          via { kind role from { ...Named } to { id } provenance { confidence origin } }
        }
      }
    }
  }
}
"""
    + NAMED
)

EVERY_TYPE_NEIGHBOURS = (
    """
query EveryType($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on Member { neighbours { totalCount } }
    ... on Partner { neighbours { totalCount edges { node { ...Named } } } }
    ... on Initiative { neighbours { totalCount } }
    ... on UclgSection { neighbours(types: [MEMBER]) { totalCount } }
    ... on Region { neighbours { totalCount } }
    ... on FocusArea { neighbours { totalCount } }
    ... on ActionPlan { neighbours { totalCount edges { node { ...Named } } } }
    ... on Objective { neighbours { totalCount edges { via { kind } node { ...Named } } } }
  }
}
"""
    + NAMED
)

PATH = (
    """
query Path($from: ID!, $to: ID!, $maxLength: Int, $limit: Int, $through: [NodeType!]) {
  path(from: $from, to: $to, maxLength: $maxLength, limit: $limit, through: $through) {
    length
    nodes { ...Named }
    edges { kind role from { id } to { id } provenance { sources } }
  }
}
"""
    + NAMED
)

MOST_CONNECTED = (
    """
query MostConnected($metric: CentralityMetric, $types: [NodeType!], $first: Int, $after: String) {
  mostConnected(metric: $metric, types: $types, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor rank score node { ...Named } }
  }
}
"""
    + NAMED
)

NEIGHBOURS_OF_MEMBERS = """
query NeighboursOfMembers($first: Int!) {
  members(first: $first) {
    edges { node { name neighbours(depth: 2, types: [MEMBER], first: 5) { totalCount } } }
  }
}
"""

NEIGHBOURS_PAGE = """
query NeighboursPage($id: ID!, $first: Int) {
  node(id: $id) {
    ... on Member {
      neighbours(depth: 2, types: [MEMBER], first: $first) {
        edges { distance via { kind role } node { ... on Member { name } } }
      }
    }
  }
}
"""

MOST_CONNECTED_PAGE = """
query MostConnectedPage($first: Int) {
  mostConnected(types: [MEMBER], first: $first) { edges { rank node { ... on Member { name } } } }
}
"""

PATH_NODES = """
query PathNodes($from: ID!, $to: ID!, $limit: Int) {
  path(from: $from, to: $to, limit: $limit) {
    nodes {
      __typename
      ... on Member { name }
      ... on Initiative { title }
      ... on Region { name }
      ... on UclgSection { name }
    }
  }
}
"""

NETWORK_EDGES = """
query NetworkEdges($kinds: [GraphEdgeKind!], $first: Int, $after: String) {
  networkEdges(kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      cursor
      source { id type label }
      target { id type label }
      edge { kind role }
    }
  }
}
"""

NETWORK_NODES = """
query NetworkNodes($types: [NodeType!], $first: Int, $after: String) {
  networkNodes(types: $types, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id type label } }
  }
}
"""

NETWORK_RECORDS = """
query NetworkRecords($first: Int) {
  networkEdges(kinds: [PARTNER_MEMBER], first: $first) {
    edges { source { id } edge { from { id } to { id } provenance { confidence } } }
  }
}
"""

DEGREES = """
query Degrees($after: String) {
  mostConnected(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { score node { id } }
  }
}
"""

CLIMATE = "Climate-Metropole+ (Clima Metropole+)"
INNOVATION_LABS = (
    "Cooperation between public innovation labs for increased citizen engagement and "
    "services' co-creation"
)
POLICY_TRANSFER = "Policy Transfer (Metropolis Policy Transfer Platform)"
SUCCESSFUL_TRANSFER = "Integrated Urban Governance – Successful Policy Transfer"
WSU = "Western Sydney University – Institute for Culture and Society"
AMB = "Barcelona Metropolitan Area (AMB)"
LYON = "Métropole de Lyon (Greater Lyon)"
LEAKS = ("Traceback", "sqlalchemy", "SELECT ", ".py", "/work/", "networkx")


# These tests count the graph's data-version checks, which the response
# cache's own check would add to: they run without it, unless a test says.
@pytest.fixture
def response_cache_mb() -> int:
    return 0


@pytest.fixture
def centrality_seconds() -> int:
    """How often rankings may be computed: the hub's default, unless a test says."""
    return Settings().centrality_seconds


@pytest.fixture
def settings(database_url: str, response_cache_mb: int, centrality_seconds: int) -> Settings:
    return hub_settings(
        database_url, response_cache_mb=response_cache_mb, centrality_seconds=centrality_seconds
    )


async def _ids(graphql: GraphQLClient) -> dict[str, str]:
    """Global IDs by name (title for initiatives and plans; `Objective N`)."""
    data = await graphql.data(NAMES)
    ids: dict[str, str] = {}
    for field in ("members", "partners", "initiatives", "uclgSections", "regions", "focusAreas"):
        for edge in data[field]["edges"]:
            node = edge["node"]
            ids[node.get("name") or node["title"]] = node["id"]
    for edge in data["actionPlans"]["edges"]:
        ids[edge["node"]["title"]] = edge["node"]["id"]
        for objective in edge["node"]["objectives"]["edges"]:
            ids[f"Objective {objective['node']['position']}"] = objective["node"]["id"]
    return ids


def _pk(global_id: str) -> int:
    """The primary key inside a global ID (for writing rows in a test)."""
    return int(base64.b64decode(global_id).decode().split(":")[1])


def _error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    for leak in LEAKS:
        assert leak not in str(body), f"{leak!r} leaked into {body}"
    return dict(error)


@pytest.fixture
def data_version_checks(app: Starlette) -> Iterator[list[str]]:
    """The graph's change checks (`PRAGMA data_version` on SQLite), which the
    `sql` fixture leaves out."""
    checks: list[str] = []
    engine = app.state.hub.database.engine.sync_engine

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement in DATA_VERSION_CHECKS.values():
            checks.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    yield checks
    event.remove(engine, "before_cursor_execute", on_execute)


async def test_berlins_collaborators_share_climate_metropole(graphql: GraphQLClient) -> None:
    # Given the seed data, where Berlin's one initiative with other members is
    # Climate-Metropole+, led by the Barcelona Metropolitan Area, with Greater Lyon,
    ids = await _ids(graphql)

    # when we ask for Berlin's collaborators,
    data = await graphql.data(COLLABORATORS, {"id": ids["Berlin"]})

    # then they are the AMB and Lyon, by name, through that initiative.
    collaborators = data["node"]["collaborators"]
    assert collaborators["totalCount"] == 2
    assert [edge["node"] for edge in collaborators["edges"]] == [
        {"name": AMB},
        {"name": LYON},
    ]
    for edge in collaborators["edges"]:
        assert edge["sharedCount"] == 1
        assert edge["sharedInitiatives"] == [{"title": CLIMATE}]


async def test_collaborators_go_by_shared_count_then_name(
    graphql: GraphQLClient, database_url: str
) -> None:
    # Given the members that share initiatives with the AMB, counted from the table,
    ids = await _ids(graphql)
    amb = _pk(ids[AMB])
    database = Database(database_url)
    async with database.engine.connect() as connection:
        mine = select(MemberInitiative.initiative_id).where(MemberInitiative.member_id == amb)
        rows = await connection.execute(
            select(MemberInitiative.member_id, func.count())
            .where(MemberInitiative.initiative_id.in_(mine), MemberInitiative.member_id != amb)
            .group_by(MemberInitiative.member_id)
        )
        expected_counts = {member: count for member, count in rows}
    await database.dispose()

    # when we page through its collaborators three at a time,
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"id": ids[AMB], "first": 3, "after": after}
        page = (await graphql.data(COLLABORATORS, variables))["node"]["collaborators"]
        assert page["totalCount"] == len(expected_counts) == 9
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += page["edges"]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    # then Dakar (MGET and the mobility indicators) and Lyon (Climate-Metropole+
    # and MEGA), two initiatives each, come first by name, the rest by name,
    assert [e["node"]["name"] for e in seen[:2]] == ["Dakar", LYON]
    assert seen[1]["sharedCount"] == 2
    assert [i["title"] for i in seen[0]["sharedInitiatives"]] == [
        "Metropolitan Governance of the Energy Transition (MGET)",
        "Towards better indicators for mobility and improved metropolitan governance",
    ]
    names = [e["node"]["name"] for e in seen]
    assert names[2:] == sorted(names[2:])
    assert {"Berlin", "Montevideo"} <= set(names)
    # and every count matches the table.
    assert sorted(e["sharedCount"] for e in seen) == sorted(expected_counts.values())
    assert all(e["sharedCount"] == len(e["sharedInitiatives"]) for e in seen)


async def test_path_from_sao_paulo_to_montevideo(graphql: GraphQLClient) -> None:
    # Given São Paulo (City), which leads the innovation-labs pilot that
    # Montevideo takes part in, and both in the Americas and in Metropolis,
    ids = await _ids(graphql)

    # when we ask for the shortest paths between them,
    variables = {"from": ids["São Paulo (City)"], "to": ids["Montevideo"]}
    paths = (await graphql.data(PATH, variables))["path"]

    # then there are three, each two edges long, the initiative's first,
    assert [p["length"] for p in paths] == [2, 2, 2]
    middles = [(p["nodes"][1]["__typename"], p["nodes"][1]["name"]) for p in paths]
    assert middles == [
        ("Initiative", INNOVATION_LABS),
        ("Region", "Americas & Caribbean"),
        ("UclgSection", "Metropolis"),
    ]
    through_pilot = paths[0]
    assert [(e["kind"], e["role"]) for e in through_pilot["edges"]] == [
        ("MEMBER_INITIATIVE", "LEAD"),
        ("MEMBER_INITIATIVE", "PARTICIPANT"),
    ]
    assert [(e["kind"], e["role"]) for e in paths[1]["edges"]] == [("MEMBER_REGION", None)] * 2
    for path in paths:
        # and nodes and edges alternate: each edge leads from one node to the next.
        nodes, edges = path["nodes"], path["edges"]
        assert len(nodes) == len(edges) + 1
        assert [n["name"] for n in (nodes[0], nodes[-1])] == ["São Paulo (City)", "Montevideo"]
        for index, edge in enumerate(edges):
            assert edge["from"]["id"] == nodes[index]["id"]
            assert edge["to"]["id"] == nodes[index + 1]["id"]
    assert through_pilot["edges"][0]["provenance"]["sources"][0].startswith("http")
    assert paths[1]["edges"][0]["provenance"] is None  # a member's region is its own column


async def test_a_path_through_chosen_types_skips_the_hubs(graphql: GraphQLClient) -> None:
    # Given São Paulo (City) and Montevideo, joined in two edges by an
    # initiative, by their region and by the Metropolis section,
    ids = await _ids(graphql)
    ends = {"from": ids["São Paulo (City)"], "to": ids["Montevideo"]}

    # when we ask for paths through members, initiatives and partners only,
    through = {"through": ["MEMBER", "INITIATIVE", "PARTNER"]}
    paths = (await graphql.data(PATH, {**ends, **through}))["path"]

    # then the one left runs through the initiative, not through a hub;
    assert [[n["name"] for n in p["nodes"]] for p in paths] == [
        ["São Paulo (City)", INNOVATION_LABS, "Montevideo"]
    ]
    # a path through members only finds none (members meet through something),
    assert (await graphql.data(PATH, {**ends, "through": ["MEMBER"]}))["path"] == []
    # and an empty list of types leaves only a direct edge, which these have not.
    assert (await graphql.data(PATH, {**ends, "through": []}))["path"] == []


async def test_a_path_skipping_hubs_can_be_longer(graphql: GraphQLClient) -> None:
    # Given Berlin and Seoul, two edges apart through Metropolis or a region,
    ids = await _ids(graphql)
    ends = {"from": ids["Berlin"], "to": ids["Seoul"], "maxLength": 6}
    [shortest, *_] = (await graphql.data(PATH, ends))["path"]
    assert shortest["length"] == 2

    # when the path may pass only through members, initiatives and partners,
    through = {"through": ["MEMBER", "INITIATIVE", "PARTNER"]}
    paths = (await graphql.data(PATH, {**ends, **through}))["path"]

    # then each path found is longer, and every node between the ends is of those types.
    assert paths
    for path in paths:
        assert path["length"] > 2
        assert {n["__typename"] for n in path["nodes"][1:-1]} <= {
            "Member",
            "Initiative",
            "Partner",
        }


async def test_path_from_berlin_to_western_sydney_university_is_their_direct_link(
    graphql: GraphQLClient,
) -> None:
    # Given Berlin, which runs the Policy Transfer Platform with Western Sydney
    # University and is also linked to it directly,
    ids = await _ids(graphql)

    # when we ask for the shortest paths, then the direct link is the only one:
    paths = (await graphql.data(PATH, {"from": ids["Berlin"], "to": ids[WSU]}))["path"]
    assert len(paths) == 1
    [path] = paths
    assert path["length"] == 1
    assert [n["name"] for n in path["nodes"]] == ["Berlin", WSU]
    [edge] = path["edges"]
    assert edge["kind"] == "PARTNER_MEMBER"
    assert edge["role"] == "co-runs Policy Transfer Platform with Berlin"

    # From the university to Berlin's other knowledge partner, the one
    # shortest path runs through Berlin and the initiative it leads with it
    # (not through the Policy Transfer Platform: one edge longer).
    variables = {"from": ids[WSU], "to": ids["Humboldt-Viadrina School of Governance"]}
    [path] = (await graphql.data(PATH, variables))["path"]
    assert [n["name"] for n in path["nodes"]] == [
        WSU,
        "Berlin",
        SUCCESSFUL_TRANSFER,
        "Humboldt-Viadrina School of Governance",
    ]
    assert [(e["kind"], e["role"]) for e in path["edges"]] == [
        ("PARTNER_MEMBER", "co-runs Policy Transfer Platform with Berlin"),
        ("MEMBER_INITIATIVE", "LEAD"),
        ("PARTNER_INITIATIVE", "KNOWLEDGE_PARTNER"),
    ]


async def test_unconnected_far_and_same_nodes(graphql: GraphQLClient) -> None:
    ids = await _ids(graphql)

    # UN-Habitat has no recorded link in the seed data: no path from Seoul.
    unconnected = {"from": ids["Seoul"], "to": ids["UN-Habitat"], "maxLength": 6}
    assert (await graphql.data(PATH, unconnected))["path"] == []

    # Berlin and Montevideo are two edges apart: none within one.
    too_far = {"from": ids["Berlin"], "to": ids["Montevideo"], "maxLength": 1}
    assert (await graphql.data(PATH, too_far))["path"] == []
    within_two = {"from": ids["Berlin"], "to": ids["Montevideo"], "maxLength": 2, "limit": 1}
    [path] = (await graphql.data(PATH, within_two))["path"]
    assert path["length"] == 2

    # From a node to itself: one path, no edges.
    same = {"from": ids["Berlin"], "to": ids["Berlin"]}
    assert (await graphql.data(PATH, same))["path"] == [
        {
            "length": 0,
            "nodes": [{"__typename": "Member", "id": ids["Berlin"], "name": "Berlin"}],
            "edges": [],
        }
    ]


async def test_berlins_neighbours_at_depth_one(graphql: GraphQLClient) -> None:
    # Given Berlin, when we ask for the nodes one edge away,
    ids = await _ids(graphql)
    data = await graphql.data(NEIGHBOURS, {"id": ids["Berlin"], "depth": 1})

    # then they come with the edge from Berlin,
    neighbours = data["node"]["neighbours"]
    found = [
        (
            e["distance"],
            e["node"]["__typename"],
            e["node"]["name"],
            e["via"]["kind"],
            e["via"]["role"],
        )
        for e in neighbours["edges"]
    ]
    # by type, then name: its three initiatives, its direct partner, its
    # region and its UCLG section.
    assert found == [
        (1, "Initiative", CLIMATE, "MEMBER_INITIATIVE", "PARTICIPANT"),
        (1, "Initiative", SUCCESSFUL_TRANSFER, "MEMBER_INITIATIVE", "LEAD"),
        (1, "Initiative", POLICY_TRANSFER, "MEMBER_INITIATIVE", "LEAD"),
        (1, "Partner", WSU, "PARTNER_MEMBER", "co-runs Policy Transfer Platform with Berlin"),
        (1, "Region", "Europe", "MEMBER_REGION", None),
        (1, "UclgSection", "Metropolis", "MEMBER_SECTION", None),
    ]
    assert neighbours["totalCount"] == 6
    for edge in neighbours["edges"]:
        assert edge["via"]["from"]["name"] == "Berlin"
        assert edge["via"]["to"]["id"] == edge["node"]["id"]
    assert neighbours["edges"][0]["via"]["provenance"] == {
        "confidence": "HIGH",
        "origin": "REFERENCE",
    }
    assert neighbours["edges"][4]["via"]["provenance"] is None


async def test_berlins_neighbours_at_depth_two_by_type(graphql: GraphQLClient) -> None:
    ids = await _ids(graphql)

    # Members two edges away: every other member, through the Metropolis
    # section at least; the edge shown comes from the first node by type and name.
    variables = {"id": ids["Berlin"], "depth": 2, "types": ["MEMBER"], "first": 100}
    members = (await graphql.data(NEIGHBOURS, variables))["node"]["neighbours"]
    assert members["totalCount"] == 74
    by_name = {e["node"]["name"]: e for e in members["edges"]}
    assert "Berlin" not in by_name
    assert {e["distance"] for e in members["edges"]} == {2}
    amb = by_name[AMB]["via"]
    assert (amb["from"]["name"], amb["kind"], amb["role"]) == (CLIMATE, "MEMBER_INITIATIVE", "LEAD")
    madrid = by_name["Madrid"]["via"]
    assert (madrid["from"]["name"], madrid["kind"]) == ("Europe", "MEMBER_REGION")
    seoul = by_name["Seoul"]["via"]
    assert (seoul["from"]["name"], seoul["kind"]) == ("Metropolis", "MEMBER_SECTION")
    names = list(by_name)
    assert names == sorted(names)

    # Partners within two edges: the direct partner, then the knowledge partner
    # of the initiative Berlin leads.
    variables = {"id": ids["Berlin"], "depth": 2, "types": ["PARTNER"]}
    partners = (await graphql.data(NEIGHBOURS, variables))["node"]["neighbours"]
    assert [(e["distance"], e["node"]["name"]) for e in partners["edges"]] == [
        (1, WSU),
        (2, "Humboldt-Viadrina School of Governance"),
    ]
    via = partners["edges"][1]["via"]
    assert (via["from"]["name"], via["kind"], via["role"]) == (
        SUCCESSFUL_TRANSFER,
        "PARTNER_INITIATIVE",
        "KNOWLEDGE_PARTNER",
    )


async def test_neighbours_pages_walk_the_whole_neighbourhood_once(graphql: GraphQLClient) -> None:
    # Given Berlin's neighbourhood two edges deep, when we follow its pages,
    ids = await _ids(graphql)
    seen: list[tuple[int, str]] = []
    after = None
    while True:
        variables = {"id": ids["Berlin"], "depth": 2, "first": 20, "after": after}
        page = (await graphql.data(NEIGHBOURS, variables))["node"]["neighbours"]
        seen += [(e["distance"], e["node"]["id"]) for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    # then we see each node once, nearest first: 6 at one edge; at two, the
    # 74 other members (through the Metropolis section), Humboldt-Viadrina,
    # and the 2 focus areas and 1 objective of Berlin's initiatives.
    assert len(seen) == len({node for _, node in seen}) == page["totalCount"] == 84
    assert [distance for distance, _ in seen] == sorted(distance for distance, _ in seen)


async def test_every_node_type_has_neighbours(graphql: GraphQLClient) -> None:
    # Given one node of each type, when we ask each for its neighbours,
    ids = await _ids(graphql)
    names = [
        "Berlin",
        WSU,
        CLIMATE,
        "Metropolis",
        "Europe",
        "Mutual learning",
        "Action Plan 2015-2017",
        "Objective 6",
    ]
    data = await graphql.data(EVERY_TYPE_NEIGHBOURS, {"ids": [ids[name] for name in names]})
    nodes = dict(zip(names, data["nodes"], strict=True))

    # then each has them, through the edges of its kind.

    assert nodes["Berlin"]["neighbours"]["totalCount"] == 6
    assert [e["node"]["name"] for e in nodes[WSU]["neighbours"]["edges"]] == [
        POLICY_TRANSFER,
        "Berlin",
    ]
    assert nodes[CLIMATE]["neighbours"]["totalCount"] >= 2
    assert nodes["Metropolis"]["neighbours"]["totalCount"] == 75
    assert nodes["Europe"]["neighbours"]["totalCount"] == 13
    assert nodes["Mutual learning"]["neighbours"]["totalCount"] > 0
    plan = nodes["Action Plan 2015-2017"]["neighbours"]
    assert plan["totalCount"] == 6
    assert {e["node"]["__typename"] for e in plan["edges"]} == {"Objective"}
    objective = nodes["Objective 6"]["neighbours"]["edges"]
    assert [(e["node"]["name"], e["via"]["kind"]) for e in objective] == [
        ("Action Plan 2015-2017", "OBJECTIVE_ACTION_PLAN"),
        (POLICY_TRANSFER, "INITIATIVE_OBJECTIVE"),
    ]


async def test_most_connected_by_degree(graphql: GraphQLClient, database_url: str) -> None:
    # Given the links counted straight from the tables: members per UCLG
    # section, and each member's initiatives, direct partners, sections and region,
    database = Database(database_url)
    async with database.engine.connect() as connection:
        section_sizes = await connection.execute(
            select(func.count()).select_from(MemberSection).group_by(MemberSection.section_id)
        )
        biggest_section = max(section_sizes.scalars())
        degree: dict[int, int] = {}
        for table in (MemberInitiative, PartnerMember, MemberSection):
            counted = await connection.execute(
                select(table.member_id, func.count()).group_by(table.member_id)
            )
            for member_id, count in counted:
                degree[member_id] = degree.get(member_id, 0) + count
    await database.dispose()
    top_member_degree = max(degree.values()) + 1  # and its region

    # when we rank every node, and members alone, by degree,
    every = (await graphql.data(MOST_CONNECTED, {"first": 3}))["mostConnected"]
    variables = {"types": ["MEMBER"], "first": 6}
    members = (await graphql.data(MOST_CONNECTED, variables))["mostConnected"]

    # then the Metropolis section, which every member belongs to, leads,
    assert every["totalCount"] == 172
    top = every["edges"][0]
    assert (top["rank"], top["node"]["name"], top["score"]) == (1, "Metropolis", biggest_section)
    assert every["edges"][1]["node"]["name"] == "Asia & Pacific"
    # and among members the Barcelona Metropolitan Area (seven initiatives).
    assert members["totalCount"] == 75
    ranked = [(e["rank"], e["node"]["name"], e["score"]) for e in members["edges"]]
    assert ranked[0] == (1, AMB, top_member_degree) == (1, AMB, 9)
    assert ranked[1:3] == [(2, "Barcelona (Ajuntament / City Council)", 7), (3, "Berlin", 6)]
    # Equal scores share a rank.
    assert ranked[3][0] == ranked[4][0] == 4
    assert ranked[3][2] == ranked[4][2]


async def test_most_connected_by_betweenness(graphql: GraphQLClient) -> None:
    # Given the reference data (small enough for exact betweenness), when we
    # rank every node by it,
    variables = {"metric": "BETWEENNESS", "first": 3}
    data = (await graphql.data(MOST_CONNECTED, variables))["mostConnected"]

    # then the Metropolis section, which bridges every member, comes first;
    # then the two Barcelonas, which link most initiatives and partners to the rest.
    assert [e["node"]["name"] for e in data["edges"]] == [
        "Metropolis",
        AMB,
        "Barcelona (Ajuntament / City Council)",
    ]
    scores = [e["score"] for e in data["edges"]]
    assert 0 < scores[2] < scores[1] < scores[0] <= 1
    assert [e["rank"] for e in data["edges"]] == [1, 2, 3]

    # One partner lies between others: Medcities, the only party on record of
    # SIMA TUNIS, links it to the rest. Every other partner is linked to one
    # node, or to two that are linked themselves (WSU: Berlin and its Policy
    # Transfer Platform): they share the next place, by name.
    variables = {"metric": "BETWEENNESS", "types": ["PARTNER"], "first": 100}
    partners = (await graphql.data(MOST_CONNECTED, variables))["mostConnected"]["edges"]
    assert len(partners) == 46
    first, rest = partners[0], partners[1:]
    assert (first["rank"], first["node"]["name"]) == (1, "Medcities")
    assert first["score"] > 0
    assert {(e["rank"], e["score"]) for e in rest} == {(2, 0)}
    names = [e["node"]["name"] for e in rest]
    assert names == sorted(names)

    # The next page follows on from the cursor.
    variables = {"metric": "BETWEENNESS", "first": 2, "after": data["edges"][0]["cursor"]}
    following = (await graphql.data(MOST_CONNECTED, variables))["mostConnected"]["edges"]
    assert [e["node"]["name"] for e in following] == [e["node"]["name"] for e in data["edges"][1:]]


@pytest.mark.parametrize(
    ("variables", "code", "message"),
    [
        ({"depth": 9}, "INVALID_DEPTH", "`depth` must be between 1 and 3, got 9"),
        ({"depth": 0}, "INVALID_DEPTH", "`depth` must be between 1 and 3, got 0"),
        ({"depth": 1, "first": 0}, "INVALID_PAGE_SIZE", "`first` must be between 1 and 100"),
        ({"depth": 1, "after": "zz"}, "INVALID_CURSOR", "is not a cursor from this API"),
    ],
)
async def test_bad_neighbours_arguments(
    graphql: GraphQLClient, variables: dict[str, Any], code: str, message: str
) -> None:
    ids = await _ids(graphql)
    body = await graphql.post(NEIGHBOURS, {"id": ids["Berlin"], **variables})
    error = _error(body)
    assert error["extensions"]["code"] == code
    assert message in error["message"]


async def test_a_cursor_from_another_list_is_rejected(graphql: GraphQLClient) -> None:
    ids = await _ids(graphql)
    collaborators = await graphql.data(COLLABORATORS, {"id": ids[AMB], "first": 1})
    cursor = collaborators["node"]["collaborators"]["pageInfo"]["endCursor"]
    body = await graphql.post(NEIGHBOURS, {"id": ids["Berlin"], "depth": 1, "after": cursor})
    error = _error(body)
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert "a different list" in error["message"]


@pytest.mark.parametrize(
    ("variables", "code", "message"),
    [
        ({"maxLength": 50}, "INVALID_MAX_LENGTH", "`maxLength` must be between 1 and 6, got 50"),
        ({"maxLength": 0}, "INVALID_MAX_LENGTH", "`maxLength` must be between 1 and 6, got 0"),
        ({"limit": 0}, "INVALID_LIMIT", "`limit` must be between 1 and 10, got 0"),
        ({"limit": 11}, "INVALID_LIMIT", "`limit` must be between 1 and 10, got 11"),
        ({"from": "not-an-id"}, "INVALID_ID", "'not-an-id' is not an ID from this API"),
        ({"to": "UGxhbmV0OjE="}, "INVALID_ID", "it names no known type"),
        ({"to": "TWVtYmVyOjk5OTk5"}, "NOT_FOUND", "No Member has the ID 'TWVtYmVyOjk5OTk5'."),
    ],
)
async def test_bad_path_arguments(
    graphql: GraphQLClient, variables: dict[str, Any], code: str, message: str
) -> None:
    ids = await _ids(graphql)
    body = await graphql.post(PATH, {"from": ids["Berlin"], "to": ids["Seoul"], **variables})
    error = _error(body)
    # The root field alone is null: the operation's other fields would stand.
    assert body["data"] == {"path": None}
    assert error["extensions"]["code"] == code
    assert message in error["message"]


async def test_a_neighbourhood_over_the_visit_cap_is_an_error(
    graphql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a cap of 50 nodes a walk may visit (10,000 in service), and
    # Berlin's 83 nodes within two edges (itself included),
    ids = await _ids(graphql)
    monkeypatch.setattr(resolvers.graph.walks, "MAX_VISITED", 50)

    # when we ask for them, even filtered to partners,
    variables = {"id": ids["Berlin"], "depth": 2, "types": ["PARTNER"]}
    body = await graphql.post(NEIGHBOURS, variables)

    # then the answer is an error that says what to do,
    error = _error(body)
    assert error["extensions"]["code"] == "TOO_MANY_NODES"
    assert error["message"] == (
        "More than 50 nodes lie within 2 edges of this node, and one answer visits at most "
        "50: ask for a smaller `depth`."
    )
    # while one edge stays within the cap.
    assert (await graphql.data(NEIGHBOURS, {**variables, "depth": 1}))["node"]["neighbours"]


async def test_statements_do_not_grow_with_the_page_size(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given a graph already loaded,
    ids = await _ids(graphql)
    sql.reset()
    await graphql.data(COLLABORATORS, {"id": ids["Berlin"]})
    # (the load: one statement for the nodes and one per kind of edge; then
    # Berlin, its collaborators and their shared initiatives)
    assert sql.count == 1 + 9 + 3, sql.statements

    cases = {
        # Berlin, then the members on the page.
        "neighbours": (NEIGHBOURS_PAGE, {"id": ids["Berlin"]}, 2),
        # The AMB, its collaborators, then their shared initiatives.
        "collaborators": (COLLABORATORS, {"id": ids[AMB]}, 3),
        # The members on the page.
        "mostConnected": (MOST_CONNECTED_PAGE, {}, 1),
    }
    counts: dict[str, dict[int, int]] = {}
    for name, (document, variables, _) in cases.items():
        for first in (1, 50):
            sql.reset()
            await graphql.data(document, {**variables, "first": first})
            counts.setdefault(name, {})[first] = sql.count
    # then each costs the same statements at any size;
    assert counts == {name: {1: n, 50: n} for name, (_, _, n) in cases.items()}, counts

    # and paths cost one statement per type of node on them, however many:
    # the first São Paulo - Montevideo path has members and an initiative,
    # the three have a region and a UCLG section too.
    route = {"from": ids["São Paulo (City)"], "to": ids["Montevideo"]}
    for limit, types in ((1, 2), (10, 4)):
        sql.reset()
        found = (await graphql.data(PATH_NODES, {**route, "limit": limit}))["path"]
        assert len({n["__typename"] for path in found for n in path["nodes"]}) == types
        assert sql.count == types, sql.statements


async def test_the_graph_is_checked_once_per_request(
    graphql: GraphQLClient, sql: StatementCounter, data_version_checks: list[str]
) -> None:
    # A request that reads no graph does not check it;
    await graphql.data("{ members(first: 5) { totalCount } }")
    assert data_version_checks == []

    # one that asks twenty members for their neighbours checks it once,
    data = await graphql.data(NEIGHBOURS_OF_MEMBERS, {"first": 20})
    assert len(data["members"]["edges"]) == 20
    assert len(data_version_checks) == 1

    # and, the data unchanged, the next one checks it again and reads only records.
    sql.reset()
    await graphql.data(NEIGHBOURS_OF_MEMBERS, {"first": 20})
    assert len(data_version_checks) == 2
    assert sql.count == 1, sql.statements  # the members list


async def test_the_graph_follows_new_changed_and_removed_links(
    graphql: GraphQLClient, sql: StatementCounter, database_url: str
) -> None:
    # Given Berlin's collaborators, read once (so the graph is loaded),
    ids = await _ids(graphql)
    before = await graphql.data(COLLABORATORS, {"id": ids["Berlin"]})
    assert [e["node"]["name"] for e in before["node"]["collaborators"]["edges"]] == [AMB, LYON]
    climate, seoul, madrid = (_pk(ids[name]) for name in (CLIMATE, "Seoul", "Madrid"))
    seoul_in_climate = (MemberInitiative.member_id == seoul) & (
        MemberInitiative.initiative_id == climate
    )

    # when Seoul joins Climate-Metropole+ through another connection, as a
    # write from another process or a mutation would,
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.execute(
            insert(MemberInitiative).values(
                member_id=seoul, initiative_id=climate, role=MemberRole.COLLABORATOR
            )
        )

    # then the next query sees it, after one reload of the graph,
    sql.reset()
    after = await graphql.data(COLLABORATORS, {"id": ids["Berlin"]})
    assert [e["node"]["name"] for e in after["node"]["collaborators"]["edges"]] == [
        AMB,
        LYON,
        "Seoul",
    ]
    assert sql.count == 1 + 9 + 3, sql.statements

    # a changed role shows too (a change that a row count would miss),
    async with database.engine.begin() as connection:
        await connection.execute(
            update(MemberInitiative).where(seoul_in_climate).values(role=MemberRole.PARTICIPANT)
        )
    variables = {"from": ids["Seoul"], "to": ids[CLIMATE], "maxLength": 1}
    [path] = (await graphql.data(PATH, variables))["path"]
    assert path["edges"][0]["role"] == "PARTICIPANT"

    # and so does a link removed and another added in its place (same count,
    # and SQLite gives the new row the removed one's rowid).
    async with database.engine.begin() as connection:
        await connection.execute(delete(MemberInitiative).where(seoul_in_climate))
        await connection.execute(
            insert(MemberInitiative).values(
                member_id=madrid, initiative_id=climate, role=MemberRole.PARTICIPANT
            )
        )
    await database.dispose()
    after = await graphql.data(COLLABORATORS, {"id": ids["Berlin"]})
    assert [e["node"]["name"] for e in after["node"]["collaborators"]["edges"]] == [
        AMB,
        "Madrid",
        LYON,
    ]


async def _every(
    graphql: GraphQLClient,
    document: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page of the one list `document` asks for, 100 at a time: its
    items and its pages."""
    items: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        page_variables = {**(variables or {}), "first": 100, "after": after}
        body = {"query": document, "variables": page_variables}
        response = await graphql.http.post("/graphql", json=body, headers=headers or {})
        result = response.json()
        assert "errors" not in result, result
        [page] = result["data"].values()
        pages.append(page)
        items += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            return items, pages
        after = page["pageInfo"]["endCursor"]


ENDS = {
    "MEMBER_INITIATIVE": ("MEMBER", "INITIATIVE"),
    "PARTNER_INITIATIVE": ("PARTNER", "INITIATIVE"),
    "PARTNER_MEMBER": ("PARTNER", "MEMBER"),
    "MEMBER_SECTION": ("MEMBER", "UCLG_SECTION"),
    "MEMBER_REGION": ("MEMBER", "REGION"),
    "INITIATIVE_FOCUS_AREA": ("INITIATIVE", "FOCUS_AREA"),
    "PARTNER_FOCUS_AREA": ("PARTNER", "FOCUS_AREA"),
    "INITIATIVE_OBJECTIVE": ("INITIATIVE", "OBJECTIVE"),
    "OBJECTIVE_ACTION_PLAN": ("OBJECTIVE", "ACTION_PLAN"),
}


async def test_network_nodes_and_edges_page_through_the_whole_graph_once(
    graphql: GraphQLClient,
) -> None:
    # Given the seed data's graph, its nodes' degrees as `mostConnected` scores them,
    degrees: dict[str, float] = {}
    after = None
    while True:
        ranking = (await graphql.data(DEGREES, {"after": after}))["mostConnected"]
        degrees.update((e["node"]["id"], e["score"]) for e in ranking["edges"])
        if not ranking["pageInfo"]["hasNextPage"]:
            break
        after = ranking["pageInfo"]["endCursor"]

    # when we page through every node and every edge, 100 at a time,
    nodes, node_pages = await _every(graphql, NETWORK_NODES)
    edges, pages = await _every(graphql, NETWORK_EDGES)

    # then two pages hold every node once: the 75 members, 46 partners and 24
    # initiatives, and the 27 sections, regions, focus areas, plans and objectives,
    assert [len(page["edges"]) for page in node_pages] == [100, 72]
    ids = [item["node"]["id"] for item in nodes]
    assert len(set(ids)) == len(ids) == node_pages[0]["totalCount"] == 172
    assert set(ids) == set(degrees)
    types = [item["node"]["type"] for item in nodes]
    assert types == sorted(types)
    assert (types.count("MEMBER"), types.count("PARTNER"), types.count("INITIATIVE")) == (
        75,
        46,
        24,
    )
    # three pages hold every edge once, as many as the degrees count,
    assert [len(page["edges"]) for page in pages] == [100, 100, 50]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False, True, True]
    ends = [(e["source"]["id"], e["target"]["id"]) for e in edges]
    assert len(set(ends)) == len(ends) == pages[0]["totalCount"] == 250
    assert sum(degrees.values()) == 2 * 250
    # each from the end its kind names first, between listed nodes,
    labels = {item["node"]["id"]: item["node"]["label"] for item in nodes}
    for edge in edges:
        assert ENDS[edge["edge"]["kind"]] == (edge["source"]["type"], edge["target"]["type"])
        assert labels[edge["source"]["id"]] == edge["source"]["label"]
        assert labels[edge["target"]["id"]] == edge["target"]["label"]
    # the nodes without edges are those of degree 0 (25 partners, for one),
    reached = {node_id for pair in ends for node_id in pair}
    assert set(ids) - reached == {node_id for node_id, degree in degrees.items() if degree == 0}
    # and the labels are the nodes' names.
    berlin = next(item["node"] for item in nodes if item["node"]["label"] == "Berlin")
    assert berlin["type"] == "MEMBER"
    assert (await graphql.data(NAMED_NODE, {"id": berlin["id"]}))["node"] == {"name": "Berlin"}


NAMED_NODE = "query Named($id: ID!) { node(id: $id) { ... on Member { name } } }"


async def test_network_edges_of_some_kinds(graphql: GraphQLClient, database_url: str) -> None:
    # Given the seed data's member-initiative and partner-member links,
    database = Database(database_url)
    async with database.engine.connect() as connection:
        members = await connection.execute(select(func.count()).select_from(MemberInitiative))
        partners = await connection.execute(select(func.count()).select_from(PartnerMember))
        expected = members.scalar_one() + partners.scalar_one()
    await database.dispose()

    # when we ask for those two kinds,
    edges, pages = await _every(
        graphql, NETWORK_EDGES, {"kinds": ["PARTNER_MEMBER", "MEMBER_INITIATIVE"]}
    )

    # then we get them all, by kind, and only them.
    assert pages[0]["totalCount"] == len(edges) == expected
    kinds = [edge["edge"]["kind"] for edge in edges]
    assert kinds == sorted(kinds, key=lambda kind: kind != "MEMBER_INITIATIVE")
    assert set(kinds) == {"PARTNER_MEMBER", "MEMBER_INITIATIVE"}

    # and nodes of some types are theirs alone.
    sections, _ = await _every(graphql, NETWORK_NODES, {"types": ["UCLG_SECTION", "REGION"]})
    assert {item["node"]["type"] for item in sections} == {"UCLG_SECTION", "REGION"}
    assert len(sections) == 14


async def test_drafts_and_their_edges_are_for_staff_only(
    graphql: GraphQLClient, database_url: str
) -> None:
    # Given Cisco as a draft, and a staff key,
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Partner).where(Partner.name == "Cisco").values(publication=Publication.DRAFT)
        )
    staff = (await issue_key(database, name="staff", role=Role.STAFF)).key
    await database.dispose()

    # when the public and staff list every edge,
    public, public_pages = await _every(graphql, NETWORK_EDGES)
    as_staff = {"authorization": f"Bearer {staff}"}
    every, staff_pages = await _every(graphql, NETWORK_EDGES, headers=as_staff)
    public_nodes, _ = await _every(graphql, NETWORK_NODES)
    staff_nodes, _ = await _every(graphql, NETWORK_NODES, headers=as_staff)

    # then only staff see Cisco and its edges.
    def cisco(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [e for e in edges if e["source"]["label"] == "Cisco"]

    assert cisco(public) == []
    assert len(cisco(every)) > 0
    assert public_pages[0]["totalCount"] == 250 - len(cisco(every))
    assert staff_pages[0]["totalCount"] == 250
    labels = [item["node"]["label"] for item in public_nodes]
    assert "Cisco" not in labels
    assert sorted([*labels, "Cisco"]) == sorted(item["node"]["label"] for item in staff_nodes)


@pytest.mark.parametrize(
    ("variables", "code", "message"),
    [
        ({"first": 0}, "INVALID_PAGE_SIZE", "`first` must be between 1 and 100, got 0"),
        ({"first": 101}, "INVALID_PAGE_SIZE", "`first` must be between 1 and 100, got 101"),
        ({"after": "zz"}, "INVALID_CURSOR", "is not a cursor from this API"),
        (
            {"kinds": ["NOT_A_KIND"]},
            "GRAPHQL_VALIDATION_FAILED",
            "Value 'NOT_A_KIND' does not exist in 'GraphEdgeKind' enum.",
        ),
    ],
)
async def test_bad_network_edges_arguments(
    graphql: GraphQLClient, variables: dict[str, Any], code: str, message: str
) -> None:
    body = await graphql.post(NETWORK_EDGES, variables)
    error = _error(body)
    # Bad variable values stop the request before it runs; bad arguments null the field.
    ran = code != "GRAPHQL_VALIDATION_FAILED"
    assert body.get("data") == ({"networkEdges": None} if ran else None)
    assert error["extensions"]["code"] == code
    assert message in error["message"]


async def test_a_cursor_from_another_list_is_rejected_by_network_edges(
    graphql: GraphQLClient,
) -> None:
    ranking = await graphql.data(MOST_CONNECTED, {"first": 1})
    cursor = ranking["mostConnected"]["pageInfo"]["endCursor"]
    error = _error(await graphql.post(NETWORK_EDGES, {"after": cursor}))
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert "a different list" in error["message"]


async def test_network_edges_read_no_sql_and_cost_within_the_limit(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given a graph already loaded,
    await graphql.data(NETWORK_EDGES, {"first": 1})

    # when a page of 1 or of 100 nodes or edges is asked for,
    for first in (1, 100):
        sql.reset()
        nodes = await graphql.data(NETWORK_NODES, {"first": first})
        assert len(nodes["networkNodes"]["edges"]) == first
        body = await graphql.post(NETWORK_EDGES, {"first": first})
        assert len(body["data"]["networkEdges"]["edges"]) == first
        # then neither reads a table (the graph's change check is a PRAGMA),
        assert sql.count == 0, sql.statements
    # and a full page costs well within the 1,000 points a request may spend:
    # the connection and its pageInfo, then each edge's two ends and its edge.
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 100 * 3

    # Asking for the ends' records costs one statement per type of end.
    sql.reset()
    records = await graphql.data(NETWORK_RECORDS, {"first": 100})
    items = records["networkEdges"]["edges"]
    assert all(e["edge"]["from"]["id"] == e["source"]["id"] for e in items)
    assert sql.count == 2, sql.statements


RANKING = (
    """
query Ranking($metric: CentralityMetric, $types: [NodeType!], $first: Int) {
  mostConnected(metric: $metric, types: $types, first: $first) {
    computedAt
    totalCount
    edges { rank score node { ...Named } }
  }
}
"""
    + NAMED
)

PARTNER_VERSION = "query PartnerVersion($id: ID!) { node(id: $id) { ... on Partner { version } } }"

OWN_PROFILE = """
mutation OwnProfile($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) { partner { version } userErrors { code message } }
}
"""

REGIONS = "query Regions { regions(first: 10) { totalCount } }"

INNOVATION_CENTER = "Promotion and Development of the Barcelona Innovation Center"


def _hold(gate: str) -> None:
    """Run in the rankings' worker process: keep it busy until the test lets
    go of its lock on `gate`."""
    with open(gate) as held:
        fcntl.flock(held, fcntl.LOCK_EX)


class BusyWorker:
    """The rankings' worker process kept busy (as by a long computation) while
    the block runs: rankings asked for meanwhile queue up behind it."""

    def __init__(self, rankings: Rankings, gate: Path) -> None:
        self.rankings = rankings
        self.gate = gate

    async def __aenter__(self) -> BusyWorker:
        self.gate.touch()
        self.held = self.gate.open()
        fcntl.flock(self.held, fcntl.LOCK_EX)
        self.busy = asyncio.wrap_future(self.rankings.pool().submit(_hold, str(self.gate)))
        return self

    async def __aexit__(self, *_exc: object) -> None:
        fcntl.flock(self.held, fcntl.LOCK_UN)
        self.held.close()
        await self.busy


async def _as(
    graphql: GraphQLClient, key: str | None, document: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The `data` of a request made with `key` (anonymous when None)."""
    headers = {"authorization": f"Bearer {key}"} if key else {}
    body = {"query": document, "variables": variables}
    result = (await graphql.http.post("/graphql", json=body, headers=headers)).json()
    assert "errors" not in result, result
    data: dict[str, Any] = result["data"]
    return data


async def _ranking(
    graphql: GraphQLClient, key: str | None, variables: dict[str, Any]
) -> tuple[datetime, dict[str, float]]:
    """When the ranking was computed, and the scores by name."""
    ranking = (await _as(graphql, key, RANKING, variables))["mostConnected"]
    scores = {e["node"]["name"]: e["score"] for e in ranking["edges"]}
    return datetime.fromisoformat(ranking["computedAt"]), scores


MEMBERS_BY_DEGREE = {"metric": "DEGREE", "types": ["MEMBER"], "first": 100}


@pytest.mark.parametrize("centrality_seconds", [3600])
async def test_writes_within_an_interval_cost_one_ranking(
    graphql: GraphQLClient, app: Starlette, database_url: str
) -> None:
    # Given a hub that computes a ranking at most once an hour, Cisco's own
    # partner key, and a first ranking by betweenness,
    rankings: Rankings = app.state.hub.graphs.rankings
    database = Database(database_url)
    async with database.engine.connect() as connection:
        cisco_pk = (
            await connection.execute(select(Partner.id).where(Partner.name == "Cisco"))
        ).scalar_one()
    key = (await issue_key(database, name="cisco", role=Role.PARTNER, partner_id=cisco_pk)).key
    await database.dispose()
    cisco = (await _ids(graphql))["Cisco"]
    variables = {"metric": "BETWEENNESS", "first": 5}
    first = await _as(graphql, key, RANKING, variables)
    assert rankings.computations == {Centrality.BETWEENNESS: 1}

    # when Cisco edits its own profile three times, asking for the ranking after each,
    answers = []
    for n in range(3):
        version = (await _as(graphql, key, PARTNER_VERSION, {"id": cisco}))["node"]["version"]
        change = {"id": cisco, "expectedVersion": version, "description": f"Edit {n}."}
        edited = await _as(graphql, key, OWN_PROFILE, {"input": change})
        assert edited["partnerUpdate"]["userErrors"] == []
        answers.append(await _as(graphql, key, RANKING, variables))

    # then each is answered from the first ranking, and no request computed another.
    assert answers == [first] * 3
    assert rankings.computations == {Centrality.BETWEENNESS: 1}


@pytest.mark.parametrize("centrality_seconds", [0])
async def test_a_ranking_is_answered_from_the_last_one_while_the_next_is_computed(
    graphql: GraphQLClient, app: Starlette, database_url: str, tmp_path: Path
) -> None:
    # Given the members ranked by degree (and rankings computed whenever
    # asked for after a change),
    rankings: Rankings = app.state.hub.graphs.rankings
    ids = await _ids(graphql)
    first_at, first = await _ranking(graphql, None, MEMBERS_BY_DEGREE)

    # when Seoul joins Climate-Metropole+ while the worker process is busy, and
    # the ranking is asked for three times,
    async with BusyWorker(rankings, tmp_path / "gate"):
        database = Database(database_url)
        async with database.engine.begin() as connection:
            await connection.execute(
                insert(MemberInitiative).values(
                    member_id=_pk(ids["Seoul"]),
                    initiative_id=_pk(ids[CLIMATE]),
                    role=MemberRole.COLLABORATOR,
                )
            )
        await database.dispose()
        answers = [await _ranking(graphql, None, MEMBERS_BY_DEGREE) for _ in range(3)]

        # then each gets the last ranking at once, the next one still on its way,
        assert answers == [(first_at, first)] * 3
        assert rankings.computations == {Centrality.DEGREE: 1}

    # and once the worker gets to it, one computation for the three requests
    # ranks Seoul with one edge more.
    await rankings.idle()
    assert rankings.computations == {Centrality.DEGREE: 2}
    then_at, then = await _ranking(graphql, None, MEMBERS_BY_DEGREE)
    assert then_at > first_at
    assert then["Seoul"] == first["Seoul"] + 1
    assert then["Berlin"] == first["Berlin"]


async def test_no_request_waits_for_a_first_ranking_longer_than_allowed(
    graphql: GraphQLClient, app: Starlette, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no ranking yet, a worker process busy, and no time at all allowed
    # to wait for a first ranking (10 s in service),
    rankings: Rankings = app.state.hub.graphs.rankings
    monkeypatch.setattr(resolvers.centrality, "FIRST_WAIT_SECONDS", 0)
    async with BusyWorker(rankings, tmp_path / "gate"):
        # when a request asks for a ranking by betweenness,
        body = await graphql.post(RANKING, {"metric": "BETWEENNESS"})

        # then it is told to ask again shortly, the ranking computed neither
        # by it nor yet by the worker,
        error = _error(body)
        assert body["data"] == {"mostConnected": None}
        assert error["extensions"]["code"] == "RANKING_NOT_READY"
        assert error["message"] == (
            "The ranking by betweenness is being computed for the first time since the hub "
            "started, which takes a few seconds on a large network: ask again shortly."
        )
        assert rankings.computations == {}

    # and once the worker has computed it, the next request gets it.
    await rankings.idle()
    ranked = await _ranking(graphql, None, {"metric": "BETWEENNESS", "first": 3})
    assert list(ranked[1]) == ["Metropolis", AMB, "Barcelona (Ajuntament / City Council)"]
    assert rankings.computations == {Centrality.BETWEENNESS: 1}


@pytest.mark.parametrize("centrality_seconds", [3600])
async def test_rankings_keep_drafts_and_their_edges_for_staff(
    graphql: GraphQLClient, app: Starlette, database_url: str, staff_key: str
) -> None:
    # Given Cisco as a draft, linked to one initiative only,
    rankings: Rankings = app.state.hub.graphs.rankings
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Partner).where(Partner.name == "Cisco").values(publication=Publication.DRAFT)
        )

    # when the public and staff rank partners and initiatives by degree,
    variables = {"metric": "DEGREE", "types": ["PARTNER", "INITIATIVE"], "first": 100}
    public_at, public = await _ranking(graphql, None, variables)
    staff_at, staff = await _ranking(graphql, staff_key, variables)

    # then only staff see Cisco, and only for staff does its initiative count
    # its edge: the public ranking is scored on the public graph,
    assert "Cisco" not in public
    assert staff["Cisco"] == 1
    assert staff[INNOVATION_CENTER] == public[INNOVATION_CENTER] + 1
    assert set(staff) - set(public) == {"Cisco"}
    # both of one computation.
    assert public_at == staff_at
    assert rankings.computations == {Centrality.DEGREE: 1}

    # When Western Sydney University becomes a draft after that ranking,
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Partner).where(Partner.name == WSU).values(publication=Publication.DRAFT)
        )
    await database.dispose()
    later_at, later = await _ranking(graphql, None, variables)
    _, staff_later = await _ranking(graphql, staff_key, variables)

    # then the public no longer see it, though the ranking is the same one.
    assert WSU in public
    assert WSU not in later
    assert later == {name: score for name, score in public.items() if name != WSU}
    assert later_at == public_at
    assert staff_later == staff
    assert rankings.computations == {Centrality.DEGREE: 1}


@pytest.mark.parametrize("response_cache_mb", [64])
async def test_requests_go_on_while_the_graph_is_built(graphql: GraphQLClient) -> None:
    # Given the graph's thread busy, as while a large network is read,
    berlin = (await _ids(graphql))["Berlin"]
    release = threading.Event()
    busy = asyncio.wrap_future(resolvers.graph.GRAPH_THREAD.submit(release.wait))
    try:
        # when a request needs the graph (its first load),
        walking = asyncio.create_task(graphql.data(COLLABORATORS, {"id": berlin}))

        # then requests that do not need it are answered meanwhile, the
        # response cache's check of the data version included,
        assert (await graphql.data(REGIONS))["regions"]["totalCount"] == 4
        assert (await graphql.http.get("/health")).status_code == 200
        assert not walking.done()
    finally:
        release.set()
        await busy

    # and the one that needed it is answered once the graph is built.
    collaborators = (await walking)["node"]["collaborators"]["edges"]
    assert [e["node"]["name"] for e in collaborators] == [AMB, LYON]
