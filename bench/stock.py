"""The stock path: a reference implementation of the benchmark's fields as
the Strawberry documentation teaches them, kept to measure the hub against.

Plain `strawberry.federation.Schema`, resolvers that return ORM entities,
and DataLoaders created per request in the context, each batch in its own
short `AsyncSession`. No planner, no SQL Core records, no caches beyond
Strawberry's defaults. It answers the same bytes as the hub and the floor.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
import strawberry
from sqlalchemy import func, select
from strawberry.dataloader import DataLoader

from db import models
from db.engine import Database
from loadtest.queries import BenchQuery, global_id
from resolvers.pagination import encode_cursor

__all__ = ["StockPath", "stock_schema"]

E = TypeVar("E", bound=enum.Enum)
PUBLISHED = models.Publication.PUBLISHED


def _copy(source: type[E]) -> Any:
    # A StrEnum with the same values: ORM values hash and compare equal to them.
    copy: Any = enum.StrEnum(source.__name__, {m.name: m.value for m in source})  # type: ignore[misc]
    return strawberry.enum(copy)


PartnerKind = _copy(models.PartnerKind)
MemberRole = _copy(models.MemberRole)
PartnerRole = _copy(models.PartnerRole)


@dataclass
class Loaders:
    database: Database
    regions: DataLoader[int, models.Region] = field(init=False)
    partners: DataLoader[int, models.Partner | None] = field(init=False)
    member_initiatives: DataLoader[int, list[Any]] = field(init=False)
    initiative_partners: DataLoader[int, list[Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.regions = DataLoader(self._regions)
        self.partners = DataLoader(self._partners)
        self.member_initiatives = DataLoader(self._member_initiatives)
        self.initiative_partners = DataLoader(self._initiative_partners)

    async def _all(self, statement: Any) -> list[Any]:
        async with self.database.sessions() as session:
            return list((await session.execute(statement)).all())

    async def _regions(self, keys: Sequence[int]) -> list[models.Region]:
        rows = await self._all(select(models.Region).where(models.Region.id.in_(keys)))
        found = {row[0].id: row[0] for row in rows}
        return [found[key] for key in keys]

    async def _partners(self, keys: Sequence[int]) -> list[models.Partner | None]:
        query = select(models.Partner).where(
            models.Partner.id.in_(keys), models.Partner.publication == PUBLISHED
        )
        found = {row[0].id: row[0] for row in await self._all(query)}
        return [found.get(key) for key in keys]

    async def _member_initiatives(self, keys: Sequence[int]) -> list[list[Any]]:
        query = (
            select(models.MemberInitiative, models.Initiative)
            .join(models.Initiative, models.Initiative.id == models.MemberInitiative.initiative_id)
            .where(
                models.MemberInitiative.member_id.in_(keys),
                models.Initiative.publication == PUBLISHED,
            )
            .order_by(models.Initiative.title, models.Initiative.id)
        )
        return _grouped(keys, await self._all(query), lambda row: row[0].member_id)

    async def _initiative_partners(self, keys: Sequence[int]) -> list[list[Any]]:
        query = (
            select(models.PartnerInitiative, models.Partner)
            .join(models.Partner, models.Partner.id == models.PartnerInitiative.partner_id)
            .where(
                models.PartnerInitiative.initiative_id.in_(keys),
                models.Partner.publication == PUBLISHED,
            )
            .order_by(models.Partner.name, models.Partner.id)
        )
        return _grouped(keys, await self._all(query), lambda row: row[0].initiative_id)


def _grouped(keys: Sequence[int], rows: list[Any], parent: Any) -> list[list[Any]]:
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(parent(row), []).append(row)
    return [found.get(key, []) for key in keys]


@dataclass
class Context:
    loaders: Loaders


StockInfo = strawberry.Info[Context, None]


@strawberry.federation.type(keys=["id"], name="Partner")
class StockPartner:
    name: str
    kind: PartnerKind  # type: ignore[valid-type]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Partner", self.id))  # type: ignore[arg-type]

    @strawberry.field
    def country(self) -> str | None:
        return self.country_code  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, (cls, models.Partner))

    @classmethod
    async def resolve_reference(cls, info: StockInfo, id: strawberry.ID) -> Any:
        pk = int(base64.b64decode(id).decode().split(":", 1)[1])
        return await info.context.loaders.partners.load(pk)


@strawberry.type(name="InitiativePartnerEdge")
class PartnerEdge:
    role: PartnerRole  # type: ignore[valid-type]
    node: StockPartner


@strawberry.type(name="InitiativePartnerConnection")
class PartnerPage:
    total_count: int
    edges: list[PartnerEdge]


@strawberry.type(name="Initiative")
class StockInitiative:
    title: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Initiative", self.id))  # type: ignore[arg-type]

    @strawberry.field
    async def partners(self, info: StockInfo, first: int = 20) -> PartnerPage:
        rows = await info.context.loaders.initiative_partners.load(self.id)  # type: ignore[arg-type]
        return PartnerPage(
            total_count=len(rows),
            edges=[PartnerEdge(role=link.role, node=partner) for link, partner in rows[:first]],
        )


@strawberry.type(name="MemberInitiativeEdge")
class InitiativeEdge:
    role: MemberRole  # type: ignore[valid-type]
    node: StockInitiative


@strawberry.type(name="MemberInitiativeConnection")
class InitiativePage:
    total_count: int
    edges: list[InitiativeEdge]


@strawberry.type(name="Region")
class StockRegion:
    name: str


@strawberry.type(name="Member")
class StockMember:
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Member", self.id))  # type: ignore[arg-type]

    @strawberry.field
    def country(self) -> str:
        return self.country_code  # type: ignore[attr-defined,no-any-return]

    @strawberry.field
    async def region(self, info: StockInfo) -> StockRegion:
        return await info.context.loaders.regions.load(self.region_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field
    async def initiatives(self, info: StockInfo, first: int = 20) -> InitiativePage:
        rows = await info.context.loaders.member_initiatives.load(self.id)  # type: ignore[arg-type]
        return InitiativePage(
            total_count=len(rows),
            edges=[InitiativeEdge(role=link.role, node=node) for link, node in rows[:first]],
        )


@strawberry.type
class MemberEdge:
    node: StockMember


@strawberry.type
class MemberPage:
    total_count: int
    edges: list[MemberEdge]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class StockPartnerEdge:
    cursor: str
    node: StockPartner


@strawberry.type
class StockPartnerPage:
    total_count: int
    page_info: PageInfo
    edges: list[StockPartnerEdge]


@strawberry.input
class KindFilter:
    eq: PartnerKind | None = None  # type: ignore[valid-type]


@strawberry.input
class PartnerWhere:
    kind: KindFilter | None = None


@strawberry.type
class Query:
    @strawberry.field
    async def members(self, info: StockInfo, first: int = 20) -> MemberPage:
        published = models.Member.publication == PUBLISHED
        async with info.context.loaders.database.sessions() as session:
            total = (
                await session.execute(
                    select(func.count()).select_from(models.Member).where(published)
                )
            ).scalar_one()
            found = (
                await session.execute(
                    select(models.Member)
                    .where(published)
                    .order_by(models.Member.name, models.Member.id)
                    .limit(first)
                )
            ).scalars()
            edges = [MemberEdge(node=member) for member in found]  # type: ignore[arg-type]
            return MemberPage(total_count=total, edges=edges)

    @strawberry.field
    async def partners(
        self, info: StockInfo, first: int = 20, where: PartnerWhere | None = None
    ) -> StockPartnerPage:
        conditions = [models.Partner.publication == PUBLISHED]
        if where is not None and where.kind is not None and where.kind.eq is not None:
            conditions.append(models.Partner.kind == where.kind.eq.value)
        async with info.context.loaders.database.sessions() as session:
            total = (
                await session.execute(
                    select(func.count()).select_from(models.Partner).where(*conditions)
                )
            ).scalar_one()
            found = list(
                (
                    await session.execute(
                        select(models.Partner)
                        .where(*conditions)
                        .order_by(models.Partner.name, models.Partner.id)
                        .limit(first + 1)
                    )
                ).scalars()
            )
        edges = [
            StockPartnerEdge(cursor=encode_cursor((partner.name, partner.id)), node=partner)  # type: ignore[arg-type]
            for partner in found[:first]
        ]
        end = edges[-1].cursor if edges else None
        return StockPartnerPage(
            total_count=total,
            page_info=PageInfo(has_next_page=len(found) > first, end_cursor=end),
            edges=edges,
        )


stock_schema = strawberry.federation.Schema(query=Query, types=[StockPartner])


class StockPath:
    """Answers a benchmark query through the stock schema."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def __call__(self, query: BenchQuery) -> bytes:
        context = Context(Loaders(self.database))
        result = await stock_schema.execute(
            query.document, query.fresh_variables(), context_value=context
        )
        if result.errors:
            raise RuntimeError(f"stock, {query.name}: {[error.message for error in result.errors]}")
        return orjson.dumps({"data": result.data})
