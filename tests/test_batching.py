"""Every relation is read in batch: statements per request do not grow with
the page size (no N+1), and a request that needs no data opens no connection."""

from __future__ import annotations

import asyncio
import gc
import weakref

from sqlalchemy import event, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database
from db.models import Member
from db.reader import Reader
from loadtest.queries import DIRECTORY, global_id
from loadtest.queries import NESTED as BENCH_NESTED
from resolvers.loaders import Loaders
from resolvers.pagination import page_args
from resolvers.records import MemberRecord
from tests.conftest import GraphQLClient, StatementCounter

ENTITIES_OF_TWO_TYPES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Partner { id name }
    ... on Member { id name }
  }
}
"""

NESTED = """
query Nested($first: Int!) {
  members(first: $first) {
    totalCount
    edges {
      node {
        name
        region { name }
        initiatives(first: 1) {  # inner pages of 1: the request stays within its cost budget
          edges {
            role
            node {
              title
              dimensions
              members(first: 1) { totalCount edges { role node { name } } }
              partners(first: 1) { totalCount edges { role node { name kind } } }
            }
          }
        }
      }
    }
  }
}
"""


async def test_nested_query_costs_the_same_statements_for_any_page_size(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    counts = {}
    for first in (1, 20, 70):
        sql.reset()
        data = await graphql.data(NESTED, {"first": first})
        assert len(data["members"]["edges"]) == first
        counts[first] = sql.count
    # One statement per level: members, regions, initiatives, dimensions,
    # initiative members, initiative partners.
    assert counts == {1: 6, 20: 6, 70: 6}, counts


async def test_typename_opens_no_connection(graphql: GraphQLClient, sql: StatementCounter) -> None:
    sql.reset()
    data = await graphql.data("{ __typename }")
    assert data == {"__typename": "Query"}
    assert sql.connections == 0
    assert sql.count == 0


async def test_the_benchmark_nested_page_takes_at_most_five_statements(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given the benchmark's nested page (members, regions, initiatives, partners),
    # with inner pages of 1 to stay within the cost budget
    counts = {}
    for first in (1, 20, 70):
        # When a page of `first` members is read
        sql.reset()
        data = await graphql.data(BENCH_NESTED, {"first": first, "inner": 1})
        assert len(data["members"]["edges"]) == first
        counts[first] = sql.count
    # Then it takes the same few statements whatever the page size
    assert len(set(counts.values())) == 1, counts
    assert counts[1] <= 5, counts


async def test_a_request_reads_all_its_levels_through_one_connection(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given the benchmark's nested page: members, then their regions and
    # initiatives (two batches of one level), then the initiatives' partners,
    # read once (the process's data-version watcher has its own connection)
    variables = {"first": 20, "inner": 1}
    await graphql.data(BENCH_NESTED, {**variables, "inner": 2})
    sql.reset()
    # When a page of 20 members is read
    data = await graphql.data(BENCH_NESTED, variables)
    # Then every level's statements went through one pooled connection
    assert len(data["members"]["edges"]) == 20
    assert sql.count == 4, sql.statements
    assert sql.connections == 1


async def test_a_readers_batches_take_turns_on_one_connection(database_url: str) -> None:
    # Given a request's reader over the database, and a count of checkouts
    database = Database(database_url)
    checkouts: list[object] = []
    event.listen(database.engine.sync_engine.pool, "checkout", lambda *args: checkouts.append(1))
    reader = Reader(database.engine)
    held: list[AsyncConnection] = []

    async def batch() -> int:
        async with reader.connect() as connection:
            held.append(connection)
            count = (await connection.execute(select(func.count(Member.id)))).scalar_one()
            # Another batch waits for its turn: it never uses the connection meanwhile.
            assert held[-1] is connection
            return int(count)

    try:
        # When three batches of one level read at once
        counts = await asyncio.gather(batch(), batch(), batch())
        # Then they read the same through one connection, in turn,
        assert len(set(counts)) == 1
        assert counts[0] > 0
        assert len(checkouts) == 1
        assert len({id(c) for c in held}) == 1
        # and once the request ends, a batch that outlived it takes its own
        await reader.close()
        assert await batch() == counts[0]
        assert len(checkouts) == 2
        assert database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await database.dispose()


async def test_a_readers_statements_take_no_transaction(database_url: str) -> None:
    # Given a request's reader over the database
    database = Database(database_url)
    reader = Reader(database.engine)
    try:
        async with reader.connect() as connection:
            # When it reads
            await connection.execute(select(func.count(Member.id)))
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            if database.engine.dialect.name == "sqlite":
                # Then SQLite was asked for no BEGIN,
                assert raw.in_transaction is False
            else:
                # or PostgreSQL's session is idle between statements, in no transaction
                await connection.execute(text("SELECT 1"))
                assert raw.is_in_transaction() is False
                # and plans each statement for the ids it is given (db/engine.py)
                mode = (await connection.execute(text("SHOW plan_cache_mode"))).scalar_one()
                assert mode == "force_custom_plan"
        # and the next batch of the request reads what was written meanwhile
        async with database.writer() as session:
            await session.execute(update(Member).values(name=Member.name + "!"))
            await session.commit()
        async with reader.connect() as connection:
            names = (await connection.execute(select(Member.name))).scalars().all()
            assert names
            assert all(name.endswith("!") for name in names)
    finally:
        await reader.close()
        await database.dispose()


async def test_a_directory_page_takes_at_most_two_statements(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    sql.reset()
    data = await graphql.data(DIRECTORY, {"query": "metropolitan"})
    assert data["search"]["totalCount"] > 0
    assert sql.count <= 2, sql.statements


async def test_entities_take_one_statement_per_type(
    graphql: GraphQLClient, sql: StatementCounter
) -> None:
    # Given representations of partners and members, mixed
    representations = [
        {"__typename": type_name, "id": global_id(type_name, pk)}
        for pk in range(1, 21)
        for type_name in ("Partner", "Member")
    ]
    sql.reset()
    # When the gateway asks for them
    data = await graphql.data(ENTITIES_OF_TWO_TYPES, {"representations": representations})
    # Then each type is read with one statement
    assert len(data["_entities"]) == 40
    assert sql.count == 2, sql.statements


async def test_a_requests_loaders_and_records_go_when_it_ends(database_url: str) -> None:
    # The loading functions do not hold the loaders that hold them: once the
    # request lets go of its loaders, they and their records are freed at once,
    # not at the collector's next pass.
    database = Database(database_url)
    gc.collect()
    gc.disable()
    try:
        loaders = Loaders(database)
        [member] = await loaders.by_id(MemberRecord).load_many([1])
        await loaders.relation("member.initiatives").load((1, page_args(5, None)))
        await loaders.dimensions.load(1)
        assert member is not None
        gone = weakref.ref(loaders)
        del loaders
        assert gone() is None
    finally:
        gc.enable()
        await database.dispose()
