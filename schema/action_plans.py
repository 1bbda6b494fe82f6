"""Action plans and their objectives."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from engine.compiled.declarations import record_at
from resolvers.records import ActionPlanRecord, ObjectiveRecord
from schema.context import Info
from schema.descriptions import ActionPlanFields, ObjectiveFields
from schema.filters import ORDER_BY, WHERE, InitiativeOrder, InitiativeWhere, ObjectiveWhere
from schema.graph import Connected
from schema.nodes import entity, load_record
from schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First, paged, related
from schema.provenance import Sourced

if TYPE_CHECKING:
    from schema.initiatives import Initiative

__all__ = ["ActionPlan", "Objective"]


@entity(ActionPlanRecord, "A Metropolis action plan (e.g. Action Plan 2015-2017).")
class ActionPlan(relay.Node, Sourced, Connected):
    id: relay.NodeID[int]
    title: str = strawberry.field(description=ActionPlanFields.TITLE)
    start_year: int = strawberry.field(description=ActionPlanFields.START_YEAR)
    end_year: int = strawberry.field(description="The last year the plan covers.")
    summary: str | None = strawberry.field(description="A summary of the plan, where known.")

    @strawberry.field(description="The plan's objectives, in the plan's order.")
    @paged("actionPlan.objectives")
    def objectives(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[ObjectiveWhere | None, WHERE] = None,
    ) -> Connection[Objective]:
        return related(info, "actionPlan.objectives", self.id, first, after, where=where)


@entity(ObjectiveRecord, "An objective of an action plan.")
class Objective(relay.Node, Sourced, Connected):
    id: relay.NodeID[int]
    position: int = strawberry.field(description="Its place in the plan's list, from 1.")
    text: str = strawberry.field(description=ObjectiveFields.TEXT)
    action_plan_id: strawberry.Private[int]

    @strawberry.field(description="The action plan it belongs to.")
    @record_at(ActionPlanRecord, "action_plan_id")
    async def action_plan(self, info: Info) -> ActionPlan:
        return await load_record(info, ActionPlanRecord, self.action_plan_id)

    @strawberry.field(description="The initiatives that contribute to it.")
    @paged("objective.initiatives")
    def initiatives(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        where: Annotated[InitiativeWhere | None, WHERE] = None,
        order_by: Annotated[list[InitiativeOrder] | None, ORDER_BY] = None,
    ) -> Connection[Annotated[Initiative, strawberry.lazy("schema.initiatives")]]:
        return related(
            info, "objective.initiatives", self.id, first, after, where=where, order_by=order_by
        )
