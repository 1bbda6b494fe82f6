"""What the schema shows about itself, and to whom.

In production (the default; `make run` starts the hub in development mode),
introspection is for staff keys, the federation `_service` SDL for staff keys,
gateway keys and gateway hops (whoever their end user), and "Did you mean
...?" suggestions in error messages for staff only: the API's shape is
documented, not probed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    GraphQLError,
    OperationDefinitionNode,
)
from strawberry.extensions import SchemaExtension

from engine.selections import fields_of, fragments_of

__all__ = [
    "SUBGRAPH_REFUSAL",
    "Exposure",
    "may_read_subgraph",
    "root_fields",
    "without_suggestions",
]

# graphql-core's `did_you_mean`: " Did you mean 'a', 'b', or 'c'?", with "the enum
# value" or "to use an inline fragment on" before the names in some messages. It may
# sit anywhere in a message: "... not to include unknown field 'nme'. Did you mean
# 'name' or 'near'? Found: {...}." Names are GraphQL names, so none holds a quote.
_NAME = r"'[_A-Za-z][_0-9A-Za-z]*'"
SUGGESTION = re.compile(
    rf" ?Did you mean (?:[a-z][a-z ]*? )?{_NAME}(?:, {_NAME})*(?:,? or {_NAME})?\?"
)


def without_suggestions(message: str) -> str:
    """The message without graphql-core's "Did you mean ...?" suggestions, wherever they are."""
    return SUGGESTION.sub("", message)


def root_fields(document: Any) -> set[str]:
    """The names of the fields at the root of the document's operations,
    fragments spread at the root included."""
    operations = (
        d.selection_set for d in document.definitions if isinstance(d, OperationDefinitionNode)
    )
    return {field.name.value for field in fields_of(operations, fragments_of(document))}


class Exposure(SchemaExtension):
    """Refuses introspection and `_service` to callers they are not for, in
    production, whether the fields are selected at the root or in fragments
    spread there."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        hub = context.context
        document = context.graphql_document
        if document is not None and not hub.development and not context.pre_execution_errors:
            principal = hub.principal
            fields = root_fields(document)
            if fields & {"__schema", "__type"} and not principal.is_staff:
                context.pre_execution_errors = [
                    _forbidden(
                        "Introspection is for staff keys: the client schema is at "
                        "/schema.graphql (SDL) and /schema.json (as an introspection result)."
                    )
                ]
            elif "_service" in fields and not may_read_subgraph(principal, hub.gateway):
                context.pre_execution_errors = [_forbidden(SUBGRAPH_REFUSAL)]
        yield


SUBGRAPH_REFUSAL = "The subgraph SDL is for gateway keys and staff keys."


def may_read_subgraph(principal: Any, gateway: Any = None) -> bool:
    """Whether the caller may read the subgraph SDL in production: staff keys,
    gateway keys, and a gateway hop (`gateway`: the gateway's principal) for
    whichever end user it forwards. Everyone may read the client schema."""
    return bool(principal.is_staff or principal.is_gateway or gateway is not None)


def _forbidden(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})
