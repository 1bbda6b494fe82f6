"""How the compiled path reads a declared field for every parent of a level
in one statement: a top-level list, a relation's pages, or records by id.

A batch belongs to one field of one document. Its page arguments are worked
out once per document when they are literals, and once per values of the
variables they take (the last `MAX_VALUES` kept); what it reads of its
records (`Reads`) is known when the document is planned.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace
from typing import Any

from graphql import FieldNode, GraphQLField, GraphQLSchema, VariableNode, Visitor, visit
from graphql.execution.values import get_argument_values
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from engine.compiled.declarations import (
    Declaration,
    RecordAt,
    RecordList,
    RelationPages,
    ValuesById,
)
from resolvers.access.keys import Principal
from resolvers.lists import list_page
from resolvers.loaders import records_by_id, relation_pages
from resolvers.pagination import PageArgs, Reads

__all__ = ["MAX_VALUES", "Batch", "Reading"]

# Values of a field's variables whose page arguments are kept, at most.
MAX_VALUES = 256


class Reading:
    """What one compiled answer has at hand to read with."""

    __slots__ = ("arguments", "connect", "principal", "variables")

    def __init__(self, connect: Any, principal: Principal, variables: Any) -> None:
        self.connect = connect
        self.principal = principal
        self.variables = variables
        # Page arguments worked out for this request, by batch.
        self.arguments: dict[Batch, PageArgs] = {}


class Batch:
    """One declared field of a document, read for all its parents at once."""

    __slots__ = (
        "_by_values",
        "_constant",
        "_variables",
        "declaration",
        "definition",
        "field",
        "node",
        "reads",
        "schema",
    )

    def __init__(
        self,
        schema: GraphQLSchema,
        field: GraphQLField,
        node: FieldNode,
        declaration: Declaration,
        definition: StrawberryField,
        reads: Reads,
    ) -> None:
        self.schema = schema
        self.field = field
        self.node = node
        self.declaration = declaration
        self.definition = definition
        self.reads = reads
        # Page arguments without variables, once worked out; with, by their values.
        self._constant: PageArgs | None = None
        self._by_values: dict[Hashable, PageArgs] = {}
        self._variables = _variables(node)

    def page_args(self, reading: Reading) -> PageArgs:
        """The field's page arguments; raises as the resolver would on bad ones."""
        if self._constant is not None:
            return self._constant
        key = _frozen(reading.variables.coerced, self._variables)
        found = self._by_values.get(key) if key is not None else None
        if found is None:
            found = self._convert(reading)
            if not self._variables:
                self._constant = found
            elif key is not None:
                if len(self._by_values) >= MAX_VALUES:
                    self._by_values.clear()
                self._by_values[key] = found
        return found

    def _convert(self, reading: Reading) -> PageArgs:
        declaration = self.declaration
        assert isinstance(declaration, (RecordList, RelationPages))
        raw = get_argument_values(self.field, self.node, reading.variables)
        strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        kwargs = convert_arguments(
            raw,
            self.definition.arguments,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            config=strawberry_schema.config,
        )
        return replace(declaration.arguments(**kwargs), reads=self.reads)

    async def read(self, reading: Reading, parents: Sequence[Any]) -> list[Any]:
        """The field's value for each of `parents`, in their order."""
        declaration = self.declaration
        if isinstance(declaration, RecordAt):
            return await _records_at(reading, declaration, self.reads, parents)
        if isinstance(declaration, ValuesById):
            ids = [parent.id for parent in parents]
            async with reading.connect() as connection:
                values = await declaration.read(connection, sorted(set(ids)))
            return [values.get(pid, []) for pid in ids]
        args = self.page_args(reading)
        if isinstance(declaration, RecordList):
            page = await list_page(reading.connect, reading.principal, declaration.record, args)
            return [page for _ in parents]
        assert isinstance(declaration, RelationPages)
        ids = [parent.id for parent in parents]
        async with reading.connect() as connection:
            pages = await relation_pages(
                connection, reading.principal, declaration.relation, ids, args
            )
        return [pages[pid] for pid in ids]


async def _records_at(
    reading: Reading, declaration: RecordAt, reads: Reads, parents: Sequence[Any]
) -> list[Any]:
    keys = [getattr(parent, declaration.key) for parent in parents]
    wanted = sorted({key for key in keys if key is not None})
    if not wanted:
        return [None for _ in keys]
    async with reading.connect() as connection:
        found = await records_by_id(
            connection, reading.principal, declaration.record, wanted, reads
        )
    return [found.get(key) for key in keys]


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)


def _variables(node: FieldNode) -> tuple[str, ...]:
    """The variables the field's arguments take, in a fixed order."""
    found = _Variables()
    for argument in node.arguments or ():
        visit(argument, found)
    return tuple(sorted(found.names))


def _frozen(values: dict[str, Any], names: tuple[str, ...]) -> Hashable | None:
    """The values of the variables `names`, as a key; None when one cannot
    be a key. Each value is kept with its type (`True` is not `1`)."""
    try:
        key = tuple(_freeze(values.get(name)) for name in names)
        hash(key)
    except TypeError:
        return None
    return key


def _freeze(value: Any) -> Hashable:
    if isinstance(value, dict):
        return (dict, tuple(sorted((name, _freeze(item)) for name, item in value.items())))
    if isinstance(value, list):
        return (list, tuple(_freeze(item) for item in value))
    return (type(value), value)
