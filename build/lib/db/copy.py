"""Copy every row of one hub database into another, across SQLite and
PostgreSQL (`metrohub db copy`), and prove the copy with counts and checksums.

The target is migrated to the latest revision first and must hold no data.
Tables are copied in foreign-key order, in batches, by primary key; a column
that refers to its own table (a rotated key's successor) is filled in after
its table's rows. The search index and PostgreSQL's data version are not
copied: the target's triggers build them as the rows arrive. PostgreSQL's id
sequences are moved past the copied ids. Then each table is read back on both
sides and compared: its row count and a SHA-256 over its rows in primary key
order, with values in one form whatever the database (datetimes in UTC,
floats by their shortest repr, booleans, JSON with sorted keys).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, func, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database, is_sqlite
from db.migrate import current_revision, head_revision, upgrade
from db.models import Base

__all__ = ["CopyError", "CopyReport", "TableCopy", "checksums", "copy_database"]

BATCH = 1000


class CopyError(Exception):
    """A copy that cannot start or did not verify; the message says why."""


@dataclass(frozen=True, slots=True)
class TableCopy:
    """One table's rows on each side, and their checksums."""

    table: str
    rows: int
    source_checksum: str
    target_checksum: str

    @property
    def verified(self) -> bool:
        return self.source_checksum == self.target_checksum


@dataclass(frozen=True, slots=True)
class CopyReport:
    tables: list[TableCopy]

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def lines(self) -> list[str]:
        return [
            f"{table.table}: {table.rows} rows, sha256 {table.target_checksum[:16]}"
            for table in self.tables
        ]


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


async def copy_database(source_url: str, target_url: str) -> CopyReport:
    """Copy all data at `source_url` into the empty database at `target_url`."""
    if source_url == target_url:
        raise CopyError("the source and the target are the same database: name two databases.")
    _require_file(source_url)
    head = head_revision()
    revision = await current_revision(source_url)
    if revision != head:
        raise CopyError(
            f"the source is at revision {revision or 'none (no hub tables)'}, not the latest "
            f"({head}): migrate it first (`HUB_DATABASE_URL=<source> metrohub migrate`)."
        )
    await _refuse_data(target_url)
    await upgrade(target_url)
    source, target = Database(source_url), Database(target_url)
    try:
        async with source.engine.connect() as reading, target.engine.begin() as writing:
            for table in _tables():
                await _copy_table(reading, writing, table)
            if not is_sqlite(target_url):
                await _move_sequences(writing)
        before, after = await checksums(source), await checksums(target)
    finally:
        await source.dispose()
        await target.dispose()
    report = CopyReport(
        [TableCopy(name, before[name][0], before[name][1], after[name][1]) for name in before]
    )
    wrong = [
        f"{name} ({before[name][0]} rows in the source, {after[name][0]} in the target)"
        for name in before
        if before[name] != after[name]
    ]
    if wrong:
        raise CopyError(f"the copy differs from the source in {', '.join(wrong)}.")
    return report


def _require_file(url: str) -> None:
    # Opening a SQLite file that is not there would create it.
    path = make_url(url).database if is_sqlite(url) else None
    if path is not None and not Path(path).is_file():
        raise CopyError(f"the source {path} does not exist: give the path of a hub's file.")


async def _refuse_data(url: str) -> None:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            existing = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
            filled = []
            for table in _tables():
                if table.name in existing:
                    count = await connection.execute(select(func.count()).select_from(table))
                    if count.scalar_one():
                        filled.append(table.name)
    finally:
        await database.dispose()
    if filled:
        raise CopyError(
            f"the target already holds data (in {', '.join(filled)}): copy into an empty "
            "database, or empty this one first."
        )


def _own_references(table: Table) -> list[str]:
    return [
        column.name
        for column in table.columns
        if any(key.column.table is table for key in column.foreign_keys)
    ]


async def _copy_table(reading: AsyncConnection, writing: AsyncConnection, table: Table) -> None:
    later = _own_references(table)
    pending: list[dict[str, Any]] = []
    async for batch in _batches(reading, table):
        rows = [_for_target(row._asdict()) for row in batch]
        for row in rows:
            if later and any(row[name] is not None for name in later):
                pending.append({name: row[name] for name in (*_keys(table), *later)})
                row.update(dict.fromkeys(later, None))
        await writing.execute(table.insert(), rows)
    if pending:
        keys = _keys(table)
        statement = (
            update(table)
            .where(*(table.c[key] == bindparam(f"key_{key}") for key in keys))
            .values({name: bindparam(name) for name in later})
        )
        await writing.execute(
            statement,
            [
                {**{f"key_{key}": row[key] for key in keys}, **{n: row[n] for n in later}}
                for row in pending
            ],
        )


def _keys(table: Table) -> list[str]:
    return [column.name for column in table.primary_key.columns]


async def _batches(connection: AsyncConnection, table: Table) -> AsyncIterator[list[Any]]:
    result = await connection.stream(select(table).order_by(*table.primary_key.columns))
    async for partition in result.partitions(BATCH):
        yield list(partition)


def _for_target(row: dict[str, Any]) -> dict[str, Any]:
    # SQLite keeps datetimes without their zone (the hub writes UTC);
    # PostgreSQL gives them back in UTC with it.
    return {
        name: value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value
        for name, value in row.items()
    }


async def _move_sequences(connection: AsyncConnection) -> None:
    for table in _tables():
        [*others, column] = table.primary_key.columns
        if others or column.type.python_type is not int:
            continue
        # setval(NULL, ...) is NULL: tables without a sequence are left alone.
        await connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"coalesce(max({column.name}), 1), max({column.name}) IS NOT NULL) "
                f"FROM {table.name}"
            ),
            {"table": table.name, "column": column.name},
        )


async def checksums(database: Database) -> dict[str, tuple[int, str]]:
    """Per table: its row count and the SHA-256 of its rows in primary key order."""
    sums: dict[str, tuple[int, str]] = {}
    async with database.engine.connect() as connection:
        for table in _tables():
            digest = hashlib.sha256()
            count = 0
            async for batch in _batches(connection, table):
                for row in batch:
                    digest.update(_canonical(row._asdict().values()))
                    count += 1
            sums[table.name] = (count, digest.hexdigest())
    return sums


def _canonical(values: Iterable[Any]) -> bytes:
    return (json.dumps([_normal(value) for value in values], sort_keys=True) + "\n").encode()


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value, sort_keys=True, default=str))
    return str(value)
