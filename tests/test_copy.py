"""`metrohub db copy`: every row from one database into another, across SQLite
and PostgreSQL, proved by counts and checksums; and what it refuses."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

import cli
from db.copy import CopyError, checksums, copy_database
from db.demo import ensure_demo
from db.engine import Database
from db.migrate import upgrade
from db.models import ApiKey, Partner, PartnerKind, Role
from db.seed import seed_reference
from resolvers.access.keys import issue_key, rotate_key
from resolvers.pagination import PageArgs
from resolvers.search import SearchFilters, search
from tests.conftest import sqlite_url


async def _seeded_sqlite(path: Path) -> str:
    """A SQLite hub with reference and demo data, and a rotated key (a row
    that refers to a later row of its own table)."""
    url = sqlite_url(path)
    await upgrade(url)
    database = Database(url)
    try:
        await seed_reference(database)
        await ensure_demo(database, 40)
        issued = await issue_key(database, name="ops", role=Role.STAFF, partner_id=None)
        assert await rotate_key(database, issued.id) is not None
    finally:
        await database.dispose()
    return url


async def _checksums(url: str) -> dict[str, tuple[int, str]]:
    database = Database(url)
    try:
        return await checksums(database)
    finally:
        await database.dispose()


async def test_a_round_trip_through_the_other_database_leaves_identical_data(
    tmp_path: Path, new_database_url: str
) -> None:
    # Given a seeded SQLite hub (the other database is PostgreSQL when the
    # suite runs on it, else another SQLite file),
    original = await _seeded_sqlite(tmp_path / "original.db")
    back = sqlite_url(tmp_path / "back.db")

    # when it is copied there and back into a new SQLite file,
    there = await copy_database(original, new_database_url)
    again = await copy_database(new_database_url, back)

    # then every table holds the same rows on all three, checksum for checksum,
    expected = await _checksums(original)
    assert expected["partners"][0] == 46 + 40
    assert expected["api_keys"][0] == 2
    assert await _checksums(new_database_url) == expected
    assert await _checksums(back) == expected
    assert {t.table: (t.rows, t.target_checksum) for t in there.tables} == expected
    assert all(table.verified for table in again.tables)

    # and the copy works as a hub: its search index is whole, and new rows
    # get new ids.
    database = Database(new_database_url)
    try:
        page = await search(database, "barcelona", SearchFilters(), PageArgs(first=50))
        assert page.total_count >= 6
        async with database.sessions() as session:
            last = await session.scalar(select(func.max(Partner.id)))
            partner = Partner(name="Copied Later", kind=PartnerKind.OTHER)
            session.add(partner)
            await session.commit()
        assert last is not None
        assert partner.id > last
        async with database.sessions() as session:
            rotated = await session.scalar(select(ApiKey).where(ApiKey.replaced_by_id.is_not(None)))
            assert rotated is not None
            assert rotated.revoked_at is not None
    finally:
        await database.dispose()


async def test_a_copy_into_a_database_that_holds_data_is_refused(
    tmp_path: Path, database_url: str
) -> None:
    # Given a seeded source and a target that already holds the seed,
    source = await _seeded_sqlite(tmp_path / "source.db")
    before = await _checksums(database_url)

    # when the copy is asked for, then it is refused and the target is left alone.
    with pytest.raises(CopyError, match="already holds data"):
        await copy_database(source, database_url)
    assert await _checksums(database_url) == before


async def test_a_source_without_the_hub_tables_is_refused(
    tmp_path: Path, new_database_url: str
) -> None:
    # Given a database that exists but holds no tables,
    database = Database(new_database_url)
    async with database.engine.connect():
        pass
    await database.dispose()
    # then copying from it is refused.
    with pytest.raises(CopyError, match="migrate it first"):
        await copy_database(new_database_url, sqlite_url(tmp_path / "target.db"))


def test_the_command_reports_the_copy_and_its_refusals(
    tmp_path: Path, new_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = asyncio.run(_seeded_sqlite(tmp_path / "source.db"))
    assert cli.main(["db", "copy", "--from", source, "--to", new_database_url]) == 0
    out = capsys.readouterr().out
    assert "partners: 86 rows" in out
    assert "counts and checksums agree" in out

    # A second copy into the now filled database is refused with the reason.
    assert cli.main(["db", "copy", "--from", source, "--to", new_database_url]) == 1
    error = capsys.readouterr().err
    assert "already holds data" in error
    assert "Traceback" not in error


@pytest.mark.parametrize(
    ("source", "target", "reason"),
    [
        (
            "sqlite+aiosqlite:///{tmp}/missing.db",
            "sqlite+aiosqlite:///{tmp}/t.db",
            "does not exist",
        ),
        ("{source}", "not a database url", "cannot use the databases given"),
        ("{source}", "{source}", "the same database"),
    ],
)
def test_the_command_refuses_what_it_cannot_copy(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    source: str,
    target: str,
    reason: str,
) -> None:
    urls = {"tmp": str(tmp_path), "source": asyncio.run(_seeded_sqlite(tmp_path / "s.db"))}
    assert (
        cli.main(["db", "copy", "--from", source.format(**urls), "--to", target.format(**urls)])
        == 1
    )
    error = capsys.readouterr().err
    assert reason in error
    assert "Traceback" not in error
    assert not (tmp_path / "missing.db").exists()
