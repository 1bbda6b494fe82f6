"""The storage enums: the values the tables accept, stored lower-case."""

from __future__ import annotations

import enum

__all__ = [
    "Confidence",
    "InitiativeKind",
    "InitiativeStatus",
    "MemberKind",
    "MemberRole",
    "MemberStatus",
    "Origin",
    "PartnerKind",
    "PartnerRole",
    "Publication",
    "Role",
    "SectionKind",
    "SustainabilityDimension",
]


class Confidence(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"


class Origin(enum.StrEnum):
    REFERENCE = "reference"
    STAFF = "staff"
    PARTNER = "partner"
    DEMO = "demo"


class MemberKind(enum.StrEnum):
    CITY = "city"
    METROPOLITAN_AREA = "metropolitan_area"
    REGIONAL_GOVERNMENT = "regional_government"


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    FORMER = "former"


class MemberRole(enum.StrEnum):
    LEAD = "lead"
    PARTICIPANT = "participant"
    COLLABORATOR = "collaborator"


class PartnerKind(enum.StrEnum):
    BUSINESS = "business"
    MULTILATERAL = "multilateral"
    DEVELOPMENT_FINANCE = "development_finance"
    CITY_NETWORK = "city_network"
    ACADEMIC = "academic"
    NGO_FOUNDATION = "ngo_foundation"
    OTHER = "other"


class PartnerRole(enum.StrEnum):
    LEAD = "lead"
    FUNDER = "funder"
    TECHNICAL_PARTNER = "technical_partner"
    KNOWLEDGE_PARTNER = "knowledge_partner"
    SUPPORTER = "supporter"
    COLLABORATOR = "collaborator"


class InitiativeKind(enum.StrEnum):
    INITIATIVE = "initiative"
    PILOT_PROJECT = "pilot_project"


class InitiativeStatus(enum.StrEnum):
    COMPLETED = "completed"
    ONGOING = "ongoing"
    UNKNOWN = "unknown"


class SustainabilityDimension(enum.StrEnum):
    ENVIRONMENTAL = "environmental"
    ECONOMIC = "economic"
    SOCIAL = "social"
    CULTURAL = "cultural"


class Publication(enum.StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"
    ARCHIVED = "archived"


class Role(enum.StrEnum):
    PARTNER = "partner"
    STAFF = "staff"
    ADMIN = "admin"
    # A federation gateway: vouches for the end users it forwards, holds no data privileges.
    GATEWAY = "gateway"


class SectionKind(enum.StrEnum):
    REGIONAL = "regional"
    METROPOLITAN = "metropolitan"
    REGIONS = "regions"
    WORLD = "world"
