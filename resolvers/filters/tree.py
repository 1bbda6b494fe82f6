"""The filter tree: plain, hashable values (so a filter can be part of a
DataLoader key) for conditions on a record type's fields, `and`/`or`/`not`,
conditions through relations (`some`/`none`/`every` of a member's
initiatives, say) and places.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["All", "AnyOf", "BoundingBox", "Condition", "Filter", "Near", "Not", "Related"]


@dataclass(frozen=True, slots=True)
class Condition:
    """`field op value`; for `in`, `value` is a tuple. IDs are `(type name, pk)`."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Filter


@dataclass(frozen=True, slots=True)
class Related:
    """Records with `some`, `none` or `every` related record matching `part`."""

    relation: str
    quantifier: Literal["some", "none", "every"]
    part: Filter


@dataclass(frozen=True, slots=True)
class Near:
    """Within `km` kilometres of a point (great-circle distance)."""

    latitude: float
    longitude: float
    km: float


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """Inside a box of latitudes and longitudes; `west > east` crosses the antimeridian."""

    south: float
    west: float
    north: float
    east: float


Filter = Condition | All | AnyOf | Not | Related | Near | BoundingBox
