"""Where inputs: each type's `...Where` lists the fields it can be filtered
by, so an unknown field or operator is a validation error naming it.
`to_filter` turns one into the resolvers' plain filter tree; global IDs become
(type, key) pairs there.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from resolvers.filters import All, AnyOf, BoundingBox, Condition, Filter, Near, Not, Related
from schema.descriptions import (
    ActionPlanFields,
    FocusAreaFields,
    InitiativeFields,
    MemberFields,
    ObjectiveFields,
    PartnerFields,
    RecordFields,
    RegionFields,
    UclgSectionFields,
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
from schema.filters.operators import (
    BoundingBoxFilter,
    CodeFilter,
    EnumFilter,
    FloatFilter,
    IDFilter,
    IntFilter,
    NearFilter,
    RelationFilter,
    TextFilter,
    ThemeFilter,
)
from schema.nodes import parse_id

__all__ = [
    "ROLES",
    "WHERE",
    "ActionPlanWhere",
    "FocusAreaWhere",
    "InitiativeWhere",
    "MemberWhere",
    "ObjectiveWhere",
    "PartnerWhere",
    "RegionWhere",
    "UclgSectionWhere",
    "to_filter",
]

_AND = "All of these conditions hold."
_OR = "At least one of these conditions holds."
_NOT = "This condition does not hold."
_ID = "The object itself."
_ORIGIN = "Where the record comes from (e.g. leave out demo data)."
_CONFIDENCE = RecordFields.CONFIDENCE
_NEAR = "Within a distance of a point."
_WITHIN = "Inside a box of latitudes and longitudes."

OriginFilter = EnumFilter[Origin]
ConfidenceFilter = EnumFilter[Confidence]


@strawberry.input(description="Which member governments to list. All given fields must hold.")
class MemberWhere:
    and_: list[MemberWhere] | None = strawberry.field(default=None, name="and", description=_AND)
    or_: list[MemberWhere] | None = strawberry.field(default=None, name="or", description=_OR)
    not_: MemberWhere | None = strawberry.field(default=None, name="not", description=_NOT)
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    name: TextFilter | None = strawberry.field(default=None, description=MemberFields.NAME)
    short_name: TextFilter | None = strawberry.field(
        default=None, description=MemberFields.SHORT_NAME
    )
    country: CodeFilter | None = strawberry.field(default=None, description=MemberFields.COUNTRY)
    country_name: TextFilter | None = strawberry.field(
        default=None, description=MemberFields.COUNTRY_NAME
    )
    region: IDFilter | None = strawberry.field(default=None, description=MemberFields.REGION)
    kind: EnumFilter[MemberKind] | None = strawberry.field(
        default=None, description=MemberFields.KIND
    )
    status: EnumFilter[MemberStatus] | None = strawberry.field(
        default=None, description=MemberFields.STATUS
    )
    joined_year: IntFilter | None = strawberry.field(
        default=None, description=MemberFields.JOINED_YEAR
    )
    population: IntFilter | None = strawberry.field(
        default=None, description=MemberFields.POPULATION
    )
    latitude: FloatFilter | None = strawberry.field(default=None, description=MemberFields.LATITUDE)
    longitude: FloatFilter | None = strawberry.field(
        default=None, description=MemberFields.LONGITUDE
    )
    near: NearFilter | None = strawberry.field(default=None, description=_NEAR)
    within: BoundingBoxFilter | None = strawberry.field(default=None, description=_WITHIN)
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
    name: TextFilter | None = strawberry.field(default=None, description=PartnerFields.NAME)
    kind: EnumFilter[PartnerKind] | None = strawberry.field(
        default=None, description=PartnerFields.KIND
    )
    sector: TextFilter | None = strawberry.field(default=None, description=PartnerFields.SECTOR)
    description: TextFilter | None = strawberry.field(
        default=None, description=PartnerFields.DESCRIPTION
    )
    country: CodeFilter | None = strawberry.field(default=None, description=PartnerFields.COUNTRY)
    focus_area: IDFilter | None = strawberry.field(
        default=None, description="Works on this focus area (or one of these)."
    )
    theme: ThemeFilter | None = strawberry.field(
        default=None,
        description="What it works on: the themes of its initiatives (their stated themes, "
        "titles and focus areas' names) and the names of its own focus areas.",
    )
    latitude: FloatFilter | None = strawberry.field(
        default=None, description=PartnerFields.LATITUDE
    )
    longitude: FloatFilter | None = strawberry.field(
        default=None, description=PartnerFields.LONGITUDE
    )
    near: NearFilter | None = strawberry.field(default=None, description=_NEAR)
    within: BoundingBoxFilter | None = strawberry.field(default=None, description=_WITHIN)
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
    title: TextFilter | None = strawberry.field(default=None, description=InitiativeFields.TITLE)
    summary: TextFilter | None = strawberry.field(
        default=None, description=InitiativeFields.SUMMARY
    )
    theme: ThemeFilter | None = strawberry.field(
        default=None,
        description="What it is about: its stated theme (`summary`), its title or the name "
        "of one of its focus areas.",
    )
    kind: EnumFilter[InitiativeKind] | None = strawberry.field(
        default=None, description=InitiativeFields.KIND
    )
    status: EnumFilter[InitiativeStatus] | None = strawberry.field(
        default=None, description=InitiativeFields.STATUS
    )
    start_year: IntFilter | None = strawberry.field(
        default=None, description=InitiativeFields.START_YEAR
    )
    end_year: IntFilter | None = strawberry.field(
        default=None, description=InitiativeFields.END_YEAR
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
    name: TextFilter | None = strawberry.field(default=None, description=RegionFields.NAME)
    slug: CodeFilter | None = strawberry.field(default=None, description=RegionFields.SLUG)


@strawberry.input(description="Which UCLG sections to list. All given fields must hold.")
class UclgSectionWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    name: TextFilter | None = strawberry.field(default=None, description=UclgSectionFields.NAME)
    kind: EnumFilter[SectionKind] | None = strawberry.field(
        default=None, description=UclgSectionFields.KIND
    )
    seat_city: TextFilter | None = strawberry.field(
        default=None, description=UclgSectionFields.SEAT_CITY
    )
    members: RelationFilter[MemberWhere] | None = strawberry.field(
        default=None, description="Its member governments."
    )


@strawberry.input(description="Which focus areas to list. All given fields must hold.")
class FocusAreaWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    name: TextFilter | None = strawberry.field(default=None, description=FocusAreaFields.NAME)
    slug: CodeFilter | None = strawberry.field(default=None, description=FocusAreaFields.SLUG)


@strawberry.input(description="Which action plans to list. All given fields must hold.")
class ActionPlanWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    title: TextFilter | None = strawberry.field(default=None, description=ActionPlanFields.TITLE)
    start_year: IntFilter | None = strawberry.field(
        default=None, description=ActionPlanFields.START_YEAR
    )


@strawberry.input(description="Which objectives to list. All given fields must hold.")
class ObjectiveWhere:
    id: IDFilter | None = strawberry.field(default=None, description=_ID)
    text: TextFilter | None = strawberry.field(default=None, description=ObjectiveFields.TEXT)


WHERE = strawberry.argument(description="Only the items for which these conditions hold.")
ROLES = strawberry.argument(description="Only the edges with one of these roles.")

_OPERATORS = {"in_": "in", "starts_with": "startsWith", "is_null": "isNull"}


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
