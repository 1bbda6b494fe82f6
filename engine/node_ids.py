"""The record attribute behind a `Node`'s global ID.

A type that keeps `relay.Node`'s own `id` makes it from one attribute of its
record (`resolve_id_attr`) and its type name. The compiled read path, which
makes the ID itself and must have that attribute read, asks here.
"""

from __future__ import annotations

from typing import Any, Final

from graphql import GraphQLObjectType
from strawberry import relay
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition

__all__ = ["node_id_attribute"]


def _id_field(definition: StrawberryObjectDefinition) -> Any:
    return next(
        (f for f in definition.fields if f.base_resolver is not None and f.graphql_name == "id"),
        None,
    )


def _function(field: Any) -> Any:
    wrapped = field.base_resolver.wrapped_func
    return getattr(wrapped, "__func__", wrapped)


# `relay.Node`'s own `id` field, which types that do not override it share.
_NODE_ID: Final = _id_field(relay.Node.__strawberry_definition__)  # type: ignore[attr-defined]


def node_id_attribute(parent_type: GraphQLObjectType) -> str | None:
    """The record attribute a `Node` type's `id` is made from, when the type keeps
    `relay.Node`'s own way of making it; None otherwise."""
    definition = parent_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryObjectDefinition):
        return None
    origin = definition.origin
    if not (isinstance(origin, type) and issubclass(origin, relay.Node)):
        return None
    field = _id_field(definition)
    if field is None or field.extensions or _function(field) is not _function(_NODE_ID):
        return None
    # Only the default ways of naming the type and reading the id.
    for method in ("resolve_id", "resolve_typename"):
        if getattr(origin, method).__func__ is not getattr(relay.Node, method).__func__:
            return None
    attribute: str = origin.resolve_id_attr()
    return attribute
