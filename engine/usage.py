"""Usage recording of each operation the hub runs: its client, its
signature and the fields it reads (resolvers/usage/), worked out once per
document and counted per request by the process's recorder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from graphql import DocumentNode, GraphQLSchema, get_operation_ast
from strawberry.extensions import SchemaExtension

from engine.documents import memo_of, parsed
from resolvers.usage import Operation, client_of, field_coordinates, operation_signature
from resolvers.usage import signature_hash as hash_of

__all__ = ["UsageRecording", "record_answered"]

# The memo entry of an operation that cannot be counted (no such operation).
_UNCOUNTED: Final = object()


class UsageRecording(SchemaExtension):
    """Counts each operation that passed validation, whatever its outcome."""

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        document = execution.graphql_document
        if document is None or execution.pre_execution_errors:
            return
        context = execution.context
        _record(
            context,
            memo_of(context),
            execution.schema._schema,
            document,
            getattr(execution, "_provided_operation_name", None),
        )


def record_answered(context: Any, schema: Any, query: str, operation_name: str | None) -> None:
    """Count an operation answered without running it (from the response
    cache): it was parsed and validated when it first ran."""
    known = parsed(query)
    _record(context, known.memo, schema._schema, known.document, operation_name)


def _record(
    context: Any,
    memo: dict[Any, Any],
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
) -> None:
    services = getattr(context, "services", None)
    recorder = getattr(services, "usage", None)
    if recorder is None:
        return
    key = (UsageRecording, operation_name)
    operation = memo.get(key)
    if operation is None:
        operation = memo[key] = _operation(schema, document, operation_name)
    if operation is _UNCOUNTED:
        return
    request = context.request
    headers = request.scope["headers"] if request is not None else ()
    name, version = client_of(headers, context.principal.name)
    recorder.record(operation, name, version)


def _operation(schema: GraphQLSchema, document: DocumentNode, name: str | None) -> Any:
    definition = get_operation_ast(document, name)
    if definition is None:
        return _UNCOUNTED
    name = definition.name.value if definition.name else None
    signature = operation_signature(document, name)
    return Operation(
        name or "", signature, hash_of(signature), field_coordinates(schema, document, name)
    )
