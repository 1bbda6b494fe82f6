"""The root subscription: changes to the directory as they are made, over
graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from metrics import SUBSCRIPTIONS
from resolvers.changes import ChangeEvent, change_stream, parse_cursor, parse_types
from schema.context import Info
from schema.history import FieldChange, field_changes, global_id

__all__ = ["ChangeNotice", "Subscription", "SubscriptionsOnlyOverWebSocket"]


@strawberry.type(description="A change to a record, as it streams to a subscriber.")
class LiveChange:
    cursor: str = strawberry.field(
        description="Where this change stands in the stream: pass it as `since` to resume "
        "after it (the changes after it follow, none lost or repeated)."
    )
    at: datetime = strawberry.field(description="When it was made (UTC).")
    action: str = strawberry.field(
        description="What was done: create, update, import, archive, restore, link or unlink."
    )
    record_type: str = strawberry.field(description="The changed record's type.")
    record_id: strawberry.Private[int]
    changes: strawberry.Private[dict[str, list[Any]]]
    actor: str | None = strawberry.field(
        description="The name of the API key that made it: for staff keys (null otherwise)."
    )
    request_id: str | None = strawberry.field(
        description="The request that made it: for staff keys (null otherwise)."
    )

    @strawberry.field(description="The changed record's global ID.")
    def record(self) -> strawberry.ID:
        return global_id(self.record_type, self.record_id)

    @strawberry.field(
        name="fields",
        description="What changed, field by field (contact details for partner and staff "
        "keys only).",
    )
    def field_changes(self) -> list[FieldChange]:
        return field_changes(self.changes)


def _live(event: ChangeEvent) -> LiveChange:
    return LiveChange(
        cursor=event.cursor,
        at=event.at,
        action=event.action,
        record_type=event.record_type,
        record_id=event.record_id,
        changes=event.changes,
        actor=event.actor,
        request_id=event.request_id,
    )


@strawberry.type(description="Live updates, over WebSocket (the graphql-transport-ws protocol).")
class Subscription:
    @strawberry.subscription(
        description="Every create, update and archive (and restore, import, link, unlink) of "
        "the records the key may see, oldest first from `since`, then each new one as it is "
        "made. Reconnect with the last `cursor` received to go on where the stream stopped."
    )
    async def changes(
        self,
        info: Info,
        types: Annotated[
            list[str] | None,
            strawberry.argument(
                description="The record types to follow: Member, Partner, Initiative "
                "(all of them when left out)."
            ),
        ] = None,
        since: Annotated[
            str | None,
            strawberry.argument(
                description="The cursor of the last change received: the stream starts "
                "after it. Left out: from the oldest change."
            ),
        ] = None,
    ) -> AsyncGenerator[LiveChange, None]:
        context = info.context
        stream = change_stream(
            context.change_feed(), context.principal, parse_types(types), parse_cursor(since)
        )
        with SUBSCRIPTIONS.track_inprogress():
            async for event in stream:
                yield _live(event)


class ChangeNotice(SchemaExtension):
    """After a mutation, tells the change streams of every process to read the
    audit log (the mutation's entries are committed by then)."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        execution = self.execution_context
        if execution.operation_type is not OperationType.MUTATION:
            return
        signal = execution.context.changes
        if signal is not None:
            await signal.publish()


class SubscriptionsOnlyOverWebSocket(SchemaExtension):
    """Refuses queries and mutations sent over a WebSocket: they go over HTTP,
    where each one is rate-budgeted and held to the HTTP rules."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.context.transport == "websocket" and not execution.pre_execution_errors:
            try:
                kind = execution.operation_type
            except Exception:  # no operation to run: validation reports it
                kind = OperationType.SUBSCRIPTION
            if kind is not OperationType.SUBSCRIPTION:
                error = GraphQLError(
                    "WebSocket connections carry subscriptions only: send queries and "
                    "mutations by POST to /graphql.",
                    extensions={"code": "BAD_REQUEST"},
                )
                execution.pre_execution_errors = [error]
        yield
