"""Search on SQLite: the FTS5 table of migration 0005, ranked by BM25."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    bindparam,
    column,
    func,
    literal_column,
    null,
    select,
    table,
)

from resolvers.search.backend import IndexSearch
from resolvers.search.index import BODY_WEIGHT, TITLE_WEIGHT
from resolvers.search.snippets import ELLIPSIS, MATCH_END, MATCH_START, SNIPPET_TOKENS

__all__ = ["FTS5_SEARCH", "Fts5Index", "Fts5Search"]

# The FTS5 table of migration 0005. It has no model: its hidden column named
# after the table is the target of MATCH and the handle of bm25() and snippet().
SEARCH_INDEX = table("search_index", column("rowid", Integer))
INDEX: ColumnElement[Any] = literal_column("search_index")


class Fts5Index:
    """SQLite's FTS5 table; `expression` is the query in FTS5 syntax."""

    def hits(self, *, scored: bool) -> CTE:
        # Materialized: the full-text query runs once per statement.
        score = func.bm25(INDEX, TITLE_WEIGHT, BODY_WEIGHT) if scored else null()
        return (
            select(SEARCH_INDEX.c.rowid.label("key"), score.label("score"))
            .where(INDEX.op("MATCH")(bindparam("expression")))
            .cte("hits")
            .prefix_with("MATERIALIZED")
        )

    def snippets(self, page: CTE) -> CTE:
        # One more pass over the index, bounded by the page's rowids: joining
        # the index per hit would set up the full-text query (and expand a
        # prefix) once per hit. `rowid + 0` keeps the IN a filter rather than
        # one lookup per value.
        rowid = SEARCH_INDEX.c.rowid
        snippet = func.snippet(INDEX, -1, MATCH_START, MATCH_END, ELLIPSIS, SNIPPET_TOKENS)
        return (
            select(rowid.label("key"), snippet.label("snippet"))
            .where(
                INDEX.op("MATCH")(bindparam("expression")),
                rowid.between(
                    select(func.min(page.c.key)).scalar_subquery(),
                    select(func.max(page.c.key)).scalar_subquery(),
                ),
                (rowid + 0).in_(select(page.c.key)),
            )
            .cte("snippets")
            .prefix_with("MATERIALIZED")
        )


# One of each: statements are cached per index.
FTS5_INDEX = Fts5Index()


class Fts5Search(IndexSearch):
    """Search with SQLite's FTS5 index."""

    def __init__(self) -> None:
        super().__init__(FTS5_INDEX)


FTS5_SEARCH = Fts5Search()
