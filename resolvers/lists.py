"""The directory's top-level lists: every member, partner, initiative, ..."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select

from db.engine import Database
from resolvers.pagination import Edge, Page, PageArgs, fetch_page
from resolvers.records import columns, default_order, from_row

__all__ = ["list_page"]

R = TypeVar("R")


async def list_page(database: Database, record: type[R], args: PageArgs) -> Page[Edge[R]]:
    """A page of all records of one type, in their default order, with the total."""
    node = from_row(record)
    async with database.engine.connect() as connection:
        return await fetch_page(
            connection,
            select(*columns(record)),
            default_order(record),
            args,
            lambda row, cursor: Edge(cursor, node(row)),
        )
