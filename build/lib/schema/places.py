"""Places: members and partners near a point, with their distance."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from schema.members import Member
from schema.pagination import ConnectionFields
from schema.partners import Partner

__all__ = ["NearbyConnection", "PlaceType"]


@strawberry.enum(description="Kinds of records that have coordinates.")
class PlaceType(enum.Enum):
    MEMBER = strawberry.enum_value("Member", description="Member governments.")
    PARTNER = strawberry.enum_value("Partner", description="Partners with a known office.")


Place = Annotated[
    Member | Partner,
    strawberry.union("Place", description="A member government or a partner, with coordinates."),
]


@strawberry.type(description="A member or partner near the point, and how far it is.")
class NearbyEdge:
    cursor: str = strawberry.field(description="Points at this item; pass it as `after`.")
    distance_km: float = strawberry.field(
        description="Great-circle distance from the point, in kilometres."
    )
    node: Place = strawberry.field(description="The member or partner.")


@strawberry.type(description="Members and partners near a point, nearest first.")
class NearbyConnection(ConnectionFields):
    edges: list[NearbyEdge] = strawberry.field(description="The items on this page.")
