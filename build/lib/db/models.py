"""The network graph as tables: typed SQLAlchemy 2 models.

Every record carries its provenance (where the fact comes from, how sure we
are, and whether it is reference data, staff input, a partner's submission or
generated demo data). Editable records carry a `version` for optimistic
concurrency. Relationships are `lazy="raise"`: reads go through batched
queries, so a missed batch fails loudly instead of issuing one query per row.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ActionPlan",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Confidence",
    "FocusArea",
    "IdempotencyRecord",
    "Initiative",
    "InitiativeDimension",
    "InitiativeFocusArea",
    "InitiativeKind",
    "InitiativeObjective",
    "InitiativeStatus",
    "Member",
    "MemberInitiative",
    "MemberKind",
    "MemberRole",
    "MemberSection",
    "MemberStatus",
    "Objective",
    "Origin",
    "Partner",
    "PartnerFocusArea",
    "PartnerInitiative",
    "PartnerKind",
    "PartnerMember",
    "PartnerRole",
    "Publication",
    "Region",
    "Role",
    "SectionKind",
    "Subgraph",
    "SubgraphVersion",
    "SustainabilityDimension",
    "UclgSection",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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


class SectionKind(enum.StrEnum):
    REGIONAL = "regional"
    METROPOLITAN = "metropolitan"
    REGIONS = "regions"
    WORLD = "world"


def _enum(kind: type[enum.Enum]) -> Enum:
    # Store the lower-case values (readable in SQL and CSV exports) and keep
    # the column a plain VARCHAR with a CHECK, portable to PostgreSQL.
    return Enum(
        kind,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
    )


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Provenance:
    """Where a record's facts come from: columns shared by every table."""

    source_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[Confidence] = mapped_column(_enum(Confidence), default=Confidence.HIGH)
    origin: Mapped[Origin] = mapped_column(_enum(Origin), default=Origin.REFERENCE, index=True)


class Editable(Provenance):
    """Records staff and partners edit: a version for optimistic concurrency,
    and whether the record is published (drafts and archived records are for
    staff only)."""

    version: Mapped[int] = mapped_column(Integer, default=1)
    publication: Mapped[Publication] = mapped_column(
        _enum(Publication),
        default=Publication.PUBLISHED,
        server_default=Publication.PUBLISHED.value,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )


class Region(Base, Provenance):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)

    members: Mapped[list[Member]] = relationship(back_populates="region", lazy="raise")


class Member(Base, Editable):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    short_name: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    country_name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    secretariat_region: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[MemberKind] = mapped_column(_enum(MemberKind))
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus), default=MemberStatus.ACTIVE)
    joined_year: Mapped[int | None] = mapped_column(Integer)
    statement_year: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float, index=True)
    longitude: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(Integer)
    geonames_id: Mapped[int | None] = mapped_column(Integer)
    geocoded_city: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))

    region: Mapped[Region] = relationship(back_populates="members", lazy="raise")

    __table_args__ = (
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
    )


class UclgSection(Base, Editable):
    __tablename__ = "uclg_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    full_name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[SectionKind] = mapped_column(_enum(SectionKind))
    area: Mapped[str] = mapped_column(String(300))
    seat_city: Mapped[str | None] = mapped_column(String(200))
    seat_country: Mapped[str | None] = mapped_column(String(100))
    seat_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    seat_note: Mapped[str | None] = mapped_column(Text)


class MemberSection(Base, Provenance):
    __tablename__ = "member_sections"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("uclg_sections.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Partner(Base, Editable):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[PartnerKind] = mapped_column(_enum(PartnerKind), index=True)
    sector: Mapped[str | None] = mapped_column(String(200))
    country_code: Mapped[str | None] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    period: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float, index=True)
    longitude: Mapped[float | None] = mapped_column(Float)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
    )


class Initiative(Base, Editable):
    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[InitiativeKind] = mapped_column(_enum(InitiativeKind))
    period: Mapped[str | None] = mapped_column(String(100))
    start_year: Mapped[int | None] = mapped_column(Integer, index=True)
    end_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[InitiativeStatus] = mapped_column(
        _enum(InitiativeStatus), default=InitiativeStatus.UNKNOWN
    )
    summary: Mapped[str | None] = mapped_column(Text)


class MemberInitiative(Base, Provenance):
    __tablename__ = "member_initiatives"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole))


class PartnerInitiative(Base, Provenance):
    __tablename__ = "partner_initiatives"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[PartnerRole] = mapped_column(_enum(PartnerRole))


class PartnerMember(Base, Provenance):
    __tablename__ = "partner_members"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relationship_: Mapped[str] = mapped_column("relationship", Text)


class FocusArea(Base, Provenance):
    __tablename__ = "focus_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text)


class InitiativeFocusArea(Base, Provenance):
    __tablename__ = "initiative_focus_areas"

    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    focus_area_id: Mapped[int] = mapped_column(
        ForeignKey("focus_areas.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PartnerFocusArea(Base, Provenance):
    __tablename__ = "partner_focus_areas"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    focus_area_id: Mapped[int] = mapped_column(
        ForeignKey("focus_areas.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class InitiativeDimension(Base, Provenance):
    __tablename__ = "initiative_dimensions"

    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[SustainabilityDimension] = mapped_column(
        _enum(SustainabilityDimension), primary_key=True
    )


class ActionPlan(Base, Provenance):
    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)


class Objective(Base, Provenance):
    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_plan_id: Mapped[int] = mapped_column(
        ForeignKey("action_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("action_plan_id", "position"),)


class InitiativeObjective(Base, Provenance):
    __tablename__ = "initiative_objectives"

    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Subgraph(Base):
    """A partner's GraphQL subgraph, registered with the hub for composition."""

    __tablename__ = "subgraphs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SubgraphVersion(Base):
    """One SDL fetched from a subgraph, and whether it composed with the others.

    The subgraph's current SDL is its newest accepted version: a rejected one
    is kept with the composers' messages and replaces nothing."""

    __tablename__ = "subgraph_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subgraph_id: Mapped[int] = mapped_column(
        ForeignKey("subgraphs.id", ondelete="CASCADE"), index=True
    )
    sdl: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    accepted: Mapped[bool] = mapped_column(Boolean)
    messages: Mapped[list[str]] = mapped_column(JSON, default=list)


class ApiKey(Base):
    """An API key: only its SHA-256 digest is stored, never the key itself."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters, to recognise it in lists (not a secret).
    hint: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))

    __table_args__ = (
        CheckConstraint(
            "(role = 'partner') = (partner_id IS NOT NULL)", name="partner_keys_have_a_partner"
        ),
    )


class AuditEntry(Base):
    """One change to one record: append-only."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, list[object]]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_entries_record", "record_type", "record_id", "id"),)


class IdempotencyRecord(Base):
    """The outcome of a create sent with an idempotency key, so a retry of
    the same request applies once and answers the same."""

    __tablename__ = "idempotency_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("key_id", "operation", "idempotency_key"),)
