"""What the schema shows about itself, and to whom.

In production (the default; `make run` starts the hub in development mode),
introspection is for staff keys, the federation `_service` SDL for staff keys
and keys with the `gateway` scope, and "Did you mean ...?" suggestions in
error messages for staff only: the API's shape is documented, not probed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

__all__ = ["GATEWAY_SCOPE", "Exposure", "without_suggestions"]

GATEWAY_SCOPE = "gateway"
SUGGESTION = re.compile(r"\s*Did you mean .*\?\s*$")


def without_suggestions(message: str) -> str:
    return SUGGESTION.sub("", message)


def _root_fields(document: Any) -> set[str]:
    names: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            names.update(
                selection.name.value
                for selection in definition.selection_set.selections
                if isinstance(selection, FieldNode)
            )
    return names


class Exposure(SchemaExtension):
    """Refuses introspection and `_service` to callers they are not for, in
    production. (Fragments at the root are rare enough to need no special
    case: introspection tools select `__schema` directly.)"""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        hub = context.context
        document = context.graphql_document
        if document is not None and not hub.development and not context.pre_execution_errors:
            principal = hub.principal
            fields = _root_fields(document)
            if fields & {"__schema", "__type"} and not principal.is_staff:
                context.pre_execution_errors = [
                    _forbidden("Introspection is for staff keys: see schema/schema.graphql.")
                ]
            elif "_service" in fields and not (
                principal.is_staff or GATEWAY_SCOPE in principal.scopes
            ):
                context.pre_execution_errors = [
                    _forbidden("The subgraph SDL is for the gateway's key and staff keys.")
                ]
        yield


def _forbidden(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})
