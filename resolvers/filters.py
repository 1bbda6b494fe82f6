"""Filters and orderings of lists, compiled to SQL.

A filter is a small tree of plain, hashable values (so it can be part of a
DataLoader key): conditions on a record type's fields, `and`/`or`/`not`, and
conditions through relations (`some`/`none`/`every` of a member's
initiatives, say). Each record type allow-lists its filterable fields and the
operators each field takes; anything else is refused with a clear error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from db.models import (
    ActionPlan,
    FocusArea,
    Initiative,
    InitiativeDimension,
    InitiativeFocusArea,
    InitiativeObjective,
    Member,
    MemberInitiative,
    MemberSection,
    Objective,
    Partner,
    PartnerFocusArea,
    PartnerInitiative,
    PartnerMember,
    Region,
    UclgSection,
)
from resolvers.access.keys import ANONYMOUS, Principal
from resolvers.access.visibility import where_visible
from resolvers.errors import UserInputError
from resolvers.records import (
    ActionPlanRecord,
    FocusAreaRecord,
    InitiativeRecord,
    MemberRecord,
    ObjectiveRecord,
    PartnerRecord,
    RegionRecord,
    SectionRecord,
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

EARTH_RADIUS_KM = 6371.0088
# Half the Earth's circumference: every point is within this distance.
MAX_DISTANCE_KM = math.pi * EARTH_RADIUS_KM
MAX_LIST_VALUES = 100
MAX_TEXT_LENGTH = 200

Op = Literal["eq", "ne", "in", "contains", "startsWith", "gt", "gte", "lt", "lte", "isNull"]
Kind = Literal["text", "number", "enum", "id", "code"]

OPERATORS: dict[Kind, frozenset[str]] = {
    "text": frozenset({"eq", "ne", "in", "contains", "startsWith", "isNull"}),
    "code": frozenset({"eq", "ne", "in", "isNull"}),
    "number": frozenset({"eq", "ne", "in", "gt", "gte", "lt", "lte", "isNull"}),
    "enum": frozenset({"eq", "ne", "in"}),
    "id": frozenset({"eq", "ne", "in"}),
}


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


@dataclass(frozen=True, slots=True)
class OrderKey:
    """Sort by `field` (a record type's orderable field), ascending or not.
    Empty values sort last in either direction."""

    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class _Field:
    attribute: str
    kind: Kind
    target: str | None = None  # the type name an `id` field refers to


@dataclass(frozen=True, slots=True)
class _Relation:
    """A related record type reached through a link table (or a foreign key)."""

    link: Any
    near: str  # the link's column pointing at the filtered record
    far: str  # the link's column pointing at the related record
    record: type[Any]


@dataclass(frozen=True, slots=True)
class _Schema:
    model: Any
    fields: dict[str, _Field]
    relations: dict[str, _Relation]
    orderable: dict[str, str]
    geo: bool = False


def _common(name: str = "name") -> dict[str, _Field]:
    return {
        "origin": _Field("origin", "enum"),
        "confidence": _Field("confidence", "enum"),
        name: _Field(name, "text"),
    }


SCHEMAS: dict[type[Any], _Schema] = {
    MemberRecord: _Schema(
        Member,
        {
            **_common(),
            "id": _Field("id", "id", "Member"),
            "shortName": _Field("short_name", "text"),
            "country": _Field("country_code", "code"),
            "countryName": _Field("country_name", "text"),
            "region": _Field("region_id", "id", "Region"),
            "kind": _Field("kind", "enum"),
            "status": _Field("status", "enum"),
            "joinedYear": _Field("joined_year", "number"),
            "population": _Field("population", "number"),
            "latitude": _Field("latitude", "number"),
            "longitude": _Field("longitude", "number"),
        },
        {
            "initiatives": _Relation(
                MemberInitiative, "member_id", "initiative_id", InitiativeRecord
            ),
            "partners": _Relation(PartnerMember, "member_id", "partner_id", PartnerRecord),
            "sections": _Relation(MemberSection, "member_id", "section_id", SectionRecord),
        },
        {
            "name": "name",
            "country": "country_code",
            "joinedYear": "joined_year",
            "population": "population",
            "kind": "kind",
        },
        geo=True,
    ),
    PartnerRecord: _Schema(
        Partner,
        {
            **_common(),
            "id": _Field("id", "id", "Partner"),
            "kind": _Field("kind", "enum"),
            "sector": _Field("sector", "text"),
            "description": _Field("description", "text"),
            "country": _Field("country_code", "code"),
            "latitude": _Field("latitude", "number"),
            "longitude": _Field("longitude", "number"),
        },
        {
            "initiatives": _Relation(
                PartnerInitiative, "partner_id", "initiative_id", InitiativeRecord
            ),
            "members": _Relation(PartnerMember, "partner_id", "member_id", MemberRecord),
            "focusAreas": _Relation(
                PartnerFocusArea, "partner_id", "focus_area_id", FocusAreaRecord
            ),
        },
        {"name": "name", "kind": "kind", "country": "country_code"},
        geo=True,
    ),
    InitiativeRecord: _Schema(
        Initiative,
        {
            **_common("title"),
            "id": _Field("id", "id", "Initiative"),
            "kind": _Field("kind", "enum"),
            "status": _Field("status", "enum"),
            "startYear": _Field("start_year", "number"),
            "endYear": _Field("end_year", "number"),
            "summary": _Field("summary", "text"),
        },
        {
            "members": _Relation(MemberInitiative, "initiative_id", "member_id", MemberRecord),
            "partners": _Relation(PartnerInitiative, "initiative_id", "partner_id", PartnerRecord),
            "focusAreas": _Relation(
                InitiativeFocusArea, "initiative_id", "focus_area_id", FocusAreaRecord
            ),
            "objectives": _Relation(
                InitiativeObjective, "initiative_id", "objective_id", ObjectiveRecord
            ),
        },
        {
            "title": "title",
            "startYear": "start_year",
            "endYear": "end_year",
            "kind": "kind",
            "status": "status",
        },
    ),
    RegionRecord: _Schema(
        Region,
        {**_common(), "id": _Field("id", "id", "Region"), "slug": _Field("slug", "code")},
        {},
        {"name": "name"},
    ),
    SectionRecord: _Schema(
        UclgSection,
        {
            **_common(),
            "id": _Field("id", "id", "UclgSection"),
            "kind": _Field("kind", "enum"),
            "seatCity": _Field("seat_city", "text"),
        },
        {"members": _Relation(MemberSection, "section_id", "member_id", MemberRecord)},
        {"name": "name", "kind": "kind"},
    ),
    FocusAreaRecord: _Schema(
        FocusArea,
        {**_common(), "id": _Field("id", "id", "FocusArea"), "slug": _Field("slug", "code")},
        {},
        {"name": "name"},
    ),
    ActionPlanRecord: _Schema(
        ActionPlan,
        {
            **_common("title"),
            "id": _Field("id", "id", "ActionPlan"),
            "startYear": _Field("start_year", "number"),
        },
        {},
        {"title": "title", "startYear": "start_year"},
    ),
    ObjectiveRecord: _Schema(
        Objective,
        {**_common("text"), "id": _Field("id", "id", "Objective")},
        {},
        {"position": "position"},
    ),
}

# Conditions on an initiative's (or partner's) links that read as plain fields:
# `focusArea: { in: [...] }` and `dimension: { eq: SOCIAL }`.
LINK_FIELDS: dict[tuple[type[Any], str], tuple[Any, str, str, Kind, str | None]] = {
    (InitiativeRecord, "focusArea"): (
        InitiativeFocusArea,
        "initiative_id",
        "focus_area_id",
        "id",
        "FocusArea",
    ),
    (PartnerRecord, "focusArea"): (
        PartnerFocusArea,
        "partner_id",
        "focus_area_id",
        "id",
        "FocusArea",
    ),
    (InitiativeRecord, "dimension"): (
        InitiativeDimension,
        "initiative_id",
        "dimension",
        "enum",
        None,
    ),
}


def compile_filter(
    record: type[Any], part: Filter, principal: Principal = ANONYMOUS, model: Any = None
) -> ColumnElement[bool]:
    """The SQL condition for `part` on `record`'s table (or an alias of it).
    Conditions through relations see only the related rows `principal` may."""
    schema = SCHEMAS[record]
    target = schema.model if model is None else model
    if isinstance(part, All):
        return and_(true(), *(compile_filter(record, p, principal, target) for p in part.parts))
    if isinstance(part, AnyOf):
        return or_(false(), *(compile_filter(record, p, principal, target) for p in part.parts))
    if isinstance(part, Not):
        return not_(compile_filter(record, part.part, principal, target))
    if isinstance(part, Related):
        return _related(record, part, principal, target)
    if isinstance(part, Near | BoundingBox):
        if not schema.geo:
            raise UserInputError(
                f"{_type_name(record)} lists have no coordinates to filter by place.",
                code="INVALID_FILTER",
            )
        return _geo(part, target)
    link = LINK_FIELDS.get((record, part.field))
    if link is not None:
        return _link_condition(part, target, *link)
    field = schema.fields.get(part.field)
    if field is None:
        raise UserInputError(
            f"{_type_name(record)} lists cannot be filtered by `{part.field}`: use one of "
            f"{', '.join(sorted(schema.fields))}.",
            code="INVALID_FILTER",
        )
    return _condition(part, getattr(target, field.attribute), field.kind, field.target)


def _type_name(record: type[Any]) -> str:
    return record.__name__.removesuffix("Record")


def _check(part: Condition, kind: Kind) -> None:
    if part.op not in OPERATORS[kind]:
        raise UserInputError(
            f"`{part.field}` does not take `{part.op}`: use one of "
            f"{', '.join(sorted(OPERATORS[kind]))}.",
            code="INVALID_FILTER",
        )
    values = part.value if part.op == "in" else (part.value,)
    if part.op == "in" and not 1 <= len(values) <= MAX_LIST_VALUES:
        raise UserInputError(
            f"`{part.field}: {{in: ...}}` takes 1 to {MAX_LIST_VALUES} values, got {len(values)}.",
            code="INVALID_FILTER",
        )
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            # SQLite would cut the text at the NUL and match something else.
            raise UserInputError(
                f"`{part.field}` values must not contain NUL characters.", code="INVALID_FILTER"
            )
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            raise UserInputError(
                f"`{part.field}` values may be at most {MAX_TEXT_LENGTH} characters long.",
                code="INVALID_FILTER",
            )


def _ids(part: Condition, target: str | None) -> Any:
    """The primary keys of ID values, checking they name the right type."""
    values = part.value if part.op == "in" else (part.value,)
    keys = []
    for type_name, pk in values:
        if type_name != target:
            raise UserInputError(
                f"`{part.field}` takes {target} IDs, got the ID of a {type_name}.",
                code="WRONG_ID_TYPE",
            )
        keys.append(pk)
    return tuple(keys) if part.op == "in" else keys[0]


COMPARISONS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "eq": lambda column, value: column == value,
    "ne": lambda column, value: or_(column != value, column.is_(None)),
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
}


def _condition(part: Condition, column: Any, kind: Kind, target: str | None) -> ColumnElement[bool]:
    _check(part, kind)
    value = _ids(part, target) if kind == "id" else part.value
    clause: ColumnElement[bool]
    if part.op == "isNull":
        clause = column.is_(None) if value else column.is_not(None)
    elif part.op == "in":
        clause = column.in_(value)
    elif part.op == "contains":
        clause = func.lower(column).contains(value.lower(), autoescape=True)
    elif part.op == "startsWith":
        clause = func.lower(column).startswith(value.lower(), autoescape=True)
    else:
        clause = COMPARISONS[part.op](column, value)
    return clause


def _link_condition(
    part: Condition,
    target: Any,
    link: Any,
    near: str,
    far: str,
    kind: Kind,
    type_name: str | None,
) -> ColumnElement[bool]:
    if part.op not in {"eq", "in"}:
        raise UserInputError(f"`{part.field}` takes `eq` or `in`.", code="INVALID_FILTER")
    link_alias = aliased(link)
    condition = _condition(part, getattr(link_alias, far), kind, type_name)
    return exists().where(getattr(link_alias, near) == target.id, condition)


def _related(
    record: type[Any], part: Related, principal: Principal, target: Any
) -> ColumnElement[bool]:
    relation = SCHEMAS[record].relations.get(part.relation)
    if relation is None:
        raise UserInputError(
            f"{_type_name(record)} lists cannot be filtered through `{part.relation}`.",
            code="INVALID_FILTER",
        )
    link = aliased(relation.link)
    far = aliased(SCHEMAS[relation.record].model)
    inner = compile_filter(relation.record, part.part, principal, far)
    linked = (
        select(1)
        .select_from(link)
        .join(far, getattr(link, relation.far) == far.id)
        .where(getattr(link, relation.near) == target.id)
    )
    linked = where_visible(linked, far, principal)
    if part.quantifier == "some":
        return exists(linked.where(inner))
    if part.quantifier == "none":
        return not_(exists(linked.where(inner)))
    return not_(exists(linked.where(not_(inner))))


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


def _geo(part: Near | BoundingBox, model: Any) -> ColumnElement[bool]:
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


def order_columns(record: type[Any], keys: Sequence[OrderKey]) -> list[tuple[str, bool]]:
    """(column, descending) for each key, then the id as the tie-breaker."""
    schema = SCHEMAS[record]
    columns = []
    for key in keys:
        attribute = schema.orderable.get(key.field)
        if attribute is None:
            raise UserInputError(
                f"{_type_name(record)} lists cannot be ordered by `{key.field}`: use one of "
                f"{', '.join(sorted(schema.orderable))}.",
                code="INVALID_ORDER",
            )
        columns.append((attribute, key.descending))
    columns.append(("id", False))
    return columns
