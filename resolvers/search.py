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
"""

from __future__ import annotations

import enum
import functools
import hashlib
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    table,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database, is_sqlite
from db.models import (
    Initiative,
    Member,
    Partner,
    PartnerKind,
    Publication,
    SustainabilityDimension,
)
from resolvers.errors import UserInputError
from resolvers.pagination import Page, PageArgs, encode_cursor
from resolvers.records import (
    InitiativeRecord,
    MemberRecord,
    PartnerRecord,
    columns,
    from_row,
)

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

MAX_QUERY_LENGTH = 200

# Snippets come out of FTS5 with each match between these two control
# characters; the migration strips them from the indexed text, so they only
# ever mark matches. Clients get plain text and match ranges instead.
MATCH_START = "\x02"
MATCH_END = "\x03"
ELLIPSIS = "…"
# Between a record's fields in the index's text (migration 0005).
SEPARATOR = " · "
SNIPPET_TOKENS = 16
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0

V = TypeVar("V")
SearchRecord = MemberRecord | PartnerRecord | InitiativeRecord


class SearchKind(enum.IntEnum):
    """The record types search finds. The value is the low part of the
    index's rowid (`id * 4 + kind`), as migration 0005 writes it."""

    MEMBER = 1
    PARTNER = 2
    INITIATIVE = 3


KIND_SPAN = 4
RECORDS: dict[SearchKind, type[Any]] = {
    SearchKind.MEMBER: MemberRecord,
    SearchKind.PARTNER: PartnerRecord,
    SearchKind.INITIATIVE: InitiativeRecord,
}


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Facet filters: each a set of accepted values (region and focus area ids,
    partner kinds and dimensions by their stored value); empty means no filter."""

    types: frozenset[SearchKind] = frozenset()
    regions: frozenset[int] = frozenset()
    partner_kinds: frozenset[str] = frozenset()
    focus_areas: frozenset[int] = frozenset()
    dimensions: frozenset[str] = frozenset()
    # Drafts and archived records are for staff (resolvers/visibility.py).
    published_only: bool = True


@dataclass(frozen=True, slots=True)
class TextRange:
    """A match in a snippet: code point offsets, `start` inclusive, `end` exclusive."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short passage of a hit's text, and where the searched words are in it."""

    text: str
    matches: list[TextRange]


@dataclass(slots=True)
class SearchHit:
    """One result: its cursor, record, type, relevance and snippet."""

    cursor: str
    node: SearchRecord
    kind: SearchKind
    rank: float
    snippet: Snippet


@dataclass(frozen=True, slots=True)
class FacetCount(Generic[V]):
    """How many hits have `value` in a facet."""

    value: V
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts over the whole result set, most frequent value first."""

    types: list[FacetCount[SearchKind]]
    regions: list[FacetCount[int]]
    partner_kinds: list[FacetCount[PartnerKind]]
    focus_areas: list[FacetCount[int]]
    dimensions: list[FacetCount[SustainabilityDimension]]

    @classmethod
    def none(cls) -> Facets:
        return cls([], [], [], [], [])


async def _no_facets() -> Facets:
    return Facets.none()


@dataclass(slots=True)
class SearchPage(Page[SearchHit]):
    """A page of hits. Its facets are counted when first asked for, so a
    type-ahead that shows none costs one statement."""

    counter: Callable[[], Awaitable[Facets]] = _no_facets
    _facets: Facets | None = None

    async def count_facets(self) -> Facets:
        if self._facets is None:
            self._facets = await self.counter()
        return self._facets


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """The caller's words, and the FTS5 expression that matches them."""

    words: tuple[str, ...]

    @property
    def expression(self) -> str:
        # Words hold letters, digits and marks only, so quoting needs no escapes.
        *whole, last = self.words
        return " ".join([*(f'"{word}"' for word in whole), f'"{last}"*'])

    @property
    def tsquery(self) -> str:
        """The same words as a PostgreSQL tsquery (`to_tsquery` syntax)."""
        *whole, last = self.words
        return " & ".join([*(f"'{word}'" for word in whole), f"'{last}':*"])

    @property
    def fingerprint(self) -> str:
        return hashlib.blake2b(self.expression.encode(), digest_size=4).hexdigest()


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


async def search(
    database: Database, text: str, filters: SearchFilters, args: PageArgs
) -> SearchPage:
    """A page of the records that match `text`, best first, with their facets."""
    query = parse_query(text)
    if query is None:
        return SearchPage([], False, args.after is not None, 0)
    after = _decode_after(args.after, query)
    backend = backend_for(database)
    async with database.engine.connect() as connection:
        page = await backend.page(connection, query, filters, args, after)

    async def count_facets() -> Facets:
        async with database.engine.connect() as connection:
            return await backend.facets(connection, query, filters)

    return SearchPage(
        page.edges, page.has_next_page, page.has_previous_page, page.total_count, count_facets
    )


def parse_query(text: str) -> SearchQuery | None:
    """The words of `text`; None when it has none. Bad text is an error."""
    if len(text) > MAX_QUERY_LENGTH:
        raise UserInputError(
            f"`query` is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}: "
            "search for a few words.",
            code="SEARCH_TOO_LONG",
        )
    if not text.strip():
        raise UserInputError(
            "`query` is empty: give at least one word to search for.", code="EMPTY_SEARCH"
        )
    words = _words(text)
    return SearchQuery(tuple(words)) if words else None


def _words(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)[0]
        # A combining mark belongs to the word it follows; alone it is no word.
        if category in "LN" or (category == "M" and current):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _decode_after(key: tuple[Any, ...] | None, query: SearchQuery) -> tuple[float, int] | None:
    if key is None:
        return None
    match key:
        case (float() | int() as score, int() as rowid, str() as fingerprint) if (
            fingerprint == query.fingerprint
        ):
            return float(score), rowid
    raise UserInputError(
        "`after` is a cursor from a different list or search: pass a cursor from this "
        "search's previous page, with the same `query`.",
        code="INVALID_CURSOR",
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


def parse_snippet(marked: str) -> Snippet:
    """Plain text and match ranges from FTS5's snippet with its markers."""
    text: list[str] = []
    matches: list[TextRange] = []
    start = 0
    length = 0
    for char in marked:
        if char == MATCH_START:
            start = length
        elif char == MATCH_END:
            matches.append(TextRange(start, length))
        else:
            text.append(char)
            length += 1
    return Snippet("".join(text), matches)


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
FTS5_INDEX = Fts5Index()
TSVECTOR_INDEX_SEARCH = TsvectorIndex()


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
        params = _filter_params(filters) | self._query_params(query) | {"limit": args.first + 1}
        if after is not None:
            params["after_score"], params["after_key"] = after
        statement = _page_statement(self.index, _shape(filters), after is not None)
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
        params = _filter_params(filters) | self._query_params(query)
        statement = _facet_statement(self.index, _shape(filters))
        counts: dict[str, list[tuple[Any, int]]] = {name: [] for name in FACETS}
        for facet, value, count in await connection.execute(statement, params):
            counts[facet].append((FACET_VALUES[facet](value), count))
        return Facets(
            **{
                name: [FacetCount(value, count) for value, count in sorted(pairs, key=_most_first)]
                for name, pairs in counts.items()
            }
        )


class Fts5Search(IndexSearch):
    """Search with SQLite's FTS5 index."""

    def __init__(self) -> None:
        super().__init__(FTS5_INDEX)


class PostgreSQLSearch(IndexSearch):
    """Search with PostgreSQL's tsvector index."""

    def __init__(self) -> None:
        super().__init__(TSVECTOR_INDEX_SEARCH)

    def _query_params(self, query: SearchQuery) -> dict[str, Any]:
        return {"tsquery": query.tsquery}


FTS5_SEARCH = Fts5Search()
POSTGRESQL_SEARCH = PostgreSQLSearch()

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


def _shape(filters: SearchFilters) -> frozenset[str]:
    """Which conditions a statement applies: the set facet filters, and
    whether only published records count."""
    shape = frozenset(_filter_params(filters))
    return shape | {PUBLISHED} if filters.published_only else shape


def _filter_params(filters: SearchFilters) -> dict[str, list[Any]]:
    """The set filters, by facet name, as bound parameters: record types as
    numbers (the low part of the key), other values as the text they are
    stored as."""
    params: dict[str, list[Any]] = {}
    for name in FACETS:
        accepted = getattr(filters, name)
        if accepted:
            params[name] = (
                sorted(int(kind) for kind in accepted)
                if name == "types"
                else sorted(str(value) for value in accepted)
            )
    return params


def _kind_of(key: ColumnElement[int]) -> ColumnElement[int]:
    return key % KIND_SPAN


def _id_of(key: ColumnElement[int]) -> ColumnElement[int]:
    # SQLAlchemy renders `//` on integers as SQLite's integer division.
    return key // KIND_SPAN


@functools.cache
def _page_statement(index: FullTextIndex, filtered: frozenset[str], paged: bool) -> Select[Any]:
    hits = index.hits(scored=True)
    key = hits.c.key
    conditions = _filter_conditions(filtered, key)
    matched = (
        select(key, hits.c.score)
        .where(*conditions.values())
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )
    totals = select(func.count().label("total")).select_from(matched).subquery("totals")
    order = (matched.c.score, matched.c.key)
    after = tuple_(*order) > tuple_(bindparam("after_score"), bindparam("after_key"))
    page = (
        select(*order)
        .where(after if paged else true())
        .order_by(*order)
        .limit(bindparam("limit"))
        .cte("page")
        .prefix_with("MATERIALIZED")
    )
    snippets = index.snippets(page)
    kind, pk = _kind_of(page.c.key), _id_of(page.c.key)
    record_columns = [column for record in RECORDS.values() for column in columns(record)]
    # One row even for an empty page, so that the total always comes back.
    return (
        select(totals.c.total, page.c.key, page.c.score, snippets.c.snippet, *record_columns)
        .select_from(totals)
        .outerjoin(page, true())
        .outerjoin(snippets, snippets.c.key == page.c.key)
        .outerjoin(Member, and_(kind == SearchKind.MEMBER, Member.id == pk))
        .outerjoin(Partner, and_(kind == SearchKind.PARTNER, Partner.id == pk))
        .outerjoin(Initiative, and_(kind == SearchKind.INITIATIVE, Initiative.id == pk))
        .order_by(page.c.score, page.c.key)
    )


@functools.cache
def _facet_statement(index: FullTextIndex, filtered: frozenset[str]) -> CompoundSelect[Any]:
    hits = index.hits(scored=False)
    key = hits.c.key
    conditions = _filter_conditions(filtered, key)
    # Each hit with whether it passes each filter, so that a facet can apply
    # every filter but its own.
    flagged = (
        select(
            key,
            _kind_of(key).label("kind"),
            *(condition.label(name) for name, condition in conditions.items()),
        )
        .cte("flagged")
        .prefix_with("MATERIALIZED")
    )

    def passing(*, ignoring: str) -> list[ColumnElement[bool]]:
        return [flagged.c[name].is_(true()) for name in conditions if name != ignoring]

    values = FACET_VALUES_TABLE
    # One range read per hit gives all its facet values; each value counts
    # when the hit passes every filter but the one on the value's own facet.
    per_facet = [
        and_(values.c.facet == facet, *passing(ignoring=facet))
        for facet in FACETS
        if facet != "types"
    ]
    return union_all(
        # Values as text, as the facet values are stored: one type for the UNION.
        select(
            literal("types").label("facet"),
            cast(flagged.c.kind, String).label("value"),
            func.count(),
        )
        .where(*passing(ignoring="types"))
        .group_by(flagged.c.kind),
        select(values.c.facet, values.c.value, func.count())
        .select_from(flagged)
        .join(values, values.c.key == flagged.c.key)
        .where(or_(*per_facet))
        .group_by(values.c.facet, values.c.value),
    )


def _filter_conditions(
    filtered: frozenset[str], key: ColumnElement[int]
) -> dict[str, ColumnElement[bool]]:
    """Per filter in `filtered`, whether a hit (its index key) passes it; the
    accepted values are the parameter named after the facet."""

    def has_value(facet: str) -> ColumnElement[bool]:
        values = FACET_VALUES_TABLE
        return exists().where(
            values.c.key == key,
            values.c.facet == facet,
            values.c.value.in_(bindparam(facet, expanding=True)),
        )

    conditions: dict[str, ColumnElement[bool]] = {
        facet: has_value(facet) for facet in FACETS if facet != "types"
    }
    conditions["types"] = _kind_of(key).in_(bindparam("types", expanding=True))
    # The few unpublished records, by index key (found through the publication
    # index), rather than a lookup per hit: drafts and archives are rare.
    unpublished = union_all(
        *(
            # `IN` the two other states, not `!=`: a range of the index, not a scan.
            select(model.id * KIND_SPAN + int(search_kind)).where(
                model.publication.in_((Publication.DRAFT, Publication.ARCHIVED))
            )
            for search_kind, model in (
                (SearchKind.MEMBER, Member),
                (SearchKind.PARTNER, Partner),
                (SearchKind.INITIATIVE, Initiative),
            )
        )
    )
    conditions[PUBLISHED] = key.not_in(unpublished)
    return {name: conditions[name] for name in (*FACETS, PUBLISHED) if name in filtered}


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
