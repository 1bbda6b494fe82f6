"""A live gateway join: Apollo's gateway composes the hub and the example
partner subgraph, and one query needs both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.stack import Stack, running_stack

JOINED = """
query AfricaDaylight($date: Date!) {
  regions(first: 4) {
    edges {
      node {
        slug
        members(first: 15) {
          edges {
            node {
              id
              name
              latitude
              longitude
              daylight(date: $date) { date hours sunrise member { name region { name } } }
              initiatives(first: 5) {
                edges { node { title startYear endYear durationYears } }
              }
            }
          }
        }
      }
    }
  }
}
"""

PARTNER_ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Member { daylight(date: "2026-06-21") { hours } }
  }
}
"""


@pytest.fixture
def stack(database_url: str, tmp_path: Path) -> Iterator[Stack]:
    with running_stack(database_url, tmp_path) as running:
        yield running


def _post(url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(url, json={"query": query, "variables": variables}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def test_one_query_through_the_gateway_joins_hub_and_partner_data(stack: Stack) -> None:
    # When a client asks the gateway for Africa's members with their daylight,
    data = _post(stack.gateway_url, JOINED, {"date": "2026-06-21"})
    regions = {e["node"]["slug"]: e["node"] for e in data["regions"]["edges"]}
    africa = [e["node"] for e in regions["africa"]["members"]["edges"]]
    assert len(africa) == 13

    for member in africa:
        daylight = member["daylight"]
        # then the partner subgraph computed daylight from the hub's coordinates,
        assert daylight["date"] == "2026-06-21"
        # (from about 10.5 hours at Johannesburg to 14.5 at Tangier in June)
        assert 10 < daylight["hours"] < 15
        # and its `member` field points back at the hub's record.
        assert daylight["member"] == {"name": member["name"], "region": {"name": "Africa"}}

    # The partner's answer is the one it gives for those coordinates directly.
    dakar = next(m for m in africa if m["name"] == "Dakar")
    direct = _post(
        stack.subgraph_url,
        PARTNER_ENTITIES,
        {
            "representations": [
                {
                    "__typename": "Member",
                    "id": dakar["id"],
                    "latitude": dakar["latitude"],
                    "longitude": dakar["longitude"],
                }
            ]
        },
    )
    assert direct["_entities"][0]["daylight"]["hours"] == dakar["daylight"]["hours"]

    # Initiatives gain the partner's `durationYears`, computed from the hub's years.
    initiatives = [
        edge["node"]
        for region in regions.values()
        for member in region["members"]["edges"]
        for edge in member["node"]["initiatives"]["edges"]
    ]
    assert initiatives
    for initiative in initiatives:
        if initiative["startYear"] is None or initiative["endYear"] is None:
            assert initiative["durationYears"] is None
        else:
            expected = initiative["endYear"] - initiative["startYear"] + 1
            assert initiative["durationYears"] == expected


def test_the_gateway_passes_on_the_hubs_errors(stack: Stack) -> None:
    response = httpx.post(
        stack.gateway_url, json={"query": "{ members(first: 101) { totalCount } }"}, timeout=30
    )
    errors = response.json()["errors"]
    assert "`first` must be between 1 and 100" in errors[0]["message"]
