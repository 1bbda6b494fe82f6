"""What the seed could not do: names in the reference data that it could not
link to one record, kept for staff to settle (the data-quality view)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

__all__ = ["UnlinkedName"]


class UnlinkedName(Base):
    """A name in a reference initiative's cell that names no record, or more
    than one. Each seed replaces the set with what it found."""

    __tablename__ = "unlinked_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    # The reference file's column that names it: `lead_city` or `partners`.
    field: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    # The cell's item as the file writes it (annotations included).
    written: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("initiative_id", "field", "name"),)
