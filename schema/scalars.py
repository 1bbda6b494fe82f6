"""Custom scalars as standard tools read them: each names the specification it
follows (`@specifiedBy`), so that code generators and clients know its form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

__all__ = ["SCALARS"]


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

# The Python types whose GraphQL scalar the hub defines itself (Strawberry's `scalar_map`).
SCALARS: dict[object, ScalarDefinition] = {datetime: DATE_TIME}
