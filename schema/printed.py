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
    DirectiveDefinitionNode,
    DocumentNode,
    TypeDefinitionNode,
    build_ast_schema,
    introspection_from_schema,
    parse,
    print_ast,
    print_schema,
)

from resolvers.api_schema import api_sdl
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
    """The client schema's SDL (see the module): built, then printed, so that
    a client schema that is not valid fails here, not in a tool."""
    return api_sdl(sdl())


@cache
def client_introspection() -> dict[str, Any]:
    """The client schema as an introspection result: what GraphiQL and other
    tools that introspect read, for callers who may not introspect the hub."""
    return dict(introspection_from_schema(build_ast_schema(parse(client_sdl()))))
