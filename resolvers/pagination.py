"""Cursor pagination: page arguments, keyset cursors and the SQL that reads a
page of a list, or of many parents' lists in one statement.

Cursors are opaque to clients: the base64 of the row's sort key. Reading the
next page asks for rows after that key (keyset pagination), so inserts and
deletes elsewhere in the list never shift or repeat rows. Lists computed in
memory (the network graph's answers) page the same way, over their own key.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import Select, and_, false, func, or_, select, true
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from db.id_lists import among
from resolvers.errors import UserInputError
from resolvers.filters import Filter, OrderKey, order_columns
from resolvers.records import default_order

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Edge",
    "EdgeBuilder",
    "Page",
    "PageArgs",
    "Reads",
    "SortKey",
    "fetch_page",
    "fetch_pages",
    "page_args",
    "page_of",
    "page_of_sorted",
    "page_statement",
    "pages_statement",
    "sort_for",
]

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

T = TypeVar("T")
ItemT = TypeVar("ItemT")
Key = tuple[Any, ...]
# Builds one edge from a row and its cursor.
EdgeBuilder = Callable[[Row[Any], str], T]


@dataclass(frozen=True, slots=True)
class Reads:
    """What a page's query reads of its records: the records' `attributes`,
    whether the edges' own `provenance`, and whether their `cursors` (set by
    the compiled path, `engine.compiled.plans`; without it a page reads all)."""

    attributes: frozenset[str]
    provenance: bool
    cursors: bool = True


@dataclass(frozen=True, slots=True)
class PageArgs:
    """A validated request for a page: at most `first` items after `after`,
    of the list filtered by `where` (and, on edges with roles, `roles`) and
    sorted by `order` (the id breaks ties); `reads`, when known, is what the
    query reads of it. Hashable: it keys DataLoaders."""

    first: int
    after: Key | None = None
    where: Filter | None = None
    order: tuple[OrderKey, ...] = ()
    roles: tuple[str, ...] = ()
    reads: Reads | None = None


@dataclass(frozen=True, slots=True)
class SortKey:
    """A column of the paged query to sort by, and its direction."""

    column: str
    descending: bool = False


@dataclass(slots=True)
class Edge(Generic[T]):
    """A list item and the cursor that points at it."""

    cursor: str
    node: T


@dataclass(slots=True)
class Page(Generic[T]):
    """A page of edges (`Edge`, or a `Link` for edges with attributes)."""

    edges: list[T]
    has_next_page: bool
    has_previous_page: bool
    total_count: int

    @property
    def start_cursor(self) -> str | None:
        return self.edges[0].cursor if self.edges else None  # type: ignore[attr-defined]

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1].cursor if self.edges else None  # type: ignore[attr-defined]

    @classmethod
    def empty(cls, total_count: int = 0, *, after: bool = False) -> Page[T]:
        return cls([], False, after, total_count)


def encode_cursor(key: Key) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode()


def decode_cursor(cursor: str) -> Key:
    try:
        key = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as error:
        raise UserInputError(
            "`after` is not a cursor from this API: pass an `endCursor` or edge `cursor` "
            "from a previous page.",
            code="INVALID_CURSOR",
        ) from error
    if not isinstance(key, list) or not key:
        raise UserInputError(
            "`after` is not a cursor from this API: pass an `endCursor` or edge `cursor` "
            "from a previous page.",
            code="INVALID_CURSOR",
        )
    return tuple(key)


def sort_for(record: type[Any], order: Sequence[OrderKey]) -> list[SortKey]:
    """How a list of `record` is sorted: by `order`, or by default by its
    position, name or title; the id breaks ties either way."""
    if not order:
        return [SortKey(column) for column in default_order(record)]
    return [SortKey(column, descending) for column, descending in order_columns(record, order)]


def page_args(
    first: int | None,
    after: str | None,
    *,
    where: Filter | None = None,
    order: Sequence[OrderKey] = (),
    roles: Sequence[str] = (),
    reads: Reads | None = None,
) -> PageArgs:
    """Validate the client's `first` and `after` arguments."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise UserInputError(
            f"`first` must be between 1 and {MAX_PAGE_SIZE}, got {size}: "
            "ask for at most 100 items and follow `pageInfo.endCursor` for more.",
            code="INVALID_PAGE_SIZE",
        )
    cursor = decode_cursor(after) if after is not None else None
    return PageArgs(size, cursor, where, tuple(order), tuple(roles), reads)


def _wrong_list() -> UserInputError:
    return UserInputError(
        "`after` is a cursor from a different list or order: pass a cursor from this list.",
        code="INVALID_CURSOR",
    )


def _after(columns: Sequence[Any], sort: Sequence[SortKey], key: Key | None) -> Any:
    """Rows that sort after `key`. Empty values sort last in both directions."""
    if key is None:
        return true()
    if len(key) != len(sort) or not all(map(_fits, columns, key)):
        raise _wrong_list()
    alternatives = []
    for index, (column, value) in enumerate(zip(columns, key, strict=True)):
        if value is None:
            continue  # nothing sorts after an empty value but other empty values
        beyond = column < value if sort[index].descending else column > value
        equal_before = [
            prior.is_(None) if before is None else prior == before
            for prior, before in zip(columns[:index], key[:index], strict=True)
        ]
        alternatives.append(and_(*equal_before, or_(beyond, column.is_(None))))
    return or_(false(), *alternatives)


def _fits(column: Any, value: Any) -> bool:
    """Whether a cursor's value can be compared with its sort column: a
    number with a number column, text with a text column. (A cursor of
    another list may hold text where this one sorts by an id, which
    PostgreSQL refuses to compare.) Columns of other types take any value."""
    if value is None:
        return True
    try:
        expected = column.type.python_type
    except (AttributeError, NotImplementedError):
        return True
    if expected is int:
        return type(value) is int
    if expected is float:
        return type(value) in (int, float)
    if expected is str:
        return type(value) is str
    return True


def _order_by(columns: Sequence[Any], sort: Sequence[SortKey]) -> list[Any]:
    terms: list[Any] = []
    for column, key in zip(columns, sort, strict=True):
        if getattr(column, "nullable", True):
            terms.append(column.is_(None))
        terms.append(column.desc() if key.descending else column.asc())
    return terms


def _page(
    rows: Sequence[Row[Any]],
    args: PageArgs,
    key_of: Callable[[Row[Any]], Key],
    build: EdgeBuilder[T],
    total: int,
) -> Page[T]:
    if args.reads is not None and not args.reads.cursors:
        # Nobody asks for them: an empty cursor costs nothing.
        edges = [build(row, "") for row in rows[: args.first]]
    else:
        edges = [build(row, encode_cursor(key_of(row))) for row in rows[: args.first]]
    return Page(
        edges=edges,
        has_next_page=len(rows) > args.first,
        has_previous_page=args.after is not None,
        total_count=total,
    )


def page_statement(query: Select[Any], sort: Sequence[SortKey], args: PageArgs) -> Select[Any]:
    """The statement `fetch_page` runs: the first `args.first + 1` rows of
    `query` after `args.after`, each with the list's total."""
    base = query.subquery()
    keys = [base.c[key.column] for key in sort]
    total = select(func.count()).select_from(query.subquery()).scalar_subquery()
    return (
        select(base, total.label("_total"))
        .where(_after(keys, sort, args.after))
        .order_by(*_order_by(keys, sort))
        .limit(args.first + 1)
    )


async def fetch_page(
    connection: AsyncConnection,
    query: Select[Any],
    sort: Sequence[SortKey],
    args: PageArgs,
    build: EdgeBuilder[T],
    statement: Select[Any] | None = None,
) -> Page[T]:
    """One page of `query`, sorted by `sort` (unique together), with the total
    count, in one statement. `statement`, when given, is
    `page_statement(query, sort, args)` built before."""
    if statement is None:
        statement = page_statement(query, sort, args)
    result = await connection.execute(statement)
    position = {name: at for at, name in enumerate(result.keys())}
    rows = result.all()
    if rows:
        count = rows[0][position["_total"]]
    elif args.after:
        total = select(func.count()).select_from(query.subquery())
        count = (await connection.execute(total)).scalar_one()
    else:
        count = 0
    order = [key.column for key in sort]
    return _page(rows, args, _key_reader([position[k] for k in order]), build, count)


def _key_reader(positions: list[int]) -> Callable[[Row[Any]], Key]:
    """A row's sort key, read by the positions of its sort columns."""
    return itemgetter(*positions) if len(positions) > 1 else lambda row: (row[positions[0]],)


def pages_statement(
    query: Select[Any], parent: str, sort: Sequence[SortKey], args: PageArgs
) -> Select[Any]:
    """The statement `fetch_pages` runs: the first `args.first + 1` rows of
    each parent's list (the parents bound as `parents`), each with its list's
    total and its rank."""
    inner = query.where(among(query.selected_columns[parent], "parents")).subquery()
    totals = func.count().over(partition_by=inner.c[parent])
    counted = select(inner, totals.label("_total")).subquery()
    keys = [counted.c[key.column] for key in sort]
    rank = func.row_number().over(partition_by=counted.c[parent], order_by=_order_by(keys, sort))
    ranked = select(counted, rank.label("_rank")).where(_after(keys, sort, args.after)).subquery()
    return (
        select(ranked)
        .where(ranked.c._rank <= args.first + 1)
        .order_by(ranked.c[parent], ranked.c._rank)
    )


async def fetch_pages(
    connection: AsyncConnection,
    query: Select[Any],
    parent: str,
    parents: Sequence[Any],
    sort: Sequence[SortKey],
    args: PageArgs,
    build: EdgeBuilder[T],
    statement: Select[Any] | None = None,
) -> dict[Any, Page[T]]:
    """The same page of each parent's list, in one statement: `query` selects
    the rows of all lists, with the parent's id in its column `parent`.
    `statement`, when given, is `pages_statement(query, parent, sort, args)`
    built before (building one costs more than running it on a small page)."""
    if statement is None:
        statement = pages_statement(query, parent, sort, args)
    result = await connection.execute(statement, {"parents": list(parents)})
    # Positions, not names: a row's mapping costs a lookup per key per row.
    position = {name: at for at, name in enumerate(result.keys())}
    of_parent, of_total = position[parent], position["_total"]
    key_of = _key_reader([position[key.column] for key in sort])
    grouped: dict[Any, list[Row[Any]]] = {}
    for row in result.all():
        grouped.setdefault(row[of_parent], []).append(row)
    pages = {
        pid: _page(rows, args, key_of, build, rows[0][of_total]) for pid, rows in grouped.items()
    }
    missing = [pid for pid in parents if pid not in pages]
    counts: dict[Any, int] = {}
    if missing and args.after is not None:
        # Past the end of a list: the page is empty but the total is not.
        rest = query.where(among(query.selected_columns[parent], "missing", missing)).subquery()
        counted_rows = await connection.execute(
            select(rest.c[parent], func.count()).group_by(rest.c[parent])
        )
        counts = {row[0]: row[1] for row in counted_rows}
    for pid in missing:
        pages[pid] = Page.empty(counts.get(pid, 0), after=args.after is not None)
    return pages


def page_of(
    items: Iterable[ItemT],
    key: Callable[[ItemT], Key],
    args: PageArgs,
    build: Callable[[ItemT, str], T],
) -> Page[T]:
    """One page of a list held in memory, ordered by `key` (unique per item),
    with the total: keyset pagination as `fetch_page` does it in SQL, with the
    same cursors (the base64 of the item's key)."""
    ordered = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    return page_of_sorted(ordered, args, build)


def page_of_sorted(
    ordered: Sequence[tuple[Key, ItemT]], args: PageArgs, build: Callable[[ItemT, str], T]
) -> Page[T]:
    """One page of a list held in memory as (key, item) pairs already sorted
    by key: a binary search for `after`, so a long list kept sorted costs a
    page, not a sort."""
    start = 0
    if args.after is not None:
        if ordered and len(args.after) != len(ordered[0][0]):
            raise _wrong_list()
        try:
            start = bisect.bisect_right(ordered, args.after, key=lambda pair: pair[0])
        except TypeError as error:  # a key of other types: another list's cursor
            raise _wrong_list() from error
    window = ordered[start : start + args.first + 1]
    return Page(
        edges=[build(item, encode_cursor(item_key)) for item_key, item in window[: args.first]],
        has_next_page=len(window) > args.first,
        has_previous_page=args.after is not None,
        total_count=len(ordered),
    )
