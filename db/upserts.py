"""What the seed does with each reference row: create it, update it around
staff edits, or leave it (`Upserter`), and the report of what it did
(`SeedReport`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Base, Origin
from db.referencedata import Unresolved
from db.staffedits import StaffEdits

__all__ = ["SeedReport", "Upserter"]

ModelT = TypeVar("ModelT", bound=Base)


@dataclass(slots=True)
class SeedReport:
    """What a seed run did, per table: created / updated / kept as edited /
    unchanged counts (a record updated around a staff edit counts as both
    updated and kept as edited)."""

    counts: Counter[str] = field(default_factory=Counter)
    unresolved: list[Unresolved] = field(default_factory=list)

    def count(self, table: str, outcome: str) -> None:
        self.counts[f"{table}.{outcome}"] += 1

    @property
    def changed(self) -> int:
        return sum(n for key, n in self.counts.items() if key.endswith((".created", ".updated")))

    def lines(self) -> list[str]:
        tables = sorted({key.split(".")[0] for key in self.counts})
        lines = []
        for table in tables:
            parts = [
                f"{self.counts[f'{table}.{outcome}']} {outcome}"
                for outcome in ("created", "updated", "kept as edited", "unchanged")
                if self.counts[f"{table}.{outcome}"]
            ]
            lines.append(f"{table}: {', '.join(parts)}")
        lines += [f"not linked: {item}" for item in self.unresolved]
        return lines


class Upserter:
    """Creates or updates reference rows keyed by a natural key."""

    def __init__(self, session: AsyncSession, report: SeedReport, edits: StaffEdits) -> None:
        self.session = session
        self.report = report
        # What staff changed through the API: their edits win, field by field.
        self.edits = edits

    async def existing(self, model: type[ModelT], *keys: str) -> dict[Any, ModelT]:
        """The reference rows of `model` by their key in the reference data
        (a record staff renamed is still found by its reference name); a key
        of several columns is a tuple."""
        rows = await self.session.scalars(select(model).where(model.origin == Origin.REFERENCE))  # type: ignore[attr-defined]
        table = model.__tablename__

        def key_of(row: ModelT) -> Any:
            key = tuple(getattr(row, k) for k in keys) if len(keys) > 1 else getattr(row, keys[0])
            return self.edits.key_of(table, getattr(row, "id", None), key)

        return {key_of(row): row for row in rows}

    def apply(
        self,
        model: type[ModelT],
        existing: dict[Any, ModelT],
        key: Any,
        values: Mapping[str, Any],
    ) -> ModelT:
        table = model.__tablename__
        row = existing.get(key)
        if row is None:
            row = model(**values, origin=Origin.REFERENCE)
            self.session.add(row)
            existing[key] = row
            self.report.count(table, "created")
            return row
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        edited = self.edits.edited(table, getattr(row, "id", None))
        updates = {name: value for name, value in changed.items() if name not in edited}
        for name, value in updates.items():
            setattr(row, name, value)
        if updates and hasattr(row, "version"):
            row.version += 1
        if updates:
            self.report.count(table, "updated")
        if len(updates) < len(changed):
            self.report.count(table, "kept as edited")
        if not changed:
            self.report.count(table, "unchanged")
        return row

    async def links(
        self, model: type[ModelT], keys: tuple[str, str], rows: Iterable[Mapping[str, Any]]
    ) -> None:
        """Create or update link rows (their primary key is `keys`)."""
        found = await self.session.scalars(select(model))
        existing = {tuple(getattr(row, k) for k in keys): row for row in found}
        table = model.__tablename__
        for values in rows:
            key = tuple(values[k] for k in keys)
            if (table, key) in self.edits.links:
                # Staff linked, re-roled or unlinked it: kept as they left it.
                row = existing.get(key)
                same = row is not None and all(getattr(row, n) == v for n, v in values.items())
                self.report.count(table, "unchanged" if same else "kept as edited")
                continue
            self.apply(model, existing, key, values)
