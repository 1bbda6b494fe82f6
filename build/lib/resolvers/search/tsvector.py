"""Search on PostgreSQL: the tsvector table of migration 0005 with its GIN
index, ranked by `ts_rank`, snippets by `ts_headline`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Float,
    Text,
    bindparam,
    case,
    cast,
    column,
    func,
    literal_column,
    null,
    select,
    table,
)

from resolvers.search.backend import IndexSearch
from resolvers.search.index import BODY_WEIGHT, TITLE_WEIGHT
from resolvers.search.query import SearchQuery
from resolvers.search.snippets import MATCH_END, MATCH_START, SNIPPET_TOKENS

__all__ = ["POSTGRESQL_SEARCH", "PostgreSQLSearch", "TsvectorIndex"]

# Between a record's fields in the index's text (migration 0005).
SEPARATOR = " · "

# PostgreSQL's index table of migration 0005, and its text search configuration.
TSVECTOR_INDEX = table(
    "search_index",
    column("key", BigInteger),
    column("title", Text),
    column("body", Text),
    column("document"),
)
TS_CONFIG: ColumnElement[Any] = literal_column("'hub_search'::regconfig")
# ts_rank's weights for D, C, B (the body) and A (the title).
TS_WEIGHTS: ColumnElement[Any] = literal_column(
    f"'{{0, 0, {BODY_WEIGHT / TITLE_WEIGHT}, 1}}'::float4[]"
)
TS_HEADLINE_OPTIONS = (
    f"StartSel={MATCH_START}, StopSel={MATCH_END}, "
    f"MaxWords={SNIPPET_TOKENS}, MinWords={SNIPPET_TOKENS // 2}, MaxFragments=1"
)


def _tsquery() -> ColumnElement[Any]:
    return func.to_tsquery(TS_CONFIG, bindparam("tsquery", type_=Text))


def _words_of(text: ColumnElement[str]) -> ColumnElement[Any]:
    # As the index reads it (migration 0005): hyphens split words, as in FTS5.
    return func.to_tsvector(TS_CONFIG, func.translate(text, "-", " "))


class TsvectorIndex:
    """PostgreSQL's tsvector table; `tsquery` is the query in tsquery syntax."""

    def hits(self, *, scored: bool) -> CTE:
        document = TSVECTOR_INDEX.c.document
        score = cast(-func.ts_rank(TS_WEIGHTS, document, _tsquery()), Float) if scored else null()
        return (
            select(TSVECTOR_INDEX.c.key.label("key"), score.label("score"))
            .where(document.op("@@")(_tsquery()))
            .cte("hits")
            .prefix_with("MATERIALIZED")
        )

    def snippets(self, page: CTE) -> CTE:
        # From the title when it holds every word, else from the body, else
        # (words in both) from both.
        title, body = TSVECTOR_INDEX.c.title, TSVECTOR_INDEX.c.body
        text = case(
            (_words_of(title).op("@@")(_tsquery()), title),
            (_words_of(body).op("@@")(_tsquery()), body),
            else_=title + SEPARATOR + body,
        )
        snippet = func.ts_headline(TS_CONFIG, text, _tsquery(), TS_HEADLINE_OPTIONS)
        return (
            select(TSVECTOR_INDEX.c.key.label("key"), snippet.label("snippet"))
            .where(TSVECTOR_INDEX.c.key.in_(select(page.c.key)))
            .cte("snippets")
            .prefix_with("MATERIALIZED")
        )


# One of each: statements are cached per index.
TSVECTOR_INDEX_SEARCH = TsvectorIndex()


class PostgreSQLSearch(IndexSearch):
    """Search with PostgreSQL's tsvector index."""

    def __init__(self) -> None:
        super().__init__(TSVECTOR_INDEX_SEARCH)

    def _query_params(self, query: SearchQuery) -> dict[str, Any]:
        return {"tsquery": query.tsquery}


POSTGRESQL_SEARCH = PostgreSQLSearch()
