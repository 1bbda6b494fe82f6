"""The list of API keys, for admins: what is known of each, never the key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db.engine import Database
from db.models import ApiKey
from resolvers.access.keys import KEY_INFO_COLUMNS, KeyInfo
from resolvers.pagination import Edge, Page, PageArgs, SortKey, fetch_page

__all__ = ["key_page", "list_keys"]


def _key_info(row: Any) -> KeyInfo:
    # A paged row ends with the list's total: the key's own columns come first.
    return KeyInfo(*row[: len(KEY_INFO_COLUMNS)])


async def list_keys(database: Database) -> list[KeyInfo]:
    """Every key, revoked ones too, oldest first."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(select(*KEY_INFO_COLUMNS).order_by(ApiKey.id))
        return [_key_info(row) for row in rows]


async def key_page(database: Database, args: PageArgs) -> Page[Edge[KeyInfo]]:
    """A page of every key, revoked ones too, oldest first, with the total."""
    async with database.engine.connect() as connection:
        return await fetch_page(
            connection,
            select(*KEY_INFO_COLUMNS),
            [SortKey("id")],
            args,
            lambda row, cursor: Edge(cursor, _key_info(row)),
        )
