"""The GraphQL contract: an Apollo Federation v2 subgraph schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, cast

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from db.reader import Reader
from engine.cost import CostBudget
from engine.documents import Documents, parse_document
from engine.errors import ErrorCodes
from engine.execution import CompiledExecutionContext
from engine.exposure import Exposure
from engine.hooks import HookRunner
from engine.limits import LIMITS, limit_extensions
from engine.observation import OperationMetrics
from engine.time_budget import time_budget
from engine.usage import UsageRecording
from resolvers.composition import SubgraphSource
from resolvers.context import Context
from schema.context import Info
from schema.entities import resolve_entities
from schema.mutations import Mutation
from schema.nodes import key_node_interface
from schema.query import Query
from schema.scalars import SCALARS
from schema.subscription import ChangeNotice, Subscription, SubscriptionsOnlyOverWebSocket

__all__ = ["FEDERATION_VERSION", "hub_subgraph", "parse_document", "schema", "sdl"]

# The newest version all three composers accept (The Guild's stops at 2.9).
FEDERATION_VERSION: Final = "2.9"


class HubSchema(strawberry.federation.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key_node_interface(self._schema)

    async def entities_resolver(  # type: ignore[override]
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Federation `_entities`, answered by the hub's own resolver (schema/entities.py)."""
        return cast(list[FederationAny], await resolve_entities(info, list(representations)))

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Execute within the time budget: a request that runs longer is
        stopped and answered with an error, not left to hold the server. Its
        task is cancelled, and a statement it has running stops too (see
        db/deadlines.py); work on the event loop between two awaits cannot be
        stopped, which is why the limits keep each piece of it small."""
        seconds = LIMITS.time_seconds
        reader, context = None, context_value
        if isinstance(context, Context) and context.reader is None:
            # One connection for all the request's reads (db/reader.py).
            reader = context.reader = Reader(context.database.engine)
        try:
            async with time_budget(seconds) as statements:
                result = await super().execute(
                    query,
                    variable_values,
                    context_value,
                    root_value,
                    operation_name,
                    allowed_operation_types,
                    operation_extensions,
                )
        except TimeoutError:
            return _timed_out(seconds)
        finally:
            if isinstance(context, Context) and reader is not None:
                context.reader = None
                await reader.close()
        # A statement stopped at the deadline fails its field just before the
        # task is cancelled, or instead of it: the answer is the timeout either way.
        return _timed_out(seconds) if statements.expired else result

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return HookRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        # `ErrorCodes` logs unexpected errors with their reference; bad input
        # is the client's to fix and needs no traceback in the server's log.
        return None


schema = HubSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    federation_version=FEDERATION_VERSION,
    extensions=[
        # First, so that it sees the errors as `ErrorCodes` leaves them (hooks unwind in reverse).
        OperationMetrics,
        ErrorCodes,
        *limit_extensions(),
        Documents,
        # After validation: they see only valid documents, with their variables.
        Exposure,
        SubscriptionsOnlyOverWebSocket,
        CostBudget,
        ChangeNotice,
        UsageRecording,
    ],
    execution_context_class=CompiledExecutionContext,
    config=StrawberryConfig(scalar_map=SCALARS),
)


def _timed_out(seconds: float) -> ExecutionResult:
    error = GraphQLError(
        f"The request took longer than {seconds:g} s and was stopped: ask for less at a time.",
        extensions={"code": "TIMEOUT"},
    )
    return ExecutionResult(data=None, errors=[error])


def sdl() -> str:
    """The subgraph SDL, as `_service { sdl }` gives it to gateways (see
    `schema/printed.py` for the checked-in files)."""
    return schema.as_str() + "\n"


def hub_subgraph(public_url: str) -> SubgraphSource:
    """The hub as the first subgraph of a composition, at its public URL."""
    return SubgraphSource("hub", public_url, sdl())
