"""Counts for dashboards: members per region, initiatives per year and
dimension, partners per kind... one GROUP BY statement each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from db.engine import Database
from db.models import (
    Initiative,
    InitiativeDimension,
    InitiativeFocusArea,
    Member,
    Partner,
    PartnerFocusArea,
)

__all__ = [
    "Count",
    "YearCount",
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


def _grouped(column: Any, model: Any, origins: Sequence[str]) -> Select[Any]:
    query = select(column, func.count()).group_by(column).order_by(func.count().desc(), column)
    return query.where(model.origin.in_(origins)) if origins else query


MEMBER_GROUPS: dict[str, ColumnElement[Any]] = {
    "region": Member.region_id,  # type: ignore[dict-item]
    "kind": Member.kind,  # type: ignore[dict-item]
    "country": Member.country_code,  # type: ignore[dict-item]
}


async def members_by(database: Database, group: str, origins: Sequence[str]) -> list[Count]:
    """Members per region, kind or country."""
    return await _counts(database, _grouped(MEMBER_GROUPS[group], Member, origins))


async def partners_by_kind(database: Database, origins: Sequence[str]) -> list[Count]:
    return await _counts(database, _grouped(Partner.kind, Partner, origins))


async def partners_by_focus_area(database: Database, origins: Sequence[str]) -> list[Count]:
    query = _grouped(PartnerFocusArea.focus_area_id, Partner, origins).join(
        Partner, Partner.id == PartnerFocusArea.partner_id
    )
    return await _counts(database, query)


async def initiatives_by_focus_area(database: Database, origins: Sequence[str]) -> list[Count]:
    query = _grouped(InitiativeFocusArea.focus_area_id, Initiative, origins).join(
        Initiative, Initiative.id == InitiativeFocusArea.initiative_id
    )
    return await _counts(database, query)


async def initiatives_by_dimension(database: Database, origins: Sequence[str]) -> list[Count]:
    query = _grouped(InitiativeDimension.dimension, Initiative, origins).join(
        Initiative, Initiative.id == InitiativeDimension.initiative_id
    )
    return await _counts(database, query)


async def initiatives_by_year(database: Database, origins: Sequence[str]) -> list[YearCount]:
    """Initiatives per start year (null: no year known), each split by
    sustainability dimension, in year order: two statements."""
    by_year = select(Initiative.start_year, func.count()).group_by(Initiative.start_year)
    by_dimension = (
        select(Initiative.start_year, InitiativeDimension.dimension, func.count())
        .join(InitiativeDimension, InitiativeDimension.initiative_id == Initiative.id)
        .group_by(Initiative.start_year, InitiativeDimension.dimension)
        .order_by(Initiative.start_year, InitiativeDimension.dimension)
    )
    if origins:
        by_year = by_year.where(Initiative.origin.in_(origins))
        by_dimension = by_dimension.where(Initiative.origin.in_(origins))
    async with database.engine.connect() as connection:
        years = {year: YearCount(year, count) for year, count in await connection.execute(by_year)}
        for year, dimension, count in await connection.execute(by_dimension):
            years[year].dimensions.append(Count(dimension, count))
    return sorted(years.values(), key=lambda y: (y.year is None, y.year or 0))
