"""Members: the member governments of Metropolis and their edges."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from engine.compiled.declarations import record_at
from resolvers.records import MemberRecord, RegionRecord
from schema.context import Info
from schema.descriptions import (
    NULL_WHERE_UNKNOWN,
    NULL_WHERE_UNSTATED,
    MemberFields,
    RecordFields,
)
from schema.enums import MemberKind, MemberRole, MemberStatus, Publication
from schema.filters import (
    ORDER_BY,
    ROLES,
    WHERE,
    InitiativeOrder,
    InitiativeWhere,
    PartnerOrder,
    PartnerWhere,
    UclgSectionOrder,
    UclgSectionWhere,
)
from schema.graph import Collaborating, Connected
from schema.history import Historic
from schema.nodes import entity, load_record
from schema.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    ConnectionFields,
    First,
    LinkFields,
    paged,
    related,
)
from schema.provenance import Sourced

if TYPE_CHECKING:
    from schema.initiatives import Initiative
    from schema.partners import Partner
    from schema.regions import Region
    from schema.sections import UclgSection

__all__ = ["Member", "MemberInitiativeConnection", "MemberPartnerConnection"]

InitiativeT = Annotated["Initiative", strawberry.lazy("schema.initiatives")]
PartnerT = Annotated["Partner", strawberry.lazy("schema.partners")]


@entity(
    MemberRecord,
    "A member government of Metropolis: a city, a metropolitan area or a regional government.",
)
class Member(relay.Node, Sourced, Historic, Connected, Collaborating):
    id: relay.NodeID[int]
    name: str = strawberry.field(description=MemberFields.NAME)
    short_name: str = strawberry.field(description=MemberFields.SHORT_NAME)
    country_code: str = strawberry.field(name="country", description=MemberFields.COUNTRY)
    country_name: str = strawberry.field(description=MemberFields.COUNTRY_NAME)
    kind: MemberKind = strawberry.field(description=MemberFields.KIND)
    status: MemberStatus = strawberry.field(description=MemberFields.STATUS)
    joined_year: int | None = strawberry.field(
        description=MemberFields.JOINED_YEAR + NULL_WHERE_UNSTATED
    )
    statement_year: int | None = strawberry.field(
        description="The year of the dated statement that confirms its membership (not "
        "necessarily the year it joined); null when the source is undated."
    )
    evidence: str | None = strawberry.field(description=MemberFields.EVIDENCE)
    latitude: float | None = strawberry.field(description=MemberFields.LATITUDE)
    longitude: float | None = strawberry.field(description=MemberFields.LONGITUDE)
    population: int | None = strawberry.field(description=MemberFields.POPULATION)
    geonames_id: int | None = strawberry.field(
        description="The GeoNames id of the city its coordinates and population come from."
    )
    geocoded_city: str | None = strawberry.field(
        description="The GeoNames name of that city (e.g. `Paris` for the Métropole du "
        "Grand Paris)."
    )
    secretariat_region: str | None = strawberry.field(
        description="The Metropolis regional secretariat it belongs to (five of them: the "
        "Americas are split into Latin America & Caribbean and North America)."
    )
    website: str | None = strawberry.field(description=RecordFields.WEBSITE + NULL_WHERE_UNKNOWN)
    version: int = strawberry.field(description=RecordFields.VERSION)
    publication: Publication = strawberry.field(description=RecordFields.PUBLICATION)
    region_id: strawberry.Private[int]

    @strawberry.field(description=MemberFields.REGION)
    @record_at(RegionRecord, "region_id")
    async def region(self, info: Info) -> Annotated[Region, strawberry.lazy("schema.regions")]:
        return await load_record(info, RegionRecord, self.region_id)

    @strawberry.field(description="The UCLG sections it belongs to.")
    @paged("member.sections")
    def sections(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[UclgSectionWhere | None, WHERE] = None,
        order_by: Annotated[list[UclgSectionOrder] | None, ORDER_BY] = None,
    ) -> Connection[Annotated[UclgSection, strawberry.lazy("schema.sections")]]:
        return related(
            info, "member.sections", self.id, first, after, where=where, order_by=order_by
        )

    @strawberry.field(description="The initiatives it takes part in, with its role in each.")
    @paged("member.initiatives")
    def initiatives(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[InitiativeWhere | None, WHERE] = None,
        order_by: Annotated[list[InitiativeOrder] | None, ORDER_BY] = None,
        roles: Annotated[list[MemberRole] | None, ROLES] = None,
    ) -> MemberInitiativeConnection:
        return related(
            info,
            "member.initiatives",
            self.id,
            first,
            after,
            where=where,
            order_by=order_by,
            roles=roles,
        )

    @strawberry.field(
        description="Partners that work with it directly (outside initiatives), with the "
        "relationship the source states."
    )
    @paged("member.partners")
    def partners(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[PartnerWhere | None, WHERE] = None,
        order_by: Annotated[list[PartnerOrder] | None, ORDER_BY] = None,
    ) -> MemberPartnerConnection:
        return related(
            info, "member.partners", self.id, first, after, where=where, order_by=order_by
        )


@strawberry.type(description="A member's part in an initiative.")
class MemberInitiativeEdge(LinkFields):
    node: InitiativeT = strawberry.field(description="The initiative.")
    role: MemberRole = strawberry.field(description="The member's role in it.")


@strawberry.type(description="A page of a member's initiatives.")
class MemberInitiativeConnection(ConnectionFields):
    edges: list[MemberInitiativeEdge] = strawberry.field(description="The items on this page.")


@strawberry.type(description="A partner that works with a member directly.")
class MemberPartnerEdge(LinkFields):
    node: PartnerT = strawberry.field(description="The partner.")
    role: str = strawberry.field(
        name="relationship", description="The relationship, as the source states it."
    )


@strawberry.type(description="A page of a member's direct partners.")
class MemberPartnerConnection(ConnectionFields):
    edges: list[MemberPartnerEdge] = strawberry.field(description="The items on this page.")
