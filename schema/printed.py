"""The schema as text, in the two forms its readers need.

- The **client schema** (`schema/schema.graphql`, `GET /schema.graphql`):
  what a partner app queries, without federation's machinery (`_entities`,
  `_service`, `_Any`, `_Entity`, `link__*` and the federation directives), so
  that standard tools (linters, code generators, GraphiQL) read it as it is.
- The **subgraph schema** (`schema/subgraph.graphql`, `GET /subgraph.graphql`):
  what gateways compose, as `_service { sdl }` serves it, followed by the
  definitions of the federation directives and types it uses, so that the
  file is valid on its own.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Final

from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    FieldDefinitionNode,
    Node,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    build_ast_schema,
    introspection_from_schema,
    parse,
    print_ast,
    print_schema,
    specified_directives,
)

from schema import schema, sdl

__all__ = [
    "CLIENT_FILE",
    "SUBGRAPH_FILE",
    "client_introspection",
    "client_sdl",
    "subgraph_file_sdl",
]

FOLDER: Final = Path(__file__).resolve().parent
CLIENT_FILE: Final = FOLDER / "schema.graphql"
SUBGRAPH_FILE: Final = FOLDER / "subgraph.graphql"

# What federation adds to the schema for gateways; clients never see it.
FEDERATION_TYPES: Final = frozenset(
    {"_Any", "_Entity", "_Service", "_FieldSet", "link__Import", "link__Purpose"}
)
FEDERATION_FIELDS: Final = frozenset({"_entities", "_service"})
STANDARD_DIRECTIVES: Final = frozenset(d.name for d in specified_directives)


@cache
def subgraph_file_sdl() -> str:
    """The subgraph SDL with the definitions of the federation directives and
    types it uses: valid on its own, as checked in at `schema/subgraph.graphql`."""
    served = parse(sdl())
    defined = {d.name.value for d in served.definitions if isinstance(d, TypeDefinitionNode)}
    definitions = [
        d
        for d in parse(print_schema(schema._schema)).definitions
        if isinstance(d, DirectiveDefinitionNode)
        or (isinstance(d, TypeDefinitionNode) and d.name.value not in defined)
    ]
    return sdl() + "\n" + print_ast(DocumentNode(definitions=tuple(definitions))) + "\n"


@cache
def client_sdl() -> str:
    """The client schema's SDL (see the module)."""
    document = parse(sdl())
    definitions = tuple(
        _without_federation(d)
        for d in document.definitions
        if not isinstance(d, SchemaDefinitionNode | SchemaExtensionNode)
        and not (isinstance(d, TypeDefinitionNode) and d.name.value in FEDERATION_TYPES)
    )
    # Built, then printed: a client schema that is not valid fails here, not in a tool.
    return print_schema(build_ast_schema(DocumentNode(definitions=definitions))) + "\n"


@cache
def client_introspection() -> dict[str, Any]:
    """The client schema as an introspection result: what GraphiQL and other
    tools that introspect read, for callers who may not introspect the hub."""
    return dict(introspection_from_schema(build_ast_schema(parse(client_sdl()))))


def _without_federation(definition: DefinitionNode) -> DefinitionNode:
    """The definition without federation's directives, and the root query
    type without federation's fields."""
    changes: dict[str, Any] = {}
    directives = getattr(definition, "directives", None)
    if directives:
        changes["directives"] = _standard(directives)
    if isinstance(definition, ObjectTypeDefinitionNode) and definition.fields:
        changes["fields"] = tuple(
            _field_without_federation(f)
            for f in definition.fields
            if f.name.value not in FEDERATION_FIELDS
        )
    return _copy(definition, changes) if changes else definition


def _field_without_federation(field: FieldDefinitionNode) -> FieldDefinitionNode:
    if not field.directives:
        return field
    return _copy(field, {"directives": _standard(field.directives)})


def _standard(directives: Any) -> tuple[Any, ...]:
    return tuple(d for d in directives if d.name.value in STANDARD_DIRECTIVES)


def _copy(node: Node, changes: dict[str, Any]) -> Any:
    values = {key: getattr(node, key) for key in node.keys}
    return type(node)(**{**values, **changes})
