"""Order inputs: `orderBy:` takes a list of sort keys, each a field of the
type and a direction; `to_order` turns them into the resolvers' sort keys.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry

from resolvers.errors import UserInputError
from resolvers.filters import OrderKey
from schema.descriptions import (
    ActionPlanFields,
    InitiativeFields,
    MemberFields,
    PartnerFields,
    UclgSectionFields,
)

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
    NAME = strawberry.enum_value("name", description=MemberFields.NAME)
    COUNTRY = strawberry.enum_value("country", description=MemberFields.COUNTRY)
    JOINED_YEAR = strawberry.enum_value("joinedYear", description=MemberFields.JOINED_YEAR)
    POPULATION = strawberry.enum_value("population", description=MemberFields.POPULATION)
    KIND = strawberry.enum_value("kind", description=MemberFields.KIND)


@strawberry.enum(description="What partners can be sorted by.")
class PartnerOrderField(enum.Enum):
    NAME = strawberry.enum_value("name", description=PartnerFields.NAME)
    KIND = strawberry.enum_value("kind", description=PartnerFields.KIND)
    COUNTRY = strawberry.enum_value("country", description=PartnerFields.COUNTRY)


@strawberry.enum(description="What initiatives can be sorted by.")
class InitiativeOrderField(enum.Enum):
    TITLE = strawberry.enum_value("title", description=InitiativeFields.TITLE)
    START_YEAR = strawberry.enum_value("startYear", description=InitiativeFields.START_YEAR)
    END_YEAR = strawberry.enum_value("endYear", description=InitiativeFields.END_YEAR)
    KIND = strawberry.enum_value("kind", description=InitiativeFields.KIND)
    STATUS = strawberry.enum_value("status", description=InitiativeFields.STATUS)


@strawberry.enum(description="What UCLG sections can be sorted by.")
class UclgSectionOrderField(enum.Enum):
    NAME = strawberry.enum_value("name", description=UclgSectionFields.NAME)
    KIND = strawberry.enum_value("kind", description=UclgSectionFields.KIND)


@strawberry.enum(description="What action plans can be sorted by.")
class ActionPlanOrderField(enum.Enum):
    TITLE = strawberry.enum_value("title", description=ActionPlanFields.TITLE)
    START_YEAR = strawberry.enum_value("startYear", description=ActionPlanFields.START_YEAR)


_DIRECTION = "Ascending (the default) or descending. Empty values sort last either way."


_FIELD = "What to sort by."


@strawberry.input(description="One sort key for member governments.")
class MemberOrder:
    field: MemberOrderField = strawberry.field(description=_FIELD)
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One sort key for partners.")
class PartnerOrder:
    field: PartnerOrderField = strawberry.field(description=_FIELD)
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One sort key for initiatives.")
class InitiativeOrder:
    field: InitiativeOrderField = strawberry.field(description=_FIELD)
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One sort key for UCLG sections.")
class UclgSectionOrder:
    field: UclgSectionOrderField = strawberry.field(description=_FIELD)
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION)


@strawberry.input(description="One sort key for action plans.")
class ActionPlanOrder:
    field: ActionPlanOrderField = strawberry.field(description=_FIELD)
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
