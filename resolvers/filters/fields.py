"""What each record type may be filtered and ordered by: its filterable
fields with the operators each takes, its relations, and its orderable fields.
Anything not listed here is refused with a clear error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

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
    "LINK_FIELDS",
    "OPERATORS",
    "SCHEMAS",
    "THEMES",
    "THEME_OPERATORS",
    "FieldRule",
    "Kind",
    "RecordRules",
    "ThemeRule",
    "record_name",
    "theme_shape",
]

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
class FieldRule:
    attribute: str
    kind: Kind
    target: str | None = None  # the type name an `id` field refers to


@dataclass(frozen=True, slots=True)
class RelationRule:
    """A related record type reached through a link table (or a foreign key)."""

    link: Any
    near: str  # the link's column pointing at the filtered record
    far: str  # the link's column pointing at the related record
    record: type[Any]


@dataclass(frozen=True, slots=True)
class RecordRules:
    model: Any
    fields: dict[str, FieldRule]
    relations: dict[str, RelationRule]
    orderable: dict[str, str]
    geo: bool = False


def _common(name: str = "name") -> dict[str, FieldRule]:
    return {
        "origin": FieldRule("origin", "enum"),
        "confidence": FieldRule("confidence", "enum"),
        name: FieldRule(name, "text"),
    }


SCHEMAS: dict[type[Any], RecordRules] = {
    MemberRecord: RecordRules(
        Member,
        {
            **_common(),
            "id": FieldRule("id", "id", "Member"),
            "shortName": FieldRule("short_name", "text"),
            "country": FieldRule("country_code", "code"),
            "countryName": FieldRule("country_name", "text"),
            "region": FieldRule("region_id", "id", "Region"),
            "kind": FieldRule("kind", "enum"),
            "status": FieldRule("status", "enum"),
            "joinedYear": FieldRule("joined_year", "number"),
            "population": FieldRule("population", "number"),
            "latitude": FieldRule("latitude", "number"),
            "longitude": FieldRule("longitude", "number"),
        },
        {
            "initiatives": RelationRule(
                MemberInitiative, "member_id", "initiative_id", InitiativeRecord
            ),
            "partners": RelationRule(PartnerMember, "member_id", "partner_id", PartnerRecord),
            "sections": RelationRule(MemberSection, "member_id", "section_id", SectionRecord),
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
    PartnerRecord: RecordRules(
        Partner,
        {
            **_common(),
            "id": FieldRule("id", "id", "Partner"),
            "kind": FieldRule("kind", "enum"),
            "sector": FieldRule("sector", "text"),
            "description": FieldRule("description", "text"),
            "country": FieldRule("country_code", "code"),
            "latitude": FieldRule("latitude", "number"),
            "longitude": FieldRule("longitude", "number"),
        },
        {
            "initiatives": RelationRule(
                PartnerInitiative, "partner_id", "initiative_id", InitiativeRecord
            ),
            "members": RelationRule(PartnerMember, "partner_id", "member_id", MemberRecord),
            "focusAreas": RelationRule(
                PartnerFocusArea, "partner_id", "focus_area_id", FocusAreaRecord
            ),
        },
        {"name": "name", "kind": "kind", "country": "country_code"},
        geo=True,
    ),
    InitiativeRecord: RecordRules(
        Initiative,
        {
            **_common("title"),
            "id": FieldRule("id", "id", "Initiative"),
            "kind": FieldRule("kind", "enum"),
            "status": FieldRule("status", "enum"),
            "startYear": FieldRule("start_year", "number"),
            "endYear": FieldRule("end_year", "number"),
            "summary": FieldRule("summary", "text"),
        },
        {
            "members": RelationRule(MemberInitiative, "initiative_id", "member_id", MemberRecord),
            "partners": RelationRule(
                PartnerInitiative, "initiative_id", "partner_id", PartnerRecord
            ),
            "focusAreas": RelationRule(
                InitiativeFocusArea, "initiative_id", "focus_area_id", FocusAreaRecord
            ),
            "objectives": RelationRule(
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
    RegionRecord: RecordRules(
        Region,
        {**_common(), "id": FieldRule("id", "id", "Region"), "slug": FieldRule("slug", "code")},
        {},
        {"name": "name"},
    ),
    SectionRecord: RecordRules(
        UclgSection,
        {
            **_common(),
            "id": FieldRule("id", "id", "UclgSection"),
            "kind": FieldRule("kind", "enum"),
            "seatCity": FieldRule("seat_city", "text"),
        },
        {"members": RelationRule(MemberSection, "section_id", "member_id", MemberRecord)},
        {"name": "name", "kind": "kind"},
    ),
    FocusAreaRecord: RecordRules(
        FocusArea,
        {**_common(), "id": FieldRule("id", "id", "FocusArea"), "slug": FieldRule("slug", "code")},
        {},
        {"name": "name"},
    ),
    ActionPlanRecord: RecordRules(
        ActionPlan,
        {
            **_common("title"),
            "id": FieldRule("id", "id", "ActionPlan"),
            "startYear": FieldRule("start_year", "number"),
        },
        {},
        {"title": "title", "startYear": "start_year"},
    ),
    ObjectiveRecord: RecordRules(
        Objective,
        {**_common("text"), "id": FieldRule("id", "id", "Objective")},
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


@dataclass(frozen=True, slots=True)
class ThemeRule:
    """Where a record's themes are stated: text fields of its own, and fields of
    the records it is linked to (`relation`, `field`), themes again or names."""

    fields: tuple[str, ...]
    relations: tuple[tuple[str, str], ...]


# `theme:` matches when any one of these matches: an initiative's stated theme
# (its summary), its title or one of its focus areas' names; a partner's
# initiatives' themes or its own focus areas' names.
THEMES: dict[type[Any], ThemeRule] = {
    InitiativeRecord: ThemeRule(("summary", "title"), (("focusAreas", "name"),)),
    PartnerRecord: ThemeRule((), (("initiatives", "theme"), ("focusAreas", "name"))),
}

# "Some theme is / contains ...": the operators that read well over several texts.
THEME_OPERATORS = frozenset({"eq", "in", "contains", "startsWith"})


def theme_shape(record: type[Any]) -> tuple[int, tuple[int, ...]]:
    """What a `theme` condition on `record` runs as: its field comparisons, and
    the depth of each relation step it takes (1: a step from `record`)."""
    rule = THEMES[record]
    comparisons = len(rule.fields)
    steps: list[int] = []
    for relation, field in rule.relations:
        steps.append(1)
        far = SCHEMAS[record].relations[relation].record
        if field == "theme":
            inner_comparisons, inner_steps = theme_shape(far)
            comparisons += inner_comparisons
            steps += (1 + step for step in inner_steps)
        else:
            comparisons += 1
    return comparisons, tuple(steps)


def record_name(record: type[Any]) -> str:
    return record.__name__.removesuffix("Record")
