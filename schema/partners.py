"""Partners: the organisations in the partner directory and their edges."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry import relay

from resolvers.records import PartnerRecord
from schema.context import Info
from schema.descriptions import NULL_WHERE_UNKNOWN, PartnerFields, RecordFields
from schema.enums import PartnerKind, PartnerRole, Publication
from schema.filters import (
    ORDER_BY,
    ROLES,
    WHERE,
    FocusAreaWhere,
    InitiativeOrder,
    InitiativeWhere,
    MemberOrder,
    MemberWhere,
)
from schema.graph import Connected
from schema.history import Historic
from schema.nodes import entity
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
from schema.permissions import PartnersAndStaff
from schema.provenance import Sourced

if TYPE_CHECKING:
    from schema.focus_areas import FocusArea
    from schema.initiatives import Initiative
    from schema.members import Member

__all__ = ["Partner", "PartnerInitiativeConnection", "PartnerMemberConnection"]

InitiativeT = Annotated["Initiative", strawberry.lazy("schema.initiatives")]
MemberT = Annotated["Member", strawberry.lazy("schema.members")]


@entity(
    PartnerRecord,
    "An organisation in the partner directory: a business, a multilateral or UN body, a "
    "development agency or bank, a city network, an academic or knowledge partner, or an "
    "NGO or foundation.",
)
class Partner(relay.Node, Sourced, Historic, Connected):
    id: relay.NodeID[int]
    name: str = strawberry.field(description=PartnerFields.NAME)
    kind: PartnerKind = strawberry.field(description=PartnerFields.KIND)
    sector: str | None = strawberry.field(description=PartnerFields.SECTOR)
    country_code: str | None = strawberry.field(
        name="country", description=PartnerFields.COUNTRY + NULL_WHERE_UNKNOWN
    )
    website: str | None = strawberry.field(description=RecordFields.WEBSITE + NULL_WHERE_UNKNOWN)
    description: str | None = strawberry.field(description=PartnerFields.DESCRIPTION)
    period: str | None = strawberry.field(description=PartnerFields.PERIOD)
    latitude: float | None = strawberry.field(
        description=PartnerFields.LATITUDE + NULL_WHERE_UNKNOWN
    )
    longitude: float | None = strawberry.field(
        description=PartnerFields.LONGITUDE + NULL_WHERE_UNKNOWN
    )

    @strawberry.field(
        description="Who to contact at the partner: for partner and staff keys only.",
        permission_classes=[PartnersAndStaff],
    )
    def contact(self) -> PartnerContact | None:
        return cast(PartnerContact, self)

    version: int = strawberry.field(description=RecordFields.VERSION)
    publication: Publication = strawberry.field(description=RecordFields.PUBLICATION)

    @strawberry.field(description="The initiatives it takes part in, with its role in each.")
    @paged("partner.initiatives")
    def initiatives(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[InitiativeWhere | None, WHERE] = None,
        order_by: Annotated[list[InitiativeOrder] | None, ORDER_BY] = None,
        roles: Annotated[list[PartnerRole] | None, ROLES] = None,
    ) -> PartnerInitiativeConnection:
        return related(
            info,
            "partner.initiatives",
            self.id,
            first,
            after,
            where=where,
            order_by=order_by,
            roles=roles,
        )

    @strawberry.field(
        description="Member governments it works with directly (outside initiatives)."
    )
    @paged("partner.members")
    def members(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[MemberWhere | None, WHERE] = None,
        order_by: Annotated[list[MemberOrder] | None, ORDER_BY] = None,
    ) -> PartnerMemberConnection:
        return related(
            info, "partner.members", self.id, first, after, where=where, order_by=order_by
        )

    @strawberry.field(description="The focus areas it works on.")
    @paged("partner.focusAreas")
    def focus_areas(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[FocusAreaWhere | None, WHERE] = None,
    ) -> Connection[Annotated[FocusArea, strawberry.lazy("schema.focus_areas")]]:
        return related(info, "partner.focusAreas", self.id, first, after, where=where)


@strawberry.type(description="Contact details of a partner organisation.")
class PartnerContact:
    contact_name: str | None = strawberry.field(
        name="name", description="The contact person, where known."
    )
    contact_email: str | None = strawberry.field(name="email", description="Email address.")
    contact_phone: str | None = strawberry.field(name="phone", description="Phone number.")


@strawberry.type(description="A partner's part in an initiative.")
class PartnerInitiativeEdge(LinkFields):
    node: InitiativeT = strawberry.field(description="The initiative.")
    role: PartnerRole = strawberry.field(description="The partner's role in it.")


@strawberry.type(description="A page of a partner's initiatives.")
class PartnerInitiativeConnection(ConnectionFields):
    edges: list[PartnerInitiativeEdge] = strawberry.field(description="The items on this page.")


@strawberry.type(description="A member government a partner works with directly.")
class PartnerMemberEdge(LinkFields):
    node: MemberT = strawberry.field(description="The member government.")
    role: str = strawberry.field(
        name="relationship", description="The relationship, as the source states it."
    )


@strawberry.type(description="A page of a partner's member governments.")
class PartnerMemberConnection(ConnectionFields):
    edges: list[PartnerMemberEdge] = strawberry.field(description="The items on this page.")
