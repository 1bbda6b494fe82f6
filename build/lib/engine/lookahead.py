"""Lookahead: which of a record's columns a query reads under a connection.

A relation page reads its records with one statement (see
`resolvers.loaders`). Reading every column of every record costs: long texts
the query never shows, and a JSON decode per row for provenance. Before the
page is read, the connection's field looks at the document below it - the
fields selected on `edges { node { ... } }`, fragments included - and names
the record attributes those fields read:

- a field with no resolver of its own reads its attribute;
- a `Node`'s `id` reads `id`;
- a field whose resolver declares what it reads (`@reads(...)`) reads that;
- any other field could read anything: the page reads every column.

The edge's own provenance is read only when `provenance` is selected on the
edge. An attribute that is not read is left unset on the record, so a field
that read one anyway would fail loudly (and every test would show it), never
answer with a wrong value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, TypeVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from engine.documents import memo_of
from engine.execution import node_id_attribute
from resolvers.pagination import Reads

__all__ = ["node_reads", "reads"]

F = TypeVar("F", bound=Callable[..., Any])
READS_ATTRIBUTE: Final = "__hub_reads__"
# Edge fields read from the link's near end, its role and the cursor: no provenance.
PLAIN_EDGE_FIELDS: Final = frozenset({"cursor", "node", "role", "relationship", "__typename"})


def reads(*attributes: str) -> Callable[[F], F]:
    """Declares the record attributes a field's resolver reads (see the module)."""

    def declare(function: F) -> F:
        setattr(function, READS_ATTRIBUTE, frozenset(attributes))
        return function

    return declare


def node_reads(info: Any) -> Reads | None:
    """What a connection field's page must read of its nodes and edges; None
    when it cannot tell (the page then reads everything). Worked out once per
    document, and kept with it (engine/documents.py)."""
    raw: GraphQLResolveInfo[Any] = info._raw_info
    nodes = tuple(raw.field_nodes)
    # The parent type too: a fragment's field may sit under several types.
    key = ("reads", id(raw.parent_type), *(id(node) for node in nodes))
    memo = memo_of(raw.context)
    if key in memo:
        found: Reads | None = memo[key]
        return found
    found = _connection_reads(raw.return_type, nodes, raw.fragments)
    memo[key] = found
    return found


def _connection_reads(
    return_type: Any, nodes: tuple[FieldNode, ...], fragments: dict[str, FragmentDefinitionNode]
) -> Reads | None:
    connection = get_named_type(return_type)
    if not isinstance(connection, GraphQLObjectType) or "edges" not in connection.fields:
        return None
    edge = get_named_type(connection.fields["edges"].type)
    if not isinstance(edge, GraphQLObjectType) or "node" not in edge.fields:
        return None
    node_type = get_named_type(edge.fields["node"].type)
    if not isinstance(node_type, GraphQLObjectType):
        return None
    edges = list(_fields(_selections(nodes), fragments, "edges"))
    edge_fields = list(_fields((e.selection_set for e in edges), fragments, None))
    attributes: set[str] = set()
    for node in (f for f in edge_fields if f.name.value == "node"):
        for field in _fields([node.selection_set], fragments, None):
            read = _field_reads(node_type, field.name.value)
            if read is None:
                return None
            attributes |= read
    provenance = any(f.name.value not in PLAIN_EDGE_FIELDS for f in edge_fields)
    return Reads(frozenset(attributes), provenance)


def _selections(nodes: Iterable[FieldNode]) -> Iterator[SelectionSetNode | None]:
    return (node.selection_set for node in nodes)


def _fields(
    selection_sets: Iterable[SelectionSetNode | None],
    fragments: dict[str, FragmentDefinitionNode],
    name: str | None,
) -> Iterator[FieldNode]:
    """The fields (named `name`, or all) of these selection sets, through fragments.
    Directives are not looked at: a skipped field only reads more than needed."""
    pending = [s for s in selection_sets if s is not None]
    seen: set[str] = set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                if name is None or selection.name.value == name:
                    yield selection
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in seen:
                    seen.add(selection.name.value)
                    pending.append(fragment.selection_set)


def _field_reads(node_type: GraphQLObjectType, name: str) -> frozenset[str] | None:
    if name == "__typename":
        return frozenset()
    field = node_type.fields.get(name)
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF) if field else None
    if not isinstance(definition, StrawberryField) or definition.python_name is None:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        return frozenset({definition.python_name})
    if name == "id":
        attribute = node_id_attribute(node_type)
        return None if attribute is None else frozenset({attribute})
    function = resolver.wrapped_func
    declared = getattr(getattr(function, "__func__", function), READS_ATTRIBUTE, None)
    return declared if isinstance(declared, frozenset) else None
