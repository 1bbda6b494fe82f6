"""The registry of partner subgraphs, for staff: register one, list them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from engine.time_budget import allow_up_to
from resolvers import registry
from resolvers.composition import CompositionUnavailableError
from resolvers.errors import UserInputError
from resolvers.headers import parse_headers
from schema.context import Info
from schema.nodes import parse_id
from schema.permissions import StaffOnly

__all__ = ["SubgraphMutations", "SubgraphQueries"]

MAX_HISTORY = 100


@strawberry.type
class ComposerMessages:
    """What the composers said of a check: the fields the types below share."""

    messages: list[str] = strawberry.field(
        description="The required composers' errors (HUB_REQUIRED_COMPOSERS, Apollo's by "
        "default), prefixed by the composer's name: why it was rejected."
    )
    warnings: list[str] = strawberry.field(
        description="The other composers' errors, prefixed by the composer's name: recorded, "
        "they decide nothing."
    )


@strawberry.type(description="One check of a subgraph: its SDL as fetched, and how it went.")
class SubgraphCheck(ComposerMessages):
    fetched_at: datetime = strawberry.field(description="When its SDL was fetched.")
    accepted: bool = strawberry.field(
        description="Whether the required composers (HUB_REQUIRED_COMPOSERS) accepted it."
    )


@strawberry.type(
    description="A partner's GraphQL subgraph registered with the hub; its `messages` and "
    "`warnings` are its last check's."
)
class Subgraph(ComposerMessages):
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
    headers: list[str] = strawberry.field(
        description="The headers sent when its SDL is fetched, masked (`Authorization: "
        "Bearer abcd…`): their values are never shown."
    )
    checks: strawberry.Private[list[registry.VersionRecord]]

    @strawberry.field(description="Its checks, newest first.")
    def history(
        self,
        last: Annotated[
            int, strawberry.argument(description="How many of the newest checks, 1 to 100.")
        ] = 10,
    ) -> list[SubgraphCheck]:
        if not 1 <= last <= MAX_HISTORY:
            raise UserInputError(
                f"`last` must be between 1 and {MAX_HISTORY}, got {last}.",
                code="INVALID_PAGE_SIZE",
            )
        return [
            SubgraphCheck(
                fetched_at=check.fetched_at,
                accepted=check.accepted,
                messages=check.messages,
                warnings=check.warnings,
            )
            for check in self.checks[:last]
        ]


@strawberry.type(description="The outcome of registering a subgraph.")
class SubgraphRegisterPayload(ComposerMessages):
    accepted: bool = strawberry.field(
        description="Whether the required composers (Apollo's by default) accept its SDL with "
        "the hub and the other subgraphs; when not, its last accepted version, if any, "
        "stays current."
    )
    summary: str | None = strawberry.field(
        description="What happened, in a sentence (null when it could not be checked)."
    )
    headers: list[str] = strawberry.field(
        description="The headers sent with the fetch, masked: their values are never shown."
    )
    error: str | None = strawberry.field(
        description="Why it could not be checked at all (bad name, URL or header, unreachable)."
    )


@strawberry.input(description="A partner subgraph to register or refresh.")
class SubgraphRegisterInput:
    name: str = strawberry.field(description="2-63 lower-case letters, digits and hyphens.")
    url: str = strawberry.field(description="Its GraphQL endpoint (http or https).")
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="The partner that runs it."
    )
    headers: list[str] | None = strawberry.field(
        default=None,
        description="Headers to send when fetching its SDL, now and later, as `Name: value` "
        "(e.g. `Authorization: Bearer <token>`) for a subgraph whose `_service` is protected; "
        "they replace the stored ones. Null sends the stored ones; an empty list, none.",
    )


def _failed(error: str) -> SubgraphRegisterPayload:
    return SubgraphRegisterPayload(
        accepted=False, summary=None, messages=[], warnings=[], headers=[], error=error
    )


@strawberry.type
class SubgraphQueries:
    @strawberry.field(
        description="Registered partner subgraphs and how their last check went. Staff keys.",
        permission_classes=[StaffOnly],
    )
    async def subgraphs(self, info: Info) -> list[Subgraph] | None:
        statuses = await registry.list_subgraphs(info.context.database)
        return [
            Subgraph(
                name=status.name,
                url=status.url,
                partner=status.partner,
                current_since=status.current_since,
                last_outcome=status.last_outcome,
                last_checked=status.last_checked,
                messages=status.messages,
                warnings=status.warnings,
                headers=status.headers,
                checks=status.history,
            )
            for status in statuses
        ]


@strawberry.type
class SubgraphMutations:
    @strawberry.mutation(
        description="Register (or refresh) a partner's subgraph: the hub fetches its SDL (with "
        "its headers), composes it with its own schema and every other subgraph, and keeps the "
        "version with its outcome. The required composers decide (HUB_REQUIRED_COMPOSERS, "
        "Apollo's by default); The Guild's and WunderGraph's rejections are warnings. Staff keys.",
        permission_classes=[StaffOnly],
    )
    async def subgraph_register(
        self,
        info: Info,
        input: Annotated[SubgraphRegisterInput, strawberry.argument(description="The subgraph.")],
    ) -> SubgraphRegisterPayload | None:
        from schema import hub_subgraph

        settings = info.context.request.app.state.hub.settings
        allow_up_to(registry.LONGEST_SECONDS)
        try:
            partner = parse_id(str(input.partner_id), "Partner")[2] if input.partner_id else None
            headers = None if input.headers is None else parse_headers(input.headers)
            result = await registry.register(
                info.context.database,
                hub_subgraph(settings.public_url),
                input.name,
                input.url,
                partner_id=partner,
                headers=headers,
                required=settings.required_composers,
            )
        except UserInputError as error:
            return _failed(error.message)
        except CompositionUnavailableError as error:
            return _failed(str(error))
        return SubgraphRegisterPayload(
            accepted=result.accepted,
            summary=result.summary,
            messages=result.messages,
            warnings=result.warnings,
            headers=result.headers,
            error=None,
        )
