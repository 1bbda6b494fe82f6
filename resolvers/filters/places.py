"""Place conditions: within a distance of a point (great-circle, haversine)
and inside a box of latitudes and longitudes, portable SQL for SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_

from resolvers.errors import UserInputError
from resolvers.filters.tree import BoundingBox, Near

__all__ = ["EARTH_RADIUS_KM", "MAX_DISTANCE_KM", "distance_km", "geo_condition"]

EARTH_RADIUS_KM = 6371.0088
# Half the Earth's circumference: every point is within this distance.
MAX_DISTANCE_KM = math.pi * EARTH_RADIUS_KM


def _check_point(latitude: float, longitude: float) -> None:
    if not -90 <= latitude <= 90:
        raise UserInputError(
            f"latitude must be between -90 and 90 degrees, got {latitude}.", code="INVALID_PLACE"
        )
    if not -180 <= longitude <= 180:
        raise UserInputError(
            f"longitude must be between -180 and 180 degrees, got {longitude}.",
            code="INVALID_PLACE",
        )


def distance_km(model: Any, latitude: float, longitude: float) -> ColumnElement[float]:
    """Great-circle (haversine) distance from a point to a record's coordinates."""
    lat1, lon1 = math.radians(latitude), math.radians(longitude)
    lat2, lon2 = func.radians(model.latitude), func.radians(model.longitude)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = (lon2 - lon1) / 2
    a = func.pow(func.sin(half_dlat), 2) + math.cos(lat1) * func.cos(lat2) * func.pow(
        func.sin(half_dlon), 2
    )
    # Rounding can push `a` a hair over 1; clamp it (portably: no scalar min()).
    root = case((a >= 1, 1.0), else_=func.sqrt(a))
    distance: ColumnElement[float] = 2 * EARTH_RADIUS_KM * func.asin(root)
    return distance


def geo_condition(part: Near | BoundingBox, model: Any) -> ColumnElement[bool]:
    if isinstance(part, Near):
        _check_point(part.latitude, part.longitude)
        if not 0 < part.km <= MAX_DISTANCE_KM:
            raise UserInputError(
                f"km must be more than 0 and at most {MAX_DISTANCE_KM:.0f}, got {part.km}.",
                code="INVALID_PLACE",
            )
        # A box around the circle first: cheap, and it lets an index help.
        dlat = math.degrees(part.km / EARTH_RADIUS_KM)
        box = [model.latitude.between(part.latitude - dlat, part.latitude + dlat)]
        cos_lat = math.cos(math.radians(part.latitude))
        if cos_lat > 1e-6:
            dlon = math.degrees(part.km / (EARTH_RADIUS_KM * cos_lat))
            if dlon < 180:
                box += _longitudes(model, part.longitude - dlon, part.longitude + dlon)
        within = distance_km(model, part.latitude, part.longitude) <= part.km
        return and_(model.latitude.is_not(None), *box, within)
    _check_point(part.south, part.west)
    _check_point(part.north, part.east)
    if part.south > part.north:
        raise UserInputError(
            f"south ({part.south}) must not be north of north ({part.north}).",
            code="INVALID_PLACE",
        )
    return and_(
        model.latitude.between(part.south, part.north),
        *_longitudes(model, part.west, part.east),
    )


def _longitudes(model: Any, west: float, east: float) -> list[ColumnElement[bool]]:
    """Longitudes from `west` to `east`, across the antimeridian when needed."""
    if west < -180:
        return [or_(model.longitude >= west + 360, model.longitude <= east)]
    if east > 180:
        return [or_(model.longitude >= west, model.longitude <= east - 360)]
    if west > east:
        return [or_(model.longitude >= west, model.longitude <= east)]
    return [model.longitude.between(west, east)]
