"""Field usage, for staff: who uses a field, which clients call, and which
deprecated fields nobody uses any more (resolvers/usage/)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

import strawberry

from resolvers import usage
from resolvers.errors import UserInputError
from schema.context import Info
from schema.permissions import StaffOnly
from schema.scalars import SchemaCoordinate

__all__ = ["UsageQueries"]

MAX_DAYS: Final = 366

Days = Annotated[
    int,
    strawberry.argument(
        description="The last this many days, today (UTC) included: 1 to 366; usage is kept "
        "HUB_USAGE_DAYS (30 by default)."
    ),
]


@strawberry.type(description="One client's use of a field: one of its versions, in one operation.")
class FieldUse:
    client_name: str = strawberry.field(
        description="The client: `apollographql-client-name` (or `graphql-client-name`) as "
        "sent, else the name of its API key, else `anonymous`."
    )
    client_version: str | None = strawberry.field(
        description="Its `apollographql-client-version` (or `graphql-client-version`); null "
        "when it sent none."
    )
    operation_name: str | None = strawberry.field(
        description="The operation's name; null for an anonymous operation."
    )
    signature_hash: str = strawberry.field(
        description="The SHA-256 (hex) of the operation's signature, Apollo's normalised form "
        "of it (literals hidden, aliases removed, fields sorted)."
    )
    count: int = strawberry.field(description="How many times it read the field.")


@strawberry.type(description="Who read one field (`Type.field`) in the last days.")
class FieldUsage:
    coordinate: str = strawberry.field(description="The field, as `Type.field`.")
    days: int = strawberry.field(description="The days counted, today (UTC) included.")
    count: int = strawberry.field(description="How many times any operation read it.")
    uses: list[FieldUse] = strawberry.field(
        description="Per client version and operation, most used first."
    )


@strawberry.type(description="A client seen in the last days, per version.")
class UsageClient:
    name: str = strawberry.field(
        description="`apollographql-client-name` (or `graphql-client-name`) as sent, else "
        "the name of its API key, else `anonymous`."
    )
    version: str | None = strawberry.field(description="Its version; null when it sent none.")
    last_seen: datetime = strawberry.field(
        description="When its usage was last written (within HUB_USAGE_FLUSH_SECONDS of its "
        "last operation)."
    )
    operation_count: int = strawberry.field(
        description="How many distinct operations (by signature) it ran."
    )
    request_count: int = strawberry.field(description="How many operations it ran in all.")


@strawberry.type(description="A field marked `@deprecated` that no operation read.")
class UnusedDeprecatedField:
    coordinate: str = strawberry.field(description="The field, as `Type.field`.")
    deprecation_reason: str = strawberry.field(description="Why it was deprecated.")


def _days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise UserInputError(
            f"`days` must be between 1 and {MAX_DAYS}, got {days}.", code="INVALID_DAYS"
        )
    return days


@strawberry.type
class UsageQueries:
    @strawberry.field(
        description="Who read a field in the last `days` days: per client version and "
        "operation, through the hub or reported by a gateway (partner subgraphs' fields "
        "too). Staff keys.",
        permission_classes=[StaffOnly],
    )
    async def field_usage(
        self,
        info: Info,
        coordinate: Annotated[
            SchemaCoordinate,
            strawberry.argument(description="The field, as `Type.field` (`Member.population`)."),
        ],
        days: Days = 30,
    ) -> FieldUsage | None:
        found = await usage.usage_of(info.context.database, [coordinate], _days(days))
        uses = [
            FieldUse(
                client_name=use.client_name,
                client_version=use.client_version or None,
                operation_name=use.operation_name or None,
                signature_hash=use.signature_hash,
                count=use.count,
            )
            for use in found[coordinate]
        ]
        return FieldUsage(
            coordinate=str(coordinate),
            days=days,
            count=sum(use.count for use in uses),
            uses=uses,
        )

    @strawberry.field(
        description="The clients seen in the last `days` days, per name and version. Staff keys.",
        permission_classes=[StaffOnly],
    )
    async def clients(self, info: Info, days: Days = 30) -> list[UsageClient] | None:
        return [
            UsageClient(
                name=client.name,
                version=client.version or None,
                last_seen=client.last_seen,
                operation_count=client.operations,
                request_count=client.count,
            )
            for client in await usage.clients(info.context.database, _days(days))
        ]

    @strawberry.field(
        description="The hub's fields marked `@deprecated` that no operation read in the last "
        "`days` days: safe to remove. Staff keys.",
        permission_classes=[StaffOnly],
    )
    async def unused_deprecated_fields(
        self, info: Info, days: Days = 30
    ) -> list[UnusedDeprecatedField] | None:
        found = await usage.unused_deprecated_fields(
            info.context.database, info.schema._schema, _days(days)
        )
        return [
            UnusedDeprecatedField(coordinate=field.coordinate, deprecation_reason=field.reason)
            for field in found
        ]
