"""Which clients use which operations and fields: counts per day, kept
`HUB_USAGE_DAYS` (resolvers/usage/)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow

__all__ = ["UsageField", "UsageOperation"]

# An operation as counted: per day, per client (name and version), by name
# and signature, and by who saw it: "hub" (the hub executed it) or "gateway"
# (a gateway reported it, fields of partner subgraphs included).
USAGE_KEY = ("day", "client_name", "client_version", "operation_name", "signature_hash", "source")


class UsageOperation(Base):
    """How many times one client ran one operation on one day (UTC)."""

    __tablename__ = "usage_operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    client_name: Mapped[str] = mapped_column(String(100))
    # "" when the client sent none.
    client_version: Mapped[str] = mapped_column(String(100))
    # "" for an anonymous operation.
    operation_name: Mapped[str] = mapped_column(String(200))
    signature_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(BigInteger)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint(*USAGE_KEY, name="uq_usage_operations"),)


class UsageField(Base):
    """How many times one client's operation read one field (`Type.field`) on one day."""

    __tablename__ = "usage_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    client_name: Mapped[str] = mapped_column(String(100))
    client_version: Mapped[str] = mapped_column(String(100))
    operation_name: Mapped[str] = mapped_column(String(200))
    signature_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    coordinate: Mapped[str] = mapped_column(String(300))
    count: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint(*USAGE_KEY, "coordinate", name="uq_usage_fields"),
        Index("ix_usage_fields_coordinate", "coordinate", "day"),
    )
