"""Orderings of lists: the `orderBy` keys and the columns they sort by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from resolvers.errors import UserInputError
from resolvers.filters.fields import SCHEMAS, record_name

__all__ = ["OrderKey", "order_columns"]


@dataclass(frozen=True, slots=True)
class OrderKey:
    """Sort by `field` (a record type's orderable field), ascending or not.
    Empty values sort last in either direction."""

    field: str
    descending: bool = False


def order_columns(record: type[Any], keys: Sequence[OrderKey]) -> list[tuple[str, bool]]:
    """(column, descending) for each key, then the id as the tie-breaker."""
    schema = SCHEMAS[record]
    columns = []
    for key in keys:
        attribute = schema.orderable.get(key.field)
        if attribute is None:
            raise UserInputError(
                f"{record_name(record)} lists cannot be ordered by `{key.field}`: use one of "
                f"{', '.join(sorted(schema.orderable))}.",
                code="INVALID_ORDER",
            )
        columns.append((attribute, key.descending))
    columns.append(("id", False))
    return columns
