"""Fuzzing: valid operations generated from the hub's printed schema by
hypothesis-graphql, for every root Query field and every mutation, sent over
HTTP to the hub under uvicorn, as staff and anonymously. Whatever they ask,
the hub answers in GraphQL-over-HTTP JSON, never with a 5xx. (How long it
takes is no test's business: query costs are bounded by `engine/limits.py`,
and timings belong in bench/.)

Every fuzzed query also goes to a second hub over the same database with the
compiled read path off (engine/execution.py), and both answers must be the
same bytes: the fuzz corpus is the compiled path's differential test too.

Seeds are fixed (`derandomize=True`): a run finds what the last one found.
Arguments are drawn from the seed data (real global IDs and cursors, words
that occur in it) as often as from random values, so that most operations
get past validation and are executed; each test counts the operations the
hub executed and fails below a floor, so it cannot pass on refusals alone.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from db.engine import Database
from db.models import Role
from resolvers.access.keys import issue_key
from schema import sdl
from server import create_app
from settings import Settings
from tests.conftest import COUNTS_REQUESTS, serving

SCHEMA = graphql.build_schema(sdl(), assume_valid_sdl=True)
assert SCHEMA.query_type is not None
assert SCHEMA.mutation_type is not None
# Query fields for admin keys only, fuzzed as the admin rather than as staff.
ADMIN_QUERY_FIELDS = ["apiKeys"]
QUERY_FIELDS = sorted(set(SCHEMA.query_type.fields) - set(ADMIN_QUERY_FIELDS))
MUTATION_FIELDS = sorted(SCHEMA.mutation_type.fields)

COMPUTED_AT = re.compile(rb'"computedAt":"[^"]*"')
# Only so that a request that hangs fails the test rather than stalling it.
HANG_GUARD_S = 60
SPARE_KEYS = 10
# Per root field; `FUZZ_EXAMPLES=200 pytest tests/test_fuzz.py` searches deeper.
QUERY_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "16"))
MUTATION_EXAMPLES = max(1, QUERY_EXAMPLES // 2)

# IDs and cursors of the seed data, read once from the live hub.
SAMPLES = """
query FuzzSamples {
  members(first: 5) { edges { cursor node { id initiatives(first: 2) { edges { cursor } } } } }
  partners(first: 5) { edges { cursor node { id } } }
  initiatives(first: 5) {
    edges { cursor node { id objectives(first: 2) { edges { node { id } } } } }
  }
  uclgSections(first: 3) { edges { cursor node { id } } }
  regions(first: 4) { edges { cursor node { id } } }
  focusAreas(first: 3) { edges { cursor node { id } } }
  actionPlans(first: 2) { edges { cursor node { id } } }
  search(query: "metropolitan", first: 3) { edges { cursor } }
  mostConnected(first: 3) { edges { cursor } }
  near(latitude: 41.4, longitude: 2.2, km: 2000, first: 3) { edges { cursor } }
  changes(first: 3) { edges { cursor } }
}
"""
WORDS = ("metropolitan", "barcelona", "climate", "sao paulo", "gov", "", "Member", "FR", "ES")
ENTITY_TYPES = ("Member", "Partner", "Initiative", "Region", "UclgSection", "FocusArea")


class Outcomes:
    """How each root field fared: executed, refused, and by whom."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def sent(self, by: str) -> int:
        """How many operations `by` sent (a small root field has fewer
        distinct operations than examples asked for)."""
        return sum(n for outcome, n in self.counts.items() if outcome.startswith(f"{by} "))


def _samples(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (key, string) pair under `value`, a response's data."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _samples(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _samples(item, key)
    elif isinstance(value, str):
        yield key, value


def _mostly(
    sensible: st.SearchStrategy[Any], anything: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Nine draws in ten from `sensible`: an operation has many arguments, and
    one out-of-range value among them has the whole operation refused."""
    return st.integers(0, 9).flatmap(lambda n: sensible if n else anything)


def _representation(typename: str, global_id: str) -> graphql.ObjectValueNode:
    return nodes.Object(
        [
            graphql.ObjectFieldNode(
                name=graphql.NameNode(value="__typename"), value=nodes.String(typename)
            ),
            graphql.ObjectFieldNode(
                name=graphql.NameNode(value="id"), value=nodes.String(global_id)
            ),
        ]
    )


def _scalars(ids: list[str], cursors: list[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Value strategies for every scalar: mostly from the seed data, sometimes anything."""
    text = st.text(max_size=40)
    return {
        "ID": _mostly(st.sampled_from(ids), text).map(nodes.String),
        "String": _mostly(st.sampled_from((*cursors, *WORDS)), text).map(nodes.String),
        "Int": _mostly(st.integers(1, 8), st.integers(-(2**31), 2**31 - 1)).map(nodes.Int),
        "Float": _mostly(st.floats(0, 90), st.floats(allow_nan=False, allow_infinity=False)).map(
            nodes.Float
        ),
        "DateTime": _mostly(
            st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat()), text
        ).map(nodes.String),
        "JSON": st.one_of(
            text.map(nodes.String), st.integers().map(nodes.Int), st.booleans().map(nodes.Boolean)
        ),
        "SchemaCoordinate": _mostly(
            st.sampled_from(("Member.population", "Region.name", "Partner.website")), text
        ).map(nodes.String),
        "_Any": st.builds(_representation, st.sampled_from(ENTITY_TYPES), st.sampled_from(ids)),
    }


def _same_graph(content: bytes) -> bytes:
    """An answer with the network graph's `computedAt` blanked: each hub
    computes the graph itself, a moment apart."""
    return COMPUTED_AT.sub(b'"computedAt":""', content)


class Hub:
    """The hub under uvicorn, clients with a staff key, an admin key (staff
    who may also manage keys) and none, and the seed data's IDs and cursors."""

    def __init__(self, origin: str, standard: str, staff_key: str, admin_key: str) -> None:
        self.origin = origin
        self.staff = httpx.Client(
            base_url=origin,
            headers={"authorization": f"Bearer {staff_key}"},
            timeout=HANG_GUARD_S,
        )
        self.admin = httpx.Client(
            base_url=origin,
            headers={"authorization": f"Bearer {admin_key}"},
            timeout=HANG_GUARD_S,
        )
        self.anonymous = httpx.Client(base_url=origin, timeout=HANG_GUARD_S)
        # The same clients of the hub with the compiled path off.
        self.standard = {
            id(client): httpx.Client(
                base_url=standard, headers=client.headers, timeout=HANG_GUARD_S
            )
            for client in (self.staff, self.anonymous)
        }
        body = self.staff.post("/graphql", json={"query": SAMPLES}).json()
        assert "errors" not in body, body
        samples = set(_samples(body["data"]))
        self.scalars = _scalars(
            sorted(value for key, value in samples if key == "id"),
            sorted(value for key, value in samples if key == "cursor"),
        )
        self.tallies: dict[str, Outcomes] = {}

    def send(self, client: httpx.Client, document: str, compare: bool = False) -> dict[str, Any]:
        """Post `document`; check the answer is well-formed and no 5xx, and
        (`compare`) the same bytes as the hub with the compiled path off."""
        response = client.post("/graphql", json={"query": document})
        if compare:
            standard = self.standard[id(client)].post("/graphql", json={"query": document})
            assert (response.status_code, _same_graph(response.content)) == (
                standard.status_code,
                _same_graph(standard.content),
            ), document
        assert response.status_code < 500, (document, response.text)
        assert response.headers["content-type"].startswith("application/json"), response.headers
        body = response.json()
        assert isinstance(body, dict), body
        assert body.keys() <= {"data", "errors", "extensions"}, body
        assert "data" in body or "errors" in body, body
        for error in body.get("errors", []):
            assert isinstance(error["message"], str), error
            assert error["message"], error
            # Internals never leave the server.
            assert "Traceback" not in error["message"]
            assert "sqlalchemy" not in error["message"].lower()
        if response.status_code != 200:
            assert "data" not in body or body["data"] is None, body
        return dict(body)

    def outcome(self, body: dict[str, Any]) -> str:
        """`executed`, or `refused` with the errors' codes (whether or not
        some data came with them)."""
        if "errors" not in body:
            return "executed"
        codes = {error.get("extensions", {}).get("code", "INVALID") for error in body["errors"]}
        return "refused " + ",".join(sorted(codes))


@pytest.fixture(scope="module")
def hub(module_database_url: str) -> Iterator[Hub]:

    async def keys() -> tuple[str, str]:
        database = Database(module_database_url)
        try:
            staff = await issue_key(database, name="fuzz staff", role=Role.STAFF)
            # Keys for the key mutations to rotate and revoke: the fuzzer draws
            # key numbers from 1 to 8, and the admin key comes after them.
            for number in range(SPARE_KEYS):
                await issue_key(database, name=f"fuzz spare {number}", role=Role.STAFF)
            admin = await issue_key(database, name="fuzz admin", role=Role.ADMIN)
            return staff.key, admin.key
        finally:
            await database.dispose()

    staff_key, admin_key = asyncio.run(keys())
    # Production exposure, budgets raised so that rate limits refuse nothing.
    settings_ = Settings(
        database_url=module_database_url,
        anonymous_budget="1000000/minute",
        partner_budget="1000000/minute",
        failed_auth_budget="1000000/minute",
    )
    with (
        serving(create_app(settings_)) as origin,
        serving(create_app(replace(settings_, compiled=False))) as standard,
    ):
        hub = Hub(origin, standard, staff_key, admin_key)
        yield hub
        print()
        for name, tally in sorted(hub.tallies.items()):
            print(f"fuzz {name}: {dict(sorted(tally.counts.items()))}")
        for client in (hub.staff, hub.admin, hub.anonymous, *hub.standard.values()):
            client.close()


FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=False,
)


@pytest.mark.parametrize("field", QUERY_FIELDS)
def test_fuzzed_queries_get_well_formed_answers(hub: Hub, field: str) -> None:
    tally = hub.tallies.setdefault(field, Outcomes())

    compare = field not in COUNTS_REQUESTS

    @settings(FUZZ, max_examples=QUERY_EXAMPLES)
    @given(queries(SCHEMA, fields=[field], custom_scalars=hub.scalars))
    def check(document: str) -> None:
        # Given a valid query on `field`, when staff and an anonymous client
        # send it, then each gets a well-formed answer (asserted in send),
        # the same with the compiled path off.
        tally.add("staff " + hub.outcome(hub.send(hub.staff, document, compare)))
        tally.add("anonymous " + hub.outcome(hub.send(hub.anonymous, document, compare)))

    check()
    # And the hub executed enough of them for the run to mean something (the
    # rest it refused with a clear error: mostly cursors from another list or
    # IDs of another type, which no strategy per scalar type can avoid).
    assert tally.counts["staff executed"] >= max(1, tally.sent("staff") / 10), tally.counts


@pytest.mark.parametrize("field", ADMIN_QUERY_FIELDS)
def test_fuzzed_admin_queries_get_well_formed_answers(hub: Hub, field: str) -> None:
    tally = hub.tallies.setdefault(field, Outcomes())

    @settings(FUZZ, max_examples=QUERY_EXAMPLES)
    @given(queries(SCHEMA, fields=[field], custom_scalars=hub.scalars))
    def check(document: str) -> None:
        # Given a valid query on an admin's field, when an admin and an
        # anonymous client send it, then each gets a well-formed answer.
        tally.add("admin " + hub.outcome(hub.send(hub.admin, document)))
        tally.add("anonymous " + hub.outcome(hub.send(hub.anonymous, document)))

    check()
    assert tally.counts["admin executed"] >= max(1, tally.sent("admin") / 10), tally.counts
    assert tally.counts["anonymous executed"] == 0, tally.counts


@pytest.mark.parametrize("field", MUTATION_FIELDS)
def test_fuzzed_mutations_get_well_formed_answers(hub: Hub, field: str) -> None:
    tally = hub.tallies.setdefault(field, Outcomes())

    @settings(FUZZ, max_examples=MUTATION_EXAMPLES)
    @given(mutations(SCHEMA, fields=[field], custom_scalars=hub.scalars))
    def check(document: str) -> None:
        # Given a valid mutation, when an anonymous client and an admin send
        # it, then each gets a well-formed answer.
        tally.add("anonymous " + hub.outcome(hub.send(hub.anonymous, document)))
        tally.add("admin " + hub.outcome(hub.send(hub.admin, document)))

    check()
    assert tally.counts["admin executed"] >= max(1, tally.sent("admin") / 2), tally.counts
