"""Filters and orderings of lists, compiled to SQL.

A filter is a small tree of plain, hashable values (so it can be part of a
DataLoader key): conditions on a record type's fields, `and`/`or`/`not`, and
conditions through relations (`some`/`none`/`every` of a member's
initiatives, say). Each record type allow-lists its filterable fields and the
operators each field takes; anything else is refused with a clear error.

One concept a module: `tree` (the filter values), `fields` (what each record
type may be filtered and ordered by), `conditions` (a tree compiled to SQL),
`places` (distances and boxes) and `ordering` (`orderBy` keys).
"""

from resolvers.filters.conditions import compile_filter
from resolvers.filters.ordering import OrderKey, order_columns
from resolvers.filters.places import EARTH_RADIUS_KM, distance_km
from resolvers.filters.tree import (
    All,
    AnyOf,
    BoundingBox,
    Condition,
    Filter,
    Near,
    Not,
    Related,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "All",
    "AnyOf",
    "BoundingBox",
    "Condition",
    "Filter",
    "Near",
    "Not",
    "OrderKey",
    "Related",
    "compile_filter",
    "distance_km",
    "order_columns",
]
