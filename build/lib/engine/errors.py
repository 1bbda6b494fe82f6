"""How errors reach the client: bad input keeps its message and gains a code;
anything unexpected is masked, so internals never leave the server."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult, StreamExecutionResult

from db.deadlines import current as current_deadline
from engine.exposure import without_suggestions
from resolvers.errors import UserInputError
from resolvers.writes import ForbiddenError

__all__ = ["ErrorCodes"]

logger = logging.getLogger("metrohub.errors")


class ErrorCodes(SchemaExtension):
    """Adds `extensions.code` to every error, and masks unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, ExecutionResult | GraphQLExecutionResult) and result.errors:
            self._rewrite(result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        # Each result of a subscription, before it is sent.
        if isinstance(result, ExecutionResult) and result.errors:
            self._rewrite(result)
        yield

    def _rewrite(self, result: ExecutionResult | GraphQLExecutionResult) -> None:
        errors = result.errors or []
        hub = self.execution_context.context
        errors = [_client_error(error, hub.request_id) for error in errors]
        if not hub.development and not hub.principal.is_staff:
            # New errors: the validation cache shares the originals between requests.
            errors = [_reworded(error) for error in errors]
        result.errors = errors


def _client_error(error: GraphQLError, reference: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, UserInputError):
        return _with_code(error, original.code)
    if isinstance(original, ForbiddenError):
        return _with_code(error, "FORBIDDEN")
    if original is None or isinstance(original, GraphQLError):
        # Parse and validation errors: the message is written for the client.
        code = (error.extensions or {}).get("code") or "GRAPHQL_VALIDATION_FAILED"
        return _with_code(error, code)
    deadline = current_deadline()
    if deadline is not None and deadline.expired:
        # A statement stopped at the request's deadline (db/deadlines.py): the
        # request is answered as timed out (`schema.HubSchema`), nothing to log.
        return _with_code(error, "TIMEOUT")
    logger.error("unexpected error %s", reference, exc_info=original)
    return GraphQLError(
        f"Internal error (reference {reference}): the hub could not answer this field. "
        "Try again; if it persists, report the reference.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "reference": reference},
    )


def _reworded(error: GraphQLError) -> GraphQLError:
    message = without_suggestions(error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def _with_code(error: GraphQLError, code: str) -> GraphQLError:
    error.extensions = {**(error.extensions or {}), "code": code}
    return error
