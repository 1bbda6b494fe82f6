"""Focus areas: the six missions of the network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from resolvers.records import FocusAreaRecord
from schema.context import Info
from schema.descriptions import FocusAreaFields
from schema.filters import (
    ORDER_BY,
    WHERE,
    InitiativeOrder,
    InitiativeWhere,
    PartnerOrder,
    PartnerWhere,
)
from schema.graph import Connected
from schema.nodes import entity
from schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First, paged, related
from schema.provenance import Sourced

if TYPE_CHECKING:
    from schema.initiatives import Initiative
    from schema.partners import Partner

__all__ = ["FocusArea"]


@entity(
    FocusAreaRecord,
    "One of the network's six missions: metropolitan governance; technical/financial "
    "assistance; mutual learning; innovation; presence in international forums; debate on "
    "city trends.",
)
class FocusArea(relay.Node, Sourced, Connected):
    id: relay.NodeID[int]
    slug: str = strawberry.field(description=FocusAreaFields.SLUG)
    name: str = strawberry.field(description=FocusAreaFields.NAME)
    description: str = strawberry.field(description="The mission, as Metropolis states it.")

    @strawberry.field(description="The initiatives that serve this mission.")
    @paged("focusArea.initiatives")
    def initiatives(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[InitiativeWhere | None, WHERE] = None,
        order_by: Annotated[list[InitiativeOrder] | None, ORDER_BY] = None,
    ) -> Connection[Annotated[Initiative, strawberry.lazy("schema.initiatives")]]:
        return related(
            info, "focusArea.initiatives", self.id, first, after, where=where, order_by=order_by
        )

    @strawberry.field(description="The partners that work on this mission.")
    @paged("focusArea.partners")
    def partners(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[PartnerWhere | None, WHERE] = None,
        order_by: Annotated[list[PartnerOrder] | None, ORDER_BY] = None,
    ) -> Connection[Annotated[Partner, strawberry.lazy("schema.partners")]]:
        return related(
            info, "focusArea.partners", self.id, first, after, where=where, order_by=order_by
        )
