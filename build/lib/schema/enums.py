"""GraphQL enums. Their values are the storage enums' values, and the storage
enums are `StrEnum`s, so records read from the database serialise as they are."""

from __future__ import annotations

import enum

import strawberry

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
    "SectionKind",
    "SustainabilityDimension",
]


@strawberry.enum(description="How sure the hub is of a fact, given its sources.")
class Confidence(enum.Enum):
    HIGH = strawberry.enum_value("high", description="A source states the fact explicitly.")
    MEDIUM = strawberry.enum_value(
        "medium", description="The fact is implied by a source or derived from one."
    )


@strawberry.enum(description="Where a record comes from. Demo data is never mixed silently.")
class Origin(enum.Enum):
    REFERENCE = strawberry.enum_value(
        "reference", description="Real, sourced reference data shipped with the hub."
    )
    STAFF = strawberry.enum_value("staff", description="Entered by Metropolis staff.")
    PARTNER = strawberry.enum_value("partner", description="Submitted by a partner.")
    DEMO = strawberry.enum_value(
        "demo", description="Generated demo data for trials and scale tests; not real."
    )


@strawberry.enum(description="What kind of government a member is.")
class MemberKind(enum.Enum):
    CITY = strawberry.enum_value("city", description="A city government.")
    METROPOLITAN_AREA = strawberry.enum_value(
        "metropolitan_area", description="The government of a metropolitan area."
    )
    REGIONAL_GOVERNMENT = strawberry.enum_value(
        "regional_government", description="A regional, provincial or state government."
    )


@strawberry.enum(description="Whether a member government still belongs to the network.")
class MemberStatus(enum.Enum):
    ACTIVE = strawberry.enum_value("active", description="A current member.")
    FORMER = strawberry.enum_value("former", description="A former member.")


@strawberry.enum(description="A member's part in an initiative.")
class MemberRole(enum.Enum):
    LEAD = strawberry.enum_value("lead", description="Leads or co-leads the initiative.")
    PARTICIPANT = strawberry.enum_value("participant", description="Takes part in it.")
    COLLABORATOR = strawberry.enum_value(
        "collaborator", description="Collaborates with it without taking part as a member."
    )


@strawberry.enum(description="What kind of organisation a partner is.")
class PartnerKind(enum.Enum):
    BUSINESS = strawberry.enum_value("business", description="A company.")
    MULTILATERAL = strawberry.enum_value(
        "multilateral", description="A multilateral or United Nations body."
    )
    DEVELOPMENT_FINANCE = strawberry.enum_value(
        "development_finance", description="A development agency or development bank."
    )
    CITY_NETWORK = strawberry.enum_value(
        "city_network", description="A network or association of cities or local governments."
    )
    ACADEMIC = strawberry.enum_value(
        "academic", description="A university, think tank or other knowledge partner."
    )
    NGO_FOUNDATION = strawberry.enum_value(
        "ngo_foundation", description="A non-governmental organisation or foundation."
    )
    OTHER = strawberry.enum_value(
        "other", description="Another kind of organisation, or the source does not say."
    )


@strawberry.enum(description="A partner's part in an initiative.")
class PartnerRole(enum.Enum):
    LEAD = strawberry.enum_value("lead", description="Leads or co-leads the initiative.")
    FUNDER = strawberry.enum_value("funder", description="Funds the initiative.")
    TECHNICAL_PARTNER = strawberry.enum_value(
        "technical_partner", description="Gives technical support (e.g. a secretariat)."
    )
    KNOWLEDGE_PARTNER = strawberry.enum_value(
        "knowledge_partner", description="Contributes research, data or expertise."
    )
    SUPPORTER = strawberry.enum_value("supporter", description="Supports the initiative.")
    COLLABORATOR = strawberry.enum_value(
        "collaborator", description="Takes part; the source does not state a narrower role."
    )


@strawberry.enum(description="Whether an initiative is an Initiative or a pilot project.")
class InitiativeKind(enum.Enum):
    INITIATIVE = strawberry.enum_value(
        "initiative", description="A Metropolis Initiative (the 2012-2017 programme)."
    )
    PILOT_PROJECT = strawberry.enum_value(
        "pilot_project", description="A pilot project (the programme since 2017)."
    )


@strawberry.enum(description="Where an initiative stands.")
class InitiativeStatus(enum.Enum):
    COMPLETED = strawberry.enum_value("completed", description="Its stated period has ended.")
    ONGOING = strawberry.enum_value("ongoing", description="Running now.")
    UNKNOWN = strawberry.enum_value(
        "unknown", description="The sources do not say whether it is still running."
    )


@strawberry.enum(description="An aspect of urban sustainability an initiative works on.")
class SustainabilityDimension(enum.Enum):
    ENVIRONMENTAL = strawberry.enum_value("environmental", description="Environmental.")
    ECONOMIC = strawberry.enum_value("economic", description="Economic.")
    SOCIAL = strawberry.enum_value("social", description="Social.")
    CULTURAL = strawberry.enum_value("cultural", description="Cultural.")


@strawberry.enum(description="Who can see a record.")
class Publication(enum.Enum):
    PUBLISHED = strawberry.enum_value("published", description="Everyone.")
    DRAFT = strawberry.enum_value(
        "draft", description="Staff only: not yet published (e.g. a partner's proposal)."
    )
    ARCHIVED = strawberry.enum_value(
        "archived", description="Staff only: withdrawn from the directory, kept for history."
    )


@strawberry.enum(description="What a UCLG section covers.")
class SectionKind(enum.Enum):
    REGIONAL = strawberry.enum_value("regional", description="A world region's section.")
    METROPOLITAN = strawberry.enum_value(
        "metropolitan", description="The metropolitan section, managed by Metropolis."
    )
    REGIONS = strawberry.enum_value(
        "regions", description="The section for regional governments (Forum of Regions)."
    )
    WORLD = strawberry.enum_value("world", description="The UCLG world secretariat.")
