"""What the full-text index of each database gives the statements (migrations
0005 and 0007): how it finds, scores and cuts snippets of hits, the ranking
weights, and the table of each indexed record's facet values."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import CTE, BigInteger, Text, column, table

__all__ = [
    "BODY_WEIGHT",
    "FACETS",
    "FACET_VALUES_TABLE",
    "PUBLISHED",
    "TITLE_WEIGHT",
    "FullTextIndex",
]

# The ranking weighs a title ten times the body (BM25 on SQLite, ts_rank on
# PostgreSQL): a title match outranks a body match.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0

FACETS = ("types", "regions", "partner_kinds", "focus_areas", "dimensions")
# Not a facet: the condition that hides drafts and archived records.
PUBLISHED = "published"
# Migration 0007: each indexed record's facet values under its index key, one
# row per value, as text (ids in decimal, kinds and dimensions by value): a
# table kept by triggers on SQLite, a view on PostgreSQL.
FACET_VALUES_TABLE = table(
    "search_index_facets", column("key", BigInteger), column("facet", Text), column("value", Text)
)


class FullTextIndex(Protocol):
    """What differs between databases: how the index finds and scores the
    hits (a `hits` CTE of `key` and `score`, lower is better), and how it
    cuts the snippets of a page of them (a CTE of `key` and `snippet`)."""

    def hits(self, *, scored: bool) -> CTE: ...

    def snippets(self, page: CTE) -> CTE: ...

    def __hash__(self) -> int: ...
