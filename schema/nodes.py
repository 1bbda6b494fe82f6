"""Global IDs and entities: the `Node` types, how an ID finds its record, and
the federation key.

Types are declared over the resolvers' light records: a record is the root
value of its GraphQL type (no copy per row), and `is_type_of` tells the
record types apart for `Node` and `_Entity`.

`Node` itself is an entity interface (`@key(fields: "id")`, federation 2.3):
the ID names the type, so a partner's `@interfaceObject` can extend every
record at once and the hub answers `Node` representations (schema/entities.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLInterfaceType, GraphQLResolveInfo, GraphQLSchema
from strawberry import relay
from strawberry.federation.params import process_federation_type_directives
from strawberry.relay import GlobalIDValueError
from strawberry.schema.schema_converter import GraphQLCoreConverter

from resolvers.errors import UserInputError
from schema.context import Info

__all__ = [
    "MAX_NODES",
    "NODE_INTERFACE",
    "NODE_RECORDS",
    "entity",
    "find_node",
    "key_node_interface",
    "load_node",
    "load_record",
    "parse_id",
]

MAX_NODES = 100
NODE_INTERFACE = "Node"

# GraphQL type name -> the record type its nodes are read as.
NODE_RECORDS: dict[str, type[Any]] = {}

TypeT = TypeVar("TypeT", bound=type[Any])


def entity(record: type[Any], description: str) -> Callable[[TypeT], TypeT]:
    """Declare a `Node` type over `record`, as a federation entity keyed by its ID."""

    def wrap(cls: TypeT) -> TypeT:
        type_name = cls.__name__

        def is_type_of(_cls: type[Any], obj: object, _info: GraphQLResolveInfo[Any]) -> bool:
            return isinstance(obj, record)

        async def resolve_reference(_cls: type[Any], info: Info, id: strawberry.ID) -> Any:
            # Federation: the gateway asks for entities by key; unknown keys are null.
            return await find_node(info, id, type_name)

        cls.is_type_of = classmethod(is_type_of)
        cls.resolve_reference = classmethod(resolve_reference)
        NODE_RECORDS[type_name] = record
        return strawberry.federation.type(keys=["id"], description=description)(cls)

    return wrap


def key_node_interface(schema: GraphQLSchema) -> None:
    """Key the schema's `Node` interface by `id`, as every type implementing it is.

    `Node` is Strawberry's own `relay.Node`, shared by every schema in the
    process, and every node type inherits from it: so rather than declare a
    second `Node` (two types of one name) or change Strawberry's class, the
    built schema's `Node` gets a copy of its definition with the key, which
    is what the SDL is printed from."""
    node = schema.type_map[NODE_INTERFACE]
    assert isinstance(node, GraphQLInterfaceType)
    backref = GraphQLCoreConverter.DEFINITION_BACKREF
    keyed = copy.copy(node.extensions[backref])
    keys, _ = process_federation_type_directives((), keys=["id"])
    keyed.directives = [*(keyed.directives or ()), *keys]
    node.extensions = {**node.extensions, backref: keyed}


def parse_id(value: str, expected: str | None = None) -> tuple[str, type[Any], int]:
    """The type name, record type and primary key an ID names."""
    try:
        global_id = relay.GlobalID.from_id(value)
        pk = int(global_id.node_id)
    except (GlobalIDValueError, ValueError) as error:
        raise UserInputError(
            f"{value!r} is not an ID from this API: use the `id` of an object it returned.",
            code="INVALID_ID",
        ) from error
    record = NODE_RECORDS.get(global_id.type_name)
    if record is None:
        raise UserInputError(
            f"{value!r} is not an ID from this API: it names no known type.", code="INVALID_ID"
        )
    if expected is not None and global_id.type_name != expected:
        raise UserInputError(
            f"{value!r} is the ID of a {global_id.type_name}, not of a {expected}.",
            code="WRONG_ID_TYPE",
        )
    return global_id.type_name, record, pk


async def load_record(info: Info, record: type[Any], pk: int) -> Any:
    """The record of type `record` with primary key `pk` (batched per type)."""
    return await info.context.loaders.by_id(record).load(pk)


async def find_node(info: Info, value: str, expected: str | None = None) -> Any:
    """The record an ID names, or None when no such record exists."""
    _, record, pk = parse_id(value, expected)
    return await info.context.loaders.by_id(record).load(pk)


async def load_node(info: Info, value: str, expected: str | None = None) -> Any:
    """The record an ID names; an error says so when no such record exists."""
    type_name, record, pk = parse_id(value, expected)
    found = await info.context.loaders.by_id(record).load(pk)
    if found is None:
        raise UserInputError(f"No {type_name} has the ID {value!r}.", code="NOT_FOUND")
    return found
