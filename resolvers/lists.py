"""The directory's top-level lists: every member, partner, initiative, ..."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select

from db.reader import Connect
from resolvers.access.keys import Principal
from resolvers.access.visibility import audience, where_visible
from resolvers.filters import compile_filter
from resolvers.pagination import (
    Edge,
    Page,
    PageArgs,
    fetch_page,
    page_statement,
    sort_for,
)
from resolvers.records import RECORD_MODELS, partial_from_row, read_names
from resolvers.statements import Statements

__all__ = ["list_page"]

R = TypeVar("R")

# The query and statement of list pages, by record type, audience and page arguments.
_STATEMENTS: Statements[tuple[Select[Any], Select[Any]]] = Statements()


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

    def reading() -> tuple[Select[Any], Select[Any]]:
        query = where_visible(select(*[getattr(model, name) for name in names]), model, principal)
        if args.where is not None:
            query = query.where(compile_filter(record, args.where, principal))
        return query, page_statement(query, sort, args)

    query, statement = _STATEMENTS.get((record, audience(principal), args), reading)
    async with connect() as connection:
        return await fetch_page(
            connection,
            query,
            sort,
            args,
            lambda row, cursor: Edge(cursor, node(row)),
            statement,
        )
