"""The directory's top-level lists: every member, partner, initiative, ..."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select

from db.reader import Connect
from resolvers.access.keys import Principal
from resolvers.access.visibility import sees_all, where_visible
from resolvers.filters import compile_filter
from resolvers.pagination import (
    Edge,
    Page,
    PageArgs,
    SortKey,
    fetch_page,
    page_statement,
    sort_for,
)
from resolvers.records import RECORD_MODELS, partial_from_row, read_names

__all__ = ["list_page"]

R = TypeVar("R")

# Statements of list pages, built once per record type, visibility and page
# arguments; pages with a filter or a cursor are built per request.
_STATEMENTS: dict[tuple[type[Any], bool, PageArgs], Select[Any]] = {}
MAX_STATEMENTS = 1024


async def list_page(
    connect: Connect, principal: Principal, record: type[R], args: PageArgs
) -> Page[Edge[R]]:
    """A page of the records of one type that `principal` may see and that
    match `args.where`, in the order `args.order` asks, with the total count;
    of each record, the columns `args.reads` names (all without it)."""
    sort = sort_for(record, args.order)
    names = read_names(record, args.reads, [key.column for key in sort])
    node = partial_from_row(record, names)
    model = RECORD_MODELS[record]
    query = where_visible(select(*[getattr(model, name) for name in names]), model, principal)
    if args.where is not None:
        query = query.where(compile_filter(record, args.where, principal))
    async with connect() as connection:
        return await fetch_page(
            connection,
            query,
            sort,
            args,
            lambda row, cursor: Edge(cursor, node(row)),
            _statement(record, sees_all(model, principal), query, sort, args),
        )


def _statement(
    record: type[Any], everything: bool, query: Select[Any], sort: list[SortKey], args: PageArgs
) -> Select[Any] | None:
    if args.where is not None or args.after is not None:
        return None
    key = (record, everything, args)
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) >= MAX_STATEMENTS:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = page_statement(query, sort, args)
    return statement
