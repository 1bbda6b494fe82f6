"""Regions: the four world regions of the network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from resolvers.records import RegionRecord
from schema.context import Info
from schema.descriptions import RegionFields
from schema.filters import ORDER_BY, WHERE, MemberOrder, MemberWhere
from schema.graph import Connected
from schema.nodes import entity
from schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First, paged, related
from schema.provenance import Sourced

if TYPE_CHECKING:
    from schema.members import Member

__all__ = ["Region"]


@entity(
    RegionRecord,
    "A world region of the network: Africa; Americas & Caribbean; Asia & Pacific; Europe.",
)
class Region(relay.Node, Sourced, Connected):
    id: relay.NodeID[int]
    slug: str = strawberry.field(description=RegionFields.SLUG)
    name: str = strawberry.field(description=RegionFields.NAME)

    @strawberry.field(description="The member governments in this region.")
    @paged("region.members")
    def members(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[MemberWhere | None, WHERE] = None,
        order_by: Annotated[list[MemberOrder] | None, ORDER_BY] = None,
    ) -> Connection[Annotated[Member, strawberry.lazy("schema.members")]]:
        return related(
            info, "region.members", self.id, first, after, where=where, order_by=order_by
        )
