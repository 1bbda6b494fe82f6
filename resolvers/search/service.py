"""Searching the directory: the backend for the hub's database, and a page
of hits with its facets counted when first asked for."""

from __future__ import annotations

from db.engine import Database, is_sqlite
from resolvers.errors import UserInputError
from resolvers.pagination import PageArgs
from resolvers.search.backend import SearchBackend
from resolvers.search.fts5 import FTS5_SEARCH
from resolvers.search.model import Facets, SearchFilters, SearchPage
from resolvers.search.query import decode_after, parse_query
from resolvers.search.tsvector import POSTGRESQL_SEARCH

__all__ = ["backend_for", "search"]


async def search(
    database: Database, text: str, filters: SearchFilters, args: PageArgs
) -> SearchPage:
    """A page of the records that match `text`, best first, with their facets."""
    query = parse_query(text)
    if query is None:
        return SearchPage([], False, args.after is not None, 0)
    after = decode_after(args.after, query)
    backend = backend_for(database)
    async with database.engine.connect() as connection:
        page = await backend.page(connection, query, filters, args, after)

    async def count_facets() -> Facets:
        async with database.engine.connect() as connection:
            return await backend.facets(connection, query, filters)

    return SearchPage(
        page.edges, page.has_next_page, page.has_previous_page, page.total_count, count_facets
    )


def backend_for(database: Database) -> SearchBackend:
    """The search implementation for the database's dialect."""
    if is_sqlite(database.url):
        return FTS5_SEARCH
    if database.engine.dialect.name == "postgresql":
        return POSTGRESQL_SEARCH
    raise UserInputError(
        "full-text search is not available on this hub's database: it needs SQLite "
        "or PostgreSQL. Use the lists (`members`, `partners`, `initiatives`) meanwhile.",
        code="SEARCH_UNAVAILABLE",
    )
