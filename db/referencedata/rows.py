"""The reference data's records, as the parser hands them to the seed: one
dataclass per row kind, and the links between them named by reference name."""

from __future__ import annotations

from dataclasses import dataclass, field

from db.models import (
    Confidence,
    InitiativeKind,
    MemberKind,
    MemberRole,
    PartnerKind,
    PartnerRole,
    SectionKind,
    SustainabilityDimension,
)

__all__ = [
    "ActionPlanRow",
    "FocusAreaRow",
    "InitiativeRow",
    "MemberLink",
    "MemberRow",
    "NetworkSizeRow",
    "PartnerLink",
    "PartnerMemberLink",
    "PartnerRow",
    "ReferenceData",
    "RegionRow",
    "SectionRow",
    "Unresolved",
]


@dataclass(frozen=True, slots=True)
class RegionRow:
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class FocusAreaRow:
    slug: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class ActionPlanRow:
    title: str
    start_year: int
    end_year: int
    objectives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberRow:
    name: str
    short_name: str
    country_name: str
    country_code: str
    region_slug: str
    secretariat_region: str
    kind: MemberKind
    joined_year: int | None
    statement_year: int | None
    evidence: str
    latitude: float
    longitude: float
    population: int
    geonames_id: int
    geocoded_city: str
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class SectionRow:
    name: str
    full_name: str
    kind: SectionKind
    area: str
    seat_city: str | None
    seat_country: str | None
    seat_member: str | None
    seat_note: str | None
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class PartnerRow:
    name: str
    kind: PartnerKind
    sector: str
    description: str
    period: str
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class InitiativeRow:
    title: str
    kind: InitiativeKind
    period: str
    start_year: int | None
    end_year: int | None
    summary: str
    source_urls: list[str]
    focus_areas: tuple[str, ...]
    dimensions: tuple[SustainabilityDimension, ...]
    objectives: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NetworkSizeRow:
    """A size the network has stated for a kind of record (not a record itself)."""

    records: str
    stated: int
    statement: str
    source: str
    source_urls: list[str]
    stated_on: str
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class MemberLink:
    """A member's part in an initiative, both named by their reference names."""

    member: str
    initiative: str
    role: MemberRole
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class PartnerLink:
    partner: str
    initiative: str
    role: PartnerRole
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class PartnerMemberLink:
    partner: str
    member: str
    relationship: str
    source_urls: list[str]


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A name in the data that could not be linked to one record."""

    where: str
    name: str
    reason: str
    # The initiative whose cell names it, that cell's column, and the item as
    # written there (annotations included).
    initiative: str = ""
    column: str = ""
    written: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.name!r} {self.reason}"


@dataclass(slots=True)
class ReferenceData:
    members: list[MemberRow]
    sections: list[SectionRow]
    partners: list[PartnerRow]
    initiatives: list[InitiativeRow]
    member_links: list[MemberLink]
    partner_links: list[PartnerLink]
    partner_member_links: list[PartnerMemberLink]
    metropolitan_section: str
    unresolved: list[Unresolved] = field(default_factory=list)
    network_sizes: list[NetworkSizeRow] = field(default_factory=list)
