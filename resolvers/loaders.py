"""Per-request DataLoaders: every relation is read in batch, one SQL
statement per level of a query, never one per row.

Each batch borrows the request's connection (`db.reader.Reader`) for as long
as it reads, one batch at a time, so sibling resolvers that GraphQL runs
concurrently never use a connection together; without a request's reader,
each batch opens its own short connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.dataloader import DataLoader

from db.engine import Database
from db.id_lists import among
from db.models import InitiativeDimension, SustainabilityDimension
from db.reader import Connect
from resolvers.access.keys import ANONYMOUS, Principal
from resolvers.access.visibility import audience, where_visible
from resolvers.filters import compile_filter
from resolvers.pagination import Page, PageArgs, Reads, fetch_pages, pages_statement, sort_for
from resolvers.records import RECORD_MODELS, partial_from_row, read_names
from resolvers.relations import RELATIONS
from resolvers.statements import Statements

__all__ = ["Loaders", "dimensions_by_id", "records_by_id", "relation_pages"]

R = TypeVar("R")
RelationKey = tuple[Any, PageArgs]


# The query and statement of relation pages, by relation, audience and page arguments.
_STATEMENTS: Statements[tuple[Select[Any], Select[Any]]] = Statements()
# Initiatives' dimensions, the initiatives' ids bound as `keys`: made once.
_DIMENSIONS = (
    select(InitiativeDimension.initiative_id, InitiativeDimension.dimension)
    .where(among(InitiativeDimension.initiative_id, "keys"))
    .order_by(InitiativeDimension.initiative_id, InitiativeDimension.dimension)
)
# The statement of records by id and the record built from each row, by
# record type, audience and the attributes read.
_BY_ID: Statements[tuple[Select[Any], Callable[[Sequence[Any]], Any]]] = Statements()


class Loaders:
    """The loaders of one request, created on first use."""

    def __init__(
        self, database: Database, principal: Principal = ANONYMOUS, connect: Connect | None = None
    ) -> None:
        self._database = database
        self._principal = principal
        self._connect: Connect = connect or database.engine.connect
        self._by_id: dict[type[Any], DataLoader[int, Any]] = {}
        self._relations: dict[str, DataLoader[RelationKey, Page[Any]]] = {}
        self._dimensions: DataLoader[int, list[SustainabilityDimension]] | None = None

    def by_id(self, record: type[R]) -> DataLoader[int, R | None]:
        """Records of one type by primary key; `None` for unknown keys."""
        loader = self._by_id.get(record)
        if loader is None:
            loader = self._by_id[record] = DataLoader(self._loader_by_id(record))
        return loader

    def relation(self, name: str) -> DataLoader[RelationKey, Page[Any]]:
        """Pages of a relation (see `resolvers.relations`), keyed by parent id and page."""
        loader = self._relations.get(name)
        if loader is None:
            loader = self._relations[name] = DataLoader(self._loader_for_relation(name))
        return loader

    @property
    def dimensions(self) -> DataLoader[int, list[SustainabilityDimension]]:
        """An initiative's sustainability dimensions, by initiative id."""
        if self._dimensions is None:
            self._dimensions = DataLoader(_dimensions_loader(self._connect))
        return self._dimensions

    # The loading functions hold what they need, not the `Loaders` that holds
    # them: no reference cycle, so a request's records go when it ends rather
    # than at the garbage collector's next pass.

    def _loader_by_id(self, record: type[R]) -> Any:
        connect, principal = self._connect, self._principal

        async def load(keys: Sequence[int]) -> list[R | None]:
            async with connect() as connection:
                found = await records_by_id(connection, principal, record, keys)
            return [found.get(key) for key in keys]

        return load

    def _loader_for_relation(self, name: str) -> Any:
        connect, principal = self._connect, self._principal

        async def load(keys: Sequence[RelationKey]) -> list[Page[Any]]:
            by_args: dict[PageArgs, list[Any]] = {}
            for parent, args in keys:
                by_args.setdefault(args, []).append(parent)
            pages: dict[RelationKey, Page[Any]] = {}
            async with connect() as connection:
                for args, parents in by_args.items():
                    found = await relation_pages(connection, principal, name, parents, args)
                    pages.update(((parent, args), page) for parent, page in found.items())
            return [pages[key] for key in keys]

        return load


async def records_by_id(
    connection: AsyncConnection,
    principal: Principal,
    record: type[R],
    keys: Iterable[int],
    reads: Reads | None = None,
) -> dict[int, R]:
    """The records of `keys` that `principal` may see, in one statement, by
    id; of each, the attributes `reads` names (all without it)."""
    names = tuple(read_names(record, reads))

    def reading() -> tuple[Select[Any], Callable[[Sequence[Any]], R]]:
        model = RECORD_MODELS[record]
        query = where_visible(select(*[getattr(model, name) for name in names]), model, principal)
        return query.where(among(model.id, "keys")), partial_from_row(record, names)  # type: ignore[attr-defined]

    query, build = _BY_ID.get((record, audience(principal), names), reading)
    rows = await connection.execute(query, {"keys": list(keys)})
    return {row[0]: build(row) for row in rows}


async def relation_pages(
    connection: AsyncConnection,
    principal: Principal,
    name: str,
    parents: Iterable[Any],
    args: PageArgs,
) -> dict[Any, Page[Any]]:
    """The same page of `relation` for each of `parents`, in one statement."""
    relation = RELATIONS[name]
    sort = sort_for(relation.record, args.order)
    query, build = relation.reading(args.reads, [key.column for key in sort], principal)

    def reading() -> tuple[Select[Any], Select[Any]]:
        filtered = query
        if args.where is not None:
            filtered = filtered.where(compile_filter(relation.record, args.where, principal))
        if args.roles and relation.role is not None:
            filtered = filtered.where(relation.role.in_(args.roles))
        return filtered, pages_statement(filtered, "parent", sort, args)

    filtered, statement = _STATEMENTS.get((name, audience(principal), args), reading)
    return await fetch_pages(
        connection, filtered, "parent", sorted(set(parents)), sort, args, build, statement
    )


def _dimensions_loader(connect: Connect) -> Any:
    async def load(keys: Sequence[int]) -> list[list[SustainabilityDimension]]:
        async with connect() as connection:
            found = await dimensions_by_id(connection, keys)
        return [found.get(key, []) for key in keys]

    return load


async def dimensions_by_id(
    connection: AsyncConnection, keys: Sequence[int]
) -> dict[int, list[SustainabilityDimension]]:
    """The sustainability dimensions of initiatives `keys`, in order, by
    initiative id (none for an initiative without)."""
    found: dict[int, list[SustainabilityDimension]] = {}
    for initiative_id, dimension in await connection.execute(_DIMENSIONS, {"keys": list(keys)}):
        found.setdefault(initiative_id, []).append(dimension)
    return found
