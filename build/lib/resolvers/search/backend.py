"""A search backend: the interface each database's search gives, and search
with a full-text index, which runs the statements and reads their rows into
hits and facet counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import PartnerKind, SustainabilityDimension
from resolvers.pagination import Page, PageArgs, encode_cursor
from resolvers.records import columns, from_row
from resolvers.search.index import FACETS, FullTextIndex
from resolvers.search.model import (
    KIND_SPAN,
    RECORDS,
    FacetCount,
    Facets,
    SearchFilters,
    SearchHit,
    SearchKind,
    SearchRecord,
)
from resolvers.search.query import SearchQuery
from resolvers.search.snippets import parse_snippet
from resolvers.search.statements import (
    facet_statement,
    filter_params,
    page_statement,
    statement_shape,
)

__all__ = ["IndexSearch", "SearchBackend"]


class SearchBackend(Protocol):
    """Full-text search over one kind of database."""

    async def page(
        self,
        connection: AsyncConnection,
        query: SearchQuery,
        filters: SearchFilters,
        args: PageArgs,
        after: tuple[float, int] | None,
    ) -> Page[SearchHit]: ...

    async def facets(
        self, connection: AsyncConnection, query: SearchQuery, filters: SearchFilters
    ) -> Facets: ...


class IndexSearch:
    """Search with a full-text index (`search_index`, migration 0005).

    Statements are built once per shape (which filters are set, whether a
    cursor is given) and cached: building one costs more than running it on
    a small result set. Everything else is a bound parameter."""

    def __init__(self, index: FullTextIndex) -> None:
        self.index = index

    def _query_params(self, query: SearchQuery) -> dict[str, Any]:
        return {"expression": query.expression}

    async def page(
        self,
        connection: AsyncConnection,
        query: SearchQuery,
        filters: SearchFilters,
        args: PageArgs,
        after: tuple[float, int] | None,
    ) -> Page[SearchHit]:
        params = filter_params(filters) | self._query_params(query) | {"limit": args.first + 1}
        if after is not None:
            params["after_score"], params["after_key"] = after
        statement = page_statement(self.index, statement_shape(filters), after is not None)
        rows = (await connection.execute(statement, params)).all()
        found = [row for row in rows if row.key is not None]
        return Page(
            edges=[_hit(row, query) for row in found[: args.first]],
            has_next_page=len(found) > args.first,
            has_previous_page=after is not None,
            total_count=rows[0].total,
        )

    async def facets(
        self, connection: AsyncConnection, query: SearchQuery, filters: SearchFilters
    ) -> Facets:
        params = filter_params(filters) | self._query_params(query)
        statement = facet_statement(self.index, statement_shape(filters))
        counts: dict[str, list[tuple[Any, int]]] = {name: [] for name in FACETS}
        for facet, value, count in await connection.execute(statement, params):
            counts[facet].append((FACET_VALUES[facet](value), count))
        return Facets(
            **{
                name: [FacetCount(value, count) for value, count in sorted(pairs, key=_most_first)]
                for name, pairs in counts.items()
            }
        )


# Facet values come back as text (one column for values of every type).
FACET_VALUES: dict[str, Callable[[Any], Any]] = {
    "types": lambda value: SearchKind(int(value)),
    "regions": int,
    "partner_kinds": PartnerKind,
    "focus_areas": int,
    "dimensions": SustainabilityDimension,
}


def _most_first(pair: tuple[Any, int]) -> tuple[int, Any]:
    value, count = pair
    return -count, value


def _record_builders() -> dict[SearchKind, Callable[[Row[Any]], SearchRecord]]:
    # A page row holds total, key, score and snippet, then each record type's
    # columns in turn (only the hit's own type is not null).
    builders: dict[SearchKind, Callable[[Row[Any]], SearchRecord]] = {}
    start = 4
    for kind, record in RECORDS.items():
        builders[kind] = from_row(record, start)
        start += len(columns(record))
    return builders


_BUILDERS = _record_builders()


def _hit(row: Row[Any], query: SearchQuery) -> SearchHit:
    kind = SearchKind(row.key % KIND_SPAN)
    return SearchHit(
        cursor=encode_cursor((row.score, row.key, query.fingerprint)),
        node=_BUILDERS[kind](row),
        kind=kind,
        rank=-row.score,
        snippet=parse_snippet(row.snippet),
    )
