"""The network graph: members, sections, partners, initiatives, focus areas,
action plans and the links between them."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, Editable, Provenance, enum_column
from db.models.enums import (
    InitiativeKind,
    InitiativeStatus,
    MemberKind,
    MemberRole,
    MemberStatus,
    PartnerKind,
    PartnerRole,
    SectionKind,
    SustainabilityDimension,
)

__all__ = [
    "ActionPlan",
    "FocusArea",
    "Initiative",
    "InitiativeDimension",
    "InitiativeFocusArea",
    "InitiativeObjective",
    "Member",
    "MemberInitiative",
    "MemberSection",
    "NetworkSize",
    "Objective",
    "Partner",
    "PartnerFocusArea",
    "PartnerInitiative",
    "PartnerMember",
    "Region",
    "UclgSection",
]


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
    kind: Mapped[MemberKind] = mapped_column(enum_column(MemberKind))
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus), default=MemberStatus.ACTIVE
    )
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
    kind: Mapped[SectionKind] = mapped_column(enum_column(SectionKind))
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
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind), index=True)
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
    kind: Mapped[InitiativeKind] = mapped_column(enum_column(InitiativeKind))
    period: Mapped[str | None] = mapped_column(String(200))
    start_year: Mapped[int | None] = mapped_column(Integer, index=True)
    end_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[InitiativeStatus] = mapped_column(
        enum_column(InitiativeStatus), default=InitiativeStatus.UNKNOWN
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
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))


class PartnerInitiative(Base, Provenance):
    __tablename__ = "partner_initiatives"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[PartnerRole] = mapped_column(enum_column(PartnerRole))


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
        enum_column(SustainabilityDimension), primary_key=True
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


class NetworkSize(Base, Provenance):
    """A size the network has stated for a kind of record ("163 member cities
    in 65 countries", September 2025): what the hub's records are measured
    against. `source` names who stated it; `source_urls` where, when known."""

    __tablename__ = "network_sizes"

    id: Mapped[int] = mapped_column(primary_key=True)
    records: Mapped[str] = mapped_column(String(32))
    stated: Mapped[int] = mapped_column(Integer)
    statement: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(300))
    stated_on: Mapped[str] = mapped_column(String(10))

    __table_args__ = (UniqueConstraint("records", "stated_on"),)
