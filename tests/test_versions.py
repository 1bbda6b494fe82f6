"""The data version: one watcher connection, shared by the network graph's
cache and the response cache, whose value changes with every committed write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from starlette.applications import Starlette

from db.engine import Database
from db.models import Partner
from db.versions import DATA_VERSION_CHECKS, DataVersion
from tests.conftest import GraphQLClient

PARTNERS = """
query Partners($first: Int!) {
  partners(first: $first) { totalCount }
}
"""
MOST_CONNECTED = """
query MostConnected($first: Int!) {
  mostConnected(types: [PARTNER], first: $first) { totalCount }
}
"""


@pytest.fixture
def checks(app: Starlette) -> Iterator[list[tuple[int, str]]]:
    """The data-version checks the app sends: the connection and the statement."""
    found: list[tuple[int, str]] = []
    engine = app.state.hub.database.engine.sync_engine

    def on_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement in DATA_VERSION_CHECKS.values():
            found.append((id(conn), statement))

    event.listen(engine, "before_cursor_execute", on_execute)
    yield found
    event.remove(engine, "before_cursor_execute", on_execute)


async def test_the_data_version_changes_with_a_committed_write_and_only_then(
    database_url: str,
) -> None:
    database = Database(database_url)
    versions = DataVersion(database)
    try:
        # Given the data version read twice with nothing written between,
        before = await versions.current()
        # then it has not changed;
        assert await versions.current() == before
        # when a partner is written and committed on another connection,
        async with database.engine.begin() as connection:
            await connection.execute(
                update(Partner)
                .where(Partner.id == select(func.min(Partner.id)).scalar_subquery())
                .values(website="https://example.org")
            )
        # then the version has changed.
        assert await versions.current() != before
    finally:
        await versions.close()
        await database.dispose()


async def test_the_graph_and_the_response_cache_check_on_one_watcher_connection(
    graphql: GraphQLClient, checks: list[tuple[int, str]], app: Starlette
) -> None:
    # Given an anonymous list (the response cache checks the version) and a
    # question of the network graph (its cache checks it too), each asked twice,
    for _ in range(2):
        await graphql.data(PARTNERS, {"first": 5})
        await graphql.data(MOST_CONNECTED, {"first": 5})
    # then every check ran on the one watcher connection, with the statement
    # of the database's dialect.
    dialect = app.state.hub.database.engine.dialect.name
    assert len(checks) >= 4
    assert {connection for connection, _ in checks} == {checks[0][0]}
    assert {statement for _, statement in checks} == {DATA_VERSION_CHECKS[dialect]}
