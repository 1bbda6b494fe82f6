"""Filter operators: the conditions a `...Where` field takes, one input per
kind of value (text, codes, numbers, IDs, enums, places, relations), each with
only the operators that fit it.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

__all__ = [
    "BoundingBoxFilter",
    "CodeFilter",
    "EnumFilter",
    "FloatFilter",
    "IDFilter",
    "IntFilter",
    "NearFilter",
    "RelationFilter",
    "TextFilter",
    "ThemeFilter",
]

E = TypeVar("E")
W = TypeVar("W")

_IN = "Any of these values (at most 100)."


@strawberry.input(description="Conditions on a text field, all of which must hold.")
class TextFilter:
    eq: str | None = strawberry.field(default=None, description="Exactly this text.")
    ne: str | None = strawberry.field(default=None, description="Anything but this text.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description=_IN)
    contains: str | None = strawberry.field(
        default=None, description="Contains this text, ignoring case."
    )
    starts_with: str | None = strawberry.field(
        default=None, description="Starts with this text, ignoring case."
    )
    is_null: bool | None = strawberry.field(
        default=None, description="True: the field is empty; false: it is not."
    )


@strawberry.input(
    description="Conditions on the themes a record is about: each holds when one of its "
    "themes meets it (`contains` and `startsWith` ignore case). All given conditions must hold."
)
class ThemeFilter:
    eq: str | None = strawberry.field(default=None, description="A theme is exactly this text.")
    in_: list[str] | None = strawberry.field(
        default=None, name="in", description="A theme is one of these texts (at most 100)."
    )
    contains: str | None = strawberry.field(
        default=None, description="A theme contains this text, ignoring case (e.g. `climate`)."
    )
    starts_with: str | None = strawberry.field(
        default=None, description="A theme starts with this text, ignoring case."
    )


@strawberry.input(
    description="Conditions on a code (an ISO country code, a slug): exact matches only."
)
class CodeFilter:
    eq: str | None = strawberry.field(default=None, description="Exactly this code.")
    ne: str | None = strawberry.field(default=None, description="Any code but this one.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description=_IN)
    is_null: bool | None = strawberry.field(
        default=None, description="True: the field is empty; false: it is not."
    )


@strawberry.input(description="Conditions on a whole number, all of which must hold.")
class IntFilter:
    eq: int | None = strawberry.field(default=None, description="Equal to.")
    ne: int | None = strawberry.field(default=None, description="Not equal to.")
    in_: list[int] | None = strawberry.field(default=None, name="in", description=_IN)
    gt: int | None = strawberry.field(default=None, description="Greater than.")
    gte: int | None = strawberry.field(default=None, description="Greater than or equal to.")
    lt: int | None = strawberry.field(default=None, description="Less than.")
    lte: int | None = strawberry.field(default=None, description="Less than or equal to.")
    is_null: bool | None = strawberry.field(
        default=None, description="True: the field is empty; false: it is not."
    )


@strawberry.input(description="Conditions on a number, all of which must hold.")
class FloatFilter:
    gt: float | None = strawberry.field(default=None, description="Greater than.")
    gte: float | None = strawberry.field(default=None, description="Greater than or equal to.")
    lt: float | None = strawberry.field(default=None, description="Less than.")
    lte: float | None = strawberry.field(default=None, description="Less than or equal to.")
    is_null: bool | None = strawberry.field(
        default=None, description="True: the field is empty; false: it is not."
    )


@strawberry.input(description="Conditions on a reference to another object, by its global ID.")
class IDFilter:
    eq: strawberry.ID | None = strawberry.field(default=None, description="This object.")
    ne: strawberry.ID | None = strawberry.field(default=None, description="Any but this object.")
    in_: list[strawberry.ID] | None = strawberry.field(default=None, name="in", description=_IN)


@strawberry.input(description="Conditions on an enumerated field.")
class EnumFilter(Generic[E]):
    eq: E | None = strawberry.field(default=None, description="This value.")
    ne: E | None = strawberry.field(default=None, description="Any value but this one.")
    in_: list[E] | None = strawberry.field(default=None, name="in", description=_IN)


@strawberry.input(description="Within a distance of a point (great-circle distance).")
class NearFilter:
    latitude: float = strawberry.field(description="The point's latitude, -90 to 90 degrees.")
    longitude: float = strawberry.field(description="The point's longitude, -180 to 180 degrees.")
    km: float = strawberry.field(description="The distance in kilometres, more than 0.")


@strawberry.input(
    description="Inside a box of latitudes and longitudes. A `west` greater than `east` "
    "crosses the antimeridian."
)
class BoundingBoxFilter:
    south: float = strawberry.field(description="Southern edge (latitude, degrees).")
    west: float = strawberry.field(description="Western edge (longitude, degrees).")
    north: float = strawberry.field(description="Northern edge (latitude, degrees).")
    east: float = strawberry.field(description="Eastern edge (longitude, degrees).")


@strawberry.input(description="Conditions on a list of related objects.")
class RelationFilter(Generic[W]):
    some: W | None = strawberry.field(default=None, description="At least one matches.")
    none: W | None = strawberry.field(default=None, description="None matches.")
    every: W | None = strawberry.field(
        default=None, description="Every one matches (true when there are none)."
    )
