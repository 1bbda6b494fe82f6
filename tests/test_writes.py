"""The write path: who may write what, validation as userErrors, optimistic
concurrency, idempotent creates, and the audit history."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntry, Partner, Role
from db.seed import seed_reference
from resolvers.access.keys import issue_key
from resolvers.writes.validation import InvalidError, text
from tests.conftest import post_with_key

MEMBER_CREATE = """
mutation Create($input: MemberCreateInput!, $key: String) {
  memberCreate(input: $input, idempotencyKey: $key) {
    member { id name shortName country countryName version publication provenance { origin } }
    userErrors { field message code }
  }
}
"""
MEMBER_UPDATE = """
mutation Update($input: MemberUpdateInput!) {
  memberUpdate(input: $input) {
    member { id population version }
    userErrors { field message code }
  }
}
"""
PARTNER_UPDATE = """
mutation Update($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) {
    partner { id website version contact { email } }
    userErrors { field message code }
  }
}
"""
INITIATIVE_CREATE = """
mutation Propose($input: InitiativeCreateInput!) {
  initiativeCreate(input: $input) {
    initiative { id title publication partners { edges { role node { name } } } }
    userErrors { field message code }
  }
}
"""
ARCHIVE = """
mutation Archive($input: PublicationInput!) {
  partnerArchive(input: $input) { partner { id publication version } userErrors { code } }
}
"""
LINK = """
mutation Link($input: InitiativeMemberInput!) {
  initiativeMemberLink(input: $input) {
    initiative { members(first: 50) { edges { role node { shortName } } } }
    userErrors { field message code }
  }
}
"""
KEY_CREATE = """
mutation Key($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) { key apiKey { id role } userErrors { code } }
}
"""
READ = """
query Read {
  regions(first: 1) { edges { node { id } } }
  members(where: {shortName: {eq: "Berlin"}}) { edges { node { id version population } } }
  partners(where: {name: {in: ["Cisco", "Kreanta Foundation"]}}) {
    edges { node { id name version } }
  }
  initiatives(where: {title: {startsWith: "Policy Transfer"}}) { edges { node { id } } }
}
"""
HISTORY = """
query History($id: ID!) {
  node(id: $id) {
    ... on Member {
      history { totalCount edges { node { action actor fields { field before after } } } }
    }
  }
  changes(types: ["Member"]) { totalCount edges { node { record action } } }
}
"""


@dataclass
class World:
    keys: dict[str, str | None]
    region: str
    berlin: dict[str, Any]
    cisco: dict[str, Any]
    kreanta: dict[str, Any]
    policy_transfer: str


@pytest.fixture
async def world(client: httpx.AsyncClient, database_url: str) -> World:
    database = Database(database_url)
    async with database.engine.connect() as connection:
        rows = await connection.execute(select(Partner.name, Partner.id))
        ids = {name: pk for name, pk in rows}
    keys: dict[str, str | None] = {"anonymous": None}
    keys["cisco"] = (
        await issue_key(database, name="Cisco app", role=Role.PARTNER, partner_id=ids["Cisco"])
    ).key
    keys["kreanta"] = (
        await issue_key(
            database, name="Kreanta app", role=Role.PARTNER, partner_id=ids["Kreanta Foundation"]
        )
    ).key
    keys["staff"] = (await issue_key(database, name="Ana (staff)", role=Role.STAFF)).key
    keys["admin"] = (await issue_key(database, name="Root", role=Role.ADMIN)).key
    # A gateway's key sent as a caller's own: no data privileges.
    keys["gateway"] = (await issue_key(database, name="Gateway", role=Role.GATEWAY)).key
    await database.dispose()
    data = (await client.post("/graphql", json={"query": READ})).json()["data"]
    partners = {e["node"]["name"]: e["node"] for e in data["partners"]["edges"]}
    return World(
        keys=keys,
        region=data["regions"]["edges"][0]["node"]["id"],
        berlin=data["members"]["edges"][0]["node"],
        cisco=partners["Cisco"],
        kreanta=partners["Kreanta Foundation"],
        policy_transfer=data["initiatives"]["edges"][0]["node"]["id"],
    )


async def _gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], key: str | None
) -> dict[str, Any]:
    return await post_with_key(client, query, key, variables)


def _codes(body: dict[str, Any], field: str) -> list[str]:
    return [e["code"] for e in body["data"][field]["userErrors"]]


def _forbidden(body: dict[str, Any]) -> bool:
    return any(e["extensions"]["code"] == "FORBIDDEN" for e in body.get("errors", []))


NEW_MEMBER = {"name": "Lagos (State Government)", "country": "ng", "kind": "REGIONAL_GOVERNMENT"}


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("gateway", False),
        ("cisco", False),
        ("kreanta", False),
        ("staff", True),
        ("admin", True),
    ],
)
async def test_who_may_create_members(
    client: httpx.AsyncClient, world: World, who: str, allowed: bool
) -> None:
    variables = {"input": {**NEW_MEMBER, "regionId": world.region}}
    body = await _gql(client, MEMBER_CREATE, variables, world.keys[who])
    if allowed:
        member = body["data"]["memberCreate"]["member"]
        assert member["shortName"] == "Lagos"
        assert (member["country"], member["countryName"]) == ("NG", "Nigeria")
        assert member["provenance"]["origin"] == "STAFF"
        assert member["version"] == 1
    else:
        assert (body["data"] or {}).get("memberCreate") is None
        assert _forbidden(body)


@pytest.mark.parametrize(
    ("who", "target", "outcome"),
    [
        ("anonymous", "cisco", "forbidden"),
        ("gateway", "cisco", "forbidden"),
        ("cisco", "cisco", "applied"),
        ("cisco", "kreanta", "forbidden"),
        ("kreanta", "cisco", "forbidden"),
        ("staff", "cisco", "applied"),
        ("admin", "kreanta", "applied"),
    ],
)
async def test_who_may_update_a_partner(
    client: httpx.AsyncClient, world: World, who: str, target: str, outcome: str
) -> None:
    partner = getattr(world, target)
    variables = {
        "input": {
            "id": partner["id"],
            "expectedVersion": partner["version"],
            "website": "https://example.org/new",
            "contactEmail": "Hello@Example.org",
        }
    }
    body = await _gql(client, PARTNER_UPDATE, variables, world.keys[who])
    if outcome == "applied":
        updated = body["data"]["partnerUpdate"]["partner"]
        assert updated["website"] == "https://example.org/new"
        assert updated["contact"]["email"] == "Hello@example.org"
        assert updated["version"] == partner["version"] + 1
    else:
        assert (body["data"] or {}).get("partnerUpdate") is None
        assert _forbidden(body)


async def test_a_partner_may_not_change_staff_fields_of_its_own_profile(
    client: httpx.AsyncClient, world: World
) -> None:
    variables = {"input": {"id": world.cisco["id"], "expectedVersion": 1, "kind": "OTHER"}}
    body = await _gql(client, PARTNER_UPDATE, variables, world.keys["cisco"])
    assert body["data"]["partnerUpdate"]["userErrors"] == [
        {
            "field": ["input", "kind"],
            "message": "`kind` is changed by staff only.",
            "code": "FORBIDDEN",
        }
    ]


async def test_a_partner_proposes_an_initiative_as_a_draft(
    client: httpx.AsyncClient, world: World
) -> None:
    variables = {"input": {"title": "Smart procurement lab", "kind": "PILOT_PROJECT"}}
    body = await _gql(client, INITIATIVE_CREATE, variables, world.keys["cisco"])
    initiative = body["data"]["initiativeCreate"]["initiative"]
    assert initiative["publication"] == "DRAFT"
    # Staff see the draft with Cisco taking part; others do not see it at all.
    node = "query N($id: ID!) { node(id: $id) { id } }"
    anonymous = await _gql(client, node, {"id": initiative["id"]}, None)
    assert anonymous["data"]["node"] is None
    staff = await _gql(client, node, {"id": initiative["id"]}, world.keys["staff"])
    assert staff["data"]["node"] == {"id": initiative["id"]}


async def test_archive_and_link_are_for_staff(client: httpx.AsyncClient, world: World) -> None:
    archive = {"input": {"id": world.kreanta["id"], "expectedVersion": world.kreanta["version"]}}
    assert _forbidden(await _gql(client, ARCHIVE, archive, world.keys["kreanta"]))
    done = await _gql(client, ARCHIVE, archive, world.keys["staff"])
    assert done["data"]["partnerArchive"]["partner"]["publication"] == "ARCHIVED"

    link = {
        "input": {
            "initiativeId": world.policy_transfer,
            "memberId": world.berlin["id"],
            "role": "PARTICIPANT",
        }
    }
    assert _forbidden(await _gql(client, LINK, link, world.keys["cisco"]))
    linked = await _gql(client, LINK, link, world.keys["staff"])
    members = linked["data"]["initiativeMemberLink"]["initiative"]["members"]["edges"]
    assert {"role": "PARTICIPANT", "node": {"shortName": "Berlin"}} in members


@pytest.mark.parametrize(("who", "allowed"), [("staff", False), ("admin", True), ("cisco", False)])
async def test_only_admins_manage_keys(
    client: httpx.AsyncClient, world: World, who: str, allowed: bool
) -> None:
    body = await _gql(
        client, KEY_CREATE, {"input": {"name": "New app", "role": "STAFF"}}, world.keys[who]
    )
    if allowed:
        key = body["data"]["apiKeyCreate"]["key"]
        assert key.startswith("mh_live_")
        assert (await _gql(client, "{ __typename }", {}, key))["data"] == {"__typename": "Query"}
    else:
        assert _forbidden(body)


BAD_INPUTS = [
    ({}, ["name", "country", "regionId", "kind"], "REQUIRED"),
    ({"name": "x" * 10_000}, ["name"], "TOO_LONG"),
    ({"country": "XX"}, ["country"], "INVALID_COUNTRY"),
    ({"website": "javascript:alert(1)"}, ["website"], "INVALID_URL"),
    ({"joinedYear": 1066}, ["joinedYear"], "OUT_OF_RANGE"),
    ({"latitude": 91}, ["latitude"], "OUT_OF_RANGE"),
    ({"regionId": "broken"}, ["regionId"], "INVALID_ID"),
    ({"name": "   "}, ["name"], "REQUIRED"),
]


@pytest.mark.parametrize(("change", "fields", "code"), BAD_INPUTS)
async def test_bad_member_input_is_reported_as_user_errors(
    client: httpx.AsyncClient, world: World, change: dict[str, Any], fields: list[str], code: str
) -> None:
    base = {**NEW_MEMBER, "regionId": world.region}
    values = change if not change else {**base, **change}
    body = await _gql(client, MEMBER_CREATE, {"input": values}, world.keys["staff"])
    if "errors" in body:  # missing required GraphQL fields: a validation error
        assert not change
        assert {e["extensions"]["code"] for e in body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
        return
    payload = body["data"]["memberCreate"]
    assert payload["member"] is None
    errors = payload["userErrors"]
    assert [e["field"][-1] for e in errors] == fields
    assert {e["code"] for e in errors} == {code}


async def test_bad_partner_contact_and_years(client: httpx.AsyncClient, world: World) -> None:
    variables = {
        "input": {"id": world.cisco["id"], "expectedVersion": 1, "contactEmail": "not-an-email"}
    }
    body = await _gql(client, PARTNER_UPDATE, variables, world.keys["staff"])
    assert _codes(body, "partnerUpdate") == ["INVALID_EMAIL"]
    create = {
        "input": {"title": "Backwards", "kind": "INITIATIVE", "startYear": 2020, "endYear": 2019}
    }
    body = await _gql(client, INITIATIVE_CREATE, create, world.keys["staff"])
    assert _codes(body, "initiativeCreate") == ["OUT_OF_RANGE"]


async def test_two_updates_from_the_same_version_one_wins(
    client: httpx.AsyncClient, world: World, database_url: str
) -> None:
    def update(population: int) -> dict[str, Any]:
        return {
            "input": {
                "id": world.berlin["id"],
                "expectedVersion": world.berlin["version"],
                "population": population,
            }
        }

    first, second = await asyncio.gather(
        _gql(client, MEMBER_UPDATE, update(1), world.keys["staff"]),
        _gql(client, MEMBER_UPDATE, update(2), world.keys["admin"]),
    )
    outcomes = sorted(
        (b["data"]["memberUpdate"]["userErrors"] or [{"code": "OK"}])[0]["code"]
        for b in (first, second)
    )
    assert outcomes == ["OK", "VERSION_CONFLICT"]
    loser = next(b for b in (first, second) if b["data"]["memberUpdate"]["userErrors"])
    assert "changed by someone else" in loser["data"]["memberUpdate"]["userErrors"][0]["message"]
    database = Database(database_url)
    async with database.engine.connect() as connection:
        entries = await connection.scalar(select(func.count()).select_from(AuditEntry))
    await database.dispose()
    assert entries == 1


async def test_concurrent_read_modify_write_loses_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    # 20 writers each add 1 to Berlin's population 25 times, reading the
    # current version first and retrying when someone else got there first.
    start = world.berlin["population"]
    read = """
    query {
      members(where: {shortName: {eq: "Berlin"}}) { edges { node { id version population } } }
    }
    """
    conflicts = 0

    async def writer() -> None:
        nonlocal conflicts
        done = 0
        while done < 25:
            berlin = (await _gql(client, read, {}, world.keys["staff"]))["data"]["members"][
                "edges"
            ][0]["node"]
            variables = {
                "input": {
                    "id": berlin["id"],
                    "expectedVersion": berlin["version"],
                    "population": berlin["population"] + 1,
                }
            }
            body = await _gql(client, MEMBER_UPDATE, variables, world.keys["staff"])
            assert "errors" not in body, body  # never "database is locked", never a 500
            if body["data"]["memberUpdate"]["userErrors"]:
                assert body["data"]["memberUpdate"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
                conflicts += 1
            else:
                done += 1

    await asyncio.gather(*(writer() for _ in range(20)))
    final = (await _gql(client, read, {}, None))["data"]["members"]["edges"][0]["node"]
    assert final["population"] == start + 500
    assert final["version"] == world.berlin["version"] + 500


async def test_a_retried_create_applies_once(client: httpx.AsyncClient, world: World) -> None:
    variables = {"input": {**NEW_MEMBER, "regionId": world.region}, "key": "create-lagos-1"}
    first = await _gql(client, MEMBER_CREATE, variables, world.keys["staff"])
    again = await _gql(client, MEMBER_CREATE, variables, world.keys["staff"])
    assert (
        first["data"]["memberCreate"]["member"]["id"]
        == again["data"]["memberCreate"]["member"]["id"]
    )
    count = '{ members(where: {shortName: {eq: "Lagos"}}) { totalCount } }'
    assert (await _gql(client, count, {}, None))["data"]["members"]["totalCount"] == 1
    other = await _gql(
        client, MEMBER_CREATE, {**variables, "key": "create-lagos-2"}, world.keys["staff"]
    )
    assert (
        other["data"]["memberCreate"]["member"]["id"]
        != first["data"]["memberCreate"]["member"]["id"]
    )


async def test_every_change_is_in_the_history(client: httpx.AsyncClient, world: World) -> None:
    variables = {
        "input": {
            "id": world.berlin["id"],
            "expectedVersion": world.berlin["version"],
            "population": 4_000_000,
        }
    }
    await _gql(client, MEMBER_UPDATE, variables, world.keys["staff"])
    body = await _gql(client, HISTORY, {"id": world.berlin["id"]}, world.keys["staff"])
    history = body["data"]["node"]["history"]
    assert history["totalCount"] == 1
    change = history["edges"][0]["node"]
    assert (change["action"], change["actor"]) == ("update", "Ana (staff)")
    assert change["fields"] == [
        {"field": "population", "before": world.berlin["population"], "after": 4_000_000}
    ]
    assert body["data"]["changes"]["edges"][-1]["node"] == {
        "record": world.berlin["id"],
        "action": "update",
    }
    # History is for staff: others get an error and null.
    anonymous = await _gql(client, HISTORY, {"id": world.berlin["id"]}, None)
    assert anonymous["data"]["node"]["history"] is None
    assert _forbidden(anonymous)


async def test_reseeding_keeps_what_staff_edited(
    client: httpx.AsyncClient, world: World, database_url: str
) -> None:
    variables = {
        "input": {
            "id": world.berlin["id"],
            "expectedVersion": world.berlin["version"],
            "population": 3_900_000,
        }
    }
    await _gql(client, MEMBER_UPDATE, variables, world.keys["staff"])
    database = Database(database_url)
    report = await seed_reference(database)
    await database.dispose()
    assert report.changed == 0
    assert report.counts["members.kept as edited"] == 1
    read = await _gql(client, READ, {}, None)
    assert read["data"]["members"]["edges"][0]["node"]["population"] == 3_900_000


async def test_text_that_is_not_unicode_is_refused(client: httpx.AsyncClient, world: World) -> None:
    # A lone surrogate, escaped in the JSON text: the request is refused whole,
    variables = {"input": {**NEW_MEMBER, "regionId": world.region, "name": "Lagos \ud800"}}
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": MEMBER_CREATE, "variables": variables}).encode(),
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {world.keys['staff']}",
        },
    )
    assert response.status_code == 400
    # and text reaching the write path another way (an import) is checked too.
    with pytest.raises(InvalidError, match="not valid Unicode"):
        text(200)("Lagos \ud800")
