"""API keys and who sees what: every cell of the matrix is asserted."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from db.engine import Database
from db.models import Base, Initiative, Partner, Publication, Region, Role
from resolvers.access import ANONYMOUS, Principal, where_visible
from resolvers.access.keys import PREFIX, issue_key, revoke_key
from tests.conftest import sqlite_only

PARTNERS = """
query Partners {
  partners(first: 100) { totalCount edges { node { id name contact { name email phone } } } }
}
"""
DRAFT_READS = """
query Reads($id: ID!, $entity: [_Any!]!) {
  partners(first: 100) { totalCount }
  node(id: $id) { id }
  _entities(representations: $entity) { ... on Partner { name } }
  initiatives(first: 100) {
    edges { node { title partners(first: 20) { totalCount } } }
  }
  members(where: {initiatives: {some: {partners: {some: {name: {eq: "Cisco"}}}}}}) {
    totalCount
  }
  statistics { partnersByKind { kind count } }
  mostConnected(types: [PARTNER], first: 100) { totalCount }
  search(query: "cisco") { totalCount facets { types { value count } } }
}
"""


@dataclass
class Keys:
    partner_a: str
    partner_b: str
    staff: str
    admin: str
    # A gateway's key, sent as a caller's own `Authorization`: anonymous-level.
    gateway: str
    revoked: str
    cisco_id: int


@pytest.fixture
async def keys(database_url: str) -> AsyncIterator[Keys]:
    database = Database(database_url)
    async with database.engine.connect() as connection:
        cisco = (
            await connection.execute(select(Partner.id).where(Partner.name == "Cisco"))
        ).scalar_one()
        kreanta = (
            await connection.execute(select(Partner.id).where(Partner.name == "Kreanta Foundation"))
        ).scalar_one()

    async def key(role: Role, partner: int | None = None) -> str:
        return (await issue_key(database, name=f"{role} test", role=role, partner_id=partner)).key

    revoked = await issue_key(database, name="old", role=Role.STAFF)
    await revoke_key(database, revoked.id)
    yield Keys(
        partner_a=await key(Role.PARTNER, cisco),
        partner_b=await key(Role.PARTNER, kreanta),
        staff=await key(Role.STAFF),
        admin=await key(Role.ADMIN),
        gateway=await key(Role.GATEWAY),
        revoked=revoked.key,
        cisco_id=cisco,
    )
    await database.dispose()


async def _post(
    client: httpx.AsyncClient, query: str, key: str | None, variables: Any = None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def _flip(key: str) -> str:
    """The same key with one character of its secret changed."""
    index = len(PREFIX) + 5
    return key[:index] + ("A" if key[index] != "A" else "B") + key[index + 1 :]


@pytest.mark.parametrize("who", ["partner_a", "partner_b", "staff", "admin"])
async def test_keys_read_contact_details(client: httpx.AsyncClient, keys: Keys, who: str) -> None:
    response = await _post(client, PARTNERS, getattr(keys, who))
    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body
    assert body["data"]["partners"]["totalCount"] == 46


@pytest.mark.parametrize("who", ["anonymous", "gateway"])
async def test_anonymous_callers_and_gateway_keys_read_the_directory_but_not_contacts(
    client: httpx.AsyncClient, keys: Keys, who: str
) -> None:
    body = (await _post(client, PARTNERS, getattr(keys, who, None))).json()
    partners = body["data"]["partners"]
    assert partners["totalCount"] == 46
    assert all(edge["node"]["contact"] is None for edge in partners["edges"])
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}
    assert "Contact details are for partner and staff keys" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("make_key", "words"),
    [
        (lambda k: k.revoked, "revoked"),
        (lambda k: "not-a-key", "malformed"),
        (lambda k: PREFIX + "x" * 10, "malformed"),
        (lambda k: _flip(k.staff), "checksum"),
    ],
)
async def test_refused_keys_get_401_with_a_reason(
    client: httpx.AsyncClient, keys: Keys, make_key: Any, words: str
) -> None:
    response = await _post(client, PARTNERS, make_key(keys))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert words in error["message"]


async def test_a_well_formed_unknown_key_is_refused(client: httpx.AsyncClient) -> None:
    from resolvers.access.keys import new_key

    response = await _post(client, PARTNERS, new_key())
    assert response.status_code == 401
    assert "not known" in response.json()["errors"][0]["message"]


async def test_keys_are_refused_in_the_url_and_in_other_schemes(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    in_url = await client.get("/graphql", params={"query": "{ __typename }", "api_key": keys.staff})
    assert in_url.status_code == 400
    assert "not accepted in the URL" in in_url.json()["errors"][0]["message"]
    basic = await client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"authorization": "Basic " + base64.b64encode(b"a:b").decode()},
    )
    assert basic.status_code == 401


async def test_revocation_takes_effect_on_the_next_request(
    client: httpx.AsyncClient, database_url: str
) -> None:
    database = Database(database_url)
    issued = await issue_key(database, name="soon gone", role=Role.STAFF)
    assert (await _post(client, PARTNERS, issued.key)).status_code == 200
    await revoke_key(database, issued.id)
    await database.dispose()
    assert (await _post(client, PARTNERS, issued.key)).status_code == 401


async def test_drafts_and_archived_records_are_for_staff_only(
    client: httpx.AsyncClient, keys: Keys, database_url: str
) -> None:
    # Given Cisco as a draft and one initiative archived,
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.execute(
            update(Partner).where(Partner.id == keys.cisco_id).values(publication=Publication.DRAFT)
        )
        await connection.execute(
            update(Initiative)
            .where(Initiative.title.startswith("Promotion and Development"))
            .values(publication=Publication.ARCHIVED)
        )
    await database.dispose()
    cisco_id = base64.b64encode(f"Partner:{keys.cisco_id}".encode()).decode()
    variables = {"id": cisco_id, "entity": [{"__typename": "Partner", "id": cisco_id}]}

    for who, sees in [
        (None, False),
        (keys.gateway, False),
        (keys.partner_a, False),
        (keys.staff, True),
        (keys.admin, True),
    ]:
        body = (await _post(client, DRAFT_READS, who, variables)).json()
        data = body["data"]
        # then lists, lookups by ID, federation entities, relations, relation
        # filters and statistics all agree on what this caller may see.
        assert data["partners"]["totalCount"] == (46 if sees else 45), who
        assert (data["node"] is not None) is sees
        assert (data["_entities"][0] is not None) is sees
        titles = [e["node"]["title"] for e in data["initiatives"]["edges"]]
        assert ("Promotion and Development of the Barcelona Innovation Center" in titles) is sees
        assert data["members"]["totalCount"] == (1 if sees else 0)
        counted = sum(c["count"] for c in data["statistics"]["partnersByKind"])
        assert counted == (46 if sees else 45)
        # and so do the network graph and search.
        assert data["mostConnected"]["totalCount"] == (46 if sees else 45)
        assert data["search"]["totalCount"] == (1 if sees else 0)
        partner_hits = [f for f in data["search"]["facets"]["types"] if f["value"] == "PARTNER"]
        assert sum(f["count"] for f in partner_hits) == (1 if sees else 0)


async def test_no_table_holds_a_plaintext_key(keys: Keys, database_url: str) -> None:
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            rows = [
                repr(tuple(row))
                for table in Base.metadata.sorted_tables
                for row in await connection.execute(select(table))
            ]
    finally:
        await database.dispose()
    contents = "\n".join(rows)
    for key in (keys.partner_a, keys.partner_b, keys.staff, keys.admin, keys.gateway, keys.revoked):
        assert key not in contents
        assert key[len(PREFIX) :] not in contents
    assert contents.count("mh_live_") >= 6


@sqlite_only(
    "reads the database's files, WAL included; on PostgreSQL "
    "test_no_table_holds_a_plaintext_key reads every row"
)
async def test_the_database_file_holds_no_plaintext_key(keys: Keys, database_url: str) -> None:
    path = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    contents = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for key in (keys.partner_a, keys.partner_b, keys.staff, keys.admin, keys.gateway, keys.revoked):
        assert key.encode() not in contents
        assert key[len(PREFIX) :].encode() not in contents
    # Each key left its short hint (prefix and 4 characters), not the key.
    assert contents.count(b"mh_live_") >= 6


async def test_where_visible_narrows_a_statement_to_the_rows_its_principal_may_see(
    database_url: str,
) -> None:
    database = Database(database_url)
    try:
        async with database.engine.begin() as connection:
            # Given one draft partner and one archived partner among the published,
            ids = list(
                (await connection.execute(select(Partner.id).order_by(Partner.id))).scalars()
            )
            draft, archived = ids[0], ids[1]
            for pk, publication in ((draft, Publication.DRAFT), (archived, Publication.ARCHIVED)):
                await connection.execute(
                    update(Partner).where(Partner.id == pk).values(publication=publication)
                )
        partner = Principal(role=Role.PARTNER, key_id=1, partner_id=ids[2], name="partner")
        staff = Principal(role=Role.STAFF, key_id=2, name="staff")
        async with database.engine.connect() as connection:

            async def seen(principal: Principal) -> set[int]:
                query = where_visible(select(Partner.id), Partner, principal)
                return set((await connection.execute(query)).scalars())

            # when each principal reads the partners through `where_visible`,
            # then anonymous callers and partner keys see the published ones only,
            assert await seen(ANONYMOUS) == set(ids) - {draft, archived}
            assert await seen(partner) == set(ids) - {draft, archived}
            # staff see every one,
            assert await seen(staff) == set(ids)
            # and a record without a publication state is left as it is.
            regions = where_visible(select(Region.id), Region, ANONYMOUS)
            assert regions.whereclause is None
    finally:
        await database.dispose()
