"""The fast path of execution: subtrees of plain attribute fields run as
direct code, with an exact fallback to the standard path for anything else.

graphql-core resolves every field through the same machinery (resolve info,
argument coercion, completion by type), ~4 us a field. Most fields of a page
are plain attributes of light records: `name`, `role`, `totalCount`, a
node's `id`. For a field whose whole subtree is plain - no arguments, no
directives, no fragments, no abstract types, no resolver other than reading
an attribute (or a `Node`'s ID) - the executor builds, once per document,
a function that reads and serialises the subtree directly.

Exactness: such a function never produces an error or a null the standard
path would not. Whenever anything is off - an exception, a null in a
non-null position, a value that does not serialise, an object of an
unexpected type - it gives up on the whole field, and the standard path runs
the field again from the start (reads are free of side effects), so errors,
null propagation and paths are the standard path's own.

The path is on by default (`HUB_FAST_PATH`); the context's `fast_path`
turns it off for a request.
"""

from __future__ import annotations

import weakref
from base64 import b64encode
from collections.abc import Callable, Iterable
from typing import Any, Final

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from engine.documents import memo_of
from engine.node_ids import node_id_attribute

__all__ = ["FastExecutionContext", "plans_built"]

# What a plan returns when the standard path must answer instead.
MISS: Final = object()
Plan = Callable[[Any], Any]
# How many fields have been given a plan, for tests: the fast path did engage.
_built = 0


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain subtrees run by their plans."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Middleware sees every field: with any, every field takes the standard path.
        middleware = getattr(self.middleware_manager, "middlewares", ())
        self._fast = bool(getattr(self.context_value, "fast_path", False)) and not middleware
        # Plans by (parent type, field node), kept with the document (engine/documents.py),
        # so that each of its fields is planned once.
        self._plans = memo_of(self.context_value)
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
        if self._fast and len(field_details_list) == 1:
            plan = self._plan_for(parent_type, field_details_list[0].node)
            if plan is not None:
                value = plan(source)
                if value is not MISS:
                    return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _plan_for(self, parent_type: GraphQLObjectType, node: FieldNode) -> Plan | None:
        global _built
        key = ("plan", id(parent_type), id(node))
        if key in self._plans:
            plan: Plan | None = self._plans[key]
            return plan
        plan = _field_plan(self.schema, parent_type, node)
        self._plans[key] = plan
        _built += plan is not None
        return plan


def plans_built() -> int:
    """How many fields have been given a plan (for tests: the fast path did engage)."""
    return _built


def _field_plan(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, node: FieldNode
) -> Plan | None:
    """The plan of one field, or None when it is not plain."""
    if node.directives or node.arguments:
        return None
    name = node.name.value
    if name == "__typename":
        type_name = parent_type.name
        return lambda _source: type_name
    field = parent_type.fields.get(name)
    if field is None or field.args:
        return None
    read = _reader(parent_type, name, field)
    complete = _completer(schema, field.type, node)
    if read is None or complete is None:
        return None

    def plan(source: Any) -> Any:
        try:
            value = read(source)
        except Exception:
            return MISS
        return complete(value)

    return plan


def _reader(parent_type: GraphQLObjectType, name: str, field: GraphQLField) -> Plan | None:
    """How the field's value is read from its parent, when that is all its resolver does."""
    resolve = field.resolve
    if resolve is not None and getattr(resolve, "_is_default", False):
        # Strawberry's resolver of a field with no resolver of its own: an attribute read.
        return lambda source: resolve(source, None)
    if name == "id":
        return _node_id_reader(parent_type)
    return None


def _node_id_reader(parent_type: GraphQLObjectType) -> Plan | None:
    """A `Node`'s global ID, as `relay.Node`'s own `id` resolver makes it."""
    attribute = node_id_attribute(parent_type)
    if attribute is None:
        return None
    type_name = parent_type.name

    def read(source: Any) -> str:
        node_id = getattr(source, attribute)
        if node_id is None:
            raise ValueError("no id")
        # What serialising `GlobalID(type_name, str(node_id))` gives (`to_base64`).
        return b64encode(f"{type_name}:{node_id!s}".encode()).decode()

    return read


def _completer(schema: GraphQLSchema, type_: GraphQLOutputType, node: FieldNode) -> Plan | None:
    """How a value of `type_` is completed, or None when it needs the standard path."""
    nullable = not isinstance(type_, GraphQLNonNull)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if is_leaf_type(type_):
        return _leaf(type_.coerce_output_value, nullable)
    if isinstance(type_, GraphQLList):
        item = _completer(schema, type_.of_type, node)
        return None if item is None else _many(item, nullable)
    if isinstance(type_, GraphQLObjectType) and node.selection_set is not None:
        return _object(schema, type_, node, nullable)
    return None


def _leaf(coerce: Callable[[Any], Any], nullable: bool) -> Plan:
    def complete(value: Any) -> Any:
        if value is None:
            return None if nullable else MISS
        try:
            coerced = coerce(value)
        except Exception:
            return MISS
        return MISS if coerced is None or coerced is Undefined else coerced

    return complete


def _many(item: Plan, nullable: bool) -> Plan:
    def complete(value: Any) -> Any:
        if value is None:
            return None if nullable else MISS
        if not isinstance(value, Iterable) or isinstance(value, (str, bytes, dict)):
            return MISS
        completed = []
        for each in value:
            done = item(each)
            if done is MISS:
                return MISS
            completed.append(done)
        return completed

    return complete


def _object(
    schema: GraphQLSchema, type_: GraphQLObjectType, node: FieldNode, nullable: bool
) -> Plan | None:
    fields: list[tuple[str, Plan]] = []
    assert node.selection_set is not None
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None  # fragments: the standard path collects them
        key = selection.alias.value if selection.alias else selection.name.value
        plan = _field_plan(schema, type_, selection)
        if plan is None or any(key == known for known, _ in fields):
            return None
        fields.append((key, plan))
    is_type_of = type_.is_type_of

    def complete(value: Any) -> Any:
        if value is None:
            return None if nullable else MISS
        if is_type_of is not None:
            try:
                # Strawberry's and the hub's `is_type_of` look at the value only.
                if is_type_of(value, None) is not True:  # type: ignore[arg-type]
                    return MISS
            except Exception:
                return MISS
        completed = {}
        for key, plan in fields:
            done = plan(value)
            if done is MISS:
                return MISS
            completed[key] = done
        return completed

    return complete
