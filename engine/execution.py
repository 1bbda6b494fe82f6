"""The compiled read path: the fields of a document that it can plan are
answered by direct code, with an exact fallback to the standard path.

graphql-core resolves every field through the same machinery (resolve info,
argument coercion, completion by type), ~4 us a field, and a connection's
resolver through a DataLoader per parent. The compiled path plans each field
of a document once (`engine.compiled.plans`) and runs the plan instead:

- a top-level list (`members`, `partners`, ...) and everything below it
  that is plain or declared - its relations' pages and records by id - is
  read one statement per level, reading only the columns the document
  selects, and completed as a whole (`engine.compiled.run`);
- anywhere else, a field whose subtree is plain (attribute reads, a `Node`'s
  ID, enums, lists) is read and serialised directly.

Exactness: a plan never produces an error or a null the standard path would
not. Whenever anything is off - an exception, bad arguments, a null in a
non-null position, a value that does not serialise, an object of an
unexpected type - it gives up on the whole field, and the standard path runs
the field again from the start (reads are free of side effects), so errors,
null propagation and paths are the standard path's own. The standard path
(Strawberry's, with DataLoaders) is the only other path.

The path is on by default (`HUB_COMPILED_PATH`); the context's `compiled`
turns it off for a request.
"""

from __future__ import annotations

import weakref
from typing import Any

from graphql import FieldNode, GraphQLObjectType, GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from engine.compiled.batches import Reading
from engine.compiled.plans import Planner, Shape
from engine.compiled.run import answer
from engine.compiled.values import MISS, Plan, Waiting, tally
from engine.documents import memo_of

__all__ = ["CompiledExecutionContext", "plans_built"]

# How many fields have been given a plan, for tests: the compiled path did engage.
_built = 0
# A field's plan, and whether it is batched (a top-level list and all below it).
Found = tuple[Plan, bool]
# Plain plans never leave a field waiting: nothing is ever added to this.
NO_WAITING: Waiting = []


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with the fields it can plan compiled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Middleware sees every field: with any, every field takes the standard path.
        middleware = getattr(self.middleware_manager, "middlewares", ())
        context = self.context_value
        self._compiled = bool(getattr(context, "compiled", False)) and not middleware
        # The objects in the answers of planned fields (see `_count`).
        self._counted: dict[int, tuple[Any, int]] = {}
        if self._compiled:
            context.counted = self._counted
        # Plans by (parent type, field node), kept with the document
        # (engine/documents.py), so that each of its fields is planned once.
        self._plans = memo_of(context)
        # graphql-core keeps the resolvers' helpers, two bound methods of the
        # executor, on the executor: a reference cycle, which leaves every
        # request's executor, context, request and loaded records to the
        # garbage collector (some 40 objects for `{__typename}`, 15 us of its
        # passes a request). Resolvers call them while the executor runs, so
        # weak references to its methods do.
        gather = weakref.WeakMethod(self.gather_async_work)
        track = weakref.WeakMethod(self.track_async_work)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=lambda values: gather()(values),  # type: ignore[misc]
            track=lambda values: track()(values),  # type: ignore[misc]
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any = None,
    ) -> Any:
        if self._compiled and len(field_details_list) == 1:
            details = field_details_list[0]
            found = self._plan_for(parent_type, details.node)
            if found is not None and details.fragment_variable_values is None:
                plan, batched = found
                if batched:
                    return self._batched(
                        plan, parent_type, source, field_details_list, path, position_context
                    )
                before = tally.objects
                value = plan(source, NO_WAITING)
                if value is not MISS:
                    self._count(value, tally.objects - before)
                    return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    async def _batched(
        self,
        plan: Plan,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        context = self.context_value
        reading = Reading(context.connect, context.principal, self.variable_values)
        answered = await answer(plan, source, reading)
        if answered is not MISS:
            value, objects = answered
            self._count(value, objects)
            return value
        standard = super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
        return await standard if self.is_awaitable(standard) else standard

    def _count(self, value: Any, objects: int) -> None:
        """Keeps the objects in a planned field's answer for the actual cost
        (`engine.cost`), by the answer's id; the answer is kept with its count,
        so that no other object takes its id while the request runs."""
        if type(value) is dict or type(value) is list:
            self._counted[id(value)] = (value, objects)

    def _plan_for(self, parent_type: GraphQLObjectType, node: FieldNode) -> Found | None:
        global _built
        key = ("plan", id(parent_type), id(node))
        if key in self._plans:
            found: Found | None = self._plans[key]
            return found
        planner = Planner(self.schema, self.fragments)
        batched = planner.list_field(parent_type, node)
        plan = batched or planner.field(parent_type, node, False, Shape())
        found = None if plan is None else (plan, batched is not None)
        self._plans[key] = found
        _built += found is not None
        return found


def plans_built() -> int:
    """How many fields have been given a plan (for tests: the compiled path did engage)."""
    return _built
