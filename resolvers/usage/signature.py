"""What an operation is, for usage: its signature, as Apollo's usage reporting
computes it (`usageReportingSignature` of `@apollo/utils.usagereporting`, which
no Python library offers), and the schema coordinates it reads.

Two documents that differ only in literals, aliases, the order of their
fields, arguments or fragments, their whitespace or fragments they do not use
have one signature, so one client's operation is counted as one however it
is written. The steps are Apollo's, in its order:

1. drop the definitions the operation does not use (graphql-core's
   `separate_operations`);
2. hide literals: numbers become 0, strings "", lists [] and objects {};
3. remove aliases;
4. sort definitions, selections, arguments, directives and variables;
5. print with the least whitespace that keeps tokens apart.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FloatValueNode,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    Visitor,
    print_ast,
    separate_operations,
    visit,
)

__all__ = ["field_coordinates", "operation_signature", "signature_hash"]


def operation_signature(document: DocumentNode, operation_name: str | None) -> str:
    """The usage signature of the operation `operation_name` of `document` (its
    only operation when None), starting `query Name` as the operation does."""
    # `separate_operations` keys an anonymous operation by "".
    separated = separate_operations(document).get(operation_name or "")
    if separated is None:
        raise ValueError(f"the document has no operation named {operation_name!r}")
    normalised = visit(separated, _Normalise())
    return _reduced_whitespace(normalised)


def signature_hash(signature: str) -> str:
    """The hex SHA-256 of a signature: how the database and reports name it."""
    return hashlib.sha256(signature.encode()).hexdigest()


def field_coordinates(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> tuple[str, ...]:
    """The `Type.field` coordinates the operation selects, sorted, as Apollo's
    `calculateReferencedFieldsByType` finds them (the type is the one the
    field is selected on, an interface's name for a field asked of it);
    introspection fields (`__typename`, ...) are not the schema's own."""
    separated = separate_operations(document).get(operation_name or "")
    if separated is None:
        return ()
    type_info = TypeInfo(schema)
    found: set[str] = set()

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            name = node.name.value
            if parent is not None and not name.startswith("__"):
                found.add(f"{parent.name}.{name}")

    visit(separated, TypeInfoVisitor(type_info, Fields()))
    return tuple(sorted(found))


def _by_name(nodes: Any) -> tuple[Any, ...]:
    return tuple(sorted(nodes or (), key=lambda node: node.name.value))


def _selection_key(node: Node) -> tuple[str, str]:
    # lodash's sortBy(selections, "kind", "name.value"): an inline fragment has
    # no name, and sorts before named ones of its kind.
    name = getattr(node, "name", None)
    return node.kind, name.value if name is not None else ""


class _Normalise(Visitor):
    """Steps 2 to 4 in one walk (each node is left once its children are done)."""

    def leave_int_value(self, node: IntValueNode, *_: Any) -> IntValueNode:
        return IntValueNode(value="0")

    def leave_float_value(self, node: FloatValueNode, *_: Any) -> FloatValueNode:
        return FloatValueNode(value="0")

    def leave_string_value(self, node: StringValueNode, *_: Any) -> StringValueNode:
        return StringValueNode(value="", block=False)

    def leave_list_value(self, node: ListValueNode, *_: Any) -> ListValueNode:
        return ListValueNode(values=())

    def leave_object_value(self, node: ObjectValueNode, *_: Any) -> ObjectValueNode:
        return ObjectValueNode(fields=())

    def leave_document(self, node: DocumentNode, *_: Any) -> DocumentNode:
        return DocumentNode(definitions=tuple(sorted(node.definitions, key=_selection_key)))

    def leave_selection_set(self, node: Any, *_: Any) -> Any:
        return type(node)(selections=tuple(sorted(node.selections, key=_selection_key)))

    def leave_field(self, node: FieldNode, *_: Any) -> FieldNode:
        return FieldNode(
            alias=None,
            name=node.name,
            arguments=_by_name(node.arguments),
            directives=node.directives,
            selection_set=node.selection_set,
        )

    def leave_directive(self, node: DirectiveNode, *_: Any) -> DirectiveNode:
        return DirectiveNode(name=node.name, arguments=_by_name(node.arguments))

    def leave_operation_definition(
        self, node: OperationDefinitionNode, *_: Any
    ) -> OperationDefinitionNode:
        return OperationDefinitionNode(
            operation=node.operation,
            name=node.name,
            variable_definitions=_variables(node.variable_definitions),
            directives=node.directives,
            selection_set=node.selection_set,
        )

    def leave_fragment_definition(self, node: Any, *_: Any) -> Any:
        return _with(node, directives=_by_name(node.directives))

    def leave_fragment_spread(self, node: Any, *_: Any) -> Any:
        return _with(node, directives=_by_name(node.directives))

    def leave_inline_fragment(self, node: Any, *_: Any) -> Any:
        return _with(node, directives=_by_name(node.directives))


def _variables(
    definitions: tuple[VariableDefinitionNode, ...] | None,
) -> tuple[VariableDefinitionNode, ...]:
    return tuple(sorted(definitions or (), key=lambda node: node.variable.name.value))


def _with(node: Any, **changes: Any) -> Any:
    return dataclasses.replace(node, **changes)


_SPACES = re.compile(r"\s+")
_SPACE_AFTER = re.compile(r"([^_a-zA-Z0-9]) ")
_SPACE_BEFORE = re.compile(r" ([^_a-zA-Z0-9])")


def _reduced_whitespace(document: DocumentNode) -> str:
    """Apollo's `printWithReducedWhitespace`, for a document whose strings are
    all empty (it keeps the spaces inside strings; there are none left)."""
    printed = _SPACES.sub(" ", print_ast(document))
    printed = _SPACE_AFTER.sub(r"\1", printed)
    return _SPACE_BEFORE.sub(r"\1", printed)
