"""Places: members and partners near a point, nearest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, select, union_all

from db.engine import Database
from db.models import Member, Partner
from resolvers.access.keys import Principal
from resolvers.access.visibility import where_visible
from resolvers.filters import Near, compile_filter, distance_km
from resolvers.pagination import Page, PageArgs, SortKey, fetch_page
from resolvers.records import MemberRecord, PartnerRecord, columns, from_row

__all__ = ["PLACE_TYPES", "Place", "nearby"]

# What can be near a point: the record types with coordinates, by type name.
PLACE_TYPES: dict[str, tuple[type[Any], Any]] = {
    "Member": (MemberRecord, Member),
    "Partner": (PartnerRecord, Partner),
}
SORT = (SortKey("distance"), SortKey("type"), SortKey("id"))


@dataclass(slots=True)
class Place:
    """An edge of a `nearby` page: a member or partner and its distance."""

    cursor: str
    node: Any
    distance_km: float


async def nearby(
    database: Database,
    principal: Principal,
    near: Near,
    types: Sequence[str],
    args: PageArgs,
) -> Page[Place]:
    """The members and partners (of `types`) within `near.km` of the point,
    nearest first, in two statements: the page, then its records by type."""
    parts = []
    for type_name in types:
        record, model = PLACE_TYPES[type_name]
        where = compile_filter(record, near, principal)
        if args.where is not None:
            where = where & compile_filter(record, args.where, principal)
        part = select(
            distance_km(model, near.latitude, near.longitude).label("distance"),
            literal(type_name).label("type"),
            model.id.label("id"),
        ).where(where)
        parts.append(where_visible(part, model, principal))
    async with database.engine.connect() as connection:
        page = await fetch_page(
            connection,
            select(union_all(*parts).subquery()),
            SORT,
            args,
            lambda row, cursor: Place(cursor, (row.type, row.id), row.distance),
        )
        wanted: dict[str, list[int]] = {}
        for place in page.edges:
            wanted.setdefault(place.node[0], []).append(place.node[1])
        found: dict[tuple[str, int], Any] = {}
        for type_name, ids in wanted.items():
            record, model = PLACE_TYPES[type_name]
            build = from_row(record)
            rows = await connection.execute(select(*columns(record)).where(model.id.in_(ids)))
            found.update(((type_name, row[0]), build(row)) for row in rows)
    for place in page.edges:
        place.node = found[place.node]
    return page
