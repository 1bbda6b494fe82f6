"""A batch's ids bound as one value: `column IN (SELECT value FROM json_each(?))`
on SQLite, `column = ANY($1)` on PostgreSQL.

A batched read names its parents' ids. Bound one placeholder each
(`IN (?, ?, …)`), a long list flips SQLite's plan: at ~100 parents it walks
every published row of the far table instead of looking each parent up in
the link table's index (26.5 ms instead of 3.2 ms for a page of partners,
bench/RESULTS.md). As a subquery the list keeps the index lookups, whatever
its length; and the statement's text no longer depends on the number of
ids, so SQLAlchemy's compiled cache and the driver's statement cache keep
one entry for every batch size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import BindParameter, ColumnElement, Integer, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean, TypeDecorator, TypeEngine

__all__ = ["IdList", "among"]


class IdList(TypeDecorator[list[int]]):
    """A list of integer ids, bound as a JSON array on SQLite and as an
    integer array on PostgreSQL."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Integer))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Iterable[int] | None, dialect: Dialect) -> Any:
        ids = [] if value is None else list(value)
        if dialect.name == "postgresql":
            return ids
        return orjson.dumps(ids).decode()


class _Among(ColumnElement[bool]):
    inherit_cache = True
    type = Boolean()
    # A predicate already: SQLite needs no `= 1` after it.
    _is_implicitly_boolean = True

    def __init__(self, column: ColumnElement[Any], ids: BindParameter[Any]) -> None:
        self.column = column
        self.ids = ids

    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own declaration)
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement),
    ]

    def get_children(self, **_kwargs: Any) -> tuple[Any, ...]:
        return (self.column, self.ids)


@compiles(_Among)
def _among_sqlite(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    ids = compiler.process(element.ids, **kw)
    return f"{column} IN (SELECT value FROM json_each({ids}))"


@compiles(_Among, "postgresql")
def _among_postgresql(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    ids = compiler.process(element.ids, **kw)
    return f"{column} = ANY({ids})"


def among(column: Any, name: str, ids: Iterable[int] | None = None) -> ColumnElement[bool]:
    """`column` is one of the ids bound as `name` (given later, at execution,
    when `ids` is None)."""
    value = None if ids is None else list(ids)
    return _Among(column, bindparam(name, value, type_=IdList()))
