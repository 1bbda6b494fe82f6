"""The root query: the directory's lists, and any object by its ID."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, cast

import strawberry
from strawberry import relay

from resolvers.errors import UserInputError
from resolvers.filters import Near
from resolvers.lists import list_page
from resolvers.pagination import page_args
from resolvers.places import PLACE_TYPES, nearby
from resolvers.records import (
    ActionPlanRecord,
    FocusAreaRecord,
    InitiativeRecord,
    MemberRecord,
    PartnerRecord,
    RegionRecord,
    SectionRecord,
)
from resolvers.writes.audit import changes_feed
from schema.action_plans import ActionPlan
from schema.context import Info
from schema.enums import Origin
from schema.filters import (
    ORDER_BY,
    WHERE,
    ActionPlanOrder,
    ActionPlanWhere,
    FocusAreaWhere,
    InitiativeOrder,
    InitiativeWhere,
    MemberOrder,
    MemberWhere,
    PartnerOrder,
    PartnerWhere,
    RegionWhere,
    UclgSectionOrder,
    UclgSectionWhere,
)
from schema.focus_areas import FocusArea
from schema.graph import GraphQuery
from schema.history import Change
from schema.initiatives import Initiative
from schema.keys import KeyQueries
from schema.members import Member
from schema.nodes import MAX_NODES, load_node
from schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First, listed, page_request
from schema.partners import Partner
from schema.permissions import StaffOnly
from schema.places import NearbyConnection, PlaceType
from schema.quality import QualityQueries
from schema.rate_limits import RateLimit, rate_limit
from schema.regions import Region
from schema.search import SearchResultConnection, resolve_search
from schema.sections import UclgSection
from schema.statistics import Statistics
from schema.subgraphs import SubgraphQueries
from schema.usage import UsageQueries

__all__ = ["Query"]

NodeID = Annotated[strawberry.ID, strawberry.argument(description="The object's global ID.")]


async def _list(
    info: Info,
    record: type[Any],
    first: int | None,
    after: str | None,
    where: Any,
    order_by: list[Any] | None = None,
) -> Any:
    args = page_request(first, after, where, order_by)
    return await list_page(info.context.connect, info.context.principal, record, args)


@strawberry.type(
    description="The network graph of Metropolis: member governments, their regions and UCLG "
    "sections, partner organisations, and the initiatives they run together."
)
class Query(GraphQuery, SubgraphQueries, KeyQueries, UsageQueries, QualityQueries):
    @strawberry.field(description="Any object, by its global ID. An unknown ID is an error.")
    async def node(self, info: Info, id: NodeID) -> relay.Node | None:
        return await load_node(info, id)

    @strawberry.field(
        description=f"Several objects by their global IDs (at most {MAX_NODES}), in the "
        "order asked; an unknown ID gives null there and an error."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="The objects' global IDs.")
        ],
    ) -> list[relay.Node | None] | None:
        if len(ids) > MAX_NODES:
            raise UserInputError(
                f"`ids` may hold at most {MAX_NODES} IDs, got {len(ids)}: split the request.",
                code="TOO_MANY_IDS",
            )

        async def one(value: str) -> Any:
            # An error in the list nulls that entry alone.
            try:
                return await load_node(info, value)
            except UserInputError as error:
                return error

        # Concurrently, so that the loaders batch all IDs of a type together.
        return await asyncio.gather(*(one(value) for value in ids))

    @strawberry.field(
        description="Members and partners within `km` of a point, nearest first, with their "
        "distance. Work is bounded by the page size and one pass over the places inside a "
        "box around the circle."
    )
    async def near(
        self,
        info: Info,
        latitude: Annotated[float, strawberry.argument(description="Latitude, -90 to 90.")],
        longitude: Annotated[float, strawberry.argument(description="Longitude, -180 to 180.")],
        km: Annotated[float, strawberry.argument(description="Distance in kilometres.")],
        types: Annotated[
            list[PlaceType] | None,
            strawberry.argument(description="Which kinds of places (default: all)."),
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> NearbyConnection | None:
        kinds = [str(t.value) for t in types] if types else list(PLACE_TYPES)
        page = await nearby(
            info.context.database,
            info.context.principal,
            Near(latitude, longitude, km),
            kinds,
            page_args(first, after),
        )
        return cast(NearbyConnection, page)

    @strawberry.field(
        description="Every change to members, partners and initiatives, oldest first: a "
        "cursor resumes where a reader left off. Staff keys only.",
        permission_classes=[StaffOnly],
    )
    async def changes(
        self,
        info: Info,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description='Only changes to these types (e.g. ["Partner"]).'),
        ] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[Change] | None:
        page = await changes_feed(
            info.context.database, tuple(types or ()), page_args(first, after)
        )
        return cast(Connection[Change], page)

    @strawberry.field(description="Your rate budget; null for staff keys, which have none.")
    async def rate_limit(self, info: Info) -> RateLimit | None:
        return await rate_limit(info)

    @strawberry.field(description="Counts over the network, for dashboards.")
    def statistics(
        self,
        origins: Annotated[
            list[Origin] | None,
            strawberry.argument(
                description="Count only records of these origins (default: all; e.g. "
                "[REFERENCE] leaves demo data out)."
            ),
        ] = None,
    ) -> Statistics:
        return Statistics(origins=[str(o.value) for o in origins or ()])

    @strawberry.field(description="Member governments, by name.")
    @listed(MemberRecord)
    async def members(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[MemberWhere | None, WHERE] = None,
        order_by: Annotated[list[MemberOrder] | None, ORDER_BY] = None,
    ) -> Connection[Member] | None:
        return await _list(info, MemberRecord, first, after, where, order_by)

    @strawberry.field(description="Partner organisations in the directory, by name.")
    @listed(PartnerRecord)
    async def partners(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[PartnerWhere | None, WHERE] = None,
        order_by: Annotated[list[PartnerOrder] | None, ORDER_BY] = None,
    ) -> Connection[Partner] | None:
        return await _list(info, PartnerRecord, first, after, where, order_by)

    @strawberry.field(description="Initiatives and pilot projects, by title.")
    @listed(InitiativeRecord)
    async def initiatives(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[InitiativeWhere | None, WHERE] = None,
        order_by: Annotated[list[InitiativeOrder] | None, ORDER_BY] = None,
    ) -> Connection[Initiative] | None:
        return await _list(info, InitiativeRecord, first, after, where, order_by)

    @strawberry.field(description="The UCLG sections and the world secretariat, by name.")
    @listed(SectionRecord)
    async def uclg_sections(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[UclgSectionWhere | None, WHERE] = None,
        order_by: Annotated[list[UclgSectionOrder] | None, ORDER_BY] = None,
    ) -> Connection[UclgSection] | None:
        return await _list(info, SectionRecord, first, after, where, order_by)

    @strawberry.field(description="The four world regions, by name.")
    @listed(RegionRecord)
    async def regions(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[RegionWhere | None, WHERE] = None,
    ) -> Connection[Region] | None:
        return await _list(info, RegionRecord, first, after, where)

    @strawberry.field(description="The network's six missions, by name.")
    @listed(FocusAreaRecord)
    async def focus_areas(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[FocusAreaWhere | None, WHERE] = None,
    ) -> Connection[FocusArea] | None:
        return await _list(info, FocusAreaRecord, first, after, where)

    @strawberry.field(description="Metropolis action plans, by title.")
    @listed(ActionPlanRecord)
    async def action_plans(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[ActionPlanWhere | None, WHERE] = None,
        order_by: Annotated[list[ActionPlanOrder] | None, ORDER_BY] = None,
    ) -> Connection[ActionPlan] | None:
        return await _list(info, ActionPlanRecord, first, after, where, order_by)

    search: SearchResultConnection | None = strawberry.field(
        resolver=resolve_search,
        description="Full-text search of members, partners and initiatives: the best matches "
        "first, each with a snippet, and counts of all hits by facet. Narrow it with the "
        "facet filters.",
    )
