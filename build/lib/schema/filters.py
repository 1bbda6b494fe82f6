"""Filter and order inputs: `where:` and `orderBy:` on every list.

Each type has its own `...Where` input listing the fields it can be filtered
by, each field taking only the operators that fit it, so an unknown field or
operator is a validation error naming it. `to_filter` turns an input into the
resolvers' plain filter tree; global IDs become (type, key) pairs there.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.utils.str_converters import to_camel_case

from resolvers.errors import UserInputError
from resolvers.filters import (
    All,
    AnyOf,
    BoundingBox,
    Condition,
    Filter,
    Near,
    Not,
    OrderKey,
    Related,
)
from schema.enums import (
    Confidence,
    InitiativeKind,
    InitiativeStatus,
    MemberKind,
    MemberStatus,
    Origin,
    PartnerKind,
    SectionKind,
    SustainabilityDimension,
)
from schema.nodes import parse_id

__all__ = [
    "ORDER_BY",
    "ROLES",
    "WHERE",
    "ActionPlanOrder",
    "ActionPlanWhere",
    "FocusAreaWhere",
    "InitiativeOrder",
    "InitiativeWhere",
    "MemberOrder",
    "MemberWhere",
    "ObjectiveWhere",
    "PartnerOrder",
    "PartnerWhere",
    "RegionWhere",
    "UclgSectionOrder",
    "UclgSectionWhere",
    "to_filter",
    "to_order",
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


_AND = "All of these conditions hold."
_OR = "At least one of these conditions holds."
_NOT = "This condition does not hold."
_ID = "The object itself."
_ORIGIN = "Where the record comes from (e.g. leave out demo data)."
_CONFIDENCE = "How sure the hub is of the record."

OriginFilter = EnumFilter[Origin]
ConfidenceFilter = EnumFilter[Confidence]


@strawberry.input(description="Which member governments to list. All given fields must hold.")
class MemberWhere:
    and_: list[MemberWhere] | None = strawberry.field(default=None, name="and", description=_AND)
    or_: list[MemberWhere] | None = strawberry.field(default=None, name="or", description=_OR)
    not_: MemberWhere | None = strawberry.field(default=None, name="not", description=_NOT)
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    name: TextFilter | None = strawberry.field(default=None, description="The full name.")
    short_name: TextFilter | None = strawberry.field(
        default=None, description="The name without its qualifier."
    )
    country: CodeFilter | None = strawberry.field(
        default=None, description="The ISO 3166-1 alpha-2 country code."
    )
    country_name: TextFilter | None = strawberry.field(
        default=None, description="The country's name."
    )
    region: IDFilter | None = strawberry.field(default=None, description="The world region.")
    kind: EnumFilter[MemberKind] | None = strawberry.field(
        default=None, description="The kind of government."
    )
    status: EnumFilter[MemberStatus] | None = strawberry.field(
        default=None, description="Current or former member."
    )
    joined_year: IntFilter | None = strawberry.field(
        default=None, description="The year it joined."
    )
    population: IntFilter | None = strawberry.field(
        default=None, description="The (core) city's population."
    )
    latitude: FloatFilter | None = strawberry.field(default=None, description="Latitude.")
    longitude: FloatFilter | None = strawberry.field(default=None, description="Longitude.")
    near: NearFilter | None = strawberry.field(
        default=None, description="Within a distance of a point."
    )
    within: BoundingBoxFilter | None = strawberry.field(
        default=None, description="Inside a box of latitudes and longitudes."
    )
    origin: OriginFilter | None = strawberry.field(default=None, description=_ORIGIN)
    confidence: ConfidenceFilter | None = strawberry.field(default=None, description=_CONFIDENCE)
    initiatives: RelationFilter[InitiativeWhere] | None = strawberry.field(
        default=None, description="The initiatives it takes part in."
    )
    partners: RelationFilter[PartnerWhere] | None = strawberry.field(
        default=None, description="The partners it works with directly."
    )
    sections: RelationFilter[UclgSectionWhere] | None = strawberry.field(
        default=None, description="The UCLG sections it belongs to."
    )


@strawberry.input(description="Which partners to list. All given fields must hold.")
class PartnerWhere:
    and_: list[PartnerWhere] | None = strawberry.field(default=None, name="and", description=_AND)
    or_: list[PartnerWhere] | None = strawberry.field(default=None, name="or", description=_OR)
    not_: PartnerWhere | None = strawberry.field(default=None, name="not", description=_NOT)
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    name: TextFilter | None = strawberry.field(default=None, description="The name.")
    kind: EnumFilter[PartnerKind] | None = strawberry.field(
        default=None, description="The kind of organisation."
    )
    sector: TextFilter | None = strawberry.field(
        default=None, description="The organisation's type as the source describes it."
    )
    description: TextFilter | None = strawberry.field(
        default=None, description="Its relationship with Metropolis."
    )
    country: CodeFilter | None = strawberry.field(
        default=None, description="The ISO 3166-1 alpha-2 country code."
    )
    focus_area: IDFilter | None = strawberry.field(
        default=None, description="Works on this focus area (or one of these)."
    )
    latitude: FloatFilter | None = strawberry.field(default=None, description="Latitude.")
    longitude: FloatFilter | None = strawberry.field(default=None, description="Longitude.")
    near: NearFilter | None = strawberry.field(
        default=None, description="Within a distance of a point."
    )
    within: BoundingBoxFilter | None = strawberry.field(
        default=None, description="Inside a box of latitudes and longitudes."
    )
    origin: OriginFilter | None = strawberry.field(default=None, description=_ORIGIN)
    confidence: ConfidenceFilter | None = strawberry.field(default=None, description=_CONFIDENCE)
    initiatives: RelationFilter[InitiativeWhere] | None = strawberry.field(
        default=None, description="The initiatives it takes part in."
    )
    members: RelationFilter[MemberWhere] | None = strawberry.field(
        default=None, description="The member governments it works with directly."
    )
    focus_areas: RelationFilter[FocusAreaWhere] | None = strawberry.field(
        default=None, description="The focus areas it works on."
    )


@strawberry.input(description="Which initiatives to list. All given fields must hold.")
class InitiativeWhere:
    and_: list[InitiativeWhere] | None = strawberry.field(
        default=None, name="and", description=_AND
    )
    or_: list[InitiativeWhere] | None = strawberry.field(default=None, name="or", description=_OR)
    not_: InitiativeWhere | None = strawberry.field(default=None, name="not", description=_NOT)
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    title: TextFilter | None = strawberry.field(default=None, description="The title.")
    summary: TextFilter | None = strawberry.field(default=None, description="The topic.")
    kind: EnumFilter[InitiativeKind] | None = strawberry.field(
        default=None, description="Initiative or pilot project."
    )
    status: EnumFilter[InitiativeStatus] | None = strawberry.field(
        default=None, description="Where it stands."
    )
    start_year: IntFilter | None = strawberry.field(
        default=None, description="The first year of its period."
    )
    end_year: IntFilter | None = strawberry.field(
        default=None, description="The last year of its period."
    )
    focus_area: IDFilter | None = strawberry.field(
        default=None, description="Serves this focus area (or one of these)."
    )
    dimension: EnumFilter[SustainabilityDimension] | None = strawberry.field(
        default=None, description="Works on this sustainability dimension (or one of these)."
    )
    origin: OriginFilter | None = strawberry.field(default=None, description=_ORIGIN)
    confidence: ConfidenceFilter | None = strawberry.field(default=None, description=_CONFIDENCE)
    members: RelationFilter[MemberWhere] | None = strawberry.field(
        default=None, description="The member governments that take part."
    )
    partners: RelationFilter[PartnerWhere] | None = strawberry.field(
        default=None, description="The partner organisations that take part."
    )
    focus_areas: RelationFilter[FocusAreaWhere] | None = strawberry.field(
        default=None, description="The focus areas it serves."
    )
    objectives: RelationFilter[ObjectiveWhere] | None = strawberry.field(
        default=None, description="The action plan objectives it contributes to."
    )


@strawberry.input(description="Which regions to list. All given fields must hold.")
class RegionWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    name: TextFilter | None = strawberry.field(default=None, description="The name.")
    slug: CodeFilter | None = strawberry.field(default=None, description="The slug.")


@strawberry.input(description="Which UCLG sections to list. All given fields must hold.")
class UclgSectionWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    name: TextFilter | None = strawberry.field(default=None, description="The short name.")
    kind: EnumFilter[SectionKind] | None = strawberry.field(
        default=None, description="What the section covers."
    )
    seat_city: TextFilter | None = strawberry.field(
        default=None, description="The city of its seat."
    )
    members: RelationFilter[MemberWhere] | None = strawberry.field(
        default=None, description="Its member governments."
    )


@strawberry.input(description="Which focus areas to list. All given fields must hold.")
class FocusAreaWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    name: TextFilter | None = strawberry.field(default=None, description="The name.")
    slug: CodeFilter | None = strawberry.field(default=None, description="The slug.")


@strawberry.input(description="Which action plans to list. All given fields must hold.")
class ActionPlanWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    title: TextFilter | None = strawberry.field(default=None, description="The title.")
    start_year: IntFilter | None = strawberry.field(
        default=None, description="The first year it covers."
    )


@strawberry.input(description="Which objectives to list. All given fields must hold.")
class ObjectiveWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    text: TextFilter | None = strawberry.field(default=None, description="The objective.")


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


WHERE = strawberry.argument(description="Only the items for which these conditions hold.")
ORDER_BY = strawberry.argument(
    description="Sort keys, most significant first (at most 5); the id breaks ties."
)
ROLES = strawberry.argument(description="Only the edges with one of these roles.")

MAX_ORDER_KEYS = 5
_OPERATORS = {"in_": "in", "starts_with": "startsWith", "is_null": "isNull"}


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


def to_filter(where: Any) -> Filter | None:
    """The resolvers' filter tree for a `...Where` input (None when empty)."""
    if where is None:
        return None
    parts: list[Filter] = []
    for name, value in vars(where).items():
        if value is None:
            continue
        if name == "and_":
            parts.append(All(tuple(p for w in value if (p := to_filter(w)) is not None)))
        elif name == "or_":
            parts.append(AnyOf(tuple(p for w in value if (p := to_filter(w)) is not None)))
        elif name == "not_":
            inner = to_filter(value)
            if inner is not None:
                parts.append(Not(inner))
        elif isinstance(value, NearFilter):
            parts.append(Near(value.latitude, value.longitude, value.km))
        elif isinstance(value, BoundingBoxFilter):
            parts.append(BoundingBox(value.south, value.west, value.north, value.east))
        elif isinstance(value, RelationFilter):
            parts += _related(to_camel_case(name), value)
        else:
            parts += _conditions(to_camel_case(name), value)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _related(relation: str, value: RelationFilter[Any]) -> list[Filter]:
    parts: list[Filter] = []
    for quantifier in ("some", "none", "every"):
        inner = getattr(value, quantifier)
        if inner is not None:
            parts.append(Related(relation, quantifier, to_filter(inner) or All(())))
    return parts


def _conditions(field: str, value: Any) -> list[Filter]:
    ids = isinstance(value, IDFilter)
    parts: list[Filter] = []
    for name, operand in vars(value).items():
        if operand is None:
            continue
        if isinstance(operand, list):
            operand = tuple(_plain(item, ids) for item in operand)
        else:
            operand = _plain(operand, ids)
        parts.append(Condition(field, _OPERATORS.get(name, name), operand))
    return parts


def _plain(value: Any, is_id: bool) -> Any:
    if is_id:
        type_name, _record, pk = parse_id(str(value))
        return (type_name, pk)
    if isinstance(value, enum.Enum):
        return value.value
    return value
