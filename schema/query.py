"""The root query: the directory's lists, and any object by its ID."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry
from strawberry import relay

from resolvers.errors import UserInputError
from resolvers.lists import list_page
from resolvers.pagination import page_args
from resolvers.records import (
    ActionPlanRecord,
    FocusAreaRecord,
    InitiativeRecord,
    MemberRecord,
    PartnerRecord,
    RegionRecord,
    SectionRecord,
)
from schema.action_plans import ActionPlan
from schema.context import Info
from schema.focus_areas import FocusArea
from schema.initiatives import Initiative
from schema.members import Member
from schema.nodes import MAX_NODES, load_node
from schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First
from schema.partners import Partner
from schema.regions import Region
from schema.search import SearchResultConnection, resolve_search
from schema.sections import UclgSection

__all__ = ["Query"]

NodeID = Annotated[strawberry.ID, strawberry.argument(description="The object's global ID.")]


async def _list(info: Info, record: type[Any], first: int | None, after: str | None) -> Any:
    return await list_page(info.context.database, record, page_args(first, after))


@strawberry.type(
    description="The network graph of Metropolis: member governments, their regions and UCLG "
    "sections, partner organisations, and the initiatives they run together."
)
class Query:
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
    ) -> list[relay.Node | None]:
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

    @strawberry.field(description="Member governments, by name.")
    async def members(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Member]:
        return await _list(info, MemberRecord, first, after)

    @strawberry.field(description="Partner organisations in the directory, by name.")
    async def partners(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Partner]:
        return await _list(info, PartnerRecord, first, after)

    @strawberry.field(description="Initiatives and pilot projects, by title.")
    async def initiatives(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Initiative]:
        return await _list(info, InitiativeRecord, first, after)

    @strawberry.field(description="The UCLG sections and the world secretariat, by name.")
    async def uclg_sections(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[UclgSection]:
        return await _list(info, SectionRecord, first, after)

    @strawberry.field(description="The four world regions, by name.")
    async def regions(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Region]:
        return await _list(info, RegionRecord, first, after)

    @strawberry.field(description="The network's six missions, by name.")
    async def focus_areas(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[FocusArea]:
        return await _list(info, FocusAreaRecord, first, after)

    @strawberry.field(description="Metropolis action plans, by title.")
    async def action_plans(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[ActionPlan]:
        return await _list(info, ActionPlanRecord, first, after)

    search: SearchResultConnection = strawberry.field(
        resolver=resolve_search,
        description="Full-text search of members, partners and initiatives: the best matches "
        "first, each with a snippet, and counts of all hits by facet. Narrow it with the "
        "facet filters.",
    )
