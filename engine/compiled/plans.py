"""Plans: what a field of a document compiles to.

A plan takes the field's parent (a record, a page, an edge) and gives the
field's answer, as graphql-core would complete it: a leaf serialised, an
object as a dict of its selections in their order, a list item by item. It
gives `MISS` instead whenever anything is off - an exception, a null in a
non-null position, a value that does not serialise, an object of an
unexpected type - and the standard path answers the field instead.

A declared field (`engine.compiled.declarations`) that reads the database
gives a `Pending` instead of its value: the run that holds the plan reads it
for all the parents waiting on that field at once (`engine.compiled.run`).
Only a tree planned from a top-level list has such fields (`batched`); a
plan anywhere else takes plain fields only, and the standard path, which
batches with DataLoaders, answers the rest.

A selection is planned when it has no directives, its fragments apply to
every value of its type (they name it, an interface it implements or a union
it is in), and no two of its fields share a response key; anything else
takes the standard path. Plain values are read and completed as
`engine.compiled.values` says.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FragmentDetails

from engine.compiled.batches import Batch
from engine.compiled.declarations import (
    Itself,
    RecordAt,
    RecordList,
    RelationPages,
    ValuesById,
    declared,
)
from engine.compiled.objects import Constant, Part, Pending, Read, object_plan, plan_of
from engine.compiled.values import Plan, Waiting, as_it_is, leaf, many, reader
from resolvers.pagination import Reads
from resolvers.relations import PROVENANCE

__all__ = ["Pending", "Planner", "Shape"]

# Edge attributes besides the provenance: read with every page.
PLAIN_EDGE: Final = frozenset({"cursor", "node", "role"})
# What a page's `pageInfo` reads that is made of its edges' cursors.
CURSORS: Final = frozenset({"start_cursor", "end_cursor"})


@dataclass(slots=True)
class Shape:
    """What a planned object selection reads of its value, and the shapes of
    its object fields by field name (for a page: its edges, their nodes)."""

    reads: set[str] = field(default_factory=set)
    children: dict[str, list[Shape]] = field(default_factory=dict)

    def below(self, *names: str) -> list[Shape]:
        shapes = [self]
        for name in names:
            shapes = [child for shape in shapes for child in shape.children.get(name, ())]
        return shapes


class Planner:
    """Plans the fields of one document (its fragments by name)."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDetails]):
        self.schema = schema
        self.fragments = fragments

    def field(
        self, parent_type: GraphQLObjectType, node: FieldNode, batched: bool, shape: Shape
    ) -> Plan | None:
        """The plan of one field; what it reads of its parent goes into `shape`."""
        part = self._part(parent_type, node, batched, shape)
        return None if part is None else plan_of(part)

    def _part(
        self, parent_type: GraphQLObjectType, node: FieldNode, batched: bool, shape: Shape
    ) -> Part | None:
        if node.directives:
            return None
        name = node.name.value
        if name == "__typename":
            return Constant(parent_type.name)
        definition = parent_type.fields.get(name)
        if definition is None:
            return None
        found = declared(definition)
        if found is not None:
            return self._declared(parent_type, node, batched, shape, *found)
        if definition.args or node.arguments:
            return None
        read, attribute = reader(parent_type, name, definition)
        if read is None:
            return None
        child = Shape()
        complete = self._completer(definition.type, node, batched, child)
        if complete is None:
            return None
        shape.reads.add(attribute)
        shape.children.setdefault(name, []).append(child)
        return Read(attribute, read, as_it_is(definition.type), complete)

    def _declared(
        self,
        parent_type: GraphQLObjectType,
        node: FieldNode,
        batched: bool,
        shape: Shape,
        declaration: Any,
        definition: Any,
    ) -> Plan | None:
        graphql_field = parent_type.fields[node.name.value]
        child = Shape()
        complete = self._completer(graphql_field.type, node, batched, child)
        if complete is None:
            return None
        if isinstance(declaration, Itself):
            if node.arguments:
                return None
            shape.reads |= declaration.attributes | child.reads
            return complete
        if not batched or (node.arguments and isinstance(declaration, RecordAt | ValuesById)):
            return None
        reads: Reads | None
        if isinstance(declaration, ValuesById):
            shape.reads.add("id")
            reads = Reads(frozenset(), False)
        elif isinstance(declaration, RecordAt):
            shape.reads.add(declaration.key)
            reads = Reads(frozenset(child.reads), False)
        else:
            if isinstance(declaration, RelationPages):
                shape.reads.add("id")
            reads = _page_reads(child)
        if reads is None:
            return None
        batch = Batch(self.schema, graphql_field, node, declaration, definition, reads)

        def plan(source: Any, _waiting: Waiting) -> Pending:
            return Pending(batch, source, complete)

        return plan

    def list_field(self, parent_type: GraphQLObjectType, node: FieldNode) -> Plan | None:
        """The plan of a declared top-level list and all below it, batched."""
        definition = parent_type.fields.get(node.name.value)
        found = None if definition is None else declared(definition)
        if found is None or not isinstance(found[0], RecordList):
            return None
        return self.field(parent_type, node, True, Shape())

    def _completer(
        self, type_: GraphQLOutputType, node: FieldNode, batched: bool, shape: Shape
    ) -> Plan | None:
        """How a value of `type_` is completed, or None when it needs the standard path."""
        nullable = not isinstance(type_, GraphQLNonNull)
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if is_leaf_type(type_):
            return None if node.selection_set else leaf(type_, nullable)
        if isinstance(type_, GraphQLList):
            item = self._completer(type_.of_type, node, batched, shape)
            return None if item is None else many(item, nullable)
        if isinstance(type_, GraphQLObjectType) and node.selection_set is not None:
            # A connection's edges are wrappers: the actual cost does not count them.
            key = node.alias.value if node.alias else node.name.value
            counted = key != "edges"
            return self._object(type_, node.selection_set, batched, shape, nullable, counted)
        return None

    def _object(
        self,
        type_: GraphQLObjectType,
        selections: SelectionSetNode,
        batched: bool,
        shape: Shape,
        nullable: bool,
        counted: bool,
    ) -> Plan | None:
        fields: list[tuple[str, Part]] = []
        for selection in _flattened(self.schema, type_, selections, self.fragments, set()):
            if selection is None:
                return None
            key = selection.alias.value if selection.alias else selection.name.value
            part = self._part(type_, selection, batched, shape)
            if part is None or any(key == known for known, _ in fields):
                return None
            fields.append((key, part))
        return object_plan(fields, type_.is_type_of, nullable, counted)


def _flattened(
    schema: GraphQLSchema,
    type_: GraphQLObjectType,
    selections: SelectionSetNode,
    fragments: Mapping[str, FragmentDetails],
    seen: set[str],
) -> Iterator[FieldNode | None]:
    """The fields of a selection set through its fragments; None for a
    selection the plans do not take (a directive, a fragment that may not apply)."""
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
            continue
        if selection.directives:
            yield None
            return
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            details = fragments.get(name)
            if details is None or details.variable_signatures or name in seen:
                yield None
                return
            fragment = details.definition
            if fragment.directives:
                yield None
                return
            condition, inner = fragment.type_condition, fragment.selection_set
            seen = seen | {name}
        else:
            assert isinstance(selection, InlineFragmentNode)
            inner = selection.selection_set
            condition = selection.type_condition  # type: ignore[assignment]
        if condition is not None and not _applies(schema, condition.name.value, type_):
            yield None
            return
        yield from _flattened(schema, type_, inner, fragments, seen)


def _applies(schema: GraphQLSchema, condition: str, type_: GraphQLObjectType) -> bool:
    """Whether a fragment on `condition` applies to every value of `type_`: it
    names the type, an interface it implements or a union it belongs to."""
    named = schema.get_type(condition)
    if named is type_:
        return True
    return is_abstract_type(named) and schema.is_sub_type(named, type_)


def _page_reads(connection: Shape) -> Reads | None:
    """What a page reads of its nodes and edges, from the shape of its selection."""
    edges = connection.below("edges")
    edge_reads = set().union(*(edge.reads for edge in edges))
    if not edge_reads <= PLAIN_EDGE | set(PROVENANCE):
        return None
    nodes = [node for edge in edges for node in edge.children.get("node", ())]
    attributes = set().union(*(node.reads for node in nodes))
    cursors = "cursor" in edge_reads or bool(CURSORS & connection.reads)
    return Reads(frozenset(attributes), bool(edge_reads & set(PROVENANCE)), cursors)
