"""Checking a subgraph's next version through the API, as `metrohub subgraphs
check` does: staff for any subgraph, a partner key for its own."""

from __future__ import annotations

import enum
from typing import Annotated, Final

import strawberry

from engine.time_budget import allow_up_to
from resolvers import registry, schema_checks
from resolvers.composition import CompositionUnavailableError
from resolvers.errors import UserInputError
from resolvers.headers import parse_headers
from resolvers.schema_checks import CheckReport, Severity
from schema.context import Info
from schema.mutations.records import INPUT
from schema.payloads import UserError, UserErrorCode
from schema.usage import FieldUse

__all__ = ["SubgraphCheckMutations"]

# Where in the input each kind of problem lies.
FIELDS: Final = {
    "INVALID_SUBGRAPH_NAME": ("input", "name"),
    "RESERVED_NAME": ("input", "name"),
    "INVALID_SUBGRAPH_URL": ("input", "url"),
    "SUBGRAPH_UNREACHABLE": ("input", "url"),
    "INVALID_HEADER": ("input", "headers"),
    "INVALID_SDL": ("input", "sdl"),
    "INVALID_DAYS": ("input", "days"),
}


@strawberry.enum(description="How a change to the API schema affects clients.")
class ChangeSeverity(enum.Enum):
    BREAKING = strawberry.enum_value(
        Severity.BREAKING,
        description="It can break operations that clients run (graphql-core's "
        "`find_breaking_changes`): a field, argument, type or enum value removed, a type "
        "changed, a required argument added.",
    )
    DANGEROUS = strawberry.enum_value(
        Severity.DANGEROUS,
        description="It can change what clients get without breaking their operations "
        "(`find_dangerous_changes`): an enum value added, a default value changed.",
    )
    SAFE = strawberry.enum_value(
        Severity.SAFE, description="Nothing clients do changes: e.g. a field added."
    )


@strawberry.type(
    description="A recorded operation that a breaking change breaks: one client version's "
    "operation, and the field through which it uses what changes."
)
class BrokenOperation(FieldUse):
    coordinate: str = strawberry.field(
        description="The field (`Type.field`) it reads that the change breaks."
    )


@strawberry.type(description="One change from the current supergraph's API schema to the next.")
class SchemaChange:
    severity: ChangeSeverity = strawberry.field(description="How it affects clients.")
    kind: str = strawberry.field(
        description="The kind of change, as graphql-core names it: e.g. `FIELD_REMOVED`."
    )
    description: str = strawberry.field(
        description="The change in a sentence, e.g. `Field Member.daylight was removed.`"
    )
    coordinates: list[str] = strawberry.field(
        description="The schema coordinates it touches (`Member.daylight`, "
        "`Query.members(first:)`, `MemberKind.CITY`); empty for a change that is not breaking."
    )
    broken_operations: list[BrokenOperation] = strawberry.field(
        description="For a breaking change, the operations clients ran in the days checked "
        "that it breaks, most used first; empty when nobody used what it changes."
    )


@strawberry.type(description="The outcome of checking a subgraph's next version.")
class SubgraphCheckPayload:
    passed: bool = strawberry.field(
        description="Whether it composes and breaks no field a client used in the days "
        "checked; false when it could not be checked (see `userErrors`)."
    )
    summary: str | None = strawberry.field(
        description="The outcome in a sentence; null when it could not be checked."
    )
    days: int = strawberry.field(description="The days of recorded usage looked at.")
    composition_errors: list[str] = strawberry.field(
        description="Why it does not compose with the hub and the other subgraphs' current "
        "versions, prefixed by the composer's name (HUB_REQUIRED_COMPOSERS decide); empty "
        "when it composes."
    )
    changes: list[SchemaChange] = strawberry.field(
        description="Every change it makes to the supergraph's API schema: breaking ones "
        "first, then dangerous, then safe."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty when it was checked."
    )


@strawberry.input(
    description="A subgraph's next version to check: its SDL, or the URL that serves it."
)
class SubgraphCheckInput:
    name: str = strawberry.field(
        description="The subgraph's name (a new one may be checked too, by staff)."
    )
    url: str | None = strawberry.field(
        default=None,
        description="Its GraphQL endpoint, to fetch its SDL from (`_service { sdl }`). Give "
        "`url` or `sdl`, not both.",
    )
    sdl: str | None = strawberry.field(default=None, description="Its SDL.")
    headers: list[str] | None = strawberry.field(
        default=None,
        description="Headers to send when fetching its SDL from `url`, as `Name: value`; null "
        "sends those stored with the subgraph.",
    )
    days: int = strawberry.field(
        default=30, description="How many days of recorded usage to look at: 1 to 366."
    )


def _payload(report: CheckReport) -> SubgraphCheckPayload:
    return SubgraphCheckPayload(
        passed=report.passed,
        summary=report.summary,
        days=report.days,
        composition_errors=report.composition_errors,
        changes=[_change(change) for change in report.changes],
        user_errors=[],
    )


def _change(change: schema_checks.SchemaChange) -> SchemaChange:
    return SchemaChange(
        severity=ChangeSeverity(change.severity),
        kind=change.kind,
        description=change.description,
        coordinates=list(change.coordinates),
        broken_operations=[
            BrokenOperation(
                coordinate=use.coordinate,
                client_name=use.client_name,
                client_version=use.client_version or None,
                operation_name=use.operation_name or None,
                signature_hash=use.signature_hash,
                count=use.count,
            )
            for use in change.uses
        ],
    )


def _refused(days: int, field: tuple[str, ...], message: str, code: str) -> SubgraphCheckPayload:
    return SubgraphCheckPayload(
        passed=False,
        summary=None,
        days=days,
        composition_errors=[],
        changes=[],
        user_errors=[UserError(field=list(field), message=message, code=UserErrorCode(code))],
    )


@strawberry.type
class SubgraphCheckMutations:
    """The subgraph check, part of `Mutation`."""

    @strawberry.mutation(
        description="Check a subgraph's next version, storing nothing, as `metrohub subgraphs "
        "check` does: compose it with the hub and the other subgraphs' current versions "
        "(Apollo's composer decides), list every change it makes to the API schema, and look "
        "each breaking change up in the usage clients recorded. Staff keys, for any subgraph; "
        "a partner key, for its own partner's registered subgraphs."
    )
    async def subgraph_check(
        self, info: Info, input: Annotated[SubgraphCheckInput, INPUT]
    ) -> SubgraphCheckPayload | None:
        from schema import hub_subgraph

        context = info.context
        await registry.may_check(context.database, context.principal, input.name, input.url)
        settings = context.request.app.state.hub.settings
        allow_up_to(registry.LONGEST_SECONDS)
        try:
            report = await registry.check_version(
                context.database,
                hub_subgraph(settings.public_url),
                input.name,
                url=input.url,
                sdl=input.sdl,
                headers=None if input.headers is None else parse_headers(input.headers),
                days=input.days,
                required=settings.required_composers,
            )
        except UserInputError as error:
            where = FIELDS.get(error.code, ("input",))
            return _refused(input.days, where, error.message, error.code)
        except CompositionUnavailableError as error:
            return _refused(input.days, ("input",), str(error), "COMPOSITION_UNAVAILABLE")
        return _payload(report)
