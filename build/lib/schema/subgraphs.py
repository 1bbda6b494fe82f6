"""The registry of partner subgraphs, for staff: register one, list them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

import strawberry

from resolvers import registry
from resolvers.composition import CompositionUnavailableError, SubgraphSource
from resolvers.errors import UserInputError
from schema.context import Info
from schema.nodes import parse_id
from schema.permissions import StaffOnly

__all__ = ["SubgraphMutations", "SubgraphQueries"]


@strawberry.type(description="A partner's GraphQL subgraph registered with the hub.")
class Subgraph:
    name: str = strawberry.field(description="Its name in the supergraph.")
    url: str = strawberry.field(description="Where gateways reach it.")
    partner: str | None = strawberry.field(description="The partner that runs it, if known.")
    current_since: datetime | None = strawberry.field(
        description="When its current (last accepted) SDL was fetched; null if none was."
    )
    last_outcome: str = strawberry.field(
        description="`accepted` or `rejected`: how its last check ended."
    )
    last_checked: datetime | None = strawberry.field(description="When it was last checked.")
    messages: list[str] = strawberry.field(
        description="The composers' messages from its last check (why it was rejected)."
    )


@strawberry.type(description="The outcome of registering a subgraph.")
class SubgraphRegisterPayload:
    accepted: bool = strawberry.field(
        description="Whether its SDL composes with the hub and the other subgraphs; when "
        "not, the last good version stands."
    )
    messages: list[str] = strawberry.field(
        description="Each composer's messages, prefixed by the composer's name."
    )
    error: str | None = strawberry.field(
        description="Why it could not be checked at all (bad name or URL, unreachable)."
    )


@strawberry.input(description="A partner subgraph to register or refresh.")
class SubgraphRegisterInput:
    name: str = strawberry.field(description="2-63 lower-case letters, digits and hyphens.")
    url: str = strawberry.field(description="Its GraphQL endpoint (http or https).")
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="The partner that runs it."
    )


def _hub(info: Info) -> SubgraphSource:
    from schema import sdl

    settings = info.context.request.app.state.hub.settings
    return SubgraphSource("hub", settings.public_url, sdl())


@strawberry.type
class SubgraphQueries:
    @strawberry.field(
        description="Registered partner subgraphs and how their last check went. Staff keys.",
        permission_classes=[StaffOnly],
    )
    async def subgraphs(self, info: Info) -> list[Subgraph] | None:
        statuses = await registry.list_subgraphs(info.context.database)
        return [Subgraph(**asdict(status)) for status in statuses]


@strawberry.type
class SubgraphMutations:
    @strawberry.mutation(
        description="Register (or refresh) a partner's subgraph: the hub fetches its SDL, "
        "composes it with its own schema and every other subgraph under Apollo's, The Guild's "
        "and WunderGraph's composers, and keeps the version with its outcome. Staff keys.",
        permission_classes=[StaffOnly],
    )
    async def subgraph_register(
        self,
        info: Info,
        input: Annotated[SubgraphRegisterInput, strawberry.argument(description="The subgraph.")],
    ) -> SubgraphRegisterPayload | None:
        try:
            partner = parse_id(str(input.partner_id), "Partner")[2] if input.partner_id else None
            result = await registry.register(
                info.context.database, _hub(info), input.name, input.url, partner_id=partner
            )
        except UserInputError as error:
            return SubgraphRegisterPayload(accepted=False, messages=[], error=error.message)
        except CompositionUnavailableError as error:
            return SubgraphRegisterPayload(accepted=False, messages=[], error=str(error))
        return SubgraphRegisterPayload(
            accepted=result.accepted, messages=result.messages, error=None
        )
