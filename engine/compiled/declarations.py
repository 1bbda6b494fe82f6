"""What the compiled path is told of fields that have resolvers.

The compiled path (`engine.compiled`) runs a field's resolver only when it
has none of its own: it reads an attribute of the record. A field whose
resolver reads the database is declared with what it reads, so that the
compiled path can read it for every parent of a level in one statement:

- `record_list(record, arguments)`: a top-level list of `record`s;
- `relation_pages(relation, arguments)`: a page of a relation
  (`resolvers.relations`) for the record's `id`;
- `record_at(record, key)`: the `record` whose id is the attribute `key`;
- `values_by_id(read)`: a list of values for the record's `id`, which
  `read` reads for many ids in one statement;
- `itself(*attributes)`: the record itself, seen as another type (a page's
  `pageInfo`, a record's `provenance`), reading those attributes.

`arguments` turns the field's arguments, converted as Strawberry converts
them, into the `PageArgs` of the page. The declaration is all the compiled
path knows: the resolver must do what it says (the differential test,
`tests/test_compiled_path.py`, sends the same documents through both paths).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from graphql import GraphQLField
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from resolvers.pagination import PageArgs

__all__ = [
    "Declaration",
    "Itself",
    "RecordAt",
    "RecordList",
    "RelationPages",
    "ValuesById",
    "declared",
    "itself",
    "record_at",
    "record_list",
    "relation_pages",
    "values_by_id",
]

F = TypeVar("F", bound=Callable[..., Any])
Arguments = Callable[..., PageArgs]
# Reads the values of many ids on a connection: the values by id (none: absent).
ReadValues = Callable[[AsyncConnection, Sequence[int]], Awaitable[Mapping[int, list[Any]]]]
ATTRIBUTE: Final = "__hub_compiled__"


@dataclass(frozen=True, slots=True)
class RecordList:
    record: type[Any]
    arguments: Arguments


@dataclass(frozen=True, slots=True)
class RelationPages:
    relation: str
    arguments: Arguments


@dataclass(frozen=True, slots=True)
class RecordAt:
    record: type[Any]
    key: str


@dataclass(frozen=True, slots=True)
class Itself:
    attributes: frozenset[str]


@dataclass(frozen=True, slots=True)
class ValuesById:
    read: ReadValues


Declaration = RecordList | RelationPages | RecordAt | Itself | ValuesById


def _declare(declaration: Declaration) -> Callable[[F], F]:
    def declare(function: F) -> F:
        setattr(function, ATTRIBUTE, declaration)
        return function

    return declare


def record_list(record: type[Any], arguments: Arguments) -> Callable[[F], F]:
    """Declares a top-level list of `record`s, paged by `arguments`."""
    return _declare(RecordList(record, arguments))


def relation_pages(relation: str, arguments: Arguments) -> Callable[[F], F]:
    """Declares a page of `relation` for the record's `id`, paged by `arguments`."""
    return _declare(RelationPages(relation, arguments))


def record_at(record: type[Any], key: str) -> Callable[[F], F]:
    """Declares the `record` whose id is the record's attribute `key` (null when none)."""
    return _declare(RecordAt(record, key))


def itself(*attributes: str) -> Callable[[F], F]:
    """Declares a field whose value is its record itself, reading `attributes` of it."""
    return _declare(Itself(frozenset(attributes)))


def values_by_id(read: ReadValues) -> Callable[[F], F]:
    """Declares a list of values for the record's `id`, read for many by `read`."""
    return _declare(ValuesById(read))


def declared(field: GraphQLField) -> tuple[Declaration, StrawberryField] | None:
    """The field's declaration and its Strawberry definition; None when it has
    none, or when anything else (an extension, a permission) wraps its resolver."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.base_resolver is None:
        return None
    if definition.extensions or definition.permission_classes or definition.directives:
        return None
    function = definition.base_resolver.wrapped_func
    found = getattr(getattr(function, "__func__", function), ATTRIBUTE, None)
    return None if found is None else (found, definition)
