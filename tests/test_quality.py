"""The data-quality view for staff: records that lack a fact or rest on weak
evidence, the names the seed could not link, and demo records."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from db.demo import ensure_demo
from db.engine import Database
from db.models import Confidence, Role, UnlinkedName
from db.referencedata import load_reference
from db.seed import seed_reference
from resolvers.access.keys import issue_key
from tests.conftest import StatementCounter, post_with_key

QUALITY = """
query Quality($kinds: [DataQualityKind!], $first: Int, $after: String) {
  dataQuality {
    counts(kinds: $kinds) { kind count }
    issues(kinds: $kinds, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          kind field text
          record {
            __typename id
            ... on Member { name } ... on Partner { name } ... on Initiative { title }
          }
        }
      }
    }
  }
}
"""
COUNTS = "query Counts { dataQuality { counts { kind count } } }"
MEMBER_CREATE = """
mutation Create($input: MemberCreateInput!) {
  memberCreate(input: $input) { member { id version } userErrors { field message code } }
}
"""
MEMBER_UPDATE = """
mutation Update($input: MemberUpdateInput!) {
  memberUpdate(input: $input) { member { id version } userErrors { field message code } }
}
"""
PARTNER_CREATE = """
mutation Create($input: PartnerCreateInput!) {
  partnerCreate(input: $input) { partner { id } userErrors { field message code } }
}
"""
PARTNER_LINK = """
mutation Link($input: InitiativePartnerInput!) {
  initiativePartnerLink(input: $input) { initiative { id } userErrors { field message code } }
}
"""
A_REGION = "{ regions(first: 1) { edges { node { id } } } }"


async def _key(database_url: str, role: Role, **options: Any) -> str:
    database = Database(database_url)
    try:
        return (await issue_key(database, name=f"{role} key", role=role, **options)).key
    finally:
        await database.dispose()


async def _data(client: httpx.AsyncClient, key: str, query: str, variables: Any = None) -> Any:
    body = await post_with_key(client, query, key, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


async def _counts(client: httpx.AsyncClient, key: str) -> dict[str, int]:
    data = await _data(client, key, COUNTS)
    return {c["kind"]: c["count"] for c in data["dataQuality"]["counts"]}


async def _issues(client: httpx.AsyncClient, key: str, kind: str) -> list[dict[str, Any]]:
    data = await _data(client, key, QUALITY, {"kinds": [kind], "first": 100})
    return [edge["node"] for edge in data["dataQuality"]["issues"]["edges"]]


async def _new_member(client: httpx.AsyncClient, key: str, name: str) -> dict[str, Any]:
    region = (await _data(client, key, A_REGION))["regions"]["edges"][0]["node"]["id"]
    source = "https://example.org/members"
    values = {"name": name, "country": "FR", "regionId": region, "kind": "CITY"}
    variables = {"input": {**values, "sources": [source]}}
    payload = (await _data(client, key, MEMBER_CREATE, variables))["memberCreate"]
    assert payload["userErrors"] == []
    member: dict[str, Any] = payload["member"]
    return member


async def test_staff_see_the_names_the_seed_could_not_link_with_their_text(
    client: httpx.AsyncClient, staff_key: str
) -> None:
    # Given the seeded reference data, whose loader reports names it cannot link
    unresolved = load_reference().unresolved
    # When staff read the unlinked names
    issues = await _issues(client, staff_key, "UNLINKED_NAME")
    counts = await _counts(client, staff_key)
    # Then there is one to-do per name, on the initiative whose data names it,
    assert len(issues) == counts["UNLINKED_NAME"] == len(unresolved) > 0
    titles = {(item.initiative, item.name) for item in unresolved}
    assert {(i["record"]["title"], i["text"].split("'")[1]) for i in issues} == titles
    # each with the column that holds it and the text as the data writes it
    assert {i["record"]["__typename"] for i in issues} == {"Initiative"}
    assert {i["field"] for i in issues} <= {"lead_city", "partners"}
    assert all(
        any(item.written in i["text"] and item.reason in i["text"] for i in issues)
        for item in unresolved
    )


async def test_every_kind_is_counted_and_medium_confidence_records_are_listed(
    client: httpx.AsyncClient, staff_key: str
) -> None:
    # Given the reference data, some of it of medium confidence
    data = load_reference()
    medium = {m.name for m in data.members if m.confidence is Confidence.MEDIUM}
    medium |= {p.name for p in data.partners if p.confidence is Confidence.MEDIUM}
    # When staff read the counts and the medium-confidence issues
    counts = await _counts(client, staff_key)
    issues = await _issues(client, staff_key, "MEDIUM_CONFIDENCE")
    # Then every kind is counted, in order, and the records are those of the data
    assert list(counts) == [
        "MISSING_COORDINATES",
        "MISSING_POPULATION",
        "MISSING_SOURCES",
        "MISSING_COUNTRY",
        "MEDIUM_CONFIDENCE",
        "UNLINKED_NAME",
        "DEMO_RECORD",
    ]
    assert counts["DEMO_RECORD"] == 0
    names = {i["record"].get("name") for i in issues}
    assert medium <= names
    assert all(i["field"] == "confidence" and i["kind"] == "MEDIUM_CONFIDENCE" for i in issues)


async def test_a_record_without_facts_is_listed_until_staff_add_them(
    client: httpx.AsyncClient, staff_key: str
) -> None:
    # Given a member created without coordinates or population
    before = await _counts(client, staff_key)
    member = await _new_member(client, staff_key, "Quality Test City")
    after = await _counts(client, staff_key)
    assert after["MISSING_COORDINATES"] == before["MISSING_COORDINATES"] + 1
    assert after["MISSING_POPULATION"] == before["MISSING_POPULATION"] + 1
    listed = await _issues(client, staff_key, "MISSING_POPULATION")
    ours = [i for i in listed if i["record"]["id"] == member["id"]]
    assert [(i["field"], i["record"]["name"]) for i in ours] == [
        ("population", "Quality Test City")
    ]
    assert "'Quality Test City' has no population" in ours[0]["text"]
    # When staff give it a population
    update = {"id": member["id"], "expectedVersion": member["version"], "population": 120000}
    payload = (await _data(client, staff_key, MEMBER_UPDATE, {"input": update}))["memberUpdate"]
    assert payload["userErrors"] == []
    # Then it leaves that list, and stays in the one for coordinates
    listed = await _issues(client, staff_key, "MISSING_POPULATION")
    assert member["id"] not in {i["record"]["id"] for i in listed}
    final = await _counts(client, staff_key)
    assert final["MISSING_POPULATION"] == before["MISSING_POPULATION"]
    assert final["MISSING_COORDINATES"] == after["MISSING_COORDINATES"]


async def test_an_unlinked_name_is_settled_by_linking_a_record_of_that_name(
    client: httpx.AsyncClient, staff_key: str
) -> None:
    # Given a name the seed found on no record
    issues = await _issues(client, staff_key, "UNLINKED_NAME")
    missing = next(i for i in issues if "is not a member or partner on record" in i["text"])
    name = missing["text"].split("'")[1]
    initiative = missing["record"]["id"]
    # When staff add a partner of that name and link it to the initiative
    created = await _data(
        client,
        staff_key,
        PARTNER_CREATE,
        {"input": {"name": name, "kind": "OTHER", "sources": ["https://example.org/p"]}},
    )
    partner = created["partnerCreate"]["partner"]["id"]
    link = {"initiativeId": initiative, "partnerId": partner, "role": "COLLABORATOR"}
    linked = await _data(client, staff_key, PARTNER_LINK, {"input": link})
    assert linked["initiativePartnerLink"]["userErrors"] == []
    # Then that to-do is gone and the others stay
    after = await _issues(client, staff_key, "UNLINKED_NAME")
    assert (initiative, name) not in {(i["record"]["id"], i["text"].split("'")[1]) for i in after}
    assert len(after) == len(issues) - 1


async def test_demo_records_are_listed_once_as_demo(
    client: httpx.AsyncClient, staff_key: str, database_url: str
) -> None:
    # Given demo data (of medium confidence and without sources)
    before = await _counts(client, staff_key)
    database = Database(database_url)
    try:
        report = await ensure_demo(database, 10)
    finally:
        await database.dispose()
    # When staff read the counts
    after = await _counts(client, staff_key)
    # Then the demo records are counted as demo records alone
    assert after["DEMO_RECORD"] == report.partners + report.initiatives > 0
    for kind in ("MEDIUM_CONFIDENCE", "MISSING_SOURCES", "MISSING_COORDINATES"):
        assert after[kind] == before[kind]
    demo = await _issues(client, staff_key, "DEMO_RECORD")
    assert {i["record"]["__typename"] for i in demo} == {"Partner", "Initiative"}
    assert all(i["field"] is None and "demo data" in i["text"] for i in demo)


async def test_the_issues_page_with_cursors_and_bounded_sql(
    client: httpx.AsyncClient, staff_key: str, sql: StatementCounter
) -> None:
    # Given all issues on one page
    whole = await _data(client, staff_key, QUALITY, {"first": 100})
    everything = whole["dataQuality"]["issues"]
    # When they are read a few at a time
    seen: list[str] = []
    after = None
    while True:
        sql.reset()
        page = await _data(client, staff_key, QUALITY, {"first": 30, "after": after})
        issues = page["dataQuality"]["issues"]
        seen += [edge["node"]["text"] for edge in issues["edges"]]
        # (one statement for the counts, one for the page, one per record type)
        reads = [s for s in sql.statements if "api_keys" not in s and "usage_" not in s]
        assert len(reads) <= 5, reads
        if not issues["pageInfo"]["hasNextPage"]:
            break
        after = issues["pageInfo"]["endCursor"]
    # Then the pages hold every issue once, in the order of the one page
    assert len(seen) == len(set(seen)) == everything["totalCount"]
    assert seen[:100] == [edge["node"]["text"] for edge in everything["edges"]]
    kinds = [edge["node"]["kind"] for edge in everything["edges"]]
    assert kinds == sorted(kinds, key=[c["kind"] for c in whole["dataQuality"]["counts"]].index)


@pytest.mark.parametrize("first", [0, 101])
async def test_a_page_size_out_of_range_is_a_coded_error(
    client: httpx.AsyncClient, staff_key: str, first: int
) -> None:
    body = await post_with_key(client, QUALITY, staff_key, {"first": first})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_PAGE_SIZE"


async def test_the_issues_are_priced_by_their_page_size(
    client: httpx.AsyncClient, staff_key: str
) -> None:
    # When staff ask for small and large pages
    small = await client.post(
        "/graphql",
        json={"query": QUALITY, "variables": {"first": 5}},
        headers={"authorization": f"Bearer {staff_key}"},
    )
    large = await client.post(
        "/graphql",
        json={"query": QUALITY, "variables": {"first": 50}},
        headers={"authorization": f"Bearer {staff_key}"},
    )
    # Then the larger page is priced higher, by its items and their records
    cost = [r.json()["extensions"]["cost"]["requestedQueryCost"] for r in (small, large)]
    assert cost[1] - cost[0] == 45 * 2


@pytest.mark.parametrize("role", [None, Role.PARTNER])
async def test_anonymous_and_partner_callers_are_refused(
    client: httpx.AsyncClient, database_url: str, role: Role | None
) -> None:
    # Given an anonymous caller or a partner's key
    key = await _key(database_url, role, partner_id=1) if role else None
    # When it asks for the data-quality view
    body = await post_with_key(client, QUALITY, key, {"first": 5})
    # Then it is refused with a coded error and no data
    assert body["data"] == {"dataQuality": None}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["path"] == ["dataQuality"]


async def test_each_seed_keeps_the_unlinked_names_it_found(database_url: str) -> None:
    # Given a seeded database
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            before = (await connection.execute(UnlinkedName.__table__.select())).all()
        # When the seed runs again
        await seed_reference(database)
        async with database.engine.connect() as connection:
            after = (await connection.execute(UnlinkedName.__table__.select())).all()
    finally:
        await database.dispose()
    # Then it keeps the same names, one row each
    assert len(before) == len(load_reference().unresolved)
    assert after == before
