"""How the compiled path reads a plain field of its parent and completes its
value: an attribute read (or a `Node`'s global ID), then a leaf serialised
or a list item by item, as graphql-core would; `MISS` whenever anything is
off, for the standard path to answer instead."""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any, Final

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from engine.node_ids import node_id_attribute

__all__ = ["MISS", "Plan", "Tally", "Waiting", "leaf", "many", "reader", "tally"]

# What a plan gives when the standard path must answer instead.
MISS: Final = object()
# Parents waiting on a batched field: (pending, the dict to put its answer in, its key).
Waiting = list[tuple[Any, dict[str, Any], str]]
Plan = Callable[[Any, Waiting], Any]
# Built-in scalars, and the Python type each gives back unchanged (Int and
# Float check ranges and finiteness: they take the general coercion).
_BUILT_IN: Final = {"String": GraphQLString, "ID": GraphQLID, "Boolean": GraphQLBoolean}
_AS_THEY_ARE: Final = {"String": str, "ID": str, "Boolean": bool}
# Global IDs kept encoded per type, at most.
MAX_KNOWN_IDS: Final = 65_536
# Enum values kept per field, at most (more would mean values that are not the enum's).
MAX_ENUM_VALUES: Final = 256


class Tally:
    """Objects the plans have completed, edges aside, counted as the actual
    cost counts them (`engine.cost`): the count before and after completing
    an answer, which runs without yielding, is that answer's objects."""

    __slots__ = ("objects",)

    def __init__(self) -> None:
        self.objects = 0


tally: Final = Tally()


def reader(
    parent_type: GraphQLObjectType, name: str, definition: Any
) -> tuple[Callable[[Any], Any] | None, str]:
    """How the field's value is read from its parent, when that is all its
    resolver does, and the attribute it reads."""
    resolve = definition.resolve
    if resolve is not None and getattr(resolve, "_is_default", False):
        # Strawberry's resolver of a field with no resolver of its own: its
        # config's default resolver (`getattr`) on the field's Python name.
        backref = definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(backref, StrawberryField) or backref.python_name is None:
            return None, name
        attribute = backref.python_name
        default = backref.default_resolver
        if default is getattr:
            return attrgetter(attribute), attribute
        return (lambda source: default(source, attribute)), attribute
    if name == "id":
        return _node_id_reader(parent_type)
    return None, name


def _node_id_reader(parent_type: GraphQLObjectType) -> tuple[Callable[[Any], Any] | None, str]:
    """A `Node`'s global ID, as `relay.Node`'s own `id` resolver makes it."""
    attribute = node_id_attribute(parent_type)
    if attribute is None:
        return None, "id"
    type_name = parent_type.name
    # Integer keys give the same ID whenever they come back: encoded once.
    known: dict[int, str] = {}

    def read(source: Any) -> str:
        node_id = getattr(source, attribute)
        if type(node_id) is int:
            found = known.get(node_id)
            if found is not None:
                return found
        elif node_id is None:
            raise ValueError("no id")
        # What serialising `GlobalID(type_name, str(node_id))` gives (`to_base64`).
        encoded = b64encode(f"{type_name}:{node_id!s}".encode()).decode()
        if type(node_id) is int:
            if len(known) >= MAX_KNOWN_IDS:
                known.clear()
            known[node_id] = encoded
        return encoded

    return read, attribute


def as_it_is(type_: GraphQLOutputType) -> type | None:
    """The Python type whose values a field of `type_` gives back as they are
    (graphql-core's `serialize_*` of String, ID and Boolean); None for others."""
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(named, GraphQLScalarType) and named is _BUILT_IN.get(named.name):
        return _AS_THEY_ARE[named.name]
    return None


def leaf(type_: GraphQLLeafType, nullable: bool) -> Plan:
    coerce = type_.coerce_output_value
    # Checked by type first, before the general coercion.
    same = as_it_is(type_)
    # An enum's values are few and always serialise the same: kept once coerced.
    known: dict[Any, Any] = {}
    enum = isinstance(type_, GraphQLEnumType)

    def complete(value: Any, _waiting: Waiting) -> Any:
        if value is None:
            return None if nullable else MISS
        if type(value) is same:
            return value
        if enum:
            try:
                found = known.get((type(value), value), MISS)
            except TypeError:  # unhashable: not one of the enum's values
                found = MISS
            if found is not MISS:
                return found
        try:
            coerced = coerce(value)
        except Exception:
            return MISS
        if coerced is None or coerced is Undefined:
            return MISS
        if enum and len(known) < MAX_ENUM_VALUES:
            known[(type(value), value)] = coerced
        return coerced

    return complete


def many(item: Plan, nullable: bool) -> Plan:
    def complete(value: Any, waiting: Waiting) -> Any:
        if value is None:
            return None if nullable else MISS
        if type(value) is not list and (
            not isinstance(value, Iterable) or isinstance(value, (str, bytes, dict))
        ):
            return MISS
        completed = []
        for each in value:
            done = item(each, waiting)
            if done is MISS:
                return MISS
            completed.append(done)
        return completed

    return complete
