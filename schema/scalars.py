"""Custom scalars as standard tools read them: each names the specification it
follows (`@specifiedBy`), so that code generators and clients know its form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from resolvers.usage.reports import COORDINATE

__all__ = ["SCALARS", "SchemaCoordinate"]

# A field of the schema as `Type.field` (usage is counted by these).
SchemaCoordinate = NewType("SchemaCoordinate", str)


def _serialize(value: datetime) -> str:
    # The database keeps UTC without a zone (SQLite has none): say it is UTC.
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"DateTime must be a string, as in 2026-12-02T07:29:54Z; got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an RFC 3339 date and time, as in 2026-12-02T07:29:54Z."
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone: end it with Z (UTC) or an offset.")
    return moment.astimezone(UTC)


DATE_TIME = strawberry.scalar(
    name="DateTime",
    description=(
        "A moment in time: an RFC 3339 date and time in UTC to the millisecond, "
        "e.g. 2026-12-02T07:29:54.529Z."
    ),
    specified_by_url="https://scalars.graphql.org/andimarek/date-time",
    serialize=_serialize,
    parse_value=_parse,
)


def _coordinate(value: Any) -> SchemaCoordinate:
    if not isinstance(value, str) or not COORDINATE.fullmatch(value):
        raise ValueError(
            f"A schema coordinate is a field as `Type.field` (`Member.population`); "
            f"got {str(value)[:80]!r}."
        )
    return SchemaCoordinate(value)


SCHEMA_COORDINATE = strawberry.scalar(
    name="SchemaCoordinate",
    description="A field of the schema as `Type.field`, e.g. `Member.population`.",
    specified_by_url="https://spec.graphql.org/draft/#sec-Schema-Coordinates",
    serialize=str,
    parse_value=_coordinate,
)

# The Python types whose GraphQL scalar the hub defines itself (Strawberry's `scalar_map`).
SCALARS: dict[object, ScalarDefinition] = {
    datetime: DATE_TIME,
    SchemaCoordinate: SCHEMA_COORDINATE,
}
