"""A request's arguments as execution will see them, read before it runs.

The cost of a document depends on its arguments (`first`, `limit`, `ids`,
`where`), which may come as literals, as variables, from a variable's
default, or as variables inside lists and input objects: pricing reads them
all, or a request could be priced for one thing and run another. And request
JSON is checked for depth before anything walks it by recursion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)

__all__ = ["argument_values", "json_nesting", "whole_number", "with_defaults"]


def with_defaults(
    operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> dict[str, Any]:
    """The operation's variables as sent, and the defaults of those not sent."""
    values = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


def argument_values(node: FieldNode, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The field's arguments before coercion: literals, and variables wherever
    they stand (`variables` with their defaults, see `with_defaults`); an
    absent variable is None."""
    return {
        argument.name.value: _value(argument.value, variables) for argument in node.arguments or ()
    }


def _value(node: ValueNode, variables: Mapping[str, Any]) -> Any:
    # Recursion over the document only (the parser bounds its nesting), never
    # into a variable's value.
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, ListValueNode):
        return [_value(item, variables) for item in node.values]
    if isinstance(node, ObjectValueNode):
        return {field.name.value: _value(field.value, variables) for field in node.fields}
    return value_from_ast_untyped(node)


def whole_number(value: Any) -> int | None:
    """A whole number as GraphQL's `Int` takes it (`100.0` included), else None."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def json_nesting(value: Any, limit: int) -> int:
    """How many objects and lists deep `value` (parsed JSON) nests, counting
    `value` itself; once past `limit`, `limit + 1`. A walk with a stack, so
    that no depth of input can exhaust Python's."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return limit + 1
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)
    return deepest
