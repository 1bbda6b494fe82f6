"""Initiatives: partnership projects between members and partners."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from engine.compiled.declarations import values_by_id
from resolvers.loaders import dimensions_by_id
from resolvers.records import InitiativeRecord
from schema.context import Info
from schema.descriptions import InitiativeFields, RecordFields
from schema.enums import (
    InitiativeKind,
    InitiativeStatus,
    MemberRole,
    PartnerRole,
    Publication,
    SustainabilityDimension,
)
from schema.filters import (
    ORDER_BY,
    ROLES,
    WHERE,
    FocusAreaWhere,
    MemberOrder,
    MemberWhere,
    ObjectiveWhere,
    PartnerOrder,
    PartnerWhere,
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
from schema.provenance import Sourced

if TYPE_CHECKING:
    from schema.action_plans import Objective
    from schema.focus_areas import FocusArea
    from schema.members import Member
    from schema.partners import Partner

__all__ = ["Initiative", "InitiativeMemberConnection", "InitiativePartnerConnection"]

MemberT = Annotated["Member", strawberry.lazy("schema.members")]
PartnerT = Annotated["Partner", strawberry.lazy("schema.partners")]


@entity(
    InitiativeRecord,
    "A partnership project of the network: a Metropolis Initiative (2012-2017) or a pilot "
    "project (since 2017), run by member governments with partner organisations.",
)
class Initiative(relay.Node, Sourced, Historic, Connected):
    id: relay.NodeID[int]
    title: str = strawberry.field(description=InitiativeFields.TITLE)
    kind: InitiativeKind = strawberry.field(description=InitiativeFields.KIND)
    period: str | None = strawberry.field(description=InitiativeFields.PERIOD)
    start_year: int | None = strawberry.field(description=InitiativeFields.START_YEAR)
    end_year: int | None = strawberry.field(
        description=InitiativeFields.END_YEAR + " Null when open-ended or unknown."
    )
    status: InitiativeStatus = strawberry.field(description=InitiativeFields.STATUS)
    summary: str | None = strawberry.field(description=InitiativeFields.SUMMARY)
    version: int = strawberry.field(description=RecordFields.VERSION)
    publication: Publication = strawberry.field(description=RecordFields.PUBLICATION)

    @strawberry.field(
        description="The aspects of urban sustainability it works on (derived from its "
        "stated topic)."
    )
    @values_by_id(dimensions_by_id)
    async def dimensions(self, info: Info) -> list[SustainabilityDimension]:
        return await info.context.loaders.dimensions.load(self.id)  # type: ignore[return-value]

    @strawberry.field(description="The member governments that take part, with their roles.")
    @paged("initiative.members")
    def members(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[MemberWhere | None, WHERE] = None,
        order_by: Annotated[list[MemberOrder] | None, ORDER_BY] = None,
        roles: Annotated[list[MemberRole] | None, ROLES] = None,
    ) -> InitiativeMemberConnection:
        return related(
            info,
            "initiative.members",
            self.id,
            first,
            after,
            where=where,
            order_by=order_by,
            roles=roles,
        )

    @strawberry.field(description="The partner organisations that take part, with their roles.")
    @paged("initiative.partners")
    def partners(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[PartnerWhere | None, WHERE] = None,
        order_by: Annotated[list[PartnerOrder] | None, ORDER_BY] = None,
        roles: Annotated[list[PartnerRole] | None, ROLES] = None,
    ) -> InitiativePartnerConnection:
        return related(
            info,
            "initiative.partners",
            self.id,
            first,
            after,
            where=where,
            order_by=order_by,
            roles=roles,
        )

    @strawberry.field(description="The focus areas (the network's missions) it serves.")
    @paged("initiative.focusAreas")
    def focus_areas(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[FocusAreaWhere | None, WHERE] = None,
    ) -> Connection[Annotated[FocusArea, strawberry.lazy("schema.focus_areas")]]:
        return related(info, "initiative.focusAreas", self.id, first, after, where=where)

    @strawberry.field(description="The action plan objectives it contributes to.")
    @paged("initiative.objectives")
    def objectives(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[ObjectiveWhere | None, WHERE] = None,
    ) -> Connection[Annotated[Objective, strawberry.lazy("schema.action_plans")]]:
        return related(info, "initiative.objectives", self.id, first, after, where=where)


@strawberry.type(description="A member government's part in an initiative.")
class InitiativeMemberEdge(LinkFields):
    node: MemberT = strawberry.field(description="The member government.")
    role: MemberRole = strawberry.field(description="Its role in the initiative.")


@strawberry.type(description="A page of an initiative's member governments.")
class InitiativeMemberConnection(ConnectionFields):
    edges: list[InitiativeMemberEdge] = strawberry.field(description="The items on this page.")


@strawberry.type(description="A partner organisation's part in an initiative.")
class InitiativePartnerEdge(LinkFields):
    node: PartnerT = strawberry.field(description="The partner organisation.")
    role: PartnerRole = strawberry.field(description="Its role in the initiative.")


@strawberry.type(description="A page of an initiative's partner organisations.")
class InitiativePartnerConnection(ConnectionFields):
    edges: list[InitiativePartnerEdge] = strawberry.field(description="The items on this page.")
