"""Order inputs: `orderBy:` takes a list of sort keys, each a field of the
type and a direction; `to_order` turns them into the resolvers' sort keys.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry

from resolvers.errors import UserInputError
from resolvers.filters import OrderKey

__all__ = [
    "MAX_ORDER_KEYS",
    "ORDER_BY",
    "ActionPlanOrder",
    "InitiativeOrder",
    "MemberOrder",
    "OrderDirection",
    "PartnerOrder",
    "UclgSectionOrder",
    "to_order",
]


@strawberry.enum(description="Sort direction.")
class OrderDirection(enum.Enum):
    ASC = strawberry.enum_value("asc", description="Smallest (or A) first.")
    DESC = strawberry.enum_value("desc", description="Largest (or Z) first.")


@strawberry.enum(description="What member governments can be sorted by.")
class MemberOrderField(enum.Enum):
    NAME = strawberry.enum_value("name", description="The full name.")
    COUNTRY = strawberry.enum_value("country", description="The country code.")
    JOINED_YEAR = strawberry.enum_value("joinedYear", description="The year it joined.")
    POPULATION = strawberry.enum_value("population", description="The (core) city's population.")
    KIND = strawberry.enum_value("kind", description="The kind of government.")


@strawberry.enum(description="What partners can be sorted by.")
class PartnerOrderField(enum.Enum):
    NAME = strawberry.enum_value("name", description="The name.")
    KIND = strawberry.enum_value("kind", description="The kind of organisation.")
    COUNTRY = strawberry.enum_value("country", description="The country code.")


@strawberry.enum(description="What initiatives can be sorted by.")
class InitiativeOrderField(enum.Enum):
    TITLE = strawberry.enum_value("title", description="The title.")
    START_YEAR = strawberry.enum_value("startYear", description="The first year.")
    END_YEAR = strawberry.enum_value("endYear", description="The last year.")
    KIND = strawberry.enum_value("kind", description="Initiative or pilot project.")
    STATUS = strawberry.enum_value("status", description="Where it stands.")


@strawberry.enum(description="What UCLG sections can be sorted by.")
class UclgSectionOrderField(enum.Enum):
    NAME = strawberry.enum_value("name", description="The short name.")
    KIND = strawberry.enum_value("kind", description="What the section covers.")


@strawberry.enum(description="What action plans can be sorted by.")
class ActionPlanOrderField(enum.Enum):
    TITLE = strawberry.enum_value("title", description="The title.")
    START_YEAR = strawberry.enum_value("startYear", description="The first year it covers.")


_DIRECTION = "Ascending (the default) or descending. Empty values sort last either way."


@strawberry.input(description="One sort key for member governments.")
class MemberOrder:
    field: MemberOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One sort key for partners.")
class PartnerOrder:
    field: PartnerOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One sort key for initiatives.")
class InitiativeOrder:
    field: InitiativeOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One sort key for UCLG sections.")
class UclgSectionOrder:
    field: UclgSectionOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One sort key for action plans.")
class ActionPlanOrder:
    field: ActionPlanOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


ORDER_BY = strawberry.argument(
    description="Sort keys, most significant first (at most 5); the id breaks ties."
)

MAX_ORDER_KEYS = 5


def to_order(keys: list[Any] | None) -> tuple[OrderKey, ...]:
    """The resolvers' sort keys for an `orderBy:` argument."""
    if not keys:
        return ()
    if len(keys) > MAX_ORDER_KEYS:
        raise UserInputError(
            f"`orderBy` takes at most {MAX_ORDER_KEYS} keys, got {len(keys)}.",
            code="INVALID_ORDER",
        )
    return tuple(OrderKey(key.field.value, key.direction is OrderDirection.DESC) for key in keys)
