"""Real questions about the Metropolis network, asked over HTTP."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from tests.conftest import GraphQLClient

REFERENCE = Path(__file__).resolve().parent.parent / "db" / "reference"

REGION_MEMBERS = """
query RegionMembers($first: Int!) {
  regions(first: 4) {
    edges { node { slug name members(first: $first) { totalCount edges { node { name } } } } }
  }
}
"""

MEMBER_INITIATIVES = """
query MemberInitiatives {
  members(where: {shortName: {eq: "Berlin"}}, first: 1) {
    edges {
      node {
        shortName
        initiatives(first: 20) {
          edges {
            role
            provenance { sources confidence origin }
            node { title partners(first: 20) { edges { role node { name kind } } } }
          }
        }
      }
    }
  }
}
"""

MEMBER_PARTNERS = """
query MemberPartners {
  members(where: {shortName: {eq: "Barcelona"}}, first: 1) {
    edges {
      node {
        name
        partners(first: 10) { edges { relationship node { name } } }
        initiatives(first: 20) {
          edges { node { title partners(first: 20) { edges { node { name } } } } }
        }
      }
    }
  }
}
"""

PAGE = """
query Page($first: Int!, $after: String) {
  members(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
  }
}
"""

SECTIONS = """
query Sections {
  uclgSections(first: 20) {
    totalCount
    edges {
      node {
        name kind seatCity seatMember { shortName }
        members(first: 1) { totalCount }
        provenance { confidence sources }
      }
    }
  }
}
"""

ACTION_PLAN = """
query ActionPlan {
  actionPlans(first: 5) {
    edges {
      node {
        title startYear endYear
        objectives(first: 10) {
          edges { node { position text initiatives(first: 10) { edges { node { title } } } } }
        }
      }
    }
  }
}
"""


def _reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _names(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in connection["edges"]]


async def test_members_in_africa_are_the_reference_rows(graphql: GraphQLClient) -> None:
    # Given the reference members file, when we ask for each region's members,
    expected = sorted(
        r["city"] for r in _reference("members.csv") if r["metropolis_region"] == "Africa"
    )
    data = await graphql.data(REGION_MEMBERS, {"first": 100})
    regions = {edge["node"]["slug"]: edge["node"] for edge in data["regions"]["edges"]}

    # then Africa holds exactly the members the file places there,
    africa = regions["africa"]["members"]
    assert africa["totalCount"] == len(expected) == 13
    assert sorted(_names(africa)) == expected
    assert {"Dakar", "Johannesburg"} <= set(expected)
    # and the four regions hold all 75 members, both Americas secretariats in one region.
    assert sorted(regions) == ["africa", "americas-caribbean", "asia-pacific", "europe"]
    assert sum(r["members"]["totalCount"] for r in regions.values()) == 75
    americas = set(_names(regions["americas-caribbean"]["members"]))
    assert {"Mexico City", "Montréal", "Montevideo", "Bogotá"} <= americas


async def test_initiatives_berlin_leads_and_their_partners(graphql: GraphQLClient) -> None:
    data = await graphql.data(MEMBER_INITIATIVES)
    berlin = next(e["node"] for e in data["members"]["edges"] if e["node"]["shortName"] == "Berlin")
    led = {
        edge["node"]["title"]: edge
        for edge in berlin["initiatives"]["edges"]
        if edge["role"] == "LEAD"
    }
    assert set(led) == {
        "Integrated Urban Governance – Successful Policy Transfer",
        "Policy Transfer (Metropolis Policy Transfer Platform)",
    }
    partners = {
        title: {(p["node"]["name"], p["role"]) for p in edge["node"]["partners"]["edges"]}
        for title, edge in led.items()
    }
    assert partners["Integrated Urban Governance – Successful Policy Transfer"] == {
        ("Humboldt-Viadrina School of Governance", "KNOWLEDGE_PARTNER")
    }
    assert partners["Policy Transfer (Metropolis Policy Transfer Platform)"] == {
        ("Western Sydney University – Institute for Culture and Society", "KNOWLEDGE_PARTNER")
    }
    # Every edge says where it comes from.
    for edge in led.values():
        assert edge["provenance"]["origin"] == "REFERENCE"
        assert edge["provenance"]["sources"][0].startswith("http")
    # Berlin also takes part (not as lead) in Climate-Metropole+.
    roles = {e["node"]["title"]: e["role"] for e in berlin["initiatives"]["edges"]}
    assert roles["Climate-Metropole+ (Clima Metropole+)"] == "PARTICIPANT"


async def test_partners_that_work_with_barcelona(graphql: GraphQLClient) -> None:
    data = await graphql.data(MEMBER_PARTNERS)
    barcelona = next(
        e["node"]
        for e in data["members"]["edges"]
        if e["node"]["name"] == "Barcelona (Ajuntament / City Council)"
    )
    direct = {(e["node"]["name"], e["relationship"]) for e in barcelona["partners"]["edges"]}
    assert direct == {("Ajuntament de Barcelona", "hosts Secretariat General")}
    through_initiatives = {
        partner["node"]["name"]
        for initiative in barcelona["initiatives"]["edges"]
        for partner in initiative["node"]["partners"]["edges"]
    }
    assert through_initiatives == {"Cisco", "Kreanta Foundation"}


async def test_pages_walk_the_whole_list_once(graphql: GraphQLClient) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = (await graphql.data(PAGE, {"first": 20, "after": after}))["members"]
        pages += 1
        assert data["totalCount"] == 75
        assert data["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert data["pageInfo"]["startCursor"] == data["edges"][0]["cursor"]
        assert data["pageInfo"]["endCursor"] == data["edges"][-1]["cursor"]
        seen += [edge["node"]["name"] for edge in data["edges"]]
        after = data["pageInfo"]["endCursor"]
        if not data["pageInfo"]["hasNextPage"]:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == 75
    assert seen == sorted(seen)

    # Past the end: an empty page that still knows the total.
    data = (await graphql.data(PAGE, {"first": 5, "after": after}))["members"]
    assert data["edges"] == []
    assert data["totalCount"] == 75
    assert data["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }


async def test_sections_with_seats_and_the_metropolitan_section(graphql: GraphQLClient) -> None:
    data = await graphql.data(SECTIONS)
    sections = {e["node"]["name"]: e["node"] for e in data["uclgSections"]["edges"]}
    assert data["uclgSections"]["totalCount"] == 10
    assert sections["Metropolis"]["kind"] == "METROPOLITAN"
    # Every member belongs to the metropolitan section that Metropolis manages.
    assert sections["Metropolis"]["members"]["totalCount"] == 75
    assert sections["UCLG Africa"]["seatCity"] == "Rabat"
    assert sections["UCLG Africa"]["seatMember"] == {"shortName": "Rabat"}
    assert sections["UCLG ASPAC"]["seatMember"] is None  # Jakarta is not a member on record
    assert sections["UCLG North America (UCLG NORAM)"]["seatCity"] is None
    assert sections["UCLG Forum of Regions"]["provenance"]["confidence"] == "MEDIUM"


async def test_action_plan_objectives_from_the_seed_text(graphql: GraphQLClient) -> None:
    data = await graphql.data(ACTION_PLAN)
    plan = data["actionPlans"]["edges"][0]["node"]
    assert (plan["title"], plan["startYear"], plan["endYear"]) == (
        "Action Plan 2015-2017",
        2015,
        2017,
    )
    objectives = [e["node"] for e in plan["objectives"]["edges"]]
    assert [o["position"] for o in objectives] == [1, 2, 3, 4, 5, 6]
    assert objectives[5]["text"] == "Promote mutual learning, capacity building and training"
    contributing = [e["node"]["title"] for e in objectives[5]["initiatives"]["edges"]]
    assert contributing == ["Policy Transfer (Metropolis Policy Transfer Platform)"]


QUICK_START = "{ members(first: 5) { totalCount edges { node { name country region { name } } } } }"


async def test_the_readme_quick_start_query(graphql: GraphQLClient) -> None:
    readme = (REFERENCE.parent.parent / "README.md").read_text(encoding="utf-8")
    assert QUICK_START in readme
    data = await graphql.data(QUICK_START)
    assert data["members"]["totalCount"] == 75
    first = data["members"]["edges"][0]["node"]
    assert first == {
        "name": "Abidjan (District Autonome d'Abidjan)",
        "country": "CI",
        "region": {"name": "Africa"},
    }
