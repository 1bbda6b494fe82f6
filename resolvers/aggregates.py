"""Counts for dashboards: members per region, initiatives per year and
dimension, partners per kind... one GROUP BY statement each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select

from db.engine import Database
from db.models import (
    Initiative,
    InitiativeDimension,
    InitiativeFocusArea,
    Member,
    NetworkSize,
    Partner,
    PartnerFocusArea,
)
from resolvers.access.keys import Principal
from resolvers.access.visibility import where_visible

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")

__all__ = [
    "Count",
    "Coverage",
    "Scope",
    "YearCount",
    "coverage",
    "initiatives_by_dimension",
    "initiatives_by_focus_area",
    "initiatives_by_year",
    "members_by",
    "partners_by_focus_area",
    "partners_by_kind",
]


@dataclass(slots=True)
class Count:
    """How many records have `key` (a region or focus area id, a kind, ...)."""

    key: Any
    count: int


@dataclass(slots=True)
class YearCount:
    year: int | None
    count: int
    dimensions: list[Count] = field(default_factory=list)


async def _counts(database: Database, query: Select[Any]) -> list[Count]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(query)
        return [Count(key, count) for key, count in rows]


def _grouped(column: Any, model: Any, scope: Scope) -> Select[Any]:
    query = select(column, func.count()).group_by(column).order_by(func.count().desc(), column)
    return scope.apply(query, model)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which records count: those `principal` may see, of `origins` (all if empty)."""

    principal: Principal
    origins: tuple[str, ...] = ()

    def apply(self, query: SelectT, model: Any) -> SelectT:
        if self.origins:
            query = query.where(model.origin.in_(self.origins))
        return where_visible(query, model, self.principal)


MEMBER_GROUPS: dict[str, ColumnElement[Any]] = {
    "region": Member.region_id,  # type: ignore[dict-item]
    "kind": Member.kind,  # type: ignore[dict-item]
    "country": Member.country_code,  # type: ignore[dict-item]
}


async def members_by(database: Database, group: str, scope: Scope) -> list[Count]:
    """Members per region, kind or country."""
    return await _counts(database, _grouped(MEMBER_GROUPS[group], Member, scope))


async def partners_by_kind(database: Database, scope: Scope) -> list[Count]:
    return await _counts(database, _grouped(Partner.kind, Partner, scope))


async def partners_by_focus_area(database: Database, scope: Scope) -> list[Count]:
    query = _grouped(PartnerFocusArea.focus_area_id, Partner, scope).join(
        Partner, Partner.id == PartnerFocusArea.partner_id
    )
    return await _counts(database, query)


async def initiatives_by_focus_area(database: Database, scope: Scope) -> list[Count]:
    query = _grouped(InitiativeFocusArea.focus_area_id, Initiative, scope).join(
        Initiative, Initiative.id == InitiativeFocusArea.initiative_id
    )
    return await _counts(database, query)


async def initiatives_by_dimension(database: Database, scope: Scope) -> list[Count]:
    query = _grouped(InitiativeDimension.dimension, Initiative, scope).join(
        Initiative, Initiative.id == InitiativeDimension.initiative_id
    )
    return await _counts(database, query)


async def initiatives_by_year(database: Database, scope: Scope) -> list[YearCount]:
    """Initiatives per start year (null: no year known), each split by
    sustainability dimension, in year order: two statements."""
    by_year = select(Initiative.start_year, func.count()).group_by(Initiative.start_year)
    by_dimension = (
        select(Initiative.start_year, InitiativeDimension.dimension, func.count())
        .join(InitiativeDimension, InitiativeDimension.initiative_id == Initiative.id)
        .group_by(Initiative.start_year, InitiativeDimension.dimension)
        .order_by(Initiative.start_year, InitiativeDimension.dimension)
    )
    async with database.engine.connect() as connection:
        year_rows = await connection.execute(scope.apply(by_year, Initiative))
        years = {row[0]: YearCount(row[0], row[1]) for row in year_rows}
        for row in await connection.execute(scope.apply(by_dimension, Initiative)):
            years[row[0]].dimensions.append(Count(row[1], row[2]))
    return sorted(years.values(), key=lambda y: (y.year is None, y.year or 0))


# The record kinds a stated size may be about, by their name in the data.
RECORD_KINDS: dict[str, Any] = {"members": Member, "partners": Partner, "initiatives": Initiative}


@dataclass(slots=True)
class Coverage:
    """How many records of a kind the hub holds against a size the network stated."""

    records: str
    held: int
    stated: int
    statement: str
    source: str
    source_url: str | None
    stated_on: str


async def coverage(database: Database, scope: Scope) -> list[Coverage]:
    """Each stated size, latest first, with the records of its kind that
    `scope` counts: one statement for the sizes, one count per kind."""
    sizes = select(NetworkSize).order_by(NetworkSize.stated_on.desc(), NetworkSize.records)
    async with database.engine.connect() as connection:
        rows = (await connection.execute(sizes)).mappings().all()
        held: dict[str, int] = {}
        for kind in dict.fromkeys(row["records"] for row in rows):
            model = RECORD_KINDS[kind]
            counted = scope.apply(select(func.count()).select_from(model), model)
            held[kind] = (await connection.execute(counted)).scalar_one()
    return [
        Coverage(
            records=row["records"],
            held=held[row["records"]],
            stated=row["stated"],
            statement=row["statement"],
            source=row["source"],
            source_url=row["source_urls"][0] if row["source_urls"] else None,
            stated_on=row["stated_on"],
        )
        for row in rows
    ]
