"""Storage: SQLite set-up, migrations, and the seed (real reference data)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette

from db.demo import _initiative, _partner, ensure_demo
from db.engine import Database
from db.migrate import check, current_revision, head_revision, upgrade
from db.models import (
    ActionPlan,
    FocusArea,
    Initiative,
    Member,
    MemberInitiative,
    Objective,
    Origin,
    Partner,
    PartnerInitiative,
    Region,
    UclgSection,
)
from db.seed import seed_reference
from server import create_app
from settings import Settings
from tests.conftest import GraphQLClient, sqlite_only

SYNCHRONOUS_NORMAL = 1  # what `PRAGMA synchronous` reads for NORMAL


async def _count(database: Database, model: type[object], *where: object) -> int:
    query = select(func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    async with database.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


@sqlite_only(
    "pragmas are SQLite's; what they ensure on SQLite (foreign keys) holds on both in "
    "test_a_row_that_points_at_nothing_is_refused"
)
async def test_pragmas_are_set_on_every_connection_of_the_apps_engine(
    app: Starlette, graphql: GraphQLClient
) -> None:
    engine = app.state.hub.database.engine
    for _ in range(2):
        async with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
            assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
            assert (await pragma("PRAGMA busy_timeout")).scalar() == 10000
            assert (await pragma("PRAGMA synchronous")).scalar() == SYNCHRONOUS_NORMAL


@sqlite_only("`synchronous` is a setting of SQLite's; PostgreSQL's durability is the server's")
@pytest.mark.parametrize(("mode", "level"), [("NORMAL", 1), ("FULL", 2)])
async def test_sqlite_synchronous_is_a_setting(database_url: str, mode: str, level: int) -> None:
    # Given a hub set to `mode`,
    app = create_app(Settings(database_url=database_url, sqlite_synchronous=mode))
    # when a connection opens, then it waits for the disk as the setting says.
    async with app.state.hub.database.engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA synchronous")).scalar() == level
    await app.state.hub.database.dispose()


async def test_a_row_that_points_at_nothing_is_refused(database_url: str) -> None:
    database = Database(database_url)
    try:
        with pytest.raises(IntegrityError):
            async with database.engine.begin() as connection:
                await connection.execute(
                    insert(MemberInitiative).values(member_id=10_000, initiative_id=1, role="lead")
                )
    finally:
        await database.dispose()


async def test_migrations_create_an_empty_database_that_matches_the_models(
    new_database_url: str,
) -> None:
    url = new_database_url
    assert await current_revision(url) is None
    await upgrade(url)
    assert await current_revision(url) == head_revision()
    await check(url)  # raises when the models and the migrations differ


@pytest.fixture
async def empty_database(new_database_url: str) -> AsyncIterator[Database]:
    """A migrated database with no data in it."""
    url = new_database_url
    await upgrade(url)
    database = Database(url)
    yield database
    await database.dispose()


async def test_seed_loads_every_reference_row_and_is_idempotent(empty_database: Database) -> None:
    database = empty_database
    first = await seed_reference(database)
    expected = {
        Member: 75,
        UclgSection: 10,
        Initiative: 24,
        Partner: 46,
        Region: 4,
        FocusArea: 6,
        ActionPlan: 1,
        Objective: 6,
    }
    for model, count in expected.items():
        assert await _count(database, model) == count, model
    assert await _count(database, Member, Member.latitude.is_(None)) == 0
    assert await _count(database, Member, Member.population > 0) == 75
    assert await _count(database, MemberInitiative) == 48
    assert await _count(database, PartnerInitiative) == 16
    assert first.changed > 0

    second = await seed_reference(database)
    assert second.changed == 0
    assert second.counts["members.unchanged"] == 75


async def test_seed_reports_names_it_cannot_link(empty_database: Database) -> None:
    report = await seed_reference(empty_database)
    lines = report.lines()
    assert any("'Melbourne' is not a member or partner on record" in line for line in lines)
    assert any("'São Paulo' is ambiguous" in line for line in lines)
    assert len(report.unresolved) == 11


async def test_demo_data_is_flagged_and_added_once(database_url: str) -> None:
    database = Database(database_url)
    try:
        report = await ensure_demo(database, 50)
        assert (report.partners, report.initiatives, report.partner_links) == (50, 5, 100)
        again = await ensure_demo(database, 50)
        assert (again.partners, again.initiatives, again.member_links) == (0, 0, 0)
        assert await _count(database, Partner, Partner.origin == Origin.DEMO) == 50
        assert await _count(database, Partner, Partner.origin == Origin.REFERENCE) == 46
        demo_names = select(Partner.name).where(Partner.origin == Origin.DEMO)
        async with database.engine.connect() as connection:
            names = list((await connection.execute(demo_names)).scalars())
        assert all("(demo " in name for name in names)
    finally:
        await database.dispose()


def test_demo_data_is_the_same_on_every_run() -> None:
    # Scale tests compare runs: the generator's output is pinned by index.
    areas = [1, 2, 3, 4, 5, 6]
    assert _partner(0, areas)[0]["name"] == "Park and Sons (demo 1)"
    assert _partner(99_999, areas)[0]["name"] == "Gonzales-Thornton (demo 100000)"
    assert _initiative(0)["title"] == "Configurable scalable archive (demo 1)"
    assert _partner(7, areas) == _partner(7, areas)
