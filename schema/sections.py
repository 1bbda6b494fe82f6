"""UCLG sections: the sections of United Cities and Local Governments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from engine.compiled.declarations import record_at
from resolvers.records import MemberRecord, SectionRecord
from schema.context import Info
from schema.descriptions import NULL_WHERE_UNSTATED, RecordFields, UclgSectionFields
from schema.enums import Publication, SectionKind
from schema.filters import ORDER_BY, WHERE, MemberOrder, MemberWhere
from schema.graph import Connected
from schema.nodes import entity, load_record
from schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First, paged, related
from schema.provenance import Sourced

if TYPE_CHECKING:
    from schema.members import Member

__all__ = ["UclgSection"]

MemberT = Annotated["Member", strawberry.lazy("schema.members")]


@entity(
    SectionRecord,
    "A section of UCLG (United Cities and Local Governments): seven regional sections, the "
    "metropolitan section that Metropolis manages, the Forum of Regions, and the world "
    "secretariat.",
)
class UclgSection(relay.Node, Sourced, Connected):
    id: relay.NodeID[int]
    name: str = strawberry.field(description=UclgSectionFields.NAME)
    full_name: str = strawberry.field(description="The section's full name.")
    kind: SectionKind = strawberry.field(description=UclgSectionFields.KIND)
    area: str = strawberry.field(description="The area or membership it covers.")
    seat_city: str | None = strawberry.field(
        description=UclgSectionFields.SEAT_CITY + NULL_WHERE_UNSTATED
    )
    seat_country: str | None = strawberry.field(description="The country of its seat.")
    seat_note: str | None = strawberry.field(
        description="A note on how the seat is known, where it is not stated outright."
    )
    version: int = strawberry.field(description=RecordFields.VERSION)
    publication: Publication = strawberry.field(description=RecordFields.PUBLICATION)
    seat_member_id: strawberry.Private[int | None]

    @strawberry.field(description="The member government of its seat city, if it is a member.")
    @record_at(MemberRecord, "seat_member_id")
    async def seat_member(self, info: Info) -> MemberT | None:
        if self.seat_member_id is None:
            return None
        return await load_record(info, MemberRecord, self.seat_member_id)

    @strawberry.field(description="The member governments that belong to this section.")
    @paged("section.members")
    def members(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[MemberWhere | None, WHERE] = None,
        order_by: Annotated[list[MemberOrder] | None, ORDER_BY] = None,
    ) -> Connection[MemberT]:
        return related(
            info, "section.members", self.id, first, after, where=where, order_by=order_by
        )
