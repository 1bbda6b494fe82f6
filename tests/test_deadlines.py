"""A request past its time budget is stopped, not only answered: the statement
it has running stops too, and the server answers other requests meanwhile."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx
import pytest
from sqlalchemy import event, exists, insert, literal, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased
from starlette.applications import Starlette

import schema as hub_schema
from db.deadlines import Deadline, current, deadline
from db.engine import Database
from db.models import Initiative, Member, MemberInitiative
from engine.limits import LIMITS
from tests.conftest import sqlite_only

ON_SQLITE_ONLY = sqlite_only(
    "the progress handler is SQLite's; on PostgreSQL, asyncpg cancels a statement on the "
    "server when the task awaiting it is cancelled, which the time budget does"
)

# Counts to 10^8: half a minute of work, unless something stops it.
LONG = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
    "SELECT count(*) FROM n"
)


@ON_SQLITE_ONLY
async def test_a_statement_stops_at_its_deadline_while_the_loop_runs_on(database_url: str) -> None:
    database = Database(database_url)
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(ticking())
    try:
        # Given a statement that would run for tens of seconds, sent under a deadline
        with deadline(0.05) as budget:
            async with database.engine.connect() as connection:
                # then it stops once the deadline has passed
                with pytest.raises(OperationalError, match="interrupted"):
                    await connection.execute(text(LONG))
                # and the connection is free for the next statement
                assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    finally:
        ticker.cancel()
        await database.dispose()
    assert budget.expired
    # while it ran, the event loop ran other tasks
    assert ticks > 0


@pytest.fixture
async def database_url(database_url: str) -> str:
    """The seeded database with every member in every initiative (75 x 24 links):
    each relation step of SLOW then fans out 24 or 75 ways, some seconds of work."""
    database = Database(database_url)
    columns = [column.name for column in MemberInitiative.__table__.columns]
    template = select(MemberInitiative).limit(1).subquery()
    linked = aliased(MemberInitiative)
    pairs = (
        select(
            *[
                Member.id
                if name == "member_id"
                else Initiative.id
                if name == "initiative_id"
                else template.c[name]
                for name in columns
            ]
        )
        .select_from(Member)
        .join(Initiative, literal(True))
        .join(template, literal(True))
        .where(
            ~exists().where(linked.member_id == Member.id, linked.initiative_id == Initiative.id)
        )
    )
    try:
        async with database.engine.begin() as connection:
            await connection.execute(insert(MemberInitiative).from_select(columns, pairs))
    finally:
        await database.dispose()
    return database_url


SLOW = "query Slow($where: MemberWhere) { members(first: 1, where: $where) { totalCount } }"
# Members in an initiative with a member in an initiative titled ...: three steps, the most
# allowed; seven of them, as many as the cost limit takes.
STEPS = {
    "initiatives": {
        "some": {
            "members": {"some": {"initiatives": {"some": {"title": {"contains": "no such title"}}}}}
        }
    }
}


@ON_SQLITE_ONLY
async def test_a_request_past_its_budget_is_stopped_with_its_statement(
    app: Starlette, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a time budget much shorter than the statement a request needs
    monkeypatch.setattr(hub_schema, "LIMITS", dataclasses.replace(LIMITS, time_seconds=0.3))
    started = asyncio.Event()
    deadlines: list[Deadline | None] = []

    def on_execute(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "member_initiatives" in statement:
            deadlines.append(current())
            started.set()

    engine = app.state.hub.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    # (A connection in the pool already, so that the request's first await is its statement.)
    assert (await client.get("/ready")).status_code == 200

    # When the request runs, and /health is asked once its statement has started
    slow = asyncio.create_task(
        client.post("/graphql", json={"query": SLOW, "variables": {"where": {"or": [STEPS] * 7}}})
    )
    # (or, on a machine too busy to start it within the budget, the request ends first)
    waiting = asyncio.create_task(started.wait())
    await asyncio.wait([waiting, slow], return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    assert started.is_set(), "the request ended before its statement started"
    health = await client.get("/health")

    # then /health answers while the request is still running
    assert health.status_code == 200
    assert not slow.done()
    # and the request is answered as timed out, its statement stopped at the deadline
    [error] = (await slow).json()["errors"]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert deadlines
    assert all(found is not None and found.expired for found in deadlines)
    event.remove(engine, "before_cursor_execute", on_execute)
