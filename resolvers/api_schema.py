"""The API schema: what clients query, from any SDL federation produces.

A subgraph's SDL (`_service { sdl }`) and a composed supergraph's SDL both
carry federation's machinery: `_entities`, `_service`, `_Any`, `_Entity`,
`join__*`, `link__*`, the federation directives, elements marked
`@inaccessible`. Clients see none of it, so the API schema is the SDL without
it, built by graphql-core (an SDL that does not build fails here)."""

from __future__ import annotations

from typing import Any, Final

from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    FieldDefinitionNode,
    GraphQLSchema,
    Node,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    build_ast_schema,
    parse,
    print_schema,
    specified_directives,
)

__all__ = ["api_schema", "api_sdl"]

# What federation adds to a schema for gateways; clients never see it.
FEDERATION_TYPES: Final = frozenset(
    {"_Any", "_Entity", "_Service", "_FieldSet", "FieldSet", "link__Import", "link__Purpose"}
)
FEDERATION_PREFIXES: Final = ("join__", "link__", "federation__")
FEDERATION_FIELDS: Final = frozenset({"_entities", "_service"})
STANDARD_DIRECTIVES: Final = frozenset(d.name for d in specified_directives)


def api_schema(sdl: str) -> GraphQLSchema:
    """The API schema of a subgraph's or a supergraph's SDL (see the module)."""
    document = parse(sdl)
    definitions = tuple(
        _without_federation(d) for d in document.definitions if not _is_federation(d)
    )
    return build_ast_schema(DocumentNode(definitions=definitions))


def api_sdl(sdl: str) -> str:
    """The API schema of `sdl`, printed."""
    return print_schema(api_schema(sdl)) + "\n"


def _is_federation(definition: DefinitionNode) -> bool:
    if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
        return True
    if isinstance(definition, DirectiveDefinitionNode):
        return definition.name.value not in STANDARD_DIRECTIVES
    if isinstance(definition, TypeDefinitionNode):
        name = definition.name.value
        return (
            name in FEDERATION_TYPES
            or name.startswith(FEDERATION_PREFIXES)
            or _inaccessible(definition)
        )
    return False


def _inaccessible(node: Any) -> bool:
    return any(d.name.value == "inaccessible" for d in getattr(node, "directives", None) or ())


def _without_federation(definition: DefinitionNode) -> DefinitionNode:
    """The definition without federation's directives, and the root query
    type without federation's fields."""
    changes: dict[str, Any] = {}
    directives = getattr(definition, "directives", None)
    if directives:
        changes["directives"] = _standard(directives)
    fields = getattr(definition, "fields", None)
    if fields:
        kept = [f for f in fields if not _inaccessible(f)]
        if isinstance(definition, ObjectTypeDefinitionNode):
            kept = [f for f in kept if f.name.value not in FEDERATION_FIELDS]
        changes["fields"] = tuple(_field_without_federation(f) for f in kept)
    values = getattr(definition, "values", None)
    if values:
        changes["values"] = _accessible(values)
    return _copy(definition, changes) if changes else definition


def _field_without_federation(field: FieldDefinitionNode) -> FieldDefinitionNode:
    changes: dict[str, Any] = {}
    if field.directives:
        changes["directives"] = _standard(field.directives)
    arguments = getattr(field, "arguments", None)
    if arguments:
        changes["arguments"] = _accessible(arguments)
    return _copy(field, changes) if changes else field


def _accessible(nodes: Any) -> tuple[Any, ...]:
    """Enum values or arguments without the inaccessible ones, and without
    federation's directives."""
    return tuple(
        _copy(node, {"directives": _standard(node.directives)}) if node.directives else node
        for node in nodes
        if not _inaccessible(node)
    )


def _standard(directives: Any) -> tuple[Any, ...]:
    return tuple(d for d in directives if d.name.value in STANDARD_DIRECTIVES)


def _copy(node: Node, changes: dict[str, Any]) -> Any:
    values = {key: getattr(node, key) for key in node.keys}
    return type(node)(**{**values, **changes})
