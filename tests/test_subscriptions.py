"""Live changes over graphql-transport-ws: the `changes` subscription streams the
audit log, resumes from a cursor with nothing lost or repeated, shows each key
only what its queries would show, and holds connections to their limits."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, func, select, text
from starlette.applications import Starlette
from strawberry import relay
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from db.engine import Database
from db.models import AuditEntry, Partner, Role
from resolvers import feed as feed_module
from resolvers.access.keys import Principal, issue_key, revoke_key, rotate_key
from resolvers.changes import CHANGE_TYPES, ChangeFeed, LocalSignal, change_stream
from server import create_app
from settings import Settings
from tests.conftest import serving, sqlite_only

PROTOCOL = "graphql-transport-ws"
CHANGES = """
subscription Changes($types: [String!], $since: String) {
  changes(types: $types, since: $since) {
    cursor action recordType record actor
    fields { field before after }
  }
}
"""
MEMBER_UPDATE = """
mutation Update($input: MemberUpdateInput!) {
  memberUpdate(input: $input) { member { version } userErrors { code } }
}
"""
PARTNER_UPDATE = """
mutation Update($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) { partner { version } userErrors { code } }
}
"""
PARTNER_ARCHIVE = """
mutation Archive($input: PublicationInput!) {
  partnerArchive(input: $input) { partner { version } userErrors { code } }
}
"""
IDS = """
query Ids {
  members(where: {shortName: {eq: "Berlin"}}) { edges { node { id version } } }
  partners(where: {name: {in: ["Cisco", "Kreanta Foundation"]}}) {
    edges { node { id name version } }
  }
}
"""


@dataclass
class Hub:
    origin: str
    keys: dict[str, str]
    # The last audit entry before the test: streams start after it.
    start: str
    app: Starlette
    key_ids: dict[str, int]

    @property
    def ws(self) -> str:
        return self.origin.replace("http", "ws", 1) + "/graphql"

    async def post(self, query: str, variables: dict[str, Any], key: str) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.origin) as http:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {key}"},
            )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def hub(database_url: str, request: pytest.FixtureRequest) -> Iterator[Hub]:
    """The hub serving over a real socket; a test may change its settings with
    `@pytest.mark.parametrize("hub", [{...}], indirect=True)`."""

    async def prepare() -> tuple[dict[str, str], dict[str, int], str]:
        database = Database(database_url)
        try:
            async with database.engine.connect() as connection:
                cisco = (
                    await connection.execute(select(Partner.id).where(Partner.name == "Cisco"))
                ).scalar_one()
                last = (await connection.execute(select(func.max(AuditEntry.id)))).scalar()
            issued = {
                "staff": await issue_key(database, name="Ana (staff)", role=Role.STAFF),
                "partner": await issue_key(
                    database, name="Cisco app", role=Role.PARTNER, partner_id=cisco
                ),
            }
        finally:
            await database.dispose()
        keys = {name: key.key for name, key in issued.items()}
        return keys, {name: key.id for name, key in issued.items()}, str(last or 0)

    keys, key_ids, start = asyncio.run(prepare())
    overrides = getattr(request, "param", {})
    settings = Settings(
        database_url=database_url,
        **{"max_subscriptions": 2, "changes_poll_seconds": 1, **overrides},
    )
    app = create_app(settings)
    with serving(app) as origin:
        yield Hub(origin, keys, start, app, key_ids)


@asynccontextmanager
async def connection(hub: Hub, key: str | None = None) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection, initialised (and acknowledged)."""
    async with connect(hub.ws, subprotocols=[PROTOCOL]) as websocket:  # type: ignore[list-item]
        payload = {"authorization": f"Bearer {key}"} if key else {}
        await websocket.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert json.loads(await websocket.recv()) == {"type": "connection_ack"}
        yield websocket


async def subscribe(websocket: ClientConnection, operation_id: str, **variables: Any) -> None:
    message = {"query": CHANGES, "variables": variables}
    await websocket.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": message}))


async def receive(websocket: ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next `count` changes the connection streams."""
    changes: list[dict[str, Any]] = []
    async with asyncio.timeout(30):
        while len(changes) < count:
            message = json.loads(await websocket.recv())
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            changes.append(message["payload"]["data"]["changes"])
    return changes


async def silent(websocket: ClientConnection, seconds: float) -> bool:
    """Whether the connection sends nothing for `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            await websocket.recv()
    except TimeoutError:
        return True
    return False


async def ids(hub: Hub) -> dict[str, dict[str, Any]]:
    data = await hub.post(IDS, {}, hub.keys["staff"])
    nodes = {"Berlin": data["members"]["edges"][0]["node"]}
    nodes.update({e["node"]["name"]: e["node"] for e in data["partners"]["edges"]})
    return nodes


async def update_population(
    hub: Hub, member: dict[str, Any], times: int, *, first: int = 1
) -> None:
    version = member["version"]
    for population in range(first, first + times):
        variables = {
            "input": {"id": member["id"], "expectedVersion": version, "population": population}
        }
        data = await hub.post(MEMBER_UPDATE, variables, hub.keys["staff"])
        assert data["memberUpdate"]["userErrors"] == []
        version = data["memberUpdate"]["member"]["version"]


def populations(changes: list[dict[str, Any]]) -> list[Any]:
    return [
        next(f["after"] for f in change["fields"] if f["field"] == "population")
        for change in changes
    ]


async def test_a_reconnect_with_the_cursor_receives_exactly_the_remaining_changes(
    hub: Hub,
) -> None:
    # Given a subscriber to member changes, and 100 changes being made
    berlin = (await ids(hub))["Berlin"]
    async with connection(hub) as websocket:
        await subscribe(websocket, "1", types=["Member"], since=hub.start)
        writer = asyncio.create_task(update_population(hub, berlin, 100))
        # When it drops the connection after 50
        first = await receive(websocket, 50)
    # And reconnects with the last cursor it received
    async with connection(hub) as websocket:
        await subscribe(websocket, "1", types=["Member"], since=first[-1]["cursor"])
        rest = await receive(websocket, 50)
        await writer
        # Then it has received every change once, in order, and no more
        assert populations(first + rest) == list(range(1, 101))
        cursors = [int(change["cursor"]) for change in first + rest]
        assert cursors == sorted(set(cursors))
        assert await silent(websocket, 1.0)


async def test_each_key_sees_the_changes_its_queries_would_show(hub: Hub) -> None:
    # Given an anonymous, a partner and a staff subscriber
    records = await ids(hub)
    kreanta = records["Kreanta Foundation"]
    async with (
        connection(hub) as anonymous,
        connection(hub, hub.keys["partner"]) as partner,
        connection(hub, hub.keys["staff"]) as staff,
    ):
        for websocket in (anonymous, partner, staff):
            await subscribe(websocket, "1", since=hub.start)
        # When staff archive a partner, then change its website and contact, and edit a member
        archive = {"input": {"id": kreanta["id"], "expectedVersion": kreanta["version"]}}
        archived = await hub.post(PARTNER_ARCHIVE, archive, hub.keys["staff"])
        change = {
            "id": kreanta["id"],
            "expectedVersion": archived["partnerArchive"]["partner"]["version"],
            "website": "https://example.org/kreanta",
            "contactEmail": "hello@example.org",
        }
        await hub.post(PARTNER_UPDATE, {"input": change}, hub.keys["staff"])
        await update_population(hub, records["Berlin"], 1)
        # Then staff see all three changes, with their author
        seen = await receive(staff, 3)
        assert [(c["recordType"], c["action"]) for c in seen] == [
            ("Partner", "archive"),
            ("Partner", "update"),
            ("Member", "update"),
        ]
        assert {c["actor"] for c in seen} == {"Ana (staff)"}
        # And the others do not see changes to the archived partner, nor the author
        for websocket in (anonymous, partner):
            seen = await receive(websocket, 1)
            assert [(c["recordType"], c["actor"]) for c in seen] == [("Member", None)]
            assert await silent(websocket, 0.5)


async def write_entry(database_url: str, entry_id: int, *, age: timedelta = timedelta()) -> None:
    """An audit entry as a write transaction commits it, `age` after it took its id."""
    database = Database(database_url)
    try:
        async with database.writer() as session:
            session.add(
                AuditEntry(
                    id=entry_id,
                    at=datetime.now(UTC) - age,
                    actor="Ana (staff)",
                    action="update",
                    record_type="Member",
                    record_id=1,
                    changes={"population": [None, entry_id]},
                )
            )
            await session.commit()
    finally:
        await database.dispose()


async def test_a_change_seen_before_an_earlier_one_waits_for_it(
    hub: Hub, database_url: str
) -> None:
    # Given a subscriber
    start = int(hub.start)
    async with connection(hub, hub.keys["staff"]) as websocket:
        await subscribe(websocket, "1", since=hub.start)
        # When a change commits before one that took an earlier number (side by side
        # transactions, as on PostgreSQL)
        await write_entry(database_url, start + 2)
        # Then it is held back
        assert await silent(websocket, 1.5)
        # And when the earlier one commits, both follow in order
        await write_entry(database_url, start + 1)
        changes = await receive(websocket, 2)
    assert [int(change["cursor"]) for change in changes] == [start + 1, start + 2]


async def test_a_gap_older_than_any_transaction_is_passed(hub: Hub, database_url: str) -> None:
    # Given a change after a gap in the numbers that is a minute old (a transaction
    # that took the number and rolled back)
    start = int(hub.start)
    await write_entry(database_url, start + 2, age=timedelta(minutes=1))
    # When a subscriber starts before it
    async with connection(hub, hub.keys["staff"]) as websocket:
        await subscribe(websocket, "1", since=hub.start)
        # Then it gets the change without waiting for the gap
        (change,) = await receive(websocket, 1)
    assert int(change["cursor"]) == start + 2


async def test_contact_details_in_changes_are_for_keys_only(hub: Hub) -> None:
    # Given an anonymous and a partner subscriber to partner changes
    cisco = (await ids(hub))["Cisco"]
    async with connection(hub) as anonymous, connection(hub, hub.keys["partner"]) as partner:
        for websocket in (anonymous, partner):
            await subscribe(websocket, "1", types=["Partner"], since=hub.start)
        # When a partner's website and contact email change
        change = {
            "id": cisco["id"],
            "expectedVersion": cisco["version"],
            "website": "https://example.org/cisco",
            "contactEmail": "hello@example.org",
        }
        await hub.post(PARTNER_UPDATE, {"input": change}, hub.keys["staff"])
        # Then the partner key sees both, and the anonymous subscriber the website only
        (keyed,) = await receive(partner, 1)
        (public,) = await receive(anonymous, 1)
        assert {f["field"] for f in keyed["fields"]} == {"website", "contactEmail"}
        assert {f["field"] for f in public["fields"]} == {"website"}


async def test_a_connection_holds_at_most_its_limit_of_subscriptions(hub: Hub) -> None:
    # Given a connection allowed two subscriptions
    async with connection(hub) as websocket:
        await subscribe(websocket, "1")
        await subscribe(websocket, "2")
        # When it asks for a third
        await subscribe(websocket, "3")
        # Then the third is refused
        async with asyncio.timeout(10):
            while (message := json.loads(await websocket.recv()))["id"] != "3":
                pass
        assert message["type"] == "error"
        assert message["payload"][0]["message"] == "Subscription limit reached"
        # And the two that run show in the metrics
        async with httpx.AsyncClient(base_url=hub.origin) as http:
            exposition = (await http.get("/metrics")).text
    (active,) = [
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "hub_subscriptions_active"
    ]
    assert active >= 2


@pytest.mark.parametrize(
    ("variables", "code"),
    [({"since": "yesterday"}, "INVALID_CURSOR"), ({"types": ["Region"]}, "INVALID_TYPE")],
)
async def test_bad_arguments_get_a_clear_error(
    hub: Hub, variables: dict[str, Any], code: str
) -> None:
    # Given a connection
    async with connection(hub) as websocket:
        # When it subscribes with a bad cursor or type
        await subscribe(websocket, "1", **variables)
        # Then it gets an error with a code, not a stream
        async with asyncio.timeout(10):
            message = json.loads(await websocket.recv())
        assert message["type"] == "next"
        (error,) = message["payload"]["errors"]
        assert error["extensions"]["code"] == code


async def test_a_key_may_come_in_the_handshake_header(hub: Hub, database_url: str) -> None:
    # Given a connection whose handshake carries a staff key, and an empty connection_init
    headers = {"Authorization": f"Bearer {hub.keys['staff']}"}
    async with connect(hub.ws, subprotocols=[PROTOCOL], additional_headers=headers) as websocket:  # type: ignore[list-item]
        await websocket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await websocket.recv()) == {"type": "connection_ack"}
        await subscribe(websocket, "1", since=hub.start)
        # When a change is made
        await write_entry(database_url, int(hub.start) + 1)
        # Then the connection streams it as to staff, with its author
        (change,) = await receive(websocket, 1)
    assert change["actor"] == "Ana (staff)"


async def test_queries_go_over_http_not_the_websocket(hub: Hub) -> None:
    # Given a connection
    async with connection(hub) as websocket:
        # When it sends a query instead of a subscription
        query = {"query": "query Count { members { totalCount } }"}
        await websocket.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
        # Then it is refused, and told where queries go
        async with asyncio.timeout(10):
            message = json.loads(await websocket.recv())
    assert message["type"] == "error"
    (error,) = message["payload"]
    assert "POST to /graphql" in error["message"]


@sqlite_only(
    "it drops a table, which the per-test reset on PostgreSQL does not restore;"
    " masking is the same on both"
)
async def test_a_failure_inside_a_stream_is_masked(hub: Hub, database_url: str) -> None:
    # Given a database that has lost its audit log under the hub
    database = Database(database_url, foreign_keys=False)
    async with database.engine.begin() as connection_:
        await connection_.execute(text("DROP TABLE audit_entries"))
    await database.dispose()
    # When a subscriber starts
    async with connection(hub) as websocket:
        await subscribe(websocket, "1")
        async with asyncio.timeout(10):
            message = json.loads(await websocket.recv())
    # Then it gets an error with a reference, and nothing of the server's internals
    (error,) = message["payload"]["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert len(error["extensions"]["reference"]) == 32
    assert "audit_entries" not in json.dumps(message)


async def test_a_bad_key_closes_the_connection(hub: Hub) -> None:
    # Given a connection
    async with connect(hub.ws, subprotocols=[PROTOCOL]) as websocket:  # type: ignore[list-item]
        # When its connection_init carries a key that does not exist
        payload = {"authorization": "Bearer mh_nosuchkey"}
        await websocket.send(json.dumps({"type": "connection_init", "payload": payload}))
        # Then the hub closes it as forbidden
        with pytest.raises(ConnectionClosed) as closed:
            await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_a_trusted_documents_only_key_opens_no_connection(
    hub: Hub, database_url: str
) -> None:
    # Given a key held to published documents, which subscriptions are not
    database = Database(database_url)
    try:
        issued = await issue_key(
            database, name="kiosk", role=Role.STAFF, trusted_documents_only=True
        )
    finally:
        await database.dispose()
    async with connect(hub.ws, subprotocols=[PROTOCOL]) as websocket:  # type: ignore[list-item]
        # When its connection_init carries that key
        payload = {"authorization": f"Bearer {issued.key}"}
        await websocket.send(json.dumps({"type": "connection_init", "payload": payload}))
        # Then the hub closes it as forbidden
        with pytest.raises(ConnectionClosed) as closed:
            await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_the_legacy_protocol_is_refused(hub: Hub) -> None:
    # Given a client speaking the legacy subscriptions-transport-ws protocol
    async with connect(hub.ws, subprotocols=["graphql-ws"]) as websocket:  # type: ignore[list-item]
        # When it connects, then the hub closes the connection: the subprotocol is not acceptable
        with pytest.raises(ConnectionClosed) as closed:
            await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406


@pytest.mark.parametrize("hub", [{"changes_poll_seconds": 3600}], indirect=True)
async def test_the_audit_log_is_read_once_for_all_subscribers(hub: Hub) -> None:
    # Given eight subscribers, on four connections, streaming changes as they are made
    berlin = (await ids(hub))["Berlin"]
    async with contextlib.AsyncExitStack() as stack:
        websockets = [await stack.enter_async_context(connection(hub)) for _ in range(4)]
        for websocket in websockets:
            await subscribe(websocket, "1", types=["Member"], since=hub.start)
            await subscribe(websocket, "2", types=["Member"], since=hub.start)
        await update_population(hub, berlin, 1)
        for websocket in websockets:
            await receive(websocket, 2)
        berlin["version"] += 1
        # When three changes are made, one after another
        with audit_reads(hub) as reads:
            await update_population(hub, berlin, 3, first=2)
            for websocket in websockets:
                await receive(websocket, 6)
    # Then the hub read the audit log at most twice per change (for the change, and
    # to find nothing after it), not once per subscriber and change
    assert len(reads) <= 2 * 3, reads


@contextlib.contextmanager
def audit_reads(hub: Hub) -> Iterator[list[str]]:
    """The reads of the audit log the hub makes meanwhile."""
    reads: list[str] = []
    engine = hub.app.state.hub.database.engine.sync_engine

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM audit_entries" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


async def test_a_stream_that_falls_behind_catches_up_from_the_log(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a feed that holds at most one unread batch for a stream, and a stream
    # that took the first change and then reads nothing
    monkeypatch.setattr(feed_module, "DEPTH", 1)
    database = Database(database_url)
    signal = LocalSignal(poll_seconds=3600)
    feed = ChangeFeed(database, signal)
    async with database.engine.connect() as connection_:
        start = (await connection_.execute(select(func.max(AuditEntry.id)))).scalar() or 0
    staff = Principal(role="staff", key_id=1, name="Ana (staff)")
    stream = change_stream(feed, staff, CHANGE_TYPES, start)
    try:
        await write_entry(database_url, start + 1)
        await signal.publish()
        first = await anext(stream)
        # When five more changes are made, each read by the feed while the stream waits
        async with feed.subscribe() as watcher:
            for number in range(start + 2, start + 7):
                await write_entry(database_url, number)
                await signal.publish()
                async with asyncio.timeout(10):
                    assert [entry.id for entry in (await anext(watcher)).entries] == [number]
        # Then the stream, let go by the feed, still gets every change once, in order
        rest = [await anext(stream) for _ in range(5)]
    finally:
        await stream.aclose()
        await feed.close()
        await database.dispose()
    assert [event.id for event in [first, *rest]] == list(range(start + 1, start + 7))


PARTNER_CREATE = """
mutation Create($input: PartnerCreateInput!) {
  partnerCreate(input: $input) { partner { id } userErrors { code } }
}
"""
PARTNER_LINK = """
mutation Link($input: InitiativePartnerInput!) {
  initiativePartnerLink(input: $input) { initiative { id } userErrors { code } }
}
"""
AN_INITIATIVE = "query Initiative { initiatives(first: 1) { edges { node { id } } } }"


async def test_a_change_naming_a_hidden_record_reaches_staff_only(hub: Hub) -> None:
    # Given an anonymous, a partner and a staff subscriber, a draft partner and an
    # archived one
    records = await ids(hub)
    kreanta = records["Kreanta Foundation"]
    async with (
        connection(hub) as anonymous,
        connection(hub, hub.keys["partner"]) as partner,
        connection(hub, hub.keys["staff"]) as staff,
    ):
        for websocket in (anonymous, partner, staff):
            await subscribe(websocket, "1", since=hub.start)
        draft_input = {"name": "Quiet Fund", "kind": "DEVELOPMENT_FINANCE", "publication": "DRAFT"}
        created = await hub.post(PARTNER_CREATE, {"input": draft_input}, hub.keys["staff"])
        draft = created["partnerCreate"]["partner"]["id"]
        archive = {"input": {"id": kreanta["id"], "expectedVersion": kreanta["version"]}}
        await hub.post(PARTNER_ARCHIVE, archive, hub.keys["staff"])
        # When staff link both to a public initiative as funders, then edit a member
        initiative = (await hub.post(AN_INITIATIVE, {}, hub.keys["partner"]))["initiatives"]
        initiative_id = initiative["edges"][0]["node"]["id"]
        for partner_id in (draft, kreanta["id"]):
            link = {"initiativeId": initiative_id, "partnerId": partner_id, "role": "FUNDER"}
            linked = await hub.post(PARTNER_LINK, {"input": link}, hub.keys["staff"])
            assert linked["initiativePartnerLink"]["userErrors"] == []
        await update_population(hub, records["Berlin"], 1)
        # Then staff see both links, naming each partner
        seen = await receive(staff, 5)
        links = [change for change in seen if change["action"] == "link"]
        named = [
            f["after"] for change in links for f in change["fields"] if f["field"] == "partner"
        ]
        assert [global_id("Partner", pk) for pk in named] == [draft, kreanta["id"]]
        # And the others see no change that names either partner: only the member's
        for websocket in (anonymous, partner):
            seen = await receive(websocket, 1)
            assert [(c["recordType"], c["action"]) for c in seen] == [("Member", "update")]
            assert await silent(websocket, 0.5)


def global_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


async def closure(websocket: ClientConnection) -> tuple[int, str]:
    """The code and reason the hub closes the connection with, whatever it
    streamed before that."""

    async def drain() -> None:
        async with asyncio.timeout(30):
            while True:
                await websocket.recv()

    with pytest.raises(ConnectionClosed) as closed:
        await drain()
    assert closed.value.rcvd is not None, "the connection dropped without a close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def retire_key(database_url: str, key_id: int, how: str) -> None:
    """Revoke a key, or rotate it (which revokes it and issues a replacement)."""
    database = Database(database_url)
    try:
        if how == "revoke":
            assert await revoke_key(database, key_id)
        else:
            assert await rotate_key(database, key_id) is not None
    finally:
        await database.dispose()


@pytest.mark.parametrize("how", ["revoke", "rotate"])
async def test_a_retired_key_may_not_subscribe_on_its_open_connection(
    hub: Hub, database_url: str, how: str
) -> None:
    # Given a partner key's connection with a running subscription
    async with connection(hub, hub.keys["partner"]) as websocket:
        await subscribe(websocket, "1", since=hub.start)
        # When the key is revoked (or rotated), and the connection subscribes again
        await retire_key(database_url, hub.key_ids["partner"], how)
        await subscribe(websocket, "2", since=hub.start)
        # Then the hub closes the connection as forbidden, saying why
        code, reason = await closure(websocket)
    assert code == 4403
    assert "revoked or rotated" in reason


@pytest.mark.parametrize("how", ["revoke", "rotate"])
@pytest.mark.parametrize("hub", [{"key_check_seconds": 1}], indirect=True)
async def test_a_retired_key_loses_its_open_subscriptions(
    hub: Hub, database_url: str, how: str
) -> None:
    # Given a partner key's connection with a subscription that streams changes
    berlin = (await ids(hub))["Berlin"]
    async with connection(hub, hub.keys["partner"]) as websocket:
        await subscribe(websocket, "1", types=["Member"], since=hub.start)
        await update_population(hub, berlin, 1)
        await receive(websocket, 1)
        # When the key is revoked (or rotated) and the connection sends nothing more
        await retire_key(database_url, hub.key_ids["partner"], how)
        # Then the hub closes it as forbidden at its next check of open keys
        code, reason = await closure(websocket)
    assert code == 4403
    assert "revoked or rotated" in reason


async def refused(hub: Hub, key: str | None = None) -> tuple[int, str]:
    """How the hub closes a new connection that it refuses."""
    async with connect(hub.ws, subprotocols=[PROTOCOL]) as websocket:  # type: ignore[list-item]
        payload = {"authorization": f"Bearer {key}"} if key else {}
        with contextlib.suppress(ConnectionClosed):
            await websocket.send(json.dumps({"type": "connection_init", "payload": payload}))
        return await closure(websocket)


@pytest.mark.parametrize("hub", [{"max_websockets_per_address": 2}], indirect=True)
async def test_an_address_holds_at_most_its_share_of_connections(hub: Hub) -> None:
    # Given an address with two connections open, its share
    async with connection(hub), connection(hub, hub.keys["staff"]):
        # When it opens a third, then the hub closes it, saying why
        code, reason = await refused(hub, hub.keys["partner"])
        assert code == 4429
        assert "from this address (at most 2)" in reason
    # And once those two are closed, it may connect again
    async with connection(hub):
        pass


@pytest.mark.parametrize("hub", [{"max_websockets_per_key": 2}], indirect=True)
async def test_a_key_holds_at_most_its_share_of_connections(hub: Hub) -> None:
    # Given a key with two connections open, its share
    async with connection(hub, hub.keys["partner"]), connection(hub, hub.keys["partner"]):
        # When it opens a third, then the hub closes it, saying why
        code, reason = await refused(hub, hub.keys["partner"])
        assert code == 4429
        assert "with this key (at most 2)" in reason
        # And other keys, and callers without one, still connect
        async with connection(hub, hub.keys["staff"]), connection(hub):
            pass


@pytest.mark.parametrize("hub", [{"max_websockets": 2}], indirect=True)
async def test_the_hub_holds_at_most_its_total_of_connections(hub: Hub) -> None:
    # Given a hub holding two connections, its most
    async with connection(hub), connection(hub, hub.keys["partner"]):
        # When a third arrives, with a key or not, then the hub closes it: try again later
        for key in (None, hub.keys["staff"]):
            code, reason = await refused(hub, key)
            assert code == 1013
            assert "try again later" in reason


@pytest.mark.parametrize("hub", [{"failed_auth_budget": "2/minute"}], indirect=True)
async def test_failed_authentications_do_not_lock_out_a_valid_key(hub: Hub) -> None:
    # Given an address whose bad keys spent its failed-authentication budget,
    for _ in range(3):
        code, _reason = await refused(hub, "mh_nosuchkey")
        assert code == 4403
    # when a valid key connects from it, then it is acknowledged (`connection`
    # checks) and its subscription is not refused.
    async with connection(hub, hub.keys["staff"]) as websocket:
        await subscribe(websocket, "1", since=hub.start)
        assert await silent(websocket, 0.5)
