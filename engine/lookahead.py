"""Lookahead: which of a record's columns a query reads under a connection.

A relation page reads its records with one statement (see
`resolvers.loaders`). Reading every column of every record costs: long texts
the query never shows, and a JSON decode per row for provenance. Before the
page is read, the connection's field looks at what is selected below it
(Strawberry's `info.selected_fields`: fragments spread, directives with their
arguments) on `edges { node { ... } }`, and names the record attributes
those fields read:

- a field with no resolver of its own reads its attribute;
- a `Node`'s `id` reads the attribute its global ID is made from
  (`engine.node_ids`);
- a field whose resolver declares what it reads (`@reads(...)`) reads that;
- any other field could read anything: the page reads every column.

A selection that `@skip` or `@include` leaves out reads nothing. The edge's
own provenance is read only when `provenance` (or another field that needs
it) is selected on the edge. An attribute that is not read is left unset on
the record, so a field that read one anyway would fail loudly (and every
test would show it), never answer with a wrong value.

What a field reads is worked out once per document and kept with it
(`engine/documents.py`). As `@skip` and `@include` may take variables, it is
kept by the values of the variables the document's directives use: a request
that includes a field another request of the same document skipped reads its
attribute. A document whose directives use more than
`MAX_DIRECTIVE_VARIABLES` variables would have too many combinations to
keep: its directives are not looked at, and its pages read what any of them
could need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, TypeVar

from graphql import (
    DirectiveNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    VariableNode,
    Visitor,
    get_named_type,
    visit,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import SelectedField, Selection, get_variable_values

from engine.documents import memo_of
from engine.node_ids import node_id_attribute
from resolvers.pagination import Reads

__all__ = ["MAX_DIRECTIVE_VARIABLES", "node_reads", "reads"]

F = TypeVar("F", bound=Callable[..., Any])
READS_ATTRIBUTE: Final = "__hub_reads__"
# Edge fields read from the link's near end, its role and the cursor: no provenance.
PLAIN_EDGE_FIELDS: Final = frozenset({"cursor", "node", "role", "relationship", "__typename"})
# Past this many, each field's reads would be kept for too many combinations of values.
MAX_DIRECTIVE_VARIABLES: Final = 4
# The directives that leave a selection out, and the value of `if` that does.
LEAVE_OUT: Final = (("skip", True), ("include", False))


def reads(*attributes: str) -> Callable[[F], F]:
    """Declares the record attributes a field's resolver reads (see the module)."""

    def declare(function: F) -> F:
        setattr(function, READS_ATTRIBUTE, frozenset(attributes))
        return function

    return declare


def node_reads(info: Any) -> Reads | None:
    """What a connection field's page must read of its nodes and edges; None
    when it cannot tell (the page then reads everything). Worked out once per
    document and values of its directives' variables (see the module)."""
    raw: GraphQLResolveInfo[Any] = info._raw_info
    memo = memo_of(raw.context)
    names = _directive_variables(raw, memo)
    # The parent type too: a fragment's field may sit under several types.
    key: tuple[Any, ...] = ("reads", id(raw.parent_type), *(id(node) for node in raw.field_nodes))
    if names:
        variables = get_variable_values(raw)
        key = (*key, tuple(variables.get(name) for name in names))
    if key in memo:
        found: Reads | None = memo[key]
        return found
    found = _connection_reads(raw.return_type, info.selected_fields, names is not None)
    memo[key] = found
    return found


def _directive_variables(
    raw: GraphQLResolveInfo[Any], memo: dict[Any, Any]
) -> tuple[str, ...] | None:
    """The variables the `@skip` and `@include` of the operation and its
    fragments take, in a fixed order; None when there are too many to honour."""
    key = ("directive variables", id(raw.operation))
    if key in memo:
        known: tuple[str, ...] | None = memo[key]
        return known
    found = _DirectiveVariables()
    for node in (raw.operation, *raw.fragments.values()):
        visit(node, found)
    names = tuple(sorted(found.names))
    kept = names if len(names) <= MAX_DIRECTIVE_VARIABLES else None
    memo[key] = kept
    return kept


class _DirectiveVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        if node.name.value in ("skip", "include"):
            self.names.update(
                argument.value.name.value
                for argument in node.arguments or ()
                if isinstance(argument.value, VariableNode)
            )


def _connection_reads(
    return_type: Any, selected: list[Selection], honour_directives: bool
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

    def fields(selections: Iterable[Selection], name: str | None) -> list[SelectedField]:
        return list(_fields(selections, name, honour_directives))

    connections = [s for s in selected if isinstance(s, SelectedField)]
    edges = fields((s for c in connections for s in c.selections), "edges")
    edge_fields = fields((s for e in edges for s in e.selections), None)
    attributes: set[str] = set()
    for node in (f for f in edge_fields if f.name == "node"):
        for field in fields(node.selections, None):
            read = _field_reads(node_type, field.name)
            if read is None:
                return None
            attributes |= read
    provenance = any(f.name not in PLAIN_EDGE_FIELDS for f in edge_fields)
    return Reads(frozenset(attributes), provenance)


def _fields(
    selections: Iterable[Selection], name: str | None, honour_directives: bool
) -> Iterator[SelectedField]:
    """The fields (named `name`, or all) of these selections, through fragments,
    but for those `@skip` or `@include` leave out. Type conditions are not
    looked at: a fragment on another type only reads more than needed."""
    for selection in selections:
        if honour_directives and _left_out(selection):
            continue
        if isinstance(selection, SelectedField):
            if name is None or selection.name == name:
                yield selection
        else:
            yield from _fields(selection.selections, name, honour_directives)


def _left_out(selection: Selection) -> bool:
    directives = selection.directives
    return any(directives.get(directive, {}).get("if") is value for directive, value in LEAVE_OUT)


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
