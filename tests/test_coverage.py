"""Coverage: how many records the hub holds against the network's stated size."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from db.engine import Database
from db.models import Member, Publication

COVERAGE = """
query Coverage($origins: [Origin!]) {
  members(first: 1) { totalCount }
  statistics(origins: $origins) {
    coverage { records held stated statement source sourceUrl statedOn }
  }
}
"""


async def _coverage(
    client: httpx.AsyncClient, key: str | None = None, origins: list[str] | None = None
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    response = await client.post(
        "/graphql", json={"query": COVERAGE, "variables": {"origins": origins}}, headers=headers
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_coverage_states_the_members_held_against_the_latest_stated_size(
    client: httpx.AsyncClient,
) -> None:
    # Given the seeded hub, when anyone asks for its coverage,
    data = await _coverage(client)
    coverage = data["statistics"]["coverage"]
    # then the latest statement comes first: 75 members held of 163,
    assert data["members"]["totalCount"] == 75
    assert coverage[0] == {
        "records": "members",
        "held": 75,
        "stated": 163,
        "statement": "163 member cities in 65 countries",
        "source": "asiae.co.kr, segye.com",
        "sourceUrl": None,
        "statedOn": "2025-09",
    }
    # and the earlier one, with where it was stated, after it.
    assert [(c["stated"], c["statedOn"], c["sourceUrl"]) for c in coverage[1:]] == [
        (147, "2023-06-15", "https://seoulsolution.kr/ko/node/9926")
    ]


async def test_coverage_counts_what_the_caller_may_see(
    client: httpx.AsyncClient, database_url: str, staff_key: str
) -> None:
    # Given one member archived,
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Member).where(Member.name == "Moscow").values(publication=Publication.ARCHIVED)
        )
    await database.dispose()
    # then an anonymous caller's coverage holds 74 members, and staff's all 75;
    anonymous = (await _coverage(client))["statistics"]["coverage"]
    staff = (await _coverage(client, staff_key))["statistics"]["coverage"]
    assert {c["held"] for c in anonymous} == {74}
    assert {c["held"] for c in staff} == {75}
    # and records of other origins only are none of the reference members.
    demo_only = (await _coverage(client, staff_key, ["DEMO"]))["statistics"]["coverage"]
    assert [(c["held"], c["stated"]) for c in demo_only] == [(0, 163), (0, 147)]
