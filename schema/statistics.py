"""Statistics: counts over the network for dashboards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import aggregates
from resolvers.records import FocusAreaRecord, RegionRecord
from schema.context import Info
from schema.enums import MemberKind, PartnerKind, SustainabilityDimension
from schema.nodes import load_record

if TYPE_CHECKING:
    from schema.focus_areas import FocusArea
    from schema.regions import Region

__all__ = ["Statistics"]


@strawberry.type(description="How many member governments a region has.")
class RegionCount:
    region_id: strawberry.Private[int]
    count: int = strawberry.field(description="The number of members.")

    @strawberry.field(description="The region.")
    async def region(self, info: Info) -> Annotated[Region, strawberry.lazy("schema.regions")]:
        return await load_record(info, RegionRecord, self.region_id)


@strawberry.type(description="How many records a focus area has.")
class FocusAreaCount:
    focus_area_id: strawberry.Private[int]
    count: int = strawberry.field(description="The number of records.")

    @strawberry.field(description="The focus area.")
    async def focus_area(
        self, info: Info
    ) -> Annotated[FocusArea, strawberry.lazy("schema.focus_areas")]:
        return await load_record(info, FocusAreaRecord, self.focus_area_id)


@strawberry.type(description="How many member governments are of a kind.")
class MemberKindCount:
    kind: MemberKind = strawberry.field(description="The kind of government.")
    count: int = strawberry.field(description="The number of members.")


@strawberry.type(description="How many member governments a country has.")
class CountryCount:
    country: str = strawberry.field(description="The ISO 3166-1 alpha-2 country code.")
    count: int = strawberry.field(description="The number of members.")


@strawberry.type(description="How many partners are of a kind.")
class PartnerKindCount:
    kind: PartnerKind = strawberry.field(description="The kind of organisation.")
    count: int = strawberry.field(description="The number of partners.")


@strawberry.type(description="How many initiatives work on a sustainability dimension.")
class DimensionCount:
    dimension: SustainabilityDimension = strawberry.field(description="The dimension.")
    count: int = strawberry.field(description="The number of initiatives.")


@strawberry.type(description="How many initiatives started in a year, by dimension.")
class YearCount:
    year: int | None = strawberry.field(
        description="The first year of their period; null for initiatives with no known year."
    )
    count: int = strawberry.field(description="The number of initiatives.")
    dimensions: list[DimensionCount] = strawberry.field(
        description="The same initiatives counted by sustainability dimension (an initiative "
        "may count under several, or none)."
    )


@strawberry.type(
    description="How many records of a kind the hub holds, against a size the network has stated."
)
class Coverage:
    records: str = strawberry.field(
        description='The kind of record, as a lower-case plural ("members").'
    )
    held: int = strawberry.field(
        description="The records of that kind the hub holds that you can see (of the origins "
        "asked for)."
    )
    stated: int = strawberry.field(description="The size the network stated (e.g. 163).")
    statement: str = strawberry.field(
        description='The statement, as its source words it ("163 member cities in 65 countries").'
    )
    source: str = strawberry.field(description="Who stated it: the publishers' names.")
    source_url: str | None = strawberry.field(
        description="Where it was stated; null when not known."
    )
    stated_on: str = strawberry.field(
        description='When it was stated: an ISO date or year-month ("2025-09").'
    )


@strawberry.type(
    description="Counts over the network, largest first (years in order). Each field costs "
    "one or two SQL statements."
)
class Statistics:
    origins: strawberry.Private[list[str]]

    def scope(self, info: Info) -> aggregates.Scope:
        return aggregates.Scope(info.context.principal, tuple(self.origins))

    @strawberry.field(description="Member governments per world region.")
    async def members_by_region(self, info: Info) -> list[RegionCount]:
        counts = await aggregates.members_by(info.context.database, "region", self.scope(info))
        return [RegionCount(region_id=c.key, count=c.count) for c in counts]

    @strawberry.field(description="Member governments per kind of government.")
    async def members_by_kind(self, info: Info) -> list[MemberKindCount]:
        counts = await aggregates.members_by(info.context.database, "kind", self.scope(info))
        return [MemberKindCount(kind=c.key, count=c.count) for c in counts]

    @strawberry.field(description="Member governments per country.")
    async def members_by_country(self, info: Info) -> list[CountryCount]:
        counts = await aggregates.members_by(info.context.database, "country", self.scope(info))
        return [CountryCount(country=c.key, count=c.count) for c in counts]

    @strawberry.field(description="Partners per kind of organisation.")
    async def partners_by_kind(self, info: Info) -> list[PartnerKindCount]:
        counts = await aggregates.partners_by_kind(info.context.database, self.scope(info))
        return [PartnerKindCount(kind=c.key, count=c.count) for c in counts]

    @strawberry.field(description="Partners per focus area they work on.")
    async def partners_by_focus_area(self, info: Info) -> list[FocusAreaCount]:
        counts = await aggregates.partners_by_focus_area(info.context.database, self.scope(info))
        return [FocusAreaCount(focus_area_id=c.key, count=c.count) for c in counts]

    @strawberry.field(description="Initiatives per focus area they serve.")
    async def initiatives_by_focus_area(self, info: Info) -> list[FocusAreaCount]:
        counts = await aggregates.initiatives_by_focus_area(info.context.database, self.scope(info))
        return [FocusAreaCount(focus_area_id=c.key, count=c.count) for c in counts]

    @strawberry.field(description="Initiatives per sustainability dimension.")
    async def initiatives_by_dimension(self, info: Info) -> list[DimensionCount]:
        counts = await aggregates.initiatives_by_dimension(info.context.database, self.scope(info))
        return [DimensionCount(dimension=c.key, count=c.count) for c in counts]

    @strawberry.field(description="Initiatives per start year, each split by dimension.")
    async def initiatives_by_year(self, info: Info) -> list[YearCount]:
        years = await aggregates.initiatives_by_year(info.context.database, self.scope(info))
        return [
            YearCount(
                year=y.year,
                count=y.count,
                dimensions=[DimensionCount(dimension=d.key, count=d.count) for d in y.dimensions],
            )
            for y in years
        ]

    @strawberry.field(
        description="How many records the hub holds against the sizes the network has stated, "
        "latest statement first. The hub holds only records a public statement backs, so it "
        "holds fewer than the network has."
    )
    async def coverage(self, info: Info) -> list[Coverage]:
        found = await aggregates.coverage(info.context.database, self.scope(info))
        return [
            Coverage(
                records=c.records,
                held=c.held,
                stated=c.stated,
                statement=c.statement,
                source=c.source,
                source_url=c.source_url,
                stated_on=c.stated_on,
            )
            for c in found
        ]
