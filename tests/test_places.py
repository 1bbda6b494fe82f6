"""Geo: members and partners near a point or in a box, and GeoJSON exports."""

from __future__ import annotations

import asyncio
import itertools
import math
import re
import subprocess
import sys
from typing import Any

import httpx
import orjson
from sqlalchemy import event

from db.demo import ensure_demo
from db.engine import Database
from server import create_app
from settings import Settings
from tests.conftest import GraphQLClient, StatementCounter, serving

BRUSSELS = (50.8466, 4.3528)
DEMO_PARTNERS = '{"name": {"contains": "demo"}}'

NEAR = """
query Near($latitude: Float!, $longitude: Float!, $km: Float!, $first: Int, $after: String) {
  near(latitude: $latitude, longitude: $longitude, km: $km, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      distanceKm
      node {
        __typename
        ... on Member { name latitude longitude }
        ... on Partner { name latitude longitude }
      }
    }
  }
}
"""
MEMBERS = """
query Members($where: MemberWhere) {
  members(where: $where, first: 100) { totalCount edges { node { name } } }
}
"""
STATISTICS = """
{
  statistics {
    membersByRegion { region { slug } count }
    membersByKind { kind count }
    initiativesByDimension { dimension count }
    initiativesByYear { year count dimensions { dimension count } }
  }
}
"""
INITIATIVES_BY_DIMENSION = """
query ByDimension($dimension: SustainabilityDimension!) {
  initiatives(where: {dimension: {eq: $dimension}}) { totalCount }
}
"""


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


async def test_members_within_500_km_of_brussels(graphql: GraphQLClient) -> None:
    where = {"near": {"latitude": BRUSSELS[0], "longitude": BRUSSELS[1], "km": 500}}
    data = await graphql.data(MEMBERS, {"where": where})
    assert sorted(e["node"]["name"] for e in data["members"]["edges"]) == [
        "Brussels-Capital Region",
        "Métropole du Grand Paris",
        "Île-de-France Region",
    ]


async def test_near_lists_places_nearest_first_with_their_distance(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    seen: list[dict[str, Any]] = []
    after = None
    sql.reset()
    while True:
        variables = {"latitude": BRUSSELS[0], "longitude": BRUSSELS[1], "km": 2000}
        data = (await graphql.data(NEAR, {**variables, "first": 4, "after": after}))["near"]
        seen += data["edges"]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert len(seen) == data["totalCount"] > 10
    distances = [edge["distanceKm"] for edge in seen]
    assert distances == sorted(distances)
    assert seen[0]["node"]["name"] == "Brussels-Capital Region"
    for edge in seen:
        node = edge["node"]
        expected = haversine_km(BRUSSELS, (node["latitude"], node["longitude"]))
        assert abs(edge["distanceKm"] - expected) < 0.01
        assert edge["distanceKm"] <= 2000
    # Two statements a page (places, then their records), whatever its size.
    pages = math.ceil(len(seen) / 4)
    assert sql.count == 2 * pages


async def test_a_bounding_box_across_the_antimeridian(graphql: GraphQLClient) -> None:
    # From New Zealand eastwards to Hawaii: no member sits in the Pacific there.
    pacific = {"within": {"south": -50, "west": 160, "north": 30, "east": -150}}
    assert (await graphql.data(MEMBERS, {"where": pacific}))["members"]["totalCount"] == 0
    # The box round East Asia holds Seoul and Busan, but not Berlin.
    east_asia = {"within": {"south": 30, "west": 120, "north": 40, "east": 130}}
    names = [
        e["node"]["name"]
        for e in (await graphql.data(MEMBERS, {"where": east_asia}))["members"]["edges"]
    ]
    assert {"Seoul", "Busan"} <= set(names)
    assert "Berlin" not in names


async def test_geojson_export_of_a_filtered_list(client: httpx.AsyncClient) -> None:
    where = orjson.dumps({"near": {"latitude": BRUSSELS[0], "longitude": BRUSSELS[1], "km": 500}})
    response = await client.get("/export/members.geojson", params={"where": where.decode()})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["totalCount"] == len(collection["features"]) == 3
    brussels = next(
        f for f in collection["features"] if f["properties"]["name"] == "Brussels-Capital Region"
    )
    longitude, latitude = brussels["geometry"]["coordinates"]
    assert haversine_km(BRUSSELS, (latitude, longitude)) < 1
    assert brussels["properties"]["provenance"]["origin"] == "REFERENCE"


async def test_geojson_partners_without_coordinates_are_counted_not_drawn(
    client: httpx.AsyncClient,
) -> None:
    collection = (await client.get("/export/partners.geojson")).json()
    # The reference partners have no office coordinates on record.
    assert collection["features"] == []
    assert collection["withoutCoordinates"] == collection["totalCount"] == 46


async def test_geojson_exports_take_turns(database_url: str, settings: Settings) -> None:
    # Given 450 demo partners (five pages of the API for each export), a hub
    # under uvicorn, and the partner statements it sends, each marked by the
    # request (the task uvicorn runs it in) it serves
    database = Database(database_url)
    try:
        await ensure_demo(database, 450)
    finally:
        await database.dispose()
    app = create_app(settings)
    requests: list[int] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"\bFROM partners\b", statement):
            requests.append(id(asyncio.current_task()))

    engine = app.state.hub.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    with serving(app) as origin:
        async with httpx.AsyncClient(base_url=origin, timeout=60) as http:
            # When two exports are asked for at once: the demo partners, and all
            demo, every = await asyncio.gather(
                http.get("/export/partners.geojson", params={"where": DEMO_PARTNERS}),
                http.get("/export/partners.geojson"),
            )
    event.remove(engine, "before_cursor_execute", on_execute)
    # Then both are answered in full, and one was built after the other, not
    # page by page beside it: one request's statements all come first
    assert demo.status_code == every.status_code == 200
    assert len(demo.json()["features"]) == 450
    assert every.json()["totalCount"] == 496
    assert len(set(requests)) == 2
    switches = sum(1 for before, after in itertools.pairwise(requests) if before != after)
    assert switches == 1, requests


async def test_geojson_bad_input_is_a_clear_400(client: httpx.AsyncClient) -> None:
    bad_json = await client.get("/export/members.geojson", params={"where": "{oops"})
    assert bad_json.status_code == 400
    assert "not valid JSON" in bad_json.json()["errors"][0]["message"]
    bad_field = await client.get("/export/members.geojson", params={"where": '{"nope": 1}'})
    assert bad_field.status_code == 400
    assert "unknown field 'nope'" in bad_field.json()["errors"][0]["message"]
    unknown = await client.get("/export/planets.geojson")
    assert unknown.status_code == 404


def test_geojson_from_the_command_line(database_url: str) -> None:
    where = '{"kind": {"eq": "REGIONAL_GOVERNMENT"}}'
    result = subprocess.run(
        [sys.executable, "-m", "cli", "geojson", "members", "--where", where],
        capture_output=True,
        check=True,
        env={"HUB_DATABASE_URL": database_url, "PATH": ""},
    )
    collection = orjson.loads(result.stdout)
    assert len(collection["features"]) == 6
    failed = subprocess.run(
        [sys.executable, "-m", "cli", "geojson", "members", "--where", "[1"],
        capture_output=True,
        env={"HUB_DATABASE_URL": database_url, "PATH": ""},
    )
    assert failed.returncode == 2
    assert b"not valid JSON" in failed.stderr


async def test_statistics_add_up_and_match_the_filters(graphql: GraphQLClient) -> None:
    stats = (await graphql.data(STATISTICS))["statistics"]
    assert sum(c["count"] for c in stats["membersByRegion"]) == 75
    assert sum(c["count"] for c in stats["membersByKind"]) == 75
    assert sum(y["count"] for y in stats["initiativesByYear"]) == 24
    for row in stats["initiativesByDimension"]:
        filtered = await graphql.data(INITIATIVES_BY_DIMENSION, {"dimension": row["dimension"]})
        assert filtered["initiatives"]["totalCount"] == row["count"]
        per_year = sum(
            d["count"]
            for y in stats["initiativesByYear"]
            for d in y["dimensions"]
            if d["dimension"] == row["dimension"]
        )
        assert per_year == row["count"]
