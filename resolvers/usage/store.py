"""Usage in the database: counts added in batches (upserts that add, safe
with several hub processes on one database), pruned past the days kept, and
read back per field, per client and per coordinate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from db.engine import Database, is_sqlite
from db.models import UsageField, UsageOperation
from db.models.usage import USAGE_KEY

__all__ = [
    "ClientUse",
    "CoordinateUse",
    "OperationCount",
    "clients",
    "prune",
    "save",
    "signatures_of",
    "usage_of",
    "used_coordinates",
]

# Rows per statement: well under SQLite's 32,766 bound parameters at 9 a row.
BATCH_ROWS = 500


@dataclass(frozen=True, slots=True)
class OperationCount:
    """One client's operation on one day, counted `count` times, with the
    fields it reads (the batch a flush writes)."""

    day: date
    client_name: str
    client_version: str
    operation_name: str
    signature_hash: str
    source: str
    signature: str
    coordinates: tuple[str, ...]
    count: int


@dataclass(frozen=True, slots=True)
class CoordinateUse:
    """Who used a field in the days asked: one client's version and one of its
    operations, with how many times (summed over the days and what saw it)."""

    client_name: str
    client_version: str
    operation_name: str
    signature_hash: str
    count: int


@dataclass(frozen=True, slots=True)
class ClientUse:
    """A client, by name and version, in the days asked."""

    name: str
    version: str
    last_seen: datetime
    operations: int
    count: int


def first_day(days: int, today: date | None = None) -> date:
    """The oldest day within the last `days` days (today is one of them)."""
    return (today or datetime.now(UTC).date()) - timedelta(days=max(days, 1) - 1)


async def save(database: Database, counts: Sequence[OperationCount]) -> None:
    """Add `counts` to the database in one transaction; rows in key order, so
    that two processes flushing at once take their row locks in one order."""
    if not counts:
        return
    now = datetime.now(UTC)
    operations = sorted(
        (
            {
                **_key(count),
                "signature": count.signature,
                "count": count.count,
                "last_seen": now,
            }
            for count in counts
        ),
        key=_row_order,
    )
    fields = sorted(
        (
            {**_key(count), "coordinate": coordinate, "count": count.count}
            for count in counts
            for coordinate in count.coordinates
        ),
        key=_row_order,
    )
    async with database.writer() as session:
        for table, rows, key in (
            (UsageOperation.__table__, operations, USAGE_KEY),
            (UsageField.__table__, fields, (*USAGE_KEY, "coordinate")),
        ):
            for start in range(0, len(rows), BATCH_ROWS):
                await session.execute(
                    _adding(database, table, key), rows[start : start + BATCH_ROWS]
                )
        await session.commit()


def _key(count: OperationCount) -> dict[str, Any]:
    return {name: getattr(count, name) for name in USAGE_KEY}


def _row_order(row: dict[str, Any]) -> tuple[Any, ...]:
    return (*tuple(row[name] for name in USAGE_KEY), row.get("coordinate", ""))


def _adding(database: Database, table: Any, key: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET count = count + excluded.count."""
    assert isinstance(table, Table)
    insert = (sqlite if is_sqlite(database.url) else postgresql).insert(table)
    changes: dict[str, Any] = {"count": table.c["count"] + insert.excluded["count"]}
    if "last_seen" in table.c:
        changes["last_seen"] = insert.excluded["last_seen"]
    return insert.on_conflict_do_update(index_elements=list(key), set_=changes)


async def prune(database: Database, days: int) -> None:
    """Delete the counts of days before the last `days`."""
    oldest = first_day(days)
    async with database.writer() as session:
        await session.execute(delete(UsageField).where(UsageField.day < oldest))
        await session.execute(delete(UsageOperation).where(UsageOperation.day < oldest))
        await session.commit()


async def usage_of(
    database: Database, coordinates: Iterable[str], days: int
) -> dict[str, list[CoordinateUse]]:
    """For each of `coordinates` (`Type.field`), who used it in the last `days`
    days: per client name and version and operation, most used first. A
    coordinate nobody used maps to an empty list."""
    wanted = sorted(set(coordinates))
    found: dict[str, list[CoordinateUse]] = {coordinate: [] for coordinate in wanted}
    if not wanted:
        return found
    total = func.sum(UsageField.count)
    statement = (
        select(
            UsageField.coordinate,
            UsageField.client_name,
            UsageField.client_version,
            UsageField.operation_name,
            UsageField.signature_hash,
            total,
        )
        .where(UsageField.coordinate.in_(wanted), UsageField.day >= first_day(days))
        .group_by(
            UsageField.coordinate,
            UsageField.client_name,
            UsageField.client_version,
            UsageField.operation_name,
            UsageField.signature_hash,
        )
        .order_by(UsageField.coordinate, total.desc(), UsageField.client_name)
    )
    async with database.sessions() as session:
        rows = (await session.execute(statement)).all()
    for coordinate, name, version, operation, signature_hash, count in rows:
        found[coordinate].append(
            CoordinateUse(name, version, operation, signature_hash, int(count))
        )
    return found


async def signatures_of(database: Database, hashes: Iterable[str]) -> dict[str, str]:
    """The signature (the operation's normalised text) of each of `hashes`
    that was recorded."""
    wanted = sorted(set(hashes))
    if not wanted:
        return {}
    statement = (
        select(UsageOperation.signature_hash, UsageOperation.signature)
        .where(UsageOperation.signature_hash.in_(wanted))
        .distinct()
    )
    async with database.sessions() as session:
        rows = (await session.execute(statement)).all()
    return {hash_: signature for hash_, signature in rows}


async def used_coordinates(database: Database, days: int) -> set[str]:
    """Every coordinate read in the last `days` days."""
    statement = select(UsageField.coordinate).where(UsageField.day >= first_day(days)).distinct()
    async with database.sessions() as session:
        return set((await session.execute(statement)).scalars())


async def clients(database: Database, days: int) -> list[ClientUse]:
    """The clients seen in the last `days` days, by name and version: when
    last, how many distinct operations and how many times."""
    operations = func.count(func.distinct(UsageOperation.signature_hash))
    statement = (
        select(
            UsageOperation.client_name,
            UsageOperation.client_version,
            func.max(UsageOperation.last_seen),
            operations,
            func.sum(UsageOperation.count),
        )
        .where(UsageOperation.day >= first_day(days))
        .group_by(UsageOperation.client_name, UsageOperation.client_version)
        .order_by(UsageOperation.client_name, UsageOperation.client_version)
    )
    async with database.sessions() as session:
        rows = (await session.execute(statement)).all()
    return [
        ClientUse(name, version, _aware(last_seen), int(count_operations), int(count))
        for name, version, last_seen, count_operations, count in rows
    ]


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
