"""The full-text search index: triggers keep it in step with the tables."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import cli
from db.engine import Database
from db.migrate import upgrade
from db.seed import seed_reference
from tests.conftest import sqlite_url


def _index_matches_tables(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        # Raises when the FTS5 index and its stored text disagree.
        connection.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
        indexed = dict(connection.execute("SELECT rowid, title FROM search_index"))
        records = dict(
            connection.execute(
                "SELECT id * 4 + 1, name FROM members UNION ALL "
                "SELECT id * 4 + 2, name FROM partners UNION ALL "
                "SELECT id * 4 + 3, title FROM initiatives"
            )
        )
    assert indexed == records


def test_seed_and_demo_data_leave_the_index_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hub.db"
    monkeypatch.setenv("HUB_DATABASE_URL", sqlite_url(path))
    assert cli.main(["seed"]) == 0
    _index_matches_tables(path)
    assert cli.main(["seed", "--demo", "30"]) == 0
    _index_matches_tables(path)
    assert cli.main(["seed", "--demo", "30"]) == 0
    _index_matches_tables(path)
    with closing(sqlite3.connect(path)) as connection:
        [(demo,)] = connection.execute(
            "SELECT count(*) FROM search_index WHERE search_index MATCH 'demo'"
        )
    assert demo == 30 + 3  # partners and initiatives
    capsys.readouterr()


async def test_the_migration_indexes_rows_that_exist_before_it(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    await upgrade(sqlite_url(path), "0002")
    database = Database(sqlite_url(path))
    try:
        await seed_reference(database)
    finally:
        await database.dispose()
    await upgrade(sqlite_url(path))
    _index_matches_tables(path)
