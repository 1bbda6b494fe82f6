"""Full-text search of the directory: members, partners and initiatives,
ranked, highlighted and counted by facet.

The caller's text is never query syntax. It is cut into words (runs of
Unicode letters and digits, with their combining marks), each word is matched
as a quoted string and the last one as a prefix (type-ahead), all words
required. So `"`, `*`, `-`, `:`, parentheses, `NEAR`, `AND`, `OR` and `NOT`
are text, never errors; text with no word at all matches nothing.

Ranking is BM25 with a title (a member's or partner's name, an initiative's
title) weighing ten times the body, so a title match outranks a body match.
On PostgreSQL it is `ts_rank` with the same weights (title A, body B), the
index a tsvector with a GIN index (migration 0005), prefixes `word:*`,
snippets from `ts_headline`: the same interface, filters, facets, visibility
and cost in statements; the scores and snippet boundaries differ.

Pages are keyset pages on (score, key), where key is the index's rowid,
`id * 4 + kind`: a walk with `after` sees every hit once, in rank order, while
the index does not change. A write anywhere in the index changes every
record's BM25 score (they depend on corpus statistics), so a walk that spans
writes may repeat or miss hits, as with any relevance ranking; start again.
A cursor carries a fingerprint of the search that issued it and is refused by
any other search.

Facets count the whole result set, not the page. A facet's counts apply every
filter except its own (the usual faceted-search choice: the other values of
a facet stay visible with the counts they would give). So:

- `types`: one count per record type; it sums to the total when no `types`
  filter is set, and its selected values sum to the total when one is.
- `regions`: a member under its region, an initiative under each region of
  its member governments; partners have no region and count under none.
- `partner_kinds`: partners only.
- `focus_areas`: initiatives and partners, under each of their focus areas.
- `dimensions`: initiatives, under each of their sustainability dimensions.

Filters combine values of one facet with OR and facets with AND; a filter on
a facet keeps only hits that have one of its values there (a `regions` filter
drops partners, a `dimensions` filter keeps initiatives only). An empty filter
list is no filter.

SQL: a page costs one statement (hits, total, snippets and the records), the
facets one more, whatever the page size, on either database.

Modules: `model` (what search takes and gives), `query` (the words and the
cursors), `snippets`, `index` (what each database's index gives),
`statements` (built once per shape), `backend` (running them), one module
per backend (`fts5`, `tsvector`) and `service` (choosing one, and searching).
"""

from resolvers.search.backend import SearchBackend
from resolvers.search.fts5 import Fts5Search
from resolvers.search.model import (
    FacetCount,
    Facets,
    SearchFilters,
    SearchHit,
    SearchKind,
    SearchPage,
    Snippet,
    TextRange,
)
from resolvers.search.query import MAX_QUERY_LENGTH, parse_query
from resolvers.search.service import backend_for, search
from resolvers.search.snippets import MATCH_END, MATCH_START, parse_snippet
from resolvers.search.tsvector import PostgreSQLSearch

__all__ = [
    "MATCH_END",
    "MATCH_START",
    "MAX_QUERY_LENGTH",
    "FacetCount",
    "Facets",
    "Fts5Search",
    "PostgreSQLSearch",
    "SearchBackend",
    "SearchFilters",
    "SearchHit",
    "SearchKind",
    "SearchPage",
    "Snippet",
    "TextRange",
    "backend_for",
    "parse_query",
    "parse_snippet",
    "search",
]
