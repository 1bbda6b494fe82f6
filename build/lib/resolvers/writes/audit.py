"""The audit log: one append-only entry per change, and the feed of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.models import AuditEntry
from resolvers.pagination import Edge, Page, PageArgs, SortKey, fetch_page
from resolvers.records import AuditRecord, columns, from_row
from resolvers.writes.model import WriteContext

__all__ = ["changes_feed", "record_change"]


def record_change(
    session: AsyncSession,
    ctx: WriteContext,
    action: str,
    record_type: str,
    record_id: int,
    changes: dict[str, list[Any]],
) -> None:
    """Add the audit entry of a change to the write's own transaction."""
    session.add(
        AuditEntry(
            actor_key_id=ctx.principal.key_id,
            actor=ctx.principal.name,
            action=action,
            record_type=record_type,
            record_id=record_id,
            changes=changes,
            request_id=ctx.request_id,
        )
    )


async def changes_feed(
    database: Database, types: tuple[str, ...], args: PageArgs
) -> Page[Edge[AuditRecord]]:
    """Every change, oldest first (a cursor resumes where a reader left off)."""
    query = select(*columns(AuditRecord))
    if types:
        query = query.where(AuditEntry.record_type.in_(types))
    node = from_row(AuditRecord)
    async with database.engine.connect() as connection:
        return await fetch_page(
            connection, query, [SortKey("id")], args, lambda row, cursor: Edge(cursor, node(row))
        )
