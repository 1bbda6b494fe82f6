"""What staff changed in reference records, read from the audit log, so that a
later seed updates everything else and keeps those changes: the fields edited
in each record, the name a renamed record had in the reference data, and the
links to initiatives that staff added, re-roled or removed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry

__all__ = ["StaffEdits", "read_staff_edits"]

# The audit log names a record by its type and a field by its API name.
TABLES = {"Member": "members", "Partner": "partners", "Initiative": "initiatives"}
NATURAL_KEYS = {"members": "name", "partners": "name", "initiatives": "title"}
# API names that are not their column's name in camel case.
COLUMNS = {"country": "country_code", "region": "region_id", "sources": "source_urls"}
# A link or unlink is audited on the initiative, naming the other end.
LINK_TABLES = {"member": "member_initiatives", "partner": "partner_initiatives"}


def column_of(field_name: str) -> str:
    """The column an audited field sets (`joinedYear` -> `joined_year`)."""
    return COLUMNS.get(field_name) or re.sub(r"(?<!^)([A-Z])", r"_\1", field_name).lower()


@dataclass(slots=True)
class StaffEdits:
    # (table, id) -> the columns staff set.
    fields: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    # (table, id) -> the natural key the record had before staff renamed it.
    original_keys: dict[tuple[str, int], Any] = field(default_factory=dict)
    # (link table, (other id, initiative id)) of links staff changed.
    links: set[tuple[str, tuple[int, int]]] = field(default_factory=set)

    def edited(self, table: str, pk: int | None) -> set[str]:
        return self.fields.get((table, pk), set()) if pk is not None else set()

    def key_of(self, table: str, pk: int | None, current: Any) -> Any:
        """The record's key in the reference data (its name before any rename)."""
        return self.original_keys.get((table, pk), current) if pk is not None else current


async def read_staff_edits(session: AsyncSession) -> StaffEdits:
    edits = StaffEdits()
    entries = await session.execute(
        select(AuditEntry.record_type, AuditEntry.record_id, AuditEntry.action, AuditEntry.changes)
        .where(AuditEntry.record_type.in_(TABLES))
        .order_by(AuditEntry.id)
    )
    for record_type, pk, action, changes in entries:
        table = TABLES[record_type]
        if action in {"link", "unlink"}:
            for kind, link_table in LINK_TABLES.items():
                if kind in changes:
                    before, after = changes[kind]
                    other: int = after if after is not None else before  # type: ignore[assignment]
                    edits.links.add((link_table, (other, pk)))
            continue
        edits.fields.setdefault((table, pk), set()).update(column_of(name) for name in changes)
        key = NATURAL_KEYS[table]
        if action == "update" and key in changes:
            # The first rename's "before" is the name the reference data knows.
            edits.original_keys.setdefault((table, pk), changes[key][0])
    return edits
