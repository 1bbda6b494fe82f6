"""The declarative base and the columns every record shares: provenance, and
for editable records a version and a publication state."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Enum, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.models.enums import Confidence, Origin, Publication

__all__ = [
    "Base",
    "Editable",
    "Provenance",
    "enum_column",
    "utcnow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_column(kind: type[enum.Enum]) -> Enum:
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


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Provenance:
    """Where a record's facts come from: columns shared by every table."""

    source_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[Confidence] = mapped_column(enum_column(Confidence), default=Confidence.HIGH)
    origin: Mapped[Origin] = mapped_column(
        enum_column(Origin), default=Origin.REFERENCE, index=True
    )


class Editable(Provenance):
    """Records staff and partners edit: a version for optimistic concurrency,
    and whether the record is published (drafts and archived records are for
    staff only)."""

    version: Mapped[int] = mapped_column(Integer, default=1)
    publication: Mapped[Publication] = mapped_column(
        enum_column(Publication),
        default=Publication.PUBLISHED,
        server_default=Publication.PUBLISHED.value,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
